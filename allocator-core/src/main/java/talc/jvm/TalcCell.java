package talc.jvm;

import java.util.NavigableMap;

/**
 * A Talc allocator for one thread at a time (Talc's {@code TalcCell}): no locking, so calls from
 * several threads need the caller's own synchronisation; use {@link TalcLock} for that.
 *
 * <pre>{@code
 * try (TalcCell cell = new TalcCell(Source.reserve(1 << 20))) {
 *     int p = cell.malloc(64);
 *     ...
 * }
 * }</pre>
 */
public final class TalcCell extends TalcAllocator {
    /**
     * An allocator over {@code source}'s memory.
     *
     * @throws NullPointerException if {@code source} is null
     * @throws IllegalStateException if {@code source} already serves an allocator, or has no
     *         memory for the state block
     * @throws IllegalArgumentException if the source's buffer cannot be used (see {@link Source#of})
     */
    public TalcCell(Source source) {
        super(source);
    }

    @Override
    public int malloc(int size) {
        return core.malloc(size);
    }

    @Override
    public int calloc(int n, int size) {
        return core.calloc(n, size);
    }

    @Override
    public int alignedAlloc(int align, int size) {
        return core.alignedAlloc(align, size);
    }

    @Override
    public int realloc(int ptr, int size) {
        return core.realloc(ptr, size);
    }

    @Override
    public void free(int ptr) {
        core.free(ptr);
    }

    @Override
    public int usableSize(int ptr) {
        return core.usableSize(ptr);
    }

    @Override
    public CountersSnapshot counters() {
        return core.counters();
    }

    @Override
    public NavigableMap<Integer, Integer> heaps() {
        return core.heaps();
    }

    @Override
    public int handle() {
        return core.handle();
    }

    @Override
    public void close() {
        core.close();
    }

    @Override
    public boolean isClosed() {
        return core.isClosed();
    }
}
