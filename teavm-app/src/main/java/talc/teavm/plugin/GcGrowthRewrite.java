package talc.teavm.plugin;

import org.teavm.model.BasicBlock;
import org.teavm.model.CallLocation;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.Instruction;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReference;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
import org.teavm.model.instructions.InvokeInstruction;

/**
 * Routes the GC's memory growth through the agreement: in TeaVM's
 * {@code org.teavm.backend.wasm.WasmHeap}, the call {@code growMemory(pages)} (TeaVM's one
 * {@code memory.grow}, which adds {@code pages} at the top of memory whatever lies there) becomes
 * {@code talc.teavm.GcAgreement.gcGrow(pages)}, which grows memory only up to the GC's new limit
 * (see that class).
 *
 * <p>The rewrite is made on TeaVM's intermediate code before dependency analysis, so the call is
 * an ordinary dependency. TeaVM 0.13.1 calls {@code growMemory} exactly once, in
 * {@code resizeHeap}, just before it updates {@code memoryLimit}; {@code gcGrow} relies on that
 * order. Any other number of calls means a TeaVM whose memory management this agreement was not
 * written for, and is a compile error rather than a silent gap.
 */
final class GcGrowthRewrite implements ClassHolderTransformer {
    static final String WASM_HEAP = "org.teavm.backend.wasm.WasmHeap";
    static final MethodReference GROW_MEMORY =
            new MethodReference(WASM_HEAP, "growMemory", ValueType.INTEGER, ValueType.VOID);
    static final MethodReference GC_GROW =
            new MethodReference("talc.teavm.GcAgreement", "gcGrow", ValueType.INTEGER, ValueType.VOID);
    /** The one method of TeaVM 0.13.1 that grows memory. */
    private static final String RESIZE_HEAP = "resizeHeap";

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(WASM_HEAP)) {
            return;
        }
        int inResize = 0;
        int elsewhere = 0;
        for (MethodHolder method : cls.getMethods()) {
            int rewritten = rewrite(method.getProgram());
            if (method.getName().equals(RESIZE_HEAP)) {
                inResize += rewritten;
            } else {
                elsewhere += rewritten;
            }
        }
        if (inResize != 1 || elsewhere != 0) {
            context.getDiagnostics().error(new CallLocation(GROW_MEMORY),
                    "talc's GC agreement expects TeaVM 0.13.1's memory growth: one growMemory call, in"
                    + " WasmHeap.resizeHeap; found " + inResize + " there and " + elsewhere + " elsewhere");
        }
    }

    /** Replaces every {@code growMemory} call in {@code program} (null: no body); returns how many. */
    private static int rewrite(Program program) {
        if (program == null) {
            return 0;
        }
        int count = 0;
        for (int i = 0; i < program.basicBlockCount(); i++) {
            BasicBlock block = program.basicBlockAt(i);
            for (Instruction instruction : block) {
                if (instruction instanceof InvokeInstruction invoke && invoke.getMethod().equals(GROW_MEMORY)) {
                    invoke.setMethod(GC_GROW);
                    count++;
                }
            }
        }
        return count;
    }
}
