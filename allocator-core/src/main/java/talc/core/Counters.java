package talc.core;

/**
 * Usage counters (Talc's {@code counters} feature), kept in the state block and compiled out
 * when {@link Features#counters()} is off: every update is behind that constant.
 *
 * <p>Byte counts are chunk-based, because the C ABI's {@code free} and {@code realloc} are not
 * told the size the caller asked for: an allocation counts its usable size (chunk size minus
 * the header word, and in checked builds the seal word: what {@code malloc_usable_size}
 * returns), a gap counts its whole chunk, and a heap counts from its first header word to its
 * end. So {@code overhead = claimed - available - allocated} is exactly the header (and seal)
 * words of live allocations plus each heap's header and sentinel words.
 */
public final class Counters {
    private Counters() {
    }

    static void gapAdded(int t, int size) {
        if (Features.counters()) {
            add(t + State.AVAILABLE_BYTES, size);
            add(t + State.FRAGMENT_COUNT, 1);
        }
    }

    static void gapRemoved(int t, int size) {
        if (Features.counters()) {
            add(t + State.AVAILABLE_BYTES, -size);
            add(t + State.FRAGMENT_COUNT, -1);
        }
    }

    /** An allocation of chunk size {@code size} was made. */
    static void allocated(int t, int size) {
        if (Features.counters()) {
            add(t + State.ALLOCATION_COUNT, 1);
            add(t + State.ALLOCATED_BYTES, size - Chunk.overhead());
            addLong(t + State.TOTAL_ALLOCATION_COUNT, 1);
            addLong(t + State.TOTAL_ALLOCATED_BYTES, size - Chunk.overhead());
        }
    }

    /** An allocation of chunk size {@code size} was freed. */
    static void freed(int t, int size) {
        if (Features.counters()) {
            add(t + State.ALLOCATION_COUNT, -1);
            add(t + State.ALLOCATED_BYTES, Chunk.overhead() - size);
        }
    }

    /** An allocation changed size in place, from chunk size {@code from} to {@code to}. */
    static void resized(int t, int from, int to) {
        if (Features.counters()) {
            add(t + State.ALLOCATED_BYTES, to - from);
            if (to > from) {
                addLong(t + State.TOTAL_ALLOCATED_BYTES, to - from);
            }
        }
    }

    /** A heap grew by {@code bytes} (negative: shrank); {@code heaps} heaps were added (or removed). */
    static void claimed(int t, int bytes, int heaps) {
        if (Features.counters()) {
            add(t + State.CLAIMED_BYTES, bytes);
            add(t + State.HEAP_COUNT, heaps);
            if (bytes > 0) {
                addLong(t + State.TOTAL_CLAIMED_BYTES, bytes);
            }
            if (heaps > 0) {
                addLong(t + State.TOTAL_HEAP_COUNT, heaps);
            }
        }
    }

    /**
     * Address of allocator {@code t}'s counter block, for readers outside Java (the counters
     * variant's {@code talc_counters} export). Little-endian, in this order: six u32 (allocation
     * count, allocated bytes, available bytes, fragment count, heap count, claimed bytes), four
     * bytes of padding, then four u64 running totals (allocations, allocated bytes, heaps,
     * claimed bytes).
     */
    public static int address(int t) {
        return t + State.ALLOCATION_COUNT;
    }

    private static void add(int addr, int delta) {
        Mem.putInt(addr, Mem.getInt(addr) + delta);
    }

    private static void addLong(int addr, long delta) {
        Mem.putLong(addr, Mem.getLong(addr) + delta);
    }

    /** Live allocations. */
    public static int allocationCount(int t) {
        return Mem.getInt(t + State.ALLOCATION_COUNT);
    }

    /** Usable bytes of live allocations. */
    public static int allocatedBytes(int t) {
        return Mem.getInt(t + State.ALLOCATED_BYTES);
    }

    /** Bytes in gaps (free chunks). */
    public static int availableBytes(int t) {
        return Mem.getInt(t + State.AVAILABLE_BYTES);
    }

    /** Number of gaps. */
    public static int fragmentCount(int t) {
        return Mem.getInt(t + State.FRAGMENT_COUNT);
    }

    /** Number of heaps. */
    public static int heapCount(int t) {
        return Mem.getInt(t + State.HEAP_COUNT);
    }

    /** Bytes of all heaps. */
    public static int claimedBytes(int t) {
        return Mem.getInt(t + State.CLAIMED_BYTES);
    }

    /** Header and heap-boundary words: claimed minus available minus allocated. */
    public static int overheadBytes(int t) {
        return claimedBytes(t) - availableBytes(t) - allocatedBytes(t);
    }

    /** Allocations ever made (in-place reallocs are not new allocations). */
    public static long totalAllocationCount(int t) {
        return Mem.getLong(t + State.TOTAL_ALLOCATION_COUNT);
    }

    /** Usable bytes ever allocated, including growth in place. */
    public static long totalAllocatedBytes(int t) {
        return Mem.getLong(t + State.TOTAL_ALLOCATED_BYTES);
    }

    /** Usable bytes ever freed (including shrinking in place). */
    public static long totalFreedBytes(int t) {
        return totalAllocatedBytes(t) - allocatedBytes(t);
    }

    /** Heaps ever claimed. */
    public static long totalHeapCount(int t) {
        return Mem.getLong(t + State.TOTAL_HEAP_COUNT);
    }

    /** Bytes ever claimed, including extensions. */
    public static long totalClaimedBytes(int t) {
        return Mem.getLong(t + State.TOTAL_CLAIMED_BYTES);
    }

    /** Bytes ever released by truncating or deleting heaps. */
    public static long totalReleasedBytes(int t) {
        return totalClaimedBytes(t) - claimedBytes(t);
    }
}
