package talc.core;

/**
 * Chunk geometry: how the heap is cut into chunks, and the header word of each.
 *
 * <pre>
 *  address:  C          C+4                                C+S-4     C+S
 *            | header   | payload (allocated)                        | next hdr |
 *            | S|flags  | next | prev | ...                | footer=S| next hdr |   (gap)
 *            ^ chunk    ^ user pointer C+4, 16-aligned
 * </pre>
 *
 * <ul>
 *   <li>A chunk is the range {@code [C, C+S)} and is addressed by {@code C}, the address of its
 *       header word: the header is then a load at offset 0 and every other field a small
 *       positive offset from {@code C}, which a wasm load or store encodes for free (its offsets
 *       are unsigned). {@code S} is a multiple of {@link #UNIT} (16 bytes) and {@code C+4} is
 *       16-aligned; {@code C+4} is the user pointer ({@link #payload}), so every allocation is
 *       16-aligned at no cost. The conversion happens once, at the API ({@link Talc}).</li>
 *   <li>The header at {@code C} holds {@code S | flags}. The header of the chunk above is the
 *       word at {@code C+S}, so an allocation of {@code n} bytes takes
 *       {@code S = roundup(n + 4, 16)} and costs exactly one word of overhead, and
 *       {@code free(ptr)} finds the size from the pointer alone.</li>
 *   <li>Flags: {@link #ALLOCATED}; {@link #BELOW_FREE}, the chunk below is a gap (only ever set
 *       on allocated chunks and sentinels, since two gaps are never adjacent);
 *       {@link #HEAP_FIRST}, this chunk starts its heap (nothing below to merge with; the heap
 *       can be deleted when this is a gap reaching the heap end), kept only by builds that
 *       truncate heaps or check them ({@link #heapFirst()}).</li>
 *   <li>The top of each heap is a sentinel: a header word alone at {@code heapEnd-4}, with size
 *       0 and {@code ALLOCATED}, so the top chunk never merges upwards. A heap is its chunks
 *       and this one word ({@link Heaps}).</li>
 *   <li>A gap (free chunk) also keeps a footer {@code S} in its last word, {@code C+S-4}, so
 *       the chunk above can find the gap in O(1) ({@link #footerBelow}), and the list links at
 *       {@code C+4} and {@code C+8} (see {@link Gaps}). A 16-byte gap has exactly room for
 *       header, next, prev and footer.</li>
 *   <li>Checked builds ({@link Features#checked()}) keep one more word per allocation: the
 *       last word of an allocated chunk, at {@code C+S-4}, holds its seal,
 *       {@link #seal seal(C+S, header)}: the header without {@link #BELOW_FREE} (which changes
 *       when the chunk below is freed or allocated), mixed with a hash of the chunk's end. So an
 *       allocation takes {@code S = roundup(n + 8, 16)} and its usable size is {@code S - 8}; a
 *       write of even one byte past the usable end hits the seal; and {@link Misuse} can tell a
 *       real chunk of the size its header says from user data that looks like a header (that
 *       would have to match a 32-bit hash of its end and its value), and a real chunk from one
 *       whose header was overwritten. A gap's footer stays its plain size.</li>
 * </ul>
 */
final class Chunk {
    /** Chunk granularity and alignment. */
    static final int UNIT = 16;
    /** Size of the header word at the start of each chunk: the offset of the user pointer. */
    static final int HEADER = 4;
    /** Offset of a gap's footer below its end (the header of the chunk above): its last word. */
    static final int FOOTER = 4;
    /** Checked builds: bytes of an allocated chunk's seal, its last word. */
    static final int SEAL = 4;
    /** Multiplier and key of {@link #hash}: an odd constant spreads nearby addresses apart. */
    private static final int SEAL_MULTIPLIER = 0x9E37_79B1;
    private static final int SEAL_KEY = 0x5A1C_0DE5;

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

    /**
     * The {@link #HEAP_FIRST} flag of the chunk at {@code chunk} where the build keeps it, else
     * 0 without reading the header (a load whose value is unused still stays in wasm: it could
     * trap).
     */
    static int heapFirstOf(int chunk) {
        return heapFirst() != 0 ? header(chunk) & HEAP_FIRST : 0;
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

    /** Bytes of a chunk that its user cannot use: the header word, and in checked builds the seal. */
    static int overhead() {
        return Features.checked() ? HEADER + SEAL : HEADER;
    }

    /** Chunk size for a request of {@code n} bytes, {@code 0 <= n <= MAX_REQUEST}. */
    static int sizeFor(int n) {
        return (n + overhead() + UNIT - 1) & SIZE_MASK;
    }

    /**
     * Checked builds: the seal of an allocated chunk with header {@code header} that ends at
     * {@code end} (the chunk or sentinel above it). {@link #BELOW_FREE} is left out, so the
     * seal stays valid while the chunk below changes.
     */
    static int seal(int end, int header) {
        return (header & ~BELOW_FREE) ^ hash(end);
    }

    /** Checked builds: a hash of the address {@code addr}, which seals a word that lies there. */
    static int hash(int addr) {
        return addr * SEAL_MULTIPLIER ^ SEAL_KEY;
    }

    /** Checked builds: writes the seal of the allocated chunk at {@code chunk}, from its header. */
    static void writeSeal(int chunk) {
        if (Features.checked()) {
            int h = header(chunk);
            int end = chunk + (h & SIZE_MASK);
            Mem.putInt(end - SEAL, seal(end, h));
        }
    }

    /** The user pointer of the chunk at {@code chunk}. */
    static int payload(int chunk) {
        return chunk + HEADER;
    }

    /** The chunk whose user pointer is {@code ptr}. */
    static int of(int ptr) {
        return ptr - HEADER;
    }

    static int header(int chunk) {
        return Mem.getInt(chunk);
    }

    static void setHeader(int chunk, int value) {
        Mem.putInt(chunk, value);
    }

    /** Size of the gap that ends at {@code chunk} (the chunk or sentinel above it), read from its footer. */
    static int footerBelow(int chunk) {
        return Mem.getInt(chunk - FOOTER);
    }

    /** Writes header and footer of a gap. {@code flags} may only hold {@link #HEAP_FIRST}. */
    static void writeGap(int chunk, int size, int flags) {
        Mem.putInt(chunk, size | flags);
        Mem.putInt(chunk + size - FOOTER, size);
    }

    /**
     * Bytes from {@code chunk} (whose payload is 16-aligned) to the first chunk at or above it
     * whose payload is {@code align}-aligned ({@code align} a power of two): a multiple of 16.
     */
    static int padding(int chunk, int align) {
        return -payload(chunk) & (align - 1);
    }

    /** Rounds {@code addr} up to a multiple of {@code align} (a power of two). */
    static int alignUp(int addr, int align) {
        return (addr + align - 1) & -align;
    }
}
