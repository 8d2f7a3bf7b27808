package talc.teavm.plugin;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.teavm.diagnostics.Problem;
import org.teavm.tooling.ConsoleTeaVMToolLog;
import org.teavm.tooling.TeaVMProblemRenderer;
import org.teavm.tooling.TeaVMTargetType;
import org.teavm.tooling.TeaVMTool;
import org.teavm.tooling.TeaVMToolException;
import org.teavm.vm.TeaVMOptimizationLevel;
import talc.core.Source;

/**
 * Builds the example app: TeaVM's classic wasm backend compiles {@code talc.teavm.example} with
 * its runtime (GC, exceptions, class initialisation) and with the allocator core, then the
 * memory's declared maximum is raised so the allocator has pages above the GC's territory.
 *
 * <p>Outputs, in the output directory: {@value #APP}{@code .wasm} (with the GC agreement) and
 * {@value #UNGUARDED}{@code .wasm} (the negative control: the same app with the agreement off, see
 * {@link AgreementSwitch}). TeaVM reads the classes through this tool's class loader: this
 * module, wasm-target (the core's wasm twins, mapped in its {@code META-INF/teavm.properties},
 * and its plugin), allocator-core and TeaVM's class library.
 *
 * <p>Usage: {@code BuildApp --teavm-dir DIR --output-dir DIR}. With
 * {@code -D}{@value #DEBUG_NAMES_PROPERTY}{@code =true} TeaVM keeps its function names, so that a
 * trap's stack trace in Node names the Java methods.
 */
public final class BuildApp {
    /** The example app, with the agreement. */
    static final String APP = "gc-pressure";
    /** The negative control, without it. */
    static final String UNGUARDED = "gc-pressure-unguarded";
    /** The app's class: its empty {@code main} is TeaVM's entry point, and it holds the exports. */
    static final String MAIN_CLASS = "talc.teavm.example.GcPressureApp";
    /**
     * The GC heap's start and largest size. The largest is the GC's side of the agreement: the
     * allocator's pages start above the GC's layout for this heap. 32 MiB is about three times
     * the example's largest live Java set.
     */
    static final int MIN_HEAP_BYTES = 1 << 20;
    static final int MAX_HEAP_BYTES = 32 << 20;
    /**
     * The declared memory maximum: the most the allocator's growing source ever uses (addresses
     * are positive {@code int}s), so the whole rest of the 2 GiB is the allocator's to take.
     */
    static final int MAX_PAGES = Source.MAX_PAGES;
    /** The counters are on in the app ({@code NativeHeap.allocationCount()} and the others); property of wasm-target's {@code BuildConstants}. */
    static final String COUNTERS_PROPERTY = "talc.feature.counters";

    /** System property that turns TeaVM's minification off (readable stack traces). */
    static final String DEBUG_NAMES_PROPERTY = "talc.app.debugNames";

    private BuildApp() {
    }

    /** Builds both modules; exits with 1 and a message on failure. */
    public static void main(String[] args) {
        try {
            File teavmDir = new File(argument(args, "--teavm-dir"));
            File outputDir = new File(argument(args, "--output-dir"));
            Files.createDirectories(outputDir.toPath());
            build(APP, true, teavmDir, outputDir);
            build(UNGUARDED, false, teavmDir, outputDir);
        } catch (BuildException | IOException e) {
            System.err.println("[talc] app build failed: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void build(String name, boolean agreement, File teavmDir, File outputDir)
            throws BuildException, IOException {
        File raw = compile(name, agreement, teavmDir);
        byte[] module = MemoryMaximum.withMaximum(Files.readAllBytes(raw.toPath()), MAX_PAGES);
        if (MemoryMaximum.maximum(module) != MAX_PAGES) {
            throw new BuildException(name + ": the memory maximum was not rewritten");
        }
        File out = new File(outputDir, name + ".wasm");
        Files.write(out.toPath(), module);
        System.out.println("[talc] " + out + ": " + module.length + " bytes, memory maximum " + MAX_PAGES
                + " pages, GC heap " + MIN_HEAP_BYTES + ".." + MAX_HEAP_BYTES + " bytes, agreement "
                + (agreement ? "on" : "OFF (negative control)"));
    }

    private static File compile(String name, boolean agreement, File teavmDir) throws BuildException {
        TeaVMTool tool = new TeaVMTool();
        tool.setTargetType(TeaVMTargetType.WEBASSEMBLY);
        tool.setMainClass(MAIN_CLASS);
        tool.getClassesToPreserve().add(MAIN_CLASS);
        tool.setTargetDirectory(teavmDir);
        tool.setTargetFileName(name + ".wasm");
        tool.setOptimizationLevel(TeaVMOptimizationLevel.FULL);
        tool.setObfuscated(!Boolean.getBoolean(DEBUG_NAMES_PROPERTY));
        tool.setDebugInformationGenerated(false);
        tool.setSourceMapsFileGenerated(false);
        tool.setIncremental(false);
        tool.setMinHeapSize(MIN_HEAP_BYTES);
        tool.setMaxHeapSize(MAX_HEAP_BYTES);
        tool.setClassLoader(BuildApp.class.getClassLoader());
        tool.setLog(new ConsoleTeaVMToolLog(false));
        tool.getProperties().setProperty(COUNTERS_PROPERTY, "true");
        tool.getProperties().setProperty(AgreementSwitch.PROPERTY, Boolean.toString(agreement));
        try {
            tool.generate();
        } catch (TeaVMToolException e) {
            throw new BuildException("TeaVM failed on " + name + ": " + e.getMessage(), e);
        }
        List<Problem> severe = tool.getProblemProvider().getSevereProblems();
        if (!severe.isEmpty()) {
            TeaVMProblemRenderer.describeProblems(tool.getDependencyInfo().getCallGraph(),
                    tool.getProblemProvider(), tool.getLog());
            throw new BuildException("TeaVM reported " + severe.size() + " error(s) compiling " + name);
        }
        File raw = new File(teavmDir, name + ".wasm");
        if (!raw.isFile()) {
            throw new BuildException("TeaVM reported success but wrote no " + raw);
        }
        return raw;
    }

    private static String argument(String[] args, String name) throws BuildException {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        throw new BuildException("missing " + name + " DIR (usage: BuildApp --teavm-dir DIR --output-dir DIR)");
    }
}
