package talc.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Measures the growing sources' policy on the JVM twin (memory.grow calls are counted the same
 * way wasm would see them): grow calls and memory against peak live bytes, for a 64 MiB build-up
 * with random frees and refills, and for Talc's random-actions workload. Not a test: run with
 * {@code java -cp allocator-core/target/classes:allocator-core/target/test-classes talc.core.GrowthPolicyReport}.
 */
public final class GrowthPolicyReport {
    private GrowthPolicyReport() {
    }

    public static void main(String[] args) {
        System.out.printf("policy: grow max(k', min(pages * %d >> %d, %d pages))%n",
                Source.GROWTH_NUMERATOR, Source.GROWTH_SHIFT, Source.MAX_GROWTH_PAGES);
        for (int kind : new int[] {Source.GROW_AND_EXTEND, Source.GROW_AND_CLAIM}) {
            String name = kind == Source.GROW_AND_EXTEND ? "extend" : "claim";
            buildUp(name, kind, 64 << 10, 64 << 10);
            buildUp(name, kind, 16, 1 << 20);
            randomActions(name, kind);
        }
    }

    /** Builds 64 MiB of live blocks, frees half at random, refills to 64 MiB. */
    private static void buildUp(String name, int kind, int minSize, int maxSize) {
        Mem.reset(1, Mem.MAX_WASM_PAGES);
        int t = Talc.bootGrowing(kind);
        Random rnd = new Random(1);
        List<int[]> live = new ArrayList<>();
        long bytes = 0;
        long peak = 0;
        int callsAt64 = 0;
        for (int phase = 0; phase < 2; phase++) {
            while (bytes < (64L << 20)) {
                int n = minSize + rnd.nextInt(maxSize - minSize + 1);
                int p = Talc.malloc(t, n);
                if (p == 0) {
                    throw new AssertionError("OOM");
                }
                live.add(new int[] {p, n});
                bytes += n;
            }
            peak = Math.max(peak, bytes);
            if (phase == 0) {
                callsAt64 = Mem.growCalls();
                for (int i = live.size() - 1; i >= 0; i--) {
                    if (rnd.nextBoolean()) {
                        int[] b = live.remove(i);
                        Talc.free(t, b[0]);
                        bytes -= b[1];
                    }
                }
            }
        }
        long memory = (long) Mem.pages() << Mem.PAGE_SHIFT;
        System.out.printf("%-7s build-up %7d..%7d B: %3d grows to 64 MiB, %3d after refill; memory/peak live %.3f%n",
                name, minSize, maxSize, callsAt64, Mem.growCalls(), (double) memory / peak);
    }

    /** Talc's wasm benchmark workload: sizes 1..10000, 40/40/20 alloc/free/realloc, >= 50 live. */
    private static void randomActions(String name, int kind) {
        Mem.reset(1, Mem.MAX_WASM_PAGES);
        int t = Talc.bootGrowing(kind);
        Random rnd = new Random(2);
        List<int[]> live = new ArrayList<>();
        long bytes = 0;
        long peak = 0;
        for (int i = 0; i < 1_000_000; i++) {
            int action = rnd.nextInt(5);
            if (live.size() < 50 || action < 2) {
                int n = 1 + rnd.nextInt(10000);
                live.add(new int[] {Talc.malloc(t, n), n});
                bytes += n;
            } else if (action < 4) {
                int[] b = live.remove(rnd.nextInt(live.size()));
                Talc.free(t, b[0]);
                bytes -= b[1];
            } else {
                int[] b = live.get(rnd.nextInt(live.size()));
                int n = 1 + rnd.nextInt(10000);
                b[0] = Talc.realloc(t, b[0], n);
                bytes += n - b[1];
                b[1] = n;
            }
            peak = Math.max(peak, bytes);
        }
        long memory = (long) Mem.pages() << Mem.PAGE_SHIFT;
        System.out.printf("%-7s random actions: %3d grows, memory %d KiB, peak live %d KiB, ratio %.3f%n",
                name, Mem.growCalls(), memory >> 10, peak >> 10, (double) memory / peak);
    }
}
