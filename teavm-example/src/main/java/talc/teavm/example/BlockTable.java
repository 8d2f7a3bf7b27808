package talc.teavm.example;

import talc.teavm.GcAgreement;
import talc.teavm.NativeArena;
import talc.teavm.NativeHeap;

/**
 * A table of blocks from one allocator, each filled with its own pattern and checked before
 * every free or resize and at the end: the allocator's side of the example, over the main heap
 * ({@link NativeBlocks}) or an arena ({@link ArenaBlocks}). It counts every pattern found
 * overwritten, every block found inside the GC's area, and every broken promise of the API.
 */
final class BlockTable {
    /** The calls of {@link NativeHeap} and {@link NativeArena} that the table makes. */
    interface Allocator {
        int malloc(int size);

        int alignedAlloc(int align, int size);

        int calloc(int n, int size);

        int realloc(int ptr, int size);

        void free(int ptr);

        int usableSize(int ptr);
    }

    /** The main heap as an {@link Allocator}. */
    static final Allocator MAIN_HEAP = new Allocator() {
        @Override
        public int malloc(int size) {
            return NativeHeap.malloc(size);
        }

        @Override
        public int alignedAlloc(int align, int size) {
            return NativeHeap.alignedAlloc(align, size);
        }

        @Override
        public int calloc(int n, int size) {
            return NativeHeap.calloc(n, size);
        }

        @Override
        public int realloc(int ptr, int size) {
            return NativeHeap.realloc(ptr, size);
        }

        @Override
        public void free(int ptr) {
            NativeHeap.free(ptr);
        }

        @Override
        public int usableSize(int ptr) {
            return NativeHeap.usableSize(ptr);
        }
    };

    /** An arena as an {@link Allocator}. */
    static Allocator of(NativeArena arena) {
        return new Allocator() {
            @Override
            public int malloc(int size) {
                return arena.malloc(size);
            }

            @Override
            public int alignedAlloc(int align, int size) {
                return arena.alignedAlloc(align, size);
            }

            @Override
            public int calloc(int n, int size) {
                return arena.calloc(n, size);
            }

            @Override
            public int realloc(int ptr, int size) {
                return arena.realloc(ptr, size);
            }

            @Override
            public void free(int ptr) {
                arena.free(ptr);
            }

            @Override
            public int usableSize(int ptr) {
                return arena.usableSize(ptr);
            }
        };
    }

    private static final int MIN_ALIGN = 16;
    /** Kinds of allocation, chosen at random: malloc, alignedAlloc, calloc. */
    private static final int KINDS = 3;
    private static final int ALIGNED = 1;
    private static final int ZEROED = 2;

    private final Allocator allocator;
    /** Largest alignment {@code alignedAlloc} is asked for, as a shift of 16 bytes. */
    private final int maxAlignShift;
    final int[] ptrs;
    final int[] sizes;
    private final int[] seeds;
    private int nextSeed;

    /** Blocks whose contents were not their pattern when checked. */
    int corruptions;
    /** Checks that found a block inside the GC's area (below its memory limit). */
    int misplaced;
    /** Broken promises of the API: a usable size below the request, a misaligned or non-zeroed block. */
    int contractErrors;
    /** Allocations that returned 0 (none expected: memory can grow). */
    int failures;

    /** A table of {@code slots} over {@code allocator}; patterns are seeded from {@code firstSeed} up. */
    BlockTable(Allocator allocator, int slots, int maxAlignShift, int firstSeed) {
        this.allocator = allocator;
        this.maxAlignShift = maxAlignShift;
        this.ptrs = new int[slots];
        this.sizes = new int[slots];
        this.seeds = new int[slots];
        this.nextSeed = firstSeed;
    }

    int slots() {
        return ptrs.length;
    }

    /** Allocates {@code size} bytes into the empty {@code slot}, by a kind of call chosen with {@code rng}, and fills them. */
    void allocate(int slot, Rng rng, int size) {
        int kind = rng.below(KINDS);
        int align = kind == ALIGNED ? MIN_ALIGN << rng.below(maxAlignShift + 1) : MIN_ALIGN;
        int seed = nextSeed++;
        int p = kind == ALIGNED ? allocator.alignedAlloc(align, size)
                : kind == ZEROED ? allocator.calloc(1, size)
                : allocator.malloc(size);
        if (p == 0) {
            failures++;
            return;
        }
        if (kind == ZEROED && !Pattern.zeroed(p, size)) {
            contractErrors++;
        }
        Pattern.fill(p, 0, size, seed);
        if ((p & (align - 1)) != 0 || allocator.usableSize(p) < size) {
            contractErrors++;
        }
        ptrs[slot] = p;
        sizes[slot] = size;
        seeds[slot] = seed;
    }

    /** Resizes a checked block: the common prefix must survive, the rest is filled. */
    void resize(int slot, int size) {
        int old = sizes[slot];
        int p = allocator.realloc(ptrs[slot], size);
        if (p == 0) {
            failures++;
            return;
        }
        ptrs[slot] = p;
        sizes[slot] = size;
        if (!Pattern.matches(p, 0, Math.min(old, size), seeds[slot])) {
            corruptions++;
        }
        Pattern.fill(p, Math.min(old, size), size, seeds[slot]);
        if ((p & (MIN_ALIGN - 1)) != 0 || allocator.usableSize(p) < size) {
            contractErrors++;
        }
    }

    /** Frees a checked block and empties its slot. */
    void free(int slot) {
        allocator.free(ptrs[slot]);
        ptrs[slot] = 0;
    }

    /** Checks a live block's pattern and place; counts what is wrong and returns whether it was intact. */
    boolean check(int slot) {
        int p = ptrs[slot];
        if (p < GcAgreement.gcMemoryLimit()) {
            misplaced++;
        }
        boolean intact = Pattern.matches(p, 0, sizes[slot], seeds[slot]);
        if (!intact) {
            corruptions++;
        }
        return intact;
    }

    /** Live blocks in the table. */
    int liveCount() {
        int n = 0;
        for (int p : ptrs) {
            if (p != 0) {
                n++;
            }
        }
        return n;
    }

    /** Usable bytes of the table's live blocks (what the allocator's allocated bytes count for them). */
    int liveBytes() {
        int bytes = 0;
        for (int p : ptrs) {
            bytes += allocator.usableSize(p);
        }
        return bytes;
    }
}
