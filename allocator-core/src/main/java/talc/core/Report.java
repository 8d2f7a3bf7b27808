package talc.core;

/**
 * The one way the allocator reports misuse (checked builds, {@link Misuse}). This is the JVM
 * twin: it calls the current thread's {@link Context} handler, by default one that throws
 * {@link IllegalStateException} (the JVM library's throws its {@code MisuseException}); in wasm,
 * {@code talc.wasm.WasmReport} is compiled in its place, which calls the module's imported hook
 * {@code env.talc_report(kind, address)} and traps if the hook returns
 * ({@code docs/swap-points.md}). Like {@link Mem}, it is a platform layer: the algorithm calls
 * only {@link #misuse}. JVM-only helper, never called by the algorithm: {@link #setHandler}.
 *
 * <p>The algorithm reports before it changes anything, and does nothing more for the bad call
 * if the report returns, so the heap is left as it was.
 */
public final class Report {
    /** JVM only: what a handler is given: the misuse kind ({@code Talc.MISALIGNED .. Talc.CORRUPTED}) and the address. */
    @FunctionalInterface
    public interface Handler {
        void misuse(int kind, int address);
    }

    private Report() {
    }

    /** Reports misuse of kind {@code kind} at {@code address}. */
    public static void misuse(int kind, int address) {
        Handler h = Context.current().handler();
        if (h == null) {
            throw new IllegalStateException("misuse of kind " + kind + " at 0x" + Integer.toHexString(address));
        }
        h.misuse(kind, address);
    }

    /** JVM only: the current thread's handler ({@code null}: back to the default, which throws). */
    public static void setHandler(Handler newHandler) {
        Context c = Context.current();
        new Context(c.memory(), c.features(), newHandler).enter();
    }
}
