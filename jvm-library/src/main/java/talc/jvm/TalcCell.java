package talc.jvm;

/**
 * A Talc allocator for one thread at a time (Talc's {@code TalcCell}): no locking, so calls from
 * several threads need the caller's own synchronisation; use {@link TalcLock} for that.
 *
 * <pre>{@code
 * try (TalcCell cell = new TalcCell(Memory.reserve(1 << 20))) {
 *     int p = cell.malloc(64);
 *     ...
 * }
 * }</pre>
 */
public final class TalcCell extends TalcAllocator {
    /** An allocator over {@code memory} with {@link Options#DEFAULT}. See {@link #TalcCell(Memory, Options)}. */
    public TalcCell(Memory memory) {
        this(memory, Options.DEFAULT);
    }

    /**
     * An allocator over {@code memory} with {@code options}.
     *
     * @throws NullPointerException if {@code memory} or {@code options} is null
     * @throws IllegalStateException if {@code memory} already serves an allocator, or has no
     *         room for the state block
     * @throws IllegalArgumentException if the memory's buffer cannot be used (see {@link Memory#of})
     */
    public TalcCell(Memory memory, Options options) {
        super(memory, options);
    }

    @Override
    void acquire() {
    }

    @Override
    void release() {
    }
}
