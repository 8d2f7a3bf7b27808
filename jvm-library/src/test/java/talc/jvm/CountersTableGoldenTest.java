package talc.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link CountersSnapshot#toString()} renders every case of the golden file
 * {@code counters-tables.txt} exactly. The same file is the expectation of the npm package's
 * {@code formatCounters} (wasm-tests/test/counters-table.test.mjs), so the JVM's table and the
 * one wasm users get are one format. The file's header describes its format.
 */
class CountersTableGoldenTest {
    /** The golden file, a resource beside this class. */
    static final String GOLDEN = "counters-tables.txt";
    private static final String CASE = "== ";
    private static final String TABLE_LINE = "> ";
    private static final String COMMENT = "#";
    private static final String ASSIGN = " = ";

    /** One case of the golden file: its counters by name and the expected text. */
    record Case(String name, Map<String, Long> counters, String table) {
    }

    @TestFactory
    List<DynamicTest> everyGoldenCaseRendersExactly() throws IOException {
        List<Case> cases = read();
        assertFalse(cases.isEmpty(), GOLDEN + " has cases");
        return cases.stream().map((c) -> DynamicTest.dynamicTest(c.name(),
                () -> assertEquals(c.table(), snapshot(c).toString()))).toList();
    }

    /** The snapshot of a case: its values passed to the canonical constructor, by component name. */
    private static CountersSnapshot snapshot(Case c) throws ReflectiveOperationException {
        RecordComponent[] components = CountersSnapshot.class.getRecordComponents();
        assertEquals(Arrays.stream(components).map(RecordComponent::getName).sorted().toList(),
                c.counters().keySet().stream().sorted().toList(),
                c.name() + ": the case names exactly the counters of CountersSnapshot");
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            long value = c.counters().get(components[i].getName());
            types[i] = components[i].getType();
            args[i] = types[i] == int.class ? (Object) Math.toIntExact(value) : (Object) value;
        }
        Constructor<CountersSnapshot> canonical = CountersSnapshot.class.getDeclaredConstructor(types);
        return canonical.newInstance(args);
    }

    /** The cases of the golden file, in order. */
    static List<Case> read() throws IOException {
        String text;
        try (InputStream in = CountersTableGoldenTest.class.getResourceAsStream(GOLDEN)) {
            assertNotNull(in, GOLDEN + " is on the test class path");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> cases = new ArrayList<>();
        String name = null;
        Map<String, Long> counters = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank() || line.startsWith(COMMENT)) {
                continue;
            }
            if (line.startsWith(CASE)) {
                if (name != null) {
                    cases.add(new Case(name, counters, table.toString()));
                }
                name = line.substring(CASE.length());
                counters = new LinkedHashMap<>();
                table = new StringBuilder();
            } else if (line.startsWith(TABLE_LINE)) {
                table.append(line, TABLE_LINE.length(), line.length()).append('\n');
            } else if (line.contains(ASSIGN)) {
                int at = line.indexOf(ASSIGN);
                counters.put(line.substring(0, at).trim(), Long.parseLong(line.substring(at + ASSIGN.length()).trim()));
            } else {
                throw new IllegalArgumentException(GOLDEN + ": unexpected line '" + line + "'");
            }
        }
        if (name != null) {
            cases.add(new Case(name, counters, table.toString()));
        }
        return cases;
    }
}
