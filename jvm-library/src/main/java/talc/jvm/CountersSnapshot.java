package talc.jvm;

import talc.core.Counters;
import talc.core.Features;

/**
 * The counters of an allocator at one moment (Talc's {@code Counters}, a copy). Byte counts are
 * chunk-based as in {@link talc.core.Counters}: an allocation counts its usable size, so
 * {@link #overheadBytes()} is what the allocator's metadata takes: the header words (and seals)
 * of the chunks, the heaps' boundaries, and the state blocks of child allocators
 * ({@link TalcAllocator#counters()}).
 * {@link #toString()} renders them as a table, like Talc's {@code Display}:
 *
 * <pre>
 * counter          |             now |           total
 * -----------------+-----------------+----------------
 * allocations      |               3 |              10
 * allocated bytes  |             300 |            2780
 * freed bytes      |               - |            2480
 * available bytes  |           64912 |               -
 * overhead bytes   |              16 |               -
 * claimed bytes    |           65228 |           65228
 * released bytes   |               - |               0
 * heaps            |               1 |               1
 * fragments        |               2 |               -
 * </pre>
 * "now" is the current value, "total" the running total since the allocator was made. The
 * npm package {@code talc-wasm} renders the counters of {@code talc-counters.wasm} as the same
 * text ({@code formatCounters}, {@code Talc#countersTable()}); a golden file in the tests,
 * {@code talc/jvm/counters-tables.txt}, holds both renderings to one format.
 *
 * @param allocationCount live allocations
 * @param allocatedBytes usable bytes of live allocations
 * @param availableBytes bytes in free chunks
 * @param fragmentCount free chunks
 * @param heapCount heaps
 * @param claimedBytes bytes of all heaps
 * @param totalAllocationCount allocations ever made (in-place reallocs are not new ones)
 * @param totalAllocatedBytes usable bytes ever allocated, growth in place included
 * @param totalHeapCount heaps ever claimed
 * @param totalClaimedBytes bytes ever claimed, extensions included
 */
public record CountersSnapshot(int allocationCount, int allocatedBytes, int availableBytes, int fragmentCount,
        int heapCount, int claimedBytes, long totalAllocationCount, long totalAllocatedBytes, long totalHeapCount,
        long totalClaimedBytes) {

    /** Width of the value columns of {@link #toString()}. */
    private static final int COLUMN = 16;
    /** Width of the name column of {@link #toString()}. */
    private static final int NAME_COLUMN = 17;
    /** A cell with no value (a current value of a running total, or the reverse). */
    private static final String NONE = "-";

    /**
     * Reads the counters of the core allocator with handle {@code t} (see
     * {@link talc.core.Talc}) in the current thread's {@link talc.core.Context}, for example one
     * in a simulated memory.
     *
     * @throws IllegalStateException when {@link Features#counters()} is off
     */
    public static CountersSnapshot of(int t) {
        if (!Features.counters()) {
            throw new IllegalStateException("counters are off (Options.counters)");
        }
        return new CountersSnapshot(Counters.allocationCount(t), Counters.allocatedBytes(t),
                Counters.availableBytes(t), Counters.fragmentCount(t), Counters.heapCount(t),
                Counters.claimedBytes(t), Counters.totalAllocationCount(t), Counters.totalAllocatedBytes(t),
                Counters.totalHeapCount(t), Counters.totalClaimedBytes(t));
    }

    /** Header and heap-boundary bytes: claimed minus available minus allocated. */
    public int overheadBytes() {
        return claimedBytes - availableBytes - allocatedBytes;
    }

    /** Usable bytes ever freed, shrinking in place included. */
    public long totalFreedBytes() {
        return totalAllocatedBytes - allocatedBytes;
    }

    /** Bytes ever given up by truncating or deleting heaps. */
    public long totalReleasedBytes() {
        return totalClaimedBytes - claimedBytes;
    }

    /** The counters as a table of "now" and "total" columns (see the class comment). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        row(b, "counter", "now", "total");
        b.append("-".repeat(NAME_COLUMN)).append('+').append("-".repeat(COLUMN + 1)).append('+')
                .append("-".repeat(COLUMN)).append('\n');
        row(b, "allocations", allocationCount, totalAllocationCount);
        row(b, "allocated bytes", allocatedBytes, totalAllocatedBytes);
        row(b, "freed bytes", NONE, Long.toString(totalFreedBytes()));
        row(b, "available bytes", Integer.toString(availableBytes), NONE);
        row(b, "overhead bytes", Integer.toString(overheadBytes()), NONE);
        row(b, "claimed bytes", claimedBytes, totalClaimedBytes);
        row(b, "released bytes", NONE, Long.toString(totalReleasedBytes()));
        row(b, "heaps", heapCount, totalHeapCount);
        row(b, "fragments", Integer.toString(fragmentCount), NONE);
        return b.toString();
    }

    private static void row(StringBuilder b, String name, long now, long total) {
        row(b, name, Long.toString(now), Long.toString(total));
    }

    private static void row(StringBuilder b, String name, String now, String total) {
        b.append(pad(name, NAME_COLUMN, false)).append('|').append(pad(now, COLUMN, true)).append(" |")
                .append(pad(total, COLUMN, true)).append('\n');
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
