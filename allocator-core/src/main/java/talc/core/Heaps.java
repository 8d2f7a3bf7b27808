package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.HEADER;
import static talc.core.Chunk.SIZE_MASK;
import static talc.core.Chunk.UNIT;

/**
 * Heap management: an allocator serves any number of disjoint heaps, each a region the caller
 * (or a source) hands over.
 *
 * <pre>
 *  region start                                                       region end
 *  | pad | first chunk (HEAP_FIRST) | ... | top chunk | sentinel |  pad  |
 *        ^first                                       ^end-4     ^heap end (16-aligned)
 * </pre>
 *
 * A heap is identified by its end, which these calls return and take (as in Talc). Its first
 * chunk ({@link Chunk}: addressed by its header word) is the lowest whose payload is
 * 16-aligned and lies in the region (checked builds: with room below it for the end and link
 * words of {@link HeapList}); its end is the region end rounded down to 16,
 * and the word below it is the sentinel, an allocated header of size 0. All heap addresses
 * stay below {@link #MAX_HEAP_END}, so address arithmetic never overflows. Regions must not overlap each other or the state block; the
 * caller owns that.
 */
final class Heaps {
    /** Highest heap end: addresses and sizes stay positive {@code int}s. */
    static final int MAX_HEAP_END = Integer.MAX_VALUE & SIZE_MASK;

    private Heaps() {
    }

    /** Claims {@code [base, base+size)} as a new heap; returns the heap end, or 0 if it is too small. */
    static int claim(int t, int base, int size) {
        if (base < 0 || size <= 0) {
            return 0;
        }
        int end = (int) Math.min((long) base + size, MAX_HEAP_END) & SIZE_MASK;
        long first = firstChunk(base);
        if (sentinel(end) - first < UNIT) {
            return 0;
        }
        add(t, (int) first, end);
        return end;
    }

    /**
     * The first chunk of a heap claimed at {@code base}: the lowest chunk address at or above
     * {@code base} whose payload is 16-aligned, and in checked builds with room below it for
     * the heap's end and link words ({@link HeapList}) too.
     */
    static long firstChunk(int base) {
        int pad = Features.checked() ? HeapList.PAD : 0;
        return (((long) base + pad + HEADER + UNIT - 1) & SIZE_MASK) - HEADER;
    }

    /** The sentinel of the heap ending at {@code end}: the header word below it. */
    static int sentinel(int end) {
        return end - HEADER;
    }

    /**
     * Makes {@code [first, end)} a heap whose one chunk, a gap, is {@code first} ({@code end}
     * 16-aligned, the payload of {@code first} too). Returns {@code end}.
     */
    static int add(int t, int first, int end) {
        return attach(t, first, end, Chunk.heapFirst());
    }

    /**
     * Makes {@code [chunk, end - 4)} (at least a unit, {@code end} 16-aligned) free memory at
     * the top of a heap, with a new sentinel at {@code end - 4}: a new heap whose first chunk is
     * {@code chunk}, or the extension of the heap whose sentinel is {@code chunk}. {@code flags}
     * are the header bits the chunk keeps: {@link Chunk#heapFirst()} for a new heap, the old
     * sentinel's header for an extension (a sentinel is {@code ALLOCATED}, with
     * {@code BELOW_FREE} when the top chunk is free; so {@code ALLOCATED} tells the two apart).
     * Either way the chunk is written allocated and then freed, which merges it with a free top
     * chunk below. Returns {@code end}, the heap's new end.
     */
    static int attach(int t, int chunk, int end, int flags) {
        boolean newHeap = (flags & ALLOCATED) == 0;
        if (Features.checked()) {
            if (newHeap) {
                HeapList.add(t, chunk, end);
            } else {
                HeapList.moveEnd(t, chunk, end);
            }
        }
        int sentinel = sentinel(end);
        Chunk.setHeader(chunk, (sentinel - chunk) | ALLOCATED | flags);
        Chunk.setHeader(sentinel, ALLOCATED);
        // A new heap claims its first chunk's header too, an extension only the bytes above the old end.
        Counters.claimed(t, end - chunk - (newHeap ? 0 : HEADER), newHeap ? 1 : 0);
        Free.release(t, chunk);
        return end;
    }

    /** Grows the heap ending at {@code heapEnd} up to {@code newEnd}; returns the new heap end. */
    static int extend(int t, int heapEnd, int newEnd) {
        int end = Math.min(newEnd, MAX_HEAP_END) & SIZE_MASK;
        // A negative newEnd (2 GiB or more unsigned) must not wrap the difference positive.
        if (end <= heapEnd || end - heapEnd < UNIT) {
            return heapEnd;
        }
        extendTo(t, heapEnd, end);
        return end;
    }

    /** Grows the heap ending at {@code heapEnd} to {@code end}, 16-aligned and at least a unit above it. */
    static void extendTo(int t, int heapEnd, int end) {
        int sentinel = sentinel(heapEnd);
        attach(t, sentinel, end, Chunk.header(sentinel));
    }

    /**
     * Shrinks the heap ending at {@code heapEnd} towards {@code newEnd}, never below its highest
     * allocation ({@code newEnd <= 0} means as far as possible). Returns the new heap end, or 0 when
     * the heap held no allocation and was cut away entirely (deleted).
     */
    static int truncate(int t, int heapEnd, int newEnd) {
        int sentinel = sentinel(heapEnd);
        if ((Chunk.header(sentinel) & BELOW_FREE) == 0 || newEnd >= heapEnd) {
            return heapEnd;
        }
        int size = Chunk.footerBelow(sentinel);
        int top = sentinel - size;
        // The lowest end: the top gap's header becomes the sentinel.
        int lowest = Chunk.payload(top);
        int end = newEnd <= lowest ? lowest : Chunk.alignUp(newEnd, UNIT);
        if (end == heapEnd) {
            return heapEnd;
        }
        int flags = Chunk.heapFirstOf(top);
        Gaps.deregister(t, top, size);
        if (end == lowest) {
            if (flags != 0) {
                if (Features.checked()) {
                    HeapList.remove(t, top);
                }
                Counters.claimed(t, -(heapEnd - top), -1);
                return 0;
            }
            Chunk.setHeader(top, ALLOCATED);
        } else {
            Gaps.register(t, top, sentinel(end) - top, flags);
            Chunk.setHeader(sentinel(end), ALLOCATED | BELOW_FREE);
        }
        if (Features.checked()) {
            HeapList.moveEnd(t, top, end);
        }
        Counters.claimed(t, end - heapEnd, 0);
        return end;
    }

    /** Extends or truncates the heap ending at {@code heapEnd} to {@code newEnd}. */
    static int resize(int t, int heapEnd, int newEnd) {
        return newEnd > heapEnd ? extend(t, heapEnd, newEnd) : truncate(t, heapEnd, newEnd);
    }

    /**
     * The lowest end the heap ending at {@code heapEnd} can be truncated to without touching an
     * allocation, or 0 when it holds no allocation at all.
     */
    static int reserved(int heapEnd) {
        int sentinel = sentinel(heapEnd);
        if ((Chunk.header(sentinel) & BELOW_FREE) == 0) {
            return heapEnd;
        }
        int top = sentinel - Chunk.footerBelow(sentinel);
        return Chunk.heapFirstOf(top) != 0 ? 0 : Chunk.payload(top);
    }
}
