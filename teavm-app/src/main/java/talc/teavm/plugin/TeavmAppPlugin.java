package talc.teavm.plugin;

import org.teavm.backend.wasm.TeaVMWasmHost;
import org.teavm.backend.wasm.WasmTarget;
import org.teavm.vm.spi.TeaVMHost;
import org.teavm.vm.spi.TeaVMPlugin;

/**
 * The compile-time side of the GC agreement, found by TeaVM through
 * {@code META-INF/services/org.teavm.vm.spi.TeaVMPlugin} of the teavm-app jar, for any app and
 * main class: {@link MemoryMaximum} (a declared memory maximum with room above the GC),
 * {@link GcGrowthRewrite} (the GC grows memory through {@code talc.teavm.GcAgreement}),
 * {@link AgreementSwitch} (marks the app as built with the plugin; turns the agreement off for
 * the negative control) and {@link ReportRewrite} (misuse reports become a Java exception).
 * wasm-target's plugin, also on an app's class path, compiles the allocator core and its memory
 * twin as in {@code talc.wasm}. Only TeaVM's classic wasm target is touched.
 */
public final class TeavmAppPlugin implements TeaVMPlugin {
    @Override
    public void install(TeaVMHost host) {
        if (host.getExtension(TeaVMWasmHost.class) == null) {
            return;
        }
        host.add(MemoryMaximum.apply((WasmTarget) host.getExtension(TeaVMWasmHost.class)));
        host.add(new GcGrowthRewrite());
        host.add(new ReportRewrite());
        host.add(new AgreementSwitch(!"false".equals(host.getProperties().getProperty(AgreementSwitch.PROPERTY))));
    }
}
