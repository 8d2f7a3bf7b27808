package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.HEAP_FIRST;
import static talc.core.Chunk.SIZE_MASK;

/**
 * Checked builds only: the whole-heap consistency check behind the checked module's
 * {@code talc_check} export and {@link Talc#check}. It walks every heap of the heap list and
 * every free list, reads nothing outside memory and ends whatever the words hold, and changes
 * nothing.
 *
 * <p>What it checks: the heap list's links ({@link HeapList}); every heap is a run of chunks
 * that {@link #walkable} accepts, ending at a sentinel; every listed gap is a gap of the right
 * bin with a correct back link; every gap is listed once; a bin's bitmap bit is set exactly when
 * its list is not empty.
 *
 * <p>The result is 0, or the address of the first inconsistency found (a chunk's user pointer,
 * a heap's first chunk's for its link, a list link, or the state block for a bitmap disagreement
 * or the list head; all 16-aligned or, for a list link, 4-aligned), with
 * {@link Misuse#CORRUPTED} in its low bits: {@code result & ~15} is the address rounded down to
 * 16.
 */
final class Consistency {
    private Consistency() {
    }

    /** 0 when allocator {@code t} is consistent, else (address of the first problem & ~15) | CORRUPTED. */
    static int check(int t) {
        int gaps = 0;
        // The address that names the link to first: the state block for the head.
        int link = t;
        for (int first = HeapList.head(t); first != 0; first = HeapList.next(first)) {
            if (first == HeapList.BROKEN) {
                return problem(link);
            }
            int sentinel = Heaps.sentinel(HeapList.end(first));
            boolean belowFree = false;
            int chunk = first;
            while (true) {
                int h = Chunk.header(chunk);
                int size = h & SIZE_MASK;
                // The heap's end is known: a size of 0 anywhere else is a header overwritten.
                if (!walkable(chunk, h, belowFree, chunk == first) || (size == 0) != (chunk == sentinel)
                        || size > sentinel - chunk) {
                    return problem(Chunk.payload(chunk));
                }
                if (size == 0) {
                    break;
                }
                belowFree = (h & ALLOCATED) == 0;
                if (belowFree) {
                    gaps++;
                }
                chunk += size;
            }
            link = Chunk.payload(first);
        }
        return checkLists(t, gaps);
    }

    /**
     * Whether a heap walk accepts the chunk at {@code chunk} (its header, {@code h}, lies in
     * memory), given whether the chunk below it is a gap and whether it is its heap's first:
     * {@code BELOW_FREE} and {@code HEAP_FIRST} say so; a sentinel (size 0, allocated, no other
     * bit) ends a heap but never starts one; an allocated chunk's seal holds; a gap is not above
     * a gap, its size stays in memory and its footer agrees. Then the chunk above, at
     * {@code chunk + size}, has its header in memory.
     */
    static boolean walkable(int chunk, int h, boolean belowFree, boolean first) {
        if (((h & BELOW_FREE) != 0) != belowFree || ((h & HEAP_FIRST) != 0) != first) {
            return false;
        }
        if ((h & ALLOCATED) != 0) {
            return (h & SIZE_MASK) == 0 ? (h & ~BELOW_FREE) == ALLOCATED : Misuse.sealed(chunk, h);
        }
        return !belowFree && (h & ~(SIZE_MASK | HEAP_FIRST)) == 0 && Misuse.gapSized(chunk, h);
    }

    /** Checks the free lists and the bitmap against the {@code gaps} gaps the heap walk found. */
    private static int checkLists(int t, int gaps) {
        int listed = 0;
        for (int bin = 0; bin < Binning.binCount(); bin++) {
            // The gap (or bin head, less NEXT) whose next field points to gap: gap's prev.
            int link = Gaps.headLink(t, bin);
            int gap = Mem.getInt(link + Gaps.NEXT);
            if (Bitmap.isSet(t, bin) != (gap != 0)) {
                return problem(t);
            }
            while (gap != 0) {
                int h = Misuse.gapAddress(t, gap) ? Chunk.header(gap) : ALLOCATED;
                if ((h & ALLOCATED) != 0 || Binning.bin(h & SIZE_MASK) != bin
                        || Mem.getInt(gap + Gaps.PREV) != link || ++listed > gaps) {
                    return problem(link + Gaps.NEXT);
                }
                link = gap;
                gap = Mem.getInt(link + Gaps.NEXT);
            }
        }
        return listed == gaps ? 0 : problem(t);
    }

    private static int problem(int addr) {
        return (addr & SIZE_MASK) | Misuse.CORRUPTED;
    }
}
