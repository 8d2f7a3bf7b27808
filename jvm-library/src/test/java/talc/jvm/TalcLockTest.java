package talc.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import talc.core.LibraryScan;

/** TalcLock's API: every allocator call runs under the given lock, the accessors under none. */
class TalcLockTest {
    /** A lock that counts acquisitions and knows whether the current thread holds it. */
    static final class CountingLock implements Lock {
        final ReentrantLock inner = new ReentrantLock();
        int acquisitions;

        @Override
        public void lock() {
            inner.lock();
            acquisitions++;
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            inner.lockInterruptibly();
            acquisitions++;
        }

        @Override
        public boolean tryLock() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void unlock() {
            inner.unlock();
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void everyAllocatorCallTakesTheLockOnce() {
        CountingLock lock = new CountingLock();
        try (TalcLock a = new TalcLock(Memory.reserve(1 << 16), Options.DEFAULT, lock)) {
            assertSame(lock, a.lock());
            int p = a.malloc(10);
            int q = a.calloc(2, 8);
            int r = a.alignedAlloc(256, 10);
            p = a.realloc(p, 100);
            a.usableSize(p);
            a.free(q);
            a.counters();
            a.heaps();
            assertEquals(8, lock.acquisitions);
            a.putInt(p, 3);
            assertEquals(3, a.getInt(p));
            a.slice(r, 10);
            assertEquals(8, lock.acquisitions, "accessors take no lock");
            assertEquals(0, lock.inner.getHoldCount(), "every lock was released");
            a.free(p);
            a.free(r);
            assertEquals(0, LibraryScan.scan(a).size());
        }
    }

    @Test
    void aChildTakesItsLockThenTheParents() {
        CountingLock parentLock = new CountingLock();
        CountingLock childLock = new CountingLock();
        try (TalcLock parent = new TalcLock(Memory.reserve(1 << 20), Options.DEFAULT, parentLock);
                TalcLock child = new TalcLock(Memory.blocksOf(parent, 1 << 16), Options.DEFAULT, childLock)) {
            int before = parentLock.acquisitions;
            int p = child.malloc(100);
            assertNotEquals(0, p);
            assertEquals(1, childLock.acquisitions);
            assertEquals(before + 1, parentLock.acquisitions, "the block came from the parent under its lock");
            child.free(p);
            assertEquals(before + 2, parentLock.acquisitions, "and went back to it");
            // Holding the (reentrant) lock makes several calls one atomic step.
            child.lock().lock();
            try {
                int a = child.malloc(1);
                int b = child.malloc(1);
                assertTrue(a != 0 && b != 0 && a != b);
                child.free(a);
                child.free(b);
            } finally {
                child.lock().unlock();
            }
        }
    }

    @Test
    void closedIsClosed() {
        TalcLock a = new TalcLock(Memory.reserve(1 << 16));
        assertNotEquals(0, a.malloc(10));
        a.close();
        assertTrue(a.isClosed());
        assertThrows(IllegalStateException.class, () -> a.malloc(1));
        assertThrows(NullPointerException.class, () -> new TalcLock(Memory.reserve(4096), Options.DEFAULT, null));
    }
}
