package talc.blocks;

import talc.core.Talc;

/**
 * A core allocator (handle {@code t}, see {@link Talc}) with a {@link HeapSupply}: the one place
 * that calls the supply, shared by the JVM library ({@code talc.jvm.TalcAllocator}) and the
 * TeaVM app's arenas ({@code talc.teavm.NativeArena}). A request that fails on the heaps gets one
 * {@link HeapSupply#acquire} and one retry, as the core's own sources do, so no supply can loop;
 * every chunk the core frees is reported to {@link HeapSupply#freed} (a free, a realloc to 0, and
 * the old chunk of a realloc that moved), so a block supply sees a block become empty. Not
 * thread-safe: the owner serialises calls.
 */
public final class SuppliedAllocator {
    private final int t;
    private final HeapSupply supply;

    public SuppliedAllocator(int t, HeapSupply supply) {
        if (supply == null) {
            throw new NullPointerException("supply");
        }
        this.t = t;
        this.supply = supply;
    }

    /** The core's handle. */
    public int handle() {
        return t;
    }

    public int malloc(int size) {
        int p = Talc.malloc(t, size);
        if (p == 0 && supply.acquire(t, size, Talc.MIN_ALIGN)) {
            p = Talc.malloc(t, size);
        }
        return p;
    }

    public int alignedAlloc(int align, int size) {
        int p = Talc.alignedAlloc(t, align, size);
        if (p == 0 && supply.acquire(t, size, align)) {
            p = Talc.alignedAlloc(t, align, size);
        }
        return p;
    }

    public int calloc(int n, int size) {
        int p = Talc.calloc(t, n, size);
        int total = n * size;
        // No memory is added for a product that overflowed: the retry would fail the same way.
        boolean fits = n == 0 || Integer.divideUnsigned(total, n) == size;
        if (p == 0 && fits && supply.acquire(t, total, Talc.MIN_ALIGN)) {
            p = Talc.calloc(t, n, size);
        }
        return p;
    }

    public int realloc(int ptr, int size) {
        if (ptr == 0) {
            return malloc(size);
        }
        int q = Talc.realloc(t, ptr, size);
        if (size == 0) {
            supply.freed(t, ptr);
            return 0;
        }
        if (q == 0 && supply.acquire(t, size, Talc.MIN_ALIGN)) {
            q = Talc.realloc(t, ptr, size);
        }
        // A move freed the old chunk, which may have been the last allocation of its heap.
        if (q != 0 && q != ptr) {
            supply.freed(t, ptr);
        }
        return q;
    }

    public void free(int ptr) {
        if (ptr != 0) {
            Talc.free(t, ptr);
            supply.freed(t, ptr);
        }
    }

    public int usableSize(int ptr) {
        return Talc.usableSize(t, ptr);
    }
}
