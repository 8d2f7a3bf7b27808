package talc.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import talc.core.Counters;
import talc.core.Mem;
import talc.core.Talc;

/** The counters snapshot: its values and derived values (its table: {@link CountersTableGoldenTest}). */
class CountersSnapshotTest {
    @Test
    void derivedValues() {
        CountersSnapshot c = new CountersSnapshot(3, 300, 64_912, 2, 1, 65_228, 10, 2780, 4, 70_000);
        assertEquals(65_228 - 64_912 - 300, c.overheadBytes());
        assertEquals(2780 - 300, c.totalFreedBytes());
        assertEquals(70_000 - 65_228, c.totalReleasedBytes());
    }

    @Test
    void anAllocatorsCountersAreTheCoresAndAddUp() {
        try (TalcCell a = new TalcCell(Memory.reserve(1 << 16))) {
            int p = a.malloc(100);
            int q = a.malloc(1000);
            a.free(p);
            CountersSnapshot c = a.counters();
            assertEquals(1, c.allocationCount());
            assertEquals(a.usableSize(q), c.allocatedBytes());
            assertEquals(2, c.totalAllocationCount());
            assertEquals(1, c.heapCount());
            assertEquals(c.claimedBytes(), c.availableBytes() + c.allocatedBytes() + c.overheadBytes());
            assertTrue(c.overheadBytes() >= 8, "at least a header word for the allocation and one for the heap");
            assertTrue(c.toString().contains("allocations      |               1 |               2"), c.toString());
        }
    }

    @Test
    void readsAnyCoreHandleToo() {
        Mem.reset(2, 2);
        int t = Talc.init(64);
        Talc.claim(t, 4096, 60_000);
        int p = Talc.malloc(t, 40);
        CountersSnapshot c = CountersSnapshot.of(t);
        assertEquals(Counters.allocationCount(t), c.allocationCount());
        assertEquals(Counters.claimedBytes(t), c.claimedBytes());
        Talc.free(t, p);
        assertEquals(0, CountersSnapshot.of(t).allocationCount());
    }
}
