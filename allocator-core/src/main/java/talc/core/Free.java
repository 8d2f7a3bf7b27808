package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.SIZE_MASK;

/**
 * Turning an allocated chunk into a gap, in O(1): boundary tags find both neighbours, and a gap
 * merges with a free neighbour on either side, so no two gaps are ever adjacent.
 */
final class Free {
    private Free() {
    }

    /** Releases the allocated chunk at {@code chunk} (counters for the allocation are the caller's). */
    static void release(int t, int chunk) {
        int h = Chunk.header(chunk);
        int size = h & SIZE_MASK;
        int flags = h & Chunk.heapFirst();
        int above = chunk + size;
        int aboveHeader = Chunk.header(above);
        if ((aboveHeader & ALLOCATED) == 0) {
            int aboveSize = aboveHeader & SIZE_MASK;
            Gaps.deregister(t, above, aboveSize);
            size += aboveSize;
        } else {
            Chunk.setHeader(above, aboveHeader | BELOW_FREE);
        }
        if ((h & BELOW_FREE) != 0) {
            if (Features.checked()) {
                // The header ends up inside the merged gap: it must not look allocated any more.
                Chunk.setHeader(chunk, 0);
            }
            int belowSize = Chunk.footerBelow(chunk);
            chunk -= belowSize;
            flags = Chunk.heapFirstOf(chunk);
            Gaps.deregister(t, chunk, belowSize);
            size += belowSize;
        }
        Gaps.register(t, chunk, size, flags);
    }
}
