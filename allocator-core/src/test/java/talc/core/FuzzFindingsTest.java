package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What fuzzing found, as minimal reproductions: each finding stays here as its regression test
 * (its input, if it was a fuzz input, stays in the corpus too). A finding that is not fixed yet
 * goes in {@code @Disabled} with the reason, so the build stays green until it is (run it with
 * {@code mvn -pl allocator-core test -Dtest=FuzzFindingsTest -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition}).
 */
class FuzzFindingsTest {
    @BeforeEach
    void reportsThrow() {
        Reported.install();
    }

    @AfterEach
    void restore() {
        Report.setHandler(null);
        Features.reset();
    }

    /**
     * {@code bootGrowing} in an empty memory (0 pages) grew one page, booted the allocator at
     * address 0 and returned that handle, 0, which its contract says means "memory cannot grow":
     * the caller could not tell the allocator existed. Found when the fuzz target booted growing
     * sources in memories of 0..3 pages; fixed by keeping the state one unit above null.
     */
    @Test
    void bootGrowingInAnEmptyMemoryReturnsAUsableHandle() {
        for (int kind = Source.GROW_AND_CLAIM; kind <= Source.GROW_AND_EXTEND; kind++) {
            Mem.reset(0, 16);
            int t = Talc.bootGrowing(kind);
            assertEquals(1, Mem.pages(), "it grew one page and booted there");
            assertNotEquals(0, t, "the allocator was created, so the handle must not read as failure");
            Fixture f = Fixture.adopt(t, kind);
            f.heaps.put(Fixture.firstChunk(t + Talc.stateSize()), Mem.PAGE_SIZE);
            f.scan();
            int p = Talc.malloc(t, 100_000);
            f.trackGrowth(1);
            assertNotEquals(0, p, "and it allocates, growing memory");
            Talc.free(t, p);
            assertEquals(0, f.scan().allocations.size());
        }
    }

    /**
     * Corruption mode, crash-7f0ffb95: one byte over the link word of a heap (the heap list
     * kept its links xor-ed with a hash, so the link still decoded to an aligned address, 0xFF00
     * off: inside a live block) made the list run through a heap that was not there, and the
     * next claim wrote its link into that block. Links now lead only to a chunk with an intact
     * end word below it, and a claim below a damaged link leaves the list alone.
     */
    @Test
    void aLinkWithAByteOverwrittenLeadsNowhere() {
        Features.configure(true, true, true, true, true);
        Fixture f = Fixture.manual(4);
        int[] blocks = new int[3];
        for (int i = 0; i < 3; i++) {
            f.claim((i + 1) << 16, 8192);
            blocks[i] = Talc.malloc(f.t, 300);
            Mem.fill(blocks[i], 0x5A, 300);
        }
        int top = HeapList.head(f.t);
        int second = HeapList.next(top);
        // The top heap's link, changed in one byte: it decodes to a chunk address inside block 1.
        int inside = Chunk.of(blocks[1] + 64);
        int delta = second ^ inside;
        assertTrue(delta > 0 && delta < 256);
        int link = top - HeapList.LINK;
        Mem.putByte(link, (byte) (Mem.getByte(link) ^ delta));
        assertEquals(HeapList.BROKEN, HeapList.next(top), "the damaged link leads nowhere");
        f.claim(1 << 15, 4096);
        for (int i = 0; i < 300; i++) {
            assertEquals(0x5A, Mem.getByte(blocks[1] + i), "no write into the live block");
        }
        Reported e = assertThrows(Reported.class, () -> Talc.free(f.t, blocks[0] + 16));
        assertEquals(Talc.CORRUPTED, e.kind(), "a pointer behind the damaged link is in a damaged heap list");
        assertEquals(Chunk.payload(top) | Talc.CORRUPTED, Talc.check(f.t), "the check names the heap whose link is damaged");
    }

    /**
     * Corruption mode, seed-mixed-corrupting-7: a chunk header overwritten with a sentinel's
     * word (a size of 0, allocated) below a live block ended the classification's walk there,
     * and the block's free was reported as outside every heap. The heap list now knows each
     * heap's end, so a sentinel anywhere else is a damaged header.
     */
    @Test
    void aHeaderOverwrittenWithASentinelsIsNotTheEndOfTheHeap() {
        Features.configure(true, true, true, true, true);
        Fixture f = Fixture.manual(1);
        f.claim(Fixture.STATE_ADDR + Talc.stateSize(), 8192);
        Talc.malloc(f.t, 24);
        int a = Talc.malloc(f.t, 256 - Chunk.overhead());
        int b = Talc.malloc(f.t, 100);
        Talc.malloc(f.t, 100);
        Mem.putInt(Chunk.of(a), Chunk.ALLOCATED);
        for (int p : new int[] {a, b}) {
            assertEquals(Talc.CORRUPTED, assertThrows(Reported.class, () -> Talc.free(f.t, p)).kind());
        }
        assertEquals(a | Talc.CORRUPTED, Talc.check(f.t));
    }
}
