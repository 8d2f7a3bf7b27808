package talc.teavm.plugin;

import org.teavm.backend.wasm.TeaVMWasmHost;
import org.teavm.vm.spi.TeaVMHost;
import org.teavm.vm.spi.TeaVMPlugin;

/**
 * The compile-time side of the GC agreement, found by TeaVM through
 * {@code META-INF/services/org.teavm.vm.spi.TeaVMPlugin} of the teavm-app jar: it installs
 * {@link GcGrowthRewrite} (the GC grows memory through {@code talc.teavm.GcAgreement}) and
 * {@link AgreementSwitch} (the negative control's build only). wasm-target's plugin, also on an
 * app's class path, compiles the allocator core and its memory twin as in {@code talc.wasm}.
 * Only TeaVM's classic wasm target is touched.
 */
public final class TeavmAppPlugin implements TeaVMPlugin {
    @Override
    public void install(TeaVMHost host) {
        if (host.getExtension(TeaVMWasmHost.class) == null) {
            return;
        }
        host.add(new GcGrowthRewrite());
        host.add(new AgreementSwitch(!"false".equals(host.getProperties().getProperty(AgreementSwitch.PROPERTY))));
    }
}
