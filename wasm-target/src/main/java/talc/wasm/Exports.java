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
 * data segments: the only state here is the allocator handle, a wasm global that starts at zero
 * ({@link ModuleGlobal}). Booting writes the allocator's state block and
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
     * block at address 16, its first heap up to the end of the initial pages
     * ({@link ModuleLayout}). Booting needs no {@code memory.grow}, so it cannot fail. A module
     * with an imported memory never boots here: its handle is 0 until {@link #init}, and every
     * call fails (returns 0, frees nothing) until then.
     */
    private static int handle() {
        int t = ModuleGlobal.handle();
        if (t == 0 && !ModuleLayout.importedMemory()) {
            t = Talc.bootInPlace(ModuleLayout.stateAddress(), ModuleLayout.initialEnd(), Features.source());
            ModuleGlobal.setHandle(t);
        }
        return t;
    }

    /**
     * Imported-memory modules only: makes the allocator serve {@code [start, limit)} of the
     * memory (see {@code talc.core.Talc#bootInRegion}). Returns 1, or 0 when the region is too
     * small, not yet in memory, or the allocator was already set up.
     */
    @Export(name = "talc_init")
    public static int init(int start, int limit) {
        if (ModuleGlobal.handle() != 0) {
            return 0;
        }
        int t = Talc.bootInRegion(start, limit, Features.source());
        ModuleGlobal.setHandle(t);
        return t == 0 ? 0 : 1;
    }

    /** Whether {@code t} is no allocator: only possible with an imported memory before {@link #init}. */
    private static boolean none(int t) {
        return ModuleLayout.importedMemory() && t == 0;
    }

    @Export(name = "malloc")
    public static int malloc(int size) {
        int t = handle();
        return none(t) ? 0 : Talc.malloc(t, size);
    }

    /**
     * Does not boot: before the first allocation no pointer but 0 can be passed, and
     * {@code free(0)} must leave memory as it is. The checked module boots, so that a pointer
     * freed before any allocation is reported as outside every heap.
     */
    @Export(name = "free")
    public static void free(int ptr) {
        int t = Features.checked() && ptr != 0 ? handle() : ModuleGlobal.handle();
        if (t != 0) {
            Talc.free(t, ptr);
        }
    }

    @Export(name = "realloc")
    public static int realloc(int ptr, int size) {
        int t = handle();
        return none(t) ? 0 : Talc.realloc(t, ptr, size);
    }

    @Export(name = "calloc")
    public static int calloc(int n, int size) {
        int t = handle();
        return none(t) ? 0 : Talc.calloc(t, n, size);
    }

    @Export(name = "aligned_alloc")
    public static int alignedAlloc(int align, int size) {
        int t = handle();
        return none(t) ? 0 : Talc.alignedAlloc(t, align, size);
    }

    /**
     * The address of the allocator's counter block (layout in {@code talc.core.Counters#address}).
     * Kept only in the counters variant; the other modules drop this export, and with it the
     * function.
     */
    @Export(name = "talc_counters")
    public static int counters() {
        int t = handle();
        return none(t) ? 0 : Counters.address(t);
    }

    /**
     * The size is in the chunk header in front of {@code ptr}, so only the checked module needs
     * the handle: it first checks that {@code ptr} is a live allocation (reporting it
     * otherwise). The others give 0 for a pointer that cannot be a block (misaligned, outside
     * memory) rather than read outside memory.
     */
    @Export(name = "malloc_usable_size")
    public static int mallocUsableSize(int ptr) {
        return ptr != 0 && Talc.verify(Features.checked() ? handle() : 0, ptr) ? Talc.usableSize(ptr) : 0;
    }

    /**
     * Checked module: scans the whole heap; 0 when consistent, else the address of the first
     * inconsistency (rounded down to 16) or-ed with the kind {@code Talc.CORRUPTED}.
     */
    @Export(name = "talc_check")
    public static int check() {
        int t = handle();
        return none(t) ? 0 : Talc.check(t);
    }

    /**
     * Checked module: the chunk after {@code cursor} in a walk over every heap (0: the first
     * chunk; after the last: 0). The word in front of a chunk is its header (size | flags).
     */
    @Export(name = "talc_walk")
    public static int walk(int cursor) {
        int t = handle();
        return none(t) ? 0 : Talc.walk(t, cursor);
    }

    /** Checked module: the free-list bin of a free chunk of {@code size} bytes. */
    @Export(name = "talc_bin")
    public static int bin(int size) {
        return Talc.bin(size);
    }
}
