package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static talc.core.Chunk.SIZE_MASK;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checked build under attack, exhaustively on small heaps (issue #19): for every layout
 * around a boundary between two blocks ({@link Layout}), every write of 1 to 32 bytes past the lower block's end
 * or before the upper block's start, with each byte pattern (0x00, 0x41, 0x80, 0xF0, 0xFF,
 * random), and every call on either block ({@code free}, {@code realloc} shrinking, growing and
 * moving, {@code malloc_usable_size}) or a {@code malloc}: the call reports (kind
 * {@code CORRUPTED}, memory unchanged) or, a call on either block, goes through and leaves a
 * heap that {@code Talc.check} accepts; nothing traps or runs away ({@link CheckedOracle}).
 * Then a model run on the damaged heap: more calls, double frees of freed pointers among them,
 * held to the same contract, never handing out memory over a live block or changing a live
 * block's bytes; at its end, a heap that {@code Talc.check} accepts is one the test's own heap
 * scan accepts, holding exactly the model's blocks: no damage goes unseen.
 */
class CorruptionTest {
    /** Bytes of the test heap. */
    private static final int HEAP = 2048;
    private static final int MAX_WRITE = 32;
    /** Byte patterns; -1 stands for seeded random bytes. */
    private static final int[] PATTERNS = {0x00, 0x41, 0x80, 0xF0, 0xFF, -1};
    private static final int MODEL_OPS = 40;

    /**
     * Around the boundary: two blocks; a 256-byte chunk above (a header that a few zero bytes
     * turn into a sentinel's); a 16-byte gap between; a larger gap; the heap's first block
     * above its start; its top block below its sentinel.
     */
    private enum Layout { ADJACENT, ADJACENT_256, SMALL_GAP, GAP, FIRST, TOP }

    private enum Call { FREE, SHRINK, GROW, MOVE, USABLE }

    private long cases;
    private long reported;
    private long clean;
    private long modelCalls;
    private long modelReports;

    @BeforeEach
    void checked() {
        Features.configure(true, true, true, true, true);
    }

    @AfterEach
    void restore() {
        Features.reset();
    }

    @Test
    void everyShortWriteAcrossABoundaryIsReportedOrHarmless() {
        for (Layout layout : Layout.values()) {
            for (boolean overflow : new boolean[] {true, false}) {
                if (overflow ? layout == Layout.FIRST : layout == Layout.TOP) {
                    continue;
                }
                for (int length = 1; length <= MAX_WRITE; length++) {
                    for (int pattern : PATTERNS) {
                        for (int side = 0; side < 2; side++) {
                            for (Call call : Call.values()) {
                                run(layout, overflow, length, pattern, side, call, -1);
                            }
                        }
                        run(layout, overflow, length, pattern, 0, null, 1);
                        run(layout, overflow, length, pattern, 0, null, 400);
                    }
                }
            }
        }
        System.out.printf("corruption: %d cases, %d reported, %d passed clean; model runs: %d calls, %d reported%n",
                cases, reported, clean, modelCalls, modelReports);
        assertTrue(reported > clean, "most damage is reported");
    }

    /**
     * One case: the layout, the write, then {@code call} on the lower ({@code side} 0) or
     * upper block, or {@code malloc(mallocSize)} when {@code call} is null; then a model run.
     */
    private void run(Layout layout, boolean overflow, int length, int pattern, int side, Call call, int mallocSize) {
        String name = layout + (overflow ? ", overflow of " : ", underflow of ") + length + " bytes of "
                + (pattern < 0 ? "random" : String.format("0x%02X", pattern)) + ", then "
                + (call == null ? "malloc(" + mallocSize + ")" : call + " of the " + (side == 0 ? "lower" : "upper") + " block");
        Heap h = new Heap(name);
        int[] pair = h.build(layout);
        int target = pair[side];
        if (call != null && target == 0) {
            return;
        }
        cases++;
        h.damage(overflow ? pair[0] + h.usable(pair[0]) : pair[1] - 1, length, overflow, pattern,
                new Random(cases));
        int kind = call == null ? h.malloc(mallocSize) : h.call(call, target);
        if (kind != 0) {
            reported++;
        } else {
            clean++;
            if (call != null) {
                assertEquals(0, Talc.check(h.f.t), name + ": the call went through, so the heap must be consistent");
            }
        }
        h.modelRun(new Random(cases * 31));
    }

    /** A checked allocator with one small heap and the model of its blocks. */
    private final class Heap {
        final String name;
        final Fixture f = Fixture.manual(1);
        final int base = Fixture.STATE_ADDR + Talc.stateSize();
        final int end = f.claim(base, HEAP);
        /** Live blocks: user pointer to their expected bytes (their whole usable size). */
        final TreeMap<Integer, byte[]> live = new TreeMap<>();
        /** Pointers freed so far. */
        final List<Integer> freed = new ArrayList<>();
        private int fills;

        Heap(String name) {
            this.name = name;
        }

        /** Makes the layout; returns {lower block, upper block} around the boundary under attack (0: none). */
        int[] build(Layout layout) {
            switch (layout) {
                case FIRST: {
                    int high = allocate(40);
                    allocate(24);
                    return new int[] {0, high};
                }
                case TOP: {
                    int x = allocate(24);
                    int top = Fixture.header(x + usable(x) + Chunk.SEAL + Chunk.HEADER) & SIZE_MASK;
                    return new int[] {allocate(top - Chunk.overhead()), 0};
                }
                default: {
                    allocate(24);
                    int low = allocate(40);
                    int gap = layout == Layout.SMALL_GAP ? allocate(4) : layout == Layout.GAP ? allocate(100) : 0;
                    int high = allocate(layout == Layout.ADJACENT_256 ? 256 - Chunk.overhead() : 40);
                    allocate(24);
                    if (gap != 0) {
                        free(gap);
                    }
                    return new int[] {low, high};
                }
            }
        }

        int usable(int ptr) {
            return live.get(ptr).length;
        }

        private int allocate(int size) {
            int p = Talc.malloc(f.t, size);
            assertTrue(p != 0, name + ": the layout fits");
            added(p);
            return p;
        }

        private void free(int p) {
            Talc.free(f.t, p);
            live.remove(p);
            freed.add(p);
        }

        /** Records the new block at {@code p} and fills it. */
        private void added(int p) {
            byte[] bytes = new byte[(Fixture.header(p) & SIZE_MASK) - Chunk.overhead()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (fills * 37 + i * 11 + 1);
                Mem.putByte(p + i, bytes[i]);
            }
            fills++;
            live.put(p, bytes);
            freed.remove(Integer.valueOf(p));
        }

        /**
         * Writes {@code length} bytes from {@code from} upwards (or from {@code from} downwards),
         * only inside the heap's region; the model learns what landed in a block.
         */
        void damage(int from, int length, boolean upwards, int pattern, Random rnd) {
            for (int i = 0; i < length; i++) {
                int at = upwards ? from + i : from - i;
                if (at < base || at >= end) {
                    continue;
                }
                byte value = (byte) (pattern < 0 ? rnd.nextInt(256) : pattern);
                Mem.putByte(at, value);
                Map.Entry<Integer, byte[]> block = live.floorEntry(at);
                if (block != null && at < block.getKey() + block.getValue().length) {
                    block.getValue()[at - block.getKey()] = value;
                }
            }
        }

        private CheckedOracle.Outcome call(String what, IntSupplier call) {
            modelCalls++;
            return CheckedOracle.call(name + ": " + what, 0, end, call);
        }

        /** The outcome of a call on a live block or a malloc: any report says {@code CORRUPTED}. */
        private CheckedOracle.Outcome live(String what, IntSupplier call) {
            CheckedOracle.Outcome o = call(what, call);
            assertTrue(o.reported == 0 || o.reported == Talc.CORRUPTED, name + ": " + what + " reported kind " + o.reported);
            return o;
        }

        /** {@code call} on the live block {@code p}; returns the kind reported, or 0. */
        int call(Call call, int p) {
            int usable = usable(p);
            switch (call) {
                case FREE: {
                    CheckedOracle.Outcome o = live("free", () -> {
                        Talc.free(f.t, p);
                        return 0;
                    });
                    if (o.reported == 0) {
                        live.remove(p);
                        freed.add(p);
                    }
                    return o.reported;
                }
                case USABLE: {
                    CheckedOracle.Outcome o = live("malloc_usable_size", () -> Talc.usableSize(f.t, p));
                    if (o.reported == 0) {
                        assertEquals(usable, o.result, name + ": usable size");
                    }
                    return o.reported;
                }
                default:
                    return realloc(p, call == Call.SHRINK ? 1 : call == Call.GROW ? usable + 1 : 1500);
            }
        }

        int realloc(int p, int size) {
            CheckedOracle.Outcome o = live("realloc(" + size + ")", () -> Talc.realloc(f.t, p, size));
            if (o.reported != 0) {
                return o.reported;
            }
            if (size == 0) {
                live.remove(p);
                freed.add(p);
            } else if (o.result != 0) {
                byte[] old = live.remove(p);
                int kept = Math.min(old.length, size);
                for (int i = 0; i < kept; i++) {
                    assertEquals(old[i], Mem.getByte(o.result + i), name + ": realloc keeps the contents");
                }
                if (o.result != p) {
                    freed.add(p);
                }
                placed(o.result);
            }
            return 0;
        }

        int malloc(int size) {
            CheckedOracle.Outcome o = live("malloc(" + size + ")", () -> Talc.malloc(f.t, size));
            if (o.reported == 0 && o.result != 0) {
                placed(o.result);
            }
            return o.reported;
        }

        /** A block handed out at {@code p}: inside the heap, over no live block. */
        private void placed(int p) {
            int chunkEnd = Chunk.of(p) + (Fixture.header(p) & SIZE_MASK);
            assertTrue(p % Talc.MIN_ALIGN == 0 && p > base && chunkEnd < end, name + ": a block inside the heap");
            Map.Entry<Integer, byte[]> below = live.lowerEntry(p);
            Map.Entry<Integer, byte[]> above = live.ceilingEntry(p);
            assertTrue(below == null || below.getKey() + below.getValue().length + Chunk.SEAL <= Chunk.of(p),
                    name + ": a block over the live block below");
            assertTrue(above == null || chunkEnd <= Chunk.of(above.getKey()), name + ": a block over the live block above");
            added(p);
        }

        /** Every live block holds what the model says. */
        private void intact() {
            for (Map.Entry<Integer, byte[]> e : live.entrySet()) {
                byte[] expected = e.getValue();
                assertTrue(Arrays.equals(expected, Fixture.memorySnapshot(e.getKey(), e.getKey() + expected.length)),
                        name + ": the block at " + e.getKey() + " changed");
            }
        }

        /** More calls on the damaged heap, then: a heap the allocator calls consistent is consistent. */
        void modelRun(Random rnd) {
            intact();
            for (int i = 0; i < MODEL_OPS; i++) {
                int r = rnd.nextInt(100);
                List<Integer> ptrs = new ArrayList<>(live.keySet());
                int kind;
                if (ptrs.isEmpty() || r < 40) {
                    kind = malloc(rnd.nextInt(200));
                } else if (r < 65) {
                    kind = call(Call.FREE, ptrs.get(rnd.nextInt(ptrs.size())));
                } else if (r < 80) {
                    kind = realloc(ptrs.get(rnd.nextInt(ptrs.size())), rnd.nextInt(300));
                } else if (r < 90) {
                    kind = call(Call.USABLE, ptrs.get(rnd.nextInt(ptrs.size())));
                } else {
                    kind = staleFree(rnd);
                    if (kind == 0) {
                        continue;
                    }
                }
                if (kind != 0) {
                    modelReports++;
                }
                intact();
            }
            if (Talc.check(f.t) == 0) {
                HeapScan.Result scan = f.scan();
                assertEquals(live.keySet(), scan.allocations.keySet(), name + ": a consistent heap holds the model's blocks");
            }
        }

        /** Frees a pointer freed before (that is no live block now); returns the kind, or 0 when there was none to free. */
        private int staleFree(Random rnd) {
            if (freed.isEmpty()) {
                return 0;
            }
            int p = freed.get(rnd.nextInt(freed.size()));
            Map.Entry<Integer, byte[]> below = live.lowerEntry(p);
            boolean inside = below != null && p < below.getKey() + below.getValue().length + Chunk.overhead();
            CheckedOracle.Outcome o = call("free of the freed " + p, () -> {
                Talc.free(f.t, p);
                return 0;
            });
            assertTrue(o.reported == Talc.CORRUPTED || o.reported == (inside ? Talc.INSIDE_BLOCK : Talc.NOT_ALLOCATED),
                    name + ": a free of the freed pointer " + p + " reports it, got " + o.reported);
            return o.reported;
        }
    }
}
