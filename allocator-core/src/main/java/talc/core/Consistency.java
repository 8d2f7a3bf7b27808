package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.HEAP_FIRST;
import static talc.core.Chunk.SIZE_MASK;
import static talc.core.Chunk.UNIT;

/**
 * Checked builds only: the whole-heap consistency check behind the checked module's
 * {@code talc_check} export and {@link Talc#check}. It walks every heap of the heap list and
 * every free list, reads nothing outside memory even when sizes are garbage, and changes
 * nothing.
 *
 * <p>What it checks: every heap is a run of chunks with positive, 16-aligned sizes ending
 * exactly at a sentinel; only the first chunk has {@code HEAP_FIRST}; {@code BELOW_FREE} is set
 * exactly above a gap; no two gaps touch; a gap's footer is its size; an allocated chunk above
 * an allocated one has its guard word; every listed gap is a gap of the right bin with a correct back link; every gap is
 * listed once; a bin's bitmap bit is set exactly when its list is not empty.
 *
 * <p>The result is 0, or the address of the first inconsistency found (a chunk's user pointer,
 * a heap's first chunk's, a list link, or the state block for a bitmap disagreement; all
 * 16-aligned or, for a link, 4-aligned), with {@link Misuse#CORRUPTED} in its low bits:
 * {@code result & ~15} is the address rounded down to 16.
 */
final class Consistency {
    private Consistency() {
    }

    /** 0 when allocator {@code t} is consistent, else (address of the first problem & ~15) | CORRUPTED. */
    static int check(int t) {
        int gaps = 0;
        for (int first = HeapList.head(t); first != 0; first = HeapList.next(first)) {
            int ptr = Chunk.payload(first);
            if ((ptr & (UNIT - 1)) != 0 || ptr <= 0 || !Mem.holds(ptr)) {
                return problem(ptr);
            }
            // Chunk addresses below the limit keep their header and, at chunk + size - 4, a
            // footer in memory.
            int limit = Mem.end(ptr) - Chunk.HEADER;
            boolean belowFree = false;
            int chunk = first;
            while (true) {
                int h = Chunk.header(chunk);
                int size = h & SIZE_MASK;
                if (((h & BELOW_FREE) != 0) != belowFree) {
                    return problem(Chunk.payload(chunk));
                }
                if (size == 0) {
                    if ((h & (ALLOCATED | HEAP_FIRST)) != ALLOCATED || chunk == first) {
                        return problem(Chunk.payload(chunk));
                    }
                    break;
                }
                boolean free = (h & ALLOCATED) == 0;
                if (size < 0 || size > limit - chunk || ((h & HEAP_FIRST) != 0) != (chunk == first)
                        || (free && (belowFree || Chunk.footerBelow(chunk + size) != size))
                        || (!free && !belowFree && Mem.getInt(chunk - Chunk.GUARD) != Chunk.guard(chunk))) {
                    return problem(Chunk.payload(chunk));
                }
                if (free) {
                    gaps++;
                }
                belowFree = free;
                chunk += size;
            }
        }
        return checkLists(t, gaps);
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
                int ptr = Chunk.payload(gap);
                int h = ((ptr & (UNIT - 1)) == 0 && ptr > 0 && Mem.holds(ptr)) ? Chunk.header(gap) : ALLOCATED;
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
