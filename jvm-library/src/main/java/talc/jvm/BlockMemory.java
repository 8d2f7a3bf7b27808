package talc.jvm;

import java.util.NavigableMap;
import talc.blocks.BlockHeaps;
import talc.blocks.HeapSupply;
import talc.core.Mem;
import talc.core.Talc;

/**
 * Blocks lent by a parent allocator ({@link TalcAllocator#lend}), one heap per block
 * ({@link BlockHeaps}, which keeps every block it holds in use); the state block is lent by the
 * parent too, and taken back on close. The child's memory is the parent's.
 */
final class BlockMemory extends Memory {
    private final TalcAllocator parent;
    private final BlockHeaps blocks;
    private int state;

    /** @throws IllegalArgumentException if {@code blockSize} is not a valid block size ({@link BlockHeaps}) */
    BlockMemory(TalcAllocator parent, int blockSize) {
        this.parent = parent;
        this.blocks = new BlockHeaps(blockSize, new BlockHeaps.Parent() {
            @Override
            public int take(int bytes) {
                return parent.lend(bytes, false);
            }

            @Override
            public void give(int block) {
                parent.takeBack(block, false);
            }
        });
    }

    @Override
    Mem.Linear linear() {
        return parent.context().memory();
    }

    @Override
    int open() {
        int size = Talc.stateSize();
        state = parent.lend(size, true);
        if (state == 0) {
            throw new IllegalStateException("the parent allocator has no room for a state block of " + size + " bytes");
        }
        return Talc.init(state);
    }

    @Override
    HeapSupply supply() {
        return blocks;
    }

    @Override
    void close(int t) {
        blocks.giveAll();
        parent.takeBack(state, true);
    }

    @Override
    boolean inHeaps(int ptr) {
        return blocks.holds(ptr);
    }

    @Override
    NavigableMap<Integer, Integer> heaps() {
        return copy(blocks.heaps());
    }
}
