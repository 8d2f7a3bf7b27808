package talc.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * An allocator in a fresh simulated memory, with the bookkeeping the heap scan needs: which
 * heaps exist (first chunk to heap end). Calls through the fixture keep that map current; for
 * growing sources, {@link #trackGrowth} records what the allocator grew.
 */
final class Fixture {
    /** Where the state block goes in manual fixtures (address 0 stays unused, as null). */
    static final int STATE_ADDR = 64;

    final int t;
    final TreeMap<Integer, Integer> heaps = new TreeMap<>();
    private int sourceKind;

    private Fixture(int t) {
        this.t = t;
    }

    /** A Manual-source allocator, state at {@link #STATE_ADDR}, in {@code pages} of memory (max = pages). */
    static Fixture manual(int pages) {
        Mem.reset(pages, pages);
        Fixture f = new Fixture(Talc.init(STATE_ADDR));
        f.sourceKind = Source.MANUAL;
        return f;
    }

    /** A growing-source allocator booted in fresh memory of {@code initialPages}, capped at {@code maxPages}. */
    static Fixture growing(int kind, int initialPages, int maxPages) {
        Mem.reset(initialPages, maxPages);
        int t = Talc.bootGrowing(kind);
        if (t == 0) {
            throw new AssertionError("boot failed");
        }
        Fixture f = new Fixture(t);
        f.sourceKind = kind;
        f.heaps.put(firstChunk(t + Talc.stateSize()), t + Mem.PAGE_SIZE);
        return f;
    }

    /** An allocator already booted at {@code t} with a source of {@code kind}; its heaps are the caller's to record. */
    static Fixture adopt(int t, int kind) {
        Fixture f = new Fixture(t);
        f.sourceKind = kind;
        return f;
    }

    /** The user pointer of the first chunk of a heap claimed at {@code regionBase}. */
    static int firstChunk(int regionBase) {
        return Chunk.payload((int) Heaps.firstChunk(regionBase));
    }

    /** The header of the chunk whose user pointer is {@code ptr}. */
    static int header(int ptr) {
        return Chunk.header(Chunk.of(ptr));
    }

    int claim(int base, int size) {
        int end = Talc.claim(t, base, size);
        if (end != 0) {
            heaps.put(firstChunk(base), end);
        }
        return end;
    }

    int resize(int heapEnd, int newEnd) {
        int first = firstOfHeapEndingAt(heapEnd);
        int end = Talc.resize(t, heapEnd, newEnd);
        if (end == 0) {
            heaps.remove(first);
        } else {
            heaps.put(first, end);
        }
        return end;
    }

    int firstOfHeapEndingAt(int heapEnd) {
        for (Map.Entry<Integer, Integer> e : heaps.entrySet()) {
            if (e.getValue() == heapEnd) {
                return e.getKey();
            }
        }
        throw new AssertionError("no heap ends at " + heapEnd);
    }

    /**
     * Records pages the allocator grew since memory had {@code pagesBefore} pages: an extension
     * of the heap ending where they start (Extend source), else a new heap.
     */
    void trackGrowth(int pagesBefore) {
        int pagesAfter = Mem.pages();
        if (pagesAfter == pagesBefore) {
            return;
        }
        int base = pagesBefore << Mem.PAGE_SHIFT;
        int end = pagesAfter << Mem.PAGE_SHIFT;
        if (sourceKind == Source.GROW_AND_EXTEND && heaps.containsValue(base)) {
            heaps.put(firstOfHeapEndingAt(base), end);
        } else {
            heaps.put(firstChunk(base), end);
        }
    }

    /** Every byte of the simulated memory, to compare before and after a call that must change nothing. */
    static byte[] memorySnapshot() {
        return memorySnapshot(0, Mem.pages() << Mem.PAGE_SHIFT);
    }

    /** The bytes {@code [from, to)} of the simulated memory. */
    static byte[] memorySnapshot(int from, int to) {
        byte[] bytes = new byte[to - from];
        Context.current().memory().buffer().get(from, bytes);
        return bytes;
    }

    HeapScan.Result scan() {
        return HeapScan.scan(t, heaps);
    }
}
