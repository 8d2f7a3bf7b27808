package talc.teavm.example;

import talc.teavm.NativeHeap;

/**
 * The main heap's side of the example: a {@link BlockTable} of blocks from {@link NativeHeap}.
 * With slots chosen at random, an empty slot allocated and a full one freed or resized half of
 * the time, about two thirds of the slots are full, so the live bytes follow the mean request
 * size the run ramps up.
 */
final class NativeBlocks {
    /** Slots in the table. */
    static final int SLOTS = 512;
    /** Largest alignment {@code alignedAlloc} is asked for, as a shift of 16 bytes (16 B .. 4 KiB). */
    private static final int MAX_ALIGN_SHIFT = 8;

    final BlockTable table = new BlockTable(BlockTable.MAIN_HEAP, SLOTS, MAX_ALIGN_SHIFT, 1);

    /** One operation on a random slot: allocate into an empty one, or check a full one, then free or resize it. */
    void step(Rng rng, int meanSize) {
        int slot = rng.below(SLOTS);
        if (table.ptrs[slot] == 0) {
            table.allocate(slot, rng, 1 + rng.below(2 * meanSize));
        } else if (table.check(slot) && rng.below(2) == 0) {
            table.free(slot);
        } else {
            table.resize(slot, 1 + rng.below(2 * meanSize));
        }
    }

    /** Checks every live block, then frees it. */
    void checkAndFreeAll() {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (table.ptrs[slot] != 0) {
                table.check(slot);
                table.free(slot);
            }
        }
    }
}
