package talc.wasm.build;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One build of the allocator: a set of feature values and the module files made from it.
 *
 * <p>A variant is compiled by TeaVM once and post-processed once per {@link Output}; the outputs
 * differ only in the declared memory maximum. Adding a variant (issue: "variants") is adding an
 * entry to {@link #ALL} with different {@link #features}; nothing else in the build changes.
 *
 * @param name     base name: TeaVM's raw output is {@code <name>.wasm} in the TeaVM directory
 * @param features feature switches overriding the constants of {@code talc.wasm.WasmFeatures},
 *                 by method name; empty for the default build
 * @param outputs  the post-processed modules to write
 */
record Variant(String name, Map<String, Boolean> features, List<Output> outputs) {
    /** The method names of {@code talc.core.Features} a variant may set. */
    static final Set<String> FEATURE_NAMES = Set.of("wasmBinning", "counters", "growInPlace", "reallocInPlace");

    /** Maximum for the OOM-test build: 256 pages of 64 KiB = 16 MiB. */
    static final int TEST_MAX_PAGES = 256;

    /** The default module and its memory-capped twin used by the OOM tests. */
    static final Variant DEFAULT = new Variant("talc", Map.of(), List.of(
            new Output("talc.wasm", Output.NO_MAXIMUM),
            new Output("talc-max256.wasm", TEST_MAX_PAGES)));

    /** Every variant the build produces. */
    static final List<Variant> ALL = List.of(DEFAULT);

    /** The same variant under another name (another raw output file). */
    Variant renamed(String newName) {
        return new Variant(newName, features, outputs);
    }

    Variant {
        for (String feature : features.keySet()) {
            if (!FEATURE_NAMES.contains(feature)) {
                throw new IllegalArgumentException("variant " + name + ": unknown feature " + feature
                        + " (known: " + FEATURE_NAMES + ")");
            }
        }
        features = Map.copyOf(features);
        outputs = List.copyOf(outputs);
    }

    /**
     * One module file of a variant.
     *
     * @param fileName name in the output directory
     * @param maxPages declared memory maximum in 64 KiB pages, or {@link #NO_MAXIMUM}
     */
    record Output(String fileName, int maxPages) {
        /** No declared maximum: the memory may grow to the 4 GiB wasm32 limit. */
        static final int NO_MAXIMUM = -1;

        boolean hasMaximum() {
            return maxPages != NO_MAXIMUM;
        }
    }
}
