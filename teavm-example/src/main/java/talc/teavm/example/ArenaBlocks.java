package talc.teavm.example;

import java.util.Map;
import java.util.NavigableMap;
import talc.teavm.GcAgreement;
import talc.teavm.NativeArena;
import talc.teavm.NativeHeap;

/**
 * The arena's side of the example: a table of blocks from a {@link NativeArena} inside the main
 * heap, each filled with its own pattern and checked before every free or resize and at the end,
 * as {@link NativeBlocks} does for the main heap. After every operation it also checks the
 * arena's promise about its blocks (the main heap's allocations that hold its heaps): each block
 * it holds holds a live allocation of the arena (a block goes back as soon as it is empty), each
 * live allocation lies in a block it holds (no block goes back in use), the arena has no heap
 * but its blocks (it never grows memory itself), and the main heap's live allocations and bytes
 * are exactly the main-heap table's blocks, the arena's blocks and what was live before.
 */
final class ArenaBlocks {
    /** Slots in the table. */
    static final int SLOTS = 256;
    /**
     * One request in this many is large: up to {@link #LARGE_BLOCKS} arena blocks, so that it
     * needs a block of several block sizes.
     */
    private static final int LARGE_ONE_IN = 16;
    private static final int LARGE_BLOCKS = 3;
    /** Largest alignment {@code alignedAlloc} is asked for, as a shift of 16 bytes (16 B .. 2 KiB). */
    private static final int MAX_ALIGN_SHIFT = 7;
    private static final int MIN_ALIGN = 16;
    /** Kinds of allocation, chosen at random: malloc, alignedAlloc, calloc. */
    private static final int KINDS = 3;
    private static final int ALIGNED = 1;
    private static final int ZEROED = 2;

    private final NativeArena arena;
    private final NativeBlocks mainBlocks;
    private final int[] ptrs = new int[SLOTS];
    private final int[] sizes = new int[SLOTS];
    private final int[] seeds = new int[SLOTS];
    /** Seeds of the arena's blocks start here, far from those of the main heap's table. */
    private int nextSeed = 1 << 24;
    /** The main heap's live allocations and bytes that are neither the table's nor the arena's blocks. */
    private final int otherCount;
    private final int otherBytes;
    private int lastBlockCount;

    /** Blocks whose contents were not their pattern when checked. */
    int corruptions;
    /** Checks that found a block inside the GC's area (below its memory limit). */
    int misplaced;
    /** Broken promises of the API: a usable size below the request, a misaligned or non-zeroed block. */
    int contractErrors;
    /** Allocations that returned 0 (none expected: the main heap can grow). */
    int failures;
    /** Checks that found a block of the main heap held by the arena with no live allocation in it. */
    int emptyBlocksHeld;
    /** Checks that found a live allocation of the arena outside every block it holds. */
    int blocksGoneInUse;
    /** Checks after which the arena's heaps were not exactly its blocks. */
    int heapsNotBlocks;
    /** Checks after which the main heap's live allocations or bytes were not the expected ones. */
    int parentMismatches;
    /** Blocks the arena took from the main heap, and gave back, as seen between operations (lower bounds). */
    int blocksTaken;
    int blocksReturned;
    /** Most blocks held at once. */
    int peakBlocks;
    /** Usable size of the largest block held (a request larger than a block gets a multiple of the block size). */
    int largestBlock;

    /**
     * A table over {@code arena}, which must be empty, next to the main heap's table
     * {@code mainBlocks}: everything the main heap holds now besides these two is left alone.
     */
    ArenaBlocks(NativeArena arena, NativeBlocks mainBlocks) {
        this.arena = arena;
        this.mainBlocks = mainBlocks;
        otherCount = NativeHeap.allocationCount() - mainBlocks.liveCount();
        otherBytes = NativeHeap.allocatedBytes() - mainBlocks.liveBytes();
    }

    /**
     * One operation on a random slot, then the checks of the arena's blocks. Filling: allocate
     * into an empty slot, or check a full one, then free or resize it. Draining: only frees (so
     * whole arena blocks empty and go back), and an empty slot stays empty.
     */
    void step(Rng rng, int meanSize, boolean draining) {
        int slot = rng.below(SLOTS);
        if (ptrs[slot] == 0) {
            if (!draining) {
                allocate(slot, rng, size(rng, meanSize));
            }
        } else if (check(slot) && (draining || rng.below(2) == 0)) {
            free(slot);
        } else {
            resize(slot, size(rng, meanSize));
        }
        checkBlocks();
    }

    /** A request size: mostly around {@code meanSize}, sometimes up to {@link #LARGE_BLOCKS} blocks. */
    private int size(Rng rng, int meanSize) {
        int max = rng.below(LARGE_ONE_IN) == 0 ? LARGE_BLOCKS * arena.blockSize() : 2 * meanSize;
        return 1 + rng.below(max);
    }

    private void allocate(int slot, Rng rng, int size) {
        int kind = rng.below(KINDS);
        int align = kind == ALIGNED ? MIN_ALIGN << rng.below(MAX_ALIGN_SHIFT + 1) : MIN_ALIGN;
        int seed = nextSeed++;
        int p = kind == ALIGNED ? arena.alignedAlloc(align, size)
                : kind == ZEROED ? arena.calloc(1, size)
                : arena.malloc(size);
        if (p == 0) {
            failures++;
            return;
        }
        if (kind == ZEROED && !Pattern.zeroed(p, size)) {
            contractErrors++;
        }
        Pattern.fill(p, 0, size, seed);
        if ((p & (align - 1)) != 0 || arena.usableSize(p) < size) {
            contractErrors++;
        }
        ptrs[slot] = p;
        sizes[slot] = size;
        seeds[slot] = seed;
    }

    // Quoted in README.md (wasm-tests/test/teavm-app.test.mjs keeps them in step).
    /** Frees a checked block: if it was the last one in its arena block, that block goes back to NativeHeap now. */
    private void free(int slot) {
        arena.free(ptrs[slot]);
        ptrs[slot] = 0;
    }

    /** Resizes a checked block: the common prefix must survive, the rest is filled. */
    private void resize(int slot, int size) {
        int old = sizes[slot];
        int p = arena.realloc(ptrs[slot], size);
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
        if ((p & (MIN_ALIGN - 1)) != 0 || arena.usableSize(p) < size) {
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

    /**
     * The arena's blocks against its live allocations and the main heap's counters (see the class
     * comment); counts every broken promise, and the blocks taken and given back since the last
     * check.
     */
    void checkBlocks() {
        NavigableMap<Integer, Integer> held = arena.heaps();
        int blocks = held.size();
        if (arena.heapCount() != blocks || arena.blockCount() != blocks) {
            heapsNotBlocks++;
        }
        // Mark each block that holds a live allocation; an allocation in no block is one given back in use.
        NavigableMap<Integer, Integer> unused = arena.heaps();
        for (int slot = 0; slot < SLOTS; slot++) {
            int p = ptrs[slot];
            if (p != 0) {
                Map.Entry<Integer, Integer> e = held.floorEntry(p);
                if (e == null || p + sizes[slot] > e.getValue()) {
                    blocksGoneInUse++;
                } else {
                    unused.remove(e.getKey());
                }
            }
        }
        emptyBlocksHeld += unused.size();
        int blockBytes = 0;
        for (int block : held.keySet()) {
            int usable = NativeHeap.usableSize(block);
            blockBytes += usable;
            largestBlock = Math.max(largestBlock, usable);
        }
        if (NativeHeap.allocationCount() != otherCount + mainBlocks.liveCount() + blocks
                || NativeHeap.allocatedBytes() != otherBytes + mainBlocks.liveBytes() + blockBytes) {
            parentMismatches++;
        }
        if (blocks > lastBlockCount) {
            blocksTaken += blocks - lastBlockCount;
        } else {
            blocksReturned += lastBlockCount - blocks;
        }
        lastBlockCount = blocks;
        peakBlocks = Math.max(peakBlocks, blocks);
    }

    /** Checks every live block, then frees it; the arena then holds no block. */
    void checkAndFreeAll() {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (ptrs[slot] != 0) {
                check(slot);
                free(slot);
                checkBlocks();
            }
        }
    }
}
