package talc.teavm;

import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;
import talc.jvm.MisuseException;

/**
 * Where the core's misuse reports go in an app built checked ({@code talc.feature.checked=true}):
 * the plugin's {@code ReportRewrite} makes the core's report call {@link #report}, which only
 * records it (the core runs unmanaged, where TeaVM cannot throw); the core then returns having
 * changed nothing, and the API call that made it ({@link NativeHeap}, {@link NativeArena})
 * throws the {@link MisuseException} from managed code through {@link #throwPending}, which the
 * app may catch and which TeaVM's runtime prints when it does not.
 */
@StaticInit
public final class MisuseReport {
    /** The first misuse reported since the last {@link #throwPending}: its kind (0: none) and address. */
    private static int kind;
    private static int address;

    private MisuseReport() {
    }

    /** Records misuse of {@code kind} at {@code address}. */
    @Unmanaged
    public static void report(int kind, int address) {
        if (MisuseReport.kind == 0) {
            MisuseReport.kind = kind;
            MisuseReport.address = address;
        }
    }

    /** Throws the misuse recorded during the call that just returned, if any. */
    static void throwPending() {
        int k = kind;
        if (k != 0) {
            kind = 0;
            throw new MisuseException(k, address);
        }
    }
}
