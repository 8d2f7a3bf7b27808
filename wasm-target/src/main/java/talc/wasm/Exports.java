package talc.wasm;

import org.teavm.interop.Export;
import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;
import talc.core.Source;
import talc.core.Talc;

/**
 * The module's C ABI: {@code malloc}, {@code free}, {@code realloc}, {@code calloc},
 * {@code aligned_alloc} and {@code malloc_usable_size}, all on one allocator owned by the module.
 *
 * <p>The allocator is booted lazily by the first call that may need memory, because the module
 * has no start function (it is deleted in post-processing together with TeaVM's runtime) and no
 * data segments: the only state here is one static {@code int} that TeaVM places in its static
 * area and that reads as zero in a fresh memory. Calls that never allocate ({@code free} before
 * any allocation, {@code malloc_usable_size}) do not boot, so a module that only frees null
 * pointers never grows its memory.
 *
 * <p>{@link StaticInit} removes the class-initialisation check TeaVM would put in front of every
 * export (the class has no initialiser to run), and {@link Unmanaged} removes the shadow-stack
 * frame: nothing reachable from here allocates Java objects or throws.
 */
@StaticInit
@Unmanaged
public final class Exports {
    /**
     * What the allocator does when it runs out of memory: grow the wasm memory and extend the
     * last heap over the new pages (Talc's default WasmHandler behaviour).
     */
    private static final int SOURCE_KIND = Source.GROW_AND_EXTEND;

    /** The allocator handle (address of its state block), or 0 before the first boot. */
    private static int talc;

    private Exports() {
    }

    /**
     * The handle, booting the allocator on first use. Returns 0 when the first
     * {@code memory.grow} fails; a later call then tries again.
     */
    private static int handle() {
        int t = talc;
        if (t == 0) {
            t = Talc.bootGrowing(SOURCE_KIND);
            talc = t;
        }
        return t;
    }

    @Export(name = "malloc")
    public static int malloc(int size) {
        int t = handle();
        return t == 0 ? 0 : Talc.malloc(t, size);
    }

    /** Without a handle nothing was ever allocated, so there is nothing {@code ptr} could free. */
    @Export(name = "free")
    public static void free(int ptr) {
        int t = talc;
        if (t != 0) {
            Talc.free(t, ptr);
        }
    }

    @Export(name = "realloc")
    public static int realloc(int ptr, int size) {
        int t = handle();
        return t == 0 ? 0 : Talc.realloc(t, ptr, size);
    }

    @Export(name = "calloc")
    public static int calloc(int n, int size) {
        int t = handle();
        return t == 0 ? 0 : Talc.calloc(t, n, size);
    }

    @Export(name = "aligned_alloc")
    public static int alignedAlloc(int align, int size) {
        int t = handle();
        return t == 0 ? 0 : Talc.alignedAlloc(t, align, size);
    }

    /** Needs no handle: the size is in the chunk header in front of {@code ptr}. */
    @Export(name = "malloc_usable_size")
    public static int mallocUsableSize(int ptr) {
        return Talc.usableSize(ptr);
    }
}
