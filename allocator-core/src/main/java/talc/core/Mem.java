package talc.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The one layer through which the allocator touches memory. On the JVM it is a 31-bit address
 * space made of segments: a simulated wasm32 linear memory at the bottom, and the
 * {@link ByteBuffer}s of the JVM library ({@code talc.jvm}) mapped above it. The wasm build
 * replaces this class at compile time with an Address-based twin ({@code talc.wasm.WasmMem},
 * mapped in wasm-target's {@code META-INF/teavm.properties}), so the algorithm never knows which
 * one it runs on.
 *
 * <p>Contract shared by both twins (the only methods the algorithm may call):
 * <ul>
 *   <li>{@code getInt/putInt/getLong/putLong/getByte/putByte}: little-endian, at a byte address.</li>
 *   <li>{@code fill(addr, value, len)}: {@code memory.fill}; {@code copy(dst, src, len)}:
 *       {@code memory.copy}, overlapping ranges allowed.</li>
 *   <li>{@code grow(pages)}: {@code memory.grow}: returns the old size in 64 KiB pages, or -1 when
 *       the memory cannot grow (nothing changes then). {@code pages()}: {@code memory.size}.</li>
 *   <li>{@code end(addr)}: the end of the region of memory holding {@code addr} (in wasm, the
 *       memory's size, capped below 2 GiB), at most {@code addr} when none does;
 *       {@code holds(addr)}: whether {@code addr} and the word below it are in memory;
 *       {@code holdsAligned(addr, shift)}: whether {@code addr} is a nonzero multiple of
 *       {@code 1 << shift} ({@code 2 <= shift <= 15}) and {@code holds(addr)}. The checks that
 *       keep a bad pointer from making the allocator trap use these.</li>
 *   <li>{@code lessUnsigned(a, b)}: {@code a < b} as unsigned numbers ({@code i32.lt_u}), for
 *       range checks that must also refuse sizes of 2 GiB and more; {@code unsignedLong(a)}:
 *       {@code a} widened as an unsigned number ({@code i64.extend_i32_u}).</li>
 * </ul>
 * Everything else here ({@link #reset}, {@link #setMaxPages}, {@link #growCalls},
 * {@link #accesses}, {@link #setAccessBudget}, {@link #map}, {@link #unmap},
 * {@link #segment}) is for the JVM: tests, harnesses and the JVM library. The algorithm must
 * never call it (the wasm twin lacks it, so a core that did would not compile to wasm).
 *
 * <h2>Address space (JVM)</h2>
 * <pre>
 *  0                    512 MiB                                     2 GiB - 1 MiB   2 GiB
 *  | simulated memory   | mapped buffers, 1 MiB slots                 | unused slot  |
 *  | (grows from 0)     | | buf A | buf A | free | buf B | ...        |              |
 * </pre>
 * <ul>
 *   <li>A table of {@value #SLOTS} slots of {@link #SLOT_SIZE} bytes (indexed by
 *       {@code addr >>> SLOT_SHIFT}) says which {@link Segment} holds each address; an access
 *       goes to that segment's buffer at {@code addr - base}. Negative addresses fall off the
 *       table, so every address above 2 GiB unsigned traps too.</li>
 *   <li>The simulated memory owns the slots below {@link #MAPPED_BASE}: it behaves as a wasm
 *       memory whose maximum is at most {@link #SIMULATED_MAX_PAGES} pages (512 MiB), whatever
 *       {@link #reset} declares, so its growth never reaches a mapped buffer. Accessors take a
 *       fast path to its buffer for addresses below {@code MAPPED_BASE}, as cheap as a single
 *       memory was.</li>
 *   <li>{@link #map} places a buffer at the first run of free slots in
 *       {@code [MAPPED_BASE, MAPPED_END)}; it starts at a slot boundary (so 16-aligned, never 0)
 *       and takes whole slots. The top slot is never used, so {@code address + length} of any
 *       mapped byte stays a positive {@code int}.</li>
 *   <li>Every access is bounds-checked by the buffer of the segment its first byte is in: an
 *       access past a buffer's end, into a free slot or across two buffers throws
 *       {@link IndexOutOfBoundsException}, the JVM's picture of a wasm out-of-bounds trap.</li>
 *   <li>Threads: the table is copy-on-write, replaced under a lock and published through a
 *       volatile field, so accesses take no lock. Absolute {@code ByteBuffer} accesses keep no
 *       state, so threads may use different segments, or different bytes of one, at once;
 *       ordering accesses to the same bytes is the caller's business (a lock, as TalcLock does).
 *       {@link #reset} and {@link #grow} of the simulated memory are single-threaded test
 *       operations.</li>
 * </ul>
 *
 * <p>The simulated memory starts zero-filled, grows in whole pages, keeps its contents when it
 * grows, and refuses to grow past its maximum, as wasm memory does.
 */
public final class Mem {
    /** Bytes in a wasm page. */
    public static final int PAGE_SIZE = 65536;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 16;
    /** Pages in a full wasm32 memory (4 GiB). */
    public static final int MAX_WASM_PAGES = 65536;

    /** log2 of {@link #SLOT_SIZE}. */
    public static final int SLOT_SHIFT = 20;
    /** Granularity of the segment table: 1 MiB. */
    public static final int SLOT_SIZE = 1 << SLOT_SHIFT;
    /** Slots in the 31-bit address space. */
    public static final int SLOTS = 1 << (Integer.SIZE - 1 - SLOT_SHIFT);
    /** Most pages the simulated memory can have (512 MiB), whatever its declared maximum. */
    public static final int SIMULATED_MAX_PAGES = 8192;
    /** Lowest address of a mapped buffer: the end of the simulated memory's range. */
    public static final int MAPPED_BASE = SIMULATED_MAX_PAGES << PAGE_SHIFT;
    /** End (exclusive) of the range for mapped buffers: the top slot stays unused. */
    public static final int MAPPED_END = (SLOTS - 1) << SLOT_SHIFT;

    private static final int SIMULATED_SLOTS = MAPPED_BASE >>> SLOT_SHIFT;
    /** {@code addr >>> SIMULATED_SHIFT == 0} exactly for the simulated memory's range {@code [0, MAPPED_BASE)}. */
    private static final int SIMULATED_SHIFT = Integer.numberOfTrailingZeros(MAPPED_BASE);

    /**
     * A buffer at a range of addresses: address {@code base + i} is byte {@code i} of
     * {@link #buffer()}. Immutable; a grown simulated memory is a new segment.
     */
    public static final class Segment {
        private final int base;
        private final ByteBuffer buffer;
        private final Object owner;

        private Segment(int base, ByteBuffer buffer, Object owner) {
            this.base = base;
            this.buffer = buffer;
            this.owner = owner;
        }

        /** Address of the segment's first byte. */
        public int base() {
            return base;
        }

        /** Bytes in the segment (0 for a free slot). */
        public int size() {
            return buffer.capacity();
        }

        /**
         * The segment's memory as a little-endian buffer whose index 0 is {@link #base()}. Only
         * its absolute accessors may be used: its position is shared with other threads.
         */
        public ByteBuffer buffer() {
            return buffer;
        }

        /** What {@link #map} was given as the owner; {@code null} for the simulated memory and free slots. */
        public Object owner() {
            return owner;
        }
    }

    /** Free slots: base 0 and no bytes, so any access through it is out of bounds. */
    private static final Segment UNMAPPED = new Segment(0, newBuffer(0), null);
    /** Guards replacements of {@link #table}. */
    private static final Object TABLE_LOCK = new Object();

    private static volatile Segment[] table = emptyTable();
    private static Segment simulated;
    /**
     * The simulated memory's buffer, for the fast path of the word accessors (a plain field: the
     * simulated memory belongs to single-threaded tests; threads of the JVM library only touch
     * mapped buffers, through the table).
     */
    private static ByteBuffer simulatedBuffer;
    private static int maxPages = MAX_WASM_PAGES;
    private static int growCalls;
    private static long accesses;
    private static long accessLimit = Long.MAX_VALUE;

    static {
        setSimulated(newBuffer(0));
    }

    private Mem() {
    }

    private static Segment[] emptyTable() {
        Segment[] t = new Segment[SLOTS];
        Arrays.fill(t, UNMAPPED);
        return t;
    }

    /**
     * Replaces the simulated memory with a new zero-filled one of {@code initialPages}, capped at
     * {@code maxPages} (and at {@link #SIMULATED_MAX_PAGES}). Mapped buffers are not touched.
     */
    public static void reset(int initialPages, int maxPages) {
        if (initialPages < 0 || initialPages > maxPages || initialPages > SIMULATED_MAX_PAGES) {
            throw new IllegalArgumentException("initial pages " + initialPages + " > max " + maxPages
                    + " or > " + SIMULATED_MAX_PAGES);
        }
        setSimulated(newBuffer(initialPages));
        Mem.maxPages = maxPages;
        growCalls = 0;
        accessLimit = Long.MAX_VALUE;
    }

    /** Changes the declared maximum (for OOM tests); never below the current size. */
    public static void setMaxPages(int pages) {
        maxPages = Math.max(pages, pages());
    }

    /**
     * Word reads and writes ({@code getInt/putInt/getLong/putLong}) of the simulated memory so
     * far: a measure of the allocator's work that single-threaded tests can compare without
     * timing anything. Accesses to mapped buffers are not counted, so threads using the JVM
     * library never race on it.
     */
    public static long accesses() {
        return accesses;
    }

    /**
     * JVM tests: lets at most {@code budget} more word accesses of the simulated memory happen;
     * the one past it throws {@link IllegalStateException}, the picture of a call that does
     * not return ({@code Long.MAX_VALUE}: no limit, as after {@link #reset}).
     */
    public static void setAccessBudget(long budget) {
        accessLimit = budget == Long.MAX_VALUE ? Long.MAX_VALUE : accesses + budget;
    }

    private static void count() {
        if (++accesses > accessLimit) {
            accessLimit = Long.MAX_VALUE;
            throw new IllegalStateException("more memory accesses than the budget: a runaway loop");
        }
    }

    /** Number of {@link #grow} calls with a nonzero argument since the last {@link #reset}. */
    public static int growCalls() {
        return growCalls;
    }

    /**
     * Maps {@code buffer}'s bytes from its position to its limit at a free range of addresses
     * above the simulated memory and returns the address of its first byte, or 0 when no range
     * is free. The memory is shared with the buffer, whose own position, limit and byte order
     * are left alone; accesses through this class are little-endian.
     *
     * @param owner tag that {@link Segment#owner()} returns for these addresses
     * @throws IllegalArgumentException if the buffer is read-only or has no bytes remaining
     */
    public static int map(ByteBuffer buffer, Object owner) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("a read-only buffer cannot hold an allocator's memory");
        }
        ByteBuffer view = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (view.capacity() == 0) {
            throw new IllegalArgumentException("the buffer has no bytes remaining");
        }
        int slots = (int) (((long) view.capacity() + SLOT_SIZE - 1) >>> SLOT_SHIFT);
        synchronized (TABLE_LOCK) {
            Segment[] t = table;
            int first = freeRun(t, slots);
            if (first < 0) {
                return 0;
            }
            Segment s = new Segment(first << SLOT_SHIFT, view, owner);
            Segment[] next = t.clone();
            Arrays.fill(next, first, first + slots, s);
            table = next;
            return s.base;
        }
    }

    /** First slot of the lowest run of {@code slots} free slots in the mapped range, or -1. */
    private static int freeRun(Segment[] t, int slots) {
        int run = 0;
        for (int i = SIMULATED_SLOTS; i < MAPPED_END >>> SLOT_SHIFT; i++) {
            run = t[i] == UNMAPPED ? run + 1 : 0;
            if (run == slots) {
                return i - slots + 1;
            }
        }
        return -1;
    }

    /**
     * Unmaps the buffer that {@link #map} placed at {@code base}: its addresses trap again and
     * may be reused by a later {@code map}.
     *
     * @throws IllegalArgumentException if no mapped buffer starts at {@code base}
     */
    public static void unmap(int base) {
        synchronized (TABLE_LOCK) {
            Segment[] t = table;
            Segment s = base >= MAPPED_BASE && base < MAPPED_END ? t[base >>> SLOT_SHIFT] : UNMAPPED;
            if (s == UNMAPPED || s.base != base) {
                throw new IllegalArgumentException("no mapped buffer starts at " + base);
            }
            Segment[] next = t.clone();
            for (int i = base >>> SLOT_SHIFT; i < next.length && next[i] == s; i++) {
                next[i] = UNMAPPED;
            }
            table = next;
        }
    }

    /**
     * The segment holding {@code addr}: the simulated memory, a mapped buffer, or an empty
     * segment with a {@code null} owner for a free slot.
     *
     * @throws IndexOutOfBoundsException for a negative address
     */
    public static Segment segment(int addr) {
        return table[addr >>> SLOT_SHIFT];
    }

    private static void setSimulated(ByteBuffer buffer) {
        synchronized (TABLE_LOCK) {
            Segment s = new Segment(0, buffer, null);
            Segment[] next = table.clone();
            Arrays.fill(next, 0, SIMULATED_SLOTS, s);
            simulated = s;
            simulatedBuffer = buffer;
            table = next;
        }
    }

    private static ByteBuffer newBuffer(int pages) {
        return ByteBuffer.allocate(Math.multiplyExact(pages, PAGE_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static int getInt(int addr) {
        if (addr >>> SIMULATED_SHIFT == 0) {
            count();
            return simulatedBuffer.getInt(addr);
        }
        Segment s = table[addr >>> SLOT_SHIFT];
        return s.buffer.getInt(addr - s.base);
    }

    public static void putInt(int addr, int value) {
        if (addr >>> SIMULATED_SHIFT == 0) {
            count();
            simulatedBuffer.putInt(addr, value);
            return;
        }
        Segment s = table[addr >>> SLOT_SHIFT];
        s.buffer.putInt(addr - s.base, value);
    }

    public static long getLong(int addr) {
        if (addr >>> SIMULATED_SHIFT == 0) {
            count();
            return simulatedBuffer.getLong(addr);
        }
        Segment s = table[addr >>> SLOT_SHIFT];
        return s.buffer.getLong(addr - s.base);
    }

    public static void putLong(int addr, long value) {
        if (addr >>> SIMULATED_SHIFT == 0) {
            count();
            simulatedBuffer.putLong(addr, value);
            return;
        }
        Segment s = table[addr >>> SLOT_SHIFT];
        s.buffer.putLong(addr - s.base, value);
    }

    public static byte getByte(int addr) {
        if (addr >>> SIMULATED_SHIFT == 0) {
            return simulatedBuffer.get(addr);
        }
        Segment s = table[addr >>> SLOT_SHIFT];
        return s.buffer.get(addr - s.base);
    }

    public static void putByte(int addr, byte value) {
        if (addr >>> SIMULATED_SHIFT == 0) {
            simulatedBuffer.put(addr, value);
            return;
        }
        Segment s = table[addr >>> SLOT_SHIFT];
        s.buffer.put(addr - s.base, value);
    }

    public static void fill(int addr, int value, int len) {
        Segment s = table[addr >>> SLOT_SHIFT];
        int at = checkRange(s, addr, len);
        byte b = (byte) value;
        ByteBuffer buf = s.buffer;
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
        Segment d = table[dst >>> SLOT_SHIFT];
        Segment s = table[src >>> SLOT_SHIFT];
        int to = checkRange(d, dst, len);
        int from = checkRange(s, src, len);
        ByteBuffer db = d.buffer;
        ByteBuffer sb = s.buffer;
        if (d == s && db.hasArray()) {
            byte[] a = db.array();
            System.arraycopy(a, db.arrayOffset() + from, a, db.arrayOffset() + to, len);
        } else if (d == s && Math.abs(to - from) < len) {
            // Overlapping ranges of one direct buffer: through a copy, as memmove would.
            byte[] tmp = new byte[len];
            sb.get(from, tmp);
            db.put(to, tmp);
        } else {
            db.put(to, d == s ? sb.duplicate() : sb, from, len);
        }
    }

    public static int pages() {
        return simulated.buffer.capacity() >>> PAGE_SHIFT;
    }

    /**
     * The end of the region of memory that holds {@code addr} (the simulated memory or a mapped
     * buffer): its first address past it; 0 when no region holds {@code addr}.
     */
    public static int end(int addr) {
        if (addr < 0) {
            return 0;
        }
        Segment s = table[addr >>> SLOT_SHIFT];
        return s.base + s.buffer.capacity();
    }

    /**
     * Whether {@code addr} and the word below it lie in one region of memory, so that the
     * allocator can read the header word in front of a chunk at {@code addr} without trapping.
     */
    public static boolean holds(int addr) {
        if (addr < 0) {
            return false;
        }
        Segment s = table[addr >>> SLOT_SHIFT];
        return addr - Integer.BYTES >= s.base && addr - s.base < s.buffer.capacity();
    }

    /** Whether {@code a < b} as unsigned numbers. */
    public static boolean lessUnsigned(int a, int b) {
        return Integer.compareUnsigned(a, b) < 0;
    }

    /** {@code value} as an unsigned number. */
    public static long unsignedLong(int value) {
        return Integer.toUnsignedLong(value);
    }

    /** Whether {@code addr} is a nonzero multiple of {@code 1 << shift} and {@link #holds} it. */
    public static boolean holdsAligned(int addr, int shift) {
        return addr != 0 && (addr & ((1 << shift) - 1)) == 0 && holds(addr);
    }

    public static int grow(int delta) {
        int old = pages();
        if (delta < 0 || delta > Math.min(maxPages, SIMULATED_MAX_PAGES) - old) {
            return -1;
        }
        if (delta != 0) {
            growCalls++;
            ByteBuffer bigger = newBuffer(old + delta);
            bigger.put(0, simulated.buffer, 0, simulated.buffer.capacity());
            setSimulated(bigger);
        }
        return old;
    }

    /** Index of {@code addr} in segment {@code s}, after checking {@code len} bytes from there lie in it. */
    private static int checkRange(Segment s, int addr, int len) {
        int at = addr - s.base;
        if (addr < 0 || len < 0 || at < 0 || at > s.buffer.capacity() - len) {
            throw new IndexOutOfBoundsException("memory access out of bounds: " + addr + " + " + len);
        }
        return at;
    }
}
