package talc.core;

/**
 * The one way the allocator reports misuse (checked builds, {@link Misuse}): on the JVM, this
 * class throws a {@link MisuseException} (or calls the handler a test installed); in wasm, its
 * twin {@code talc.wasm.WasmReport} (mapped in wasm-target's {@code META-INF/teavm.properties})
 * calls the module's imported hook {@code env.talc_report(kind, address)} and traps if the hook
 * returns. Like {@link Mem}, it is a platform layer: the algorithm calls only {@link #misuse}.
 *
 * <p>The algorithm reports before it changes anything, and does nothing more for the bad call
 * if the report returns, so the heap is left as it was.
 */
public final class Report {
    /** What a JVM handler is given: the misuse kind (see {@link MisuseException#kind}) and the address. */
    @FunctionalInterface
    public interface Handler {
        void misuse(int kind, int address);
    }

    private static final Handler THROW = (kind, address) -> {
        throw new MisuseException(kind, address);
    };
    private static volatile Handler handler = THROW;

    private Report() {
    }

    /** Reports misuse of kind {@code kind} at {@code address}. */
    public static void misuse(int kind, int address) {
        handler.misuse(kind, address);
    }

    /** JVM only: replaces the handler ({@code null}: back to throwing {@link MisuseException}). */
    public static void setHandler(Handler newHandler) {
        handler = newHandler == null ? THROW : newHandler;
    }
}
