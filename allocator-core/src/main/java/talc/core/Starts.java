package talc.core;

/**
 * Checked builds only: the chunk-start bitmap, one bit per 16-byte unit of memory, set exactly
 * at the base of every live allocation the allocator handed out. It is what lets
 * {@link Misuse} tell, in O(1), a pointer from {@code malloc} from one into the middle of a
 * block, into free memory, or one freed already, without trusting the header word in front of
 * it (which, for a bad pointer, is user data).
 *
 * <pre>
 *  directory (in the state block)          bitmap block (an allocation of the allocator's own)
 *  entry i = block for addresses            bit (addr >>> 4) & 0xFFFF of the block:
 *            [i MiB, (i+1) MiB), or 0        word ((addr >>> 9) & 0x7FF), bit (addr >>> 4) & 31
 * </pre>
 *
 * Invariants: a bit is set only at the base of an allocated chunk; a directory entry is 0 when
 * no allocation ever started in its MiB. Blocks are made on the first allocation in their MiB,
 * from the allocator's own heaps (so a checked allocator uses 8 KiB per MiB it hands out from,
 * 1/128 of memory), are never freed, and have no bit of their own: freeing one is misuse.
 */
final class Starts {
    /** log2 of the bytes one bitmap block covers (1 MiB). */
    static final int SPAN_SHIFT = 20;
    /** Directory entries: one per MiB below {@link Heaps#MAX_HEAP_END}. */
    static final int DIRECTORY_ENTRIES = 1 << (31 - SPAN_SHIFT);
    /** Bytes of a bitmap block: one bit per unit of its MiB. */
    static final int BLOCK_BYTES = (1 << SPAN_SHIFT) / Chunk.UNIT / Byte.SIZE;
    /** log2 of the unit size: the bit index of an address within its MiB is {@code addr >>> UNIT_SHIFT}. */
    private static final int UNIT_SHIFT = 4;
    /** log2 of the bits in a bitmap word. */
    private static final int WORD_BITS_SHIFT = 5;
    /** Mask of a unit's index within its MiB. */
    private static final int UNIT_INDEX_MASK = (1 << (SPAN_SHIFT - UNIT_SHIFT)) - 1;

    private Starts() {
    }

    /** The directory entry for {@code addr} (a positive address). */
    private static int slot(int t, int addr) {
        return State.directory(t) + ((addr >>> SPAN_SHIFT) << 2);
    }

    /** Address of the bitmap word holding {@code addr}'s bit in {@code block}. */
    private static int word(int block, int addr) {
        return block + ((((addr >>> UNIT_SHIFT) & UNIT_INDEX_MASK) >>> WORD_BITS_SHIFT) << 2);
    }

    /** Whether the MiB of {@code addr} (positive) has a bitmap block, i.e. ever had an allocation. */
    static boolean hasBlock(int t, int addr) {
        return Mem.getInt(slot(t, addr)) != 0;
    }

    /** Whether an allocation starts at {@code addr} (positive, 16-aligned). */
    static boolean isSet(int t, int addr) {
        int block = Mem.getInt(slot(t, addr));
        return block != 0 && (Mem.getInt(word(block, addr)) & (1 << (addr >>> UNIT_SHIFT))) != 0;
    }

    /**
     * Sets the bit of the new allocation at {@code addr}, first making its MiB's bitmap block if
     * there is none. Returns {@code false}, changing nothing, when that block cannot be had.
     */
    static boolean set(int t, int addr) {
        int slot = slot(t, addr);
        int block = Mem.getInt(slot);
        if (block == 0) {
            block = newBlock(t);
            if (block == 0) {
                return false;
            }
            Mem.putInt(slot, block);
        }
        int word = word(block, addr);
        Mem.putInt(word, Mem.getInt(word) | (1 << (addr >>> UNIT_SHIFT)));
        return true;
    }

    /** Clears the bit of the allocation at {@code addr}, which is set. */
    static void clear(int t, int addr) {
        int word = word(Mem.getInt(slot(t, addr)), addr);
        Mem.putInt(word, Mem.getInt(word) & ~(1 << (addr >>> UNIT_SHIFT)));
    }

    /** A zeroed bitmap block taken from the allocator's heaps (or its source), or 0. */
    private static int newBlock(int t) {
        int req = Chunk.sizeFor(BLOCK_BYTES);
        int block = Alloc.tryAllocate(t, req, Chunk.UNIT, req);
        if (block == 0 && Source.acquire(t, req)) {
            block = Alloc.tryAllocate(t, req, Chunk.UNIT, req);
        }
        if (block != 0) {
            Mem.fill(block, 0, BLOCK_BYTES);
        }
        return block;
    }
}
