package talc.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import talc.core.LibraryScan;

/**
 * Several threads on one {@link TalcLock} and on a {@link TalcLock} child that takes its blocks
 * from it: random malloc, aligned alloc, realloc and free, blocks handed to other threads and
 * freed there, every block's contents checked against its fill pattern before it is resized or
 * freed, then a heap scan of both allocators with a third of the blocks still live.
 */
class TalcLockStressTest {
    private static final int THREADS = 4;
    private static final int OPS_PER_THREAD = 4_000_000;
    private static final int MAX_LIVE_PER_THREAD = 300;

    /** A block another thread may free: its allocator, pointer, length and pattern seed. */
    private record Handoff(TalcAllocator owner, int ptr, int len, int seed) {
    }

    @Test
    void threadsShareAParentAndAChild() throws Exception {
        try (TalcLock parent = new TalcLock(Memory.reserve(64 << 20));
                TalcLock child = new TalcLock(Memory.blocksOf(parent, 256 << 10))) {
            ConcurrentLinkedQueue<Handoff> handoffs = new ConcurrentLinkedQueue<>();
            AtomicLong operations = new AtomicLong();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<List<Handoff>> kept = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                TalcAllocator a = i % 2 == 0 ? parent : child;
                List<Handoff> mine = new ArrayList<>();
                kept.add(mine);
                long seed = i;
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        operations.addAndGet(run(a, new Random(seed), mine, handoffs));
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!errors.isEmpty()) {
                throw new AssertionError(errors.get(0));
            }
            assertTrue(operations.get() > (long) THREADS * OPS_PER_THREAD / 2, "most steps call the allocator");
            System.out.println("TalcLock stress: " + operations.get() + " allocator calls on " + THREADS + " threads");

            // Every block still live is exactly what the scans find, with its contents intact.
            List<Handoff> live = new ArrayList<>(handoffs);
            kept.forEach(live::addAll);
            NavigableMap<Integer, Integer> inChild = LibraryScan.scan(child);
            NavigableMap<Integer, Integer> inParent = LibraryScan.scan(parent);
            int childBlocks = child.heaps().size();
            int inChildModel = 0;
            for (Handoff h : live) {
                Pattern.check(h.owner, h.ptr, h.len, h.seed);
                Map<Integer, Integer> scan = h.owner == child ? inChild : inParent;
                assertTrue(scan.get(h.ptr) >= h.len, "a live block is allocated");
                inChildModel += h.owner == child ? 1 : 0;
            }
            assertEquals(inChildModel, inChild.size());
            assertEquals(live.size() - inChildModel + childBlocks + 1, inParent.size(),
                    "the parent holds its own blocks, the child's blocks and the child's state block");
            for (Handoff h : live) {
                h.owner.free(h.ptr);
            }
            assertEquals(0, child.heaps().size(), "the empty child gave all its blocks back");
            assertEquals(0, parent.counters().allocationCount(), "the child's state block counts as overhead");
            assertEquals(1, LibraryScan.scan(parent).size(), "the child's state block");
        }
    }

    /** One thread's work: returns the number of allocator calls it made. */
    private static long run(TalcAllocator a, Random rnd, List<Handoff> mine, ConcurrentLinkedQueue<Handoff> handoffs) {
        long calls = 0;
        int seed = rnd.nextInt();
        for (int op = 0; op < OPS_PER_THREAD; op++) {
            int r = rnd.nextInt(16);
            if (r < 7 && mine.size() < MAX_LIVE_PER_THREAD || mine.isEmpty()) {
                int len = rnd.nextInt(1 + rnd.nextInt(r == 0 ? 20_000 : 400));
                int p = r == 1 ? a.alignedAlloc(64 << rnd.nextInt(4), len) : a.malloc(len);
                calls++;
                if (p != 0) {
                    Pattern.fill(a, p, len, ++seed);
                    mine.add(new Handoff(a, p, len, seed));
                }
            } else if (r < 12) {
                Handoff h = mine.remove(rnd.nextInt(mine.size()));
                if (r == 11) {
                    handoffs.add(h);
                } else {
                    Pattern.check(h.owner, h.ptr, h.len, h.seed);
                    h.owner.free(h.ptr);
                    calls++;
                }
            } else if (r < 14) {
                Handoff h = handoffs.poll();
                if (h != null) {
                    Pattern.check(h.owner, h.ptr, h.len, h.seed);
                    h.owner.free(h.ptr);
                    calls++;
                }
            } else {
                int i = rnd.nextInt(mine.size());
                Handoff h = mine.get(i);
                int len = rnd.nextInt(1 + rnd.nextInt(2000));
                Pattern.check(a, h.ptr, h.len, h.seed);
                int q = a.realloc(h.ptr, len);
                calls++;
                if (q != 0 || len == 0) {
                    mine.remove(i);
                }
                if (q != 0) {
                    Pattern.check(a, q, Math.min(len, h.len), h.seed);
                    Pattern.fill(a, q, len, ++seed);
                    mine.add(new Handoff(a, q, len, seed));
                }
            }
        }
        return calls;
    }
}
