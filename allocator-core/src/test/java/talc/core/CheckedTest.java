package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checked build: every kind of misuse is reported with its kind and address before anything
 * changes (the heap, its counters and every block's contents are as before), the heap list and
 * walk see every heap, and the consistency check finds overwritten metadata.
 */
class CheckedTest {
    /** Bytes of each test heap. */
    private static final int HEAP = 256 << 10;

    @BeforeEach
    void checked() {
        Features.configure(true, true, true, true, true);
        Reported.install();
    }

    @AfterEach
    void restore() {
        Report.setHandler(null);
        Features.reset();
    }

    /** Pages of simulated memory: room for heaps at 1, 2 and 3 MiB. */
    private static final int PAGES = 64;

    private static Fixture heap() {
        Fixture f = Fixture.manual(PAGES);
        f.claim(Fixture.STATE_ADDR + Talc.stateSize(), HEAP);
        return f;
    }

    /** Runs {@code misuse}, expects a report of {@code kind} at {@code address}, and that no byte of memory changed. */
    private static void expectMisuse(int kind, int address, Runnable misuse) {
        byte[] memoryBefore = Fixture.memorySnapshot();
        Reported e = assertThrows(Reported.class, misuse::run);
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(address, e.address());
        assertTrue(e.getMessage().contains(Integer.toHexString(address)), e.getMessage());
        assertTrue(Arrays.equals(memoryBefore, Fixture.memorySnapshot()), "memory is exactly as before the bad call");
    }

    @Test
    void doubleFreeIsReportedEvenAfterTheGapMerged() {
        Fixture f = heap();
        int a = Talc.malloc(f.t, 100);
        int b = Talc.malloc(f.t, 100);
        int c = Talc.malloc(f.t, 100);
        Talc.free(f.t, b);
        expectMisuse(Talc.NOT_ALLOCATED, b, () -> Talc.free(f.t, b));
        Talc.free(f.t, a);
        // a merged with b's gap: both are inside one gap now
        expectMisuse(Talc.NOT_ALLOCATED, a, () -> Talc.free(f.t, a));
        expectMisuse(Talc.NOT_ALLOCATED, b, () -> Talc.realloc(f.t, b, 10));
        Talc.free(f.t, c);
        f.scan();
    }

    @Test
    void pointersThatNoMallocReturnedAreReported() {
        Fixture f = heap();
        int a = Talc.malloc(f.t, 1000);
        expectMisuse(Talc.MISALIGNED, a + 4, () -> Talc.free(f.t, a + 4));
        expectMisuse(Talc.MISALIGNED, -1, () -> Talc.free(f.t, -1));
        expectMisuse(Talc.INSIDE_BLOCK, a + 16, () -> Talc.free(f.t, a + 16));
        // user data that looks like an allocated header (and like a free chunk below) is not taken for one
        Mem.putInt(a + 28, 64 | Chunk.ALLOCATED);
        expectMisuse(Talc.INSIDE_BLOCK, a + 32, () -> Talc.free(f.t, a + 32));
        Mem.putInt(a + 44, 64 | Chunk.ALLOCATED | Chunk.BELOW_FREE);
        expectMisuse(Talc.INSIDE_BLOCK, a + 48, () -> Talc.free(f.t, a + 48));
        expectMisuse(Talc.INSIDE_BLOCK, a + 992, () -> Talc.realloc(f.t, a + 992, 5));
        expectMisuse(Talc.OUTSIDE_HEAPS, 16, () -> Talc.free(f.t, 16));
        expectMisuse(Talc.OUTSIDE_HEAPS, Fixture.STATE_ADDR, () -> Talc.free(f.t, Fixture.STATE_ADDR));
        expectMisuse(Talc.OUTSIDE_HEAPS, 0xFFFF_FFF0, () -> Talc.free(f.t, 0xFFFF_FFF0));
        expectMisuse(Talc.OUTSIDE_HEAPS, 0x7FFF_FFF0, () -> Talc.free(f.t, 0x7FFF_FFF0));
        int end = f.heaps.firstEntry().getValue();
        expectMisuse(Talc.OUTSIDE_HEAPS, end, () -> Talc.free(f.t, end));
        expectMisuse(Talc.NOT_ALLOCATED, end - 1024, () -> Talc.free(f.t, end - 1024));
        Talc.free(f.t, a);
        f.scan();
    }

    @Test
    void overwrittenTagsAreReportedAsCorruption() {
        Fixture f = heap();
        int a = Talc.malloc(f.t, 100);
        int b = Talc.malloc(f.t, 100);
        int c = Talc.malloc(f.t, 100);
        Talc.free(f.t, a);
        assertEquals(0, Talc.check(f.t));
        // b's header is the last word of the chunk below it: what a write past a's end hits
        int bHeader = Fixture.header(b);
        Mem.putInt(b - Chunk.HEADER, 0x12345670 | Chunk.ALLOCATED);
        expectMisuse(Talc.CORRUPTED, b, () -> Talc.free(f.t, b));
        assertEquals(b | Talc.CORRUPTED, Talc.check(f.t), "the scan names the chunk whose header was hit");
        Mem.putInt(b - Chunk.HEADER, bHeader);
        // the footer of the gap below b (a's), hit by an underflow of b
        int footer = Chunk.of(b) - Chunk.FOOTER;
        int saved = Mem.getInt(footer);
        Mem.putInt(footer, saved + 32);
        expectMisuse(Talc.CORRUPTED, b, () -> Talc.free(f.t, b));
        assertNotEquals(0, Talc.check(f.t));
        Mem.putInt(footer, saved);
        assertEquals(0, Talc.check(f.t));
        Talc.free(f.t, b);
        Talc.free(f.t, c);
        f.scan();
    }

    /**
     * Issue #19, case 1: a strcpy 6 bytes past {@code a}, over {@code b}'s tags. Both frees went
     * through, the check then saw nothing, and a malloc handed out memory over the live
     * {@code c}. Now either free reports it, and so does the check, until the bytes are put back.
     */
    @Test
    void aStringCopiedPastABlockIsReportedByTheFreeOfEitherBlock() {
        Fixture f = heap();
        int a = Talc.malloc(f.t, 20);
        int b = Talc.malloc(f.t, 20);
        int c = Talc.malloc(f.t, 16664);
        Talc.malloc(f.t, 20);
        Mem.fill(c, 0x63, 16664);
        int end = a + Talc.usableSize(f.t, a) + 6;
        byte[] saved = Fixture.memorySnapshot(a, end);
        Mem.fill(a, 'A', end - a);
        assertEquals(Chunk.of(a) + Chunk.HEADER | Talc.CORRUPTED, Talc.check(f.t), "the check names a, whose seal was hit");
        expectMisuse(Talc.CORRUPTED, a, () -> Talc.free(f.t, a));
        expectMisuse(Talc.CORRUPTED, b, () -> Talc.free(f.t, b));
        expectMisuse(Talc.CORRUPTED, b, () -> Talc.realloc(f.t, b, 100));
        int p = Talc.malloc(f.t, 16000);
        assertTrue(p > c + 16664 || p + 16000 <= c, "a new block does not overlap c");
        for (int i = 0; i < 16664; i++) {
            assertEquals(0x63, Mem.getByte(c + i));
        }
        for (int i = 0; i < saved.length; i++) {
            Mem.putByte(a + i, saved[i]);
        }
        assertEquals(0, Talc.check(f.t));
        Talc.free(f.t, a);
        Talc.free(f.t, b);
    }

    /**
     * Issue #19, cases 2 and 3: a write of 1 to 4 bytes past a block (into the word its seal
     * now holds, the guard of the next chunk before) went unreported by both frees; a header
     * of 0xFF bytes above a block of bytes of 0x80 and more made free and
     * malloc_usable_size trap (the classification walked with a negative size).
     */
    @Test
    void shortOverflowsAndHeadersOfOnesAreReportedWithoutATrap() {
        for (int length = 1; length <= 8; length++) {
            Fixture f = heap();
            int a = Talc.malloc(f.t, 40);
            int b = Talc.malloc(f.t, 40);
            Talc.malloc(f.t, 40);
            Mem.fill(a, 0x90, Talc.usableSize(f.t, a));
            Mem.fill(a + Talc.usableSize(f.t, a), 0xFF, length);
            expectMisuse(Talc.CORRUPTED, a, () -> Talc.free(f.t, a));
            expectMisuse(Talc.CORRUPTED, b, () -> Talc.free(f.t, b));
            expectMisuse(Talc.CORRUPTED, b, () -> Talc.usableSize(f.t, b));
            assertNotEquals(0, Talc.check(f.t));
        }
    }

    /**
     * Issue #19, cases 4 and 5: damaged free lists and heap links make the allocation path and
     * the walks loop or trap unless every link is checked before it is followed.
     */
    @Test
    void damagedLinksAreReportedNotFollowed() {
        Fixture f = heap();
        int a = Talc.malloc(f.t, 100);
        Talc.malloc(f.t, 10);
        int b = Talc.malloc(f.t, 100);
        Talc.malloc(f.t, 10);
        Talc.free(f.t, a);
        Talc.free(f.t, b);
        // b's gap heads a's bin; its next link pointing at itself would be a cycle
        int next = Chunk.of(b) + Gaps.NEXT;
        int saved = Mem.getInt(next);
        Mem.putInt(next, Chunk.of(b));
        expectMisuse(Talc.CORRUPTED, b, () -> Talc.malloc(f.t, 100));
        Mem.putInt(next, 0x7FFF_FFF0);
        expectMisuse(Talc.CORRUPTED, b, () -> Talc.malloc(f.t, 100));
        Mem.putInt(next, saved);
        assertEquals(0, Talc.check(f.t));
        // the heap's link word, below its first chunk
        int link = HeapList.head(f.t) - HeapList.LINK;
        int linkWord = Mem.getInt(link);
        Mem.putInt(link, 0);
        int first = Fixture.firstChunk(Fixture.STATE_ADDR + Talc.stateSize());
        assertEquals(first | Talc.CORRUPTED, Talc.check(f.t), "the check names the heap whose link is damaged");
        // (placing a pointer in the lowest heap needs no link of it)
        expectMisuse(Talc.NOT_ALLOCATED, a + 16, () -> Talc.free(f.t, a + 16));
        int chunks = 0;
        for (int c = Talc.walk(f.t, 0); c != 0; c = Talc.walk(f.t, c)) {
            assertTrue(++chunks < 100, "the walk ends");
        }
        Mem.putInt(link, linkWord);
        assertEquals(0, Talc.check(f.t));
        // a bitmap bit of an empty bin: the list head is no gap
        long bitmap = Mem.getLong(f.t);
        Mem.putLong(f.t, bitmap | 1L << Binning.bin(32));
        expectMisuse(Talc.CORRUPTED, f.t, () -> Talc.malloc(f.t, 1));
        Mem.putLong(f.t, bitmap);
        f.scan();
    }

    @Test
    void theCheckFindsBrokenListsAndBitmaps() {
        Fixture f = heap();
        int a = Talc.malloc(f.t, 5000);
        Talc.malloc(f.t, 10);
        Talc.free(f.t, a);
        assertEquals(0, Talc.check(f.t));
        int next = Chunk.of(a) + Gaps.NEXT;
        int saved = Mem.getInt(next);
        Mem.putInt(next, Chunk.of(a));
        assertEquals(Talc.CORRUPTED, Talc.check(f.t) & 15, "a list that loops back on itself");
        Mem.putInt(next, saved);
        long bitmap = Mem.getLong(f.t);
        Mem.putLong(f.t, ~bitmap);
        assertEquals(f.t | Talc.CORRUPTED, Talc.check(f.t), "a bitmap that disagrees with the lists");
        Mem.putLong(f.t, bitmap);
        assertEquals(0, Talc.check(f.t));
    }

    @Test
    void aHandlerThatReturnsLeavesTheCallWithoutEffect() {
        Fixture f = heap();
        List<String> reports = new ArrayList<>();
        Report.setHandler((kind, address) -> reports.add(kind + "@" + address));
        int a = Talc.malloc(f.t, 64);
        Talc.free(f.t, a);
        Talc.free(f.t, a);
        assertEquals(0, Talc.realloc(f.t, a + 16, 64));
        assertTrue(Talc.verify(f.t, Talc.malloc(f.t, 8)));
        assertEquals(List.of(Talc.NOT_ALLOCATED + "@" + a, Talc.NOT_ALLOCATED + "@" + (a + 16)), reports);
        f.scan();
    }

    @Test
    void theWalkVisitsEveryChunkOfEveryHeapOnce() {
        Fixture f = heap();
        f.claim(1 << 20, HEAP);
        f.claim(2 << 20, 4096);
        Random rnd = new Random(7);
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            if (live.isEmpty() || rnd.nextInt(3) > 0) {
                int p = Talc.malloc(f.t, rnd.nextInt(3000));
                if (p != 0) {
                    live.add(p);
                }
            } else {
                Talc.free(f.t, live.remove(rnd.nextInt(live.size())));
            }
        }
        HeapScan.Result r = f.scan();
        int chunks = 0;
        int allocated = 0;
        int heapsStarted = 0;
        for (int c = Talc.walk(f.t, 0); c != 0; c = Talc.walk(f.t, c)) {
            int h = Fixture.header(c);
            chunks++;
            allocated += (h & Chunk.ALLOCATED) != 0 ? 1 : 0;
            heapsStarted += (h & Chunk.HEAP_FIRST) != 0 ? 1 : 0;
            assertTrue(chunks <= r.allocations.size() + r.gaps, "the walk ends");
        }
        assertEquals(r.allocations.size() + r.gaps, chunks);
        assertEquals(r.allocations.size(), allocated);
        assertEquals(3, heapsStarted);
    }

    @Test
    void deletingAHeapUnlistsIt() {
        Fixture f = heap();
        int end = f.claim(1 << 20, 4096);
        f.claim(2 << 20, 4096);
        assertEquals(0, f.resize(end, 0));
        f.scan();
        int heaps = 0;
        for (int first = HeapList.head(f.t); first != 0; first = HeapList.next(first)) {
            heaps++;
        }
        assertEquals(2, heaps);
    }
}
