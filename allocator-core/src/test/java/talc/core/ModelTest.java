package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized model-based tests over many seeds: alloc, calloc, aligned alloc, free, realloc, and
 * heap management (claim, extend, truncate) with Manual heaps; foreign {@code memory.grow}s and
 * a capped memory with the growing sources. Every build-time configuration is covered.
 * The operation counts are printed so the totals can be quoted.
 */
class ModelTest {
    private static final int SEEDS = 24;
    private static final int OPS_PER_SEED = 30_000;
    /** Manual heaps live in slots of this size, so each can be extended within its slot. */
    private static final int SLOT = 4 << 20;
    private static final int SLOTS = 16;

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of("wasm binning", true, true, true, false),
                Arguments.of("default binning", false, true, true, false),
                Arguments.of("disable-grow-in-place", true, false, true, false),
                Arguments.of("disable-realloc-in-place", true, true, false, false),
                Arguments.of("checked", true, true, true, true));
    }

    @AfterEach
    void restoreFeatures() {
        Features.reset();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void manualHeapsWithClaimExtendTruncate(String name, boolean wasmBinning, boolean grow, boolean realloc,
                                           boolean checked) {
        Features.configure(wasmBinning, true, grow, realloc, checked);
        long ops = 0;
        long misuses = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            Fixture f = Fixture.manual(SLOT * SLOTS >>> Mem.PAGE_SHIFT);
            ModelRun run = new ModelRun(f, seed);
            // slot 0 holds the state block at its start
            claimInSlot(f, run, 0, Talc.stateSize() + Fixture.STATE_ADDR);
            for (int i = 0; i < OPS_PER_SEED; i++) {
                if (run.rnd.nextInt(100) < 3) {
                    heapOperation(f, run);
                } else {
                    run.step();
                }
            }
            run.scan();
            run.drain();
            ops += run.ops;
            misuses += run.misuses;
        }
        System.out.printf("model, manual heaps, %s: %d operations, %d misuses reported%n", name, ops, misuses);
        assertEquals(checked, misuses > 0, "misuse is tried exactly in the checked build");
    }

    private static void claimInSlot(Fixture f, ModelRun run, int slot, int reservedAtStart) {
        int base = slot * SLOT + reservedAtStart + run.rnd.nextInt(100);
        int size = 64 + run.rnd.nextInt(SLOT / 2);
        f.claim(base, size);
    }

    private static void heapOperation(Fixture f, ModelRun run) {
        run.ops++;
        int r = run.rnd.nextInt(3);
        if (r == 0 || f.heaps.isEmpty()) {
            int slot = 1 + run.rnd.nextInt(SLOTS - 1);
            if (f.heaps.subMap(slot * SLOT, (slot + 1) * SLOT).isEmpty()) {
                claimInSlot(f, run, slot, 0);
            }
            return;
        }
        Map.Entry<Integer, Integer> heap = randomHeap(f, run);
        int end = heap.getValue();
        int slotEnd = (heap.getKey() / SLOT + 1) * SLOT;
        int reserved = Talc.reserved(end);
        if (r == 1) {
            int newEnd = end + run.rnd.nextInt(slotEnd - end + 1);
            int result = f.resize(end, newEnd);
            assertTrue(result >= end && result <= Math.max(newEnd, end), "extend stays within what was given");
        } else {
            int newEnd = run.rnd.nextInt(4) == 0 ? 0 : heap.getKey() + run.rnd.nextInt(end - heap.getKey() + 1);
            int result = f.resize(end, newEnd);
            if (result == 0) {
                assertEquals(0, reserved, "only a heap without allocations is deleted");
            } else {
                assertTrue(result >= reserved && result <= end, "truncate never cuts below what is in use");
                assertEquals(reserved, Talc.reserved(result), "truncating keeps the lowest possible end");
            }
        }
        run.scan();
    }

    private static Map.Entry<Integer, Integer> randomHeap(Fixture f, ModelRun run) {
        int k = run.rnd.nextInt(f.heaps.size());
        for (Map.Entry<Integer, Integer> e : f.heaps.entrySet()) {
            if (k-- == 0) {
                return e;
            }
        }
        throw new AssertionError();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void growingSourcesWithForeignGrowsAndACap(String name, boolean wasmBinning, boolean grow, boolean realloc,
                                           boolean checked) {
        Features.configure(wasmBinning, true, grow, realloc, checked);
        long ops = 0;
        long misuses = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            int kind = seed % 2 == 0 ? Source.GROW_AND_EXTEND : Source.GROW_AND_CLAIM;
            int maxPages = seed % 3 == 0 ? 96 : 2048;
            Fixture f = Fixture.growing(kind, 1 + seed % 3, maxPages);
            ModelRun run = new ModelRun(f, 1000 + seed);
            for (int i = 0; i < OPS_PER_SEED; i++) {
                if (run.rnd.nextInt(200) == 0) {
                    run.foreignGrow(1 + run.rnd.nextInt(3));
                }
                run.step();
                assertTrue(Mem.pages() <= maxPages);
            }
            run.scan();
            run.drain();
            ops += run.ops;
            misuses += run.misuses;
        }
        System.out.printf("model, growing sources, %s: %d operations, %d misuses reported%n", name, ops, misuses);
        assertEquals(checked, misuses > 0, "misuse is tried exactly in the checked build");
    }
}
