package talc.wasm.tool;

import org.teavm.backend.wasm.TeaVMWasmHost;
import org.teavm.vm.spi.TeaVMHost;
import org.teavm.vm.spi.TeaVMPlugin;

/**
 * The compile-time extension of TeaVM for the talc module, found by TeaVM through
 * {@code META-INF/services/org.teavm.vm.spi.TeaVMPlugin}.
 *
 * <p>It runs inside the compiler only: nothing in this package is reachable from
 * {@code talc.wasm.Exports}, so none of it is compiled into the module. It installs
 * <ul>
 *   <li>{@link MemoryIntrinsic}, which turns the native methods of {@code talc.wasm.WasmMem} into
 *       the {@code memory.grow}/{@code memory.fill}/{@code memory.copy} instructions,</li>
 *   <li>{@link TrapIntrinsic}, which turns {@code talc.wasm.WasmReport.trap()} into
 *       {@code unreachable},</li>
 *   <li>{@link GlobalIntrinsic}, which marks the accesses to {@code talc.wasm.ModuleGlobal} for
 *       the post-processing to turn into a wasm global,</li>
 *   <li>{@link BuildConstants}, which lets each build fix the values of
 *       {@code talc.wasm.WasmFeatures} and {@code talc.wasm.ModuleLayout} through TeaVM
 *       properties,</li>
 *   <li>{@link LinkedHandle}, in the linked module only, which makes the exports boot the
 *       allocator on their first call, and</li>
 *   <li>{@link RestrictedCore}, which compiles the allocator core without TeaVM's runtime
 *       support (shadow stack, exception and class-initialisation checks).</li>
 * </ul>
 * Other TeaVM targets (JavaScript, WebAssembly GC) have no {@link TeaVMWasmHost}; the plugin then
 * leaves them alone, since the classpath's service file is seen by every TeaVM run.
 */
public final class TalcTeaVMPlugin implements TeaVMPlugin {
    @Override
    public void install(TeaVMHost host) {
        TeaVMWasmHost wasm = host.getExtension(TeaVMWasmHost.class);
        if (wasm == null) {
            return;
        }
        wasm.add(context -> new MemoryIntrinsic(context.getClassSource()));
        wasm.add(context -> new GlobalIntrinsic());
        wasm.add(context -> new TrapIntrinsic());
        host.add(new BuildConstants(host.getProperties()));
        if (Boolean.parseBoolean(host.getProperties().getProperty(LinkedHandle.PROPERTY))) {
            host.add(new LinkedHandle());
        }
        host.add(new RestrictedCore());
    }
}
