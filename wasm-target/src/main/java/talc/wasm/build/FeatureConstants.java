package talc.wasm.build;

import java.util.Properties;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.MethodHolder;
import org.teavm.model.ValueType;
import org.teavm.model.emit.ProgramEmitter;

/**
 * Fixes the values of the feature switches for one build variant.
 *
 * <p>For every no-argument {@code boolean} method {@code m} of the features twin, a TeaVM
 * property {@code talc.feature.m} ({@code true}/{@code false}), if present, replaces the method's
 * body with {@code return <value>;} before TeaVM optimises, so a variant differs from the default
 * build only in the properties {@link BuildWasm} passes (see {@link Variant}), not in source.
 * Without such properties the constants written in {@code talc.wasm.WasmFeatures} stand.
 *
 * <p>An unknown feature name or a value other than {@code true}/{@code false} would silently
 * build the wrong variant, so both are rejected by {@link Variant} before TeaVM runs.
 */
final class FeatureConstants implements ClassHolderTransformer {
    /** Prefix of the TeaVM properties read here. */
    static final String PROPERTY_PREFIX = "talc.feature.";

    /** The features class as TeaVM names the mapped twin, and the twin's own name. */
    private static final String MAPPED_NAME = "talc.core.Features";
    private static final String TWIN_NAME = "talc.wasm.WasmFeatures";

    private final Properties properties;

    FeatureConstants(Properties properties) {
        this.properties = properties;
    }

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(MAPPED_NAME) && !cls.getName().equals(TWIN_NAME)) {
            return;
        }
        for (MethodHolder method : cls.getMethods()) {
            String value = properties.getProperty(PROPERTY_PREFIX + method.getName());
            boolean isSwitch = method.parameterCount() == 0 && ValueType.BOOLEAN.equals(method.getResultType());
            if (value == null || !isSwitch) {
                continue;
            }
            ProgramEmitter emitter = ProgramEmitter.create(method, context.getHierarchy());
            emitter.constant(Boolean.parseBoolean(value) ? 1 : 0).returnValue();
        }
    }
}
