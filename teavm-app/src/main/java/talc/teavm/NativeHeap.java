package talc.teavm;

import org.teavm.interop.Address;
import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;
import talc.core.Counters;
import talc.core.Features;
import talc.core.Talc;

/**
 * The allocator for a TeaVM app (classic wasm backend), called in-process: C-style blocks of
 * linear memory that the garbage collector never sees, never moves and never overwrites.
 *
 * <p>Pointers are wasm32 addresses in {@code int}s; 0 is "no block". Every block is 16-byte
 * aligned; failure is 0, never an exception. The semantics are those of {@link Talc} (and of
 * {@code talc.wasm}'s exports): {@code free(0)} does nothing, {@code realloc(0, n)} allocates,
 * {@code realloc(p, 0)} frees and returns 0, a failed {@code realloc} leaves the block as it was,
 * and freeing a pointer this class did not return, or freeing twice, is undefined.
 *
 * <p>The allocator boots on the first call that may need memory; in an app compiled without
 * talc's TeaVM plugin that call throws {@link IllegalStateException} saying so. Booting first reserves the GC's
 * whole territory ({@link GcAgreement}), then grows one page above it for the allocator's state
 * block and first heap; later requests grow memory as {@code talc.wasm} does (by 3/16 of memory,
 * at most 16 MiB a step, at least the request), always above the GC's territory.
 *
 * <p>The accessors ({@link #getInt}, {@link #putInt}, ...) read and write memory at an address
 * with single wasm loads and stores, little-endian and unchecked: like C, writing past a block
 * corrupts its neighbours. {@link #address} gives an {@link Address} for code that prefers it.
 *
 * <p>The class holds one static {@code int} and allocates no Java object, so it never triggers
 * the GC; its methods are unmanaged, except {@link #free}, {@link #realloc} and
 * {@link #usableSize}, which in an app built checked throw {@code talc.jvm.MisuseException} for
 * a pointer that is not a live block ({@link MisuseReport}), having changed nothing. Not
 * thread-safe (TeaVM's classic wasm apps have one thread).
 */
@StaticInit
public final class NativeHeap {
    /** The allocator handle (address of its state block), 0 until the allocator boots. */
    private static int handle;

    private NativeHeap() {
    }

    /** The handle, booting the allocator above the GC's territory on first use; 0 if memory cannot grow. */
    @Unmanaged
    private static int handle() {
        int t = handle;
        if (t == 0) {
            if (!GcAgreement.pluginApplied()) {
                GcAgreement.missingPlugin();
            }
            if (GcAgreement.enabled() && !GcAgreement.reserveGcTerritory()) {
                return 0;
            }
            t = Talc.bootGrowing(Features.source());
            handle = t;
        }
        return t;
    }

    /** Whether the allocator has booted (memory above the GC's territory is then the allocator's). */
    @Unmanaged
    public static boolean booted() {
        return handle != 0;
    }

    /** A block of at least {@code size} bytes, 16-aligned, or 0. */
    @Unmanaged
    public static int malloc(int size) {
        int t = handle();
        return t == 0 ? 0 : Talc.malloc(t, size);
    }

    /** A zeroed block of {@code n * size} bytes, or 0 (also when the product overflows). */
    @Unmanaged
    public static int calloc(int n, int size) {
        int t = handle();
        return t == 0 ? 0 : Talc.calloc(t, n, size);
    }

    /** A block of at least {@code size} bytes aligned to {@code align} (a power of two up to 2^30), or 0. */
    @Unmanaged
    public static int alignedAlloc(int align, int size) {
        int t = handle();
        return t == 0 ? 0 : Talc.alignedAlloc(t, align, size);
    }

    /**
     * Resizes {@code ptr} to {@code size} bytes, in place when it can, else by moving the contents
     * to a new 16-aligned block; returns the block, or 0 (then {@code ptr} is untouched).
     */
    public static int realloc(int ptr, int size) {
        int t = handle();
        int q = t == 0 ? 0 : Talc.realloc(t, ptr, size);
        MisuseReport.throwPending();
        return q;
    }

    /** Frees {@code ptr}, a block from this class, or 0 (nothing happens). */
    public static void free(int ptr) {
        if (handle != 0) {
            Talc.free(handle, ptr);
            MisuseReport.throwPending();
        }
    }

    /** Bytes usable at {@code ptr}: at least what was asked for; 0 for 0. */
    public static int usableSize(int ptr) {
        int size = handle == 0 ? 0 : Talc.usableSize(handle, ptr);
        MisuseReport.throwPending();
        return size;
    }

    /** Live blocks now. */
    @Unmanaged
    public static int allocationCount() {
        return handle == 0 ? 0 : Counters.allocationCount(handle);
    }

    /** Bytes in live blocks now, chunk rounding included. */
    @Unmanaged
    public static int allocatedBytes() {
        return handle == 0 ? 0 : Counters.allocatedBytes(handle);
    }

    /** Bytes of the allocator's heaps that are free now. */
    @Unmanaged
    public static int availableBytes() {
        return handle == 0 ? 0 : Counters.availableBytes(handle);
    }

    /** Bytes the allocator's heaps span now: every page it has taken from memory, less its state block. */
    @Unmanaged
    public static int claimedBytes() {
        return handle == 0 ? 0 : Counters.claimedBytes(handle);
    }

    /** Heaps the allocator holds now (a new one when another party grew memory in between). */
    @Unmanaged
    public static int heapCount() {
        return handle == 0 ? 0 : Counters.heapCount(handle);
    }

    /** Allocations since boot (each realloc that moves counts too). */
    @Unmanaged
    public static long totalAllocationCount() {
        return handle == 0 ? 0 : Counters.totalAllocationCount(handle);
    }

    /** {@code addr} as an {@link Address}. */
    @Unmanaged
    public static Address address(int addr) {
        return Address.fromInt(addr);
    }

    /** The byte at {@code addr}. */
    @Unmanaged
    public static byte getByte(int addr) {
        return Address.fromInt(addr).getByte();
    }

    /** Writes a byte at {@code addr}. */
    @Unmanaged
    public static void putByte(int addr, byte value) {
        Address.fromInt(addr).putByte(value);
    }

    /** The 16-bit value at {@code addr}. */
    @Unmanaged
    public static short getShort(int addr) {
        return Address.fromInt(addr).getShort();
    }

    /** Writes a 16-bit value at {@code addr}. */
    @Unmanaged
    public static void putShort(int addr, short value) {
        Address.fromInt(addr).putShort(value);
    }

    /** The 32-bit value at {@code addr}. */
    @Unmanaged
    public static int getInt(int addr) {
        return Address.fromInt(addr).getInt();
    }

    /** Writes a 32-bit value at {@code addr}. */
    @Unmanaged
    public static void putInt(int addr, int value) {
        Address.fromInt(addr).putInt(value);
    }

    /** The 64-bit value at {@code addr}. */
    @Unmanaged
    public static long getLong(int addr) {
        return Address.fromInt(addr).getLong();
    }

    /** Writes a 64-bit value at {@code addr}. */
    @Unmanaged
    public static void putLong(int addr, long value) {
        Address.fromInt(addr).putLong(value);
    }

    /** The {@code float} at {@code addr}. */
    @Unmanaged
    public static float getFloat(int addr) {
        return Address.fromInt(addr).getFloat();
    }

    /** Writes a {@code float} at {@code addr}. */
    @Unmanaged
    public static void putFloat(int addr, float value) {
        Address.fromInt(addr).putFloat(value);
    }

    /** The {@code double} at {@code addr}. */
    @Unmanaged
    public static double getDouble(int addr) {
        return Address.fromInt(addr).getDouble();
    }

    /** Writes a {@code double} at {@code addr}. */
    @Unmanaged
    public static void putDouble(int addr, double value) {
        Address.fromInt(addr).putDouble(value);
    }
}
