package talc.jvm;

import java.nio.ByteBuffer;
import java.util.NavigableMap;
import java.util.TreeMap;
import talc.core.Mem;
import talc.core.Talc;

/**
 * One buffer as all of an allocator's memory.
 *
 * <pre>
 *  base                    base + stateSize                          base + capacity
 *  | state block           | heap (claimed once, never given back)   |
 * </pre>
 */
final class BufferSource extends Source {
    private final ByteBuffer buffer;
    private int base;
    private final TreeMap<Integer, Integer> heaps = new TreeMap<>();

    BufferSource(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    @Override
    int open() {
        int bytes = buffer.remaining();
        int needed = Talc.stateSize() + Talc.regionFor(0, Talc.MIN_ALIGN);
        if (bytes < needed) {
            throw new IllegalArgumentException("a buffer of " + bytes + " bytes is too small: the state block and one chunk take " + needed);
        }
        base = Mem.map(buffer, this);
        if (base == 0) {
            throw new IllegalArgumentException("no room for " + bytes + " more bytes in the address space (mapped buffers share "
                    + (Mem.MAPPED_END - Mem.MAPPED_BASE) + " bytes)");
        }
        int t = Talc.init(base);
        int region = base + Talc.stateSize();
        heaps.put(region, Talc.claim(t, region, bytes - Talc.stateSize()));
        return t;
    }

    @Override
    Object root() {
        return this;
    }

    @Override
    void close(int t) {
        heaps.clear();
        Mem.unmap(base);
    }

    @Override
    NavigableMap<Integer, Integer> heaps() {
        return copy(heaps);
    }
}
