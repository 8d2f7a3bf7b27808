package talc.core;

/**
 * The segregated free lists: one intrusive, doubly linked LIFO list of gaps per bin.
 *
 * <pre>
 *  gap at B:  B+0  next  address of the next gap in the bin, 0 at the end
 *             B+4  prev  address of the word that points to this gap: the bin head in the
 *                        state block, or the previous gap's next field
 * </pre>
 *
 * Invariants: a gap is in the list of {@code Binning.bin(size)} exactly once; the bitmap bit of a
 * bin is set exactly when its list is non-empty; registering and deregistering are O(1) and keep
 * the available-bytes and fragment counters.
 */
final class Gaps {
    static final int NEXT = 0;
    static final int PREV = 4;

    private Gaps() {
    }

    /**
     * Makes {@code [base, base+size)} a gap: writes its header (size and {@code flags}, which may
     * only hold {@link Chunk#HEAP_FIRST}) and footer, and pushes it on its bin's list.
     */
    static void register(int t, int base, int size, int flags) {
        Chunk.writeGap(base, size, flags);
        int bin = Binning.bin(size);
        int slot = State.binHead(t, bin);
        int head = Mem.getInt(slot);
        Mem.putInt(base + NEXT, head);
        Mem.putInt(base + PREV, slot);
        if (head != 0) {
            Mem.putInt(head + PREV, base);
        } else {
            Bitmap.set(t, bin);
        }
        Mem.putInt(slot, base);
        Counters.gapAdded(t, size);
    }

    /** Unlinks the gap at {@code base} of {@code size} bytes from its list. */
    static void deregister(int t, int base, int size) {
        int next = Mem.getInt(base + NEXT);
        int prev = Mem.getInt(base + PREV);
        Mem.putInt(prev, next);
        if (next != 0) {
            Mem.putInt(next + PREV, prev);
        } else {
            // Last in its list. prev is a bin head exactly when it lies in the state block's
            // head array (gaps never overlap the state block); then the list is now empty.
            // The unsigned shift makes addresses below the array huge, so one signed compare
            // tells both sides.
            int bin = (prev - State.binHead(t, 0)) >>> 2;
            if (bin < Binning.binCount()) {
                Bitmap.clear(t, bin);
            }
        }
        Counters.gapRemoved(t, size);
    }
}
