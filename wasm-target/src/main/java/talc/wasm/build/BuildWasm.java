package talc.wasm.build;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the allocator's wasm modules: compiles each {@link Variant} with TeaVM, post-processes
 * it into its outputs ({@link PostProcess}), checks every output ({@link ModuleCheck}) and prints
 * the sizes.
 *
 * <p>Run by exec-maven-plugin in wasm-target's {@code package} phase, on the module's runtime
 * class path, as
 * {@code java talc.wasm.build.BuildWasm --teavm-dir <dir> --output-dir <dir>}. Any failure ends
 * the JVM with a non-zero status and a one-paragraph reason, which fails the Maven build. The
 * external tools are checked before TeaVM runs, so a machine without binaryen/wabt fails in a
 * second, not after the compile.
 */
public final class BuildWasm {
    /** Exit status of a failed build. */
    private static final int EXIT_FAILURE = 1;
    /** The layout of the built modules, for tests and tools that check where blocks may lie. */
    static final String LAYOUT_FILE = "layout.json";

    private BuildWasm() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (BuildException e) {
            System.err.println();
            System.err.println("talc wasm build FAILED: " + e.getMessage());
            System.exit(EXIT_FAILURE);
        }
    }

    private static void run(String[] args) throws BuildException {
        File teavmDir = null;
        File outputDir = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--teavm-dir" -> teavmDir = new File(require(args[i], value));
                case "--output-dir" -> outputDir = new File(require(args[i], value));
                default -> throw new BuildException("unknown argument " + args[i]
                        + "; usage: BuildWasm --teavm-dir <dir> --output-dir <dir>");
            }
            i++;
        }
        if (teavmDir == null || outputDir == null) {
            throw new BuildException("usage: BuildWasm --teavm-dir <dir> --output-dir <dir>");
        }
        File workDir = new File(teavmDir, "post");
        mkdirs(teavmDir);
        mkdirs(outputDir);
        mkdirs(workDir);

        // A failed build must not leave an older module behind for the tests to pick up.
        for (Variant variant : Variant.ALL) {
            for (Variant.Output output : variant.outputs()) {
                delete(new File(outputDir, output.fileName()));
            }
        }

        for (ExternalTool tool : ExternalTool.values()) {
            System.out.println("[talc] " + tool.command() + ": " + tool.version());
        }

        // Probe compile: every variant shares TeaVM's static area (they differ only in constants),
        // so one compile locates it and fixes where the allocator goes.
        File probe = TeaVMCompile.compile(Variant.DEFAULT.renamed("layout-probe"), teavmDir, null);
        MemoryLayout layout = MemoryLayout.after(PostProcess.inspect(probe, workDir).staticEnd());
        writeLayout(layout, new File(outputDir, LAYOUT_FILE));

        StringBuilder summary = new StringBuilder();
        summary.append(String.format("[talc] layout: TeaVM static area ends at %d (0x%x), allocator state at %d,"
                        + " first heap to %d: %d initial page(s)%n", layout.staticEnd(), layout.staticEnd(),
                layout.stateAddress(), layout.initialEnd(), layout.initialPages()));
        for (Variant variant : Variant.ALL) {
            File raw = TeaVMCompile.compile(variant, teavmDir, layout);
            PostProcess.RawModule rawModule = PostProcess.inspect(raw, workDir);
            if (rawModule.staticEnd() != layout.staticEnd()) {
                throw new BuildException("variant " + variant.name() + ": TeaVM's static area ends at "
                        + rawModule.staticEnd() + ", not at " + layout.staticEnd()
                        + " as in the probe; the layout compiled into it would be wrong");
            }
            summary.append(String.format("[talc] %s: TeaVM raw %s, %,d bytes%n", variant.name(), raw, raw.length()));
            for (Variant.Output output : variant.outputs()) {
                File module = PostProcess.write(rawModule, output, layout.initialPages(), outputDir, workDir);
                try {
                    ModuleCheck.verify(module, output, layout.initialPages());
                } catch (BuildException e) {
                    // Keep the failed module out of the output directory; the intermediates stay.
                    delete(module);
                    throw e;
                }
                File stripped = PostProcess.strippedFile(output, workDir);
                summary.append(String.format("[talc]   %s: %,d bytes (%,d gzip); before wasm-opt %,d bytes;"
                                + " memory %d page(s), max %s; checks passed%n", module, module.length(),
                        gzipSize(module), stripped.length(), layout.initialPages(),
                        output.hasMaximum() ? output.maxPages() + " pages" : "none"));
            }
        }
        System.out.print(summary);
    }

    private static String require(String option, String value) throws BuildException {
        if (value == null) {
            throw new BuildException(option + " needs a value");
        }
        return value;
    }

    private static void mkdirs(File dir) throws BuildException {
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new BuildException("cannot create directory " + dir);
        }
    }

    private static void delete(File file) throws BuildException {
        if (file.exists() && !file.delete()) {
            throw new BuildException("cannot delete " + file);
        }
    }

    private static void writeLayout(MemoryLayout layout, File file) throws BuildException {
        String json = String.format("{\"staticEnd\": %d, \"stateAddress\": %d, \"initialPages\": %d}%n",
                layout.staticEnd(), layout.stateAddress(), layout.initialPages());
        try {
            Files.writeString(file.toPath(), json);
        } catch (IOException e) {
            throw new BuildException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    /** What the module costs over the wire with the usual compression. */
    private static long gzipSize(File file) throws BuildException {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
                gzip.write(Files.readAllBytes(file.toPath()));
            }
            return bytes.size();
        } catch (IOException e) {
            throw new BuildException("reading " + file + ": " + e.getMessage(), e);
        }
    }
}
