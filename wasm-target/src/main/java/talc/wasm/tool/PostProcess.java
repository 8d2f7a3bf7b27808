package talc.wasm.tool;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import talc.wasm.Exports;

/**
 * Turns TeaVM's raw module into the standalone allocator module.
 *
 * <p>TeaVM's output is a whole Java runtime (GC, exceptions, strings, class metadata, 36
 * {@code teavm_*} exports, a start function, imports for logging and time) around the few
 * functions the allocator needs. The allocator core is written to depend on none of it, so the
 * runtime can be cut away at the module level:
 * <ol>
 *   <li>keep only the allocator's exports and {@code memory}: everything else becomes
 *       unreachable;</li>
 *   <li>replace TeaVM's {@code start} (its runtime's initialisation) with the allocator's own,
 *       {@code talc.wasm.Exports#start}, which boots the allocator in the module's initial
 *       memory; a module with an imported memory has none (it boots in {@code talc_init}, or
 *       the linked module at its first call);</li>
 *   <li>turn the marker accesses of {@code talc.wasm.ModuleGlobal} into wasm globals: the
 *       allocator handle, and the linked module's import of {@code __heap_base};</li>
 *   <li>drop all data segments: they hold only runtime metadata and the initial values of static
 *       fields, and the allocator's statics start at zero, which a fresh memory already is;</li>
 *   <li>declare the memory with the fewest pages that still cover TeaVM's static area, where
 *       the static fields are addressed, and with the variant's maximum ({@link Variant});</li>
 *   <li>{@code wasm-opt -O3} removes the dead runtime, the unused imports and the function
 *       table, and inlines the small accessors.</li>
 * </ol>
 * The edits are made on the text format ({@code wasm2wat}/{@code wat2wasm}) so every step can be
 * inspected; intermediate files are kept in the work directory. Why these passes and not others
 * is measured in {@code docs/design.md} ("The module build").
 */
final class PostProcess {
    /** Bytes in a wasm page. */
    static final int PAGE_SIZE = 65536;

    /** The C ABI of the module, as exported functions. */
    static final List<String> FUNCTION_EXPORTS =
            List.of("malloc", "free", "realloc", "calloc", "aligned_alloc", "malloc_usable_size");
    /** The memory export, whose name TeaVM fixes. */
    static final String MEMORY_EXPORT = "memory";

    /**
     * TeaVM 0.13.1 output uses bulk-memory ({@code memory.fill}/{@code copy}, also emitted by the
     * intrinsics) and non-trapping float-to-int conversions; wasm-opt must be allowed both to even
     * read the module. (wabt enables both by default, so wasm2wat/wat2wasm need no flags.)
     */
    static final List<String> WASM_OPT_FEATURES =
            List.of("--enable-bulk-memory", "--enable-nontrapping-float-to-int");

    /**
     * Optimise for speed (at {@code -Oz} binaryen keeps the core's small accessors as calls),
     * repeat until nothing changes, and let wasm-opt fold a constant added to an address into the
     * access's offset immediate ({@code load(p + 120)} becomes {@code load offset=120 (p)}).
     *
     * <p>{@code --low-memory-unused} is safe here: the two forms differ only when {@code p + 120}
     * wraps past 4 GiB, where the folded access traps instead of reading low memory (the flag's
     * premise: code never reaches the low 1 KiB that way). The allocator's addresses stay below
     * 2 GiB ({@code talc.core.Heaps#MAX_HEAP_END}) and the constants it adds are small, so none
     * of its accesses wraps; its state block at 16 is addressed directly, never by a wrap.
     */
    static final List<String> WASM_OPT_PASSES = List.of("-O3", "--converge", "--low-memory-unused");

    static final String ZERO_FILLED_MEMORY = "--zero-filled-memory";
    /** Module name of the imported memory: {@code env.memory}, as clang's {@code --import-memory} names it. */
    static final String IMPORTED_MEMORY_MODULE = "env";

    private PostProcess() {
    }

    /**
     * TeaVM's module in text form.
     *
     * @param wat the raw module's text
     */
    record RawModule(File file, WatModule wat) {
    }

    /** Reads TeaVM's output and checks it has what the edits rely on. */
    static RawModule inspect(File raw, File workDir) throws BuildException {
        File wat = new File(workDir, baseName(raw) + ".raw.wat");
        // TeaVM 0.13.1's name section is rejected by wabt ("function index out of order").
        ExternalTool.WASM2WAT.run("--no-debug-names", raw.getPath(), "-o", wat.getPath());
        WatModule module = WatModule.parse(read(wat));

        List<String> exported = new ArrayList<>();
        for (String export : module.fieldsOf("export")) {
            exported.add(WatModule.exportName(export));
        }
        List<String> missing = new ArrayList<>();
        for (String name : FUNCTION_EXPORTS) {
            if (!exported.contains(name)) {
                missing.add(name);
            }
        }
        if (!exported.contains(MEMORY_EXPORT)) {
            missing.add(MEMORY_EXPORT);
        }
        if (!exported.contains(Exports.START_EXPORT)) {
            missing.add(Exports.START_EXPORT);
        }
        if (!missing.isEmpty()) {
            throw new BuildException("TeaVM's module lacks the exports " + missing
                    + " (is talc.wasm.Exports reached, with @Export on each method?)");
        }
        if (module.fieldsOf("memory").size() != 1) {
            throw new BuildException("TeaVM's module has " + module.fieldsOf("memory").size()
                    + " memories, expected 1");
        }
        return new RawModule(raw, module);
    }

    /**
     * Writes one output of a variant into {@code outputDir}, with intermediates in
     * {@code workDir}, and returns the final file.
     */
    static File write(RawModule raw, Variant variant, Variant.Output output, int initialPages, File outputDir,
                      File workDir) throws BuildException {
        String memory = output.hasMaximum()
                ? "(memory (;0;) " + initialPages + " " + output.maxPages() + ")"
                : "(memory (;0;) " + initialPages + ")";
        if (output.hasMaximum() && output.maxPages() < initialPages) {
            throw new BuildException(output.fileName() + ": maximum " + output.maxPages()
                    + " pages is below the " + initialPages + " initial pages of the layout");
        }
        boolean imported = variant.importedMemory();
        boolean linked = variant.memory() == Variant.Memory.LINKED;
        WatModule stripped = raw.wat().map(field -> switch (WatModule.kind(field)) {
            case "export" -> isStartExport(field) ? (imported ? null : startOf(field))
                    : keepExport(field, variant.extraExports(), imported) ? field : null;
            case "start", "data" -> null;
            case "memory" -> imported ? HANDLE_GLOBAL : memory + "\n  " + HANDLE_GLOBAL;
            case "func" -> withMemorySize(withGlobals(field, linked));
            default -> field;
        });
        // Imports come before every definition in the text format (withFirst: the last one added
        // comes first). TeaVM's module has no globals, so an imported one moves no index.
        if (linked) {
            stripped = stripped.withFirst(HEAP_BASE_IMPORT);
        }
        if (imported) {
            stripped = stripped.withFirst("(import \"" + IMPORTED_MEMORY_MODULE + "\" \"" + MEMORY_EXPORT
                    + "\" " + memory + ")");
        }
        String text = stripped.render();
        for (String marker : List.of(MARKER_TEXT, HEAP_BASE_MARKER_TEXT)) {
            if (text.contains(marker)) {
                throw new BuildException(output.fileName() + ": an access to talc.wasm.ModuleGlobal was not"
                        + " rewritten into a global (marker " + marker + " left in the code)");
            }
        }

        String base = baseName(new File(output.fileName()));
        File wat = new File(workDir, base + ".stripped.wat");
        File wasm = new File(workDir, base + ".stripped.wasm");
        File result = new File(outputDir, output.fileName());
        write(wat, text);
        ExternalTool.WAT2WASM.run(wat.getPath(), "-o", wasm.getPath());
        checkNoStaticFields(wasm, new File(workDir, base + ".reachable.wasm"), output.fileName());

        List<String> args = new ArrayList<>(WASM_OPT_PASSES);
        args.addAll(variant.inlining());
        if (!imported) {
            // A memory the module owns starts zero-filled; an imported one holds whatever it holds.
            args.add(ZERO_FILLED_MEMORY);
        }
        args.addAll(WASM_OPT_FEATURES);
        List<String> again = new ArrayList<>(args);
        args.addAll(List.of(wasm.getPath(), "-o", result.getPath()));
        ExternalTool.WASM_OPT.run(args.toArray(new String[0]));
        // Once more over its own output: --converge can stop early (it leaves dead local copies
        // of inlining in talc-imported).
        again.addAll(List.of(result.getPath(), "-o", result.getPath()));
        ExternalTool.WASM_OPT.run(again.toArray(new String[0]));
        return result;
    }

    /** {@code (export "talc_start" (func N))}: group 1 is the function. */
    private static final Pattern START_EXPORT = Pattern.compile(
            "^\\(export\\s+\"" + Exports.START_EXPORT + "\"\\s+\\(func\\s+([^\\s)]+)\\)\\)$");

    private static boolean isStartExport(String field) {
        return START_EXPORT.matcher(field).matches();
    }

    /** The allocator's start function in place of its export: {@code (start N)}. */
    private static String startOf(String exportField) {
        Matcher m = START_EXPORT.matcher(exportField);
        if (!m.matches()) {
            throw new IllegalArgumentException(exportField);
        }
        return "(start " + m.group(1) + ")";
    }

    /**
     * The module's handle global, declared beside the memory (see talc.wasm.ModuleGlobal); only
     * modules with an imported memory use it, the others lose it in wasm-opt.
     */
    static final String HANDLE_GLOBAL = "(global $talc_handle (mut i32) (i32.const 0))";
    /** The linked module's import of the other module's {@code __heap_base}. */
    static final String HEAP_BASE_IMPORT = "(import \"" + Variant.HEAP_BASE_IMPORT.replace(".", "\" \"")
            + "\" (global $heap_base i32))";

    private static final String MARKER_TEXT = Integer.toString(GlobalIntrinsic.MARKER);
    private static final String HEAP_BASE_MARKER_TEXT = Integer.toString(GlobalIntrinsic.HEAP_BASE_MARKER);
    /** {@link GlobalIntrinsic}'s load: the marker address, then the load. */
    private static final Pattern HANDLE_LOAD = Pattern.compile(
            "i32\\.const " + MARKER_TEXT + "\\s+i32\\.load(?: offset=0)?(?: align=\\d+)?");
    /** {@link GlobalIntrinsic}'s store: the marker address, the temporary holding the value, the store. */
    private static final Pattern HANDLE_STORE = Pattern.compile(
            "i32\\.const " + MARKER_TEXT + "\\s+(local\\.get \\S+)\\s+i32\\.store(?: offset=0)?(?: align=\\d+)?");
    /** {@link GlobalIntrinsic}'s load of the heap base: its marker address, then the load. */
    private static final Pattern HEAP_BASE_LOAD = Pattern.compile(
            "i32\\.const " + HEAP_BASE_MARKER_TEXT + "\\s+i32\\.load(?: offset=0)?(?: align=\\d+)?");

    /**
     * A load or store at a constant address in folded text ({@code wasm2wat --fold-exprs}):
     * {@code (i32.load offset=8 (i32.const 300))}. Group 1 is the offset, group 2 the address.
     */
    private static final Pattern CONSTANT_ADDRESS = Pattern.compile(
            "\\((?:i32|i64|f32|f64)\\.(?:load|store)[0-9a-z_]*(?:\\s+offset=(\\d+))?(?:\\s+align=\\d+)?"
            + "\\s*\\(i32\\.const (-?\\d+)\\)");

    /**
     * Fails the build when code that the exports reach reads or writes memory at a constant
     * address: that is how TeaVM compiles a static field, and the module has no static data (its
     * state block and first heap sit where TeaVM's static area was, see {@link MemoryLayout}).
     * Checked on the stripped module with everything unreachable removed and nothing else
     * optimised, so no constant has been folded into an address yet.
     */
    private static void checkNoStaticFields(File stripped, File reachable, String name) throws BuildException {
        List<String> args = new ArrayList<>(List.of("--remove-unused-module-elements"));
        args.addAll(WASM_OPT_FEATURES);
        args.addAll(List.of(stripped.getPath(), "-o", reachable.getPath()));
        ExternalTool.WASM_OPT.run(args.toArray(new String[0]));
        List<Long> addresses = constantAddresses(ExternalTool.WASM2WAT.run("--fold-exprs", reachable.getPath()));
        if (!addresses.isEmpty()) {
            throw new BuildException(name + ": code reachable from the exports accesses memory at the constant"
                    + " addresses " + addresses + ": a static field? The module keeps no static data, and its"
                    + " allocator's state lives where TeaVM's static area was");
        }
    }

    /** The constant addresses (offset included) of the loads and stores in folded module text. */
    static List<Long> constantAddresses(String foldedWat) {
        List<Long> found = new ArrayList<>();
        Matcher m = CONSTANT_ADDRESS.matcher(foldedWat);
        while (m.find()) {
            long offset = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
            found.add(offset + Integer.toUnsignedLong(Integer.parseInt(m.group(2))));
        }
        return found;
    }

    /** {@code memory.grow 0}, TeaVM's only way to read the memory size ({@code talc.wasm.WasmMem#pages}). */
    private static final Pattern GROW_ZERO = Pattern.compile("i32\\.const 0\\s+memory\\.grow\\b");

    /**
     * Rewrites {@code memory.grow 0} into {@code memory.size}: the same result, but a grow, even
     * by 0, makes JavaScript hosts replace {@code memory.buffer}, detaching every view of it, and
     * the checked build reads the memory size on every {@code free}.
     */
    private static String withMemorySize(String func) {
        return GROW_ZERO.matcher(func).replaceAll("memory.size");
    }

    /**
     * Rewrites the marker accesses of {@link GlobalIntrinsic} in a function into the globals (only
     * the linked module reads the heap base, which it imports; in any other a marker is left over
     * and fails the build).
     */
    private static String withGlobals(String func, boolean linked) {
        String loads = HANDLE_LOAD.matcher(func).replaceAll("global.get \\$talc_handle");
        if (linked) {
            loads = HEAP_BASE_LOAD.matcher(loads).replaceAll("global.get \\$heap_base");
        }
        return HANDLE_STORE.matcher(loads).replaceAll("$1 global.set \\$talc_handle");
    }

    /** The intermediate (TeaVM output minus runtime exports, start and data) before wasm-opt. */
    static File strippedFile(Variant.Output output, File workDir) {
        return new File(workDir, baseName(new File(output.fileName())) + ".stripped.wasm");
    }

    private static boolean keepExport(String field, List<String> extraExports, boolean importedMemory) {
        try {
            String name = WatModule.exportName(field);
            return FUNCTION_EXPORTS.contains(name) || (MEMORY_EXPORT.equals(name) && !importedMemory)
                    || extraExports.contains(name);
        } catch (BuildException e) {
            // Unreadable exports were already rejected by inspect(); drop rather than keep.
            return false;
        }
    }

    private static String baseName(File file) {
        String name = file.getName();
        return name.endsWith(".wasm") ? name.substring(0, name.length() - ".wasm".length()) : name;
    }

    private static String read(File file) throws BuildException {
        try {
            return Files.readString(file.toPath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BuildException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(File file, String text) throws BuildException {
        try {
            Files.writeString(file.toPath(), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BuildException("writing " + file + ": " + e.getMessage(), e);
        }
    }
}
