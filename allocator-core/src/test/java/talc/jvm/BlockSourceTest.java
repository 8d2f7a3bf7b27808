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
import talc.core.Features;
import talc.core.LibraryScan;
import talc.core.Mem;

/**
 * Sources that take heaps in blocks: from another allocator ({@link Source#allocator}) and from
 * the JVM ({@link Source#blocks}). A randomized model checks that a block goes back to the
 * parent as soon as it is empty and never while it holds an allocation.
 */
class BlockSourceTest {
    private static final int BLOCK = 64 << 10;
    private final List<TalcAllocator> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        Features.reset();
    }

    private <A extends TalcAllocator> A track(A a) {
        open.add(a);
        return a;
    }

    @Test
    void aBlockIsTakenForARequestThatDoesNotFitAndGivenBackWhenEmpty() {
        TalcCell parent = track(new TalcCell(Source.reserve(1 << 22)));
        TalcCell child = track(new TalcCell(Source.allocator(parent, BLOCK)));
        assertEquals(1, parent.counters().allocationCount(), "the child's state block");
        int a = child.malloc(100);
        int b = child.malloc(200);
        assertEquals(1, child.heaps().size());
        int block = child.heaps().firstKey();
        assertTrue(parent.usableSize(block) >= BLOCK, "a block of the block size");
        assertEquals(2, parent.counters().allocationCount());
        child.free(a);
        assertEquals(2, parent.counters().allocationCount(), "still in use");
        child.free(b);
        assertEquals(1, parent.counters().allocationCount(), "empty: given back");
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
        assertEquals(1, parent.counters().allocationCount());
        child.close();
        assertEquals(0, parent.counters().allocationCount(), "closing gives the state block back too");
    }

    @Test
    void theParentsOutOfMemoryIsTheChilds() {
        TalcCell parent = track(new TalcCell(Source.reserve(150_000)));
        TalcCell child = track(new TalcCell(Source.allocator(parent, BLOCK)));
        int a = child.malloc(BLOCK - 1000);
        int b = child.malloc(BLOCK - 1000);
        assertTrue(a != 0 && b != 0);
        assertEquals(0, child.malloc(BLOCK - 1000), "a third block does not fit in the parent");
        assertEquals(0, child.malloc(Integer.MAX_VALUE));
        assertEquals(2, child.heaps().size(), "a failed request leaves no block behind");
        TalcCell full = new TalcCell(Source.reserve(4096));
        try {
            assertNotEquals(0, full.malloc(3500));
            assertThrows(IllegalStateException.class, () -> new TalcCell(Source.allocator(full)),
                    "no room for the state block");
        } finally {
            full.close();
        }
    }

    @Test
    void accessorsCoverTheParentsMemoryOnly() {
        TalcCell parent = track(new TalcCell(Source.reserve(1 << 20)));
        TalcCell child = track(new TalcCell(Source.allocator(parent, BLOCK)));
        TalcCell stranger = track(new TalcCell(Source.reserve(1 << 16)));
        int p = child.malloc(16);
        child.putLong(p, 5);
        assertEquals(5, parent.getLong(p), "one memory");
        int s = stranger.malloc(16);
        assertThrows(IndexOutOfBoundsException.class, () -> child.getLong(s));
    }

    @Test
    void closingTheChildFirstGivesEverythingBack() {
        TalcLock parent = track(new TalcLock(Source.reserve(1 << 22)));
        TalcLock child = new TalcLock(Source.allocator(parent, BLOCK));
        for (int i = 0; i < 100; i++) {
            assertNotEquals(0, child.malloc(5000));
        }
        assertTrue(child.heaps().size() > 5);
        child.close();
        assertEquals(0, parent.counters().allocationCount());
        assertEquals(0, LibraryScan.scan(parent).size());
    }

    @Test
    void jvmBlocksAreMappedAndUnmapped() {
        TalcCell c = track(new TalcCell(Source.blocks(BLOCK)));
        assertEquals(0, c.heaps().size(), "no heap before the first request");
        Model m = new Model(c, 3);
        for (int i = 0; i < 20_000; i++) {
            m.step(i % 100 == 0 ? 3 * BLOCK : 2000);
        }
        m.scan();
        NavigableMap<Integer, Integer> heaps = c.heaps();
        assertTrue(heaps.size() > 1, "several blocks: " + heaps.size());
        for (int block : heaps.keySet()) {
            assertEquals(block, Mem.segment(block).base(), "each block is a buffer of its own");
        }
        m.drain();
        assertEquals(0, c.heaps().size());
        for (int block : heaps.keySet()) {
            assertEquals(null, Mem.segment(block).owner(), "unmapped when empty");
        }
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
        Features.configure(wasmBinning, true, true, true, false);
        TalcCell parent = track(new TalcCell(Source.of(ByteBuffer.allocateDirect(8 << 20))));
        TalcCell child = track(new TalcCell(Source.allocator(parent, BLOCK)));
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
