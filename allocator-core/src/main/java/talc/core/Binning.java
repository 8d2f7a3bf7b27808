package talc.core;

/**
 * Maps gap sizes to bins: linear bins of one {@link Chunk#UNIT} each up to a limit, then four
 * equal sub-bins per power of two (Talc's {@code linear_extent_then_linearly_divided_exponential}
 * binning). The wasm binning has no linear bins: four sub-bins per power of two from 16 B.
 *
 * <pre>
 *   wasm binning (108 bins, 2 bitmap words):  16, 20, 24, 28 | 32, 40, 48, 56 | 64, 80, 96, 112 | 128, 160 ... | 1.75 GiB
 *   default binning (147 bins, 3 words):      16, 32, ... 1008 | 1024, 1280, 1536, 1792 | 2048 ...
 * </pre>
 *
 * Invariant: every gap in bin {@code b} has a size in {@code [lowest(b), lowest(b+1))}, so any gap
 * in a bin {@code >= ceilBin(n)} is at least {@code n} bytes. The binning is chosen at build time
 * through {@link Features#wasmBinning()}.
 *
 * <p>Gap sizes are multiples of 16, so in the wasm binning each size below 128 B still has a bin
 * of its own, and the five bins whose range holds no multiple of 16 (20, 24, 28, 40 and 56 B)
 * stay empty; from 128 B to 256 B the bins are 32 B wide instead of 16. What this buys is
 * {@link #bin} without a branch for the linear part: 10 bytes of {@code talc.wasm} and 290 of
 * {@code talc-fast.wasm}, with the same peak memory on every workload of {@code scripts/bench}
 * (measured 2026-11-26 against 16 linear bins up to 256 B).
 *
 * <p>Why four sub-bins per octave in the wasm binning too (measured with {@code scripts/bench},
 * 2026-11-26): with two (61 bins, one bitmap word, the shape of Talc's {@code WasmBinning}) a
 * request skips every gap less than about 1.5x its size unless no larger gap exists, so large
 * gaps are split early. Peak memory was 1.29x emscripten's dlmalloc with realloc on Talc's
 * workload, 1.32x on random sizes to 4 KiB and 1.34x on the latency workload; four per octave
 * brought these to 1.10x, 1.10x and 1.13x, and Talc's heap efficiency from 88.6% to 92.0%.
 * (Keeping one word by sending every gap of 1 MiB or more to a shared top bin was tried: its
 * LIFO list let small requests split whichever large gap came first, and memory grew without
 * bound in wasm-tests' allocate-free cycles of 8..40 MiB blocks.)
 */
final class Binning {
    private static final int UNIT_LOG2 = 4;
    /** {@link #UNIT_LOG2}: the linear part is empty (see the class comment). */
    private static final int WASM_LINEAR_LIMIT_LOG2 = UNIT_LOG2;
    private static final int WASM_DIVISIONS_LOG2 = 2;
    private static final int DEFAULT_LINEAR_LIMIT_LOG2 = 10;
    private static final int DEFAULT_DIVISIONS_LOG2 = 2;
    /** Bins of the wasm binning: 4 per octave from 16 B up to 2 GiB, 5 of them never used. */
    static final int WASM_BIN_COUNT = 108;
    /** Bins of the default binning: 63 linear, then 4 per octave from 1 KiB up to 2 GiB. */
    static final int DEFAULT_BIN_COUNT = 147;

    private Binning() {
    }

    private static int linearLimitLog2() {
        return Features.wasmBinning() ? WASM_LINEAR_LIMIT_LOG2 : DEFAULT_LINEAR_LIMIT_LOG2;
    }

    /** Bins below the linear limit, one per unit from 16 bytes. */
    private static int linearBins() {
        return (1 << (linearLimitLog2() - UNIT_LOG2)) - 1;
    }

    private static int divisionsLog2() {
        return Features.wasmBinning() ? WASM_DIVISIONS_LOG2 : DEFAULT_DIVISIONS_LOG2;
    }

    /** Number of bins: {@code bin(largest gap) + 1}, a constant of each binning. */
    static int binCount() {
        return Features.wasmBinning() ? WASM_BIN_COUNT : DEFAULT_BIN_COUNT;
    }

    /** Number of 64-bit words of the availability bitmap. */
    static int bitmapWords() {
        return (binCount() + Long.SIZE - 1) >>> 6;
    }

    /** The bin a gap of {@code size} bytes belongs to; {@code size >= 16}. */
    static int bin(int size) {
        int linLog = linearLimitLog2();
        // Without linear bins (wasm) the formula below serves every size, also ceilBin(16)'s 15
        // (bin -1), and this test folds away.
        if (linLog > UNIT_LOG2 && size < (1 << linLog)) {
            return (size >>> UNIT_LOG2) - 1;
        }
        // With log = 31 - clz (the octave) and sub the divLog bits below the leading one, the bin
        // is linearBins + ((log - linLog) << divLog) + sub. The leading 1 + divLog bits of size,
        // top, are (1 << divLog) + sub, so the bin is top - (clz << divLog) plus a constant of
        // the binning: the same value in fewer instructions.
        int clz = Integer.numberOfLeadingZeros(size);
        int divLog = divisionsLog2();
        int top = size >>> (31 - divLog - clz);
        return top - (clz << divLog) + (linearBins() + ((31 - linLog) << divLog) - (1 << divLog));
    }

    /**
     * The lowest bin whose gaps all hold at least {@code size} bytes ({@code size >= 16});
     * may be {@link #binCount()} when no bin guarantees it.
     */
    static int ceilBin(int size) {
        return bin(size - 1) + 1;
    }

    /**
     * Smallest size that falls into {@code bin} (for tests and the heap scan); not a multiple of
     * 16, so no gap's, for the wasm binning's five unused bins.
     */
    static int lowest(int bin) {
        if (bin < linearBins()) {
            return (bin + 1) << UNIT_LOG2;
        }
        int divLog = divisionsLog2();
        int rel = bin - linearBins();
        int log = linearLimitLog2() + (rel >>> divLog);
        int sub = rel & ((1 << divLog) - 1);
        return (1 << log) + (sub << (log - divLog));
    }
}
