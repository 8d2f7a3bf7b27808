package talc.core;

/**
 * The allocator's state block: everything an allocator instance owns besides its heaps, kept in
 * linear memory at a 16-aligned address {@code t} (the allocator handle), so that several
 * allocators can live in one memory and the wasm module needs no Java objects.
 *
 * <pre>
 *  t+0    availability bitmap, {@link #BITMAP_WORDS} x u64 (bit b set = bin b non-empty)
 *  t+32   source kind            t+36  source word A        t+40  source word B
 *  t+44   allocation count       t+48  allocated bytes      t+52  available bytes
 *  t+56   fragment count         t+60  heap count           t+64  claimed bytes
 *  t+72   total allocations      t+80  total allocated bytes
 *  t+88   total heaps            t+96  total claimed bytes   (u64 running totals)
 *  t+104  always 0: the head of an empty list "below bin 0" ({@link #NO_BIN})
 *  t+108  bin heads, one u32 per bin (chunk address of the first gap, 0 = empty)
 *  then, in checked builds only ({@link Features#checked()}):
 *  +0     heap list head (first chunk of the newest heap, see {@link HeapList})
 * </pre>
 */
final class State {
    static final int BITMAP = 0;
    /** Room for the largest binning's bitmap (3 words used by the default binning). */
    static final int BITMAP_WORDS = 4;
    static final int SOURCE_KIND = 32;
    static final int SOURCE_A = 36;
    static final int SOURCE_B = 40;
    static final int ALLOCATION_COUNT = 44;
    static final int ALLOCATED_BYTES = 48;
    static final int AVAILABLE_BYTES = 52;
    static final int FRAGMENT_COUNT = 56;
    static final int HEAP_COUNT = 60;
    static final int CLAIMED_BYTES = 64;
    static final int TOTAL_ALLOCATION_COUNT = 72;
    static final int TOTAL_ALLOCATED_BYTES = 80;
    static final int TOTAL_HEAP_COUNT = 88;
    static final int TOTAL_CLAIMED_BYTES = 96;
    /**
     * A word that stays 0, just below the bin heads ({@code binHead(t, 0) - 4}): an empty list,
     * so the search of the bin below a request's bin needs no test for bin 0 ({@link Alloc}). It
     * costs no state bytes: both binnings' blocks round up to the same size with it.
     */
    static final int NO_BIN = 104;
    static final int BIN_HEADS = NO_BIN + 4;

    private State() {
    }

    /** Bytes of the checked builds' part of the state block: the heap list head. */
    static final int CHECKED_BYTES = 4;

    /** Bytes of the state block for the configured binning and features, rounded to a chunk unit. */
    static int size() {
        return Chunk.alignUp(binsEnd() + (Features.checked() ? CHECKED_BYTES : 0), Chunk.UNIT);
    }

    private static int binsEnd() {
        return BIN_HEADS + (Binning.binCount() << 2);
    }

    /** Checked builds: address of the heap list head. */
    static int heapList(int t) {
        return t + binsEnd();
    }

    /** Address of the head pointer of {@code bin}. */
    static int binHead(int t, int bin) {
        return t + BIN_HEADS + (bin << 2);
    }

    /** Zero-fills the block at {@code t}: no heaps, no gaps, Manual source, zero counters. */
    static void init(int t) {
        Mem.fill(t, 0, size());
    }
}
