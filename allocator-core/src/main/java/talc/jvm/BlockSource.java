package talc.jvm;

import java.util.Collections;
import java.util.NavigableMap;
import talc.blocks.BlockHeaps;

/**
 * Heaps in blocks taken from a parent (the JVM or another allocator) when a request does not
 * fit, one heap per block, and given back as soon as a block's heap holds no allocation (Talc's
 * {@code GlobalAllocSource}). The bookkeeping, and its invariant that every block held holds a
 * live allocation, is {@link BlockHeaps}'s; a subclass says where blocks come from.
 */
abstract class BlockSource extends Source {
    private final BlockHeaps blocks;

    /** @throws IllegalArgumentException if {@code blockSize} is not a valid block size ({@link BlockHeaps}) */
    BlockSource(int blockSize) {
        blocks = new BlockHeaps(blockSize, new BlockHeaps.Parent() {
            @Override
            public int take(int bytes) {
                return BlockSource.this.take(bytes);
            }

            @Override
            public void give(int block) {
                BlockSource.this.give(block);
            }
        });
    }

    /** Takes a 16-aligned block of {@code bytes} from the parent; 0 when it has none. */
    abstract int take(int bytes);

    /** Gives a block back to the parent. */
    abstract void give(int block);

    @Override
    final boolean acquire(int t, int size, int align) {
        return blocks.acquire(t, size, align);
    }

    @Override
    final void freed(int t, int ptr) {
        blocks.freed(t, ptr);
    }

    /** Gives every block back. */
    final void giveAll() {
        blocks.giveAll();
    }

    @Override
    final NavigableMap<Integer, Integer> heaps() {
        return Collections.unmodifiableNavigableMap(blocks.heaps());
    }
}
