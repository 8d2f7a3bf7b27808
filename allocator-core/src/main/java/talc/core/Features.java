package talc.core;

/**
 * Build-time switches of the allocator (Talc's cargo features and its binning type parameter).
 *
 * <p>The algorithm reads them only through these static methods. This is the JVM twin; the wasm
 * build compiles {@code talc.wasm.WasmFeatures} in its place, whose methods return constants, so
 * TeaVM and {@code wasm-opt} fold the branches and the disabled code is really gone from the
 * module ({@code docs/swap-points.md}). On the JVM they answer the current thread's
 * {@link Context}: each allocator of the JVM library has its own {@link Config}, and tests set
 * one with {@link #configure}. An allocator must always run with the features it was made with
 * (the binning decides the free-list layout). JVM-only helpers, never called by the algorithm:
 * {@link #configure}, {@link #setTruncation}, {@link #setRegionLimit}, {@link #reset}.
 */
public final class Features {
    /**
     * JVM only: one set of switches, as the methods of {@link Features} answer them.
     *
     * @param wasmBinning {@link Features#wasmBinning()}
     * @param counters {@link Features#counters()}
     * @param growInPlace {@link Features#growInPlace()}
     * @param reallocInPlace {@link Features#reallocInPlace()}
     * @param checked {@link Features#checked()}
     * @param truncation {@link Features#truncation()}
     * @param regionLimit {@link Features#regionLimit()}
     */
    public record Config(boolean wasmBinning, boolean counters, boolean growInPlace, boolean reallocInPlace,
            boolean checked, boolean truncation, boolean regionLimit) {
        /** Wasm binning, counters on, realloc and grow in place, unchecked, truncation and region limits on. */
        public static final Config DEFAULT = new Config(true, true, true, true, false, true, true);
    }

    private static Config config() {
        return Context.current().features();
    }

    /** Makes {@code features} the current thread's, keeping its memory and handler. */
    private static void use(Config features) {
        Context c = Context.current();
        new Context(c.memory(), features, c.handler()).enter();
    }

    /** {@link #source()} on the JVM: every allocator keeps its own source kind in its state block. */
    public static final int SOURCE_PER_ALLOCATOR = -1;

    private Features() {
    }

    /**
     * The wasm binning ({@code true}: 108 bins, exact up to 128 B) or the default one
     * ({@code false}: 147 bins, exact up to 1 KiB); see {@link Binning}.
     */
    public static boolean wasmBinning() {
        return config().wasmBinning();
    }

    /** Whether the counters are kept. */
    public static boolean counters() {
        return config().counters();
    }

    /** {@code false} is Talc's {@code disable-grow-in-place}: realloc shrinks in place but always moves to grow. */
    public static boolean growInPlace() {
        return config().growInPlace();
    }

    /** {@code false} is Talc's {@code disable-realloc-in-place}: realloc always allocates, copies and frees. */
    public static boolean reallocInPlace() {
        return config().reallocInPlace();
    }

    /**
     * Whether misuse is detected ({@link Misuse}): {@code free}/{@code realloc} of a pointer that
     * is not a live allocation is reported through {@link Report} instead of corrupting the heap,
     * and the allocator keeps a heap list ({@link HeapList}) that {@link Consistency} and heap
     * walks use.
     */
    public static boolean checked() {
        return config().checked();
    }

    /**
     * Whether the build favours speed over size: {@code malloc} first tries a bin pop that makes
     * no call ({@link Alloc#pop}), so that an inlining compiler (wasm-opt in
     * {@code talc-fast.wasm}) can specialise it for the 16-byte alignment, and only then the
     * general path. The same gaps are taken either way. Always on for the JVM, so the JVM tests
     * run this shape; the Node suite runs both (talc.wasm and talc-fast.wasm).
     */
    public static boolean speed() {
        return true;
    }

    /**
     * Whether heaps can be truncated and deleted ({@code Talc.truncate}, {@code resize} downwards,
     * {@code reserved}), which needs the header flag {@code HEAP_FIRST} on each heap's first
     * chunk ({@link Chunk#heapFirst()}). Off, the flag is not kept (except in checked builds,
     * whose heap check and walk report it): truncating never deletes a heap (an empty heap keeps
     * its first header word as its sentinel) and {@code reserved} never answers 0. On on the JVM
     * (tests may turn it off, {@link #setTruncation}) and in TeaVM apps; the wasm modules, which
     * export no truncation, turn it off.
     */
    public static boolean truncation() {
        return config().truncation();
    }

    /**
     * Whether a growing source may be limited to fewer pages than {@code Source.MAX_PAGES} (an
     * allocator serving a region of a shared memory, {@code Talc.bootInRegion} with a limit), so
     * that its state block keeps the limit. Off, the limit is the constant {@code MAX_PAGES},
     * which the memory itself must enforce: the source grows without checking it, and relies on
     * {@code memory.grow} failing past it (the modules that own their memory declare it as their
     * memory's maximum; the JVM's simulated memory stops far below it). {@code bootInRegion}
     * then refuses a limit. On on the JVM (tests may turn it off, {@link #setRegionLimit}) and
     * in TeaVM apps; the module build turns it off in the modules that own their memory.
     */
    public static boolean regionLimit() {
        return config().regionLimit();
    }

    /** JVM only: switches {@link #regionLimit()} on the current thread (tests). */
    public static void setRegionLimit(boolean on) {
        Config c = config();
        use(new Config(c.wasmBinning(), c.counters(), c.growInPlace(), c.reallocInPlace(), c.checked(), c.truncation(), on));
    }

    /** JVM only: switches {@link #truncation()} on the current thread (tests). */
    public static void setTruncation(boolean on) {
        Config c = config();
        use(new Config(c.wasmBinning(), c.counters(), c.growInPlace(), c.reallocInPlace(), c.checked(), on, c.regionLimit()));
    }

    /**
     * The source kind fixed at build time for every allocator of the build ({@link Source}), or
     * {@link #SOURCE_PER_ALLOCATOR}. A wasm module has one allocator with one source, so fixing
     * it removes the other sources' code.
     */
    public static int source() {
        return SOURCE_PER_ALLOCATOR;
    }

    /** JVM only: selects the features on the current thread (tests); truncation and region limits stay as they are. */
    public static void configure(boolean wasmBinning, boolean counters, boolean growInPlace, boolean reallocInPlace,
                                 boolean checked) {
        Config c = config();
        use(new Config(wasmBinning, counters, growInPlace, reallocInPlace, checked, c.truncation(), c.regionLimit()));
    }

    /** JVM only: the current thread's features back to {@link Config#DEFAULT}. */
    public static void reset() {
        use(Config.DEFAULT);
    }
}
