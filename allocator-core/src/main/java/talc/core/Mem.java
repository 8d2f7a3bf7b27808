package talc.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The one layer through which the allocator touches memory: a wasm32 linear memory, addresses
 * from 0 to its size. This is the JVM twin; TeaVM compiles {@code talc.wasm.WasmMem} in its
 * place (the swap points and their contract: {@code docs/swap-points.md}).
 *
 * <p>Contract shared by both twins (the only methods the algorithm may call; a test,
 * {@code TwinSignaturesTest} in wasm-target, fails when the twins' public static methods differ
 * beyond the JVM-only helpers listed below):
 * <ul>
 *   <li>{@code getInt/putInt/getLong/putLong/getByte/putByte}: little-endian, at a byte address;
 *       an access outside memory traps (on the JVM: {@link IndexOutOfBoundsException}).</li>
 *   <li>{@code fill(addr, value, len)}: {@code memory.fill}; {@code copy(dst, src, len)}:
 *       {@code memory.copy}, overlapping ranges allowed.</li>
 *   <li>{@code grow(pages)}: {@code memory.grow}: returns the old size in 64 KiB pages, or -1 when
 *       the memory cannot grow (nothing changes then). {@code pages()}: {@code memory.size}.</li>
 *   <li>{@code end(addr)}: the memory's size in bytes, capped below 2 GiB; {@code holds(addr)}:
 *       whether {@code addr} is below that size (as an unsigned number); {@code holdsAligned(addr,
 *       shift)}: whether {@code addr} is a nonzero multiple of {@code 1 << shift}
 *       ({@code 2 <= shift <= 15}) that memory holds. The checks that keep a bad pointer from
 *       making the allocator trap use these; callers pass addresses of at least 16, so the word
 *       below one that memory holds is in memory too.</li>
 *   <li>{@code lessUnsigned(a, b)}: {@code a < b} as unsigned numbers ({@code i32.lt_u});
 *       {@code unsignedLong(a)}: {@code a} widened as an unsigned number
 *       ({@code i64.extend_i32_u}).</li>
 * </ul>
 *
 * <h2>On the JVM</h2>
 * The memory is the current thread's {@link Context}'s {@link Linear}: a little-endian
 * {@link ByteBuffer} whose index is the address. Its size is a whole number of pages when it was
 * made by {@link #reset} (a simulated wasm memory, for tests) and any number of bytes when it is
 * a buffer a program gave the JVM library; wasm memory is the first case, so the twins agree on
 * every memory wasm can have. JVM-only helpers, never called by the algorithm (the wasm twin
 * lacks them): {@link #reset}, {@link #setMaxPages}, {@link #growCalls}, {@link #accesses},
 * {@link #setAccessBudget}.
 */
public final class Mem {
    /** Bytes in a wasm page. */
    public static final int PAGE_SIZE = 65536;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 16;
    /** Pages in a full wasm32 memory (4 GiB). */
    public static final int MAX_WASM_PAGES = 65536;

    private Mem() {
    }

    /**
     * A linear memory on the JVM: bytes at addresses {@code [0, size())}, in a little-endian
     * buffer whose index is the address. A simulated memory ({@link #simulated}) starts
     * zero-filled and grows in whole pages up to its maximum, keeping its contents, as wasm
     * memory does; a memory over a given buffer ({@link #of}) has that buffer's size and never
     * grows. Accesses keep no state, so threads may use different bytes of one memory at once;
     * ordering accesses to the same bytes is the caller's business.
     */
    public static final class Linear {
        private ByteBuffer buffer;
        private final boolean growable;
        private int maxPages;
        private int growCalls;
        private long accesses;
        private long accessLimit = Long.MAX_VALUE;

        private Linear(ByteBuffer buffer, boolean growable, int maxPages) {
            this.buffer = buffer;
            this.growable = growable;
            this.maxPages = maxPages;
        }

        /** A zero-filled memory of {@code initialPages} that grows up to {@code maxPages}. */
        public static Linear simulated(int initialPages, int maxPages) {
            if (initialPages < 0 || initialPages > maxPages || maxPages > MAX_WASM_PAGES) {
                throw new IllegalArgumentException("pages: initial " + initialPages + ", max " + maxPages);
            }
            return new Linear(zeroed(initialPages), true, maxPages);
        }

        /**
         * The remaining bytes of {@code buffer} (position to limit) as a memory that never grows:
         * address 0 is the buffer's position now. The bytes are shared; the buffer's own position,
         * limit and byte order are left alone.
         *
         * @throws IllegalArgumentException if the buffer is read-only
         */
        public static Linear of(ByteBuffer buffer) {
            Objects.requireNonNull(buffer, "buffer");
            if (buffer.isReadOnly()) {
                throw new IllegalArgumentException("a read-only buffer cannot hold an allocator's memory");
            }
            return new Linear(buffer.slice().order(ByteOrder.LITTLE_ENDIAN), false, 0);
        }

        /**
         * The memory as a little-endian buffer whose index is the address. Only its absolute
         * accessors may be used (its position is shared), and only until the memory grows.
         */
        public ByteBuffer buffer() {
            return buffer;
        }

        /** Bytes in the memory. */
        public int size() {
            return buffer.capacity();
        }

        private static ByteBuffer zeroed(int pages) {
            return ByteBuffer.allocate(Math.multiplyExact(pages, PAGE_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        }

        private int pages() {
            return buffer.capacity() >>> PAGE_SHIFT;
        }

        private int grow(int delta) {
            int old = pages();
            if (delta == 0) {
                return old;
            }
            if (!growable || delta < 0 || delta > maxPages - old) {
                return -1;
            }
            growCalls++;
            ByteBuffer bigger = zeroed(old + delta);
            bigger.put(0, buffer, 0, buffer.capacity());
            buffer = bigger;
            return old;
        }

        /** Counts a word access; throws once the budget ({@link #setAccessBudget}) is spent. */
        private void count() {
            if (++accesses > accessLimit) {
                accessLimit = Long.MAX_VALUE;
                throw new IllegalStateException("more memory accesses than the budget: a runaway loop");
            }
        }

        /** Index of {@code addr} after checking that {@code len} bytes from there lie in memory. */
        private int checkRange(int addr, int len) {
            if (addr < 0 || len < 0 || addr > buffer.capacity() - len) {
                throw new IndexOutOfBoundsException("memory access out of bounds: " + addr + " + " + len);
            }
            return addr;
        }
    }

    private static Linear memory() {
        return Context.current().memory();
    }

    /**
     * JVM only: the current thread's memory becomes a new simulated one of {@code initialPages}
     * that grows up to {@code maxPages}; the thread keeps its features and misuse handler.
     */
    public static void reset(int initialPages, int maxPages) {
        Context c = Context.current();
        new Context(Linear.simulated(initialPages, maxPages), c.features(), c.handler()).enter();
    }

    /** JVM only: changes the current memory's declared maximum (for OOM tests); never below its size. */
    public static void setMaxPages(int pages) {
        Linear m = memory();
        m.maxPages = Math.max(pages, m.pages());
    }

    /**
     * JVM only: word reads and writes ({@code getInt/putInt/getLong/putLong}) of the current
     * memory so far: a measure of the allocator's work that single-threaded tests can compare
     * without timing anything.
     */
    public static long accesses() {
        return memory().accesses;
    }

    /**
     * JVM tests: lets at most {@code budget} more word accesses of the current memory happen;
     * the one past it throws {@link IllegalStateException}, the picture of a call that does not
     * return ({@code Long.MAX_VALUE}: no limit, as for a new memory).
     */
    public static void setAccessBudget(long budget) {
        Linear m = memory();
        m.accessLimit = budget == Long.MAX_VALUE ? Long.MAX_VALUE : m.accesses + budget;
    }

    /** JVM only: {@link #grow} calls with a nonzero argument that succeeded on the current memory. */
    public static int growCalls() {
        return memory().growCalls;
    }

    public static int getInt(int addr) {
        Linear m = memory();
        m.count();
        return m.buffer.getInt(addr);
    }

    public static void putInt(int addr, int value) {
        Linear m = memory();
        m.count();
        m.buffer.putInt(addr, value);
    }

    public static long getLong(int addr) {
        Linear m = memory();
        m.count();
        return m.buffer.getLong(addr);
    }

    public static void putLong(int addr, long value) {
        Linear m = memory();
        m.count();
        m.buffer.putLong(addr, value);
    }

    public static byte getByte(int addr) {
        return memory().buffer.get(addr);
    }

    public static void putByte(int addr, byte value) {
        memory().buffer.put(addr, value);
    }

    public static void fill(int addr, int value, int len) {
        Linear m = memory();
        int at = m.checkRange(addr, len);
        byte b = (byte) value;
        ByteBuffer buf = m.buffer;
        if (buf.hasArray()) {
            int from = buf.arrayOffset() + at;
            Arrays.fill(buf.array(), from, from + len, b);
            return;
        }
        long word = (b & 0xFFL) * 0x0101_0101_0101_0101L;
        int i = 0;
        for (; i <= len - Long.BYTES; i += Long.BYTES) {
            buf.putLong(at + i, word);
        }
        for (; i < len; i++) {
            buf.put(at + i, b);
        }
    }

    public static void copy(int dst, int src, int len) {
        Linear m = memory();
        int to = m.checkRange(dst, len);
        int from = m.checkRange(src, len);
        ByteBuffer buf = m.buffer;
        if (buf.hasArray()) {
            byte[] a = buf.array();
            System.arraycopy(a, buf.arrayOffset() + from, a, buf.arrayOffset() + to, len);
        } else if (Math.abs(to - from) < len) {
            // Overlapping ranges of a direct buffer: through a copy, as memmove would.
            byte[] tmp = new byte[len];
            buf.get(from, tmp);
            buf.put(to, tmp);
        } else {
            buf.put(to, buf.duplicate(), from, len);
        }
    }

    public static int pages() {
        return memory().pages();
    }

    public static int grow(int pages) {
        return memory().grow(pages);
    }

    /** The memory's size in bytes (below 2 GiB: a buffer holds at most {@code Integer.MAX_VALUE}). */
    public static int end(int addr) {
        return memory().size();
    }

    /** Whether {@code addr}, as an unsigned number, is below the memory's size. */
    public static boolean holds(int addr) {
        return lessUnsigned(addr, memory().size());
    }

    /** Whether {@code addr} is a nonzero multiple of {@code 1 << shift} and {@link #holds} it. */
    public static boolean holdsAligned(int addr, int shift) {
        return addr != 0 && (addr & ((1 << shift) - 1)) == 0 && holds(addr);
    }

    /** Whether {@code a < b} as unsigned numbers. */
    public static boolean lessUnsigned(int a, int b) {
        return Integer.compareUnsigned(a, b) < 0;
    }

    /** {@code value} as an unsigned number. */
    public static long unsignedLong(int value) {
        return Integer.toUnsignedLong(value);
    }
}
