package talc.teavm.example;

import talc.teavm.GcAgreement;
import talc.teavm.NativeHeap;

/**
 * The allocator's side of the example: a table of blocks from {@link NativeHeap}, each filled with
 * its own pattern and checked before every free or resize and at the end. With slots chosen at
 * random, an empty slot allocated and a full one freed or resized half of the time, about two
 * thirds of the slots are full, so the live bytes follow the mean request size the run ramps up.
 */
final class NativeBlocks {
    /** Slots in the table. */
    static final int SLOTS = 512;
    /** Largest alignment {@code alignedAlloc} is asked for, as a shift of 16 bytes (16 B .. 2 KiB). */
    private static final int MAX_ALIGN_SHIFT = 8;
    private static final int MIN_ALIGN = 16;
    /** Kinds of allocation, chosen at random: malloc, alignedAlloc, calloc. */
    private static final int KINDS = 3;
    private static final int ALIGNED = 1;
    private static final int ZEROED = 2;

    private final int[] ptrs = new int[SLOTS];
    private final int[] sizes = new int[SLOTS];
    private final int[] seeds = new int[SLOTS];
    private int nextSeed = 1;

    /** Blocks whose contents were not their pattern when checked. */
    int corruptions;
    /** Checks that found a block inside the GC's area (below its memory limit). */
    int misplaced;
    /** Broken promises of the API: a zero pointer that was not a failure, a usable size below the request, a misaligned or non-zeroed block. */
    int contractErrors;
    /** Allocations that returned 0 (none expected: memory can grow). */
    int failures;

    /** One operation on a random slot: allocate into an empty one, or check a full one, then free or resize it. */
    void step(Rng rng, int meanSize) {
        int slot = rng.below(SLOTS);
        if (ptrs[slot] == 0) {
            allocate(slot, rng, meanSize);
        } else if (check(slot) && rng.below(2) == 0) {
            NativeHeap.free(ptrs[slot]);
            ptrs[slot] = 0;
        } else {
            resize(slot, 1 + rng.below(2 * meanSize));
        }
    }

    private void allocate(int slot, Rng rng, int meanSize) {
        int size = 1 + rng.below(2 * meanSize);
        int kind = rng.below(KINDS);
        int align = kind == ALIGNED ? MIN_ALIGN << rng.below(MAX_ALIGN_SHIFT + 1) : MIN_ALIGN;
        int seed = nextSeed++;
        // Quoted in README.md (wasm-tests/test/teavm-app.test.mjs keeps them in step).
        int p = kind == ALIGNED ? NativeHeap.alignedAlloc(align, size)
                : kind == ZEROED ? NativeHeap.calloc(1, size)
                : NativeHeap.malloc(size);
        if (p == 0) {
            failures++;
            return;
        }
        if (kind == ZEROED && !Pattern.zeroed(p, size)) {
            contractErrors++;
        }
        Pattern.fill(p, 0, size, seed);
        if ((p & (align - 1)) != 0 || NativeHeap.usableSize(p) < size) {
            contractErrors++;
        }
        ptrs[slot] = p;
        sizes[slot] = size;
        seeds[slot] = seed;
    }

    /** Resizes a checked block: the common prefix must survive, the rest is filled. */
    private void resize(int slot, int size) {
        int old = sizes[slot];
        int p = NativeHeap.realloc(ptrs[slot], size);
        if (p == 0) {
            failures++;
            return;
        }
        ptrs[slot] = p;
        sizes[slot] = size;
        if (!Pattern.matches(p, 0, Math.min(old, size), seeds[slot])) {
            corruptions++;
        }
        Pattern.fill(p, Math.min(old, size), size, seeds[slot]);
        if ((p & (MIN_ALIGN - 1)) != 0 || NativeHeap.usableSize(p) < size) {
            contractErrors++;
        }
    }

    /** Checks a live block's pattern and place; counts what is wrong and returns whether it was intact. */
    private boolean check(int slot) {
        int p = ptrs[slot];
        if (p < GcAgreement.gcMemoryLimit()) {
            misplaced++;
        }
        boolean intact = Pattern.matches(p, 0, sizes[slot], seeds[slot]);
        if (!intact) {
            corruptions++;
        }
        return intact;
    }

    /** Live blocks in the table. */
    int liveCount() {
        int n = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (ptrs[slot] != 0) {
                n++;
            }
        }
        return n;
    }

    /** Usable bytes of the table's live blocks (what the main heap's allocated bytes count for them). */
    int liveBytes() {
        int bytes = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            bytes += NativeHeap.usableSize(ptrs[slot]);
        }
        return bytes;
    }

    /** Checks every live block, then frees it. */
    void checkAndFreeAll() {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (ptrs[slot] != 0) {
                check(slot);
                NativeHeap.free(ptrs[slot]);
                ptrs[slot] = 0;
            }
        }
    }
}
