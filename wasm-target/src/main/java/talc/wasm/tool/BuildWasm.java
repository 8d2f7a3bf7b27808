package talc.wasm.tool;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the allocator's wasm modules: compiles each {@link Variant} with TeaVM, post-processes
 * it into its outputs ({@link PostProcess}), checks every output ({@link ModuleCheck}) and prints
 * the sizes.
 *
 * <p>Run by exec-maven-plugin in wasm-target's {@code package} phase, on the module's runtime
 * class path, as
 * {@code java talc.wasm.tool.BuildWasm --teavm-dir <dir> --output-dir <dir>}. Any failure ends
 * the JVM with a non-zero status and a one-paragraph reason, which fails the Maven build. The
 * external tools are checked before TeaVM runs, so a machine without binaryen/wabt fails in a
 * second, not after the compile.
 */
public final class BuildWasm {
    /** Exit status of a failed build. */
    private static final int EXIT_FAILURE = 1;
    /**
     * What was built, for tests and tools: {@code {"layout": ..., "modules": [...]}}, the layout
     * that readers of a module's memory rely on ({@link #layoutJson}) and one entry per module
     * file (the variant, its features, and where the allocator lies in memory).
     */
    static final String MANIFEST_FILE = "modules.json";
    /**
     * The counter block's fields (the counters variant's {@code talc_counters} export points at
     * it), in memory order: the constant of {@code talc.core.State} that places each, and its
     * width. The JSON names are the constants' names in camel case.
     */
    private static final String[][] COUNTER_FIELDS = {
        {"ALLOCATION_COUNT", "u32"}, {"ALLOCATED_BYTES", "u32"}, {"AVAILABLE_BYTES", "u32"},
        {"FRAGMENT_COUNT", "u32"}, {"HEAP_COUNT", "u32"}, {"CLAIMED_BYTES", "u32"},
        {"TOTAL_ALLOCATION_COUNT", "u64"}, {"TOTAL_ALLOCATED_BYTES", "u64"}, {"TOTAL_HEAP_COUNT", "u64"},
        {"TOTAL_CLAIMED_BYTES", "u64"},
    };
    /** The misuse kinds of the checked build ({@code talc.core.Misuse}), as the report hook and talc_check give them. */
    private static final String[] MISUSE_KINDS = {"MISALIGNED", "OUTSIDE_HEAPS", "INSIDE_BLOCK", "NOT_ALLOCATED", "CORRUPTED"};

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
            System.out.println("[talc] " + tool.describe() + ": " + tool.version());
        }

        StringBuilder summary = new StringBuilder();
        List<String> manifest = new ArrayList<>();
        for (Variant variant : Variant.ALL) {
            MemoryLayout layout = MemoryLayout.standalone(variant.minPages());
            System.out.println("[talc] " + variant.name() + ": compiling with TeaVM, then post-processing");
            File raw = TeaVMCompile.compile(variant, teavmDir, layout);
            PostProcess.RawModule rawModule = PostProcess.inspect(raw, workDir);
            summary.append(String.format("[talc] %s (%s): TeaVM raw %,d bytes; state at %d, first heap to %d%n",
                    variant.name(), variant.purpose(), raw.length(), layout.stateAddress(), layout.initialEnd()));
            for (Variant.Output output : variant.outputs()) {
                File module = PostProcess.write(rawModule, variant, output, layout.initialPages(), outputDir, workDir);
                try {
                    ModuleCheck.verify(module, variant, output, layout.initialPages());
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
                manifest.add(manifestEntry(variant, output, layout, module));
            }
        }
        write(new File(outputDir, MANIFEST_FILE), "{\n\"layout\": " + layoutJson()
                + ",\n\"modules\": [\n  " + String.join(",\n  ", manifest) + "\n]}\n");
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

    private static String manifestEntry(Variant variant, Variant.Output output, MemoryLayout layout, File module) {
        StringBuilder features = new StringBuilder();
        for (String name : new TreeSet<>(variant.features().keySet())) {
            features.append(features.length() == 0 ? "" : ", ")
                    .append('"').append(name).append("\": ").append(variant.features().get(name));
        }
        StringBuilder extra = new StringBuilder();
        for (String name : variant.extraExports()) {
            extra.append(extra.length() == 0 ? "" : ", ").append('"').append(name).append('"');
        }
        return String.format("{\"file\": \"%s\", \"variant\": \"%s\", \"purpose\": \"%s\", \"bytes\": %d,"
                        + " \"grows\": %b, \"importedMemory\": %b, \"forLinking\": %b, \"maxPages\": %s, \"features\": {%s},"
                        + " \"extraExports\": [%s], \"stateAddress\": %d, \"initialPages\": %d}",
                output.fileName(), variant.name(), variant.purpose(), module.length(), variant.grows(),
                variant.importedMemory(), variant.memory() == Variant.Memory.LINKED,
                output.hasMaximum() ? Integer.toString(output.maxPages()) : "null", features, extra,
                layout.stateAddress(), layout.initialPages());
    }

    /**
     * The layout that JavaScript reads from a module's memory, taken from the constants of
     * {@code talc.core} (package-private there, so read by reflection: the core stays the one
     * place that defines them): the header word of each chunk and its flags, the misuse kinds of
     * the checked build ({@code talc_check()} returns {@code address | kind}, the kind below
     * {@code header.unit}), and the counter block.
     */
    static String layoutJson() throws BuildException {
        String header = String.format("{\"bytes\": %d, \"unit\": %d, \"sizeMask\": %d, \"allocated\": %d,"
                        + " \"belowFree\": %d, \"heapFirst\": %d, \"sealBytes\": %d}",
                core("Chunk", "HEADER"), core("Chunk", "UNIT"), core("Chunk", "SIZE_MASK"), core("Chunk", "ALLOCATED"),
                core("Chunk", "BELOW_FREE"), core("Chunk", "HEAP_FIRST"), core("Chunk", "SEAL"));
        List<String> misuse = new ArrayList<>();
        for (String kind : MISUSE_KINDS) {
            misuse.add(String.format("\"%s\": %d", kind.toLowerCase(Locale.ROOT).replace('_', '-'), core("Misuse", kind)));
        }
        List<String> counters = new ArrayList<>();
        int start = core("State", COUNTER_FIELDS[0][0]);
        int end = start;
        for (String[] field : COUNTER_FIELDS) {
            int offset = core("State", field[0]) - start;
            if (offset < end - start) {
                throw new BuildException("counter " + field[0] + " at " + offset + " overlaps the counter before it");
            }
            end = start + offset + ("u64".equals(field[1]) ? Long.BYTES : Integer.BYTES);
            counters.add(String.format("{\"name\": \"%s\", \"offset\": %d, \"type\": \"%s\"}",
                    camelCase(field[0]), offset, field[1]));
        }
        return String.format("{\n  \"header\": %s,\n  \"misuse\": {%s},\n  \"counters\": {\"bytes\": %d, \"fields\": [\n    %s]}\n}",
                header, String.join(", ", misuse), end - start, String.join(",\n    ", counters));
    }

    /** The value of the int constant {@code talc.core.<className>.<field>}. */
    private static int core(String className, String field) throws BuildException {
        try {
            Field f = Class.forName("talc.core." + className).getDeclaredField(field);
            f.setAccessible(true);
            return f.getInt(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new BuildException("reading the layout constant talc.core." + className + "." + field + ": " + e, e);
        }
    }

    /** ALLOCATION_COUNT -> allocationCount. */
    private static String camelCase(String constant) {
        StringBuilder out = new StringBuilder();
        for (String word : constant.toLowerCase(Locale.ROOT).split("_")) {
            out.append(out.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return out.toString();
    }

    private static void write(File file, String text) throws BuildException {
        try {
            Files.writeString(file.toPath(), text);
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
