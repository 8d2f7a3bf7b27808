package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.MAX_REQUEST;
import static talc.core.Chunk.SIZE_MASK;

/**
 * Resizing an allocation: in place when the chunk, together with a free chunk above it, holds
 * the new size (shrinking always does), otherwise allocate, copy and free, leaving the old block
 * untouched when the new one cannot be had. {@link Features#growInPlace()} and
 * {@link Features#reallocInPlace()} switch the in-place paths off at build time (Talc's
 * {@code disable-grow-in-place} and {@code disable-realloc-in-place}).
 */
final class Realloc {
    private Realloc() {
    }

    /**
     * {@code ptr != 0}, {@code n != 0}. Returns the new pointer or 0. A size past
     * {@link Chunk#MAX_REQUEST} (or of 2 GiB and more, unsigned) skips the in-place paths, and
     * the allocation refuses it.
     *
     * <p>In place: a free chunk above is absorbed first (when growing, only with grow-in-place
     * on), then everything past the new chunk size is split off as one gap, so a shrink merges
     * with the free chunk above and a grow keeps what it does not need free
     * ({@link Alloc#splitOff} flags the chunk above a split-off tail).
     */
    static int realloc(int t, int ptr, int n) {
        int chunk = Chunk.of(ptr);
        int h = Chunk.header(chunk);
        int size = h & SIZE_MASK;
        if (Features.reallocInPlace() && Mem.lessUnsigned(n, MAX_REQUEST + 1)) {
            int req = Chunk.sizeFor(n);
            // Nothing to do. Speed builds say so; what follows would take the gap above out and
            // put it back, to the same effect, which size builds accept for 11 bytes.
            // An xor, not req == size: that one reaches wasm as a three-way compare (-1, 0, 1
            // and two selects) that wasm-opt keeps, 15 bytes more in every module.
            if (Features.speed() && (req ^ size) == 0) {
                return ptr;
            }
            int above = chunk + size;
            int aboveHeader = Chunk.header(above);
            int total = size;
            if ((aboveHeader & ALLOCATED) == 0 && (Features.growInPlace() || req <= size)) {
                total += aboveHeader & SIZE_MASK;
            }
            if (req <= total) {
                if (total != size) {
                    Gaps.deregister(t, above, total - size);
                }
                int resized = Alloc.splitOff(t, chunk, total, req);
                Chunk.setHeader(chunk, resized | (h & ~SIZE_MASK));
                Chunk.writeSeal(chunk);
                Counters.resized(t, size, resized);
                return ptr;
            }
        }
        int moved = Talc.malloc(t, n);
        if (moved != 0) {
            // With realloc in place, a block moves only to grow past its chunk: every usable
            // byte is kept (req > size means n > size - overhead).
            int usable = size - Chunk.overhead();
            Mem.copy(moved, ptr, Features.reallocInPlace() ? usable : Math.min(usable, n));
            Talc.release(t, chunk);
        }
        return moved;
    }
}
