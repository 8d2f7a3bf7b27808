package talc.core;

/**
 * Chunk geometry: how the heap is cut into chunks, and the header word of each.
 *
 * <pre>
 *  address:  B-4        B                                  B+S-8     B+S-4      B+S
 *            | header   | payload (allocated)                        | next hdr |
 *            | S|flags  | next | prev | ...                | footer=S| next hdr |   (gap)
 *                       ^ chunk base = user pointer, 16-aligned
 * </pre>
 *
 * <ul>
 *   <li>A chunk is the range {@code [B, B+S)}: {@code B} and {@code S} are multiples of
 *       {@link #UNIT} (16 bytes). The user pointer is {@code B}, so every allocation is
 *       16-aligned at no cost.</li>
 *   <li>Its header is the word at {@code B-4}, the last word of the chunk below (or of the heap's
 *       alignment padding for the first chunk). It holds {@code S | flags}. So a chunk's own last
 *       word is the header of the chunk above: an allocation of {@code n} bytes takes
 *       {@code S = roundup(n + 4, 16)} and costs exactly one word of overhead, and
 *       {@code free(ptr)} finds the size from the pointer alone.</li>
 *   <li>Flags: {@link #ALLOCATED}; {@link #BELOW_FREE}, the chunk below is a gap (only ever set
 *       on allocated chunks and sentinels, since two gaps are never adjacent);
 *       {@link #HEAP_FIRST}, this chunk starts its heap (nothing below to merge with; the heap
 *       can be deleted when this is a gap reaching the heap end), kept only by builds that
 *       truncate heaps or check them ({@link #heapFirst()}).</li>
 *   <li>The top of each heap is a sentinel header at {@code heapEnd-4} with size 0 and
 *       {@code ALLOCATED}: the top chunk never merges upwards, and costs no extra word.</li>
 *   <li>A gap (free chunk) also keeps a footer {@code S} at {@code B+S-8}, so the chunk above
 *       can find the gap's base in O(1), and the list links at {@code B} and {@code B+4}
 *       (see {@link Gaps}). A 16-byte gap has exactly room for next, prev and footer.</li>
 *   <li>Checked builds ({@link Features#checked()}) keep one more word per allocation: the
 *       word at {@code B-8} of an allocated chunk whose chunk below is not free holds its
 *       guard, {@link #guard guard(B)}, a hash of its address (where the chunk below is a gap,
 *       that word is the gap's footer instead). So an allocation takes
 *       {@code S = roundup(n + 8, 16)} and its usable size is {@code S - 8}, and
 *       {@link Misuse} can tell a real chunk from user data that happens to look like a
 *       header.</li>
 * </ul>
 */
final class Chunk {
    /** Chunk granularity and alignment. */
    static final int UNIT = 16;
    /** Size of the header word in front of each chunk. */
    static final int HEADER = 4;
    /** Offset of a gap's footer from its end. */
    static final int FOOTER_FROM_END = 8;
    /** Checked builds: offset of an allocated chunk's guard word below its base (just below its header). */
    static final int GUARD = 8;
    /** Checked builds: bytes of the guard word. */
    private static final int GUARD_WORD = 4;
    /** Multiplier and key of {@link #guard}: an odd constant spreads nearby addresses apart. */
    private static final int GUARD_MULTIPLIER = 0x9E37_79B1;
    private static final int GUARD_KEY = 0x5A1C_0DE5;

    /** Header flag: the chunk is allocated (sentinels have it too). */
    static final int ALLOCATED = 1;
    /** Header flag: the chunk below is a gap. */
    static final int BELOW_FREE = 2;
    /** Header flag: the chunk is the lowest chunk of its heap. */
    static final int HEAP_FIRST = 4;
    /**
     * {@link #HEAP_FIRST} where the build keeps it ({@link Features#truncation()}, or checked
     * builds), else 0: the flag only serves truncation and the checked builds' heap check.
     */
    static int heapFirst() {
        return Features.truncation() || Features.checked() ? HEAP_FIRST : 0;
    }

    /** Bits of a header that hold the size. */
    static final int SIZE_MASK = -UNIT;

    /**
     * Largest request (in bytes) the allocator accepts: its chunk size and any alignment slack
     * still fit a positive {@code int}. Larger (or negative, i.e. above 2 GiB unsigned) requests
     * fail with 0.
     */
    static final int MAX_REQUEST = 0x7FFF_0000;

    private Chunk() {
    }

    /** Bytes of a chunk that its user cannot use: the header word, and in checked builds the guard word. */
    static int overhead() {
        return Features.checked() ? HEADER + GUARD_WORD : HEADER;
    }

    /** Chunk size for a request of {@code n} bytes, {@code 0 <= n <= MAX_REQUEST}. */
    static int sizeFor(int n) {
        return (n + overhead() + UNIT - 1) & SIZE_MASK;
    }

    /** Checked builds: the guard word of an allocated chunk at {@code base} whose chunk below is not free. */
    static int guard(int base) {
        return base * GUARD_MULTIPLIER ^ GUARD_KEY;
    }

    /** Checked builds: writes the guard of the allocated chunk at {@code base}, whose chunk below is not free. */
    static void writeGuard(int base) {
        if (Features.checked()) {
            Mem.putInt(base - GUARD, guard(base));
        }
    }

    static int header(int base) {
        return Mem.getInt(base - HEADER);
    }

    static void setHeader(int base, int value) {
        Mem.putInt(base - HEADER, value);
    }

    /** Size of the gap whose end is {@code end}, read from its footer. */
    static int footerBelow(int end) {
        return Mem.getInt(end - FOOTER_FROM_END);
    }

    /** Writes header and footer of a gap. {@code flags} may only hold {@link #HEAP_FIRST}. */
    static void writeGap(int base, int size, int flags) {
        Mem.putInt(base - HEADER, size | flags);
        Mem.putInt(base + size - FOOTER_FROM_END, size);
    }

    /** Rounds {@code addr} up to a multiple of {@code align} (a power of two). */
    static int alignUp(int addr, int align) {
        return (addr + align - 1) & -align;
    }
}
