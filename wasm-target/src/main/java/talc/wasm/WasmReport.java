package talc.wasm;

import org.teavm.interop.Import;
import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;

/**
 * The wasm twin of {@code talc.core.Report}, compiled in its place (see the {@code mapClass}
 * lines in {@code META-INF/teavm.properties}): misuse found by a checked build goes to the
 * function the module imports as {@code env.talc_report(kind, address)}, and if that returns,
 * the module traps ({@code unreachable}). The core reports before changing anything, so the
 * heap is as it was before the bad call either way; a host hook that throws (the package's
 * loader throws an {@code Error}) unwinds through the module without a trap.
 *
 * <p>Only the checked variant calls {@link #misuse}; in every other module it is dead code, so
 * the import is dropped with it and those modules import nothing.
 */
@StaticInit
@Unmanaged
public final class WasmReport {
    private WasmReport() {
    }

    public static void misuse(int kind, int address) {
        hook(kind, address);
        trap();
    }

    /** The host's hook. */
    @Import(module = "env", name = "talc_report")
    private static native void hook(int kind, int address);

    /** {@code unreachable}: compiled into the instruction by {@code talc.wasm.tool.TrapIntrinsic}. */
    private static native void trap();
}
