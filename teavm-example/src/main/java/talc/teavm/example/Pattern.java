package talc.teavm.example;

import talc.teavm.NativeHeap;

/**
 * The fill pattern of the example: the byte at offset {@code i} of anything filled with
 * {@code seed} is byte {@code i % 4} (little-endian) of {@link #word word(seed, i & -4)}. Every
 * owner has its own seed, so an overwrite by anyone else shows as a mismatch, and so does a
 * shifted or stale copy. The byte view makes any prefix of a block checkable after a
 * {@code realloc}, whatever the sizes.
 */
final class Pattern {
    /** Bytes in a word. */
    static final int WORD = 4;
    /** Multiplier of the hash (the 32-bit golden ratio). */
    private static final int GOLDEN = 0x9E37_79B9;
    /** Multiplier of the hash's final mix (from MurmurHash3's finaliser). */
    private static final int MIX = 0x85EB_CA6B;
    private static final int MIX_SHIFT = 16;
    private static final int BITS_PER_BYTE = 8;

    private Pattern() {
    }

    /** The word expected at the word-aligned {@code offset} in something filled with {@code seed}. */
    static int word(int seed, int offset) {
        int h = (seed * GOLDEN) ^ offset;
        h = (h ^ (h >>> MIX_SHIFT)) * MIX;
        return h ^ (h >>> MIX_SHIFT);
    }

    /** The byte expected at {@code offset}. */
    static byte byteAt(int seed, int offset) {
        return (byte) (word(seed, offset & -WORD) >>> ((offset & (WORD - 1)) * BITS_PER_BYTE));
    }

    /** Fills bytes {@code [from, to)} of the block at {@code p} with the pattern of {@code seed}. */
    static void fill(int p, int from, int to, int seed) {
        // The word loop is quoted in README.md (wasm-tests/test/teavm-app.test.mjs keeps them in step).
        int i = from;
        for (; i < to && (i & (WORD - 1)) != 0; i++) {
            NativeHeap.putByte(p + i, byteAt(seed, i));
        }
        for (; i + WORD <= to; i += WORD) {
            NativeHeap.putInt(p + i, word(seed, i));
        }
        for (; i < to; i++) {
            NativeHeap.putByte(p + i, byteAt(seed, i));
        }
    }

    /** Whether bytes {@code [from, to)} of the block at {@code p} hold the pattern of {@code seed}. */
    static boolean matches(int p, int from, int to, int seed) {
        int i = from;
        for (; i < to && (i & (WORD - 1)) != 0; i++) {
            if (NativeHeap.getByte(p + i) != byteAt(seed, i)) {
                return false;
            }
        }
        for (; i + WORD <= to; i += WORD) {
            if (NativeHeap.getInt(p + i) != word(seed, i)) {
                return false;
            }
        }
        for (; i < to; i++) {
            if (NativeHeap.getByte(p + i) != byteAt(seed, i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the {@code size} bytes at {@code p} are all zero. */
    static boolean zeroed(int p, int size) {
        for (int i = 0; i < size; i++) {
            if (NativeHeap.getByte(p + i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** A Java array of {@code length} words filled with the pattern of {@code seed}. */
    static int[] array(int length, int seed) {
        int[] a = new int[length];
        for (int i = 0; i < length; i++) {
            a[i] = word(seed, i * WORD);
        }
        return a;
    }

    /** Whether the array holds the pattern of {@code seed}. */
    static boolean matches(int[] a, int seed) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != word(seed, i * WORD)) {
                return false;
            }
        }
        return true;
    }
}
