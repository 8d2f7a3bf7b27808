package talc.teavm.example;

/** A seeded xorshift32 generator: the same seed gives the same run in every build. */
final class Rng {
    private static final int SHIFT_A = 13;
    private static final int SHIFT_B = 17;
    private static final int SHIFT_C = 5;
    private static final long UNSIGNED = 0xFFFF_FFFFL;
    private static final int INT_BITS = 32;

    private int state;

    /** A generator seeded with {@code seed} (0 is replaced by 1: xorshift's state must be nonzero). */
    Rng(int seed) {
        state = seed == 0 ? 1 : seed;
    }

    /** The next 32 random bits. */
    int next() {
        int x = state;
        x ^= x << SHIFT_A;
        x ^= x >>> SHIFT_B;
        x ^= x << SHIFT_C;
        state = x;
        return x;
    }

    /** A value in {@code [0, bound)}, {@code bound > 0}. */
    int below(int bound) {
        return (int) (((next() & UNSIGNED) * bound) >>> INT_BITS);
    }
}
