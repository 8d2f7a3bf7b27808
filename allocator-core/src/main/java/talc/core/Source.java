package talc.core;

import static talc.core.Chunk.BELOW_FREE;
import static talc.core.Chunk.UNIT;

/**
 * What an allocator does when its heaps cannot serve a request (Talc's {@code Source}s), chosen
 * per allocator by a kind stored in the state block, or for every allocator of a build by
 * {@link Features#source()} (a wasm module fixes it). {@link #acquire} is called at most once per
 * request: if the memory it adds still does not serve the request, the request fails, so no
 * source can loop.
 *
 * <ul>
 *   <li>{@link #MANUAL}: fails; the owner claims memory by hand.</li>
 *   <li>{@link #CLAIM}: claims one given region at the first OOM, then behaves as Manual.
 *       Word A is the region's base, word B its size (0 once used).</li>
 *   <li>{@link #GROW_AND_CLAIM}: {@code memory.grow}s and claims the new pages as a new heap.</li>
 *   <li>{@link #GROW_AND_EXTEND}: {@code memory.grow}s and, when the new pages start where this
 *       allocator's last heap ends, extends that heap (merging with a free top chunk, so it
 *       also grows less); otherwise (another party grew memory in between) claims a new heap.
 *       Word A is the end of the last heap it grew, or {@link #NO_HEAP} (-1, never a page
 *       boundary).</li>
 * </ul>
 * For both growing sources word B is the memory size in pages they never grow past:
 * {@link #MAX_PAGES}, or less for an allocator that serves part of a memory shared with other
 * code ({@link #bootInRegion}); builds without region limits ({@link Features#regionLimit()})
 * neither write nor read it.
 *
 * <h2>Growth policy (both growing sources)</h2>
 * A request that needs {@code k} pages grows {@code max(k', min(pages * 3 / 16, 256))} pages,
 * where {@code k' <= k + 1} is the exact number of pages that make the request fit and
 * {@code pages} is the current memory size: geometric growth of 3/16 (about 19%) of memory,
 * capped at 16 MiB a step, with the request itself as the floor. If that grow fails, it retries
 * once with {@code k'} alone. Memory above {@link #MAX_PAGES} is never used (addresses are
 * positive {@code int}s): with region limits the source stops there itself, without them the
 * memory must refuse to grow past it ({@link Features#regionLimit()}).
 *
 * <p>Why 3/16 (measured by {@code GrowthPolicyReport} in the tests): growing exactly takes 1025
 * {@code memory.grow} calls to hold 64 MiB in 64 KiB blocks (about half a millisecond each in
 * Node); 1/8 takes 52, 3/16 takes 38, 1/4 takes 30. On Talc's random-actions workload the
 * memory used over exact growth is +1.6% (1/8), +13% (3/16), +20% (1/4). Doubling, as
 * AssemblyScript's TLSF does, can waste half of memory.
 */
public final class Source {
    public static final int MANUAL = 0;
    public static final int CLAIM = 1;
    public static final int GROW_AND_CLAIM = 2;
    public static final int GROW_AND_EXTEND = 3;

    /** Growth step as a fraction of memory: {@code pages * GROWTH_NUMERATOR >>> GROWTH_SHIFT}. */
    static final int GROWTH_NUMERATOR = 3;
    static final int GROWTH_SHIFT = 4;
    /** Cap of the geometric step, in pages (16 MiB). */
    static final int MAX_GROWTH_PAGES = 256;
    /** Pages below {@link Heaps#MAX_HEAP_END}: the most memory a growing source will use. */
    public static final int MAX_PAGES = Heaps.MAX_HEAP_END >>> Mem.PAGE_SHIFT;

    /** Word A of {@link #GROW_AND_EXTEND} when it has no heap to extend: never equal to a page boundary. */
    static final int NO_HEAP = -1;

    private Source() {
    }

    static void set(int t, int kind, int a, int b) {
        if (Features.source() == Features.SOURCE_PER_ALLOCATOR) {
            Mem.putInt(t + State.SOURCE_KIND, kind);
        }
        Mem.putInt(t + State.SOURCE_A, a);
        if (kind < GROW_AND_CLAIM || Features.regionLimit()) {
            Mem.putInt(t + State.SOURCE_B, b);
        }
    }

    /**
     * The memory size in pages a growing source never grows past: word B, or {@link #MAX_PAGES}
     * itself in builds without region limits ({@link Features#regionLimit()}).
     */
    private static int maxPages(int t) {
        return Features.regionLimit() ? Mem.getInt(t + State.SOURCE_B) : MAX_PAGES;
    }

    static int kind(int t) {
        int fixed = Features.source();
        return fixed != Features.SOURCE_PER_ALLOCATOR ? fixed : Mem.getInt(t + State.SOURCE_KIND);
    }

    /** Tries to add memory so that a request needing {@code need} gap bytes can be served. */
    static boolean acquire(int t, int need) {
        int kind = kind(t);
        if (kind == CLAIM) {
            int size = Mem.getInt(t + State.SOURCE_B);
            Mem.putInt(t + State.SOURCE_B, 0);
            return size != 0 && Heaps.claim(t, Mem.getInt(t + State.SOURCE_A), size) != 0;
        }
        return kind >= GROW_AND_CLAIM && grow(t, kind, need);
    }

    private static boolean grow(int t, int kind, int need) {
        int pages = Mem.pages();
        int lastEnd = Mem.getInt(t + State.SOURCE_A);
        // Where the new pages will start: nothing can grow memory between this memory.size and
        // the memory.grow below. (Past room, base may wrap; then nothing is grown.)
        int base = pages << Mem.PAGE_SHIFT;
        // A fresh heap starts one unit above its page boundary (first header word, aligned).
        int bytes = need + UNIT;
        // The header bits of the new chunk (see Heaps.attach).
        int flags = Chunk.heapFirst();
        boolean extend = kind == GROW_AND_EXTEND && lastEnd == base;
        if (extend) {
            // The new chunk starts at the old sentinel and merges with a free top chunk.
            bytes = need;
            int sentinel = Heaps.sentinel(lastEnd);
            if (Features.checked() && !Misuse.sentinelIntact(t, sentinel)) {
                return false;
            }
            flags = Chunk.header(sentinel);
            if ((flags & BELOW_FREE) != 0) {
                bytes -= Chunk.footerBelow(sentinel);
            }
        }
        // bytes >= 1: a top gap of need bytes or more would have served the request (any gap of
        // at least need bytes fits it, and a failed allocation has looked at every bin that can
        // hold one), so the gap is smaller than need.
        int exact = (bytes + Mem.PAGE_SIZE - 1) >>> Mem.PAGE_SHIFT;
        int delta = Math.max(exact, Math.min(pages * GROWTH_NUMERATOR >>> GROWTH_SHIFT, MAX_GROWTH_PAGES));
        // With region limits the source keeps below its limit itself. Without them the memory
        // refuses to grow past MAX_PAGES (a module that owns its memory declares that maximum),
        // and the retry below takes what still fits.
        if (Features.regionLimit()) {
            int room = maxPages(t) - pages;
            if (exact > room) {
                return false;
            }
            delta = Math.min(delta, room);
        }
        if (Mem.grow(delta) < 0) {
            // Refused (a declared maximum): the request alone may still fit.
            delta = exact;
            if (Mem.grow(delta) < 0) {
                return false;
            }
        }
        int end = base + (delta << Mem.PAGE_SHIFT);
        // Extending, the new chunk is the old sentinel, the header word below base; a new heap's
        // first chunk is the header word below base + UNIT (its payload aligned).
        int chunk = base + (extend ? -Chunk.HEADER : UNIT - Chunk.HEADER);
        Mem.putInt(t + State.SOURCE_A, Heaps.attach(t, chunk, end, flags));
        return true;
    }

    /**
     * Creates an allocator with a growing source at {@code t}, in memory it already owns: the
     * state block at {@code t}, then the first heap up to {@code end}, where the last heap ends
     * for {@link #GROW_AND_EXTEND}. {@code t} and {@code end} are 16-aligned with room for the
     * state block and a chunk. Returns {@code t}.
     */
    static int boot(int t, int end, int kind) {
        State.init(t);
        return bootZeroed(t, end, kind);
    }

    /** {@link #boot} where the state block's bytes are all zero already (a fresh memory). */
    static int bootZeroed(int t, int end, int kind) {
        int heapEnd = Heaps.add(t, t + State.size() + UNIT - Chunk.HEADER, end);
        // A zero state block is a Manual source already (an arena needs neither word).
        if (kind != MANUAL) {
            set(t, kind, heapEnd, MAX_PAGES);
        }
        return t;
    }

    /**
     * Creates an allocator with a growing source in the region {@code [start, limit)} of a memory
     * that other code uses too: the state block at {@code start} (rounded up to 16), the first
     * heap from there to the end of the region or of the memory, whichever comes first; later
     * growth never takes memory past {@code limit} ({@code limit <= 0}, i.e. 2 GiB or more
     * unsigned, means no limit). Returns the handle, or 0 when the part of the region that
     * exists cannot hold the state block and a chunk, or when a limit is given to a build
     * without region limits ({@link Features#regionLimit()}).
     */
    static int bootInRegion(int start, int limit, int kind) {
        if (limit > 0 && !Features.regionLimit()) {
            return 0;
        }
        int memoryEnd = Math.min(Mem.pages(), MAX_PAGES) << Mem.PAGE_SHIFT;
        int end = (limit <= 0 ? memoryEnd : Math.min(limit, memoryEnd)) & Chunk.SIZE_MASK;
        int t = (start + UNIT - 1) & Chunk.SIZE_MASK;
        if (start <= 0 || t <= 0 || end - t < State.size() + 2 * UNIT) {
            return 0;
        }
        boot(t, end, kind);
        if (limit > 0) {
            Mem.putInt(t + State.SOURCE_B, Math.min(limit >>> Mem.PAGE_SHIFT, MAX_PAGES));
        }
        return t;
    }

    /**
     * Creates an allocator with a growing source in fresh pages: grows memory by one page and
     * {@link #boot}s there. Returns the handle, or 0 when memory cannot grow.
     */
    static int bootGrowing(int kind) {
        if (Mem.pages() >= MAX_PAGES) {
            return 0;
        }
        int old = Mem.grow(1);
        if (old < 0) {
            return 0;
        }
        int base = old << Mem.PAGE_SHIFT;
        // Address 0 is null, and a handle of 0 means failure: at the bottom of an empty memory
        // the state block goes one unit up.
        return boot(base == 0 ? UNIT : base, base + Mem.PAGE_SIZE, kind);
    }
}
