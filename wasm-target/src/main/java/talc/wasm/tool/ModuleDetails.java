package talc.wasm.tool;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sections of a binary module as {@code wasm-objdump -x} lists them: the section name
 * ({@code Import}, {@code Export}, {@code Memory}, {@code Start}, {@code Data}, ...) mapped to its
 * detail lines.
 *
 * <p>Reading wabt's listing instead of parsing the binary here keeps the checks independent of
 * this build's own code: the tool that reports a module is a different one from the tools that
 * wrote it.
 */
final class ModuleDetails {
    /** A section header line: {@code Export[7]:} or {@code Start:}. */
    private static final Pattern HEADER = Pattern.compile("^([A-Za-z]+)(?:\\[\\d+\\])?:\\s*$");
    /** An export line: {@code  - func[1] <malloc> -> "malloc"}. */
    private static final Pattern EXPORT = Pattern.compile("^ - (\\w+)\\[\\d+\\].*-> \"([^\"]*)\"$");
    /** A memory line: {@code  - memory[0] pages: initial=1 max=256}. */
    private static final Pattern MEMORY = Pattern.compile("^ - memory\\[\\d+\\] pages: initial=(\\d+)(?: max=(\\d+))?");

    private final Map<String, List<String>> sections;

    private ModuleDetails(Map<String, List<String>> sections) {
        this.sections = sections;
    }

    static ModuleDetails of(File module) throws BuildException {
        String listing = ExternalTool.WASM_OBJDUMP.run("-x", module.getPath());
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : listing.split("\n")) {
            Matcher header = HEADER.matcher(line);
            if (header.matches() && !line.startsWith(" ")) {
                current = new ArrayList<>();
                sections.put(header.group(1), current);
            } else if (current != null && line.startsWith(" - ")) {
                current.add(line);
            }
        }
        return new ModuleDetails(sections);
    }

    boolean has(String section) {
        return sections.containsKey(section);
    }

    List<String> lines(String section) {
        return sections.getOrDefault(section, List.of());
    }

    /** Exports as {@code "kind name"} strings, e.g. {@code "func malloc"}, {@code "memory memory"}. */
    List<String> exports() throws BuildException {
        List<String> result = new ArrayList<>();
        for (String line : lines("Export")) {
            Matcher m = EXPORT.matcher(line);
            if (!m.find()) {
                throw new BuildException("cannot read wasm-objdump export line: " + line);
            }
            result.add(m.group(1) + " " + m.group(2));
        }
        return result;
    }

    /** Declared initial pages of the only memory; fails if there is not exactly one. */
    int memoryInitialPages() throws BuildException {
        return Integer.parseInt(memory().group(1));
    }

    /** Declared maximum pages of the only memory, or {@link Variant.Output#NO_MAXIMUM}. */
    int memoryMaxPages() throws BuildException {
        String max = memory().group(2);
        return max == null ? Variant.Output.NO_MAXIMUM : Integer.parseInt(max);
    }

    private Matcher memory() throws BuildException {
        List<String> memories = new ArrayList<>(lines("Memory"));
        for (String line : lines("Import")) {
            if (line.contains(" memory[")) {
                memories.add(line);
            }
        }
        if (memories.size() != 1) {
            throw new BuildException("expected exactly one memory, found " + memories.size());
        }
        Matcher m = MEMORY.matcher(memories.get(0));
        if (!m.find()) {
            throw new BuildException("cannot read wasm-objdump memory line: " + memories.get(0));
        }
        return m;
    }
}
