package talc.teavm.plugin;

import java.util.Set;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.ValueType;
import org.teavm.model.emit.ProgramEmitter;

/**
 * In an app, the core's misuse reports (checked builds) become a Java exception that TeaVM's own
 * runtime reports: the body of {@code talc.wasm.WasmReport.misuse}, which calls the imported
 * hook {@code env.talc_report} of the stand-alone modules, becomes a call of
 * {@code talc.teavm.MisuseReport.report}, which throws {@code talc.jvm.MisuseException}. So
 * the app imports nothing but what TeaVM's {@code wasm-runtime.js} provides.
 */
final class ReportRewrite implements ClassHolderTransformer {
    /** The twin's class: TeaVM reads it under the name it stands in for (its {@code mapClass} line), or its own. */
    private static final Set<String> WASM_REPORT = Set.of("talc.core.Report", "talc.wasm.WasmReport");
    private static final String APP_REPORT = "talc.teavm.MisuseReport";
    private static final MethodDescriptor MISUSE =
            new MethodDescriptor("misuse", ValueType.INTEGER, ValueType.INTEGER, ValueType.VOID);

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        MethodHolder method = WASM_REPORT.contains(cls.getName()) ? cls.getMethod(MISUSE) : null;
        if (method == null || method.getProgram() == null) {
            return;
        }
        ProgramEmitter pe = ProgramEmitter.create(method, context.getHierarchy());
        pe.invoke(APP_REPORT, "report", ValueType.VOID, pe.var(1, int.class), pe.var(2, int.class));
        pe.exit();
    }
}
