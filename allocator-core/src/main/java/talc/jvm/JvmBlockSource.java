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

    @Override
    int take(int bytes) {
        return Mem.map(ByteBuffer.allocateDirect(bytes), this);
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
