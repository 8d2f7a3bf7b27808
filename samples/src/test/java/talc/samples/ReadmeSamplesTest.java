package talc.samples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * README.md's Java sections are what the sample projects do, word for word: every code block of
 * the section is a run of consecutive lines of one of the sample's files (up to one common
 * indentation). The integration-test phase then builds and runs the samples.
 */
class ReadmeSamplesTest {
    private static final Path README = Path.of("..", "README.md");

    @ParameterizedTest
    @CsvSource({
        "## The JVM library, jvm-program",
        "## Using the allocator inside a TeaVM app, teavm-app",
    })
    void everyBlockOfTheSectionIsInTheSample(String section, String sample) throws IOException {
        List<List<String>> files = sampleFiles(Path.of(sample));
        List<List<String>> blocks = blocks(Files.readAllLines(README), section);
        assertFalse(blocks.isEmpty(), "README.md has code in " + section);
        for (List<String> block : blocks) {
            assertTrue(files.stream().anyMatch(f -> quotes(f, block)),
                    "not a verbatim part of samples/" + sample + ":\n" + String.join("\n", block));
        }
    }

    /** The lines of every source file of the sample (its pom, sources and scripts; not its build output). */
    private static List<List<String>> sampleFiles(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile)
                    .filter(p -> !dir.relativize(p).startsWith("target"))
                    .map(p -> {
                        try {
                            return Files.readAllLines(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    /** The fenced code blocks of the README section that starts with {@code heading}. */
    private static List<List<String>> blocks(List<String> readme, String heading) {
        List<List<String>> blocks = new ArrayList<>();
        boolean inSection = false;
        List<String> block = null;
        for (String line : readme) {
            if (block == null && line.startsWith("## ")) {
                inSection = line.equals(heading);
            } else if (inSection && block == null && line.startsWith("```") && line.length() > 3) {
                block = new ArrayList<>();
            } else if (block != null && line.equals("```")) {
                blocks.add(block);
                block = null;
            } else if (block != null) {
                block.add(line);
            }
        }
        return blocks;
    }

    /** Whether {@code want} occurs in {@code src} as consecutive lines, shifted by one common indentation. */
    private static boolean quotes(List<String> src, List<String> want) {
        for (int i = 0; i + want.size() <= src.size(); i++) {
            int shift = indent(src.get(i)) - indent(want.get(0));
            if (shift < 0) {
                continue;
            }
            boolean all = true;
            for (int j = 0; j < want.size() && all; j++) {
                String w = want.get(j);
                String s = src.get(i + j);
                all = w.isEmpty() ? s.isBlank() : s.equals(" ".repeat(shift) + w);
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }
}
