package talc.wasm.tool;

import java.util.List;
import org.teavm.ast.InvocationExpr;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsic;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsicManager;
import org.teavm.backend.wasm.model.WasmLocal;
import org.teavm.backend.wasm.model.WasmType;
import org.teavm.backend.wasm.model.expression.WasmBlock;
import org.teavm.backend.wasm.model.expression.WasmExpression;
import org.teavm.backend.wasm.model.expression.WasmGetLocal;
import org.teavm.backend.wasm.model.expression.WasmInt32Constant;
import org.teavm.backend.wasm.model.expression.WasmInt32Subtype;
import org.teavm.backend.wasm.model.expression.WasmLoadInt32;
import org.teavm.backend.wasm.model.expression.WasmSetLocal;
import org.teavm.backend.wasm.model.expression.WasmStoreInt32;
import org.teavm.model.MethodReference;

/**
 * Compiles {@code talc.wasm.ModuleGlobal}'s natives into marker instructions that
 * {@link PostProcess} turns into a wasm global (see {@code ModuleGlobal} for why):
 * <pre>
 *  handle()      ->  i32.const MARKER  i32.load                      ->  global.get $talc_handle
 *  heapBase()    ->  i32.const HEAP_BASE_MARKER  i32.load            ->  global.get $heap_base
 *  setHandle(v)  ->  v  local.set $tmp  i32.const MARKER  local.get $tmp  i32.store
 *                                                                     ->  v  local.set $tmp  local.get $tmp  global.set $talc_handle
 * </pre>
 * The value of a store goes through a temporary local so that the marker, the value and the
 * store are always three adjacent instructions, whatever expression the value is.
 */
final class GlobalIntrinsic implements WasmIntrinsic {
    /** An address no real access uses: 4 bytes below 2 GiB, above every heap. */
    static final int MARKER = 0x7FFF_FFFC;
    /** The marker of {@code heapBase()}: the word below {@link #MARKER}. */
    static final int HEAP_BASE_MARKER = 0x7FFF_FFF8;
    private static final String OWNER = "talc.wasm.ModuleGlobal";
    /** Alignment in bytes, as TeaVM takes it. */
    private static final int WORD_ALIGNMENT = 4;

    @Override
    public boolean isApplicable(MethodReference method) {
        return method.getClassName().equals(OWNER)
                && List.of("handle", "setHandle", "heapBase").contains(method.getName());
    }

    @Override
    public WasmExpression apply(InvocationExpr invocation, WasmIntrinsicManager manager) {
        switch (invocation.getMethod().getName()) {
            case "handle":
                return new WasmLoadInt32(WORD_ALIGNMENT, new WasmInt32Constant(MARKER), WasmInt32Subtype.INT32);
            case "heapBase":
                return new WasmLoadInt32(WORD_ALIGNMENT, new WasmInt32Constant(HEAP_BASE_MARKER), WasmInt32Subtype.INT32);
            default:
                break;
        }
        WasmLocal value = manager.getTemporary(WasmType.INT32);
        WasmBlock block = new WasmBlock(false);
        block.getBody().add(new WasmSetLocal(value, manager.generate(invocation.getArguments().get(0))));
        block.getBody().add(new WasmStoreInt32(WORD_ALIGNMENT, new WasmInt32Constant(MARKER),
                new WasmGetLocal(value), WasmInt32Subtype.INT32));
        manager.releaseTemporary(value);
        return block;
    }
}
