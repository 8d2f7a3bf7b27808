package talc.wasm.tool;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.teavm.diagnostics.Problem;
import org.teavm.tooling.TeaVMProblemRenderer;
import org.teavm.tooling.TeaVMTargetType;
import org.teavm.tooling.TeaVMTool;
import org.teavm.tooling.TeaVMToolException;
import org.teavm.tooling.TeaVMToolLog;
import org.teavm.vm.TeaVMOptimizationLevel;

/**
 * Runs TeaVM's classic WebAssembly backend on the module's classes, in this JVM.
 *
 * <p>The tooling API is used directly instead of teavm-maven-plugin because the plugin's last
 * 0.10.x release needs its compiler overridden to reach 0.13.1 (the last release with this
 * backend), and because the build has to run the post-processing right after anyway.
 *
 * <p>TeaVM reads classes through the class loader of this tool, i.e. the module's runtime class
 * path: the module's own classes (exports, wasm twins, this plugin), allocator-core, and TeaVM's
 * class library with its {@code META-INF/teavm.properties}. Only what the exports reach is
 * compiled.
 */
final class TeaVMCompile {
    /** The class whose empty {@code main} TeaVM requires as the entry point. */
    static final String MAIN_CLASS = "talc.wasm.Main";

    /**
     * The class holding the {@code @Export} methods. TeaVM links the exports of a class only
     * once the class itself is reached, and nothing reaches it from the empty {@code main}, so it
     * is named as a class to preserve.
     */
    static final String EXPORTS_CLASS = "talc.wasm.Exports";

    /**
     * TeaVM's GC heap bounds in bytes. The runtime that would use them is stripped from the final
     * module, so they only shape the raw output; they must stay above zero (0 gives a broken
     * module) and well below 2 GiB (the declared maximum overflows).
     */
    static final int MIN_HEAP_BYTES = 1 << 20;
    static final int MAX_HEAP_BYTES = 16 << 20;

    private TeaVMCompile() {
    }

    /**
     * Compiles {@code variant} into {@code <teavmDir>/<name>.wasm} and returns that file. The
     * {@code layout} is compiled into {@code talc.wasm.ModuleLayout}.
     */
    /** The feature {@code talc.core.Features#truncation()}, off in every module. */
    static final String TRUNCATION = "truncation";
    /** The feature {@code talc.core.Features#regionLimit()}, on only in the imported-memory module. */
    static final String REGION_LIMIT = "regionLimit";

    static File compile(Variant variant, File teavmDir, MemoryLayout layout) throws BuildException {
        TeaVMTool tool = new TeaVMTool();
        tool.setTargetType(TeaVMTargetType.WEBASSEMBLY);
        tool.setMainClass(MAIN_CLASS);
        tool.setTargetDirectory(teavmDir);
        tool.setTargetFileName(variant.name() + ".wasm");
        tool.setOptimizationLevel(TeaVMOptimizationLevel.FULL);
        tool.setObfuscated(true);
        tool.setDebugInformationGenerated(false);
        tool.setSourceMapsFileGenerated(false);
        tool.setIncremental(false);
        tool.setMinHeapSize(MIN_HEAP_BYTES);
        tool.setMaxHeapSize(MAX_HEAP_BYTES);
        tool.getClassesToPreserve().add(EXPORTS_CLASS);
        tool.setClassLoader(TeaVMCompile.class.getClassLoader());
        tool.setLog(new VariantLog(variant.name()));
        // No module exports a truncation, so none keeps the HEAP_FIRST flag it needs (27 bytes
        // of talc.wasm); the checked build keeps the flag for its heap check and walk anyway.
        tool.getProperties().setProperty(BuildConstants.FEATURE_PREFIX + TRUNCATION, "false");
        // Only a module serving a region of an imported memory has a growth limit of its own;
        // the others grow up to Source.MAX_PAGES, a constant then.
        tool.getProperties().setProperty(BuildConstants.FEATURE_PREFIX + REGION_LIMIT,
                Boolean.toString(variant.importedMemory()));
        for (Map.Entry<String, String> feature : variant.features().entrySet()) {
            tool.getProperties().setProperty(BuildConstants.FEATURE_PREFIX + feature.getKey(), feature.getValue());
        }
        tool.getProperties().setProperty(BuildConstants.LAYOUT_PREFIX + "stateAddress",
                Integer.toString(layout.stateAddress()));
        tool.getProperties().setProperty(BuildConstants.LAYOUT_PREFIX + "initialEnd",
                Integer.toString(layout.initialEnd()));
        tool.getProperties().setProperty(BuildConstants.LAYOUT_PREFIX + "importedMemory",
                Boolean.toString(variant.importedMemory()));
        tool.getProperties().setProperty(LinkedHandle.PROPERTY,
                Boolean.toString(variant.memory() == Variant.Memory.LINKED));
        try {
            tool.generate();
        } catch (TeaVMToolException e) {
            throw new BuildException("TeaVM failed on variant " + variant.name() + ": " + e.getMessage(), e);
        }
        List<Problem> severe = tool.getProblemProvider().getSevereProblems();
        if (!severe.isEmpty()) {
            TeaVMProblemRenderer.describeProblems(tool.getDependencyInfo().getCallGraph(),
                    tool.getProblemProvider(), tool.getLog());
            throw new BuildException("TeaVM reported " + severe.size() + " error(s) compiling variant "
                    + variant.name() + " (see above)");
        }
        File raw = new File(teavmDir, variant.name() + ".wasm");
        if (!raw.isFile()) {
            throw new BuildException("TeaVM reported success but wrote no " + raw);
        }
        return raw;
    }

    /**
     * TeaVM's warnings and errors, each naming the variant being compiled; its progress lines
     * (the same counts for every variant) are dropped.
     */
    private record VariantLog(String variant) implements TeaVMToolLog {
        private void print(String level, String message, Throwable e) {
            System.out.println("[talc] " + variant + ": TeaVM " + level + message);
            if (e != null) {
                e.printStackTrace(System.out);
            }
        }

        @Override
        public void info(String message) {
        }

        @Override
        public void info(String message, Throwable e) {
        }

        @Override
        public void warning(String message) {
            print("warning: ", message, null);
        }

        @Override
        public void warning(String message, Throwable e) {
            print("warning: ", message, e);
        }

        @Override
        public void error(String message) {
            print("error: ", message, null);
        }

        @Override
        public void error(String message, Throwable e) {
            print("error: ", message, e);
        }

        @Override
        public void debug(String message) {
        }

        @Override
        public void debug(String message, Throwable e) {
        }
    }
}
