package talc.wasm;

import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;

/**
 * The wasm globals of a module with an imported memory ({@code talc-imported.wasm},
 * {@code talc-linked.wasm}): the allocator handle, kept in a global so that the module needs no
 * static field, and with it no memory of its own (a module that works inside another module's
 * memory must not write at fixed addresses); and, in the linked module, the imported
 * {@code __heap_base}. Modules that own their memory need no handle: their allocator is at a
 * constant address.
 *
 * <p>TeaVM cannot declare globals, so the build does it in two steps: the intrinsic
 * {@code talc.wasm.tool.GlobalIntrinsic} compiles these natives into loads from, and a store
 * to, marker addresses, and the post-processing ({@code talc.wasm.tool.PostProcess}) rewrites
 * exactly those instruction patterns into {@code global.get}/{@code global.set} of the globals,
 * and fails the build if a marker is left anywhere.
 */
@StaticInit
@Unmanaged
public final class ModuleGlobal {
    private ModuleGlobal() {
    }

    /** The allocator handle, 0 before the allocator is booted. */
    public static native int handle();

    /** Sets the allocator handle. */
    public static native void setHandle(int t);

    /** The imported global {@code env.__heap_base}: where the other module's data and stack end. */
    public static native int heapBase();
}
