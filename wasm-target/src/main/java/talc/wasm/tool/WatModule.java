package talc.wasm.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text format of a module as a list of its top-level fields ({@code type}, {@code func},
 * {@code memory}, {@code export}, {@code start}, {@code data}, ...), for the few edits the
 * post-processing makes.
 *
 * <p>The fields are found by matching parentheses, skipping strings and comments, rather than by
 * lines: {@code wasm2wat} prints most fields on one line, but the last one shares its line with
 * the module's closing parenthesis, and data strings may contain any byte. Field bodies are kept
 * verbatim, so whatever is not edited reaches {@code wat2wasm} exactly as {@code wasm2wat} wrote
 * it.
 */
final class WatModule {
    private static final Pattern EXPORT = Pattern.compile("^\\(export\\s+\"([^\"\\\\]*)\"\\s+\\((\\w+)\\s");

    private final List<String> fields;

    private WatModule(List<String> fields) {
        this.fields = fields;
    }

    /** Splits {@code text}, a single {@code (module ...)} as printed by wasm2wat, into fields. */
    static WatModule parse(String text) throws BuildException {
        int i = skipBlank(text, 0);
        if (!text.startsWith("(module", i)) {
            throw new BuildException("wasm2wat output does not start with (module");
        }
        i += "(module".length();
        List<String> fields = new ArrayList<>();
        while (true) {
            i = skipBlank(text, i);
            if (i >= text.length()) {
                throw new BuildException("wasm2wat output ends inside the module");
            }
            char c = text.charAt(i);
            if (c == ')') {
                break;
            }
            if (c != '(') {
                throw new BuildException("unexpected text at module level, offset " + i + ": "
                        + text.substring(i, Math.min(text.length(), i + 40)));
            }
            int end = skipList(text, i);
            fields.add(text.substring(i, end));
            i = end;
        }
        return new WatModule(fields);
    }

    /** The field's keyword: {@code func} for {@code (func (;3;) ...)}. */
    static String kind(String field) {
        int end = 1;
        while (end < field.length() && !Character.isWhitespace(field.charAt(end))
                && field.charAt(end) != '(' && field.charAt(end) != ')') {
            end++;
        }
        return field.substring(1, end);
    }

    /** The exported name of an {@code export} field. */
    static String exportName(String field) throws BuildException {
        return exportMatch(field).group(1);
    }

    /** What an {@code export} field exports: {@code func}, {@code memory}, ... */
    static String exportKind(String field) throws BuildException {
        return exportMatch(field).group(2);
    }

    private static Matcher exportMatch(String field) throws BuildException {
        Matcher m = EXPORT.matcher(field);
        if (!m.find()) {
            throw new BuildException("cannot read export field: " + field);
        }
        return m;
    }

    /** All fields of one kind, in module order. */
    List<String> fieldsOf(String kind) {
        List<String> result = new ArrayList<>();
        for (String field : fields) {
            if (kind(field).equals(kind)) {
                result.add(field);
            }
        }
        return result;
    }

    /**
     * A copy in which every field is passed through {@code edit}; a {@code null} result deletes
     * the field.
     */
    WatModule map(UnaryOperator<String> edit) {
        List<String> result = new ArrayList<>();
        for (String field : fields) {
            String edited = edit.apply(field);
            if (edited != null) {
                result.add(edited);
            }
        }
        return new WatModule(result);
    }

    /** A copy with {@code field} added before all others. */
    WatModule withFirst(String field) {
        List<String> result = new ArrayList<>();
        result.add(field);
        result.addAll(fields);
        return new WatModule(result);
    }

    /** The module as text for wat2wasm. */
    String render() {
        StringBuilder sb = new StringBuilder("(module\n");
        for (String field : fields) {
            sb.append("  ").append(field).append('\n');
        }
        return sb.append(")\n").toString();
    }

    /** Index just past the list that opens at {@code start}, skipping nested lists, strings and comments. */
    private static int skipList(String text, int start) throws BuildException {
        int depth = 0;
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                i = skipString(text, i);
            } else if (text.startsWith("(;", i)) {
                i = skipBlockComment(text, i);
            } else if (text.startsWith(";;", i)) {
                i = skipLineComment(text, i);
            } else {
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                i++;
            }
        }
        throw new BuildException("unbalanced parentheses in wasm2wat output from offset " + start);
    }

    private static int skipString(String text, int start) throws BuildException {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new BuildException("unterminated string in wasm2wat output at offset " + start);
    }

    /** Block comments nest in the text format. */
    private static int skipBlockComment(String text, int start) throws BuildException {
        int depth = 0;
        int i = start;
        while (i < text.length()) {
            if (text.startsWith("(;", i)) {
                depth++;
                i += 2;
            } else if (text.startsWith(";)", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw new BuildException("unterminated block comment in wasm2wat output at offset " + start);
    }

    private static int skipLineComment(String text, int start) {
        int newline = text.indexOf('\n', start);
        return newline < 0 ? text.length() : newline + 1;
    }

    private static int skipBlank(String text, int start) throws BuildException {
        int i = start;
        while (i < text.length()) {
            if (Character.isWhitespace(text.charAt(i))) {
                i++;
            } else if (text.startsWith(";;", i)) {
                i = skipLineComment(text, i);
            } else if (text.startsWith("(;", i)) {
                i = skipBlockComment(text, i);
            } else {
                break;
            }
        }
        return i;
    }
}
