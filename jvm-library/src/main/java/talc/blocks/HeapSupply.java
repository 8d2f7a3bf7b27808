package talc.blocks;

/**
 * Where an allocator outside the core gets more heaps when its own cannot serve a request, and
 * whom it tells about every chunk it frees ({@link SuppliedAllocator} calls both). The core's own
 * sources ({@code talc.core.Source}) grow linear memory; a supply adds heaps from elsewhere, such
 * as blocks of another allocator ({@link BlockHeaps}).
 */
public interface HeapSupply {
    /** A supply that adds nothing: the allocator has the heaps it was given. */
    HeapSupply NONE = new HeapSupply() {
        @Override
        public boolean acquire(int t, int size, int align) {
            return false;
        }

        @Override
        public void freed(int t, int ptr) {
        }
    };

    /**
     * After allocator {@code t} failed a request of {@code size} bytes at {@code align}: adds a
     * heap that serves it and returns true, or returns false having changed nothing. Called at
     * most once per request.
     */
    boolean acquire(int t, int size, int align);

    /** Allocator {@code t} just freed the chunk at {@code ptr} (nonzero): a heap may be empty now. */
    void freed(int t, int ptr);
}
