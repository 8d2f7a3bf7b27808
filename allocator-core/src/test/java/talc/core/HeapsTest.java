package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Claim, extend, truncate, resize and reserved, with several discontiguous heaps. */
class HeapsTest {
    private static final int PAGES = 16;

    @AfterEach
    void restore() {
        Features.reset();
    }

    @Test
    void claimRejectsRegionsTooSmallForOneChunk() {
        Fixture f = Fixture.manual(PAGES);
        assertEquals(0, f.claim(4096, 16), "16 bytes cannot hold a header and a 16-byte chunk at 16-alignment");
        assertEquals(0, f.claim(4096, 0));
        assertEquals(0, f.claim(-16, 4096));
        assertNotEquals(0, f.claim(4096 - Chunk.HEADER, 20), "header word plus one unit");
        f.scan();
    }

    @Test
    void claimAlignsAnyRegionAndTheHeapCanBeFilledExactly() {
        Fixture f = Fixture.manual(PAGES);
        int base = 4096 + 99;
        int end = f.claim(base, 10001);
        assertEquals((base + 10001) & -16, end);
        int first = Fixture.firstChunk(base);
        assertEquals(end - first, Counters.availableBytes(f.t));
        assertEquals(end - first + Chunk.HEADER, Counters.claimedBytes(f.t));
        int p = Talc.malloc(f.t, end - first - Chunk.HEADER);
        assertEquals(first, p, "the whole heap is one chunk");
        assertEquals(0, Talc.malloc(f.t, 1), "and nothing is left");
        f.scan();
        Talc.free(f.t, p);
        f.scan();
    }

    @Test
    void allocateAndFreeInASmallHeap() {
        // Talc's alloc_dealloc_test: 2435 bytes in a 5000-byte heap.
        Fixture f = Fixture.manual(PAGES);
        f.claim(4096, 5000);
        int p = Talc.malloc(f.t, 2435);
        assertNotEquals(0, p);
        assertEquals(0, Talc.malloc(f.t, 2600), "does not fit beside it");
        int q = Talc.malloc(f.t, 2000);
        assertNotEquals(0, q);
        f.scan();
        Talc.free(f.t, p);
        Talc.free(f.t, q);
        assertEquals(1, f.scan().gaps);
    }

    @Test
    void severalDiscontiguousHeapsServeAndMergeOnlyWithinThemselves() {
        Fixture f = Fixture.manual(PAGES);
        f.claim(4096, 1000);
        f.claim(8192, 1000);
        f.claim(16384, 1000);
        int[] ptrs = new int[60];
        int n = 0;
        for (int p; (p = Talc.malloc(f.t, 40)) != 0; ) {
            ptrs[n++] = p;
        }
        assertTrue(n > 50, "all three heaps were used: " + n);
        HeapScan.Result r = f.scan();
        assertEquals(3, r.heaps);
        for (int i = 0; i < n; i++) {
            Talc.free(f.t, ptrs[i]);
        }
        assertEquals(3, f.scan().gaps, "one gap per heap, never merged across heaps");
    }

    @Test
    void extendMergesWithAFreeTopAndAddsAChunkAboveAnAllocatedTop() {
        Fixture f = Fixture.manual(PAGES);
        int end = f.claim(4096, 1024);
        Talc.malloc(f.t, 100);
        end = f.resize(end, end + 4096);
        assertEquals(1, f.scan().gaps, "new space merged with the free top");
        int rest = Talc.malloc(f.t, Counters.availableBytes(f.t) - Chunk.HEADER);
        assertNotEquals(0, rest);
        assertEquals(end, Talc.reserved(end), "top is allocated");
        int newEnd = f.resize(end, end + 1000);
        assertEquals((end + 1000) & -16, newEnd);
        assertEquals(newEnd - end, Counters.availableBytes(f.t), "the old sentinel word is the new chunk's header");
        assertNotEquals(0, Talc.malloc(f.t, newEnd - end - Chunk.HEADER), "the extension serves requests");
        assertEquals(newEnd, f.resize(newEnd, newEnd + 8), "growth below one unit does nothing");
        f.scan();
    }

    @Test
    void truncateNeverCutsIntoAllocationsAndDeletesOnlyEmptyHeaps() {
        Fixture f = Fixture.manual(PAGES);
        int end = f.claim(4096, 8192);
        int first = Fixture.firstChunk(4096);
        int p = Talc.malloc(f.t, 1000);
        int reserved = Talc.reserved(end);
        assertEquals(p + Chunk.sizeFor(1000), reserved);
        int truncated = f.resize(end, first + 16);
        assertEquals(reserved, truncated, "clamped to the end of the allocation");
        assertEquals(truncated, Talc.reserved(truncated), "top is allocated now");
        assertEquals(0, Talc.malloc(f.t, 16), "nothing left");
        f.scan();
        truncated = f.resize(truncated, truncated + 4096);
        int q = Talc.malloc(f.t, 100);
        Talc.free(f.t, p);
        f.scan();
        truncated = f.resize(truncated, 0);
        assertEquals(q + Chunk.sizeFor(100), truncated);
        Talc.free(f.t, q);
        assertEquals(0, Talc.reserved(truncated), "empty heap");
        assertEquals(0, f.resize(truncated, 0), "an empty heap truncated fully is deleted");
        assertEquals(0, Counters.heapCount(f.t));
        assertEquals(0, Counters.claimedBytes(f.t));
        assertTrue(Bitmap.scan(f.t, 0) >= Binning.binCount(), "no gaps remain");
        assertEquals(0, f.scan().heaps);
    }

    @Test
    void withoutTruncationNoChunkIsFlaggedFirstAndAnEmptyHeapIsKept() {
        // The wasm modules' build: no HEAP_FIRST flag, so a heap is never deleted.
        Features.setTruncation(false);
        Fixture f = Fixture.manual(PAGES);
        int end = f.claim(4096, 8192);
        int first = Fixture.firstChunk(4096);
        assertEquals(0, Fixture.header(first) & Chunk.HEAP_FIRST, "a gap");
        int p = Talc.malloc(f.t, 1000);
        assertEquals(first, p);
        assertEquals(0, Fixture.header(p) & Chunk.HEAP_FIRST, "an allocation");
        Talc.free(f.t, p);
        assertEquals(end - first, Fixture.header(first), "one gap, no flags");
        assertEquals(first, Talc.reserved(end), "an empty heap is reserved down to its first chunk");
        assertEquals(first, f.resize(end, 0), "truncated to its first header word, not deleted");
        assertEquals(1, Counters.heapCount(f.t));
        assertEquals(Chunk.HEADER, Counters.claimedBytes(f.t));
        assertEquals(0, Talc.malloc(f.t, 16), "nothing left");
        assertEquals(first + 4096, f.resize(first, first + 4096), "and it extends again");
        assertEquals(first, Talc.malloc(f.t, 100));
        assertEquals(0, Fixture.header(first) & Chunk.HEAP_FIRST);
    }

    @Test
    void truncatePartOfAFreeTop() {
        Fixture f = Fixture.manual(PAGES);
        int end = f.claim(4096, 8192);
        Talc.malloc(f.t, 100);
        int newEnd = f.resize(end, end - 1000);
        assertEquals((end - 1000 + 15) & -16, newEnd);
        assertEquals(end - newEnd, (int) Counters.totalReleasedBytes(f.t));
        f.scan();
    }
}
