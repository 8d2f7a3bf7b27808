package example;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import talc.jvm.Memory;
import talc.jvm.MisuseException;
import talc.jvm.TalcCell;
import talc.jvm.TalcLock;

/** A JVM program that uses Talc: a shared allocator over a buffer, threads, a child allocator. */
public final class Main {
    private static final int THREADS = 4;
    private static final int ROUNDS = 20_000;

    public static void main(String[] args) throws InterruptedException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (TalcLock shared = new TalcLock(Memory.of(buffer));               // thread-safe
                TalcCell local = new TalcCell(Memory.blocksOf(shared))) {     // 1 MiB blocks of shared
            int p = shared.malloc(100);                  // an offset into buffer, 16-aligned; 0 when full
            shared.putLong(p, 42L);                      // little-endian, bounds-checked accessors
            check(buffer.getLong(p) == 42L, "p is an offset into the buffer");

            int q = local.calloc(10, 8);                 // local is for one thread at a time
            q = local.realloc(q, 4000);
            local.free(q);                               // its block, now empty, goes back to shared

            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int seed = i;
                Thread t = new Thread(() -> work(shared, seed));  // threads share one allocator
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }

            shared.free(p);
            try {
                shared.free(p);                          // a second free: the heap stays as it was
            } catch (MisuseException e) {
                System.out.println("double free refused: " + e.getMessage());
            }
            System.out.println(shared.counters());       // allocations, bytes, heaps, fragments
            check(shared.counters().allocationCount() == 0, "everything was freed");
        }
    }

    /** Allocates, fills, checks and frees blocks of {@code shared} on one thread. */
    private static void work(TalcLock shared, int seed) {
        for (int i = 0; i < ROUNDS; i++) {
            int size = 8 + (i * 31 + seed * 7) % 2000;
            int block = shared.malloc(size);
            check(block != 0, "the buffer has room");
            shared.putInt(block, seed ^ i);
            shared.putInt(block + size - 4, i);
            check(shared.getInt(block) == (seed ^ i) && shared.getInt(block + size - 4) == i, "nobody else wrote here");
            shared.free(block);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
