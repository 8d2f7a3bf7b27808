package talc.wasm;

import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;

/**
 * Where the module's allocator lives in memory: constants the build decides
 * ({@code talc.wasm.tool.MemoryLayout}) and compiles in by replacing these bodies
 * ({@code talc.wasm.tool.BuildConstants}). The values written here are placeholders that no
 * build keeps.
 */
@StaticInit
@Unmanaged
public final class ModuleLayout {
    private ModuleLayout() {
    }

    /** Address of the allocator's state block: 16, where TeaVM's unused static area would be. */
    public static int stateAddress() {
        return 0;
    }

    /** End of the module's initial memory, where the first heap ends. */
    public static int initialEnd() {
        return 0;
    }

    /**
     * Whether the module imports its memory from another module and serves the region that
     * {@code talc_init} names, instead of owning its memory and booting on first use.
     */
    public static boolean importedMemory() {
        return false;
    }
}
