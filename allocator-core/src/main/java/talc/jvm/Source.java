package talc.jvm;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Objects;
import java.util.TreeMap;
import java.util.NavigableMap;
import talc.blocks.BlockHeaps;

/**
 * Where an allocator's memory comes from (Talc's {@code Source}s). A source serves exactly one
 * allocator: pass a new one to each {@link TalcCell} or {@link TalcLock}.
 *
 * <ul>
 *   <li>{@link #of(ByteBuffer)}: one buffer the caller has, all of it claimed at once (Talc's
 *       {@code Manual} source after one {@code claim}): when it is full, allocations fail.</li>
 *   <li>{@link #reserve(int)}: the same over a direct buffer the library reserves.</li>
 *   <li>{@link #blocks(int)}: heaps in direct buffers of a power-of-two block size, reserved
 *       from the JVM when a request does not fit and dropped (left to the garbage collector)
 *       as soon as they hold no allocation: Talc's {@code GlobalAllocSource} with the JVM as the
 *       global allocator.</li>
 *   <li>{@link #allocator(TalcAllocator, int)}: heaps in blocks allocated from another
 *       allocator, freed back to it as soon as they hold no allocation (Talc's
 *       {@code GlobalAllocSource} and {@code AllocatorSource}).</li>
 * </ul>
 *
 * <p>The methods an allocator calls on its source are package-private: the set of sources is
 * closed, since each must keep the core's invariants (a heap never overlaps another).
 */
public abstract class Source {
    /** Default block size of the block sources: 1 MiB, as in Talc. */
    public static final int DEFAULT_BLOCK_SIZE = BlockHeaps.DEFAULT_BLOCK_SIZE;
    /** Smallest block size: blocks must hold a heap with room for some allocations. */
    public static final int MIN_BLOCK_SIZE = BlockHeaps.MIN_BLOCK_SIZE;

    private boolean bound;

    Source() {
    }

    /**
     * The remaining bytes of {@code buffer} (position to limit, heap or direct) as the
     * allocator's memory: its state block and one heap. The allocator shares the bytes with the
     * buffer and leaves its position, limit and byte order alone.
     *
     * @throws NullPointerException if {@code buffer} is null
     * @throws IllegalArgumentException (when the allocator is created) if the buffer is
     *         read-only, too small for the state block and a chunk, or larger than the free
     *         address space
     */
    public static Source of(ByteBuffer buffer) {
        return new BufferSource(Objects.requireNonNull(buffer, "buffer"));
    }

    /**
     * A direct buffer of {@code bytes} reserved by the library, as in {@link #of(ByteBuffer)}.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public static Source reserve(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        return new BufferSource(ByteBuffer.allocateDirect(bytes));
    }

    /** {@link #blocks(int)} with blocks of {@link #DEFAULT_BLOCK_SIZE}. */
    public static Source blocks() {
        return blocks(DEFAULT_BLOCK_SIZE);
    }

    /**
     * Heaps in direct buffers reserved from the JVM: a request that does not fit gets a new
     * block of {@code blockSize} bytes (or the smallest multiple of it that serves the request),
     * and a block is dropped as soon as it holds no allocation.
     *
     * @throws IllegalArgumentException if {@code blockSize} is not a power of two of at least
     *         {@link #MIN_BLOCK_SIZE}
     */
    public static Source blocks(int blockSize) {
        return new JvmBlockSource(blockSize);
    }

    /** {@link #allocator(TalcAllocator, int)} with blocks of {@link #DEFAULT_BLOCK_SIZE}. */
    public static Source allocator(TalcAllocator parent) {
        return allocator(parent, DEFAULT_BLOCK_SIZE);
    }

    /**
     * Heaps in blocks allocated from {@code parent}: the state block first, then a block of
     * {@code blockSize} bytes (or the smallest multiple of it that serves the request) for each
     * request that does not fit, freed back to the parent as soon as it holds no allocation.
     * Closing the allocator frees everything it took from the parent; close it before the
     * parent.
     *
     * <p>The parent is called through its own API, so a {@link TalcLock} parent may serve
     * children on several threads (its lock is always taken after the child's). A
     * {@link TalcCell} parent must only be used by one thread, children included.
     *
     * @throws NullPointerException if {@code parent} is null
     * @throws IllegalArgumentException if {@code blockSize} is not a power of two of at least
     *         {@link #MIN_BLOCK_SIZE}
     */
    public static Source allocator(TalcAllocator parent, int blockSize) {
        return new AllocatorBlockSource(Objects.requireNonNull(parent, "parent"), blockSize);
    }

    /** Marks the source as used by {@code core}; a source serves one allocator only. */
    final void bind() {
        if (bound) {
            throw new IllegalStateException("this source already serves an allocator: create a new one");
        }
        bound = true;
    }

    /** Sets up the memory of the allocator: makes its state block and returns the handle. */
    abstract int open();

    /** The owner tag ({@link talc.core.Mem.Segment#owner()}) of every segment the allocator's memory lies in. */
    abstract Object root();

    /**
     * Adds memory after allocator {@code t} failed a request of {@code size} bytes at
     * {@code align}; true when it added a heap that serves it. Called once per request.
     */
    boolean acquire(int t, int size, int align) {
        return false;
    }

    /** Allocator {@code t} just freed the chunk at {@code ptr} (nonzero): a block may be empty now. */
    void freed(int t, int ptr) {
    }

    /** Gives back everything the allocator took; the handle {@code t} is dead afterwards. */
    abstract void close(int t);

    /** The heaps: address of each claimed region to its heap end. */
    abstract NavigableMap<Integer, Integer> heaps();

    /** An unmodifiable copy of a heap map. */
    static NavigableMap<Integer, Integer> copy(NavigableMap<Integer, Integer> heaps) {
        return Collections.unmodifiableNavigableMap(new TreeMap<>(heaps));
    }
}
