package talc.wasm.tool;

import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;
import org.teavm.model.AnnotationHolder;
import org.teavm.model.CallLocation;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReference;
import org.teavm.model.ValueType;

/**
 * Compiles the allocator core as the unmanaged, runtime-free code it is written to be.
 *
 * <p>By default TeaVM treats every method as managed: each call gets a shadow-stack frame, a
 * call-site id and an exception check after it, and classes get initialisation checks. The core
 * needs none of it (static methods on {@code int}s only, no objects, no exceptions, no static
 * initialisers; see {@code talc.core}'s package documentation), and after post-processing the
 * runtime those frames refer to is gone: the frames would write through a shadow-stack pointer
 * that nothing set. Annotating the core itself would make allocator-core depend on TeaVM, so this
 * transformer adds, at compile time only, {@link Unmanaged} (no frames, no exception checks) and
 * {@link StaticInit} (no class-initialisation checks) to every class of the {@code talc.core}
 * package that TeaVM loads.
 *
 * <p>{@code @StaticInit} means "initialise at start-up", and the start function is deleted, so a
 * static initialiser in the core would silently never run. That is reported as a compile error.
 */
final class RestrictedCore implements ClassHolderTransformer {
    /** Package of the allocator core, with the trailing dot. */
    private static final String CORE_PACKAGE = "talc.core.";

    private static final MethodDescriptor CLASS_INIT = new MethodDescriptor("<clinit>", ValueType.VOID);

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        String name = cls.getName();
        if (!name.startsWith(CORE_PACKAGE) || name.indexOf('.', CORE_PACKAGE.length()) >= 0) {
            return;
        }
        addIfAbsent(cls, Unmanaged.class.getName());
        addIfAbsent(cls, StaticInit.class.getName());
        MethodHolder initialiser = cls.getMethod(CLASS_INIT);
        if (initialiser != null) {
            context.getDiagnostics().error(new CallLocation(new MethodReference(name, CLASS_INIT)),
                    "{{c0}} has a static initialiser; the wasm module drops TeaVM's start function, which"
                    + " would run it, and keeps no static data.", name);
        }
    }

    private static void addIfAbsent(ClassHolder cls, String annotation) {
        if (cls.getAnnotations().get(annotation) == null) {
            cls.getAnnotations().add(new AnnotationHolder(annotation));
        }
    }
}
