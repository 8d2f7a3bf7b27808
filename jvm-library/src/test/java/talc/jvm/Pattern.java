package talc.jvm;

/**
 * Fill patterns that tie a block's contents to a seed: the little-endian word at each multiple
 * of 8 is a function of the seed and its offset, whatever the block's length (so the bytes a
 * realloc keeps still match), and a byte that another block's writes or the allocator's own
 * metadata overwrote is found by {@link #check}.
 */
final class Pattern {
    private Pattern() {
    }

    static long word(int seed, int offset) {
        long x = (seed * 0x9E37_79B9_7F4A_7C15L) ^ offset;
        x ^= x >>> 29;
        return x * 0xBF58_476D_1CE4_E5B9L;
    }

    /** The byte at {@code offset}: part of the word at the multiple of 8 below it. */
    static byte at(int seed, int offset) {
        return (byte) (word(seed, offset & -Long.BYTES) >>> ((offset & (Long.BYTES - 1)) * Byte.SIZE));
    }

    /** Writes the pattern of {@code seed} over {@code len} bytes at {@code ptr}. */
    static void fill(TalcAllocator a, int ptr, int len, int seed) {
        int i = 0;
        for (; i <= len - Long.BYTES; i += Long.BYTES) {
            a.putLong(ptr + i, word(seed, i));
        }
        for (; i < len; i++) {
            a.putByte(ptr + i, at(seed, i));
        }
    }

    /** Checks the first {@code len} bytes at {@code ptr} hold the pattern of {@code seed}. */
    static void check(TalcAllocator a, int ptr, int len, int seed) {
        int i = 0;
        for (; i <= len - Long.BYTES; i += Long.BYTES) {
            if (a.getLong(ptr + i) != word(seed, i)) {
                throw new AssertionError("block " + ptr + " (seed " + seed + ", " + len + " bytes) corrupted at +" + i);
            }
        }
        for (; i < len; i++) {
            if (a.getByte(ptr + i) != at(seed, i)) {
                throw new AssertionError("block " + ptr + " (seed " + seed + ", " + len + " bytes) corrupted at +" + i);
            }
        }
    }
}
