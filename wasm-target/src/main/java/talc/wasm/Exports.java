package talc.wasm;

import org.teavm.interop.Export;
import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;
import talc.core.Counters;
import talc.core.Features;
import talc.core.Talc;

/**
 * The module's C ABI: {@code malloc}, {@code free}, {@code realloc}, {@code calloc},
 * {@code aligned_alloc} and {@code malloc_usable_size}, all on one allocator owned by the module.
 *
 * <p>The allocator is booted lazily by the first call that may need memory, because the module
 * has no start function (it is deleted in post-processing together with TeaVM's runtime) and no
 * data segments: the only state here is one static {@code int} that TeaVM places in its static
 * area and that reads as zero in a fresh memory. Booting writes the allocator's state block and
 * first heap into the module's initial pages, without growing memory; calls that never
 * allocate ({@code free} before any allocation, {@code malloc_usable_size}) do not boot.
 *
 * <p>{@link StaticInit} removes the class-initialisation check TeaVM would put in front of every
 * export (the class has no initialiser to run), and {@link Unmanaged} removes the shadow-stack
 * frame: nothing reachable from here allocates Java objects or throws.
 */
@StaticInit
@Unmanaged
public final class Exports {
    private Exports() {
    }

    /**
     * The handle, booting the allocator on first use in the module's initial memory: its state
     * block right after TeaVM's static area, its first heap up to the end of the initial pages
     * ({@link ModuleLayout}). Booting needs no {@code memory.grow}, so it cannot fail.
     */
    private static int handle() {
        int t = ModuleGlobal.handle();
        if (t == 0) {
            t = Talc.bootInPlace(ModuleLayout.stateAddress(), ModuleLayout.initialEnd(), Features.source());
            ModuleGlobal.setHandle(t);
        }
        return t;
    }

    @Export(name = "malloc")
    public static int malloc(int size) {
        return Talc.malloc(handle(), size);
    }

    /**
     * Does not boot: before the first allocation no pointer but 0 can be passed, and
     * {@code free(0)} must leave memory as it is.
     */
    @Export(name = "free")
    public static void free(int ptr) {
        int t = ModuleGlobal.handle();
        if (t != 0) {
            Talc.free(t, ptr);
        }
    }

    @Export(name = "realloc")
    public static int realloc(int ptr, int size) {
        return Talc.realloc(handle(), ptr, size);
    }

    @Export(name = "calloc")
    public static int calloc(int n, int size) {
        return Talc.calloc(handle(), n, size);
    }

    @Export(name = "aligned_alloc")
    public static int alignedAlloc(int align, int size) {
        return Talc.alignedAlloc(handle(), align, size);
    }

    /**
     * The address of the allocator's counter block (layout in {@code talc.core.Counters#address}).
     * Kept only in the counters variant; the other modules drop this export, and with it the
     * function.
     */
    @Export(name = "talc_counters")
    public static int counters() {
        return Counters.address(handle());
    }

    /** Needs no handle: the size is in the chunk header in front of {@code ptr}. */
    @Export(name = "malloc_usable_size")
    public static int mallocUsableSize(int ptr) {
        return Talc.usableSize(ptr);
    }
}
