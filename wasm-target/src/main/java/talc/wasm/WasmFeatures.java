package talc.wasm;

import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;
import talc.core.Source;

/**
 * The wasm twin of {@code talc.core.Features}: the build-time switches as constants, so that
 * TeaVM and {@code wasm-opt} fold the branches and the disabled code is not in the module.
 *
 * <p>The constants here are the default build ({@code talc.wasm}). A variant build does not edit
 * this class: {@code talc.wasm.tool.BuildWasm} passes TeaVM properties
 * ({@code talc.feature.<method name>=true|false}), and the build plugin rewrites the body of the
 * named method to return that constant before TeaVM optimises. Keep the method names equal to
 * those of {@code talc.core.Features}: TeaVM compiles this class in its place.
 */
@StaticInit
@Unmanaged
public final class WasmFeatures {
    private WasmFeatures() {
    }

    public static boolean wasmBinning() {
        return true;
    }

    public static boolean counters() {
        return false;
    }

    public static boolean growInPlace() {
        return true;
    }

    public static boolean reallocInPlace() {
        return true;
    }

    /** Only {@code talc-fast.wasm} favours speed over size. */
    public static boolean speed() {
        return false;
    }

    /** Only the checked variant ({@code talc-checked.wasm}) detects misuse. */
    public static boolean checked() {
        return false;
    }

    /**
     * Whether heaps can be truncated (and the {@code HEAP_FIRST} flag kept): on for TeaVM apps,
     * whose arenas give empty blocks back ({@code talc.teavm.NativeArena}); the module build
     * ({@code talc.wasm.tool.TeaVMCompile}) turns it off, since no module exports a truncation.
     */
    public static boolean truncation() {
        return true;
    }

    /**
     * Whether a growing source keeps a limit below {@code Source.MAX_PAGES} in its state: on for
     * TeaVM apps and the module with an imported memory ({@code talc_init(start, limit)}); the
     * module build turns it off in the modules that own their memory.
     */
    public static boolean regionLimit() {
        return true;
    }

    /** The module's one allocator grows memory and extends its last heap ({@code Source.GROW_AND_EXTEND}). */
    public static int source() {
        return Source.GROW_AND_EXTEND;
    }
}
