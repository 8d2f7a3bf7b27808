package talc.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the core with Jazzer: arbitrary bytes decoded into operation
 * sequences on one allocator ({@link AllocatorFuzzTarget} has the format and the oracle).
 *
 * <ul>
 *   <li>{@code mvn test} (CI): {@link #fuzz} replays the committed corpus,
 *       {@code src/test/resources/talc/core/AllocatorFuzzTestInputs/fuzz/} (the seeds from
 *       {@link FuzzSeeds} and every crash ever found), and {@link #mutatedCorpusAndRandomInputs}
 *       runs a fixed number of deterministic mutations of it: bounded, reproducible fuzzing
 *       without instrumentation.</li>
 *   <li>{@code scripts/fuzz [seconds]} (or {@code JAZZER_FUZZ=1 mvn -pl allocator-core test
 *       -Dtest=AllocatorFuzzTest#fuzz}): coverage-guided fuzzing with libFuzzer. New coverage goes
 *       to {@code allocator-core/.cifuzz-corpus/}; a crashing input is written into the
 *       committed corpus directory, so it becomes a regression input of the plain test run.</li>
 * </ul>
 */
class AllocatorFuzzTest {
    /** Mutated inputs run by the bounded CI fuzzing. */
    private static final int MUTANTS = 4000;
    /** Mutated inputs of the corruption mode (each call compares memory before and after: slower). */
    private static final int CORRUPTING_MUTANTS = 1000;

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] data) {
        AllocatorFuzzTarget.run(data);
    }

    /** The corruption mode: a checked allocator whose heaps the input writes over (see {@link AllocatorFuzzTarget#runCorrupting}). */
    @FuzzTest(maxDuration = "10m")
    void fuzzCorrupting(byte[] data) {
        AllocatorFuzzTarget.runCorrupting(data);
    }

    @Test
    void committedCorporaHoldEverySeed() throws IOException {
        expectSeeds(FuzzSeeds.CORPUS_DIR, FuzzSeeds.seeds());
        expectSeeds(FuzzSeeds.CORRUPTING_CORPUS_DIR, FuzzSeeds.corruptionSeeds());
    }

    private static void expectSeeds(String corpus, Map<String, byte[]> seeds) throws IOException {
        Path dir = Paths.get(corpus);
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Path file = dir.resolve(e.getKey());
            assertTrue(Files.exists(file), file + " is missing: regenerate the corpus (see FuzzSeeds)");
            assertArrayEquals(e.getValue(), Files.readAllBytes(file), file + " is stale: regenerate the corpus (see FuzzSeeds)");
        }
    }

    @Test
    void mutatedCorpusAndRandomInputs() throws IOException {
        long ops = runMutants(FuzzSeeds.CORPUS_DIR, 60, MUTANTS, 0x7A1C_F022L, AllocatorFuzzTarget::run);
        System.out.printf("fuzz: %d mutated and random inputs, %d operations%n", MUTANTS, ops);
    }

    @Test
    void mutatedCorruptingCorpusAndRandomInputs() throws IOException {
        long ops = runMutants(FuzzSeeds.CORRUPTING_CORPUS_DIR, 15, CORRUPTING_MUTANTS, 0xC0AA_F022L, AllocatorFuzzTarget::runCorrupting);
        System.out.printf("fuzz, corruption mode: %d mutated and random inputs, %d operations%n", CORRUPTING_MUTANTS, ops);
    }

    /** Runs {@code count} deterministic mutants of the corpus in {@code corpusDir} (and random inputs) through {@code target}. */
    private static long runMutants(String corpusDir, int seeds, int count, long seed, ToIntFunction<byte[]> target) throws IOException {
        List<byte[]> corpus = new ArrayList<>();
        try (Stream<Path> files = Files.list(Paths.get(corpusDir))) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                corpus.add(Files.readAllBytes(p));
            }
        }
        assertTrue(corpus.size() >= seeds, "the corpus has its seeds");
        Random rnd = new Random(seed);
        long ops = 0;
        for (int i = 0; i < count; i++) {
            byte[] input = i % 10 == 9 ? randomInput(rnd) : mutate(corpus.get(rnd.nextInt(corpus.size())), corpus, rnd);
            try {
                ops += target.applyAsInt(input);
            } catch (AssertionError e) {
                Path saved = save(input, "mutant-" + i);
                throw new AssertionError("mutant " + i + " failed; input saved to " + saved
                        + " (copy it into " + corpusDir + " to replay it): " + e.getMessage(), e);
            }
        }
        return ops;
    }

    @AfterAll
    static void report() {
        System.out.printf("fuzz: %d operations in all, %d calls returned 0; corruption mode: %d bytes of damage, %d calls reported it%n",
                AllocatorFuzzTarget.totalOps, AllocatorFuzzTarget.totalFailures, AllocatorFuzzTarget.totalDamage,
                AllocatorFuzzTarget.totalReports);
    }

    private static byte[] randomInput(Random rnd) {
        byte[] b = new byte[rnd.nextInt(2048)];
        rnd.nextBytes(b);
        return b;
    }

    /** libFuzzer-like mutations: bit flips, byte changes, inserts, deletes, duplication, splicing, a new configuration. */
    static byte[] mutate(byte[] seed, List<byte[]> corpus, Random rnd) {
        List<Byte> b = new ArrayList<>(seed.length + 64);
        for (byte x : seed) {
            b.add(x);
        }
        int n = 1 + rnd.nextInt(8);
        for (int k = 0; k < n; k++) {
            int size = b.size();
            switch (rnd.nextInt(8)) {
                case 0:
                    if (size > 0) {
                        int i = rnd.nextInt(size);
                        b.set(i, (byte) (b.get(i) ^ 1 << rnd.nextInt(8)));
                    }
                    break;
                case 1:
                    if (size > 0) {
                        b.set(rnd.nextInt(size), (byte) rnd.nextInt(256));
                    }
                    break;
                case 2: {
                    int at = rnd.nextInt(size + 1);
                    for (int j = rnd.nextInt(16); j >= 0; j--) {
                        b.add(at, (byte) rnd.nextInt(256));
                    }
                    break;
                }
                case 3:
                    if (size > 2) {
                        int from = 2 + rnd.nextInt(size - 2);
                        int len = Math.min(size - from, 1 + rnd.nextInt(32));
                        b.subList(from, from + len).clear();
                    }
                    break;
                case 4:
                    if (size > 2) {
                        int from = 2 + rnd.nextInt(size - 2);
                        int len = Math.min(size - from, 1 + rnd.nextInt(64));
                        b.addAll(rnd.nextInt(size + 1), new ArrayList<>(b.subList(from, from + len)));
                    }
                    break;
                case 5: {
                    byte[] other = corpus.get(rnd.nextInt(corpus.size()));
                    if (other.length > 2) {
                        int from = 2 + rnd.nextInt(other.length - 2);
                        int len = Math.min(other.length - from, 1 + rnd.nextInt(128));
                        int at = Math.min(size, 2 + rnd.nextInt(size + 1));
                        for (int j = len - 1; j >= 0; j--) {
                            b.add(at, other[from + j]);
                        }
                    }
                    break;
                }
                case 6:
                    if (size > 0) {
                        b.set(0, (byte) rnd.nextInt(256));
                    }
                    break;
                default:
                    if (size > 8) {
                        b.subList(2 + rnd.nextInt(size - 2), b.size()).clear();
                    }
                    break;
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    private static Path save(byte[] input, String name) {
        try {
            Path dir = Paths.get("target", "fuzz-failures");
            Files.createDirectories(dir);
            Path file = dir.resolve(name);
            Files.write(file, input);
            return file.toAbsolutePath();
        } catch (IOException e) {
            return Paths.get("(not saved: " + e.getMessage() + ")");
        }
    }
}
