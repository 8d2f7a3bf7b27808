package talc.teavm.example;

/**
 * The GC's side of the example: Java arrays filled with patterns. Each round allocates a few
 * short-lived arrays (garbage, checked at the end of the round, after the allocator's
 * operations) and replaces one of the retained ones (checked before it is dropped and at the
 * end), whose mean length the run ramps up so that the GC's live set, and with it its heap,
 * grows through the run.
 *
 * <p>Collections are counted from the outside: between collections the GC's free memory only
 * shrinks (every allocation takes from it), so free memory that went up since the last array
 * means a collection ran in between. (A weak reference would be the usual probe, but TeaVM
 * 0.13.1's classic GC traps in {@code processReferences} on one; see the package notes.)
 */
final class JavaObjects {
    /** Retained arrays. */
    static final int SLOTS = 256;
    /** Short-lived arrays per round. */
    static final int GARBAGE_PER_ROUND = 4;
    /** Mean length in words of a short-lived array. */
    static final int GARBAGE_MEAN_WORDS = 2048;
    private static final int BYTES_PER_KIB = 1024;

    private final int[][] retained = new int[SLOTS][];
    private final int[] seeds = new int[SLOTS];
    private int nextSeed = 1;
    /** Seed of this round's first short-lived array; the others follow. */
    private int garbageSeed;
    private long bytesAllocated;
    private long lastFreeMemory = Runtime.getRuntime().freeMemory();

    /** Arrays that did not hold their pattern when checked. */
    int corruptions;
    /** Collections seen: allocations after which the GC's free memory had grown (a lower bound). */
    int collectionsSeen;

    /** This round's garbage: arrays nothing else refers to, to be checked by {@link #checkGarbage}. */
    int[][] allocateGarbage(Rng rng) {
        garbageSeed = nextSeed;
        nextSeed += GARBAGE_PER_ROUND;
        int[][] garbage = new int[GARBAGE_PER_ROUND][];
        for (int i = 0; i < GARBAGE_PER_ROUND; i++) {
            garbage[i] = array(1 + rng.below(2 * GARBAGE_MEAN_WORDS), garbageSeed + i);
        }
        return garbage;
    }

    /** Checks this round's garbage. */
    void checkGarbage(int[][] garbage) {
        for (int i = 0; i < GARBAGE_PER_ROUND; i++) {
            if (!Pattern.matches(garbage[i], garbageSeed + i)) {
                corruptions++;
            }
        }
    }

    /** Checks and drops one retained array, and retains a new one of about {@code meanWords} words. */
    void replaceRetained(Rng rng, int meanWords) {
        int slot = rng.below(SLOTS);
        check(slot);
        seeds[slot] = nextSeed++;
        retained[slot] = array(1 + rng.below(2 * meanWords), seeds[slot]);
    }

    /** Checks every retained array. */
    void checkAll() {
        for (int slot = 0; slot < SLOTS; slot++) {
            check(slot);
        }
    }

    /** Kibibytes of array data allocated so far. */
    int kibAllocated() {
        return (int) (bytesAllocated / BYTES_PER_KIB);
    }

    private void check(int slot) {
        if (retained[slot] != null && !Pattern.matches(retained[slot], seeds[slot])) {
            corruptions++;
        }
    }

    private int[] array(int words, int seed) {
        bytesAllocated += (long) words * Pattern.WORD;
        int[] a = Pattern.array(words, seed);
        long free = Runtime.getRuntime().freeMemory();
        if (free > lastFreeMemory) {
            collectionsSeen++;
        }
        lastFreeMemory = free;
        return a;
    }
}
