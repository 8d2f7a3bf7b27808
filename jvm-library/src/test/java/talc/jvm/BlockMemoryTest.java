package talc.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.NavigableMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import talc.core.LibraryScan;
import talc.core.Talc;

/**
 * Memory in blocks of another allocator ({@link Memory#blocksOf}). A randomized model checks
 * that a block goes back to the parent as soon as it is empty and never while it holds an
 * allocation, and the parent's counters count the child's state block as overhead.
 */
class BlockMemoryTest {
    private static final int BLOCK = 64 << 10;
    private final List<TalcAllocator> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <A extends TalcAllocator> A track(A a) {
        open.add(a);
        return a;
    }

    @Test
    void aBlockIsTakenForARequestThatDoesNotFitAndGivenBackWhenEmpty() {
        TalcCell parent = track(new TalcCell(Memory.reserve(1 << 22)));
        TalcCell child = track(new TalcCell(Memory.blocksOf(parent, BLOCK)));
        assertEquals(0, parent.counters().allocationCount(), "the child's state block is overhead");
        assertTrue(parent.counters().overheadBytes() >= Talc.stateSize());
        int a = child.malloc(100);
        int b = child.malloc(200);
        assertEquals(1, child.heaps().size());
        int block = child.heaps().firstKey();
        assertTrue(child.heaps().get(block) - block >= BLOCK - 16, "a block of the block size");
        assertEquals(Talc.INSIDE_BLOCK, assertThrows(MisuseException.class, () -> parent.usableSize(block)).kind(),
                "a block lent to the child is not the parent's to use");
        assertEquals(1, parent.counters().allocationCount());
        child.free(a);
        assertEquals(1, parent.counters().allocationCount(), "still in use");
        child.free(b);
        assertEquals(0, parent.counters().allocationCount(), "empty: given back");
        assertEquals(0, parent.counters().allocatedBytes());
        assertEquals(0, child.heaps().size());
        assertEquals(0, child.counters().heapCount());
        // A request larger than a block gets the smallest multiple of the block size.
        int big = child.malloc(3 * BLOCK);
        assertNotEquals(0, big);
        NavigableMap<Integer, Integer> heaps = child.heaps();
        assertEquals(4 * BLOCK, heaps.get(heaps.firstKey()) - heaps.firstKey());
        int moved = child.realloc(big, 10);
        assertEquals(big, moved, "shrinks in place");
        child.free(moved);
        assertEquals(0, parent.counters().allocationCount());
        int overheadWithChild = parent.counters().overheadBytes();
        child.close();
        assertEquals(0, parent.counters().allocationCount());
        assertTrue(parent.counters().overheadBytes() < overheadWithChild, "closing gives the state block back too");
        assertEquals(2, parent.counters().totalAllocationCount(), "the two blocks, not the state block");
    }

    @Test
    void theParentsOutOfMemoryIsTheChilds() {
        TalcCell parent = track(new TalcCell(Memory.reserve(150_000)));
        TalcCell child = track(new TalcCell(Memory.blocksOf(parent, BLOCK)));
        int a = child.malloc(BLOCK - 1000);
        int b = child.malloc(BLOCK - 1000);
        assertTrue(a != 0 && b != 0);
        assertEquals(0, child.malloc(BLOCK - 1000), "a third block does not fit in the parent");
        assertEquals(0, child.malloc(Integer.MAX_VALUE));
        assertEquals(2, child.heaps().size(), "a failed request leaves no block behind");
        TalcCell full = new TalcCell(Memory.reserve(4096));
        try {
            assertNotEquals(0, full.malloc(3500));
            assertThrows(IllegalStateException.class, () -> new TalcCell(Memory.blocksOf(full)),
                    "no room for the state block");
        } finally {
            full.close();
        }
    }

    @Test
    void parentAndChildShareOneMemoryButNotTheirPointers() {
        TalcCell parent = track(new TalcCell(Memory.reserve(1 << 20)));
        TalcCell child = track(new TalcCell(Memory.blocksOf(parent, BLOCK)));
        int p = child.malloc(16);
        child.putLong(p, 5);
        assertEquals(5, parent.getLong(p), "one memory: the pointers are offsets into the parent's");
        int q = parent.malloc(16);
        int block = child.heaps().firstKey();
        int parentAllocations = parent.counters().allocationCount();
        MisuseException e = assertThrows(MisuseException.class, () -> parent.free(p), "the child's block, inside the parent's");
        assertEquals(Talc.INSIDE_BLOCK, e.kind());
        assertEquals(Talc.OUTSIDE_HEAPS, assertThrows(MisuseException.class, () -> child.free(q)).kind());
        assertEquals(Talc.OUTSIDE_HEAPS, assertThrows(MisuseException.class, () -> child.free(block)).kind());
        assertEquals(parentAllocations, parent.counters().allocationCount(), "nothing changed");
        assertEquals(5, child.getLong(p));
        child.free(p);
        parent.free(q);
    }

    @Test
    void closingTheChildFirstGivesEverythingBack() {
        TalcLock parent = track(new TalcLock(Memory.reserve(1 << 22)));
        TalcLock child = new TalcLock(Memory.blocksOf(parent, BLOCK));
        for (int i = 0; i < 100; i++) {
            assertNotEquals(0, child.malloc(5000));
        }
        assertTrue(child.heaps().size() > 5);
        child.close();
        assertEquals(0, parent.counters().allocationCount());
        assertEquals(0, LibraryScan.scan(parent).size());
    }

    /**
     * The model test of a child over a parent that also serves its own allocations: after every
     * step each child block holds a live child allocation (empty blocks went back) and every live
     * child allocation lies in a child block; every 200 steps the heap scans of both show that
     * the parent's allocations are exactly the child's blocks, its state block and the parent's
     * own blocks, and the child's are exactly the model's.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void randomizedModelOfTheBlocks(boolean wasmBinning) {
        Options options = Options.DEFAULT.withWasmBinning(wasmBinning);
        TalcCell parent = track(new TalcCell(Memory.of(ByteBuffer.allocateDirect(8 << 20)), options));
        TalcCell child = track(new TalcCell(Memory.blocksOf(parent, BLOCK), options.withWasmBinning(!wasmBinning)));
        int state = LibraryScan.scan(parent).firstKey();
        Model kid = new Model(child, 11);
        Model own = new Model(parent, 12);
        Random rnd = new Random(13);
        int blocksGivenBack = 0;
        int before = 0;
        for (int i = 0; i < 30_000; i++) {
            if (rnd.nextInt(8) == 0) {
                own.step(4000);
            } else {
                int maxLen = rnd.nextInt(50) == 0 ? 3 * BLOCK : 6000;
                // Phases of growth and of shrinking, so that blocks empty out.
                if ((i / 3000) % 2 == 1 && !kid.live.isEmpty() && rnd.nextInt(3) > 0) {
                    kid.freeRandom();
                } else {
                    kid.step(maxLen);
                }
            }
            NavigableMap<Integer, Integer> blocks = child.heaps();
            checkBlocksAgainstModel(blocks, kid);
            blocksGivenBack += Math.max(0, before - blocks.size());
            before = blocks.size();
            if (i % 200 == 0) {
                checkParent(parent, blocks, state, own);
                kid.scan();
            }
        }
        assertTrue(blocksGivenBack > 20, "blocks went back: " + blocksGivenBack);
        kid.drain();
        assertEquals(0, child.heaps().size(), "all blocks back once the child is empty");
        checkParent(parent, child.heaps(), state, own);
        child.close();
        own.scan();
        assertEquals(own.live.size(), parent.counters().allocationCount());
    }

    private static void checkBlocksAgainstModel(NavigableMap<Integer, Integer> blocks, Model kid) {
        for (Map.Entry<Integer, Integer> b : blocks.entrySet()) {
            assertTrue(!kid.byPtr.subMap(b.getKey(), b.getValue()).isEmpty(), "an empty block was kept: " + b);
        }
        for (int p : kid.byPtr.keySet()) {
            Map.Entry<Integer, Integer> b = blocks.floorEntry(p);
            assertTrue(b != null && p < b.getValue(), "a live allocation outside every block: " + p);
        }
    }

    private static void checkParent(TalcCell parent, NavigableMap<Integer, Integer> blocks, int state, Model own) {
        NavigableMap<Integer, Integer> inParent = LibraryScan.scan(parent);
        NavigableMap<Integer, Integer> expected = new java.util.TreeMap<>();
        for (Map.Entry<Integer, Integer> b : blocks.entrySet()) {
            expected.put(b.getKey(), b.getValue() - b.getKey());
        }
        expected.put(state, 0);
        own.byPtr.keySet().forEach(p -> expected.put(p, 0));
        assertEquals(expected.keySet(), inParent.keySet(), "the parent's allocations");
        for (Map.Entry<Integer, Integer> b : blocks.entrySet()) {
            assertTrue(inParent.get(b.getKey()) >= b.getValue() - b.getKey(), "a block holds its heap");
        }
    }
}
