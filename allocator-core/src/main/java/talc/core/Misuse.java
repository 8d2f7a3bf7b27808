package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.HEAP_FIRST;
import static talc.core.Chunk.SIZE_MASK;
import static talc.core.Chunk.UNIT;

/**
 * Checked builds only: deciding, before anything is changed, whether a pointer handed to
 * {@code free}, {@code realloc} or {@code malloc_usable_size} is a live allocation whose
 * metadata is intact, whether a free chunk the allocation path is about to take is intact, and
 * which kind of misuse it is when not. The kinds are the codes the report hook ({@link Report})
 * and the heap check ({@link Consistency}) give out; they are part of the ABI of the checked
 * module.
 *
 * <p>What "intact" means, in O(1) (O(heaps) where a sentinel is involved: it must be at the
 * end the heap list has for its heap), reading nothing outside memory whatever the words hold:
 * <ul>
 *   <li>An allocated chunk: aligned, in memory, its header says allocated with a size that stays
 *       in memory, and its seal (its last word, {@link Chunk#seal}) matches its end and header.
 *       So its size is the one it was allocated with, and user data passes for a chunk only by
 *       matching a 32-bit hash.</li>
 *   <li>A gap: its header says free, its footer is its size, the chunk above it says
 *       {@code BELOW_FREE}, and its list links agree both ways (the word its prev link names
 *       points back to it, and so does its next's prev link), so unlinking it writes only words
 *       that point to it.</li>
 *   <li>For {@code free}, {@code realloc} and {@code malloc_usable_size}, the pointer's chunk and
 *       every chunk around it whose header a free or an in-place realloc reads or writes: the
 *       chunk or gap below (and below a gap, the allocated chunk, through its seal), and the
 *       chunk or gap above (and above a gap, the chunk or sentinel there). A chunk below that is
 *       allocated is found through its seal, which holds its header ({@link #baseIntact}); a
 *       heap's first chunk has its heap's end and link words ({@link HeapList}) instead. So
 *       every word a write past a block's end or before its start can reach is checked by a
 *       call on either block beside it.</li>
 * </ul>
 * A freed chunk never keeps an allocated header: it becomes a gap's header, or is cleared when
 * it merges into the gap below ({@link Free}). When the check fails, the pointer's heap is
 * walked from its first chunk to name the kind ({@link #classify}): in no heap (or past its
 * end), inside an allocated block, in a gap, or {@link #CORRUPTED} when the heap list is damaged
 * on the way to its heap, the walk meets a chunk whose tags are damaged before it gets there
 * (a sentinel's word before the heap's end is one), or the pointer starts a chunk whose tags or
 * neighbours are.
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

    /** log2 of {@link Chunk#UNIT}, for {@link Mem#holdsAligned}. */
    static final int UNIT_SHIFT = 4;
    /** Bits of a header that may be set. */
    private static final int KNOWN_BITS = SIZE_MASK | ALLOCATED | BELOW_FREE | HEAP_FIRST;

    private Misuse() {
    }

    /** 0 when {@code ptr} (nonzero) is a live allocation whose tags and neighbours are intact, else the misuse kind. */
    static int check(int t, int ptr) {
        if ((ptr & (UNIT - 1)) != 0) {
            return MISALIGNED;
        }
        if (ptr >= UNIT && Mem.holds(ptr) && tagsAgree(t, Chunk.of(ptr))) {
            return 0;
        }
        return classify(t, ptr);
    }

    /**
     * Allocation path: whether the gap at {@code gap}, listed after {@code prev} (a bin head's
     * link, or the gap before it), is intact ({@link #gapSize}). If not, reports it as
     * {@link #CORRUPTED} (at its user pointer, or at the state block {@code t} for a list head
     * that is no chunk address) and answers {@code false}.
     */
    static boolean listedGapIntact(int t, int gap, int prev) {
        if (gapSize(t, gap, prev) != 0) {
            return true;
        }
        Report.misuse(CORRUPTED, gapAddress(t, gap) ? Chunk.payload(gap) : t);
        return false;
    }

    /**
     * Growth path: whether the sentinel at {@code sentinel}, which a heap extension turns into a
     * chunk, is intact with the chunk below it: a gap ({@link #gapSize}) or an allocated chunk
     * whose seal holds. If not, reports it as {@link #CORRUPTED} at its heap's end and answers
     * {@code false}.
     */
    static boolean sentinelIntact(int t, int sentinel) {
        int h = Chunk.header(sentinel);
        int top = sentinel - Chunk.footerBelow(sentinel);
        boolean intact = isSentinel(t, sentinel, h) && ((h & BELOW_FREE) == 0 ? baseIntact(sentinel, h)
                : top < sentinel && gapSize(t, top, 0) == sentinel - top);
        if (!intact) {
            Report.misuse(CORRUPTED, Chunk.payload(sentinel));
        }
        return intact;
    }

    /** Whether the chunk at {@code chunk}, whose header lies in memory, is an allocated chunk whose seal holds. */
    static boolean sealed(int chunk, int h) {
        int size = h & SIZE_MASK;
        return (h & (~KNOWN_BITS | ALLOCATED)) == ALLOCATED && size > 0 && size <= limit(chunk) - chunk
                && Mem.getInt(chunk + size - Chunk.SEAL) == Chunk.seal(chunk + size, h);
    }

    /**
     * Whether a gap at {@code chunk}, whose header {@code h} lies in memory, has a size that
     * stays in memory and a footer that agrees with it (its other tags are the caller's).
     */
    static boolean gapSized(int chunk, int h) {
        int size = h & SIZE_MASK;
        return size > 0 && size <= limit(chunk) - chunk && Chunk.footerBelow(chunk + size) == size;
    }

    /** The highest chunk address whose header lies in the memory region of {@code chunk}'s header (or below it when none). */
    private static int limit(int chunk) {
        return Mem.end(Chunk.payload(chunk)) - Chunk.HEADER;
    }

    /** Whether {@code chunk} (allocated, header readable) has intact tags and neighbours (see the class comment). */
    private static boolean tagsAgree(int t, int chunk) {
        int h = Chunk.header(chunk);
        if (!sealed(chunk, h)) {
            return false;
        }
        if ((h & BELOW_FREE) != 0) {
            int belowSize = Chunk.footerBelow(chunk);
            int below = chunk - belowSize;
            if (belowSize <= 0 || gapSize(t, below, 0) != belowSize || !baseIntact(below, Chunk.header(below))) {
                return false;
            }
        } else if (!baseIntact(chunk, h)) {
            return false;
        }
        int above = chunk + (h & SIZE_MASK);
        if ((Chunk.header(above) & ALLOCATED) != 0) {
            return endIntact(t, above, false);
        }
        int aboveSize = gapSize(t, above, 0);
        return aboveSize != 0 && endIntact(t, above + aboveSize, true);
    }

    /**
     * Whether the chunk at {@code above}, the chunk above a chunk whose size holds, is an
     * allocated chunk whose seal holds or its heap's sentinel ({@link #isSentinel}), with
     * {@code BELOW_FREE} as given.
     */
    private static boolean endIntact(int t, int above, boolean belowFree) {
        int h = Chunk.header(above);
        if (((h & BELOW_FREE) != 0) != belowFree) {
            return false;
        }
        return (h & SIZE_MASK) == 0 ? isSentinel(t, above, h) : sealed(above, h);
    }

    /**
     * Whether the word at {@code sentinel} (in memory) with header {@code h} is a sentinel:
     * size 0, allocated, no other flag but {@code BELOW_FREE}, at the end the heap list has for
     * its heap. (A chunk header overwritten with such a word is not at the end.)
     */
    private static boolean isSentinel(int t, int sentinel, int h) {
        int first = HeapList.heapBelow(t, sentinel);
        return (h & ~BELOW_FREE) == ALLOCATED && first > 0 && HeapList.end(first) == sentinel + Chunk.HEADER;
    }

    /**
     * Whether what lies below the chunk at {@code chunk} (header {@code h}, not above a gap) is
     * intact: its heap's link word when it is its heap's first chunk ({@link HeapList#next}),
     * else an allocated chunk whose seal, the word below {@code chunk}, holds that chunk's
     * header (without {@code BELOW_FREE}) and so its size.
     */
    private static boolean baseIntact(int chunk, int h) {
        if ((h & HEAP_FIRST) != 0) {
            return HeapList.next(chunk) != HeapList.BROKEN && HeapList.end(chunk) != HeapList.BROKEN;
        }
        int belowHeader = Mem.getInt(chunk - Chunk.SEAL) ^ Chunk.hash(chunk);
        int below = chunk - (belowHeader & SIZE_MASK);
        return (belowHeader & ALLOCATED) != 0 && below < chunk && Mem.holdsAligned(Chunk.payload(below), UNIT_SHIFT)
                && (Chunk.header(below) & ~BELOW_FREE) == belowHeader;
    }

    /**
     * The size of the gap at {@code gap} if it is intact, else 0: its header lies in memory and
     * says free (no {@code BELOW_FREE}, no unknown bits), its size stays in memory, its footer
     * is its size, the chunk above says {@code BELOW_FREE}, and its links agree both ways. Its
     * prev link must be {@code prev}, or with {@code prev = 0} its bin's head link or another
     * gap.
     */
    static int gapSize(int t, int gap, int prev) {
        if (!gapAddress(t, gap)) {
            return 0;
        }
        int h = Chunk.header(gap);
        int size = h & SIZE_MASK;
        if ((h & ~(SIZE_MASK | HEAP_FIRST)) != 0 || !gapSized(gap, h)
                || (Chunk.header(gap + size) & (ALLOCATED | BELOW_FREE)) != (ALLOCATED | BELOW_FREE)) {
            return 0;
        }
        int link = Mem.getInt(gap + Gaps.PREV);
        if (prev == 0 ? link != Gaps.headLink(t, Binning.bin(size)) && !gapAddress(t, link) : link != prev) {
            return 0;
        }
        int next = Mem.getInt(gap + Gaps.NEXT);
        boolean linked = Mem.getInt(link + Gaps.NEXT) == gap
                && (next == 0 || gapAddress(t, next) && Mem.getInt(next + Gaps.PREV) == gap);
        return linked ? size : 0;
    }

    /**
     * Whether a gap's header and links at chunk address {@code chunk} lie in memory: its payload is
     * 16-aligned and in memory with the links' 12 bytes, and it is not in the state block (so
     * no bin head passes for a gap, and a list walked with {@link #gapSize} never loops).
     */
    static boolean gapAddress(int t, int chunk) {
        return Mem.holdsAligned(Chunk.payload(chunk), UNIT_SHIFT) && Mem.holds(chunk + Gaps.PREV + Integer.BYTES)
                && !Mem.lessUnsigned(chunk - t, State.size());
    }

    /** Names what {@code ptr} (16-aligned, failed the fast path) points at, by walking its heap. */
    private static int classify(int t, int ptr) {
        int target = Chunk.of(ptr);
        int first = ptr <= 0 ? 0 : HeapList.heapBelow(t, target);
        if (first == HeapList.BROKEN) {
            return CORRUPTED;
        }
        if (first == 0 || target >= Heaps.sentinel(HeapList.end(first))) {
            return OUTSIDE_HEAPS;
        }
        int sentinel = Heaps.sentinel(HeapList.end(first));
        boolean belowFree = false;
        int chunk = first;
        while (true) {
            int h = Chunk.header(chunk);
            int size = h & SIZE_MASK;
            // The walk ends before the sentinel: a size of 0 is a header overwritten.
            if (!Consistency.walkable(chunk, h, belowFree, chunk == first) || size == 0 || size > sentinel - chunk) {
                return CORRUPTED;
            }
            if (target < chunk + size) {
                if ((h & ALLOCATED) == 0) {
                    return NOT_ALLOCATED;
                }
                return target == chunk ? CORRUPTED : INSIDE_BLOCK;
            }
            belowFree = (h & ALLOCATED) == 0;
            chunk += size;
        }
    }
}
