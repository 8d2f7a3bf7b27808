package talc.wasm.tool;

import java.util.Map;
import java.util.Properties;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.MethodHolder;
import org.teavm.model.ValueType;
import org.teavm.model.emit.ProgramEmitter;

/**
 * Fixes, per build, the values that the module's code reads from constant methods: the feature
 * switches of {@code talc.wasm.WasmFeatures} (one set per {@link Variant}) and the memory layout
 * of {@code talc.wasm.ModuleLayout} (computed by {@link MemoryLayout} from TeaVM's static area).
 *
 * <p>For every no-argument {@code boolean} or {@code int} method {@code m} of those classes, a
 * TeaVM property {@code <prefix>m}, if present, replaces the method's body with
 * {@code return <value>;} before TeaVM optimises, so builds differ only in the properties
 * {@link TeaVMCompile} passes, not in source. Without such a property the constant written in the
 * class stands. Unknown feature names are rejected by {@link Variant} before TeaVM runs.
 */
final class BuildConstants implements ClassHolderTransformer {
    /** Prefix of the feature properties, read for {@code talc.wasm.WasmFeatures}. */
    static final String FEATURE_PREFIX = "talc.feature.";
    /** Prefix of the layout properties, read for {@code talc.wasm.ModuleLayout}. */
    static final String LAYOUT_PREFIX = "talc.layout.";

    /**
     * Property prefix by class name. The features twin is compiled under the name of the class it
     * replaces, so both names are listed.
     */
    private static final Map<String, String> PREFIXES = Map.of(
            "talc.core.Features", FEATURE_PREFIX,
            "talc.wasm.WasmFeatures", FEATURE_PREFIX,
            "talc.wasm.ModuleLayout", LAYOUT_PREFIX);

    private final Properties properties;

    BuildConstants(Properties properties) {
        this.properties = properties;
    }

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        String prefix = PREFIXES.get(cls.getName());
        if (prefix == null) {
            return;
        }
        for (MethodHolder method : cls.getMethods()) {
            String value = properties.getProperty(prefix + method.getName());
            if (value == null || method.parameterCount() != 0) {
                continue;
            }
            int constant;
            if (ValueType.BOOLEAN.equals(method.getResultType())) {
                constant = Boolean.parseBoolean(value) ? 1 : 0;
            } else if (ValueType.INTEGER.equals(method.getResultType())) {
                constant = Integer.parseInt(value);
            } else {
                continue;
            }
            ProgramEmitter.create(method, context.getHierarchy()).constant(constant).returnValue();
        }
    }
}
