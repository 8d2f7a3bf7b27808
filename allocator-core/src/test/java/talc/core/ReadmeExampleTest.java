package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core's JVM example of README.md, line for line, so the README stays true:
 * {@link #theReadmesJavaBlocksAreInThisTest} checks that every line of the {@code java} block
 * of its section "Using the core on the JVM" appears here, in order.
 */
class ReadmeExampleTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path THIS_SOURCE = Path.of("src", "test", "java", "talc", "core", "ReadmeExampleTest.java");
    private static final String SECTION = "## Using the core on the JVM";

    @Test
    void readmeExampleRuns() {
        Mem.reset(16, 16);                      // a 1 MiB simulated memory, 16 pages, max 16
        int t = Talc.init(64);                  // state block at address 64
        Talc.claim(t, 4096, 60_000);            // one heap
        int p = Talc.malloc(t, 100);            // 16-aligned, or 0
        p = Talc.realloc(t, p, 1000);
        Talc.free(t, p);
        int live = Counters.allocationCount(t); // with counters on

        assertNotEquals(0, p);
        assertEquals(0, live);
    }

    @Test
    void theReadmesJavaBlocksAreInThisTest() throws IOException {
        List<String> readme = Files.readAllLines(README);
        List<String> source = Files.readAllLines(THIS_SOURCE).stream().map(String::strip).toList();
        int blocks = 0;
        boolean inSection = false;
        List<String> block = null;
        for (String line : readme) {
            if (line.startsWith("## ")) {
                inSection = line.equals(SECTION);
            } else if (inSection && line.equals("```java")) {
                block = new ArrayList<>();
            } else if (block != null && line.equals("```")) {
                assertInOrder(block, source);
                blocks++;
                block = null;
            } else if (block != null) {
                block.add(line.strip());
            }
        }
        assertEquals(1, blocks, "java blocks in the README's section");
    }

    private static void assertInOrder(List<String> block, List<String> source) {
        int at = 0;
        for (String line : block) {
            while (at < source.size() && !source.get(at).equals(line)) {
                at++;
            }
            assertFalse(at == source.size(), "README line not in ReadmeExampleTest (in order): " + line);
            at++;
        }
    }
}
