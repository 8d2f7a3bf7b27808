package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A randomized, model-checked run against one allocator: every live block is known to the model
 * with its size and a fill pattern; each operation's result is checked (alignment, usable size,
 * no overlap with any other block, inside a heap, outside memory other parties own), contents
 * are verified when a block is freed or moved, and the full heap scan runs every
 * {@link #SCAN_EVERY} operations, comparing the allocations it finds with the model's.
 */
final class ModelRun {
    static final int SCAN_EVERY = 512;
    /** Blocks up to this size get every byte patterned and verified; larger ones are sampled. */
    private static final int FULL_PATTERN_LIMIT = 4096;
    private static final int SAMPLE_EDGE = 256;
    private static final int SAMPLE_STRIDE_MASK = 4095;
    private static final int MAX_LIVE = 1500;

    static final class Block {
        int ptr;
        int size;
        final int id;

        Block(int ptr, int size, int id) {
            this.ptr = ptr;
            this.size = size;
            this.id = id;
        }
    }

    final Fixture f;
    final Random rnd;
    final List<Block> live = new ArrayList<>();
    final TreeMap<Integer, Block> byAddr = new TreeMap<>();
    /** Regions of memory that belong to someone else (foreign grows): start to end. */
    final TreeMap<Integer, Integer> foreign = new TreeMap<>();
    int nextId = 1;
    long ops;
    long failures;
    int maxSize = 1 << 18;
    /** Checked builds: bad frees and reallocs made (and reported). */
    long misuses;
    /** Checked builds: one operation in this many is followed by a bad free or realloc. */
    private static final int MISUSE_ONE_IN = 50;

    ModelRun(Fixture f, long seed) {
        this.f = f;
        this.rnd = new Random(seed);
    }

    int randomSize() {
        int r = rnd.nextInt(100);
        int limit = r < 35 ? 64 : r < 65 ? 512 : r < 88 ? 4096 : r < 97 ? 65536 : maxSize;
        return rnd.nextInt(limit + 1);
    }

    int randomAlign() {
        return rnd.nextInt(5) == 0 ? 1 << rnd.nextInt(17) : Talc.MIN_ALIGN;
    }

    /** One random operation; heap management is the caller's (see the tests). */
    void step() {
        ops++;
        int r = rnd.nextInt(100);
        if (live.isEmpty() || (r < 45 && live.size() < MAX_LIVE)) {
            allocate(randomSize(), randomAlign(), r % 10 == 0);
        } else if (r < 80 || live.size() >= MAX_LIVE) {
            free(live.get(rnd.nextInt(live.size())));
        } else {
            realloc(live.get(rnd.nextInt(live.size())), r < 83 ? 0 : randomSize());
        }
        if (Features.checked() && rnd.nextInt(MISUSE_ONE_IN) == 0) {
            misuse();
        }
        if (ops % SCAN_EVERY == 0) {
            scan();
        }
    }

    /**
     * Checked builds: frees or reallocs a pointer that is no live block (near a live block, or
     * anywhere in memory) and expects a report of a kind that fits what the model knows, with
     * the heap unchanged (the next scan and the blocks' patterns check that).
     */
    private void misuse() {
        int ptr;
        if (live.isEmpty() || rnd.nextBoolean()) {
            ptr = rnd.nextInt(Mem.pages() << Mem.PAGE_SHIFT);
        } else {
            Block b = live.get(rnd.nextInt(live.size()));
            ptr = b.ptr + (rnd.nextBoolean() ? 1 + rnd.nextInt(Math.max(b.size, 1)) : -rnd.nextInt(64));
        }
        if (byAddr.containsKey(ptr) || ptr == 0) {
            return;
        }
        Map.Entry<Integer, Block> below = byAddr.floorEntry(ptr);
        boolean inLiveBlock = below != null && ptr < below.getKey() + Talc.usableSize(f.t, below.getKey());
        int[] reported = new int[2];
        Report.setHandler((kind, address) -> {
            reported[0] = kind;
            reported[1] = address;
        });
        try {
            if (rnd.nextBoolean()) {
                Talc.free(f.t, ptr);
            } else {
                assertEquals(0, Talc.realloc(f.t, ptr, randomSize()), "a bad realloc returns 0");
            }
        } finally {
            Report.setHandler(null);
        }
        assertEquals(ptr, reported[1], "the misuse is reported at the pointer given");
        int kind = reported[0];
        if ((ptr & (Talc.MIN_ALIGN - 1)) != 0) {
            assertEquals(Talc.MISALIGNED, kind);
        } else if (inLiveBlock) {
            assertEquals(Talc.INSIDE_BLOCK, kind, "inside a live block");
        } else {
            assertTrue(kind == Talc.OUTSIDE_HEAPS || kind == Talc.NOT_ALLOCATED,
                    "outside every heap, or free memory: " + kind);
        }
        misuses++;
    }

    /** malloc, or aligned_alloc when {@code align} is not the default, or calloc (default alignment) when {@code zeroed}. */
    Block allocate(int size, int align, boolean zeroed) {
        if (zeroed) {
            align = Talc.MIN_ALIGN;
        }
        int pagesBefore = Mem.pages();
        int ptr = zeroed ? Talc.calloc(f.t, 1, size)
                : align == Talc.MIN_ALIGN ? Talc.malloc(f.t, size) : Talc.alignedAlloc(f.t, align, size);
        f.trackGrowth(pagesBefore);
        if (ptr == 0) {
            failures++;
            return null;
        }
        Block b = new Block(ptr, size, nextId++);
        checkPlacement(b, Math.max(align, Talc.MIN_ALIGN));
        if (zeroed) {
            for (int i = 0; i < size; i++) {
                if (patterned(i, size) && Mem.getByte(ptr + i) != 0) {
                    fail("calloc memory not zeroed at +" + i);
                }
            }
        }
        fill(b, 0);
        live.add(b);
        byAddr.put(ptr, b);
        return b;
    }

    void free(Block b) {
        verify(b, b.size);
        Talc.free(f.t, b.ptr);
        forget(b);
    }

    void realloc(Block b, int size) {
        verify(b, b.size);
        int pagesBefore = Mem.pages();
        int ptr = Talc.realloc(f.t, b.ptr, size);
        f.trackGrowth(pagesBefore);
        if (size == 0) {
            assertEquals(0, ptr, "realloc(p, 0) returns 0");
            forget(b);
            return;
        }
        if (ptr == 0) {
            failures++;
            verify(b, b.size);
            return;
        }
        byAddr.remove(b.ptr);
        int kept = Math.min(b.size, size);
        b.ptr = ptr;
        verify(b, kept);
        b.size = size;
        checkPlacement(b, Talc.MIN_ALIGN);
        byAddr.put(ptr, b);
        // Which bytes carry the pattern depends on the size: repattern the whole block.
        fill(b, 0);
    }

    private void forget(Block b) {
        byAddr.remove(b.ptr);
        int i = live.indexOf(b);
        live.set(i, live.get(live.size() - 1));
        live.remove(live.size() - 1);
    }

    private void checkPlacement(Block b, int align) {
        int usable = Talc.usableSize(f.t, b.ptr);
        assertTrue(b.ptr % align == 0, () -> "pointer " + b.ptr + " not aligned to " + align);
        assertTrue(usable >= b.size, () -> "usable size " + usable + " < requested " + b.size);
        int end = b.ptr + usable;
        Map.Entry<Integer, Block> below = byAddr.lowerEntry(b.ptr);
        if (below != null) {
            int belowEnd = below.getKey() + Talc.usableSize(f.t, below.getKey());
            assertTrue(belowEnd <= b.ptr - Chunk.HEADER, () -> "block " + b.ptr + " overlaps the one below");
        }
        Map.Entry<Integer, Block> above = byAddr.ceilingEntry(b.ptr);
        if (above != null && above.getValue() != b) {
            assertTrue(end <= above.getKey() - Chunk.HEADER, () -> "block " + b.ptr + " overlaps the one above");
        }
        Map.Entry<Integer, Integer> heap = f.heaps.floorEntry(b.ptr);
        assertTrue(heap != null && end < heap.getValue(), () -> "block " + b.ptr + " outside every heap");
        Map.Entry<Integer, Integer> other = foreign.floorEntry(end);
        assertTrue(other == null || other.getValue() <= b.ptr - Chunk.HEADER,
                () -> "block " + b.ptr + " lies in memory grown by someone else");
    }

    static boolean patterned(int i, int size) {
        return size <= FULL_PATTERN_LIMIT || i < SAMPLE_EDGE || i >= size - SAMPLE_EDGE || (i & SAMPLE_STRIDE_MASK) == 0;
    }

    private static byte pattern(Block b, int i) {
        return (byte) (b.id * 167 + i);
    }

    private void fill(Block b, int from) {
        for (int i = from; i < b.size; i++) {
            if (patterned(i, b.size)) {
                Mem.putByte(b.ptr + i, pattern(b, i));
            }
        }
    }

    private void verify(Block b, int upTo) {
        for (int i = 0; i < upTo; i++) {
            if (patterned(i, b.size) && Mem.getByte(b.ptr + i) != pattern(b, i)) {
                fail("block " + b.id + " at " + b.ptr + " (size " + b.size + ") corrupted at +" + i + " after " + ops + " ops");
            }
        }
    }

    /** Takes pages for "another module", fills them, and remembers them. */
    void foreignGrow(int pages) {
        int old = Mem.grow(pages);
        if (old < 0) {
            return;
        }
        int start = old << Mem.PAGE_SHIFT;
        int end = start + (pages << Mem.PAGE_SHIFT);
        Mem.fill(start, 0x5A, end - start);
        foreign.put(start, end);
    }

    void scan() {
        HeapScan.Result r = f.scan();
        assertEquals(byAddr.keySet(), r.allocations.keySet(), "the heap's allocations are the model's");
        for (Map.Entry<Integer, Integer> e : foreign.entrySet()) {
            for (int a = e.getKey(); a < e.getValue(); a += SAMPLE_EDGE) {
                assertEquals(0x5A, Mem.getByte(a), "foreign memory overwritten at " + a);
            }
        }
    }

    /** Frees everything and checks the heaps are whole gaps again. */
    void drain() {
        while (!live.isEmpty()) {
            free(live.get(live.size() - 1));
        }
        HeapScan.Result r = f.scan();
        assertEquals(0, r.allocations.size());
        assertEquals(r.heaps, r.gaps, "each empty heap is one gap");
    }
}
