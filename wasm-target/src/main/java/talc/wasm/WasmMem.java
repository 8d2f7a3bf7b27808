package talc.wasm;

import org.teavm.interop.Address;
import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;

/**
 * The wasm twin of {@code talc.core.Mem}: the same static signatures, backed by the module's own
 * linear memory instead of a simulated one.
 *
 * <p>TeaVM compiles this class <em>in place of</em> {@code talc.core.Mem} (see the
 * {@code mapClass} line in {@code META-INF/teavm.properties}), so the allocator core calls these
 * methods without knowing it. The accessors are {@link Address} reads and writes, which TeaVM
 * turns into single {@code i32.load}/{@code i64.store}/... instructions. The three memory
 * instructions TeaVM cannot express from Java ({@code memory.fill}, {@code memory.copy} and a
 * {@code memory.grow} whose result is kept), and two integer instructions the core's checks want
 * ({@code i32.rotr}, {@code i32.lt_u}), are {@code native} methods that the build-time plugin
 * {@code talc.wasm.tool.MemoryIntrinsic} replaces with the instruction itself at every call
 * site; these natives therefore never become functions or imports.
 *
 * <p>{@link StaticInit} and {@link Unmanaged} keep TeaVM from wrapping the accessors in
 * class-initialisation checks and shadow-stack frames: the class has no state, and nothing here
 * allocates, throws or calls back into managed code. Only the methods of the core's contract may
 * appear here; the JVM-only helpers of {@code Mem} ({@code reset}, {@code setMaxPages},
 * {@code growCalls}) are deliberately absent, so a core that called them would fail to compile.
 */
@StaticInit
@Unmanaged
public final class WasmMem {
    private WasmMem() {
    }

    public static int getInt(int addr) {
        return Address.fromInt(addr).getInt();
    }

    public static void putInt(int addr, int value) {
        Address.fromInt(addr).putInt(value);
    }

    public static long getLong(int addr) {
        return Address.fromInt(addr).getLong();
    }

    public static void putLong(int addr, long value) {
        Address.fromInt(addr).putLong(value);
    }

    public static byte getByte(int addr) {
        return Address.fromInt(addr).getByte();
    }

    public static void putByte(int addr, byte value) {
        Address.fromInt(addr).putByte(value);
    }

    /** {@code memory.fill}: sets {@code len} bytes at {@code addr} to the low byte of {@code value}. */
    public static native void fill(int addr, int value, int len);

    /** {@code memory.copy}: copies {@code len} bytes; the ranges may overlap. */
    public static native void copy(int dst, int src, int len);

    /**
     * {@code memory.grow}: the old size in 64 KiB pages, or -1 when the memory cannot grow (a
     * negative argument reads as a huge unsigned one and fails too).
     */
    public static native int grow(int pages);

    /**
     * {@code memory.size}, spelled {@code memory.grow 0} (the backend has no size expression);
     * the post-processing turns it into {@code memory.size}, which leaves JavaScript's
     * {@code memory.buffer} alone.
     */
    public static int pages() {
        return grow(0);
    }

    /** Pages whose bytes all have positive {@code int} addresses: the most {@link #end} counts. */
    private static final int POSITIVE_PAGES = Integer.MAX_VALUE >>> 16;

    /** The memory's size in bytes, capped below 2 GiB: linear memory is one region from 0. */
    public static int end(int addr) {
        return Math.min(pages(), POSITIVE_PAGES) << 16;
    }

    /** Whether {@code addr} is in memory; the callers pass addresses of at least 16, so the word below it is too. */
    public static boolean holds(int addr) {
        return (addr >>> 16) < pages();
    }

    /**
     * Whether {@code addr} is a nonzero multiple of {@code 1 << shift} below the memory's end (so
     * the word below it is in memory too), in one unsigned compare: rotating right by
     * {@code shift} moves the low bits to the top, so a misaligned address becomes at least
     * {@code 1 << (32 - shift)}, and subtracting one makes 0 the largest unsigned value. An
     * aligned nonzero address below {@code pages << 16} rotates into
     * {@code [1, pages << (16 - shift))}, one less is below {@code (pages << (16 - shift)) - 1},
     * and every other address is not ({@code pages <= 65536}, so that bound is below
     * {@code 1 << (32 - shift)}).
     */
    public static boolean holdsAligned(int addr, int shift) {
        return lessUnsigned(rotateRight(addr, shift) - 1, (pages() << (PAGE_SHIFT - shift)) - 1);
    }

    /** log2 of the wasm page size. */
    private static final int PAGE_SHIFT = 16;

    /**
     * {@code i32.rotr}. (TeaVM's {@code Integer.rotateRight} and {@code compareUnsigned} bring
     * in class initialisation, and wasm-opt does not turn their spelled-out forms back into the
     * instructions.)
     */
    private static native int rotateRight(int value, int distance);

    /** {@code i32.lt_u}: whether {@code a < b} as unsigned numbers. */
    public static native boolean lessUnsigned(int a, int b);

    /** {@code i64.extend_i32_u}: {@code value} as an unsigned number. */
    public static native long unsignedLong(int value);
}
