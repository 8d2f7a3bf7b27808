package talc.teavm.example;

import org.teavm.interop.Export;
import talc.teavm.GcAgreement;
import talc.teavm.NativeArena;
import talc.teavm.NativeHeap;

/**
 * An example TeaVM app that uses the allocator in-process under GC pressure, and checks that the
 * allocator and the GC never write over each other's memory.
 *
 * <p>{@link #run} interleaves, round after round, Java allocation (short-lived arrays and a
 * retained set whose size ramps up, so the GC collects often and grows its heap several times)
 * with allocator operations on blocks filled with patterns (whose sizes ramp up too, so the
 * allocator grows memory several times), and counts every pattern that was overwritten.
 * {@link #runArena} does the same with an arena ({@link NativeArena}) inside the main heap, next
 * to blocks of the main heap, and checks that the arena's blocks go back to the main heap
 * exactly when they empty. The other exports report what happened, for the Node test in wasm-tests
 * ({@code test/teavm-app.test.mjs}) to check. The build compiles it twice: with the GC agreement
 * ({@code gc-pressure.wasm}) and without ({@code gc-pressure-unguarded.wasm}, the negative
 * control).
 */
public final class GcPressureApp {
    /** Allocator operations per round. */
    static final int OPS_PER_ROUND = 4;
    /** Mean request size of the allocator's blocks in the first and the last round, in bytes. */
    static final int FIRST_BLOCK_MEAN = 256;
    static final int LAST_BLOCK_MEAN = 48 << 10;
    /** Mean length of the retained Java arrays in the first and the last round, in words. */
    static final int FIRST_ARRAY_MEAN = 64;
    static final int LAST_ARRAY_MEAN = 12 << 10;

    /** Block size of the arena of {@link #runArena}: small, so that blocks come and go often. */
    static final int ARENA_BLOCK_SIZE = 64 << 10;
    /** Mean request size in the arena and in the main heap next to it, in bytes. */
    static final int ARENA_REQUEST_MEAN = 1024;
    static final int MAIN_REQUEST_MEAN = 4096;
    /** Mean length of the retained Java arrays during {@link #runArena}, in words. */
    static final int ARENA_RUN_ARRAY_MEAN = 2048;
    /**
     * Rounds of each phase of {@link #runArena}: filling (allocate, resize, free) then draining
     * (only free, so that whole arena blocks empty), in turns. Long enough for a drain to visit
     * nearly every slot.
     */
    static final int ARENA_PHASE_ROUNDS = 200;
    /** {@link #runArena}'s result when the main heap had no room for the arena's state block. */
    static final int NO_ARENA = -1;

    private static NativeBlocks blocks;
    private static ArenaBlocks arenaBlocks;
    private static JavaObjects objects;
    private static GrowthLog growth;
    private static int allocatorClaimedPeak;
    /** The arena's heaps after {@link #runArena} freed its blocks, before closing it (0 expected). */
    private static int arenaHeapsLeft;

    private GcPressureApp() {
    }

    /** TeaVM's entry point; the host drives the app through the exports. */
    public static void main(String[] args) {
    }

    /**
     * Runs {@code rounds} rounds from {@code seed}, then checks and frees every block and checks
     * every retained array. Returns the number of overwritten blocks and arrays found; the
     * other exports describe the run.
     */
    @Export(name = "run")
    public static int run(int rounds, int seed) {
        blocks = new NativeBlocks();
        objects = new JavaObjects();
        growth = new GrowthLog();
        Rng rng = new Rng(seed);
        for (int round = 0; round < rounds; round++) {
            int[][] garbage = objects.allocateGarbage(rng);
            objects.replaceRetained(rng, ramp(FIRST_ARRAY_MEAN, LAST_ARRAY_MEAN, round, rounds));
            int blockMean = ramp(FIRST_BLOCK_MEAN, LAST_BLOCK_MEAN, round, rounds);
            for (int op = 0; op < OPS_PER_ROUND; op++) {
                blocks.step(rng, blockMean);
            }
            objects.checkGarbage(garbage);
            growth.observe();
            allocatorClaimedPeak = Math.max(allocatorClaimedPeak, NativeHeap.claimedBytes());
        }
        objects.checkAll();
        blocks.checkAndFreeAll();
        return blocks.table.corruptions + objects.corruptions;
    }

    /**
     * Runs {@code rounds} rounds from {@code seed} with an arena of {@link #ARENA_BLOCK_SIZE}
     * blocks inside the main heap: each round allocates Java garbage, replaces a retained array,
     * and makes {@link #OPS_PER_ROUND} operations on the arena's table (filling or draining, in
     * phases of {@link #ARENA_PHASE_ROUNDS}) and as many on the main heap's. Then it checks and
     * frees every block, closes the arena and checks every retained array. Returns the number of
     * overwritten blocks and arrays found ({@link #NO_ARENA} if the arena could not be made); the
     * arena exports describe the run.
     */
    @Export(name = "runArena")
    public static int runArena(int rounds, int seed) {
        blocks = new NativeBlocks();
        objects = new JavaObjects();
        Rng rng = new Rng(seed);
        // Quoted in README.md (wasm-tests/test/teavm-app.test.mjs keeps them in step).
        NativeArena arena = NativeArena.create(ARENA_BLOCK_SIZE);  // its state block is in NativeHeap
        if (arena == null) {
            return NO_ARENA;
        }
        arenaBlocks = new ArenaBlocks(arena, blocks.table);
        for (int round = 0; round < rounds; round++) {
            int[][] garbage = objects.allocateGarbage(rng);
            objects.replaceRetained(rng, ARENA_RUN_ARRAY_MEAN);
            boolean draining = round / ARENA_PHASE_ROUNDS % 2 == 1;
            for (int op = 0; op < OPS_PER_ROUND; op++) {
                arenaBlocks.step(rng, ARENA_REQUEST_MEAN, draining);
                blocks.step(rng, MAIN_REQUEST_MEAN);
            }
            objects.checkGarbage(garbage);
        }
        arenaBlocks.checkAndFreeAll();
        arenaHeapsLeft = arena.heapCount();
        arena.close();
        objects.checkAll();
        blocks.checkAndFreeAll();
        return arenaBlocks.table.corruptions + blocks.table.corruptions + objects.corruptions;
    }

    /** The mean for {@code round} of {@code rounds}: linear from {@code first} to {@code last}. */
    private static int ramp(int first, int last, int round, int rounds) {
        return first + (int) ((long) (last - first) * round / Math.max(rounds - 1, 1));
    }

    /** Blocks whose pattern was overwritten. */
    @Export(name = "blockCorruptions")
    public static int blockCorruptions() {
        return blocks.table.corruptions;
    }

    /** Java arrays whose pattern was overwritten. */
    @Export(name = "objectCorruptions")
    public static int objectCorruptions() {
        return objects.corruptions;
    }

    /** Checks that found a block inside the GC's area. */
    @Export(name = "misplacedBlocks")
    public static int misplacedBlocks() {
        return blocks.table.misplaced;
    }

    /** Broken API promises (usable size, alignment, zeroing). */
    @Export(name = "contractErrors")
    public static int contractErrors() {
        return blocks.table.contractErrors;
    }

    /** Allocations that returned 0. */
    @Export(name = "allocationFailures")
    public static int allocationFailures() {
        return blocks.table.failures;
    }

    /** Collections seen by the weak-reference probe (a lower bound). */
    @Export(name = "collectionsSeen")
    public static int collectionsSeen() {
        return objects.collectionsSeen;
    }

    /** Kibibytes of Java array data allocated by the run. */
    @Export(name = "javaKibAllocated")
    public static int javaKibAllocated() {
        return objects.kibAllocated();
    }

    /** Rounds in which the GC's heap grew. */
    @Export(name = "gcGrowths")
    public static int gcGrowths() {
        return growth.gcGrowths;
    }

    /** Rounds in which the allocator claimed more memory. */
    @Export(name = "allocatorGrowths")
    public static int allocatorGrowths() {
        return growth.allocatorGrowths;
    }

    /** Growths by the other party than the one that grew last. */
    @Export(name = "alternations")
    public static int alternations() {
        return growth.alternations;
    }

    /** Most bytes the allocator's heaps spanned at the end of a round. */
    @Export(name = "allocatorClaimedPeak")
    public static int allocatorClaimedPeak() {
        return allocatorClaimedPeak;
    }

    /** Live blocks now (0 after {@link #run}, which frees them all). */
    @Export(name = "liveBlocks")
    public static int liveBlocks() {
        return NativeHeap.allocationCount();
    }

    /** The first address the allocator may use ({@link GcAgreement#territoryStart()}). */
    @Export(name = "territoryStart")
    public static int territoryStart() {
        return GcAgreement.territoryStart();
    }

    /** The end of the GC's area now. */
    @Export(name = "gcMemoryLimit")
    public static int gcMemoryLimit() {
        return GcAgreement.gcMemoryLimit();
    }

    /** The GC's heap size now. */
    @Export(name = "gcHeapBytes")
    public static int gcHeapBytes() {
        return GcAgreement.gcHeapBytes();
    }

    /** Times the GC asked for a larger memory limit. */
    @Export(name = "gcGrowRequests")
    public static int gcGrowRequests() {
        return GcAgreement.gcGrowRequests();
    }

    /** Pages memory.grow added for the GC. */
    @Export(name = "gcGrownPages")
    public static int gcGrownPages() {
        return GcAgreement.gcGrownPages();
    }

    /** Times the GC's limit would have passed the allocator's territory (0 expected). */
    @Export(name = "gcOverreach")
    public static int gcOverreach() {
        return GcAgreement.gcOverreach();
    }

    /** Arena blocks whose pattern was overwritten ({@link #runArena}). */
    @Export(name = "arenaCorruptions")
    public static int arenaCorruptions() {
        return arenaBlocks.table.corruptions;
    }

    /** Checks that found an arena block inside the GC's area. */
    @Export(name = "arenaMisplaced")
    public static int arenaMisplaced() {
        return arenaBlocks.table.misplaced;
    }

    /** Broken API promises of the arena (usable size, alignment, zeroing). */
    @Export(name = "arenaContractErrors")
    public static int arenaContractErrors() {
        return arenaBlocks.table.contractErrors;
    }

    /** Arena allocations that returned 0. */
    @Export(name = "arenaFailures")
    public static int arenaFailures() {
        return arenaBlocks.table.failures;
    }

    /** Checks that found an arena block (a main-heap allocation) held with no live allocation in it. */
    @Export(name = "arenaEmptyBlocksHeld")
    public static int arenaEmptyBlocksHeld() {
        return arenaBlocks.emptyBlocksHeld;
    }

    /** Checks that found a live arena allocation outside every block the arena holds. */
    @Export(name = "arenaBlocksGoneInUse")
    public static int arenaBlocksGoneInUse() {
        return arenaBlocks.blocksGoneInUse;
    }

    /** Checks after which the arena's heaps were not exactly its blocks. */
    @Export(name = "arenaHeapsNotBlocks")
    public static int arenaHeapsNotBlocks() {
        return arenaBlocks.heapsNotBlocks;
    }

    /** Checks after which the main heap's live allocations or bytes were not the tables' and the arena's blocks. */
    @Export(name = "arenaParentMismatches")
    public static int arenaParentMismatches() {
        return arenaBlocks.parentMismatches;
    }

    /** Blocks the arena took from the main heap (a lower bound). */
    @Export(name = "arenaBlocksTaken")
    public static int arenaBlocksTaken() {
        return arenaBlocks.blocksTaken;
    }

    /** Blocks the arena gave back to the main heap (a lower bound). */
    @Export(name = "arenaBlocksReturned")
    public static int arenaBlocksReturned() {
        return arenaBlocks.blocksReturned;
    }

    /** Most blocks the arena held at once. */
    @Export(name = "arenaPeakBlocks")
    public static int arenaPeakBlocks() {
        return arenaBlocks.peakBlocks;
    }

    /** Usable size of the largest block the arena held. */
    @Export(name = "arenaLargestBlock")
    public static int arenaLargestBlock() {
        return arenaBlocks.largestBlock;
    }

    /** The arena's heaps once every arena block was freed, before it was closed (0 expected). */
    @Export(name = "arenaHeapsLeft")
    public static int arenaHeapsLeft() {
        return arenaHeapsLeft;
    }

}
