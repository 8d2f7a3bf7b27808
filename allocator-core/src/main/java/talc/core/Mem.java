package talc.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one layer through which the allocator touches memory: a simulated wasm32 linear memory
 * on the JVM. The wasm build replaces this class at compile time with an Address-based twin
 * ({@code talc.wasm.WasmMem}, mapped in wasm-target's {@code META-INF/teavm.properties}), so the
 * algorithm never knows which one it runs on.
 *
 * <p>Contract shared by both twins (the only methods the algorithm may call):
 * <ul>
 *   <li>{@code getInt/putInt/getLong/putLong/getByte/putByte}: little-endian, at a byte address.</li>
 *   <li>{@code fill(addr, value, len)}: {@code memory.fill}; {@code copy(dst, src, len)}:
 *       {@code memory.copy}, overlapping ranges allowed.</li>
 *   <li>{@code grow(pages)}: {@code memory.grow}: returns the old size in 64 KiB pages, or -1 when
 *       the memory cannot grow (nothing changes then). {@code pages()}: {@code memory.size}.</li>
 * </ul>
 * Everything else here ({@link #reset}, {@link #setMaxPages}, {@link #growCalls},
 * {@link #accesses}) is for JVM
 * tests and harnesses and must never be called from the algorithm.
 *
 * <p>Memory starts zero-filled, grows in whole pages, keeps its contents when it grows, and
 * refuses to grow past its maximum, as wasm memory does. Accesses beyond the current size
 * throw, which is the JVM's picture of a wasm out-of-bounds trap.
 */
public final class Mem {
    /** Bytes in a wasm page. */
    public static final int PAGE_SIZE = 65536;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 16;
    /** Pages in a full wasm32 memory (4 GiB). */
    public static final int MAX_WASM_PAGES = 65536;

    private static ByteBuffer buffer = newBuffer(0);
    private static int maxPages = MAX_WASM_PAGES;
    private static int growCalls;
    private static long accesses;

    private Mem() {
    }

    /** Replaces the memory with a new zero-filled one of {@code initialPages}, capped at {@code maxPages}. */
    public static void reset(int initialPages, int maxPages) {
        if (initialPages < 0 || initialPages > maxPages) {
            throw new IllegalArgumentException("initial pages " + initialPages + " > max " + maxPages);
        }
        buffer = newBuffer(initialPages);
        Mem.maxPages = maxPages;
        growCalls = 0;
    }

    /** Changes the declared maximum (for OOM tests); never below the current size. */
    public static void setMaxPages(int pages) {
        maxPages = Math.max(pages, pages());
    }

    /**
     * Word reads and writes ({@code getInt/putInt/getLong/putLong}) so far: a measure of the
     * allocator's work that tests can compare without timing anything.
     */
    public static long accesses() {
        return accesses;
    }

    /** Number of {@link #grow} calls with a nonzero argument since the last {@link #reset}. */
    public static int growCalls() {
        return growCalls;
    }

    private static ByteBuffer newBuffer(int pages) {
        return ByteBuffer.allocate(Math.multiplyExact(pages, PAGE_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static int getInt(int addr) {
        accesses++;
        return buffer.getInt(addr);
    }

    public static void putInt(int addr, int value) {
        accesses++;
        buffer.putInt(addr, value);
    }

    public static long getLong(int addr) {
        accesses++;
        return buffer.getLong(addr);
    }

    public static void putLong(int addr, long value) {
        accesses++;
        buffer.putLong(addr, value);
    }

    public static byte getByte(int addr) {
        return buffer.get(addr);
    }

    public static void putByte(int addr, byte value) {
        buffer.put(addr, value);
    }

    public static void fill(int addr, int value, int len) {
        checkRange(addr, len);
        byte b = (byte) value;
        for (int i = 0; i < len; i++) {
            buffer.put(addr + i, b);
        }
    }

    public static void copy(int dst, int src, int len) {
        checkRange(dst, len);
        checkRange(src, len);
        byte[] a = buffer.array();
        System.arraycopy(a, src, a, dst, len);
    }

    public static int pages() {
        return buffer.capacity() >>> PAGE_SHIFT;
    }

    public static int grow(int delta) {
        int old = pages();
        if (delta < 0 || delta > maxPages - old) {
            return -1;
        }
        if (delta != 0) {
            growCalls++;
            ByteBuffer bigger = newBuffer(old + delta);
            bigger.put(0, buffer, 0, buffer.capacity());
            buffer = bigger;
        }
        return old;
    }

    private static void checkRange(int addr, int len) {
        if (addr < 0 || len < 0 || addr > buffer.capacity() - len) {
            throw new IndexOutOfBoundsException("memory access out of bounds: " + addr + " + " + len);
        }
    }
}
