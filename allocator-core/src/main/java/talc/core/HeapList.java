package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.SIZE_MASK;

/**
 * Checked builds only: the allocator's heaps as a singly linked list that knows where each
 * heap ends, so that a pointer can be placed in (or outside) every heap, and the whole heap can
 * be walked ({@link #walk}) and checked ({@link Consistency}). Unchecked builds do not know
 * their heaps, and need not.
 *
 * <pre>
 *  | pad | end | link | first chunk ... | sentinel |
 *              ^first-4                           ^heap end
 * </pre>
 *
 * A heap is listed by its first chunk (its address, {@link Chunk}). The two words below it, in
 * the heap's padding ({@link #PAD} bytes, see {@link Heaps#firstChunk}), hold the first chunk of
 * the next heap in the list (or 0) at {@link #LINK}, and the heap's end at {@link #END}, each
 * xor-ed with {@link Chunk#hash} of its own address, so that a word overwritten with a plain
 * value (zeros, say) reads as damaged. The head is in the state block ({@link State#heapList}).
 *
 * <p>The list is kept in descending order of address: every link points lower than the heap it
 * is in, and to a chunk that says it is its heap's first, with an end whose word below is a
 * sentinel ({@link #listable}); so no walk of it can loop, a damaged link or end shows as
 * {@link #BROKEN}, and the heap holding an address is the first listed at or below it (heaps
 * are disjoint). Knowing the end, a heap walk tells the real sentinel from a chunk header
 * overwritten to look like one.
 */
final class HeapList {
    /** Offset of a heap's link word below its first chunk. */
    static final int LINK = 4;
    /** Offset of a heap's end word below its first chunk. */
    static final int END = 8;
    /** Bytes a checked heap keeps in front of its first chunk: its end and link words. */
    static final int PAD = END;
    /** What a walk of the list reads where a link or an end is damaged. */
    static final int BROKEN = -1;

    private HeapList() {
    }

    /** The first (highest) heap of the list, 0 when there is none, or {@link #BROKEN}. */
    static int head(int t) {
        int first = linked(t, 0);
        return first == 0 || listable(first) ? first : BROKEN;
    }

    /** The heap listed after the heap whose first chunk is {@code first}: 0 at the end, or {@link #BROKEN}. */
    static int next(int first) {
        int next = linked(0, first);
        return next == 0 || (next < first && listable(next)) ? next : BROKEN;
    }

    /**
     * The end of the heap whose first chunk is {@code first} (its header in memory), or
     * {@link #BROKEN} when the end word is damaged: the end is 16-aligned, leaves room for a
     * chunk, has its sentinel in the same memory region, and that word is a sentinel. (Or when
     * the two words below {@code first} are not in memory: then it is no heap's.)
     */
    static int end(int first) {
        if (!Mem.holds(first) || !Mem.holds(first - LINK)) {
            return BROKEN;
        }
        int end = Mem.getInt(first - END) ^ Chunk.hash(first - END);
        int size = end - first - Chunk.HEADER;
        boolean intact = (end & (Chunk.UNIT - 1)) == 0 && size >= Chunk.UNIT
                && size <= Mem.end(Chunk.payload(first)) - Chunk.payload(first)
                && (Chunk.header(Heaps.sentinel(end)) & ~BELOW_FREE) == ALLOCATED;
        return intact ? end : BROKEN;
    }

    /**
     * Whether {@code chunk} can be a listed heap's first chunk: its header lies in memory, and
     * so does an end ({@link #end}) that decodes from the word below with a sentinel there. A
     * link with a byte overwritten still decodes to an aligned address near the right one; this
     * is what tells. (The first chunk's own tags are the heap walk's to check.)
     */
    private static boolean listable(int chunk) {
        return Mem.holdsAligned(Chunk.payload(chunk), Misuse.UNIT_SHIFT) && end(chunk) != BROKEN;
    }

    /** What the link after {@code above} (0: the head, in the state block of {@code t}) holds, unchecked. */
    private static int linked(int t, int above) {
        return above == 0 ? Mem.getInt(State.heapList(t)) : Mem.getInt(above - LINK) ^ Chunk.hash(above - LINK);
    }

    /** Makes {@code next} (0: none) the heap listed after {@code above} (0: the head). */
    private static void link(int t, int above, int next) {
        if (above == 0) {
            Mem.putInt(State.heapList(t), next);
        } else {
            Mem.putInt(above - LINK, next ^ Chunk.hash(above - LINK));
        }
    }

    /**
     * The listed heap just above {@code first} in the list's order (0: none), which links to
     * what is at or below it; {@link #BROKEN} when a damaged link comes first, so that where
     * {@code first} belongs is not known.
     */
    private static int above(int t, int first) {
        int above = 0;
        int heap = head(t);
        while (heap > first) {
            above = heap;
            heap = next(heap);
        }
        return heap == BROKEN ? BROKEN : above;
    }

    /**
     * Lists the new heap whose first chunk is {@code first} and which ends at {@code end}, in
     * its place in the order. Where a damaged link comes first, the list is left as it is (its
     * damage is what the check reports) and the new heap stays unlisted: placed in it, the heap
     * would hide the heaps behind the damage.
     */
    static void add(int t, int first, int end) {
        setEnd(first, end);
        int above = above(t, first);
        link(t, first, above == BROKEN ? 0 : linked(t, above));
        if (above != BROKEN) {
            link(t, above, first);
        }
    }

    /** Records that the listed heap holding the chunk at {@code chunk} now ends at {@code end}. */
    static void moveEnd(int t, int chunk, int end) {
        int first = heapBelow(t, chunk);
        if (first > 0) {
            setEnd(first, end);
        }
    }

    private static void setEnd(int first, int end) {
        Mem.putInt(first - END, end ^ Chunk.hash(first - END));
    }

    /**
     * Unlists the heap whose first chunk is {@code first}, handing on its link unchecked (a
     * damaged one stays damaged); nothing where a damaged link comes first.
     */
    static void remove(int t, int first) {
        int above = above(t, first);
        if (above != BROKEN && linked(t, above) == first) {
            link(t, above, linked(t, first));
        }
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
            int heap = heapBelow(t, chunk);
            if (heap <= 0 || !Mem.holdsAligned(cursor, Misuse.UNIT_SHIFT)) {
                return 0;
            }
            int h = Chunk.header(chunk);
            int sentinel = Heaps.sentinel(end(heap));
            if (chunk >= sentinel || !Consistency.walkable(chunk, h, (h & BELOW_FREE) != 0, chunk == heap)) {
                return 0;
            }
            next = chunk + (h & SIZE_MASK);
            if (next > sentinel) {
                return 0;
            }
            if (next == sentinel) {
                next = next(heap);
            }
        }
        return next > 0 ? Chunk.payload(next) : 0;
    }
}
