package talc.jvm;

import java.util.NavigableMap;
import java.util.TreeMap;
import talc.blocks.HeapSupply;
import talc.core.Mem;
import talc.core.Talc;

/**
 * One buffer as all of an allocator's memory, the state block at offset 0.
 *
 * <pre>
 *  0                       stateSize                                  capacity
 *  | state block           | heap (claimed once, never given back)    |
 * </pre>
 */
final class BufferMemory extends Memory {
    /** Offset of the state block: pointers are never 0 all the same, since the heap starts above it. */
    private static final int STATE = 0;

    private final Mem.Linear linear;
    private final TreeMap<Integer, Integer> heaps = new TreeMap<>();

    BufferMemory(Mem.Linear linear) {
        this.linear = linear;
    }

    @Override
    Mem.Linear linear() {
        return linear;
    }

    @Override
    int open() {
        int bytes = linear.size();
        int needed = Talc.stateSize() + Talc.regionFor(0, Talc.MIN_ALIGN);
        if (bytes < needed) {
            throw new IllegalArgumentException("a buffer of " + bytes + " bytes is too small: the state block and one chunk take " + needed);
        }
        int t = Talc.init(STATE);
        int region = STATE + Talc.stateSize();
        heaps.put(region, Talc.claim(t, region, bytes - region));
        return t;
    }

    @Override
    HeapSupply supply() {
        return HeapSupply.NONE;
    }

    @Override
    void close(int t) {
        heaps.clear();
    }

    @Override
    boolean inHeaps(int ptr) {
        return ptr > STATE + Talc.stateSize() && ptr < linear.size();
    }

    @Override
    NavigableMap<Integer, Integer> heaps() {
        return copy(heaps);
    }
}
