package talc.wasm.tool;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.teavm.ast.Expr;
import org.teavm.ast.InvocationExpr;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsic;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsicManager;
import org.teavm.backend.wasm.model.WasmNumType;
import org.teavm.backend.wasm.model.expression.WasmConversion;
import org.teavm.backend.wasm.model.expression.WasmCopy;
import org.teavm.backend.wasm.model.expression.WasmExpression;
import org.teavm.backend.wasm.model.expression.WasmFill;
import org.teavm.backend.wasm.model.expression.WasmIntBinary;
import org.teavm.backend.wasm.model.expression.WasmIntBinaryOperation;
import org.teavm.backend.wasm.model.expression.WasmIntType;
import org.teavm.backend.wasm.model.expression.WasmMemoryGrow;
import org.teavm.model.ClassReaderSource;
import org.teavm.model.ElementModifier;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodReader;
import org.teavm.model.MethodReference;

/**
 * Compiles the native methods of {@code talc.wasm.WasmMem} into single wasm instructions at every
 * call site: {@code memory.grow}, {@code memory.fill}, {@code memory.copy}, {@code i32.rotr},
 * {@code i32.lt_u} and {@code i64.extend_i32_u}.
 *
 * <p>Why it exists: TeaVM's own {@code WasmHeap.growMemory} emits {@code memory.grow} but drops the
 * result, so a failed grow is invisible, and TeaVM's {@code Address.fill}/{@code moveMemoryBlock}
 * go through runtime helpers instead of the bulk-memory instructions. With this intrinsic the
 * allocator sees exactly the wasm semantics: {@code grow} returns the old page count or -1.
 *
 * <p>Because {@code WasmMem} is compiled under the name of the class it replaces, calls arrive
 * here as calls to {@code talc.core.Mem}; both names are accepted. Only methods that are really
 * {@code native} are taken, so the JVM {@code Mem} (whose methods have bodies) can never be
 * silently turned into instructions if the class mapping were lost: TeaVM would compile its
 * bodies instead, which {@link RestrictedCore} rejects (the JVM class has a static initialiser).
 */
final class MemoryIntrinsic implements WasmIntrinsic {
    /** {@code talc.core.Mem} as TeaVM names the mapped twin, and the twin's own name. */
    private static final Set<String> OWNERS = Set.of("talc.core.Mem", "talc.wasm.WasmMem");

    private static final MethodDescriptor GROW = new MethodDescriptor("grow", int.class, int.class);
    private static final MethodDescriptor FILL =
            new MethodDescriptor("fill", int.class, int.class, int.class, void.class);
    private static final MethodDescriptor COPY =
            new MethodDescriptor("copy", int.class, int.class, int.class, void.class);
    private static final MethodDescriptor ROTATE_RIGHT =
            new MethodDescriptor("rotateRight", int.class, int.class, int.class);
    private static final MethodDescriptor LESS_UNSIGNED =
            new MethodDescriptor("lessUnsigned", int.class, int.class, boolean.class);
    private static final MethodDescriptor UNSIGNED_LONG =
            new MethodDescriptor("unsignedLong", int.class, long.class);
    /** The two-operand {@code i32} instructions, by method. */
    private static final Map<MethodDescriptor, WasmIntBinaryOperation> INT_BINARY = Map.of(
            ROTATE_RIGHT, WasmIntBinaryOperation.ROTR,
            LESS_UNSIGNED, WasmIntBinaryOperation.LT_UNSIGNED);

    private final ClassReaderSource classes;

    MemoryIntrinsic(ClassReaderSource classes) {
        this.classes = classes;
    }

    @Override
    public boolean isApplicable(MethodReference method) {
        if (!OWNERS.contains(method.getClassName())) {
            return false;
        }
        MethodDescriptor descriptor = method.getDescriptor();
        if (!descriptor.equals(GROW) && !descriptor.equals(FILL) && !descriptor.equals(COPY)
                && !descriptor.equals(UNSIGNED_LONG) && !INT_BINARY.containsKey(descriptor)) {
            return false;
        }
        MethodReader reader = classes.resolve(method);
        return reader != null && reader.hasModifier(ElementModifier.NATIVE);
    }

    @Override
    public WasmExpression apply(InvocationExpr invocation, WasmIntrinsicManager manager) {
        List<Expr> args = invocation.getArguments();
        MethodDescriptor descriptor = invocation.getMethod().getDescriptor();
        if (descriptor.equals(GROW)) {
            return new WasmMemoryGrow(manager.generate(args.get(0)));
        }
        if (descriptor.equals(UNSIGNED_LONG)) {
            return new WasmConversion(WasmNumType.INT32, WasmNumType.INT64, false, manager.generate(args.get(0)));
        }
        WasmIntBinaryOperation binary = INT_BINARY.get(descriptor);
        if (binary != null) {
            return new WasmIntBinary(WasmIntType.INT32, binary, manager.generate(args.get(0)),
                    manager.generate(args.get(1)));
        }
        if (descriptor.equals(FILL)) {
            WasmFill fill = new WasmFill();
            fill.setIndex(manager.generate(args.get(0)));
            fill.setValue(manager.generate(args.get(1)));
            fill.setCount(manager.generate(args.get(2)));
            return fill;
        }
        WasmCopy copy = new WasmCopy();
        copy.setDestinationIndex(manager.generate(args.get(0)));
        copy.setSourceIndex(manager.generate(args.get(1)));
        copy.setCount(manager.generate(args.get(2)));
        return copy;
    }
}
