package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.SIZE_MASK;
import static talc.core.Chunk.UNIT;

/**
 * Allocation from the free lists, never calling the source.
 *
 * <p>A request is a chunk size {@code req} and an alignment. It {@code need}s
 * {@code req + align - 16} bytes of gap when the alignment is above 16 (the worst-case padding
 * in front of an aligned payload), else {@code req}. The bin is chosen from {@code need}, so any
 * gap of the first non-empty bin at or above {@link Binning#ceilBin(int) ceilBin(need)} fits:
 * the common path ({@link #pop}) takes a list head in O(1), for high alignments too (Talc issue
 * #44). Only when no such bin has a gap is the one straddling bin below it searched first-fit.
 */
final class Alloc {
    /**
     * Checked builds: what {@link #tryAllocate} returns after it found a damaged free chunk on
     * its way and reported it ({@link Misuse#listedGapIntact}), having changed nothing: not a
     * pointer (they are 16-aligned), and the call fails.
     */
    static final int DAMAGED = 1;

    private Alloc() {
    }

    /**
     * Gap bytes a request of chunk size {@code req} at {@code align} (a power of two) needs in the
     * worst case: {@code align - 16} more above 16, which is {@code align - 1} rounded down to a
     * unit (0 for alignments up to 16), without a branch.
     */
    static int need(int req, int align) {
        return req + ((align - 1) & SIZE_MASK);
    }

    /** Allocates a chunk of {@code req} bytes at {@code align}; returns its user pointer or 0. */
    static int tryAllocate(int t, int req, int align, int need) {
        int bin = Binning.ceilBin(need);
        int found = Bitmap.scan(t, bin);
        int gap;
        if (found < Binning.binCount()) {
            gap = Mem.getInt(State.binHead(t, found));
            if (Features.checked() && !Misuse.listedGapIntact(t, gap, Gaps.headLink(t, found))) {
                return DAMAGED;
            }
        } else {
            gap = firstFitBelow(t, bin, req, align);
            if (gap == 0) {
                return 0;
            }
            if (Features.checked() && gap == DAMAGED) {
                return DAMAGED;
            }
        }
        return carve(t, gap, req, align, true);
    }

    /**
     * The common path of {@link #tryAllocate}: takes the head of the first non-empty bin that
     * guarantees a fit; returns the user pointer, or 0 when there is none. No loop and, once its
     * callees are inlined, no call.
     */
    static int pop(int t, int req, int align, int need) {
        int found = Bitmap.scan(t, Binning.ceilBin(need));
        return found < Binning.binCount() ? carve(t, Gaps.popHead(t, found), req, align, false) : 0;
    }

    /**
     * First gap of the bin below {@code bin} that holds {@code req} bytes at {@code align}, or 0
     * (checked builds: {@link #DAMAGED} at a damaged gap, before the walk follows its links).
     * Below bin 0 is the always-empty list {@link State#NO_BIN}. The head is addressed from
     * {@code bin}, never from {@code bin - 1}: in wasm the constant part of the address becomes
     * the load's offset, and a base of {@code (0 - 1) * 4} would make the access trap (offsets
     * do not wrap) wherever this function is not inlined.
     */
    private static int firstFitBelow(int t, int bin, int req, int align) {
        // The prev link of the walk's gap: first the head link of bin - 1.
        int prev = State.binHead(t, bin) - Integer.BYTES - Gaps.NEXT;
        for (int gap = Mem.getInt(prev + Gaps.NEXT); gap != 0; gap = Mem.getInt(gap + Gaps.NEXT)) {
            if (Features.checked()) {
                if (!Misuse.listedGapIntact(t, gap, prev)) {
                    return DAMAGED;
                }
                prev = gap;
            }
            int size = Chunk.header(gap) & SIZE_MASK;
            if (size - Chunk.padding(gap, align) >= req) {
                return gap;
            }
        }
        return 0;
    }

    /**
     * Takes an aligned chunk of {@code req} bytes out of the gap at {@code gap}, which must fit
     * it and is still in its list when {@code listed} (else {@link Gaps#popHead} took it out);
     * returns its user pointer.
     */
    private static int carve(int t, int gap, int req, int align, boolean listed) {
        int h = Chunk.header(gap);
        int size = h & SIZE_MASK;
        int flags = h & Chunk.heapFirst();
        // Payloads are 16-aligned, so only a higher alignment can need padding. Speed builds say
        // so, and with malloc's constant 16 the padding code folds away; size builds save the test.
        int padding = Features.speed() && align <= UNIT ? 0 : Chunk.padding(gap, align);
        int chunk = gap + padding;
        if (listed) {
            Gaps.deregister(t, gap, size);
        }
        if (padding != 0) {
            Gaps.register(t, gap, padding, flags);
            size -= padding;
            flags = BELOW_FREE;
        } else {
            // The gap's list links become the block's first bytes.
            Gaps.clearLinks(chunk);
        }
        int taken = splitOff(t, chunk, size, req);
        Chunk.setHeader(chunk, taken | ALLOCATED | flags);
        Chunk.writeSeal(chunk);
        Counters.allocated(t, taken);
        return Chunk.payload(chunk);
    }

    /**
     * The chunk at {@code chunk} spans {@code total} bytes of which {@code req} are wanted: a rest
     * of a unit or more becomes a gap, and the chunk above is flagged {@code BELOW_FREE} (it may
     * be already: above a gap that was carved or absorbed); otherwise the chunk keeps all
     * {@code total} bytes and the chunk above is told its neighbour is no longer free. Returns
     * the chunk's new size; its header is the caller's.
     */
    static int splitOff(int t, int chunk, int total, int req) {
        int rest = total - req;
        int above = chunk + total;
        int aboveHeader = Chunk.header(above) & ~BELOW_FREE;
        int size;
        if (rest >= UNIT) {
            Gaps.register(t, chunk + req, rest, 0);
            aboveHeader |= BELOW_FREE;
            size = req;
        } else {
            size = total;
        }
        Chunk.setHeader(above, aboveHeader);
        return size;
    }
}
