package talc.core;

import static talc.core.Chunk.SIZE_MASK;

/**
 * Checked builds only: the allocator's heaps as a singly linked list, so that a pointer can be
 * placed in (or outside) every heap, and the whole heap can be walked ({@link #walk}) and
 * checked ({@link Consistency}). Unchecked builds do not know their heaps, and need not.
 *
 * <pre>
 *  | pad | link | first chunk ... | sentinel |
 *        ^first-4                            ^heap end
 * </pre>
 *
 * A heap is listed by its first chunk (its address, {@link Chunk}). The word {@link #LINK}
 * bytes below it, in the heap's padding (a checked heap keeps a word in front of its first
 * chunk, see {@link Heaps#firstChunk}), holds the first chunk of the next heap in the list, or
 * 0, xor-ed with {@link Chunk#hash} of its own address, so that a link overwritten with any
 * plain value (zeros, say) reads as damaged. The head is in the state block
 * ({@link State#heapList}). The list is kept in descending order of address: every link points
 * lower than the heap it is in, so no walk of it can loop, a damaged link shows as one that
 * does not ({@link #BROKEN}), and the heap holding an address is the first listed at or below
 * it (heaps are disjoint).
 */
final class HeapList {
    /** Offset of a heap's link word below its first chunk. */
    static final int LINK = 4;
    /** What a walk of the list reads where a link is damaged: not a chunk address below the heap it is in. */
    static final int BROKEN = -1;

    private HeapList() {
    }

    /** The first (highest) heap of the list, 0 when there is none, or {@link #BROKEN}. */
    static int head(int t) {
        int first = Mem.getInt(State.heapList(t));
        return first == 0 || chunkAddress(first) ? first : BROKEN;
    }

    /** The heap listed after the heap whose first chunk is {@code first}: 0 at the end, or {@link #BROKEN}. */
    static int next(int first) {
        int next = Mem.getInt(first - LINK) ^ Chunk.hash(first);
        return next == 0 || (next < first && chunkAddress(next)) ? next : BROKEN;
    }

    /** Whether {@code chunk} can be a chunk: its payload is 16-aligned and its header lies in memory. */
    private static boolean chunkAddress(int chunk) {
        return Mem.holdsAligned(Chunk.payload(chunk), Misuse.UNIT_SHIFT);
    }

    /** Makes {@code next} (0: none) the heap listed after {@code above} (0: the head). */
    private static void link(int t, int above, int next) {
        if (above == 0) {
            Mem.putInt(State.heapList(t), next);
        } else {
            Mem.putInt(above - LINK, next ^ Chunk.hash(above));
        }
    }

    /** The listed heap just above {@code first} in the list's order (0: none), which links to what is at or below it. */
    private static int above(int t, int first) {
        int above = 0;
        for (int heap = head(t); heap > first; heap = next(heap)) {
            above = heap;
        }
        return above;
    }

    /** Lists the new heap whose first chunk is {@code first}, in its place in the order. */
    static void add(int t, int first) {
        int above = above(t, first);
        int below = above == 0 ? head(t) : next(above);
        link(t, first, Math.max(below, 0));
        link(t, above, first);
    }

    /** Unlists the heap whose first chunk is {@code first} (it is listed). */
    static void remove(int t, int first) {
        link(t, above(t, first), Math.max(next(first), 0));
    }

    /**
     * The first chunk of the heap whose chunks could hold the chunk address {@code addr}: the
     * highest at or below it; 0 if none, {@link #BROKEN} if a damaged link comes first.
     */
    static int heapBelow(int t, int addr) {
        int heap = head(t);
        while (heap > addr) {
            heap = next(heap);
        }
        return heap;
    }

    /**
     * Walks every chunk of every heap by user pointer (the word in front of it is the chunk's
     * header, see {@link Chunk}): {@code cursor = 0} gives the first chunk of the first heap, a
     * chunk gives the chunk after it, crossing from a heap's top chunk to the next heap's first;
     * 0 after the last, and at a chunk whose tags are damaged (or a cursor that is no chunk):
     * the walk stops where {@link Consistency#check} would complain.
     */
    static int walk(int t, int cursor) {
        int next;
        if (cursor == 0) {
            next = head(t);
        } else {
            int chunk = Chunk.of(cursor);
            if (!chunkAddress(chunk)) {
                return 0;
            }
            int h = Chunk.header(chunk);
            if ((h & SIZE_MASK) == 0 || !Consistency.walkable(chunk, h, (h & Chunk.BELOW_FREE) != 0, (h & Chunk.HEAP_FIRST) != 0)) {
                return 0;
            }
            next = chunk + (h & SIZE_MASK);
            if ((Chunk.header(next) & SIZE_MASK) == 0) {
                int heap = heapBelow(t, chunk);
                next = heap > 0 ? next(heap) : 0;
            }
        }
        return next > 0 ? Chunk.payload(next) : 0;
    }
}
