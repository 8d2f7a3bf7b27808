package talc.jvm;

import talc.core.Features;

/**
 * The build-time switches of the core ({@link Features}), chosen per allocator. Every allocator
 * of the library is checked ({@link Features#checked()}): a {@code free}, {@code realloc} or
 * {@code usableSize} of a pointer that is not a live allocation of this allocator, or whose
 * metadata was overwritten, throws {@link MisuseException} and leaves the heap as it was. That
 * costs one seal word per block.
 *
 * @param counters whether the counters are kept ({@link TalcAllocator#counters()})
 * @param wasmBinning the wasm binning (108 bins, exact up to 112 B) or, false, the default one
 *        (147 bins, exact up to 1 KiB)
 * @param growInPlace false is Talc's {@code disable-grow-in-place}: realloc always moves to grow
 * @param reallocInPlace false is Talc's {@code disable-realloc-in-place}: realloc always moves
 */
public record Options(boolean counters, boolean wasmBinning, boolean growInPlace, boolean reallocInPlace) {
    /** Counters on, wasm binning, realloc and grow in place. */
    public static final Options DEFAULT = new Options(true, true, true, true);

    /** These options with {@link #counters()} set to {@code on}. */
    public Options withCounters(boolean on) {
        return new Options(on, wasmBinning, growInPlace, reallocInPlace);
    }

    /** These options with {@link #wasmBinning()} set to {@code on}. */
    public Options withWasmBinning(boolean on) {
        return new Options(counters, on, growInPlace, reallocInPlace);
    }

    /** These options with {@link #growInPlace()} set to {@code on}. */
    public Options withGrowInPlace(boolean on) {
        return new Options(counters, wasmBinning, on, reallocInPlace);
    }

    /** These options with {@link #reallocInPlace()} set to {@code on}. */
    public Options withReallocInPlace(boolean on) {
        return new Options(counters, wasmBinning, growInPlace, on);
    }

    /** The core's switches: these, checked, and heaps that can be truncated (block memories give empty blocks back). */
    Features.Config features() {
        return new Features.Config(wasmBinning, counters, growInPlace, reallocInPlace, true, true, true);
    }
}
