package talc.teavm;

import talc.jvm.MisuseException;

/**
 * Where the core's misuse reports go in an app built checked: a {@link MisuseException}, thrown
 * before the heap changes, which the app may catch and which TeaVM's runtime prints when it does
 * not. Managed code (it allocates the exception); the plugin's {@code ReportRewrite} makes the
 * core's report call it.
 */
public final class MisuseReport {
    private MisuseReport() {
    }

    /** Throws the exception for misuse of {@code kind} at {@code address}. */
    public static void report(int kind, int address) {
        throw new MisuseException(kind, address);
    }
}
