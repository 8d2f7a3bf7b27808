package talc.wasm.tool;

import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.ValueType;
import org.teavm.model.emit.ProgramEmitter;

/**
 * In the linked module only, gives {@code talc.wasm.Exports#handle()} the body
 * {@code return linkedHandle();}, so that every export boots the allocator on its first call.
 *
 * <p>The swap happens before TeaVM decides what the exports reach: the other modules never reach
 * {@code linkedHandle}, so TeaVM compiles none of it into them, and their code is what it would
 * be without a linked module (TeaVM keeps a branch on a constant, and the dead code would still
 * change how wasm-opt inlines the rest).
 */
final class LinkedHandle implements ClassHolderTransformer {
    /** The TeaVM property that is {@code true} for the linked module's build. */
    static final String PROPERTY = "talc.linked";
    private static final String EXPORTS = "talc.wasm.Exports";
    private static final MethodDescriptor HANDLE = new MethodDescriptor("handle", ValueType.INTEGER);
    private static final String LINKED_HANDLE = "linkedHandle";

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(EXPORTS)) {
            return;
        }
        MethodHolder handle = cls.getMethod(HANDLE);
        if (handle == null || cls.getMethod(new MethodDescriptor(LINKED_HANDLE, ValueType.INTEGER)) == null) {
            throw new IllegalStateException(EXPORTS + " lacks handle() or " + LINKED_HANDLE + "()");
        }
        ProgramEmitter pe = ProgramEmitter.create(handle, context.getHierarchy());
        pe.invoke(EXPORTS, LINKED_HANDLE, ValueType.INTEGER).returnValue();
    }
}
