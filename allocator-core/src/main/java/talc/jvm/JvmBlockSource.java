package talc.jvm;

import java.nio.ByteBuffer;
import talc.core.Mem;
import talc.core.Talc;

/**
 * Blocks in direct buffers reserved from the JVM, each mapped on its own; the state block has a
 * small buffer of its own, so every block can be given back. A block given back is unmapped
 * and left to the garbage collector.
 */
final class JvmBlockSource extends BlockSource {
    private int stateBase;

    JvmBlockSource(int blockSize) {
        super(blockSize);
    }

    @Override
    int open() {
        stateBase = Mem.map(ByteBuffer.allocateDirect(Talc.stateSize()), this);
        if (stateBase == 0) {
            throw new IllegalStateException("no room left in the address space for a state block");
        }
        return Talc.init(stateBase);
    }

    @Override
    Object root() {
        return this;
    }

    /** A new block, or 0 when the JVM's direct memory or the address space is exhausted. */
    @Override
    int take(int bytes) {
        ByteBuffer block;
        try {
            block = ByteBuffer.allocateDirect(bytes);
        } catch (OutOfMemoryError e) {
            // The direct-memory limit (-XX:MaxDirectMemorySize): out of memory is 0 here, as everywhere.
            return 0;
        }
        return Mem.map(block, this);
    }

    @Override
    void give(int block) {
        Mem.unmap(block);
    }

    @Override
    void close(int t) {
        giveAll();
        Mem.unmap(stateBase);
    }
}
