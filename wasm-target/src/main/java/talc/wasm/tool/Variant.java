package talc.wasm.tool;

import java.util.List;
import java.util.Map;
import java.util.Set;
import talc.core.Source;

/**
 * One build of the allocator: feature values fixed at compile time, and the module files made
 * from it. Every variant exports the same C ABI with the same semantics; the features change
 * what is compiled in, so the code that a feature turns off is not in that module.
 *
 * <p>A variant is compiled by TeaVM once and post-processed once per {@link Output}; the outputs
 * differ only in the declared memory maximum. Adding a variant is adding an entry to {@link #ALL}.
 *
 * @param name         base name: TeaVM's raw output is {@code <name>.wasm} in the TeaVM directory
 * @param purpose      one line for people choosing a module (build summary, variants.json)
 * @param features     values overriding the constants of {@code talc.wasm.WasmFeatures}, by
 *                     method name ({@code true}/{@code false}, or a number for {@code source})
 * @param extraExports function exports beyond the C ABI that this variant keeps
 * @param minPages     least initial memory in pages: the arena's size for an arena variant
 * @param memory       whose memory the module works in, and how its allocator starts
 * @param outputs      the post-processed modules to write
 * @param inlining     {@code wasm-opt} options added to {@link PostProcess#WASM_OPT_PASSES} for this
 *                     variant: how much more to inline (speed for bytes); empty for the default
 */
record Variant(String name, String purpose, Map<String, String> features, List<String> extraExports,
               int minPages, Memory memory, List<Output> outputs, List<String> inlining) {
    /** The method names of {@code talc.core.Features} a variant may set. */
    static final Set<String> FEATURE_NAMES = Set.of("wasmBinning", "counters", "growInPlace", "reallocInPlace", "checked", "speed",
            "source");

    /** Maximum for the OOM-test builds: 256 pages of 64 KiB = 16 MiB. */
    static final int TEST_MAX_PAGES = 256;
    /** The arena variant's memory: 16 MiB, all of it served, never grown. */
    static final int ARENA_PAGES = 256;
    /** The counters variant's export: the address of the counter block in the state block. */
    static final String COUNTERS_EXPORT = "talc_counters";
    /**
     * The fast variant's inlining: every function of up to 400 bytes of code where it is called
     * from more than one place, and up to 40 always (why these flags: docs/design.md, "wasm-opt
     * flags of talc-fast").
     */
    static final List<String> FAST_INLINING = List.of("--flexible-inline-max-function-size=400",
            "--always-inline-max-function-size=40");
    /** The imported-memory variant's export: {@code talc_init(start, limit)}. */
    static final String INIT_EXPORT = "talc_init";
    /** The checked variant's exports: the whole-heap check, the heap walk, and the bin of a size. */
    static final List<String> CHECKED_EXPORTS = List.of("talc_check", "talc_walk", "talc_bin");
    /** What the checked variant imports: the hook misuse is reported to ({@code module.name}). */
    static final String REPORT_IMPORT = "env.talc_report";
    /**
     * What the linked variant imports besides its memory: the global that lld exports as the end
     * of a module's data and stack ({@code module.name}); {@code talc-wasm link} points it at the
     * app's own.
     */
    static final String HEAP_BASE_IMPORT = "env.__heap_base";

    /** Whose memory a module works in, and how its allocator starts. */
    enum Memory {
        /** Its own memory: the start function boots the allocator in the initial pages. */
        OWN,
        /** An imported {@code env.memory}: {@code talc_init(start, limit)} boots it in that region. */
        REGION,
        /**
         * An imported {@code env.memory} and {@link #HEAP_BASE_IMPORT}: the first call boots the
         * allocator above {@code __heap_base}, so that the module can be merged into the module
         * whose memory it is (wasm-merge) and serve that module's {@code malloc} with no set-up.
         */
        LINKED
    }

    /** The default module and its memory-capped twin used by the OOM tests. */
    static final Variant DEFAULT = growing("talc",
            "default: grows memory on demand, reallocs in place", Map.of(), List.of());

    /** Every variant the build produces. */
    static final List<Variant> ALL = List.of(
            DEFAULT,
            growing("talc-counters", "default plus usage counters, read through the talc_counters export",
                    Map.of("counters", "true"), List.of(COUNTERS_EXPORT)),
            growing("talc-fast", "default, compiled for speed over size: wasm-opt inlines the hot paths",
                    Map.of("speed", "true"), List.of(), FAST_INLINING),
            growing("talc-no-grow-in-place", "Talc's disable-grow-in-place: realloc shrinks in place, always moves to grow",
                    Map.of("growInPlace", "false"), List.of()),
            growing("talc-checked", "checked: reports bad and double frees and overwritten metadata through the"
                    + " imported env.talc_report hook, and exports a heap check and a heap walk",
                    Map.of("checked", "true"), CHECKED_EXPORTS),
            growing("talc-no-realloc-in-place", "Talc's disable-realloc-in-place: realloc always allocates, copies, frees",
                    Map.of("reallocInPlace", "false"), List.of()),
            new Variant("talc-arena", "arena: serves its 16 MiB initial memory, never calls memory.grow",
                    Map.of("source", Integer.toString(Source.MANUAL)), List.of(), ARENA_PAGES, Memory.OWN,
                    List.of(new Output("talc-arena.wasm", Output.NO_MAXIMUM)), List.of()),
            new Variant("talc-imported", "imports env.memory and serves the region [start, limit) that"
                    + " talc_init(start, limit) names, growing memory up to limit", Map.of(),
                    List.of(INIT_EXPORT), 0, Memory.REGION, List.of(new Output("talc-imported.wasm", Output.NO_MAXIMUM)),
                    List.of()),
            new Variant("talc-linked", "for talc-wasm link, which merges it into a module that imports malloc:"
                    + " imports that module's memory and __heap_base, and starts on its first call above __heap_base",
                    Map.of(), List.of(), 0, Memory.LINKED, List.of(new Output("talc-linked.wasm", Output.NO_MAXIMUM)),
                    List.of()));

    Variant {
        for (Map.Entry<String, String> feature : features.entrySet()) {
            if (!FEATURE_NAMES.contains(feature.getKey())) {
                throw new IllegalArgumentException("variant " + name + ": unknown feature " + feature.getKey()
                        + " (known: " + FEATURE_NAMES + ")");
            }
            String value = feature.getValue();
            if (!value.equals("true") && !value.equals("false") && !value.matches("-?\\d+")) {
                throw new IllegalArgumentException("variant " + name + ": feature " + feature.getKey()
                        + " = " + value + " is neither a boolean nor a number");
            }
        }
        features = Map.copyOf(features);
        extraExports = List.copyOf(extraExports);
        outputs = List.copyOf(outputs);
        inlining = List.copyOf(inlining);
    }

    /**
     * A variant with a growing source: the module, whose memory declares the maximum
     * {@link Source#MAX_PAGES} (the engine, not the allocator, then refuses to grow past the
     * addresses the allocator can use: see {@code Features.regionLimit}), and its twin capped at
     * {@link #TEST_MAX_PAGES}.
     */
    private static Variant growing(String name, String purpose, Map<String, String> features, List<String> extraExports) {
        return growing(name, purpose, features, extraExports, List.of());
    }

    private static Variant growing(String name, String purpose, Map<String, String> features, List<String> extraExports,
                                   List<String> inlining) {
        return new Variant(name, purpose, features, extraExports, 0, Memory.OWN, List.of(
                new Output(name + ".wasm", Source.MAX_PAGES),
                new Output(name + "-max" + TEST_MAX_PAGES + ".wasm", TEST_MAX_PAGES)), inlining);
    }

    /** Whether the module imports its memory ({@code env.memory}) instead of owning one. */
    boolean importedMemory() {
        return memory != Memory.OWN;
    }

    /** Whether this variant detects misuse, and so imports the report hook {@link #REPORT_IMPORT}. */
    boolean checked() {
        return "true".equals(features.get("checked"));
    }

    /** Whether the allocator of this variant grows memory (any source but Manual). */
    boolean grows() {
        return !Integer.toString(Source.MANUAL).equals(features.get("source"));
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
