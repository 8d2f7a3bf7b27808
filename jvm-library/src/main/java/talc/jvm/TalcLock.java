package talc.jvm;

import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A thread-safe Talc allocator (Talc's {@code TalcLock}): every allocator call runs under one
 * {@link Lock}, a {@link ReentrantLock} unless another is given (any {@code Lock} works, e.g. a
 * spin lock). The accessors take no lock (see {@link TalcAllocator}).
 *
 * <p>Holding {@link #lock()} makes several calls atomic when the lock is reentrant. A memory of
 * blocks of another allocator calls that parent while holding this lock, so locks are always
 * taken child first, parent second.
 */
public final class TalcLock extends TalcAllocator {
    private final Lock lock;

    /** An allocator over {@code memory} with {@link Options#DEFAULT} behind a new {@link ReentrantLock}. */
    public TalcLock(Memory memory) {
        this(memory, Options.DEFAULT, new ReentrantLock());
    }

    /**
     * An allocator over {@code memory} with {@code options} behind {@code lock}.
     *
     * @throws NullPointerException if {@code memory}, {@code options} or {@code lock} is null
     * @throws IllegalStateException if {@code memory} already serves an allocator, or has no
     *         room for the state block
     * @throws IllegalArgumentException if the memory's buffer cannot be used (see {@link Memory#of})
     */
    public TalcLock(Memory memory, Options options, Lock lock) {
        super(checkLock(memory, lock), options);
        this.lock = lock;
    }

    /** Checks the lock before the memory is opened, so a null lock takes nothing from a parent. */
    private static Memory checkLock(Memory memory, Lock lock) {
        Objects.requireNonNull(lock, "lock");
        return memory;
    }

    /** The lock every allocator call takes. */
    public Lock lock() {
        return lock;
    }

    @Override
    void acquire() {
        lock.lock();
    }

    @Override
    void release() {
        lock.unlock();
    }
}
