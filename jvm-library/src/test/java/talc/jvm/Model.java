package talc.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import talc.core.LibraryScan;

/**
 * A randomized single-threaded workload on one allocator with a model of its live blocks: checks
 * alignment, usable size, that live blocks never overlap, and (with fill patterns) that no block
 * loses a byte; {@link #scan} compares the heap scan with the model.
 */
final class Model {
    /** A live block: pointer, the bytes asked for, the seed of its fill pattern. */
    record Block(int ptr, int len, int seed) {
    }

    final TalcAllocator a;
    final Random rnd;
    final List<Block> live = new ArrayList<>();
    /** Live blocks by pointer. */
    final TreeMap<Integer, Block> byPtr = new TreeMap<>();
    int nextSeed;
    int failures;

    Model(TalcAllocator a, long seed) {
        this.a = a;
        this.rnd = new Random(seed);
    }

    /** Allocates {@code len} bytes at {@code align}; records and fills the block unless it failed. */
    Block allocate(int len, int align) {
        int p = align == 16 && rnd.nextBoolean() ? a.malloc(len) : a.alignedAlloc(align, len);
        if (p == 0) {
            failures++;
            return null;
        }
        assertEquals(0, p % align, "alignment");
        return add(p, len);
    }

    private Block add(int p, int len) {
        assertTrue(a.usableSize(p) >= len, "usable size");
        Map.Entry<Integer, Block> below = byPtr.lowerEntry(p);
        assertTrue(below == null || below.getKey() + Math.max(below.getValue().len, 1) <= p, "overlaps the block below");
        Map.Entry<Integer, Block> above = byPtr.higherEntry(p);
        assertTrue(above == null || p + Math.max(len, 1) <= above.getKey(), "overlaps the block above");
        assertTrue(!byPtr.containsKey(p), "pointer handed out twice");
        Block b = new Block(p, len, nextSeed++);
        Pattern.fill(a, p, len, b.seed);
        live.add(b);
        byPtr.put(p, b);
        return b;
    }

    /** Frees a random live block after checking its contents; false when none is live. */
    boolean freeRandom() {
        if (live.isEmpty()) {
            return false;
        }
        int i = rnd.nextInt(live.size());
        Block b = live.get(i);
        Pattern.check(a, b.ptr, b.len, b.seed);
        remove(i);
        a.free(b.ptr);
        return true;
    }

    /** Reallocates a random live block to {@code len}; checks the kept bytes and refills it. */
    void reallocRandom(int len) {
        if (live.isEmpty()) {
            return;
        }
        int i = rnd.nextInt(live.size());
        Block b = live.get(i);
        Pattern.check(a, b.ptr, b.len, b.seed);
        int q = a.realloc(b.ptr, len);
        if (len == 0) {
            assertEquals(0, q, "realloc(p, 0) frees p");
            remove(i);
            return;
        }
        if (q == 0) {
            failures++;
            Pattern.check(a, b.ptr, b.len, b.seed);
            return;
        }
        remove(i);
        Pattern.check(a, q, Math.min(b.len, len), b.seed);
        add(q, len);
    }

    private void remove(int i) {
        Block b = live.get(i);
        Block last = live.remove(live.size() - 1);
        if (i < live.size()) {
            live.set(i, last);
        }
        byPtr.remove(b.ptr);
    }

    /** One random step: allocate (half the time or when nothing is live), free, or realloc. */
    void step(int maxLen) {
        int r = rnd.nextInt(10);
        int len = size(maxLen);
        if (r < 5 || live.isEmpty()) {
            allocate(len, r == 0 ? 16 << rnd.nextInt(6) : 16);
        } else if (r < 8) {
            freeRandom();
        } else {
            reallocRandom(len);
        }
    }

    /** Sizes skewed to small ones: uniform below a random cap. */
    int size(int maxLen) {
        return rnd.nextInt(1 + rnd.nextInt(maxLen));
    }

    /** Checks every live block's contents and compares the heap scan with the model. */
    void scan() {
        for (Block b : live) {
            Pattern.check(a, b.ptr, b.len, b.seed);
        }
        Map<Integer, Integer> found = LibraryScan.scan(a);
        assertEquals(byPtr.keySet(), found.keySet(), "allocations in the heaps are the model's");
    }

    /** Frees everything that is live. */
    void drain() {
        while (freeRandom()) {
            // until empty
        }
    }
}
