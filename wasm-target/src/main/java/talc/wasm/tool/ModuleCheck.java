package talc.wasm.tool;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The properties a finished module must have, checked with wabt so that a regression in TeaVM,
 * the core or the post-processing fails the build instead of shipping.
 *
 * <ul>
 *   <li>valid ({@code wasm-validate});</li>
 *   <li>no imports (the imported-memory variants: only {@code env.memory}, and the linked one
 *       {@code env.__heap_base}; the checked variant: only its report hook
 *       {@code env.talc_report}): anything the core
 *       does that needs TeaVM's runtime (exceptions, strings, objects) shows up as an import of
 *       {@code teavm.*} that wasm-opt could not remove;</li>
 *   <li>exactly the C ABI functions, the variant's extra exports and {@code memory} exported;</li>
 *   <li>no data, so the module works from a zero-filled memory, and a start function exactly
 *       when the module owns its memory (it boots the allocator there; an imported memory is
 *       booted by {@code talc_init});</li>
 *   <li>the memory declared as intended;</li>
 *   <li>no {@code call_indirect}: the core has no virtual calls, and one would mean TeaVM
 *       dispatch (and its class metadata, which was dropped with the data) survived.</li>
 * </ul>
 * All failures of a module are reported together.
 */
final class ModuleCheck {
    private static final Pattern CALL_INDIRECT = Pattern.compile("\\bcall_indirect\\b");

    private ModuleCheck() {
    }

    static void verify(File module, Variant variant, Variant.Output output, int initialPages) throws BuildException {
        ExternalTool.WASM_VALIDATE.run(module.getPath());
        ModuleDetails details = ModuleDetails.of(module);
        List<String> failures = new ArrayList<>();

        List<String> imports = details.lines("Import");
        List<String> expectedImports = new ArrayList<>();
        if (variant.importedMemory()) {
            expectedImports.add(" memory[ <- " + PostProcess.IMPORTED_MEMORY_MODULE + "." + PostProcess.MEMORY_EXPORT);
        }
        if (variant.memory() == Variant.Memory.LINKED) {
            expectedImports.add(" global[ <- " + Variant.HEAP_BASE_IMPORT);
        }
        if (variant.checked()) {
            expectedImports.add(" func[ <- " + Variant.REPORT_IMPORT);
        }
        boolean importsAsExpected = imports.size() == expectedImports.size();
        for (String wanted : expectedImports) {
            String kind = wanted.substring(0, wanted.indexOf('[') + 1);
            String source = wanted.substring(wanted.indexOf("<-"));
            importsAsExpected &= imports.stream().anyMatch(line -> line.contains(kind) && line.endsWith(source));
        }
        if (!importsAsExpected) {
            failures.add("imports " + imports + ", expected " + (expectedImports.isEmpty() ? "none" : expectedImports));
        }
        Set<String> expected = new TreeSet<>();
        for (String name : PostProcess.FUNCTION_EXPORTS) {
            expected.add("func " + name);
        }
        for (String name : variant.extraExports()) {
            expected.add("func " + name);
        }
        if (!variant.importedMemory()) {
            expected.add("memory " + PostProcess.MEMORY_EXPORT);
        }
        Set<String> actual = new TreeSet<>(details.exports());
        if (!actual.equals(expected)) {
            failures.add("exports " + actual + ", expected " + expected);
        }
        if (details.has("Start") == variant.importedMemory()) {
            failures.add(variant.importedMemory() ? "has a start function" : "has no start function");
        }
        if (details.has("Data") || details.has("DataCount")) {
            failures.add("has data segments " + details.lines("Data"));
        }
        if (details.memoryInitialPages() != initialPages) {
            failures.add("memory has " + details.memoryInitialPages() + " initial pages, expected " + initialPages);
        }
        if (details.memoryMaxPages() != output.maxPages()) {
            failures.add("memory maximum is " + describeMax(details.memoryMaxPages())
                    + ", expected " + describeMax(output.maxPages()));
        }
        String text = ExternalTool.WASM2WAT.run(module.getPath());
        if (CALL_INDIRECT.matcher(text).find()) {
            failures.add("contains call_indirect");
        }

        if (!failures.isEmpty()) {
            throw new BuildException(module + " failed its checks:\n  - " + String.join("\n  - ", failures));
        }
    }

    private static String describeMax(int pages) {
        return pages == Variant.Output.NO_MAXIMUM ? "none" : pages + " pages";
    }
}
