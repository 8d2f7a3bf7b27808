package talc.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The JVM twin and the wasm twin of each swap point (docs/swap-points.md) have the same public
 * static methods, name, parameters and result, apart from the JVM twin's JVM-only helpers listed
 * here: TeaVM compiles the wasm twin in place of the JVM one, so a method that one has and the
 * other lacks either fails the wasm build or is an untested difference.
 */
class TwinSignaturesTest {
    /** The JVM twins' helpers for tests and the JVM library, which the algorithm never calls. */
    private static final Set<String> JVM_ONLY = Set.of(
            "talc.core.Mem.reset(int,int)", "talc.core.Mem.setMaxPages(int)", "talc.core.Mem.accesses()",
            "talc.core.Mem.growCalls()", "talc.core.Mem.setAccessBudget(long)",
            "talc.core.Features.configure(boolean,boolean,boolean,boolean,boolean)",
            "talc.core.Features.setTruncation(boolean)", "talc.core.Features.setRegionLimit(boolean)",
            "talc.core.Features.reset()",
            "talc.core.Report.setHandler(talc.core.Report$Handler)");

    @ParameterizedTest
    @CsvSource({
        "talc.core.Mem, talc.wasm.WasmMem",
        "talc.core.Features, talc.wasm.WasmFeatures",
        "talc.core.Report, talc.wasm.WasmReport",
    })
    void theTwinsHaveTheSamePublicStaticMethods(String jvm, String wasm) throws ClassNotFoundException {
        Set<String> jvmMethods = publicStatics(Class.forName(jvm));
        jvmMethods.removeIf(m -> JVM_ONLY.contains(jvm + "." + m.substring(m.indexOf(' ') + 1)));
        assertEquals(jvmMethods, publicStatics(Class.forName(wasm)));
    }

    /** "result name(parameters)" of each public static method. */
    private static Set<String> publicStatics(Class<?> c) {
        return Arrays.stream(c.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .map(TwinSignaturesTest::signature)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String signature(Method m) {
        return m.getReturnType().getName() + " " + m.getName() + "("
                + Arrays.stream(m.getParameterTypes()).map(Class::getName).collect(Collectors.joining(",")) + ")";
    }
}
