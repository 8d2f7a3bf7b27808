package talc.core;

/**
 * The availability bitmap: bit {@code b} is set exactly when the list of bin {@code b} is
 * non-empty, so the smallest non-empty bin at or above a size is one count-trailing-zeros away.
 * Stored as little-endian u64 words at {@link State#BITMAP}.
 *
 * <p>Bits are set and cleared in the same 64-bit words that {@link #scan} reads. Setting and
 * clearing them in 32-bit halves would save a byte of wasm each (no widening of the bin), but
 * a 64-bit load right after a 32-bit store to half of it cannot be forwarded from the store
 * buffer: talc-fast.wasm was 3 to 6% slower on every workload of scripts/bench (2026-11-26).
 */
final class Bitmap {
    private Bitmap() {
    }

    /** Address of the word holding {@code bin}'s bit ({@code 1L << bin} takes the bin modulo 64). */
    private static int word(int t, int bin) {
        return t + State.BITMAP + ((bin >>> 6) << 3);
    }

    static void set(int t, int bin) {
        int w = word(t, bin);
        Mem.putLong(w, Mem.getLong(w) | (1L << bin));
    }

    static void clear(int t, int bin) {
        int w = word(t, bin);
        Mem.putLong(w, Mem.getLong(w) & ~(1L << bin));
    }

    static boolean isSet(int t, int bin) {
        return (Mem.getLong(word(t, bin)) & (1L << bin)) != 0;
    }

    /**
     * The lowest non-empty bin {@code >= from}, or a number {@code >= Binning.binCount()} when
     * there is none. {@code from <=
     * Binning.binCount()}, which is always inside the bitmap's words (bits past the last bin are
     * never set).
     */
    static int scan(int t, int from) {
        int w = from >>> 6;
        long bits = Mem.getLong(word(t, from)) & (-1L << from);
        if (Binning.bitmapWords() == 2) {
            // The wasm binning: at most one more word to look at, without a loop. No bits in
            // the second word give 64 + 64 trailing zeros, past the last bin.
            if (bits == 0 && w == 0) {
                w = 1;
                bits = Mem.getLong(t + State.BITMAP + Long.BYTES);
            }
            return (w << 6) + Long.numberOfTrailingZeros(bits);
        }
        while (bits == 0) {
            if (++w >= Binning.bitmapWords()) {
                return Binning.binCount();
            }
            bits = Mem.getLong(t + State.BITMAP + (w << 3));
        }
        return (w << 6) + Long.numberOfTrailingZeros(bits);
    }
}
