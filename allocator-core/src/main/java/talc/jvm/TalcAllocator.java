package talc.jvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.NavigableMap;
import talc.core.Mem;

/**
 * A Talc allocator on the JVM: the C allocation API on {@code int} pointers, and typed accessors
 * to read and write the blocks it returns. {@link TalcCell} is the single-threaded one,
 * {@link TalcLock} the thread-safe one; both take their memory from a {@link Source}.
 *
 * <p>Allocation semantics are the C ABI's (see {@link talc.core.Talc}): pointers are 16-aligned,
 * {@code malloc(0)} returns a unique pointer that must be freed, failure (out of memory, a size
 * above {@link talc.core.Talc#MAX_REQUEST}, a bad alignment, an overflowing {@code calloc}) is 0
 * and never an exception, {@code free(0)} does nothing. Freeing twice or freeing a pointer this
 * allocator did not return is undefined. Every method throws {@link IllegalStateException}
 * once the allocator is closed, except the accessors and {@link #close()}.
 *
 * <p>The accessors ({@link #getInt}, {@link #put(int, byte[], int, int)}, {@link #slice} ...)
 * are little-endian, take no lock and are bounds-checked against the allocator's memory: an
 * address outside it throws {@link IndexOutOfBoundsException}. Staying inside a live block is
 * the caller's business, as in C; so is ordering accesses to one block from several threads.
 */
public abstract class TalcAllocator implements AutoCloseable {
    final Core core;

    TalcAllocator(Source source) {
        this.core = new Core(source);
    }

    /** {@code size} bytes, 16-aligned; 0 on failure. {@code malloc(0)} returns a unique pointer. */
    public abstract int malloc(int size);

    /** {@code n * size} zeroed bytes; 0 on failure or when the product overflows 32 bits. */
    public abstract int calloc(int n, int size);

    /** {@code size} bytes aligned to {@code align}, a power of two up to 2^30; 0 on failure. */
    public abstract int alignedAlloc(int align, int size);

    /**
     * Resizes the block at {@code ptr}, in place when it can, else by moving its contents to a
     * new 16-aligned block. {@code realloc(0, n)} is {@code malloc(n)}; {@code realloc(p, 0)}
     * frees {@code p} and returns 0. On failure returns 0 and {@code ptr} is untouched.
     */
    public abstract int realloc(int ptr, int size);

    /** Frees the block at {@code ptr}; {@code free(0)} does nothing. */
    public abstract void free(int ptr);

    /**
     * Bytes usable at {@code ptr} (at least what was asked for); 0 for 0 and for a pointer that
     * cannot be a block (misaligned, outside memory). In checked builds
     * ({@code talc.core.Features#checked()}) any pointer but a live allocation is reported to
     * {@code talc.core.Report} first, as a bad {@link #free} is.
     */
    public abstract int usableSize(int ptr);

    /**
     * The counters now.
     *
     * @throws IllegalStateException when {@link talc.core.Features#counters()} is off
     */
    public abstract CountersSnapshot counters();

    /**
     * The heaps the allocator serves now, for diagnostics: the address of each region it
     * claimed to that heap's end (an unmodifiable copy).
     */
    public abstract NavigableMap<Integer, Integer> heaps();

    /**
     * The allocator's handle in {@link talc.core.Talc}'s static API, for tools that read the core
     * directly (such as a heap scan). Calls through it bypass the source and any lock.
     */
    public abstract int handle();

    /**
     * Gives back all memory: an unmapped buffer, the blocks taken from the JVM or from the
     * parent allocator. Blocks still allocated are gone with it. Closing twice does nothing.
     */
    @Override
    public abstract void close();

    /** Whether {@link #close()} was called. */
    public abstract boolean isClosed();

    /** The owner tag of the segments that hold this allocator's memory. */
    final Object root() {
        return core.root();
    }

    /** The segment of {@code ptr}, which must be this allocator's memory. */
    private Mem.Segment segment(int ptr) {
        Mem.Segment s = Mem.segment(ptr);
        if (s.owner() != core.root()) {
            throw new IndexOutOfBoundsException("address " + ptr + " is outside this allocator's memory");
        }
        return s;
    }

    /** The little-endian {@code int} at {@code ptr}. */
    public final int getInt(int ptr) {
        Mem.Segment s = segment(ptr);
        return s.buffer().getInt(ptr - s.base());
    }

    /** Writes a little-endian {@code int} at {@code ptr}. */
    public final void putInt(int ptr, int value) {
        Mem.Segment s = segment(ptr);
        s.buffer().putInt(ptr - s.base(), value);
    }

    /** The little-endian {@code long} at {@code ptr}. */
    public final long getLong(int ptr) {
        Mem.Segment s = segment(ptr);
        return s.buffer().getLong(ptr - s.base());
    }

    /** Writes a little-endian {@code long} at {@code ptr}. */
    public final void putLong(int ptr, long value) {
        Mem.Segment s = segment(ptr);
        s.buffer().putLong(ptr - s.base(), value);
    }

    /** The byte at {@code ptr}. */
    public final byte get(int ptr) {
        Mem.Segment s = segment(ptr);
        return s.buffer().get(ptr - s.base());
    }

    /** Writes the byte at {@code ptr}. */
    public final void put(int ptr, byte value) {
        Mem.Segment s = segment(ptr);
        s.buffer().put(ptr - s.base(), value);
    }

    /** Copies {@code len} bytes at {@code ptr} into {@code dst[off ..]}. */
    public final void get(int ptr, byte[] dst, int off, int len) {
        Mem.Segment s = segment(ptr);
        s.buffer().get(ptr - s.base(), dst, off, len);
    }

    /** Copies {@code src[off .. off+len)} to {@code ptr}. */
    public final void put(int ptr, byte[] src, int off, int len) {
        Mem.Segment s = segment(ptr);
        s.buffer().put(ptr - s.base(), src, off, len);
    }

    /**
     * A little-endian buffer over the {@code len} bytes at {@code ptr}, sharing the memory: for
     * NIO channels and bulk views. It stays valid as long as the block does.
     */
    public final ByteBuffer slice(int ptr, int len) {
        Mem.Segment s = segment(ptr);
        return s.buffer().slice(ptr - s.base(), len).order(ByteOrder.LITTLE_ENDIAN);
    }
}
