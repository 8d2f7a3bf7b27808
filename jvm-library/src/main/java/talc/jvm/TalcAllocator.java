package talc.jvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.NavigableMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import talc.blocks.SuppliedAllocator;
import talc.core.Context;
import talc.core.Counters;
import talc.core.Report;
import talc.core.Talc;

/**
 * A Talc allocator on the JVM: the C allocation API on {@code int} pointers, which are offsets
 * into the allocator's {@link Memory}, and typed accessors to read and write the blocks it
 * returns. {@link TalcCell} is the single-threaded one, {@link TalcLock} the thread-safe one.
 *
 * <p>Allocation semantics are the C ABI's (see {@link Talc}): pointers are 16-aligned,
 * {@code malloc(0)} returns a unique pointer that must be freed, failure (out of memory, a size
 * above {@link Talc#MAX_REQUEST}, a bad alignment, an overflowing {@code calloc}) is 0 and never
 * an exception, {@code free(0)} does nothing. Unlike C, a pointer that is not a live allocation
 * of this allocator (freed already, never returned, inside a block, another allocator's) makes
 * {@link #free}, {@link #realloc} and {@link #usableSize} throw {@link MisuseException} and
 * leaves the heap as it was. Every method throws {@link IllegalStateException} once the
 * allocator is closed, except the accessors, {@link #close()} and {@link #isClosed()}.
 *
 * <p>The accessors ({@link #getInt}, {@link #put(int, byte[], int, int)}, {@link #slice} ...)
 * are little-endian, take no lock and are bounds-checked against the allocator's memory: an
 * address outside it throws {@link IndexOutOfBoundsException}. Staying inside a live block is
 * the caller's business, as in C (a write past a block that reaches the allocator's metadata is
 * found, as {@link MisuseException}, when the allocator meets it); so is ordering accesses to
 * one block from several threads.
 *
 * <p>Each call runs the static core ({@code talc.core}) with this allocator's memory and
 * {@link Options} bound to the calling thread ({@link Context}), so allocators with different
 * memories and options work side by side on any threads.
 */
public abstract sealed class TalcAllocator implements AutoCloseable permits TalcCell, TalcLock {
    /** What the core's misuse reports become: the exception, before the heap changes. */
    private static final Report.Handler THROW = (kind, address) -> {
        throw new MisuseException(kind, address);
    };

    private final Memory memory;
    private final Context context;
    private final ByteBuffer bytes;
    private final SuppliedAllocator core;
    private boolean closed;
    /**
     * Blocks lent to child allocators ({@link Memory#blocksOf}): their state blocks and heaps,
     * start to end. A pointer in one is the child's, never this allocator's to free: in one
     * memory, the checked core's O(1) test cannot tell a child's chunk from its own.
     */
    private final TreeMap<Integer, Integer> lent = new TreeMap<>();
    /** State blocks of open child allocators in this one: count and allocated bytes. */
    private int childStates;
    private int childStateBytes;
    /** Running totals of the same, for the counters' totals. */
    private long totalChildStates;
    private long totalChildStateBytes;

    TalcAllocator(Memory memory, Options options) {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(options, "options");
        memory.bind();
        this.memory = memory;
        this.context = new Context(memory.linear(), options.features(), THROW);
        this.bytes = context.memory().buffer();
        Context previous = context.enter();
        try {
            this.core = new SuppliedAllocator(memory.open(), memory.supply());
        } finally {
            Context.restore(previous);
        }
    }

    /** Takes the allocator's lock, if it has one. */
    abstract void acquire();

    /** Releases what {@link #acquire()} took. */
    abstract void release();

    /** Locks, checks the allocator is open and binds its context; returns the context to restore. */
    private Context begin() {
        acquire();
        if (closed) {
            release();
            throw new IllegalStateException("the allocator is closed");
        }
        return context.enter();
    }

    private void end(Context previous) {
        Context.restore(previous);
        release();
    }

    /** {@code size} bytes, 16-aligned; 0 on failure. {@code malloc(0)} returns a unique pointer. */
    public final int malloc(int size) {
        Context previous = begin();
        try {
            return core.malloc(size);
        } finally {
            end(previous);
        }
    }

    /** {@code n * size} zeroed bytes; 0 on failure or when the product overflows 32 bits. */
    public final int calloc(int n, int size) {
        Context previous = begin();
        try {
            return core.calloc(n, size);
        } finally {
            end(previous);
        }
    }

    /** {@code size} bytes aligned to {@code align}, a power of two up to 2^30; 0 on failure. */
    public final int alignedAlloc(int align, int size) {
        Context previous = begin();
        try {
            return core.alignedAlloc(align, size);
        } finally {
            end(previous);
        }
    }

    /**
     * Resizes the block at {@code ptr}, in place when it can, else by moving its contents to a
     * new 16-aligned block. {@code realloc(0, n)} is {@code malloc(n)}; {@code realloc(p, 0)}
     * frees {@code p} and returns 0. On failure returns 0 and {@code ptr} is untouched.
     *
     * @throws MisuseException if {@code ptr} is not 0 and not a live allocation of this allocator
     */
    public final int realloc(int ptr, int size) {
        Context previous = begin();
        try {
            checkOwned(ptr);
            return core.realloc(ptr, size);
        } finally {
            end(previous);
        }
    }

    /**
     * Frees the block at {@code ptr}; {@code free(0)} does nothing.
     *
     * @throws MisuseException if {@code ptr} is not 0 and not a live allocation of this allocator
     */
    public final void free(int ptr) {
        Context previous = begin();
        try {
            checkOwned(ptr);
            core.free(ptr);
        } finally {
            end(previous);
        }
    }

    /**
     * Bytes usable at {@code ptr} (at least what was asked for); 0 for 0.
     *
     * @throws MisuseException if {@code ptr} is not 0 and not a live allocation of this allocator
     */
    public final int usableSize(int ptr) {
        Context previous = begin();
        try {
            checkOwned(ptr);
            return core.usableSize(ptr);
        } finally {
            end(previous);
        }
    }

    /**
     * The counters now. The state blocks of open child allocators ({@link Memory#blocksOf})
     * count as overhead, not as allocations; their blocks count as allocations.
     *
     * @throws IllegalStateException when the counters are off ({@link Options#counters()})
     */
    public final CountersSnapshot counters() {
        Context previous = begin();
        try {
            CountersSnapshot c = CountersSnapshot.of(core.handle());
            return new CountersSnapshot(c.allocationCount() - childStates, c.allocatedBytes() - childStateBytes,
                    c.availableBytes(), c.fragmentCount(), c.heapCount(), c.claimedBytes(),
                    c.totalAllocationCount() - totalChildStates, c.totalAllocatedBytes() - totalChildStateBytes,
                    c.totalHeapCount(), c.totalClaimedBytes());
        } finally {
            end(previous);
        }
    }

    /**
     * The heaps the allocator serves now, for diagnostics: the address of each region it
     * claimed to that heap's end (an unmodifiable copy).
     */
    public final NavigableMap<Integer, Integer> heaps() {
        Context previous = begin();
        try {
            return memory.heaps();
        } finally {
            end(previous);
        }
    }

    /**
     * The allocator's handle in {@link Talc}'s static API, for tools that read the core directly
     * (such as a heap scan): bind {@link #context()} around such calls. They bypass any lock.
     */
    public final int handle() {
        Context previous = begin();
        try {
            return core.handle();
        } finally {
            end(previous);
        }
    }

    /** The memory and features the core serves this allocator with ({@link Context#enter}). */
    public final Context context() {
        return context;
    }

    /**
     * Gives back all memory: the blocks taken from the parent allocator, or the buffer (whose
     * bytes stay the caller's). Blocks still allocated are gone with it. Closing twice does
     * nothing.
     */
    @Override
    public final void close() {
        acquire();
        try {
            if (!closed) {
                Context previous = context.enter();
                try {
                    memory.close(core.handle());
                } finally {
                    Context.restore(previous);
                }
                closed = true;
            }
        } finally {
            release();
        }
    }

    /** Whether {@link #close()} was called. */
    public final boolean isClosed() {
        acquire();
        try {
            return closed;
        } finally {
            release();
        }
    }

    /**
     * Refuses a pointer that the core's checks would take for a live allocation of this one but
     * that is not: outside its heaps (another allocator's chunk in the same memory), or in a
     * block lent to a child. The core reports everything else ({@link Talc#verify}).
     */
    private void checkOwned(int ptr) {
        if (ptr == 0 || (ptr & (Talc.MIN_ALIGN - 1)) != 0) {
            return;
        }
        if (!memory.inHeaps(ptr)) {
            throw new MisuseException(Talc.OUTSIDE_HEAPS, ptr);
        }
        Map.Entry<Integer, Integer> e = lent.floorEntry(ptr);
        if (e != null && ptr < e.getValue()) {
            throw new MisuseException(Talc.INSIDE_BLOCK, ptr);
        }
    }

    /**
     * Lends a child allocator ({@link BlockMemory}) a block of {@code size} bytes: a heap, or
     * with {@code state} its state block, which the counters count as overhead. 0 when there is
     * no room.
     */
    final int lend(int size, boolean state) {
        Context previous = begin();
        try {
            int t = core.handle();
            int before = Counters.allocatedBytes(t);
            int p = core.malloc(size);
            if (p != 0) {
                lent.put(p, p + Talc.usableSize(t, p));
                if (state) {
                    int bytes = Counters.allocatedBytes(t) - before;
                    childStates++;
                    childStateBytes += bytes;
                    totalChildStates++;
                    totalChildStateBytes += bytes;
                }
            }
            return p;
        } finally {
            end(previous);
        }
    }

    /** Takes back a block that {@link #lend} returned. */
    final void takeBack(int p, boolean state) {
        Context previous = begin();
        try {
            int t = core.handle();
            int before = Counters.allocatedBytes(t);
            lent.remove(p);
            core.free(p);
            if (state) {
                childStates--;
                childStateBytes -= before - Counters.allocatedBytes(t);
            }
        } finally {
            end(previous);
        }
    }

    /** The byte at {@code ptr}. */
    public final byte getByte(int ptr) {
        return bytes.get(ptr);
    }

    /** Writes the byte at {@code ptr}. */
    public final void putByte(int ptr, byte value) {
        bytes.put(ptr, value);
    }

    /** The {@code boolean} at {@code ptr}: one byte, nonzero is {@code true}. */
    public final boolean getBoolean(int ptr) {
        return bytes.get(ptr) != 0;
    }

    /** Writes a {@code boolean} at {@code ptr}: one byte, 1 or 0. */
    public final void putBoolean(int ptr, boolean value) {
        bytes.put(ptr, (byte) (value ? 1 : 0));
    }

    /** The little-endian {@code short} at {@code ptr}. */
    public final short getShort(int ptr) {
        return bytes.getShort(ptr);
    }

    /** Writes a little-endian {@code short} at {@code ptr}. */
    public final void putShort(int ptr, short value) {
        bytes.putShort(ptr, value);
    }

    /** The little-endian {@code char} at {@code ptr}. */
    public final char getChar(int ptr) {
        return bytes.getChar(ptr);
    }

    /** Writes a little-endian {@code char} at {@code ptr}. */
    public final void putChar(int ptr, char value) {
        bytes.putChar(ptr, value);
    }

    /** The little-endian {@code int} at {@code ptr}. */
    public final int getInt(int ptr) {
        return bytes.getInt(ptr);
    }

    /** Writes a little-endian {@code int} at {@code ptr}. */
    public final void putInt(int ptr, int value) {
        bytes.putInt(ptr, value);
    }

    /** The little-endian {@code long} at {@code ptr}. */
    public final long getLong(int ptr) {
        return bytes.getLong(ptr);
    }

    /** Writes a little-endian {@code long} at {@code ptr}. */
    public final void putLong(int ptr, long value) {
        bytes.putLong(ptr, value);
    }

    /** The little-endian {@code float} at {@code ptr}. */
    public final float getFloat(int ptr) {
        return bytes.getFloat(ptr);
    }

    /** Writes a little-endian {@code float} at {@code ptr}. */
    public final void putFloat(int ptr, float value) {
        bytes.putFloat(ptr, value);
    }

    /** The little-endian {@code double} at {@code ptr}. */
    public final double getDouble(int ptr) {
        return bytes.getDouble(ptr);
    }

    /** Writes a little-endian {@code double} at {@code ptr}. */
    public final void putDouble(int ptr, double value) {
        bytes.putDouble(ptr, value);
    }

    /** Copies {@code len} bytes at {@code ptr} into {@code dst[off ..]}. */
    public final void get(int ptr, byte[] dst, int off, int len) {
        bytes.get(ptr, dst, off, len);
    }

    /** Copies {@code src[off .. off+len)} to {@code ptr}. */
    public final void put(int ptr, byte[] src, int off, int len) {
        bytes.put(ptr, src, off, len);
    }

    /**
     * A little-endian buffer over the {@code len} bytes at {@code ptr}, sharing the memory: for
     * NIO channels and bulk views. It stays valid as long as the block does.
     */
    public final ByteBuffer slice(int ptr, int len) {
        return bytes.slice(ptr, len).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A little-endian buffer over the whole block at {@code ptr} ({@link #usableSize} bytes),
     * sharing the memory.
     *
     * @throws MisuseException if {@code ptr} is not a live allocation of this allocator
     */
    public final ByteBuffer slice(int ptr) {
        if (ptr == 0) {
            throw new IllegalArgumentException("no block at 0");
        }
        return slice(ptr, usableSize(ptr));
    }
}
