package talc.wasm.tool;

/**
 * Where the allocator sits in a module that owns its memory.
 *
 * <pre>
 *  0      16            16 + state block                    initialEnd = initialPages * 64 KiB
 *  | null | state block | first heap ...                                  |
 * </pre>
 *
 * TeaVM lays out a static area from address 256 (class data and static fields, about 18 KiB),
 * but the post-processing drops its data, and the module neither reads nor writes a static
 * field: the handle is a wasm global, and {@link PostProcess} fails the build if code the
 * exports reach accesses memory at a constant address. So the whole initial memory is the
 * allocator's: the state block at 16 (0 stays null: a handle of 0 means none) and the first
 * heap after it up to the end of the initial pages, used before any {@code memory.grow}.
 *
 * @param stateAddress where the state block goes (16-aligned)
 * @param initialPages the module's initial memory in 64 KiB pages
 */
record MemoryLayout(int stateAddress, int initialPages) {
    static final int PAGE_SIZE = 65536;
    /** The state block's address: the first chunk unit above null. */
    private static final int STATE_ADDRESS = 16;

    /** The layout of a module with at least {@code minPages} of initial memory (and at least one page). */
    static MemoryLayout standalone(int minPages) {
        return new MemoryLayout(STATE_ADDRESS, Math.max(1, minPages));
    }

    /** End of the initial memory: the end of the first heap. */
    int initialEnd() {
        return initialPages * PAGE_SIZE;
    }
}
