package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The C semantics of the public calls, and failures that leave the heap as it was. */
class CApiTest {
    @AfterEach
    void restore() {
        Features.reset();
    }

    private static Fixture heap(int bytes) {
        Fixture f = Fixture.manual((bytes >>> Mem.PAGE_SHIFT) + 2);
        f.claim(4096, bytes);
        return f;
    }

    @Test
    void mallocZeroGivesUniqueFreeablePointers() {
        Fixture f = heap(4096);
        int a = Talc.malloc(f.t, 0);
        int b = Talc.malloc(f.t, 0);
        assertTrue(a != 0 && b != 0 && a != b);
        assertEquals(12, Talc.usableSize(f.t, a));
        Talc.free(f.t, a);
        Talc.free(f.t, b);
        assertEquals(1, f.scan().gaps);
    }

    @Test
    void freeOfNullDoesNothing() {
        Fixture f = heap(4096);
        Talc.free(f.t, 0);
        assertEquals(0, Talc.usableSize(f.t, 0));
        f.scan();
    }

    @Test
    void everyAllocationIsSixteenAlignedWithOneWordOverhead() {
        Fixture f = heap(1 << 20);
        for (int n = 0; n < 300; n++) {
            int p = Talc.malloc(f.t, n);
            assertEquals(0, p % 16);
            assertEquals(Chunk.sizeFor(n) - Chunk.HEADER, Talc.usableSize(f.t, p));
        }
        HeapScan.Result r = f.scan();
        assertEquals(Chunk.HEADER * (300 + 1), Counters.overheadBytes(f.t), "one word per allocation plus one per heap");
        assertEquals(300, r.allocations.size());
    }

    @Test
    void alignedAllocHonoursPowersOfTwoAndRejectsOthers() {
        Fixture f = heap(4 << 20);
        for (int shift = 0; shift <= 20; shift++) {
            int align = 1 << shift;
            int p = Talc.alignedAlloc(f.t, align, 100);
            assertNotEquals(0, p, "align " + align);
            assertEquals(0, p % Math.max(align, 16), "align " + align);
        }
        assertEquals(0, Talc.alignedAlloc(f.t, 0, 8));
        assertEquals(0, Talc.alignedAlloc(f.t, 3, 8));
        assertEquals(0, Talc.alignedAlloc(f.t, 24, 8));
        assertEquals(0, Talc.alignedAlloc(f.t, Integer.MIN_VALUE, 8), "2^31 is out of range");
        // Regression (found by the fuzzer in an unreleased change): a chunk size that overflows
        // to 2^31 + 16 plus padding for 2^31 wraps the need to 0.
        assertEquals(0, Talc.alignedAlloc(f.t, Integer.MIN_VALUE, Integer.MAX_VALUE));
        assertEquals(0, Talc.alignedAlloc(f.t, 1 << 30, 8), "cannot be met in this heap");
        f.scan();
    }

    @Test
    void callocZeroesAndRejectsOverflow() {
        Fixture f = heap(1 << 20);
        int dirty = Talc.malloc(f.t, 4000);
        Mem.fill(dirty, 0xEE, 4000);
        Talc.free(f.t, dirty);
        int p = Talc.calloc(f.t, 100, 40);
        assertEquals(dirty, p, "reuses the dirty block");
        for (int i = 0; i < 4000; i++) {
            assertEquals(0, Mem.getByte(p + i));
        }
        assertEquals(0, Talc.calloc(f.t, 0x10000, 0x10001), "n * size overflows 32 bits");
        assertEquals(0, Talc.calloc(f.t, -1, -1));
        assertEquals(0, Talc.calloc(f.t, 0x8000, 0x10000), "exactly 2^31");
        assertEquals(0, Talc.calloc(f.t, 0x7FFF, 0x10001), "below 2^31, above MAX_REQUEST");
        assertNotEquals(0, Talc.calloc(f.t, 0, 5), "zero bytes is a unique pointer");
        assertNotEquals(0, Talc.calloc(f.t, Integer.MIN_VALUE, 0), "2^31 times 0 is zero bytes");
        assertNotEquals(0, Talc.calloc(f.t, 0, -1), "0 times 2^32 - 1 is zero bytes");
        f.scan();
    }

    @Test
    void requestsThatCannotBeMetReturnZeroAndChangeNothing() {
        Fixture f = heap(1 << 16);
        int p = Talc.malloc(f.t, 1000);
        Mem.fill(p, 0x11, 1000);
        HeapScan.Result before = f.scan();
        int availableBefore = Counters.availableBytes(f.t);
        for (int n : new int[] {1 << 16, Talc.MAX_REQUEST, Talc.MAX_REQUEST + 1, -1, -16, Integer.MIN_VALUE}) {
            assertEquals(0, Talc.malloc(f.t, n), "malloc " + n);
            assertEquals(0, Talc.alignedAlloc(f.t, 4096, n), "aligned " + n);
            assertEquals(0, Talc.realloc(f.t, p, n), "realloc " + n);
        }
        HeapScan.Result after = f.scan();
        assertEquals(before.allocations, after.allocations);
        assertEquals(availableBefore, Counters.availableBytes(f.t));
        for (int i = 0; i < 1000; i++) {
            assertEquals(0x11, Mem.getByte(p + i));
        }
    }

    @Test
    void reallocOfNullMallocsAndToZeroFrees() {
        Fixture f = heap(1 << 16);
        int p = Talc.realloc(f.t, 0, 50);
        assertNotEquals(0, p);
        assertEquals(0, Talc.realloc(f.t, p, 0));
        assertEquals(0, f.scan().allocations.size());
    }
}
