package talc.teavm.plugin;

import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.ValueType;
import org.teavm.model.emit.ProgramEmitter;

/**
 * Compiles {@code talc.teavm.GcAgreement.pluginApplied()} as {@code return true}, the mark that
 * an app was built with this plugin; and {@code GcAgreement.enabled()} as {@code return false}
 * when the TeaVM property {@value #PROPERTY} is {@code false}: the negative control, an app in
 * which the allocator boots at the top of memory like a stand-alone module, without reserving
 * the GC's territory. wasm-tests runs the example app built so to show that the GC then
 * overwrites the allocator's blocks. No other build sets the property.
 */
final class AgreementSwitch implements ClassHolderTransformer {
    /** The TeaVM property that turns the agreement off. */
    static final String PROPERTY = "talc.teavm.agreement";
    private static final String AGREEMENT = "talc.teavm.GcAgreement";
    private static final MethodDescriptor ENABLED = new MethodDescriptor("enabled", ValueType.BOOLEAN);
    private static final MethodDescriptor PLUGIN_APPLIED = new MethodDescriptor("pluginApplied", ValueType.BOOLEAN);

    private final boolean enabled;

    AgreementSwitch(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(AGREEMENT)) {
            return;
        }
        ProgramEmitter.create(cls.getMethod(PLUGIN_APPLIED), context.getHierarchy()).constant(1).returnValue();
        if (!enabled) {
            MethodHolder method = cls.getMethod(ENABLED);
            ProgramEmitter.create(method, context.getHierarchy()).constant(0).returnValue();
        }
    }
}
