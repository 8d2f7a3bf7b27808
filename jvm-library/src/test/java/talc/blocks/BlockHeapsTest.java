package talc.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import talc.core.Counters;
import talc.core.Features;
import talc.core.Mem;
import talc.core.Talc;

/**
 * The block bookkeeping on its own, over the simulated memory: a parent core allocator gives the
 * blocks, a child core allocator (Manual source) gets its heaps from them. A randomized run
 * checks after every operation that each block held holds a live allocation of the child (so it
 * went back exactly when it emptied), that each live allocation lies in a block held (so no
 * block went back in use), and that the parent's live allocations are those blocks.
 */
class BlockHeapsTest {
    private static final int PAGES = 128;
    private static final int PARENT_STATE = 64;
    private static final int BLOCK = 8 << 10;
    private static final int OPS = 20_000;
    private static final int SLOTS = 64;
    private static final int MAX_SIZE = 3 * BLOCK;
    /** Largest alignment asked for, as a shift of 16 bytes (16 B .. 4 KiB). */
    private static final int MAX_ALIGN_SHIFT = 8;

    private int parent;
    private final Set<Integer> taken = new HashSet<>();
    private int takes;
    private int gives;

    /** The parent: a core allocator over the simulated memory, recording what it gave out. */
    private final BlockHeaps.Parent fromParent = new BlockHeaps.Parent() {
        @Override
        public int take(int bytes) {
            int block = Talc.malloc(parent, bytes);
            if (block != 0) {
                assertTrue(taken.add(block));
                takes++;
            }
            return block;
        }

        @Override
        public void give(int block) {
            assertTrue(taken.remove(block), "gives back only blocks it took, once");
            gives++;
            Talc.free(parent, block);
        }
    };

    @BeforeEach
    void parentHeap() {
        Features.reset();
        Mem.reset(PAGES, PAGES);
        parent = Talc.init(PARENT_STATE);
        int base = PARENT_STATE + Talc.stateSize();
        Talc.claim(parent, base, (PAGES << Mem.PAGE_SHIFT) - base);
    }

    @AfterEach
    void reset() {
        Features.reset();
    }

    /** A child allocator whose state block is an allocation of the parent. */
    private int child() {
        int state = Talc.malloc(parent, Talc.stateSize());
        assertNotEquals(0, state);
        return Talc.init(state);
    }

    /** What a block-backed allocator does: on failure, one acquire and one retry. */
    private static int allocate(BlockHeaps heaps, int t, int align, int size) {
        int p = Talc.alignedAlloc(t, align, size);
        if (p == 0 && heaps.acquire(t, size, align)) {
            p = Talc.alignedAlloc(t, align, size);
        }
        return p;
    }

    private static void free(BlockHeaps heaps, int t, int p) {
        Talc.free(t, p);
        heaps.freed(t, p);
    }

    @Test
    void blockSizesArePowersOfTwoFromTheMinimum() {
        for (int bad : new int[] {0, -BLOCK, BlockHeaps.MIN_BLOCK_SIZE / 2, BlockHeaps.MIN_BLOCK_SIZE + 16}) {
            assertThrows(IllegalArgumentException.class, () -> new BlockHeaps(bad, fromParent), "size " + bad);
        }
        assertThrows(NullPointerException.class, () -> new BlockHeaps(BLOCK, null));
        assertEquals(BlockHeaps.MIN_BLOCK_SIZE, new BlockHeaps(BlockHeaps.MIN_BLOCK_SIZE, fromParent).blockSize());
    }

    @Test
    void aRequestGetsABlockOrTheSmallestMultipleThatServesIt() {
        BlockHeaps heaps = new BlockHeaps(BLOCK, fromParent);
        int t = child();
        int small = allocate(heaps, t, Talc.MIN_ALIGN, 100);
        int big = allocate(heaps, t, Talc.MIN_ALIGN, 2 * BLOCK);
        NavigableMap<Integer, Integer> held = heaps.heaps();
        assertEquals(2, held.size());
        List<Integer> spans = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : held.entrySet()) {
            spans.add(e.getValue() - e.getKey());
        }
        assertTrue(spans.contains(BLOCK) && spans.contains(3 * BLOCK), "spans " + spans);
        free(heaps, t, big);
        assertEquals(1, heaps.blockCount(), "the big block went back");
        free(heaps, t, small);
        assertEquals(0, heaps.blockCount());
        assertEquals(takes, gives);
        assertEquals(1, Counters.allocationCount(parent), "only the child's state block is left");
    }

    @Test
    void nothingIsTakenForARequestNoBlockCanServeOrWhenTheParentIsFull() {
        BlockHeaps heaps = new BlockHeaps(BLOCK, fromParent);
        int t = child();
        assertEquals(0, allocate(heaps, t, Talc.MIN_ALIGN, Talc.MAX_REQUEST));
        assertEquals(0, allocate(heaps, t, Talc.MIN_ALIGN, -1));
        assertEquals(0, allocate(heaps, t, Talc.MIN_ALIGN, PAGES << Mem.PAGE_SHIFT), "larger than the parent");
        assertEquals(0, takes);
        assertEquals(0, heaps.blockCount());
        assertFalse(heaps.acquire(t, BLOCK, 3), "a bad alignment");
    }

    @Test
    void randomizedRunKeepsEveryBlockInUseAndNoneEmpty() {
        BlockHeaps heaps = new BlockHeaps(BLOCK, fromParent);
        int t = child();
        Random rng = new Random(5);
        int[] ptrs = new int[SLOTS];
        int[] sizes = new int[SLOTS];
        for (int op = 0; op < OPS; op++) {
            int slot = rng.nextInt(SLOTS);
            if (ptrs[slot] == 0) {
                int size = 1 + rng.nextInt(rng.nextInt(8) == 0 ? MAX_SIZE : BLOCK / 4);
                int p = allocate(heaps, t, Talc.MIN_ALIGN << rng.nextInt(MAX_ALIGN_SHIFT + 1), size);
                assertNotEquals(0, p, "op " + op + ": the parent has room");
                fill(p, size, slot);
                ptrs[slot] = p;
                sizes[slot] = size;
            } else {
                assertFilled(ptrs[slot], sizes[slot], slot, op);
                free(heaps, t, ptrs[slot]);
                ptrs[slot] = 0;
            }
            checkBlocks(heaps, t, ptrs, op);
        }
        assertTrue(takes > 100 && gives > 100, "blocks came and went: " + takes + " taken, " + gives + " given");
        for (int slot = 0; slot < SLOTS; slot++) {
            if (ptrs[slot] != 0) {
                free(heaps, t, ptrs[slot]);
            }
        }
        assertEquals(0, heaps.blockCount());
        assertEquals(0, Counters.heapCount(t));
        assertTrue(taken.isEmpty());
    }

    /** The invariants of BlockHeaps, checked against the child's live allocations and the parent. */
    private void checkBlocks(BlockHeaps heaps, int t, int[] ptrs, int op) {
        NavigableMap<Integer, Integer> held = heaps.heaps();
        Set<Integer> inUse = new HashSet<>();
        for (int p : ptrs) {
            if (p != 0) {
                Map.Entry<Integer, Integer> e = held.floorEntry(p);
                assertNotNull(e, "op " + op + ": a live block lies in no block held");
                assertTrue(p < e.getValue(), "op " + op + ": a live block lies in no block held");
                inUse.add(e.getKey());
            }
        }
        assertEquals(held.keySet(), inUse, "op " + op + ": every block held is in use");
        assertEquals(held.keySet(), taken, "op " + op + ": the blocks held are those the parent gave out");
        assertEquals(held.size(), Counters.heapCount(t), "op " + op + ": every heap of the child is a block");
        assertEquals(held.size() + 1, Counters.allocationCount(parent), "op " + op + ": the parent's live blocks");
    }

    /** Bytes checked at each end of a block, and the stride of the bytes checked in between. */
    private static final int EDGE = 64;
    private static final int STRIDE = 256;

    /** Whether byte {@code i} of a block of {@code size} carries the pattern (the ends, and a byte every stride). */
    private static boolean marked(int i, int size) {
        return i < EDGE || i >= size - EDGE || i % STRIDE == 0;
    }

    private static byte expected(int seed, int i) {
        return (byte) (seed * 31 + i);
    }

    private static void fill(int p, int size, int seed) {
        for (int i = 0; i < size; i++) {
            if (marked(i, size)) {
                Mem.putByte(p + i, expected(seed, i));
            }
        }
    }

    private static void assertFilled(int p, int size, int seed, int op) {
        for (int i = 0; i < size; i++) {
            if (marked(i, size)) {
                assertEquals(expected(seed, i), Mem.getByte(p + i), "op " + op + ": byte " + i + " of slot " + seed);
            }
        }
    }
}
