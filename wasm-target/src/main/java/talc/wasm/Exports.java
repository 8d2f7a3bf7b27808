package talc.wasm;

import org.teavm.interop.Export;
import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;
import talc.core.Counters;
import talc.core.Features;
import talc.core.Mem;
import talc.core.Talc;

/**
 * The module's C ABI: {@code malloc}, {@code free}, {@code realloc}, {@code calloc},
 * {@code aligned_alloc} and {@code malloc_usable_size}, all on one allocator owned by the module.
 *
 * <p>A module that owns its memory boots the allocator in its start function ({@link #start}):
 * the state block sits at a constant address, so every export passes the same constant handle
 * and wasm-opt folds it into the code (no handle to load, no parameter to pass). A module with
 * an imported memory keeps the handle in a wasm global that starts at zero
 * ({@link ModuleGlobal}) and is set by {@link #init}, or in the linked module by its first call
 * ({@link #linkedHandle}).
 *
 * <p>{@link StaticInit} removes the class-initialisation check TeaVM would put in front of every
 * export (the class has no initialiser to run), and {@link Unmanaged} removes the shadow-stack
 * frame: nothing reachable from here allocates Java objects or throws.
 */
@StaticInit
@Unmanaged
public final class Exports {
    /** The name under which TeaVM exports {@link #start}, for the post-processing to find it. */
    public static final String START_EXPORT = "talc_start";

    private Exports() {
    }

    /**
     * The module's start function (the post-processing makes this export the wasm {@code start}
     * of a module that owns its memory, and drops it from an imported-memory module): writes the
     * allocator's state block at address 16 and its first heap up to the end of the initial
     * pages ({@link ModuleLayout}). It needs no {@code memory.grow}, so it cannot fail, and it
     * runs before anything else can touch the memory, which is still all zero, so the state
     * block needs no clearing.
     */
    @Export(name = START_EXPORT)
    public static void start() {
        if (!ModuleLayout.importedMemory()) {
            Talc.bootInPlace(ModuleLayout.stateAddress(), ModuleLayout.initialEnd(), Features.source());
        }
    }

    /**
     * The handle: the constant state address in a module that owns its memory (booted by
     * {@link #start}); in one with an imported memory, 0 until {@link #init}, and every call
     * fails (returns 0, frees nothing) until then.
     */
    private static int handle() {
        return ModuleLayout.importedMemory() ? ModuleGlobal.handle() : ModuleLayout.stateAddress();
    }

    /**
     * The linked module's {@link #handle}: the build gives {@code handle()} this body there
     * ({@code talc.wasm.tool.LinkedHandle}), so no other module compiles it. The first call (a
     * C++ static constructor's allocation too) boots the allocator above the other module's
     * {@code __heap_base}, with no limit. lld makes the initial memory just large enough for
     * {@code __heap_base}, rounded up to a page, which may leave too little for the state block
     * and a chunk: then one more page is grown. When memory cannot grow, the call fails and the
     * next one tries again.
     */
    static int linkedHandle() {
        int t = ModuleGlobal.handle();
        if (t == 0) {
            int start = ModuleGlobal.heapBase();
            t = Talc.bootInRegion(start, 0, Features.source());
            if (t == 0 && Mem.grow(1) >= 0) {
                t = Talc.bootInRegion(start, 0, Features.source());
            }
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

    @Export(name = "free")
    public static void free(int ptr) {
        int t = handle();
        if (!none(t)) {
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
     * The size is in the chunk header in front of {@code ptr}. The checked module first checks
     * that {@code ptr} is a live allocation (reporting it otherwise); the others give 0 for a
     * pointer that cannot be a block (misaligned, outside memory) rather than read outside memory,
     * and an imported-memory module 0 for any pointer until {@link #init}.
     */
    @Export(name = "malloc_usable_size")
    public static int mallocUsableSize(int ptr) {
        int t = handle();
        return none(t) ? 0 : Talc.usableSize(t, ptr);
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
