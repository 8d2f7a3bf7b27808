package talc.wasm.build;

/**
 * Where the allocator sits in the module's memory, decided from TeaVM's static area.
 *
 * <pre>
 *  0        256                 staticEnd  stateAddress             initialEnd = initialPages * 64 KiB
 *  | unused | TeaVM static area |  (pad)   | state block | first heap ... |
 * </pre>
 *
 * The static area holds the module's static fields (and, in TeaVM's raw output, class data that
 * post-processing drops). The allocator's state block starts at the first 16-aligned address past
 * it, and its first heap runs from there to the end of the initial memory, so the module's own
 * initial pages are used before any {@code memory.grow}.
 *
 * @param staticEnd    first address past TeaVM's static area
 * @param stateAddress where the state block goes (16-aligned)
 * @param initialPages the module's initial memory in 64 KiB pages
 */
record MemoryLayout(int staticEnd, int stateAddress, int initialPages) {
    static final int PAGE_SIZE = 65536;
    private static final int UNIT = 16;
    /**
     * Room kept after the state address in the initial memory: the largest state block (the
     * default binning's, 704 bytes) and a first heap worth having.
     */
    static final int MIN_STATE_AND_HEAP = 4096;

    /** The layout after a static area ending at {@code staticEnd}, with at least {@code minPages} of memory. */
    static MemoryLayout after(int staticEnd, int minPages) {
        int stateAddress = (staticEnd + UNIT - 1) & -UNIT;
        int pages = (stateAddress + MIN_STATE_AND_HEAP + PAGE_SIZE - 1) / PAGE_SIZE;
        return new MemoryLayout(staticEnd, stateAddress, Math.max(pages, minPages));
    }

    /** End of the initial memory: the end of the first heap. */
    int initialEnd() {
        return initialPages * PAGE_SIZE;
    }
}
