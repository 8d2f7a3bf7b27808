package talc.core;

import static talc.core.Chunk.SIZE_MASK;

/**
 * Checked builds only: the allocator's heaps as a singly linked list, so that a pointer can be
 * placed in (or outside) every heap, and the whole heap can be walked ({@link #walk}) and
 * checked ({@link Consistency}). Unchecked builds do not know their heaps, and need not.
 *
 * <pre>
 *  | pad | link | guard | first chunk ... | sentinel |
 *        ^first-8       ^first                       ^heap end
 * </pre>
 *
 * A heap is listed by its first chunk (its address, {@link Chunk}). The word {@link #LINK}
 * bytes below it, in the heap's padding (a checked heap keeps 8 bytes in front of its first
 * chunk, see {@link Heaps#firstChunk}), holds the first chunk of the next heap in the list, or
 * 0. The head is in the state block ({@link State#heapList}); new heaps go in front. Heaps are
 * disjoint, so the heap holding an address is the listed one with the highest first chunk at
 * or below it.
 */
final class HeapList {
    /** Offset of a heap's link word below its first chunk: below the first chunk's guard word. */
    static final int LINK = 8;

    private HeapList() {
    }

    /** The first heap of the list, or 0. */
    static int head(int t) {
        return Mem.getInt(State.heapList(t));
    }

    /** The heap listed after the heap whose first chunk is {@code first}, or 0. */
    static int next(int first) {
        return Mem.getInt(first - LINK);
    }

    /** Lists the new heap whose first chunk is {@code first}. */
    static void add(int t, int first) {
        Mem.putInt(first - LINK, head(t));
        Mem.putInt(State.heapList(t), first);
    }

    /** Unlists the heap whose first chunk is {@code first} (it is listed). */
    static void remove(int t, int first) {
        int link = State.heapList(t);
        while (Mem.getInt(link) != first) {
            link = Mem.getInt(link) - LINK;
        }
        Mem.putInt(link, next(first));
    }

    /**
     * The first chunk of the heap whose chunks could hold the chunk address {@code addr}: the
     * highest at or below it; 0 if none.
     */
    static int heapBelow(int t, int addr) {
        int best = 0;
        for (int first = head(t); first != 0; first = next(first)) {
            if (first <= addr && first > best) {
                best = first;
            }
        }
        return best;
    }

    /**
     * Walks every chunk of every heap by user pointer (the word in front of it is the chunk's
     * header, see {@link Chunk}): {@code cursor = 0} gives the first chunk of the first heap, a
     * chunk gives the chunk after it, crossing from a heap's top chunk to the next heap's first;
     * 0 after the last.
     */
    static int walk(int t, int cursor) {
        int next;
        if (cursor == 0) {
            next = head(t);
        } else {
            int chunk = Chunk.of(cursor);
            next = chunk + (Chunk.header(chunk) & SIZE_MASK);
            if ((Chunk.header(next) & SIZE_MASK) == 0) {
                next = next(heapBelow(t, chunk));
            }
        }
        return next == 0 ? 0 : Chunk.payload(next);
    }
}
