package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Talc's bug history (talc-v5-facts §6) as tests: each bug must stay fixed here. */
class RegressionTest {
    @AfterEach
    void restore() {
        Features.reset();
    }

    /** Talc #49: a tag byte read as part of a gap size corrupted gaps of 16 MiB and more. */
    @Test
    void freeChunkOfSixteenMebibytesOrMoreThenAThirtyTwoMebibyteRequest() {
        Fixture f = Fixture.growing(Source.GROW_AND_EXTEND, 1, Mem.MAX_WASM_PAGES);
        int before = Mem.pages();
        int big = Talc.malloc(f.t, 24 << 20);
        f.trackGrowth(before);
        assertNotEquals(0, big);
        Talc.free(f.t, big);
        f.scan();
        before = Mem.pages();
        int bigger = Talc.malloc(f.t, 32 << 20);
        f.trackGrowth(before);
        assertNotEquals(0, bigger);
        assertTrue(Mem.pages() < (40 << 20 >>> Mem.PAGE_SHIFT), "the free 24 MiB were reused: " + Mem.pages() + " pages");
        f.scan();
        // gaps with bits 24..30 set in their size, next to chunks whose flags change
        int small = Talc.malloc(f.t, 100);
        Talc.free(f.t, bigger);
        Talc.free(f.t, small);
        assertEquals(1, f.scan().gaps);
    }

    /** Talc #47/#49: undersized growth near page multiples looped, or grew memory to 4 GiB. */
    @Test
    void noRunawayGrowthUnderDoublingReallocsAndRandomChurn() {
        Fixture f = Fixture.growing(Source.GROW_AND_CLAIM, 1, Mem.MAX_WASM_PAGES);
        ModelRun run = new ModelRun(f, 47);
        List<ModelRun.Block> doubling = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            doubling.add(run.allocate(16, Talc.MIN_ALIGN, false));
        }
        for (int size = 32; size <= 128 << 10; size *= 2) {
            for (ModelRun.Block b : doubling) {
                run.realloc(b, size);
            }
        }
        Random rnd = new Random(49);
        long peakLive = 0;
        for (int i = 0; i < 30_000; i++) {
            int r = rnd.nextInt(10);
            if (run.live.isEmpty() || r < 5) {
                run.allocate(1 + rnd.nextInt(2 << 20), Talc.MIN_ALIGN, false);
            } else if (r < 8) {
                run.free(run.live.get(rnd.nextInt(run.live.size())));
            } else {
                run.realloc(run.live.get(rnd.nextInt(run.live.size())), 1 + rnd.nextInt(2 << 20));
            }
            long live = 0;
            for (ModelRun.Block b : run.live) {
                live += b.size;
            }
            peakLive = Math.max(peakLive, live);
            if (live > 48L << 20) {
                run.free(run.live.get(0));
            }
        }
        run.scan();
        long memory = (long) Mem.pages() << Mem.PAGE_SHIFT;
        assertTrue(memory < 3 * peakLive, "memory " + memory + " for a peak of " + peakLive + " live bytes");
    }

    /** Talc #44: high alignments degenerated into long list scans. Counts work, never time. */
    @Test
    void highAlignmentCostsAboutAsMuchAsLowAlignment() {
        Mem.reset(4096, 4096);
        int t = Talc.init(Fixture.STATE_ADDR);
        Talc.claim(t, 4096, (256 << 20) - 4096);
        long low = accessesFor(t, 4096, 1);
        long high = accessesFor(t, 1, 4096);
        assertTrue(high < 5 * low, "high-alignment work " + high + " vs low " + low);
        assertTrue(high / 0x4000 < 200, "per allocation: " + high / 0x4000 + " word accesses");
    }

    private static long accessesFor(int t, int size, int align) {
        int[] ptrs = new int[0x4000];
        long before = Mem.accesses();
        for (int i = 0; i < ptrs.length; i++) {
            ptrs[i] = Talc.alignedAlloc(t, align, size);
            assertNotEquals(0, ptrs[i]);
        }
        long work = Mem.accesses() - before;
        for (int p : ptrs) {
            Talc.free(t, p);
        }
        return work;
    }
}
