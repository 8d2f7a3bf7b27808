package talc.jvm;

import talc.core.Talc;

/**
 * Blocks allocated from a parent allocator through its public API; the state block is an
 * allocation of the parent too, freed on close. The child's memory lies in the parent's, so
 * they share the owner tag that the accessors check.
 */
final class AllocatorBlockSource extends BlockSource {
    private final TalcAllocator parent;
    private int state;

    AllocatorBlockSource(TalcAllocator parent, int blockSize) {
        super(blockSize);
        this.parent = parent;
    }

    @Override
    int open() {
        state = parent.malloc(Talc.stateSize());
        if (state == 0) {
            throw new IllegalStateException("the parent allocator has no room for a state block of " + Talc.stateSize() + " bytes");
        }
        return Talc.init(state);
    }

    @Override
    Object root() {
        return parent.root();
    }

    @Override
    int take(int bytes) {
        return parent.malloc(bytes);
    }

    @Override
    void give(int block) {
        parent.free(block);
    }

    @Override
    void close(int t) {
        giveAll();
        parent.free(state);
    }
}
