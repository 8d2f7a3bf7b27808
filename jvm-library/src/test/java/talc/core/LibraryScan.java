package talc.core;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import talc.jvm.TalcAllocator;

/** The heap scan ({@link HeapScan}) for the JVM library's allocators, in each one's context. */
public final class LibraryScan {
    private LibraryScan() {
    }

    /**
     * Scans every heap of {@code a} (which no other thread may use meanwhile) and returns its
     * allocations: user pointer to usable size. Throws {@link AssertionError} on any inconsistency.
     */
    public static NavigableMap<Integer, Integer> scan(TalcAllocator a) {
        Map<Integer, Integer> firstToEnd = new TreeMap<>();
        for (Map.Entry<Integer, Integer> heap : a.heaps().entrySet()) {
            firstToEnd.put(Fixture.firstChunk(heap.getKey()), heap.getValue());
        }
        int t = a.handle();
        Context previous = a.context().enter();
        try {
            HeapScan.Result r = HeapScan.scan(t, firstToEnd);
            NavigableMap<Integer, Integer> usable = new TreeMap<>();
            r.allocations.forEach((ptr, size) -> usable.put(ptr, size - Chunk.overhead()));
            return usable;
        } finally {
            Context.restore(previous);
        }
    }
}
