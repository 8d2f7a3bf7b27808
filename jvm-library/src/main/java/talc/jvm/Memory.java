package talc.jvm;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import talc.blocks.BlockHeaps;
import talc.blocks.HeapSupply;
import talc.core.Mem;

/**
 * Where an allocator's memory comes from. Pointers are offsets into that memory: into the
 * buffer for {@link #of(ByteBuffer)} and {@link #reserve(int)}, into the parent's memory for
 * {@link #blocksOf(TalcAllocator, int)}. A memory serves exactly one allocator: pass a new one
 * to each {@link TalcCell} or {@link TalcLock}.
 *
 * <ul>
 *   <li>{@link #of(ByteBuffer)}: a buffer the caller has, all of it the allocator's at once (its
 *       state block, then one heap): when it is full, allocations fail.</li>
 *   <li>{@link #reserve(int)}: the same over a direct buffer the library reserves.</li>
 *   <li>{@link #blocksOf(TalcAllocator, int)}: heaps in blocks allocated from another allocator,
 *       freed back to it as soon as they hold no allocation (Talc's {@code AllocatorSource}).</li>
 * </ul>
 *
 * <p>The methods an allocator calls on its memory are package-private: the set of memories is
 * closed, since each must keep the core's invariants (a heap never overlaps another).
 */
public abstract sealed class Memory permits BufferMemory, BlockMemory {
    /** Default block size of {@link #blocksOf(TalcAllocator)}: 1 MiB, as in Talc. */
    public static final int DEFAULT_BLOCK_SIZE = BlockHeaps.DEFAULT_BLOCK_SIZE;
    /** Smallest block size: blocks must hold a heap with room for some allocations. */
    public static final int MIN_BLOCK_SIZE = BlockHeaps.MIN_BLOCK_SIZE;

    private boolean bound;

    Memory() {
    }

    /**
     * The remaining bytes of {@code buffer} (position to limit, heap or direct) as the
     * allocator's memory: pointer {@code p} is the byte at {@code position + p}, where
     * {@code position} is the buffer's position now. The allocator shares the bytes with the
     * buffer and leaves its position, limit and byte order alone.
     *
     * @throws NullPointerException if {@code buffer} is null
     * @throws IllegalArgumentException if the buffer is read-only, or (when the allocator is
     *         created) too small for the state block and a chunk
     */
    public static Memory of(ByteBuffer buffer) {
        return new BufferMemory(Mem.Linear.of(Objects.requireNonNull(buffer, "buffer")));
    }

    /**
     * A direct buffer of {@code bytes} reserved by the library, as in {@link #of(ByteBuffer)}.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public static Memory reserve(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        return of(ByteBuffer.allocateDirect(bytes));
    }

    /** {@link #blocksOf(TalcAllocator, int)} with blocks of {@link #DEFAULT_BLOCK_SIZE}. */
    public static Memory blocksOf(TalcAllocator parent) {
        return blocksOf(parent, DEFAULT_BLOCK_SIZE);
    }

    /**
     * Heaps in blocks allocated from {@code parent}: a block of {@code blockSize} bytes (or the
     * smallest multiple of it that serves the request) for each request that does not fit, freed
     * back to the parent as soon as it holds no allocation. The child's state block is an
     * allocation of the parent too, which the parent's counters count as overhead. Pointers are
     * offsets into the parent's memory, so the parent's accessors and the child's see the same
     * bytes. Closing the child frees everything it took from the parent; close it before the
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
    public static Memory blocksOf(TalcAllocator parent, int blockSize) {
        return new BlockMemory(Objects.requireNonNull(parent, "parent"), blockSize);
    }

    /** Marks the memory as used; a memory serves one allocator only. */
    final void bind() {
        if (bound) {
            throw new IllegalStateException("this memory already serves an allocator: create a new one");
        }
        bound = true;
    }

    /** The linear memory the allocator's pointers are offsets into. */
    abstract Mem.Linear linear();

    /**
     * Sets up the allocator in its own context (its memory and features bound): makes its state
     * block and returns the handle.
     */
    abstract int open();

    /** Where the allocator gets more heaps. */
    abstract HeapSupply supply();

    /** Gives back everything the allocator took, in its own context; the handle {@code t} is dead afterwards. */
    abstract void close(int t);

    /** Whether {@code ptr} lies in one of the allocator's heaps. */
    abstract boolean inHeaps(int ptr);

    /** The heaps: address of each claimed region to its heap end. */
    abstract NavigableMap<Integer, Integer> heaps();

    /** An unmodifiable copy of a heap map. */
    static NavigableMap<Integer, Integer> copy(NavigableMap<Integer, Integer> heaps) {
        return Collections.unmodifiableNavigableMap(new TreeMap<>(heaps));
    }
}
