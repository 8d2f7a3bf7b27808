package talc.teavm.plugin;

import java.lang.reflect.Field;
import org.teavm.backend.wasm.WasmTarget;
import org.teavm.model.BasicBlock;
import org.teavm.model.CallLocation;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.FieldReference;
import org.teavm.model.Instruction;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReference;
import org.teavm.model.Program;
import org.teavm.model.Variable;
import org.teavm.model.instructions.IntegerConstantInstruction;
import org.teavm.model.instructions.PutFieldInstruction;
import talc.core.Source;

/**
 * Raises the memory maximum that TeaVM declares, so that the allocator has pages above the GC's
 * territory, while the GC keeps the largest heap the app's build asked for.
 *
 * <p>TeaVM 0.13.1 derives both from one number, {@code WasmTarget}'s {@code maxHeapSize}: the
 * declared maximum is the end of the GC's layout for that heap, and the start function passes
 * it to {@code WasmHeap.initHeap}, which stores it in {@code WasmHeap.maxHeapSize}, the limit
 * the GC grows to. {@link #apply} reads the app's value and sets the target's to
 * {@link #DECLARED_HEAP}, so the declared maximum covers almost all of the 2 GiB; this
 * transformer rewrites the store in {@code initHeap} to keep the app's value, so the GC's
 * territory ({@code talc.teavm.GcAgreement}) is exactly what it would have been.
 */
final class MemoryMaximum implements ClassHolderTransformer {
    static final String WASM_HEAP = "org.teavm.backend.wasm.WasmHeap";
    static final FieldReference MAX_HEAP_SIZE = new FieldReference(WASM_HEAP, "maxHeapSize");
    private static final String INIT_HEAP = "initHeap";
    /** The private field of {@code WasmTarget} that holds the app's largest GC heap. */
    private static final String TARGET_FIELD = "maxHeapSize";
    /**
     * Room left below {@link Source#MAX_PAGES} for TeaVM's static data, 512-byte buffer and
     * shadow stack, which TeaVM lays out below the GC's heap: 64 MiB, far more than an app's
     * class metadata.
     */
    static final long STATIC_ROOM = 64L << 20;
    /** Bytes of GC tables per heap byte in TeaVM 0.13.1's layout: regions (2 per KiB), card table (1 per KiB), storage (1/16). */
    private static final double GC_TABLES = 3.0 / 1024 + 1.0 / 16;
    /** The heap size given to the target, for the declared maximum only: its layout ends just below {@code Source.MAX_PAGES}. */
    static final int DECLARED_HEAP = (int) ((((long) Source.MAX_PAGES << 16) - STATIC_ROOM) / (1 + GC_TABLES));

    private final int gcHeap;

    private MemoryMaximum(int gcHeap) {
        this.gcHeap = gcHeap;
    }

    /**
     * Sets the target's heap for the declared maximum and returns the transformer that keeps the
     * GC's limit at the app's heap. The app's heap must stay below {@link #DECLARED_HEAP}.
     *
     * @throws IllegalStateException if the target is not TeaVM 0.13.1's (no such field)
     */
    static MemoryMaximum apply(WasmTarget target) {
        int appHeap;
        try {
            Field f = WasmTarget.class.getDeclaredField(TARGET_FIELD);
            f.setAccessible(true);
            appHeap = f.getInt(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("talc's TeaVM plugin is written for TeaVM 0.13.1's WasmTarget: " + e, e);
        }
        if (appHeap >= DECLARED_HEAP) {
            throw new IllegalStateException("talc's allocator needs pages above the GC: a maxHeapSize of " + appHeap
                    + " bytes leaves none (keep it below " + DECLARED_HEAP + ")");
        }
        target.setMaxHeapSize(DECLARED_HEAP);
        return new MemoryMaximum(appHeap);
    }

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(WASM_HEAP)) {
            return;
        }
        int stores = 0;
        for (MethodHolder method : cls.getMethods()) {
            if (method.getName().equals(INIT_HEAP)) {
                stores += keepAppHeap(method.getProgram());
            }
        }
        if (stores != 1) {
            context.getDiagnostics().error(new CallLocation(new MethodReference(WASM_HEAP, INIT_HEAP)),
                    "talc's TeaVM plugin expects TeaVM 0.13.1's WasmHeap.initHeap, which stores maxHeapSize once; found "
                    + stores + " stores");
        }
    }

    /** Makes every store of {@code WasmHeap.maxHeapSize} in {@code program} store the app's heap; returns how many. */
    private int keepAppHeap(Program program) {
        if (program == null) {
            return 0;
        }
        int count = 0;
        for (int i = 0; i < program.basicBlockCount(); i++) {
            BasicBlock block = program.basicBlockAt(i);
            for (Instruction instruction : block) {
                if (instruction instanceof PutFieldInstruction put && put.getField().equals(MAX_HEAP_SIZE)) {
                    Variable value = program.createVariable();
                    IntegerConstantInstruction constant = new IntegerConstantInstruction();
                    constant.setConstant(gcHeap);
                    constant.setReceiver(value);
                    put.insertPrevious(constant);
                    put.setValue(value);
                    count++;
                }
            }
        }
        return count;
    }
}
