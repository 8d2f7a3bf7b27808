package talc.jvm;

import java.util.Objects;
import java.util.NavigableMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A thread-safe Talc allocator (Talc's {@code TalcLock}): every allocator call runs under one
 * {@link Lock}, a {@link ReentrantLock} unless another is given (any {@code Lock} works, e.g. a
 * spin lock). The accessors take no lock (see {@link TalcAllocator}).
 *
 * <p>Holding {@link #lock()} makes several calls atomic when the lock is reentrant. A source
 * backed by another allocator calls that parent while holding this lock, so locks are always
 * taken child first, parent second.
 */
public final class TalcLock extends TalcAllocator {
    private final Lock lock;

    /** An allocator over {@code source}'s memory behind a new {@link ReentrantLock}. See {@link TalcCell#TalcCell(Source)}. */
    public TalcLock(Source source) {
        this(source, new ReentrantLock());
    }

    /**
     * An allocator over {@code source}'s memory behind {@code lock}.
     *
     * @throws NullPointerException if {@code source} or {@code lock} is null
     * @throws IllegalStateException if {@code source} already serves an allocator, or has no
     *         memory for the state block
     * @throws IllegalArgumentException if the source's buffer cannot be used (see {@link Source#of})
     */
    public TalcLock(Source source, Lock lock) {
        super(checkLock(source, lock));
        this.lock = lock;
    }

    /** Checks the lock before the source is opened, so a null lock leaves no memory mapped. */
    private static Source checkLock(Source source, Lock lock) {
        Objects.requireNonNull(lock, "lock");
        return source;
    }

    /** The lock every allocator call takes. */
    public Lock lock() {
        return lock;
    }

    @Override
    public int malloc(int size) {
        lock.lock();
        try {
            return core.malloc(size);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int calloc(int n, int size) {
        lock.lock();
        try {
            return core.calloc(n, size);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int alignedAlloc(int align, int size) {
        lock.lock();
        try {
            return core.alignedAlloc(align, size);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int realloc(int ptr, int size) {
        lock.lock();
        try {
            return core.realloc(ptr, size);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void free(int ptr) {
        lock.lock();
        try {
            core.free(ptr);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int usableSize(int ptr) {
        lock.lock();
        try {
            return core.usableSize(ptr);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CountersSnapshot counters() {
        lock.lock();
        try {
            return core.counters();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public NavigableMap<Integer, Integer> heaps() {
        lock.lock();
        try {
            return core.heaps();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int handle() {
        lock.lock();
        try {
            return core.handle();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            core.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isClosed() {
        lock.lock();
        try {
            return core.isClosed();
        } finally {
            lock.unlock();
        }
    }
}
