package talc.core;

/**
 * The segregated free lists: one intrusive, doubly linked LIFO list of gaps per bin.
 *
 * <pre>
 *  gap at C:  C+0  header (see {@link Chunk})
 *             C+4  next  the next gap in the bin (its chunk address), 0 at the end
 *             C+8  prev  the previous gap (its chunk address); for the first gap, the address
 *                        of its bin head minus 4, as if the head were a gap's next field
 * </pre>
 *
 * Bin heads and both links hold chunk addresses, so a link is followed to a header at offset 0
 * and to the links at small positive offsets, and {@code prev + NEXT} is always the word that
 * points to the gap: the bin head in the state block, or the previous gap's next field.
 *
 * <p>Invariants: a gap is in the list of {@code Binning.bin(size)} exactly once; the bitmap bit
 * of a bin is set exactly when its list is non-empty; registering and deregistering are O(1)
 * and keep the available-bytes and fragment counters.
 */
final class Gaps {
    /** Offset of a gap's next link from its chunk address (the first payload word). */
    static final int NEXT = 4;
    /** Offset of a gap's prev link from its chunk address. */
    static final int PREV = 8;

    private Gaps() {
    }

    /**
     * Makes the chunk {@code [chunk, chunk+size)} a gap: writes its header (size and
     * {@code flags}, which may only hold {@link Chunk#HEAP_FIRST}) and footer, and pushes it on
     * its bin's list.
     */
    static void register(int t, int chunk, int size, int flags) {
        Chunk.writeGap(chunk, size, flags);
        int bin = Binning.bin(size);
        int binLink = headLink(t, bin);
        int head = Mem.getInt(binLink + NEXT);
        Mem.putInt(chunk + NEXT, head);
        Mem.putInt(chunk + PREV, binLink);
        if (head != 0) {
            Mem.putInt(head + PREV, chunk);
        } else {
            Bitmap.set(t, bin);
        }
        Mem.putInt(binLink + NEXT, chunk);
        Counters.gapAdded(t, size);
    }

    /**
     * The prev link of the first gap of {@code bin}: the address of its bin head less
     * {@link #NEXT}, as if the head were the next field of a gap there.
     */
    static int headLink(int t, int bin) {
        return State.binHead(t, bin) - NEXT;
    }

    /**
     * Unlinks the first gap of the non-empty {@code bin} and returns it: {@link #deregister} for
     * a gap known to be a head, so its bin needs no finding.
     */
    static int popHead(int t, int bin) {
        int binLink = headLink(t, bin);
        int chunk = Mem.getInt(binLink + NEXT);
        int next = Mem.getInt(chunk + NEXT);
        Mem.putInt(binLink + NEXT, next);
        if (next != 0) {
            Mem.putInt(next + PREV, binLink);
        } else {
            Bitmap.clear(t, bin);
        }
        Counters.gapRemoved(t, Chunk.header(chunk) & Chunk.SIZE_MASK);
        return chunk;
    }

    /**
     * Checked builds: clears the list links of the unlisted gap at {@code chunk}, which become
     * user data, so that no block is handed out holding pointers into the free lists.
     */
    static void clearLinks(int chunk) {
        if (Features.checked()) {
            Mem.putLong(chunk + NEXT, 0);
        }
    }

    /** Unlinks the gap at {@code chunk} of {@code size} bytes from its list. */
    static void deregister(int t, int chunk, int size) {
        int next = Mem.getInt(chunk + NEXT);
        int prev = Mem.getInt(chunk + PREV);
        Mem.putInt(prev + NEXT, next);
        if (next != 0) {
            Mem.putInt(next + PREV, prev);
        } else {
            // Last in its list. prev + NEXT is a bin head exactly when it lies in the state
            // block's head array (gaps never overlap the state block); then the list is now
            // empty. The unsigned shift makes addresses below the array huge, so one signed
            // compare tells both sides.
            int bin = (prev - headLink(t, 0)) >>> 2;
            if (bin < Binning.binCount()) {
                Bitmap.clear(t, bin);
            }
        }
        Counters.gapRemoved(t, size);
    }
}
