package talc.core;

/**
 * The allocator's public API: C-like calls on an allocator handle {@code t} (the address of its
 * state block, see {@link State}). Pointers and sizes are wasm32 addresses held in {@code int}s;
 * a negative size means an unsigned size of 2 GiB or more, which never fits.
 *
 * <h2>Semantics (shared by the wasm exports)</h2>
 * <ul>
 *   <li>Every allocation is 16-aligned; {@code malloc(0)} returns a unique pointer (a 12-byte
 *       block) that must be freed like any other.</li>
 *   <li>Failure is 0, never an exception or a trap: requests above {@link #MAX_REQUEST}, bad
 *       alignments, and requests that neither the heaps nor the source can serve. A failed call
 *       leaves the heap as it was.</li>
 *   <li>{@code free(0)} does nothing. A pointer that is not 16-aligned or not inside memory is
 *       ignored: {@code free} does nothing, {@code realloc} returns 0 (it never traps). Freeing
 *       any other pointer this allocator did not return, or freeing twice, is undefined, unless
 *       the build is checked ({@link Features#checked()}): then {@code free}, {@code realloc}
 *       and {@link #verify} report it through {@link Report} with one of the kinds
 *       {@link #MISALIGNED} .. {@link #CORRUPTED}, before changing anything, and do nothing
 *       more. Checked builds also report metadata overwritten around the pointer's block, and
 *       an allocation that is about to take a free chunk whose tags or links were overwritten
 *       reports it ({@link #CORRUPTED}) and fails with 0; none of these calls traps or loops on a
 *       damaged heap ({@link Misuse}).</li>
 *   <li>{@code realloc(0, n)} is {@code malloc(n)}; {@code realloc(p, 0)} frees {@code p} and
 *       returns 0; a failed {@code realloc} returns 0 and leaves {@code p} allocated and
 *       unchanged. Moving keeps 16-byte alignment only.</li>
 *   <li>{@code calloc(n, size)} returns zeroed memory, or 0 when {@code n * size} overflows.</li>
 *   <li>{@code alignedAlloc(align, size)}: {@code align} must be a power of two up to 2^30.</li>
 * </ul>
 */
public final class Talc {
    /** Largest request size in bytes. */
    public static final int MAX_REQUEST = Chunk.MAX_REQUEST;
    /** Alignment of every allocation. */
    public static final int MIN_ALIGN = Chunk.UNIT;
    /** log2 of {@link #MIN_ALIGN}. */
    private static final int UNIT_SHIFT = 4;

    /** Misuse kind (checked builds): the pointer is not 16-aligned. */
    public static final int MISALIGNED = Misuse.MISALIGNED;
    /** Misuse kind: the pointer is outside every heap. */
    public static final int OUTSIDE_HEAPS = Misuse.OUTSIDE_HEAPS;
    /** Misuse kind: the pointer is inside an allocated block, not at its start. */
    public static final int INSIDE_BLOCK = Misuse.INSIDE_BLOCK;
    /** Misuse kind: the pointer is in free memory (double free, or never allocated). */
    public static final int NOT_ALLOCATED = Misuse.NOT_ALLOCATED;
    /** Misuse kind: boundary tags disagree (memory outside a block was overwritten). */
    public static final int CORRUPTED = Misuse.CORRUPTED;

    private Talc() {
    }

    /** Bytes the state block needs with the configured binning (16-aligned). */
    public static int stateSize() {
        return State.size();
    }

    /**
     * Makes an allocator with the Manual source at {@code t} (16-aligned, {@link #stateSize()}
     * bytes that no heap may overlap) and returns {@code t}.
     */
    public static int init(int t) {
        State.init(t);
        return t;
    }

    /** Sets the source to Claim: the region {@code [base, base+size)} is claimed at the first OOM. */
    public static void useClaimSource(int t, int base, int size) {
        Source.set(t, Source.CLAIM, base, size);
    }

    /**
     * Sets the source to {@link Source#GROW_AND_CLAIM} or {@link Source#GROW_AND_EXTEND};
     * {@code lastHeapEnd} is where a heap of this allocator ends that the Extend source may extend
     * (0: none).
     */
    public static void useGrowingSource(int t, int kind, int lastHeapEnd) {
        Source.set(t, kind, lastHeapEnd == 0 ? Source.NO_HEAP : lastHeapEnd, Source.MAX_PAGES);
    }

    /** Sets the source to Manual. */
    public static void useManualSource(int t) {
        Source.set(t, Source.MANUAL, 0, 0);
    }

    /** Creates an allocator with a growing source in newly grown memory; 0 if memory cannot grow. */
    public static int bootGrowing(int kind) {
        return Source.bootGrowing(kind);
    }

    /**
     * Creates an allocator with the source {@code kind} (a growing one, or Manual for an arena)
     * in memory it already owns and that is still all zero (a fresh wasm memory): the state
     * block at {@code t} and the first heap after it up to {@code end} (both 16-aligned, at
     * least {@code stateSize() + 32} bytes apart). Returns {@code t}.
     */
    public static int bootInPlace(int t, int end, int kind) {
        return Source.bootZeroed(t, end, kind);
    }

    /**
     * Creates an allocator with a growing source in {@code [start, limit)} of a memory shared
     * with other code (see README_WASM.md, "Sharing a memory"): never touches memory outside the
     * region, never grows memory past {@code limit}. Returns the handle, or 0 if the region is
     * too small or not in memory yet.
     */
    public static int bootInRegion(int start, int limit, int kind) {
        return Source.bootInRegion(start, limit, kind);
    }

    public static int malloc(int t, int size) {
        if (Features.speed() && !Features.checked()) {
            // The bin pop alone first (see Features.speed); a request out of range skips it,
            // and the general path refuses it. (Checked builds take the general path, which
            // checks a free chunk before it takes it.)
            int req = Chunk.sizeFor(size);
            if (inRange(size, MIN_ALIGN, req)) {
                int ptr = Alloc.pop(t, req, MIN_ALIGN, req);
                if (ptr != 0) {
                    return ptr;
                }
            }
        }
        return allocate(t, size, MIN_ALIGN);
    }

    public static int alignedAlloc(int t, int align, int size) {
        // A bad alignment becomes -1, which allocate refuses in its range check before it
        // touches anything, as it does 2^31: one call and no branch.
        return allocate(t, size, powerOfTwo(align) ? align : -1);
    }

    /**
     * Whether {@code align} is a power of two (one {@code i32.popcnt} in wasm). 2^31, a negative
     * {@code int}, passes here and is refused by {@link #inRange}.
     */
    private static boolean powerOfTwo(int align) {
        return Integer.bitCount(align) == 1;
    }

    public static int calloc(int t, int n, int size) {
        // The unsigned product in 64 bits; one of 2 GiB or more (also one that overflowed 32
        // bits) becomes -1, which allocate refuses like any request past MAX_REQUEST.
        long product = Mem.unsignedLong(n) * Mem.unsignedLong(size);
        int total = product >>> Integer.SIZE - 1 != 0 ? -1 : (int) product;
        int ptr = allocate(t, total, MIN_ALIGN);
        if (ptr != 0) {
            Mem.fill(ptr, 0, total);
        }
        return ptr;
    }

    private static int allocate(int t, int size, int align) {
        int req = Chunk.sizeFor(size);
        int need = Alloc.need(req, align);
        if (!inRange(size, align, need)) {
            return 0;
        }
        if (Features.source() == Source.MANUAL) {
            // A build whose allocator never acquires memory (an arena): one attempt.
            return allocated(Alloc.tryAllocate(t, req, align, need));
        }
        // The second attempt succeeds: a grow adds a gap of at least need bytes (Source.grow),
        // and a claim that fell short is not offered again, so the next acquire fails. Each
        // acquire takes memory the allocator did not have, so the loop ends in any case.
        // (One call site: wasm-opt inlines the allocation path here.)
        while (true) {
            int ptr = Alloc.tryAllocate(t, req, align, need);
            if (ptr != 0 || !Source.acquire(t, need)) {
                return allocated(ptr);
            }
        }
    }

    /** The result of an allocation attempt: checked builds fail a call that found (and reported) a damaged free chunk. */
    private static int allocated(int ptr) {
        return Features.checked() && ptr == Alloc.DAMAGED ? 0 : ptr;
    }

    /**
     * Whether a request of {@code size} bytes at {@code align} (a power of two) that needs
     * {@code need} gap bytes can be served at all. A negative size or alignment is an unsigned
     * one of 2 GiB or more (one test for both: their bitwise or). A need that overflowed is
     * negative, 2 GiB or more unsigned, unless the size was (its chunk size wrapped) or the
     * alignment was (with a wrapped chunk size, padding for 2^31 wraps the need back into
     * range). Otherwise the need is larger than the size, so bounding the need bounds the size
     * too.
     */
    private static boolean inRange(int size, int align, int need) {
        return (size | align) >= 0 && Mem.lessUnsigned(need, MAX_REQUEST + 1);
    }

    public static void free(int t, int ptr) {
        if (verify(t, ptr)) {
            release(t, Chunk.of(ptr));
        }
    }

    /** Frees the live allocation whose chunk is {@code chunk} (already verified). */
    static void release(int t, int chunk) {
        if (Features.counters()) {
            Counters.freed(t, Chunk.header(chunk) & Chunk.SIZE_MASK);
        }
        Free.release(t, chunk);
    }

    public static int realloc(int t, int ptr, int size) {
        if (ptr == 0) {
            return malloc(t, size);
        }
        if (!verify(t, ptr)) {
            return 0;
        }
        if (size == 0) {
            release(t, Chunk.of(ptr));
            return 0;
        }
        return Realloc.realloc(t, ptr, size);
    }

    /**
     * Whether {@code ptr} may be freed or resized: {@code false} for 0 (nothing to do, nothing
     * reported). Unchecked builds test only what costs nothing: it is 16-aligned and its header
     * lies in memory (so a wild pointer cannot make the call trap). Checked builds answer
     * {@code true} exactly for a live allocation with intact boundary tags, and otherwise
     * {@code false} after reporting the misuse through {@link Report}.
     */
    public static boolean verify(int t, int ptr) {
        if (!Features.checked()) {
            return Mem.holdsAligned(ptr, UNIT_SHIFT);
        }
        if (ptr == 0) {
            return false;
        }
        int kind = Misuse.check(t, ptr);
        if (kind != 0) {
            Report.misuse(kind, ptr);
            return false;
        }
        return true;
    }

    /**
     * Checked builds: scans every heap and free list of the allocator and returns 0 when all is
     * consistent, else the address of the first inconsistency, rounded down to 16, or-ed with
     * {@link #CORRUPTED} (see {@link Consistency}). Changes nothing and reports nothing.
     */
    public static int check(int t) {
        return Consistency.check(t);
    }

    /**
     * Checked builds: walks every chunk of every heap. {@code cursor = 0} gives the first chunk,
     * a chunk the next one (crossing into the next heap after a heap's top chunk), and the last
     * chunk gives 0. The word in front of a chunk is its header: size (a multiple of 16) | 1 when
     * allocated | 2 when the chunk below is free | 4 for a heap's first chunk ({@link Chunk}).
     */
    public static int walk(int t, int cursor) {
        return HeapList.walk(t, cursor);
    }

    /** The free-list bin a free chunk of {@code size} bytes (a multiple of 16) is kept in. */
    public static int bin(int size) {
        return Binning.bin(size);
    }

    /**
     * {@code malloc_usable_size}: bytes usable at {@code ptr}, or 0 when {@link #verify} rejects
     * it (0, misaligned, outside memory; checked builds: anything but a live allocation, after
     * reporting it).
     */
    public static int usableSize(int t, int ptr) {
        return verify(t, ptr) ? (Chunk.header(Chunk.of(ptr)) & Chunk.SIZE_MASK) - Chunk.overhead() : 0;
    }

    /**
     * Bytes a region at a 16-aligned address must have so that, claimed as a new heap, it serves
     * {@code alignedAlloc(align, size)}; -1 when no heap can (a size above {@link #MAX_REQUEST}
     * or a bad alignment). For sources outside the core that add a heap per failed request.
     */
    public static int regionFor(int size, int align) {
        if (!powerOfTwo(align)) {
            return -1;
        }
        int need = Alloc.need(Chunk.sizeFor(size), align);
        if (!inRange(size, align, need)) {
            return -1;
        }
        // claim puts the first payload one unit above a 16-aligned base (room for its header).
        return need + Chunk.UNIT;
    }

    /** Claims {@code [base, base+size)} as a new heap; returns its end, or 0 if too small. */
    public static int claim(int t, int base, int size) {
        return Heaps.claim(t, base, size);
    }

    /** Extends the heap ending at {@code heapEnd} to {@code newEnd}; returns the new end. */
    public static int extend(int t, int heapEnd, int newEnd) {
        return Heaps.extend(t, heapEnd, newEnd);
    }

    /** Truncates the heap ending at {@code heapEnd} towards {@code newEnd}; 0 if it was deleted. */
    public static int truncate(int t, int heapEnd, int newEnd) {
        return Heaps.truncate(t, heapEnd, newEnd);
    }

    /** Extends or truncates the heap ending at {@code heapEnd}. */
    public static int resize(int t, int heapEnd, int newEnd) {
        return Heaps.resize(t, heapEnd, newEnd);
    }

    /** Lowest end the heap can be truncated to, or 0 when it holds no allocation. */
    public static int reserved(int heapEnd) {
        return Heaps.reserved(heapEnd);
    }
}
