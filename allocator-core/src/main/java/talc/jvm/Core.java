package talc.jvm;

import java.util.Objects;
import java.util.NavigableMap;
import talc.core.Talc;

/**
 * An allocator without locking: the core's handle and its {@link Source}, and the one place
 * that calls the source. A request that fails on the heaps gets one {@link Source#acquire} and
 * one retry, as in the core's own sources, so no source can loop; every chunk the core frees is
 * reported to {@link Source#freed}, so block sources see a block become empty.
 */
final class Core {
    private final Source source;
    private final Object root;
    /** The core's handle; 0 once closed. */
    private int t;

    Core(Source source) {
        Objects.requireNonNull(source, "source");
        source.bind();
        this.source = source;
        this.t = source.open();
        this.root = source.root();
    }

    /** The handle of the open allocator. */
    int handle() {
        if (t == 0) {
            throw new IllegalStateException("the allocator is closed");
        }
        return t;
    }

    Object root() {
        return root;
    }

    boolean isClosed() {
        return t == 0;
    }

    int malloc(int size) {
        int h = handle();
        int p = Talc.malloc(h, size);
        if (p == 0 && source.acquire(h, size, Talc.MIN_ALIGN)) {
            p = Talc.malloc(h, size);
        }
        return p;
    }

    int alignedAlloc(int align, int size) {
        int h = handle();
        int p = Talc.alignedAlloc(h, align, size);
        if (p == 0 && source.acquire(h, size, align)) {
            p = Talc.alignedAlloc(h, align, size);
        }
        return p;
    }

    int calloc(int n, int size) {
        int h = handle();
        int p = Talc.calloc(h, n, size);
        int total = n * size;
        // No memory is added for a product that overflowed: the retry would fail the same way.
        if (p == 0 && (n == 0 || Integer.divideUnsigned(total, n) == size) && source.acquire(h, total, Talc.MIN_ALIGN)) {
            p = Talc.calloc(h, n, size);
        }
        return p;
    }

    int realloc(int ptr, int size) {
        if (ptr == 0) {
            return malloc(size);
        }
        int h = handle();
        int q = Talc.realloc(h, ptr, size);
        if (size == 0) {
            source.freed(h, ptr);
            return 0;
        }
        if (q == 0 && source.acquire(h, size, Talc.MIN_ALIGN)) {
            q = Talc.realloc(h, ptr, size);
        }
        if (q != 0 && q != ptr) {
            source.freed(h, ptr);
        }
        return q;
    }

    void free(int ptr) {
        int h = handle();
        if (ptr != 0) {
            Talc.free(h, ptr);
            source.freed(h, ptr);
        }
    }

    int usableSize(int ptr) {
        return Talc.usableSize(handle(), ptr);
    }

    CountersSnapshot counters() {
        return CountersSnapshot.of(handle());
    }

    NavigableMap<Integer, Integer> heaps() {
        handle();
        return source.heaps();
    }

    void close() {
        if (t != 0) {
            int h = t;
            t = 0;
            source.close(h);
        }
    }
}
