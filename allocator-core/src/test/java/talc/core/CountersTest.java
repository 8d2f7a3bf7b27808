package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exact counter arithmetic (Talc's test_claim_alloc_free_truncate), and counters compiled out. */
class CountersTest {
    @AfterEach
    void restore() {
        Features.reset();
    }

    @Test
    void claimAllocFreeTruncateCountExactly() {
        Fixture f = Fixture.manual(16);
        int base = 4096 + 99;
        int end = f.claim(base, 10001);
        int first = Fixture.firstChunk(base);
        int heapBytes = end - first + Chunk.HEADER;
        assertEquals(1, Counters.heapCount(f.t));
        assertEquals(heapBytes, Counters.claimedBytes(f.t));
        assertEquals(end - first, Counters.availableBytes(f.t));
        assertEquals(1, Counters.fragmentCount(f.t));
        assertEquals(Chunk.HEADER, Counters.overheadBytes(f.t));

        int p = Talc.malloc(f.t, 1000);
        int usable = Talc.usableSize(f.t, p);
        assertEquals(1, Counters.allocationCount(f.t));
        assertEquals(usable, Counters.allocatedBytes(f.t));
        assertEquals(end - first - usable - Chunk.HEADER, Counters.availableBytes(f.t));
        assertEquals(2 * Chunk.HEADER, Counters.overheadBytes(f.t));

        Talc.free(f.t, p);
        assertEquals(0, Counters.allocationCount(f.t));
        assertEquals(0, Counters.allocatedBytes(f.t));
        assertEquals(1, Counters.totalAllocationCount(f.t));
        assertEquals(usable, Counters.totalAllocatedBytes(f.t));
        assertEquals(usable, Counters.totalFreedBytes(f.t));

        assertEquals(0, f.resize(end, 0));
        assertEquals(0, Counters.heapCount(f.t));
        assertEquals(0, Counters.claimedBytes(f.t));
        assertEquals(0, Counters.availableBytes(f.t));
        assertEquals(1, Counters.totalHeapCount(f.t));
        assertEquals(heapBytes, Counters.totalClaimedBytes(f.t));
        assertEquals(heapBytes, Counters.totalReleasedBytes(f.t));
    }

    @Test
    void inPlaceGrowthCountsTheDelta() {
        Fixture f = Fixture.manual(16);
        f.claim(4096, 8192);
        int p = Talc.malloc(f.t, 100);
        Talc.realloc(f.t, p, 1000);
        assertEquals(1, Counters.totalAllocationCount(f.t));
        assertEquals(Talc.usableSize(f.t, p), Counters.totalAllocatedBytes(f.t));
        Talc.realloc(f.t, p, 10);
        assertEquals(Talc.usableSize(f.t, p), Counters.allocatedBytes(f.t));
        f.scan();
    }

    @Test
    void countersOffLeaveTheirWordsUntouched() {
        Features.configure(true, false, true, true, false);
        Fixture f = Fixture.manual(16);
        f.claim(4096, 8192);
        Talc.free(f.t, Talc.malloc(f.t, 100));
        Talc.malloc(f.t, 200);
        for (int off = State.ALLOCATION_COUNT; off < State.BIN_HEADS; off += 4) {
            assertEquals(0, Mem.getInt(f.t + off), "counter word at +" + off);
        }
        f.scan();
    }
}
