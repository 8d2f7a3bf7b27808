package talc.jvm;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import talc.core.Talc;

/**
 * Heaps in blocks taken from a parent (the JVM or another allocator) when a request does not
 * fit, one heap per block, and given back as soon as a block's heap holds no allocation (Talc's
 * {@code GlobalAllocSource}). A block is {@code blockSize} bytes, or the smallest multiple of it
 * that serves the request. Invariant: every block in {@link #blocks} holds a live allocation,
 * except for the moment between acquiring it and serving the request it was acquired for.
 */
abstract class BlockSource extends Source {
    private final int blockSize;
    /** Block address (the heap's region) to heap end. */
    private final TreeMap<Integer, Integer> blocks = new TreeMap<>();

    BlockSource(int blockSize) {
        this.blockSize = blockSize;
    }

    /** Takes a 16-aligned block of {@code bytes} from the parent; 0 when it has none. */
    abstract int take(int bytes);

    /** Gives a block back to the parent. */
    abstract void give(int block);

    @Override
    final boolean acquire(int t, int size, int align) {
        int region = Talc.regionFor(size, align);
        if (region < 0) {
            return false;
        }
        long bytes = ((long) region + blockSize - 1) & -(long) blockSize;
        if (bytes > Talc.MAX_REQUEST) {
            return false;
        }
        int block = take((int) bytes);
        if (block == 0) {
            return false;
        }
        blocks.put(block, Talc.claim(t, block, (int) bytes));
        return true;
    }

    @Override
    final void freed(int t, int ptr) {
        Map.Entry<Integer, Integer> e = blocks.floorEntry(ptr);
        if (e == null || ptr >= e.getValue() || Talc.reserved(e.getValue()) != 0) {
            return;
        }
        // Empty: truncating as far as possible deletes the heap, then the block goes back.
        Talc.truncate(t, e.getValue(), 0);
        blocks.remove(e.getKey());
        give(e.getKey());
    }

    /** Gives every block back. */
    final void giveAll() {
        for (int block : blocks.keySet()) {
            give(block);
        }
        blocks.clear();
    }

    @Override
    final NavigableMap<Integer, Integer> heaps() {
        return copy(blocks);
    }
}
