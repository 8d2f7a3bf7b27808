package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.HEAP_FIRST;
import static talc.core.Chunk.SIZE_MASK;
import static talc.core.Chunk.UNIT;

/**
 * Checked builds only: deciding whether a pointer handed to {@code free}, {@code realloc} or
 * {@code malloc_usable_size} is a live allocation, before anything is changed, and which kind of
 * misuse it is when it is not. The kinds are the codes the report hook ({@link Report}) and the
 * heap check ({@link Consistency}) give out; they are part of the ABI of the checked module.
 *
 * <p>The fast path, O(1): a pointer is taken for a live allocation when it is 16-aligned, in
 * memory, its header says allocated, and the boundary tags around it agree: its guard word
 * ({@link Chunk#guard}) when the chunk below is allocated, else the free chunk below's footer
 * and header; the chunk above does not call it free, and a free chunk above has a matching
 * footer. User data passes that only by matching a 32-bit address hash and the neighbours'
 * tags at once. A freed chunk never keeps an allocated header: it becomes a gap's header, or
 * is cleared when it merges into the gap below ({@link Free}). When the fast path fails, the
 * pointer's heap is walked to name the kind: in no heap, inside an allocated block, in a gap,
 * or at the start of an allocated chunk whose tags were overwritten.
 */
final class Misuse {
    /** Not 16-aligned: no allocation starts there. */
    static final int MISALIGNED = 1;
    /** Outside every heap of this allocator. */
    static final int OUTSIDE_HEAPS = 2;
    /** Inside an allocated block but not its start (or a block the allocator keeps for itself). */
    static final int INSIDE_BLOCK = 3;
    /** In free memory: freed already (double free), or never allocated. */
    static final int NOT_ALLOCATED = 4;
    /** The boundary tags around it disagree: memory outside a block was overwritten. */
    static final int CORRUPTED = 5;

    /** Bits of a header that may be set. */
    private static final int KNOWN_BITS = SIZE_MASK | ALLOCATED | BELOW_FREE | HEAP_FIRST;

    private Misuse() {
    }

    /** 0 when {@code ptr} (nonzero) is a live allocation with intact tags, else the misuse kind. */
    static int check(int t, int ptr) {
        if ((ptr & (UNIT - 1)) != 0) {
            return MISALIGNED;
        }
        if (ptr >= UNIT && Mem.holds(ptr) && tagsAgree(ptr)) {
            return 0;
        }
        return classify(t, ptr);
    }

    /** Whether {@code ptr} (held by memory) has an allocated header, and tags that agree with its neighbours'. */
    private static boolean tagsAgree(int ptr) {
        // Chunk addresses below the limit keep their header in memory.
        int limit = Mem.end(ptr) - Chunk.HEADER;
        int chunk = Chunk.of(ptr);
        int h = Chunk.header(chunk);
        int size = h & SIZE_MASK;
        if ((h & ~KNOWN_BITS) != 0 || (h & ALLOCATED) == 0 || size <= 0 || size > limit - chunk) {
            return false;
        }
        int above = chunk + size;
        int aboveHeader = Chunk.header(above);
        if ((aboveHeader & BELOW_FREE) != 0) {
            return false;
        }
        if ((aboveHeader & ALLOCATED) == 0) {
            int aboveSize = aboveHeader & SIZE_MASK;
            if (aboveSize <= 0 || aboveSize > limit - above || Chunk.footerBelow(above + aboveSize) != aboveSize) {
                return false;
            }
        }
        if ((h & BELOW_FREE) == 0) {
            return Mem.getInt(chunk - Chunk.GUARD) == Chunk.guard(chunk);
        }
        int belowSize = Chunk.footerBelow(chunk);
        return belowSize > 0 && (belowSize & (UNIT - 1)) == 0 && Mem.holds(ptr - belowSize)
                && (Chunk.header(chunk - belowSize) & (SIZE_MASK | ALLOCATED)) == belowSize;
    }

    /** Names what {@code ptr} (16-aligned, failed the fast path) points at, by walking its heap. */
    private static int classify(int t, int ptr) {
        int target = Chunk.of(ptr);
        int first = ptr <= 0 ? 0 : HeapList.heapBelow(t, target);
        if (first == 0) {
            return OUTSIDE_HEAPS;
        }
        int limit = Mem.end(Chunk.payload(first)) - Chunk.HEADER;
        int chunk = first;
        while (true) {
            int h = Chunk.header(chunk);
            int size = h & SIZE_MASK;
            if (size == 0) {
                return OUTSIDE_HEAPS;
            }
            if (size > limit - chunk) {
                return CORRUPTED;
            }
            if (target < chunk + size) {
                if ((h & ALLOCATED) == 0) {
                    return NOT_ALLOCATED;
                }
                return target == chunk ? CORRUPTED : INSIDE_BLOCK;
            }
            chunk += size;
        }
    }
}
