package talc.wasm.tool;

import java.util.Set;
import org.teavm.ast.InvocationExpr;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsic;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsicManager;
import org.teavm.backend.wasm.model.expression.WasmExpression;
import org.teavm.backend.wasm.model.expression.WasmUnreachable;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodReference;
import org.teavm.model.ValueType;

/**
 * Compiles {@code talc.wasm.WasmReport.trap()} into the {@code unreachable} instruction: the
 * checked module's trap after a report hook that returned. Like {@link MemoryIntrinsic}, it
 * accepts the twin under its own name and under the name of the class it replaces.
 */
final class TrapIntrinsic implements WasmIntrinsic {
    private static final Set<String> OWNERS = Set.of("talc.core.Report", "talc.wasm.WasmReport");
    private static final MethodDescriptor TRAP = new MethodDescriptor("trap", ValueType.VOID);

    @Override
    public boolean isApplicable(MethodReference method) {
        return OWNERS.contains(method.getClassName()) && method.getDescriptor().equals(TRAP);
    }

    @Override
    public WasmExpression apply(InvocationExpr invocation, WasmIntrinsicManager manager) {
        return new WasmUnreachable();
    }
}
