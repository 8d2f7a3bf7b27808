package talc.blocks;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import talc.core.Talc;

/**
 * The heaps of a child allocator in blocks taken from a parent (Talc's {@code GlobalAllocSource}
 * and {@code AllocatorSource}): a request that the child's heaps cannot serve gets a new block,
 * claimed as a heap of its own, and a block goes back to the parent as soon as its heap holds no
 * allocation. A block is {@link #blockSize()} bytes, or the smallest multiple of it that serves
 * the request.
 *
 * <p>Invariant: every block held holds a live allocation of the child, except for the moment
 * between {@link #acquire} taking it and the child serving the request it was taken for. So a
 * block is never given back while in use, and never kept once empty, provided the child reports
 * every chunk it frees to {@link #freed} (a free, a realloc to 0, and the old chunk of a realloc
 * that moved).
 *
 * <p>Only the child's core handle {@code t} and the static API of {@link Talc} are used: the
 * child is any core allocator whose own source adds nothing (the Manual source, which
 * {@link Talc#init} sets), so that every heap it has is a block of this class. The class is
 * shared by the JVM library's block memory ({@code talc.jvm.Memory.blocksOf}) and the TeaVM
 * app API's arenas ({@code talc.teavm.NativeArena}); TeaVM compiles it ({@code TreeMap} and
 * boxed {@code Integer}s are in its class library). Not thread-safe: the owner serialises calls.
 */
public final class BlockHeaps implements HeapSupply {
    /** Default block size: 1 MiB, as in Talc. */
    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    /** Smallest block size: a block must hold a heap with room for some allocations. */
    public static final int MIN_BLOCK_SIZE = 4096;

    /** Where the blocks come from and go back to. */
    public interface Parent {
        /** A 16-aligned block of {@code bytes}, or 0 when the parent has none. */
        int take(int bytes);

        /** Gives back a block that {@link #take} returned. */
        void give(int block);
    }

    private final int blockSize;
    private final Parent parent;
    /** Block address (the heap's claimed region starts there) to the heap's end. */
    private final TreeMap<Integer, Integer> blocks = new TreeMap<>();

    /**
     * Blocks of {@code blockSize} from {@code parent}.
     *
     * @throws IllegalArgumentException if {@code blockSize} is not a power of two of at least
     *         {@link #MIN_BLOCK_SIZE}
     */
    public BlockHeaps(int blockSize, Parent parent) {
        if (blockSize < MIN_BLOCK_SIZE || (blockSize & (blockSize - 1)) != 0) {
            throw new IllegalArgumentException("block size must be a power of two >= " + MIN_BLOCK_SIZE + ": " + blockSize);
        }
        if (parent == null) {
            throw new NullPointerException("parent");
        }
        this.blockSize = blockSize;
        this.parent = parent;
    }

    /** The block size. */
    public int blockSize() {
        return blockSize;
    }

    /**
     * After allocator {@code t} failed a request of {@code size} bytes at {@code align}: takes a
     * block that serves it and claims it as a new heap of {@code t}. True when it did; false when
     * no heap could serve the request or the parent has no block (nothing changed then).
     */
    @Override
    public boolean acquire(int t, int size, int align) {
        int region = Talc.regionFor(size, align);
        if (region < 0) {
            return false;
        }
        long bytes = ((long) region + blockSize - 1) & -(long) blockSize;
        if (bytes > Talc.MAX_REQUEST) {
            return false;
        }
        int block = parent.take((int) bytes);
        if (block == 0) {
            return false;
        }
        blocks.put(block, Talc.claim(t, block, (int) bytes));
        return true;
    }

    /**
     * Allocator {@code t} just freed the chunk at {@code ptr} (nonzero): when that emptied the
     * heap of its block, deletes the heap and gives the block back.
     */
    @Override
    public void freed(int t, int ptr) {
        Map.Entry<Integer, Integer> e = blocks.floorEntry(ptr);
        if (e == null || ptr >= e.getValue() || Talc.reserved(e.getValue()) != 0) {
            return;
        }
        // Empty: truncating as far as possible deletes the heap, then the block goes back.
        Talc.truncate(t, e.getValue(), 0);
        blocks.remove(e.getKey());
        parent.give(e.getKey());
    }

    /** Gives every block back (the child's heaps are gone with them). */
    public void giveAll() {
        for (int block : blocks.keySet()) {
            parent.give(block);
        }
        blocks.clear();
    }

    /**
     * Whether {@code ptr} lies in one of the heaps held now, above its block's first address
     * (where the heap's first chunk is; the word below the block is the parent's).
     */
    public boolean holds(int ptr) {
        Map.Entry<Integer, Integer> e = blocks.lowerEntry(ptr);
        return e != null && ptr < e.getValue();
    }

    /** Blocks held now. */
    public int blockCount() {
        return blocks.size();
    }

    /** A copy of the heaps held now: the address of each block to its heap's end. */
    public NavigableMap<Integer, Integer> heaps() {
        return new TreeMap<>(blocks);
    }
}
