package talc.teavm.example;

import java.util.Map;
import java.util.NavigableMap;
import talc.teavm.NativeArena;
import talc.teavm.NativeHeap;

/**
 * The arena's side of the example: a {@link BlockTable} of blocks from a {@link NativeArena}
 * inside the main heap, as {@link NativeBlocks} is for the main heap. After every operation it also checks the
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
    /** Seeds of the arena's blocks start here, far from those of the main heap's table. */
    private static final int FIRST_SEED = 1 << 24;

    private final NativeArena arena;
    private final BlockTable mainBlocks;
    final BlockTable table;
    /** The main heap's live allocations and bytes that are neither the table's nor the arena's blocks. */
    private final int otherCount;
    private final int otherBytes;
    private int lastBlockCount;

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
    ArenaBlocks(NativeArena arena, BlockTable mainBlocks) {
        this.arena = arena;
        this.mainBlocks = mainBlocks;
        this.table = new BlockTable(BlockTable.of(arena), SLOTS, MAX_ALIGN_SHIFT, FIRST_SEED);
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
        if (table.ptrs[slot] == 0) {
            if (!draining) {
                table.allocate(slot, rng, size(rng, meanSize));
            }
        } else if (table.check(slot) && (draining || rng.below(2) == 0)) {
            table.free(slot);
        } else {
            table.resize(slot, size(rng, meanSize));
        }
        checkBlocks();
    }

    /** A request size: mostly around {@code meanSize}, sometimes up to {@link #LARGE_BLOCKS} blocks. */
    private int size(Rng rng, int meanSize) {
        int max = rng.below(LARGE_ONE_IN) == 0 ? LARGE_BLOCKS * arena.blockSize() : 2 * meanSize;
        return 1 + rng.below(max);
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
            int p = table.ptrs[slot];
            if (p != 0) {
                Map.Entry<Integer, Integer> e = held.floorEntry(p);
                if (e == null || p + table.sizes[slot] > e.getValue()) {
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
            if (table.ptrs[slot] != 0) {
                table.check(slot);
                table.free(slot);
                checkBlocks();
            }
        }
    }
}
