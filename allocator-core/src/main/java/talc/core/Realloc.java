package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.SIZE_MASK;
import static talc.core.Chunk.UNIT;

/**
 * Resizing an allocation: shrink in place, grow in place into a free chunk above, otherwise
 * allocate, copy and free, leaving the old block untouched when the new one cannot be had.
 * {@link Features#growInPlace()} and {@link Features#reallocInPlace()} switch the in-place paths
 * off at build time (Talc's {@code disable-grow-in-place} and {@code disable-realloc-in-place}).
 */
final class Realloc {
    private Realloc() {
    }

    /** {@code ptr != 0}, {@code 0 < n <= Chunk.MAX_REQUEST}. Returns the new pointer or 0. */
    static int realloc(int t, int ptr, int n) {
        int h = Chunk.header(ptr);
        int size = h & SIZE_MASK;
        if (Features.reallocInPlace()) {
            int req = Chunk.sizeFor(n);
            if (req <= size) {
                shrink(t, ptr, h, req);
                return ptr;
            }
            if (Features.growInPlace() && grow(t, ptr, h, req)) {
                return ptr;
            }
        }
        int moved = Talc.malloc(t, n);
        if (moved != 0) {
            Mem.copy(moved, ptr, Math.min(size - Chunk.HEADER, n));
            Talc.free(t, ptr);
        }
        return moved;
    }

    /** Cuts the chunk at {@code ptr} (header {@code h}) down to {@code req} bytes if a unit or more is left over. */
    private static void shrink(int t, int ptr, int h, int req) {
        int size = h & SIZE_MASK;
        if (size - req < UNIT) {
            return;
        }
        Chunk.setHeader(ptr, req | (h & ~SIZE_MASK));
        int tail = ptr + req;
        Chunk.setHeader(tail, (size - req) | ALLOCATED);
        Free.release(t, tail);
        Counters.resized(t, size, req);
    }

    /** Grows the chunk at {@code ptr} to {@code req} bytes using the gap above, if there is enough. */
    private static boolean grow(int t, int ptr, int h, int req) {
        int size = h & SIZE_MASK;
        int above = ptr + size;
        int aboveHeader = Chunk.header(above);
        if ((aboveHeader & ALLOCATED) != 0) {
            return false;
        }
        int aboveSize = aboveHeader & SIZE_MASK;
        if (size + aboveSize < req) {
            return false;
        }
        Gaps.deregister(t, above, aboveSize);
        int grown = Alloc.splitOff(t, ptr, size + aboveSize, req);
        Chunk.setHeader(ptr, grown | (h & ~SIZE_MASK));
        Counters.resized(t, size, grown);
        return true;
    }
}
