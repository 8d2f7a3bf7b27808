package talc.teavm;

import java.util.NavigableMap;
import talc.blocks.BlockHeaps;
import talc.blocks.SuppliedAllocator;
import talc.core.Counters;
import talc.core.Talc;

/**
 * An arena: an allocator of its own whose heaps are blocks of the app's main allocator,
 * {@link NativeHeap} (Talc's {@code AllocatorSource}: a Talc inside a Talc heap). Its blocks
 * come and go with their use: a request that its heaps cannot serve takes a block of
 * {@link #blockSize()} bytes (a power of two, 1 MiB by default), or the smallest multiple of it
 * that serves the request, from {@link NativeHeap#malloc}; a block goes back through
 * {@link NativeHeap#free} as soon as its heap holds no allocation of the arena. {@link #close()}
 * gives everything back at once, whatever is still allocated.
 *
 * <p>The calls are those of {@link NativeHeap}, on the arena: blocks are 16-aligned, failure is 0
 * and never an exception (the main heap's out of memory is the arena's), {@code free(0)} does
 * nothing, freeing a block of another allocator is undefined. Read and write the blocks with
 * {@link NativeHeap}'s accessors: they are all in the one linear memory. The GC never sees them.
 *
 * <p>Invariants: the arena's state block is an allocation of the main heap, made by
 * {@link #create}; every heap of the arena is a block of the main heap that holds a live
 * allocation of the arena ({@link BlockHeaps}), so {@link #heapCount()} equals
 * {@link #blockCount()}. The arena never grows memory itself: {@link Talc#init} gives it the
 * Manual source, whose state words are zero, and in an app build, where every allocator shares
 * the build's growing source, a page limit of 0 makes that source add nothing
 * ({@code talc.core.Source}: word B is the page count it never grows past).
 *
 * <p>An arena is a Java object (and its block table a {@code TreeMap}), so unlike
 * {@link NativeHeap} its calls may allocate on the GC's heap. Not thread-safe.
 */
public final class NativeArena {
    /** Default block size: 1 MiB, as in Talc. */
    public static final int DEFAULT_BLOCK_SIZE = BlockHeaps.DEFAULT_BLOCK_SIZE;
    /** Smallest block size. */
    public static final int MIN_BLOCK_SIZE = BlockHeaps.MIN_BLOCK_SIZE;

    private final BlockHeaps blocks;
    /** The arena's allocator: its handle (state block in the main heap) and its blocks. */
    private final SuppliedAllocator core;
    private boolean closed;

    private NativeArena(int t, BlockHeaps blocks) {
        this.blocks = blocks;
        this.core = new SuppliedAllocator(t, blocks);
    }

    /** {@link #create(int)} with blocks of {@link #DEFAULT_BLOCK_SIZE}. */
    public static NativeArena create() {
        return create(DEFAULT_BLOCK_SIZE);
    }

    /**
     * An empty arena with blocks of {@code blockSize}: its state block ({@link Talc#stateSize()}
     * bytes) is allocated from the main heap now, its first block at its first allocation.
     * Returns null when the main heap has no room for the state block.
     *
     * @throws IllegalArgumentException if {@code blockSize} is not a power of two of at least
     *         {@link #MIN_BLOCK_SIZE}
     */
    public static NativeArena create(int blockSize) {
        BlockHeaps blocks = new BlockHeaps(blockSize, new MainHeap());
        int state = NativeHeap.malloc(Talc.stateSize());
        return state == 0 ? null : new NativeArena(Talc.init(state), blocks);
    }

    /** The main heap as the parent of the arena's blocks. */
    private static final class MainHeap implements BlockHeaps.Parent {
        @Override
        public int take(int bytes) {
            return NativeHeap.malloc(bytes);
        }

        @Override
        public void give(int block) {
            NativeHeap.free(block);
        }
    }

    /** The handle; throws once closed. */
    private int handle() {
        if (closed) {
            throw new IllegalStateException("the arena is closed");
        }
        return core.handle();
    }

    /** A block of at least {@code size} bytes, 16-aligned, or 0. */
    public int malloc(int size) {
        handle();
        return core.malloc(size);
    }

    /** A block of at least {@code size} bytes aligned to {@code align} (a power of two up to 2^30), or 0. */
    public int alignedAlloc(int align, int size) {
        handle();
        return core.alignedAlloc(align, size);
    }

    /** A zeroed block of {@code n * size} bytes, or 0 (also when the product overflows). */
    public int calloc(int n, int size) {
        handle();
        return core.calloc(n, size);
    }

    /**
     * Resizes {@code ptr} to {@code size} bytes, in place when it can, else by moving the contents
     * to a new 16-aligned block; returns the block, or 0 (then {@code ptr} is untouched).
     * {@code realloc(0, n)} allocates; {@code realloc(p, 0)} frees and returns 0.
     */
    public int realloc(int ptr, int size) {
        handle();
        int q = core.realloc(ptr, size);
        MisuseReport.throwPending();
        return q;
    }

    /**
     * Frees {@code ptr}, a block of this arena, or 0 (nothing happens); if it was the last
     * allocation in its block, the block goes back to the main heap.
     */
    public void free(int ptr) {
        handle();
        core.free(ptr);
        MisuseReport.throwPending();
    }

    /** Bytes usable at {@code ptr}: at least what was asked for; 0 for 0. */
    public int usableSize(int ptr) {
        handle();
        int size = core.usableSize(ptr);
        MisuseReport.throwPending();
        return size;
    }

    /** The block size. */
    public int blockSize() {
        return blocks.blockSize();
    }

    /** Blocks of the main heap the arena holds now. */
    public int blockCount() {
        handle();
        return blocks.blockCount();
    }

    /** A copy of the arena's heaps now: the address of each block to its heap's end. */
    public NavigableMap<Integer, Integer> heaps() {
        handle();
        return blocks.heaps();
    }

    /** Live blocks of the arena now. */
    public int allocationCount() {
        return Counters.allocationCount(handle());
    }

    /** Bytes in the arena's live blocks now, chunk rounding included. */
    public int allocatedBytes() {
        return Counters.allocatedBytes(handle());
    }

    /** Free bytes of the arena's heaps now. */
    public int availableBytes() {
        return Counters.availableBytes(handle());
    }

    /** Bytes the arena's heaps span now. */
    public int claimedBytes() {
        return Counters.claimedBytes(handle());
    }

    /** Heaps of the arena now: one per block. */
    public int heapCount() {
        return Counters.heapCount(handle());
    }

    /** Allocations since the arena was created (each realloc that moves counts too). */
    public long totalAllocationCount() {
        return Counters.totalAllocationCount(handle());
    }

    /**
     * Gives every block and the state block back to the main heap; blocks still allocated are
     * gone with them. Every call but {@link #close()} and {@link #isClosed()} throws
     * {@link IllegalStateException} afterwards; closing twice does nothing.
     */
    public void close() {
        if (!closed) {
            closed = true;
            blocks.giveAll();
            NativeHeap.free(core.handle());
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }
}
