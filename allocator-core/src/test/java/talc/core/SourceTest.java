package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sources: what happens on OOM, and how the growing ones grow. */
class SourceTest {
    @AfterEach
    void restore() {
        Features.reset();
    }

    @Test
    void manualFailsWithoutGrowing() {
        Fixture f = Fixture.manual(4);
        f.claim(4096, 4096);
        Mem.setMaxPages(100);
        assertEquals(0, Talc.malloc(f.t, 10_000));
        assertEquals(0, Mem.growCalls());
    }

    @Test
    void claimClaimsItsRegionOnceAtTheFirstOom() {
        Fixture f = Fixture.manual(16);
        f.claim(4096, 4096);
        Talc.useClaimSource(f.t, 65536, 65536);
        assertNotEquals(0, Talc.malloc(f.t, 3000), "served by the first heap");
        assertEquals(1, Counters.heapCount(f.t));
        int p = Talc.malloc(f.t, 30_000);
        assertTrue(p >= 65536, "served by the claimed region");
        f.heaps.put(Fixture.firstChunk(65536), 131072);
        assertEquals(2, Counters.heapCount(f.t));
        assertEquals(0, Talc.malloc(f.t, 60_000), "then it behaves as Manual");
        f.scan();
    }

    @Test
    void aClaimTooSmallForTheRequestIsTakenOnceAndTheRequestFails() {
        // The allocation loop asks the source again after every acquire that succeeded: a claim
        // that fell short must not be offered twice, or the loop would never end.
        Fixture f = Fixture.manual(16);
        f.claim(4096, 4096);
        Talc.useClaimSource(f.t, 65536, 8192);
        assertEquals(0, Talc.malloc(f.t, 30_000), "neither heap holds it");
        assertEquals(2, Counters.heapCount(f.t), "the region was claimed anyway");
        f.heaps.put(Fixture.firstChunk(65536), 65536 + 8192);
        assertNotEquals(0, Talc.malloc(f.t, 6000), "served by the claimed region");
        assertEquals(0, Mem.growCalls());
        f.scan();
    }

    @ParameterizedTest
    @ValueSource(ints = {Source.GROW_AND_CLAIM, Source.GROW_AND_EXTEND})
    void aRequestNeedingKPagesGrowsAtMostKPlusOneOnAFreshAllocator(int kind) {
        for (int k = 1; k <= 24; k++) {
            for (int size : new int[] {k * 65536 - 16, k * 65536}) {
                Fixture f = Fixture.growing(kind, 1, Mem.MAX_WASM_PAGES);
                int before = Mem.pages();
                int p = Talc.malloc(f.t, size);
                assertNotEquals(0, p, "size " + size);
                f.trackGrowth(before);
                int grown = Mem.pages() - before;
                // the boot page is already there: it holds the state block and a first heap
                assertTrue(grown <= k + 1, "size " + size + " grew " + grown + " pages, k = " + k);
                f.scan();
            }
        }
    }

    @Test
    void extendKeepsOneHeapAndClaimMakesOneHeapPerGrow() {
        int[] heaps = new int[2];
        int[] kinds = {Source.GROW_AND_EXTEND, Source.GROW_AND_CLAIM};
        for (int i = 0; i < 2; i++) {
            Fixture f = Fixture.growing(kinds[i], 1, 4096);
            for (int n = 0; n < 200; n++) {
                int before = Mem.pages();
                assertNotEquals(0, Talc.malloc(f.t, 40_000));
                f.trackGrowth(before);
            }
            heaps[i] = f.scan().heaps;
        }
        assertEquals(1, heaps[0], "Extend merges every grow into its heap");
        assertTrue(heaps[1] > 5, "Claim makes a heap per grow: " + heaps[1]);
    }

    @ParameterizedTest
    @ValueSource(ints = {Source.GROW_AND_CLAIM, Source.GROW_AND_EXTEND})
    void foreignGrowsBetweenCallsAreNeverUsed(int kind) {
        Fixture f = Fixture.growing(kind, 1, 4096);
        ModelRun run = new ModelRun(f, kind);
        for (int i = 0; i < 3000; i++) {
            if (i % 50 == 0) {
                run.foreignGrow(1 + i % 3);
            }
            run.allocate(run.randomSize(), Talc.MIN_ALIGN, false);
        }
        run.scan();
        assertTrue(f.scan().heaps > 1, "foreign pages split the memory into several heaps");
    }

    @ParameterizedTest
    @ValueSource(ints = {Source.GROW_AND_CLAIM, Source.GROW_AND_EXTEND})
    void aFailedGrowReturnsZeroLeavesTheHeapAndDoesNotLoop(int kind) {
        Fixture f = Fixture.growing(kind, 1, 40);
        ModelRun run = new ModelRun(f, 7);
        while (run.allocate(50_000, Talc.MIN_ALIGN, false) != null) {
            assertTrue(Mem.pages() <= 40);
        }
        int calls = Mem.growCalls();
        assertEquals(0, Talc.malloc(f.t, 10 << 20));
        assertTrue(Mem.growCalls() - calls <= 2, "at most the geometric try and the exact try");
        run.scan();
        run.free(run.live.get(0));
        assertNotEquals(null, run.allocate(50_000, Talc.MIN_ALIGN, false), "freed memory serves again");
        run.drain();
    }

    @Test
    void growthIsGeometricWithTheRequestAsFloorAndACap() {
        // 64 MiB of live data in 64 KiB blocks: few grows, little waste.
        Fixture f = Fixture.growing(Source.GROW_AND_EXTEND, 1, Mem.MAX_WASM_PAGES);
        long live = 0;
        while (live < (64L << 20)) {
            int before = Mem.pages();
            assertNotEquals(0, Talc.malloc(f.t, 65536));
            f.trackGrowth(before);
            live += 65536;
        }
        int memory = Mem.pages() << Mem.PAGE_SHIFT;
        assertTrue(Mem.growCalls() <= 40, "grow calls to 64 MiB: " + Mem.growCalls());
        assertTrue(memory < live * 1.3, "memory " + memory + " for live " + live);
        int before = Mem.pages();
        assertNotEquals(0, Talc.malloc(f.t, 100 << 20));
        f.trackGrowth(before);
        assertTrue(Mem.pages() - before <= (100 << 20 >>> Mem.PAGE_SHIFT) + 2, "a large request is its own floor, no more");
        f.scan();
    }

    @Test
    void aRegionOfASharedMemoryIsAllTheAllocatorTouchesAndGrowsTo() {
        // Another module's data below 64 KiB and above 1 MiB; the allocator gets [64 KiB + 5, 1 MiB).
        int start = 65536 + 5;
        int limit = 1 << 20;
        Mem.reset(4, 64);
        Mem.fill(0, 0x5A, 4 * Mem.PAGE_SIZE);
        int t = Talc.bootInRegion(start, limit, Source.GROW_AND_EXTEND);
        assertEquals(Chunk.alignUp(start, 16), t);
        Fixture f = Fixture.adopt(t, Source.GROW_AND_EXTEND);
        f.heaps.put(Fixture.firstChunk(t + Talc.stateSize()), 4 * Mem.PAGE_SIZE);
        ModelRun run = new ModelRun(f, 11);
        run.foreign.put(0, start);
        for (int i = 0; i < 20_000; i++) {
            run.step();
            assertTrue(Mem.pages() <= limit >>> Mem.PAGE_SHIFT, "grew past the limit");
        }
        run.scan();
        for (int a = 0; a < start; a += 64) {
            assertEquals(0x5A, Mem.getByte(a), "the other module's data below the region");
        }
        assertTrue(run.failures > 0, "the limit made some requests fail");
        run.drain();
    }

    @Test
    void aRegionMustHoldTheStateAndAChunk() {
        Mem.reset(1, 1);
        assertEquals(0, Talc.bootInRegion(0, 4096, Source.GROW_AND_EXTEND), "0 is never a region");
        assertEquals(0, Talc.bootInRegion(4096, 4096 + Talc.stateSize(), Source.GROW_AND_EXTEND));
        assertEquals(0, Talc.bootInRegion(70_000, 90_000, Source.GROW_AND_EXTEND), "not in memory yet");
        assertNotEquals(0, Talc.bootInRegion(4096, 8192, Source.GROW_AND_EXTEND));
    }

    @Test
    void withoutRegionLimitsARegionTakesNoLimitAndGrowthIsBoundByTheMemorysMaximum() {
        // The build of the modules that own their memory: the limit is Source.MAX_PAGES, a
        // constant that the memory's declared maximum enforces (here a lower one, 64 pages).
        Features.setRegionLimit(false);
        Mem.reset(1, 64);
        assertEquals(0, Talc.bootInRegion(4096, 1 << 20, Source.GROW_AND_EXTEND), "a limit is refused");
        int t = Talc.bootInRegion(4096, 0, Source.GROW_AND_EXTEND);
        assertNotEquals(0, t);
        int p = Talc.malloc(t, 1 << 20);
        assertNotEquals(0, p, "grows memory");
        assertTrue(Mem.pages() > 16);
        // Past the maximum: the geometric step and the exact retry are both refused.
        int pages = Mem.pages();
        assertEquals(0, Talc.malloc(t, 64 << 16), "a request beyond the memory's maximum");
        assertEquals(pages, Mem.pages());
        // Two pages below the maximum the geometric step (at least 3 pages above 16) is
        // refused, and the retry grows only what a request past the top gap needs.
        Mem.setMaxPages(pages + 2);
        int heapEnd = pages << Mem.PAGE_SHIFT;
        int topGap = heapEnd - Talc.reserved(heapEnd);
        int q = Talc.malloc(t, topGap + 1000);
        assertNotEquals(0, q, "a request that fits below the maximum");
        assertTrue(Mem.pages() > pages && Mem.pages() <= pages + 2, pages + " -> " + Mem.pages() + " pages");
        // One heap, extended each time: from above the state block to the end of memory.
        Map<Integer, Integer> heap = Map.of(t + Talc.stateSize() + Chunk.UNIT, Mem.pages() << Mem.PAGE_SHIFT);
        assertEquals(Set.of(p, q), HeapScan.scan(t, heap).allocations.keySet());
        Talc.free(t, q);
        Talc.free(t, p);
        assertTrue(HeapScan.scan(t, heap).allocations.isEmpty());
    }

    @Test
    void bootFailsCleanlyWhenMemoryCannotGrow() {
        Mem.reset(2, 2);
        assertEquals(0, Talc.bootGrowing(Source.GROW_AND_EXTEND));
        assertEquals(2, Mem.pages());
    }
}
