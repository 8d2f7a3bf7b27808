package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.HEAP_FIRST;
import static talc.core.Chunk.SIZE_MASK;
import static talc.core.Chunk.UNIT;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The full-heap consistency scan used by the tests: walks every chunk of every heap and every
 * free list and checks each invariant the algorithm relies on. Throws {@link AssertionError}
 * naming the first inconsistency.
 *
 * <ul>
 *   <li>Each heap is a sequence of chunks from its first chunk exactly to its sentinel: sizes are
 *       positive multiples of 16, every byte of the heap belongs to exactly one chunk.</li>
 *   <li>Only the first chunk has {@code HEAP_FIRST}; {@code BELOW_FREE} is set exactly when the
 *       chunk below is a gap; no two gaps are adjacent; a gap's footer equals its size.</li>
 *   <li>Every gap is in the list of its bin exactly once, and the lists hold nothing else; list
 *       links agree in both directions; a bin's bitmap bit is set exactly when its list is
 *       non-empty, and no bit past the last bin is set.</li>
 *   <li>With counters on, every counter equals what the walk finds.</li>
 *   <li>Checked builds: every allocated chunk has its seal, the
 *       heap list holds exactly the given heaps, and the allocator's own {@link Consistency}
 *       check agrees.</li>
 * </ul>
 */
final class HeapScan {
    /** What a scan found. */
    static final class Result {
        /** Allocated chunks: user pointer to chunk size. */
        final TreeMap<Integer, Integer> allocations = new TreeMap<>();
        int gaps;
        long gapBytes;
        long claimedBytes;
        int heaps;

        long allocatedUsableBytes() {
            long sum = 0;
            for (int size : allocations.values()) {
                sum += size - Chunk.overhead();
            }
            return sum;
        }
    }

    private HeapScan() {
    }

    /** Scans allocator {@code t} whose heaps are the given first-chunk to heap-end pairs. */
    static Result scan(int t, Map<Integer, Integer> heapFirstToEnd) {
        Result r = new Result();
        Map<Integer, Integer> gapsByChunk = new HashMap<>();
        for (Map.Entry<Integer, Integer> heap : new TreeMap<>(heapFirstToEnd).entrySet()) {
            walkHeap(heap.getKey(), heap.getValue(), r, gapsByChunk);
        }
        checkLists(t, gapsByChunk, r);
        if (Features.counters()) {
            checkCounters(t, r);
        }
        if (Features.checked()) {
            checkHeapList(t, heapFirstToEnd.keySet());
            check(Talc.check(t) == 0, "the allocator's own check finds a problem", Talc.check(t), 0);
        }
        return r;
    }

    /**
     * Walks the heap whose first chunk's user pointer is {@code first}; chunks are named by
     * their user pointers ({@code base}) and read through their chunk addresses.
     */
    private static void walkHeap(int first, int end, Result r, Map<Integer, Integer> gapsByChunk) {
        check(first % UNIT == 0 && end % UNIT == 0 && end > first, "heap bounds", first, end);
        r.heaps++;
        r.claimedBytes += end - first + Chunk.HEADER;
        boolean belowFree = false;
        int base = first;
        while (base < end) {
            int chunk = Chunk.of(base);
            int h = Chunk.header(chunk);
            int size = h & SIZE_MASK;
            check(size > 0, "chunk size is zero before the heap end", base, h);
            check(base + size <= end, "chunk runs past the heap end", base, size);
            check(((h & HEAP_FIRST) != 0) == (base == first), "HEAP_FIRST flag", base, h);
            check(((h & BELOW_FREE) != 0) == belowFree, "BELOW_FREE flag disagrees with the chunk below", base, h);
            check((h & ~(SIZE_MASK | ALLOCATED | BELOW_FREE | HEAP_FIRST)) == 0, "unknown header bits", base, h);
            boolean free = (h & ALLOCATED) == 0;
            if (free) {
                check(!belowFree, "two adjacent gaps", base, size);
                check(Chunk.footerBelow(chunk + size) == size, "gap footer differs from its size", base, size);
                gapsByChunk.put(chunk, size);
                r.gaps++;
                r.gapBytes += size;
            } else {
                check(!Features.checked() || Mem.getInt(chunk + size - Chunk.SEAL) == Chunk.seal(chunk + size, h),
                        "seal of an allocated chunk", base, size);
                r.allocations.put(base, size);
            }
            belowFree = free;
            base += size;
        }
        check(base == end, "chunks do not end at the heap end", base, end);
        int sentinel = Chunk.header(Heaps.sentinel(end));
        check((sentinel & SIZE_MASK) == 0 && (sentinel & ALLOCATED) != 0, "sentinel missing", end, sentinel);
        check(((sentinel & BELOW_FREE) != 0) == belowFree, "sentinel BELOW_FREE flag", end, sentinel);
    }

    private static void checkLists(int t, Map<Integer, Integer> gapsByChunk, Result r) {
        int listed = 0;
        int bins = Binning.binCount();
        for (int bin = 0; bin < Binning.bitmapWords() * Long.SIZE; bin++) {
            if (bin >= bins) {
                check(!Bitmap.isSet(t, bin), "bitmap bit past the last bin", bin, 0);
                continue;
            }
            int slot = State.binHead(t, bin);
            int gap = Mem.getInt(slot);
            check(Bitmap.isSet(t, bin) == (gap != 0), "bitmap bit disagrees with its list", bin, gap);
            int prev = Gaps.headLink(t, bin);
            while (gap != 0) {
                Integer size = gapsByChunk.get(gap);
                check(size != null, "list holds something that is not a gap of any heap", bin, gap);
                check(Binning.bin(size) == bin, "gap in the wrong bin", gap, bin);
                check(Mem.getInt(gap + Gaps.PREV) == prev, "prev link", gap, prev);
                check(++listed <= r.gaps, "a gap is listed twice (cycle)", bin, gap);
                prev = gap;
                gap = Mem.getInt(gap + Gaps.NEXT);
            }
        }
        check(listed == r.gaps, "gaps missing from the lists", listed, r.gaps);
    }

    /** The heap list holds the first chunks of the heaps whose first user pointers are {@code firsts}. */
    private static void checkHeapList(int t, Set<Integer> firsts) {
        Set<Integer> listed = new TreeSet<>();
        for (int first = HeapList.head(t); first != 0; first = HeapList.next(first)) {
            check(listed.add(Chunk.payload(first)) && listed.size() <= firsts.size(), "heap listed twice, or too many", first, 0);
        }
        check(listed.equals(new TreeSet<>(firsts)), "heap list differs from the heaps", listed.size(), firsts.size());
    }

    private static void checkCounters(int t, Result r) {
        int allocations = r.allocations.size();
        check(Counters.allocationCount(t) == allocations, "allocation count", Counters.allocationCount(t), allocations);
        check(Counters.allocatedBytes(t) == r.allocatedUsableBytes(), "allocated bytes", Counters.allocatedBytes(t), (int) r.allocatedUsableBytes());
        check(Counters.availableBytes(t) == r.gapBytes, "available bytes", Counters.availableBytes(t), (int) r.gapBytes);
        check(Counters.fragmentCount(t) == r.gaps, "fragment count", Counters.fragmentCount(t), r.gaps);
        check(Counters.heapCount(t) == r.heaps, "heap count", Counters.heapCount(t), r.heaps);
        check(Counters.claimedBytes(t) == r.claimedBytes, "claimed bytes", Counters.claimedBytes(t), (int) r.claimedBytes);
        check(Counters.overheadBytes(t) == (long) Chunk.overhead() * allocations + (long) Chunk.HEADER * r.heaps,
                "overhead is one header word per allocation and per heap", Counters.overheadBytes(t), r.allocations.size());
    }

    private static void check(boolean ok, String what, long a, long b) {
        if (!ok) {
            throw new AssertionError("heap scan: " + what + " (" + a + ", " + b + ")");
        }
    }
}
