package talc.core;

import static talc.core.Chunk.ALLOCATED;
import static talc.core.Chunk.SIZE_MASK;
import static talc.core.Chunk.UNIT;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import talc.core.ModelRun.Block;

/**
 * The fuzz target: decodes arbitrary bytes into an allocator configuration and a sequence of
 * operations on one allocator, runs them, and checks every result against a model and the heap
 * scan. Used by {@link AllocatorFuzzTest} (Jazzer) and by the seed corpus ({@link FuzzSeeds}).
 *
 * <h2>Input format</h2>
 * Every byte sequence is a valid input; reading past the end gives zeros.
 * <pre>
 *  byte 0   configuration: bit 0 default binning, bit 1 counters off, bit 2 grow-in-place off,
 *           bit 3 realloc-in-place off, bits 4-5 source kind ({@link Source}), bits 6-7 memory
 *           size class (slot size 64 KiB..2 MiB for Manual/Claim, memory cap 3..160 pages for
 *           the growing sources)
 *  byte 1   Manual/Claim: offset of the first heap in slot 0. Growing: bits 0-1 initial pages
 *           (bootGrowing: 0..3, else 1..4), bits 2-3 how the allocator starts: 0-1
 *           {@code bootGrowing} above the initial pages (someone else's), 2 {@code bootInRegion(start, limit)} in a memory shared with other
 *           code, 3 {@code init} + {@code claim} + {@code useGrowingSource}
 *  then     Manual/Claim: u16 size of the first heap (fraction of slot 0), and for Claim the
 *           region the source claims (slot 1): u8 offset, u24 size. bootInRegion: u16 start,
 *           u8 limit choice. useGrowingSource: u8 heap offset, u8 gap below the memory end,
 *           whether the Extend source may extend that heap
 *  then     operations until the input ends ({@link #MAX_OPS} at most): an opcode byte (high
 *           nibble = operation, low nibble = its variant or size class) and its operands
 * </pre>
 * The operations ({@code OP_*}) are malloc, calloc (also overflowing), aligned_alloc (alignments
 * 1..2^30 and invalid ones), free, realloc (to and from 0, in place, huge), claim / extend /
 * truncate of heaps in regions the test owns (slots of a Manual memory, or regions grown by
 * "another party" for the growing sources), foreign {@code memory.grow}s, a moving memory cap,
 * (re)arming the Claim source, bursts and strided frees, draining and content checks. In
 * corruption mode ({@link #runCorrupting}) the configuration's memory size class has one bit
 * (bit 7), the allocator is checked, and three variants of {@link #OP_ODD} write damage.
 *
 * <h2>Oracle</h2>
 * After every operation: the full {@link HeapScan} (structure, lists, bitmap, counters), the
 * model's live blocks are exactly the scan's allocations, {@code Talc.reserved} of every heap is
 * what the model predicts, and memory the allocator does not own (the test's regions outside
 * heaps, released tails of truncated heaps, foreign pages) keeps its marker bytes. Per call:
 * alignment, usable size = {@code roundup(n + overhead, 16) - overhead}, no overlap, contents kept (fill
 * patterns) across realloc and until free, calloc zeroed, the realloc in-place rules of the
 * configured features, heap-management results equal to their specification, growth within
 * the documented policy, and 0 exactly when the request cannot be met: an invalid request
 * (bad alignment, negative or oversized size, overflowing calloc) is always 0 and changes
 * nothing; a valid request fails only when no gap of the heaps holds its worst-case need and
 * the source cannot add one, and a failure leaves the heap as it was. In corruption mode, once
 * damage is written: every call reports misuse with memory unchanged ({@code CORRUPTED} for a
 * live block or an allocation) or returns, never trapping or running away; a result never
 * overlaps a live block, whose bytes never change; memory outside the heaps keeps its marker;
 * and whenever {@code Talc.check} accepts the heap, the heap scan does too and finds exactly the
 * model's blocks. Heap management of a damaged heap is skipped (outside the contract).
 */
final class AllocatorFuzzTarget {
    /** Operations per input at most. */
    static final int MAX_OPS = 4096;
    /** Live blocks at most (allocating beyond frees instead). */
    static final int MAX_LIVE = 1024;
    /** Manual/Claim memory: this many slots of one size; slot 0 holds the state block. */
    static final int SLOTS = 8;
    static final int[] SLOT_SHIFTS = {16, 18, 20, 21};
    /** Growing sources: the memory cap in pages, by size class. */
    static final int[] GROWING_MAX_PAGES = {3, 12, 48, 160};

    static final int OP_MALLOC = 0;
    static final int OP_MALLOC2 = 1;
    static final int OP_CALLOC = 2;
    static final int OP_ALIGNED = 3;
    static final int OP_FREE = 4;
    static final int OP_FREE2 = 5;
    static final int OP_REALLOC = 6;
    static final int OP_REALLOC_EDGE = 7;
    static final int OP_ODD = 8;
    static final int OP_CLAIM = 9;
    static final int OP_EXTEND = 10;
    static final int OP_TRUNCATE = 11;
    static final int OP_CHECK = 12;
    static final int OP_ENVIRONMENT = 13;
    static final int OP_BURST = 14;
    static final int OP_STRIDED_FREE = 15;
    /** Corruption mode: low nibbles of {@link #OP_ODD} that write damage (else aligned_alloc of 2^21 and more). */
    static final int OP_DAMAGE_NEAR = 13;
    static final int OP_DAMAGE_BYTE = 14;
    static final int OP_DAMAGE_WORD = 15;

    /** Size classes (low nibble of the size-taking operations). */
    static final int SIZE_TINY = 0;      // 0..3: u8 & 63
    static final int SIZE_SMALL = 4;     // 4..6: u16 % 1025
    static final int SIZE_MEDIUM = 7;    // 7..8: u16
    static final int SIZE_LARGE = 9;     // 9..10: u24 % (1 MiB + 1)
    static final int SIZE_EDGE = 11;     // 11..13: EDGE_SIZES[u8 % length]
    static final int SIZE_RAW = 14;      // s32, any int
    static final int SIZE_ZERO = 15;

    static final int[] EDGE_SIZES = {
        0, 1, 11, 12, 13, 16, 27, 28, 29, 44, 45, 240, 252, 253, 256, 1020, 1021, 4092, 4096,
        65536 - 20, 65536 - 16, 65536 - 4, 65536, 65536 + 12, (1 << 20) - 4, 1 << 20, (1 << 20) + 1,
        (1 << 24) - 4, Talc.MAX_REQUEST - 32, Talc.MAX_REQUEST - 16, Talc.MAX_REQUEST - 19,
        Talc.MAX_REQUEST, Talc.MAX_REQUEST + 1, 0x7FFFFFF0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -16,
    };
    /** Alignment byte values from 0xE0 pick from here; below, {@code 1 << (b % 21)}. */
    static final int[] SPECIAL_ALIGNS = {
        0, 3, 24, 48, 7, 12, -16, -1, Integer.MIN_VALUE, (1 << 20) + 16, 0x40000001,
        1 << 21, 1 << 24, 1 << 29, 1 << 30, 1 << 16,
    };
    /** calloc element counts from 0xF0 pick from here; below, {@code b % 9}. */
    static final int[] SPECIAL_COUNTS = {
        0, 1, 2, 3, 0x8000, 0xFFFF, 0x10000, 0x10001, 0x7FFFFFFF, -1, Integer.MIN_VALUE, 1 << 20,
        1 << 12, 100, 4097, 65535,
    };

    /** The marker byte of memory the allocator does not own. */
    static final byte MARKER = (byte) 0xA5;
    private static final int PATTERN_FULL = 4096;
    private static final int PATTERN_EDGE = 256;
    private static final int PATTERN_STRIDE_MASK = 4095;

    /** {@code -Dtalc.fuzz.trace=true}: print every operation (to read a failing input). */
    static final boolean TRACE = Boolean.getBoolean("talc.fuzz.trace");

    /** Operations executed by all runs in this JVM (for the test's report). */
    static long totalOps;
    /** Allocator calls that returned 0 in all runs in this JVM. */
    static long totalFailures;
    /** Corruption mode: bytes of damage written, and calls that reported it, in all runs in this JVM. */
    static long totalDamage;
    static long totalReports;

    /** Reads an input; past its end every read is 0. */
    static final class Reader {
        private final byte[] d;
        private int pos;

        Reader(byte[] d) {
            this.d = d;
        }

        boolean done() {
            return pos >= d.length;
        }

        int u8() {
            return pos < d.length ? d[pos++] & 0xFF : 0;
        }

        int u16() {
            return u8() | u8() << 8;
        }

        int u24() {
            return u16() | u8() << 16;
        }

        int s32() {
            return u16() | u16() << 16;
        }
    }

    /** Memory the test owns and may hand to the allocator as a heap: [start, end). */
    static final class Region {
        final int start;
        final int end;
        /** First chunk of the heap claimed in it, or 0. */
        int heapFirst;
        /** The Claim source will claim [claimBase, claimBase + claimSize) in it. */
        boolean armed;
        int claimBase;
        int claimSize;

        Region(int start, int end) {
            this.start = start;
            this.end = end;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Run state

    private final Reader in;
    private Fixture f;
    private int t;
    private int kind;
    private boolean growing;
    private boolean growInPlace;
    private boolean reallocInPlace;
    /** The memory cap as this test set it (Mem has no getter). */
    private int maxPages;
    /** Growing sources: the memory size in pages the allocator must never grow past. */
    private int limitPages = Source.MAX_PAGES;
    private final List<Block> live = new ArrayList<>();
    private final TreeMap<Integer, Block> byAddr = new TreeMap<>();
    /** Regions the test owns, by start. */
    private final TreeMap<Integer, Region> regions = new TreeMap<>();
    /** Heaps the test claimed (and may resize), first chunk to the region they are in. */
    private final TreeMap<Integer, Region> userHeaps = new TreeMap<>();
    /** The scan after the last operation, or null once a call changed the heap since. */
    private HeapScan.Result last;
    private int nextId = 1;
    private int ops;
    private String op = "setup";
    /** Corruption mode: a checked allocator, and the damage operations write outside blocks. */
    private final boolean corrupting;
    /** Corruption mode: damage was written, so the heap is held to the checked build's contract only. */
    private boolean damaged;
    /** Usable bytes of each live block, read from its header when the call that made it returned. */
    private final Map<Integer, Integer> usableOf = new HashMap<>();

    private AllocatorFuzzTarget(byte[] data, boolean corrupting) {
        this.in = new Reader(data);
        this.corrupting = corrupting;
    }

    /** Runs one input; throws {@link AssertionError} on the first violation. Returns the operations run. */
    static int run(byte[] data) {
        return run(data, false);
    }

    /**
     * Runs one input in corruption mode: the allocator is checked, and the operations
     * {@link #OP_DAMAGE_NEAR}, {@link #OP_DAMAGE_BYTE} and {@link #OP_DAMAGE_WORD} write bytes in
     * its heaps outside every live block; from the first such write on, every call is held to
     * the checked build's contract ({@link CheckedOracle}) instead of the model's exact results.
     */
    static int runCorrupting(byte[] data) {
        return run(data, true);
    }

    private static int run(byte[] data, boolean corrupting) {
        AllocatorFuzzTarget run = new AllocatorFuzzTarget(data, corrupting);
        try {
            run.execute();
        } catch (AssertionError | RuntimeException e) {
            String what = e instanceof AssertionError ? e.getMessage() : e.toString();
            throw new AssertionError("fuzz input failed at operation " + run.ops + " (" + run.op + "): " + what, e);
        } finally {
            Features.reset();
            totalOps += run.ops;
        }
        return run.ops;
    }

    private void execute() {
        int config = in.u8();
        boolean wasmBinning = (config & 1) == 0;
        boolean counters = (config & 2) == 0;
        growInPlace = (config & 4) == 0;
        reallocInPlace = (config & 8) == 0;
        kind = (config >>> 4) & 3;
        // Corruption mode compares memory before and after each call: the two smaller memories.
        int sizeClass = corrupting ? config >>> 7 : config >>> 6;
        Features.configure(wasmBinning, counters, growInPlace, reallocInPlace, corrupting);
        growing = kind >= Source.GROW_AND_CLAIM;
        op = String.format("setup: config 0x%02x (%s binning, counters %s, grow in place %s, realloc in place %s, source %d)",
                config, wasmBinning ? "wasm" : "default", counters, growInPlace, reallocInPlace, kind);
        if (growing) {
            setUpGrowing(sizeClass);
        } else {
            setUpManual(sizeClass);
        }
        if (TRACE) {
            System.out.println(op);
        }
        if (f == null) {
            return;
        }
        afterOp();
        while (!in.done() && ops < MAX_OPS) {
            ops++;
            step(in.u8());
            if (TRACE) {
                System.out.println(ops + ": " + op);
            }
            afterOp();
        }
        op = "final drain";
        drain();
        checkMarkers(256);
    }

    private void setUpManual(int sizeClass) {
        int slot = 1 << SLOT_SHIFTS[sizeClass];
        int pages = slot * SLOTS >>> Mem.PAGE_SHIFT;
        f = Fixture.manual(pages);
        t = f.t;
        maxPages = pages;
        int stateEnd = Fixture.STATE_ADDR + Talc.stateSize();
        for (int s = 0; s < SLOTS; s++) {
            Region r = new Region(s == 0 ? stateEnd : s * slot, (s + 1) * slot);
            regions.put(r.start, r);
            mark(r.start, r.end);
        }
        Region r0 = regions.firstEntry().getValue();
        int base = r0.start + in.u8();
        int size = (int) ((long) (r0.end - base) * (in.u16() + 1) >>> 16);
        claim(r0, base, size);
        if (kind == Source.CLAIM) {
            Region r1 = regions.higherEntry(r0.start).getValue();
            int off = in.u8();
            arm(r1, r1.start + off, in.u24() % (r1.end - r1.start - off + 1));
        } else {
            Talc.useManualSource(t);
        }
    }

    private void setUpGrowing(int sizeClass) {
        maxPages = GROWING_MAX_PAGES[sizeClass];
        int b = in.u8();
        int mode = b >>> 2 & 3;
        if (mode < 2) {
            int initial = Math.min(b & 3, maxPages - 1);
            op = op + ", bootGrowing above " + initial + " pages";
            Mem.reset(initial, maxPages);
            int base = initial << Mem.PAGE_SHIFT;
            t = Talc.bootGrowing(kind);
            // The state block opens the page it grew (one unit up at address 0, which is null).
            check(t != 0 && t >= base && t < base + UNIT * 2 && t % UNIT == 0 && Mem.pages() == initial + 1,
                    "bootGrowing grows one page and puts the state block at its start, got " + t);
            f = Fixture.adopt(t, kind);
            f.heaps.put(Fixture.firstChunk(t + Talc.stateSize()), base + Mem.PAGE_SIZE);
            addForeignRegion(0, base);
            return;
        }
        int initial = Math.min(1 + (b & 3), maxPages);
        Mem.reset(initial, maxPages);
        int memEnd = initial << Mem.PAGE_SHIFT;
        mark(0, memEnd);
        if (mode == 2) {
            int start = 1 + in.u16() % (memEnd / 2);
            int sel = in.u8();
            int limit;
            switch (sel & 3) {
                case 0:
                    limit = 0;
                    break;
                case 1:
                    limit = Integer.MIN_VALUE + sel;
                    break;
                case 2:
                    limit = (initial + (sel >>> 2) % 8) << Mem.PAGE_SHIFT;
                    break;
                default:
                    limit = memEnd - (sel >>> 2) * 100;
                    break;
            }
            op = op + ", bootInRegion(" + start + ", " + limit + ") in " + initial + " pages";
            int end = (limit <= 0 ? memEnd : Math.min(limit, memEnd)) & SIZE_MASK;
            int expected = Chunk.alignUp(start, UNIT);
            if (end - expected < Talc.stateSize() + 2 * UNIT) {
                expected = 0;
            }
            t = Talc.bootInRegion(start, limit, kind);
            check(t == expected, "bootInRegion returns the start rounded up to 16, or 0 when the state and a chunk do not fit: expected "
                    + expected + ", got " + t);
            if (t == 0) {
                f = null;
                return;
            }
            f = Fixture.adopt(t, kind);
            f.heaps.put(Fixture.firstChunk(t + Talc.stateSize()), end);
            limitPages = limit > 0 ? Math.min(limit >>> Mem.PAGE_SHIFT, Source.MAX_PAGES) : Source.MAX_PAGES;
            addRegion(0, t);
            addRegion(end, memEnd);
            return;
        }
        t = Talc.init(Fixture.STATE_ADDR);
        f = Fixture.adopt(t, kind);
        int base = Fixture.STATE_ADDR + Talc.stateSize() + in.u8();
        int tail = in.u8() * 16;
        boolean extendable = (in.u8() & 1) == 0;
        op = op + ", claim(" + base + ", " + (memEnd - tail - base) + ") and useGrowingSource in " + initial + " pages";
        int end = f.claim(base, memEnd - tail - base);
        check(end == ((memEnd - tail) & SIZE_MASK), "claim returns the region end");
        Talc.useGrowingSource(t, kind, extendable ? end : 0);
        addRegion(0, Fixture.STATE_ADDR);
        addRegion(end, memEnd);
    }

    // ------------------------------------------------------------------------------------------
    // Decoding helpers

    private int size(int sizeClass) {
        if (sizeClass < SIZE_SMALL) {
            return in.u8() & 63;
        } else if (sizeClass < SIZE_MEDIUM) {
            return in.u16() % 1025;
        } else if (sizeClass < SIZE_LARGE) {
            return in.u16();
        } else if (sizeClass < SIZE_EDGE) {
            return in.u24() % ((1 << 20) + 1);
        } else if (sizeClass < SIZE_RAW) {
            return EDGE_SIZES[in.u8() % EDGE_SIZES.length];
        } else if (sizeClass == SIZE_RAW) {
            return in.s32();
        }
        return 0;
    }

    private int align() {
        int b = in.u8();
        return b < 0xE0 ? 1 << (b % 21) : SPECIAL_ALIGNS[(b - 0xE0) % SPECIAL_ALIGNS.length];
    }

    private int count() {
        int b = in.u8();
        return b < 0xF0 ? b % 9 : SPECIAL_COUNTS[b - 0xF0];
    }

    private Block pick(int choice) {
        return live.get(choice % live.size());
    }

    // ------------------------------------------------------------------------------------------
    // Operations

    private void step(int opcode) {
        int lo = opcode & 15;
        switch (opcode >>> 4) {
            case OP_MALLOC:
            case OP_MALLOC2:
                mallocOp(lo);
                break;
            case OP_CALLOC:
                callocOp(lo);
                break;
            case OP_ALIGNED:
                alignedOp(lo);
                break;
            case OP_FREE:
            case OP_FREE2:
                freeOp();
                break;
            case OP_REALLOC:
                reallocOp(lo);
                break;
            case OP_REALLOC_EDGE:
                reallocEdge(lo);
                break;
            case OP_ODD:
                odd(lo);
                break;
            case OP_CLAIM:
                claimOp(lo);
                break;
            case OP_EXTEND:
                extendOp(lo);
                break;
            case OP_TRUNCATE:
                truncateOp(lo);
                break;
            case OP_CHECK:
                checkOp(lo);
                break;
            case OP_ENVIRONMENT:
                environmentOp(lo);
                break;
            case OP_BURST:
                burstOp(lo);
                break;
            case OP_STRIDED_FREE:
                stridedFreeOp(lo);
                break;
            default:
                throw new AssertionError(opcode);
        }
    }

    private void mallocOp(int lo) {
        int size = size(lo);
        op = "malloc(" + size + ")";
        if (!freeIfFull()) {
            allocate(1, size, Talc.MIN_ALIGN, Call.MALLOC);
        }
    }

    private void callocOp(int lo) {
        int n = count();
        int size = size(lo);
        op = "calloc(" + n + ", " + size + ")";
        if (!freeIfFull()) {
            allocate(n, size, Talc.MIN_ALIGN, Call.CALLOC);
        }
    }

    private void alignedOp(int lo) {
        int align = align();
        int size = size(lo);
        op = "aligned_alloc(" + align + ", " + size + ")";
        if (!freeIfFull()) {
            allocate(1, size, align, Call.ALIGNED);
        }
    }

    private void freeOp() {
        int choice = in.u8();
        if (!live.isEmpty()) {
            Block b = pick(choice);
            op = "free(" + b.ptr + ") of " + b.size + " bytes";
            free(b);
        } else {
            op = "free(0)";
            Talc.free(t, 0);
        }
    }

    private void reallocOp(int lo) {
        int choice = in.u8();
        int size = size(lo);
        if (live.isEmpty()) {
            op = "realloc(0, " + size + ")";
            allocate(1, size, Talc.MIN_ALIGN, Call.REALLOC_NULL);
        } else {
            realloc(pick(choice), size);
        }
    }

    private void checkOp(int lo) {
        if (lo == 0) {
            op = "drain";
            drain();
            return;
        }
        op = "verify every block, then free " + (lo - 1) + " from the top";
        for (Block b : live) {
            verify(b, b.size);
        }
        for (int i = 1; i < lo && !live.isEmpty(); i++) {
            free(live.get(live.size() - 1));
        }
    }

    private void burstOp(int lo) {
        int size = size(in.u8() & 15);
        op = "burst of " + (lo + 1) + " x malloc(" + size + ")";
        for (int i = 0; i <= lo && !freeIfFull(); i++) {
            allocate(1, size, Talc.MIN_ALIGN, Call.MALLOC);
        }
    }

    private void stridedFreeOp(int lo) {
        int stride = 2 + (lo & 3);
        int phase = lo >>> 2;
        op = "free every " + stride + "th block from " + phase;
        List<Block> doomed = new ArrayList<>(byAddr.values());
        for (int i = phase; i < doomed.size(); i += stride) {
            free(doomed.get(i));
        }
    }

    private boolean freeIfFull() {
        if (live.size() >= MAX_LIVE) {
            free(live.get(0));
            return true;
        }
        return false;
    }

    private void reallocEdge(int lo) {
        int v = lo & 7;
        int choice = v == 1 || v == 7 ? 0 : in.u8();
        if (live.isEmpty() || v == 1 || v == 7) {
            int size = v == 1 ? size(in.u8() & 15) : 0;
            op = "realloc(0, " + size + ")";
            allocate(1, size, Talc.MIN_ALIGN, Call.REALLOC_NULL);
            return;
        }
        Block b = pick(choice);
        int usable = usableOf.get(b.ptr);
        int size;
        switch (v) {
            case 0:
                size = 0;
                break;
            case 2:
                size = b.size;
                break;
            case 3:
                size = usable;
                break;
            case 4:
                size = usable + 1;
                break;
            case 5:
                size = b.size / 2;
                break;
            default:
                size = (int) Math.min((long) b.size * 2 + 1 + (lo >>> 3) * 4096, Integer.MAX_VALUE);
                break;
        }
        realloc(b, size);
    }

    private void odd(int lo) {
        if (lo < 4) {
            int align = SPECIAL_ALIGNS[in.u8() % SPECIAL_ALIGNS.length];
            int size = size(in.u8() & 15);
            op = "aligned_alloc(" + align + ", " + size + ")";
            allocate(1, size, align, Call.ALIGNED);
        } else if (lo < 6) {
            int n = in.s32() | 0x10000;
            int size = in.s32() | 0x10000;
            op = "calloc(" + Integer.toUnsignedString(n) + ", " + Integer.toUnsignedString(size) + ") overflowing";
            allocate(n, size, Talc.MIN_ALIGN, Call.CALLOC);
        } else if (lo == 6) {
            int n = 2 + (in.u8() & 1);
            int size = 0x40000000 + in.u16();
            op = "calloc(" + n + ", " + size + ") of 2 GiB or more";
            allocate(n, size, Talc.MIN_ALIGN, Call.CALLOC);
        } else if (lo == 7) {
            int choice = in.u8();
            int size = in.s32() | Integer.MIN_VALUE;
            if ((size & 1) == 0) {
                size = Talc.MAX_REQUEST + 1 + (size & 0xFFFF);
            }
            if (live.isEmpty()) {
                op = "realloc(p, " + size + "): no block";
            } else {
                realloc(pick(choice), size);
            }
        } else if (lo == 8) {
            int size = in.s32();
            op = "malloc(" + size + ")";
            allocate(1, size, Talc.MIN_ALIGN, Call.MALLOC);
        } else if (lo == 9) {
            op = "free(0), malloc_usable_size(0)";
            Talc.free(t, 0);
            check(Talc.usableSize(t, 0) == 0, "malloc_usable_size(0) is 0");
        } else if (lo == 10) {
            int sel = in.u8();
            int small = in.u8();
            int base = sel < 128 ? -16 - small : Integer.MIN_VALUE;
            op = "claim(" + base + ", 4096)";
            HeapScan.Result before = baseline();
            check(Talc.claim(t, base, 4096) == 0, "claim of a negative base is 0");
            expectUnchanged(before, false);
        } else if (lo == 11) {
            int size = -(in.u8() & 1);
            op = "claim(" + Fixture.STATE_ADDR + ", " + size + ")";
            HeapScan.Result before = baseline();
            check(Talc.claim(t, Fixture.STATE_ADDR, size) == 0, "claim of a size <= 0 is 0");
            expectUnchanged(before, false);
        } else if (corrupting && lo >= OP_DAMAGE_NEAR) {
            damage(lo);
        } else {
            int align = 1 << (21 + in.u8() % 10);
            int size = size(in.u8() & 15);
            op = "aligned_alloc(" + align + ", " + size + ")";
            allocate(1, size, align, Call.ALIGNED);
        }
    }

    /**
     * Corruption mode: writes bytes in a heap outside every live block's bytes. Near: u8 block
     * choice, u8 spec (bit 7: before the block's start, else from its requested end; bits 0-4
     * the distance; bits 5-6 a run of 1, 6, 11 or 16 bytes), u8 value. Byte: u8 heap choice,
     * u24 offset in it, u8 value. Word: the same with an s32 value.
     */
    private void damage(int lo) {
        int choice = in.u8();
        if (lo == OP_DAMAGE_NEAR) {
            int spec = in.u8();
            int value = in.u8();
            if (live.isEmpty()) {
                op = "damage near a block: none";
                return;
            }
            Block b = pick(choice);
            boolean below = (spec & 0x80) != 0;
            int from = below ? b.ptr - 1 - (spec & 31) : b.ptr + b.size + (spec & 31);
            int length = 1 + ((spec >>> 5) & 3) * 5;
            op = "damage: " + length + " bytes of " + value + (below ? " downwards from " : " from ") + from;
            for (int i = 0; i < length; i++) {
                damageByte(below ? from - i : from + i, value);
            }
            return;
        }
        int offset = in.u24();
        int value = lo == OP_DAMAGE_BYTE ? in.u8() : in.s32();
        if (f.heaps.isEmpty()) {
            op = "damage: no heap";
            return;
        }
        int k = choice % f.heaps.size();
        for (Map.Entry<Integer, Integer> heap : f.heaps.entrySet()) {
            if (k-- == 0) {
                int start = heapStart(heap.getKey());
                int at = start + offset % (heap.getValue() - start);
                op = "damage: " + (lo == OP_DAMAGE_BYTE ? "byte " : "word ") + value + " at " + at;
                for (int i = 0; i < (lo == OP_DAMAGE_BYTE ? 1 : Integer.BYTES); i++) {
                    damageByte(at + i, value >>> (i * Byte.SIZE));
                }
            }
        }
    }

    /** Writes {@code value} at {@code at} if that is in a heap and in no live block's bytes. */
    private void damageByte(int at, int value) {
        Map.Entry<Integer, Integer> heap = f.heaps.floorEntry(at + Chunk.HEADER + HeapList.PAD);
        Map.Entry<Integer, Block> block = byAddr.floorEntry(at);
        if (heap == null || at < heapStart(heap.getKey()) || at >= heap.getValue()
                || block != null && at < block.getKey() + block.getValue().size) {
            return;
        }
        Mem.putByte(at, (byte) value);
        damaged = true;
        totalDamage++;
        last = null;
    }

    /**
     * Lowest address of the heap whose first chunk's user pointer is {@code first}: its first
     * header word, and in checked builds the end and link words below it ({@link HeapList}).
     */
    private static int heapStart(int first) {
        return first - Chunk.HEADER - (Features.checked() ? HeapList.PAD : 0);
    }

    /**
     * Runs one allocator call. In corruption mode it is held to the checked build's contract
     * ({@link CheckedOracle}, all of memory compared): a report must say {@code CORRUPTED} when
     * {@code onLiveBlock} (a live block, or an allocation) and leaves everything as it was, which
     * this answers with {@code null}; a report before any damage is a failure.
     */
    private Integer call(boolean onLiveBlock, IntSupplier call) {
        if (!corrupting) {
            return call.getAsInt();
        }
        CheckedOracle.Outcome o = CheckedOracle.call(op, 0, Mem.pages() << Mem.PAGE_SHIFT, call);
        if (o.reported == 0) {
            return o.result;
        }
        check(damaged, "a report (kind " + o.reported + ") on a heap that no damage reached");
        check(!onLiveBlock || o.reported == Talc.CORRUPTED, "a call on a live block reported kind " + o.reported);
        totalReports++;
        return null;
    }

    private void environmentOp(int lo) {
        if (growing) {
            if (lo < 8) {
                int pages = 1 + (lo & 3);
                op = "foreign memory.grow(" + pages + ")";
                int before = Mem.pages();
                int old = Mem.grow(pages);
                check(old == (before + pages <= maxPages ? before : -1), "memory.grow obeys the cap");
                if (old >= 0) {
                    addForeignRegion(old << Mem.PAGE_SHIFT, (old + pages) << Mem.PAGE_SHIFT);
                }
            } else {
                int cap = Math.min(Mem.pages() + in.u8() % 64, GROWING_MAX_PAGES[corrupting ? 1 : 3]);
                op = "memory cap " + cap + " pages";
                Mem.setMaxPages(cap);
                maxPages = Math.max(cap, Mem.pages());
            }
            return;
        }
        if (lo < 4) {
            op = "use the Manual source";
            Talc.useManualSource(t);
            kind = Source.MANUAL;
            for (Region r : regions.values()) {
                r.armed = false;
            }
            return;
        }
        int choice = in.u8();
        int offRaw = in.u16();
        int sizeRaw = lo == 4 ? in.u8() : in.u24();
        Region r = freeRegion(choice);
        if (r == null) {
            op = "arm the Claim source: no free region";
            return;
        }
        for (Region other : regions.values()) {
            other.armed = false;
        }
        int span = r.end - r.start;
        int off = offRaw % (span / 2 + 1);
        // Regions are disjoint, so whatever the source claims must stay in this one.
        int size = sizeRaw % (Math.min(lo == 4 ? 64 : span, span - off) + 1);
        arm(r, r.start + off, size);
        kind = Source.CLAIM;
    }

    private void arm(Region r, int base, int size) {
        op = "arm the Claim source with [" + base + ", +" + size + ")";
        Talc.useClaimSource(t, base, size);
        kind = Source.CLAIM;
        r.armed = true;
        r.claimBase = base;
        r.claimSize = size;
    }

    /** A region with no heap, not armed; {@code null} when there is none. */
    private Region freeRegion(int choice) {
        List<Region> free = new ArrayList<>();
        for (Region r : regions.values()) {
            if (r.heapFirst == 0 && !r.armed) {
                free.add(r);
            }
        }
        return free.isEmpty() ? null : free.get(choice % free.size());
    }

    private void claimOp(int lo) {
        int choice = in.u8();
        int offRaw = in.u16();
        int v = lo & 3;
        int sizeRaw = v == 0 ? in.u8() : v == 1 ? 0 : in.u24();
        Region r = freeRegion(choice);
        if (r == null) {
            op = "claim: no free region";
            return;
        }
        int span = r.end - r.start;
        int off = offRaw % (span / 2 + 1);
        int size;
        switch (v) {
            case 0:
                size = sizeRaw % (Math.min(64, span - off) + 1);
                break;
            case 1:
                size = span - off;
                break;
            default:
                size = sizeRaw % (span - off + 1);
                break;
        }
        claim(r, r.start + off, size);
    }

    /** Claims [base, base+size) in region r and checks the result against the specification. */
    private void claim(Region r, int base, int size) {
        op = "claim(" + base + ", " + size + ")";
        long endL = ((long) base + size) & SIZE_MASK;
        long first = Fixture.firstChunk(base);
        int expected = size <= 0 || endL - first < UNIT ? 0 : (int) endL;
        int end = f.claim(base, size);
        last = null;
        check(end == expected, "claim returns the region end rounded down to 16, or 0 if no chunk fits: expected "
                + expected + ", got " + end);
        if (end != 0) {
            r.heapFirst = (int) first;
            userHeaps.put((int) first, r);
        }
    }

    private Map.Entry<Integer, Region> pickUserHeap(int choice) {
        if (userHeaps.isEmpty()) {
            return null;
        }
        int k = choice % userHeaps.size();
        for (Map.Entry<Integer, Region> e : userHeaps.entrySet()) {
            if (k-- == 0) {
                return e;
            }
        }
        throw new AssertionError();
    }

    private void extendOp(int lo) {
        int choice = in.u8();
        int v = lo & 3;
        int amount = v == 0 ? in.u8() : v == 1 ? 0 : in.u24();
        Map.Entry<Integer, Region> heap = pickUserHeap(choice);
        if (heap == null) {
            op = "extend: no heap";
            return;
        }
        int first = heap.getKey();
        Region r = heap.getValue();
        int end = f.heaps.get(first);
        int newEnd;
        switch (v) {
            case 0:
                newEnd = end + (amount & 15);
                break;
            case 1:
                newEnd = r.end;
                break;
            default:
                newEnd = end + amount % (r.end - end + 1);
                break;
        }
        op = "extend(" + end + " -> " + newEnd + ") of the heap at " + first;
        if (damaged) {
            // Heap management on a damaged heap is outside the checked build's contract.
            op += ": skipped, damage was written";
            return;
        }
        int expected = (newEnd & SIZE_MASK) - end >= UNIT ? newEnd & SIZE_MASK : end;
        int result = (lo & 4) != 0 ? Talc.extend(t, end, newEnd) : Talc.resize(t, end, newEnd);
        last = null;
        f.heaps.put(first, result);
        check(result == expected, "extend gives the new end rounded down to 16 (or the old end if less than a unit more): expected "
                + expected + ", got " + result);
    }

    private void truncateOp(int lo) {
        int choice = in.u8();
        int v = lo & 7;
        int arg = v == 0 || v == 2 ? 0 : v >= 6 ? in.u24() : in.u8();
        Map.Entry<Integer, Region> heap = pickUserHeap(choice);
        if (heap == null || damaged) {
            op = heap == null ? "truncate: no heap" : "truncate: skipped, damage was written";
            return;
        }
        int first = heap.getKey();
        Region r = heap.getValue();
        int end = f.heaps.get(first);
        int reserved = reservedSpec(first, end);
        int newEnd;
        switch (v) {
            case 0:
                newEnd = 0;
                break;
            case 1:
                newEnd = -1 - arg;
                break;
            case 2:
                newEnd = reserved;
                break;
            case 3:
                newEnd = reserved - 1 - (arg & 31);
                break;
            case 4:
                newEnd = end - 1 - (arg & 31);
                break;
            case 5:
                newEnd = first + (arg & 31);
                break;
            default:
                newEnd = first + arg % (end - first + 1);
                break;
        }
        op = "truncate(" + end + " -> " + newEnd + ") of the heap at " + first + " (reserved " + reserved + ")";
        int lowest = reserved == 0 ? first : reserved;
        int expected;
        if (newEnd >= end) {
            expected = end;
        } else {
            expected = newEnd <= lowest ? lowest : Chunk.alignUp(newEnd, UNIT);
            if (expected == first) {
                expected = 0;
            }
        }
        int result = (lo & 8) != 0 ? Talc.truncate(t, end, newEnd) : Talc.resize(t, end, newEnd);
        last = null;
        check(result == expected, "truncate cuts to max(new end rounded up, the lowest end), deleting an empty heap cut to nothing: expected "
                + expected + ", got " + result);
        if (result == 0) {
            f.heaps.remove(first);
            userHeaps.remove(first);
            r.heapFirst = 0;
            mark(heapStart(first), end);
        } else {
            f.heaps.put(first, result);
            mark(result, end);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Allocation calls and their oracle

    private enum Call { MALLOC, CALLOC, ALIGNED, REALLOC_NULL }

    /** Worst-case gap bytes a request needs, or -1 when it is invalid (always fails). */
    private static long need(long size, int align) {
        if (size < 0 || align <= 0 || (align & (align - 1)) != 0) {
            return -1;
        }
        long need = ((size + Chunk.overhead() + UNIT - 1) & SIZE_MASK) + (align > UNIT ? align - UNIT : 0);
        return need > Talc.MAX_REQUEST ? -1 : need;
    }

    private void allocate(int n, int size, int align, Call call) {
        long total = call == Call.CALLOC ? Integer.toUnsignedLong(n) * Integer.toUnsignedLong(size) : size;
        long need = need(total, align);
        Before before = new Before();
        Integer result = call(true, () -> {
            switch (call) {
                case MALLOC:
                    return Talc.malloc(t, size);
                case CALLOC:
                    return Talc.calloc(t, n, size);
                case ALIGNED:
                    return Talc.alignedAlloc(t, align, size);
                default:
                    return Talc.realloc(t, 0, size);
            }
        });
        if (result == null) {
            before.reported();
            return;
        }
        int p = result;
        boolean consumed = before.after();
        if (p == 0) {
            failed(need, before, consumed);
            return;
        }
        check(need >= 0, "an invalid request returned " + p);
        before.grewWithinPolicy(need);
        Block b = new Block(p, (int) total, nextId++);
        placed(b, Math.max(align, Talc.MIN_ALIGN));
        if (call == Call.CALLOC) {
            for (int i = 0; i < b.size; i++) {
                if (patterned(i, b.size)) {
                    check(Mem.getByte(p + i) == 0, "calloc memory is zeroed at +" + i);
                }
            }
        }
        fill(b);
        live.add(b);
        byAddr.put(p, b);
        last = null;
    }

    private void realloc(Block b, int size) {
        op = "realloc(" + b.ptr + " of " + b.size + " bytes, " + size + ")";
        verify(b, b.size);
        int oldPtr = b.ptr;
        int chunk = usableOf.get(oldPtr) + Chunk.overhead();
        int above = Fixture.header(oldPtr + chunk);
        int freeAbove = (above & ALLOCATED) == 0 ? above & SIZE_MASK : 0;
        long need = size == 0 ? 0 : need(size, Talc.MIN_ALIGN);
        Before before = new Before();
        Integer result = call(true, () -> Talc.realloc(t, oldPtr, size));
        if (result == null) {
            before.reported();
            verify(b, b.size);
            return;
        }
        int p = result;
        boolean consumed = before.after();
        if (size == 0) {
            check(p == 0, "realloc(p, 0) frees p and returns 0");
            forget(b);
            return;
        }
        if (p == 0) {
            verify(b, b.size);
            failed(need, before, consumed);
            return;
        }
        check(need > 0, "realloc to an invalid size returned " + p);
        int req = (int) need;
        if (damaged) {
            // The header above may be damaged: the in-place rules are the undamaged heap's.
            freeAbove = 0;
        } else if (reallocInPlace && req <= chunk) {
            check(p == oldPtr, "a shrinking realloc (or one within the chunk) stays in place");
        }
        if (reallocInPlace && growInPlace && req <= chunk + freeAbove) {
            check(p == oldPtr, "a realloc that fits with the free chunk above grows in place");
        }
        if (!reallocInPlace) {
            check(p != oldPtr, "with realloc-in-place off, realloc always moves");
        }
        if (!growInPlace && req > chunk) {
            check(p != oldPtr, "with grow-in-place off, a growing realloc moves");
        }
        if (p != oldPtr) {
            before.grewWithinPolicy(need);
        } else {
            check(Mem.pages() == before.pages, "an in-place realloc grows no memory");
        }
        byAddr.remove(oldPtr);
        usableOf.remove(oldPtr);
        int kept = Math.min(b.size, size);
        b.ptr = p;
        verifyPrefix(b, kept);
        b.size = size;
        placed(b, Talc.MIN_ALIGN);
        byAddr.put(p, b);
        fill(b);
        last = null;
    }

    private void free(Block b) {
        verify(b, b.size);
        Integer result = call(true, () -> {
            Talc.free(t, b.ptr);
            return 0;
        });
        if (result != null) {
            forget(b);
        }
    }

    private void forget(Block b) {
        last = null;
        byAddr.remove(b.ptr);
        usableOf.remove(b.ptr);
        int i = live.indexOf(b);
        live.set(i, live.get(live.size() - 1));
        live.remove(live.size() - 1);
    }

    /** What a call may change: memory size, grow calls, the source's state. */
    private final class Before {
        /** The heap before the call. */
        final HeapScan.Result scan = baseline();
        final int pages = Mem.pages();
        final int growCalls = Mem.growCalls();
        final int sourceA = Mem.getInt(t + State.SOURCE_A);
        final int sourceB = Mem.getInt(t + State.SOURCE_B);
        final int kindBefore = Mem.getInt(t + State.SOURCE_KIND);

        /** The call reported misuse: it changed nothing, memory size and the source's state included. */
        void reported() {
            check(Mem.pages() == pages && Mem.growCalls() == growCalls && Mem.getInt(t + State.SOURCE_A) == sourceA
                    && Mem.getInt(t + State.SOURCE_B) == sourceB, "a reported call changed nothing");
        }

        /** Records what the call grew or claimed; true if the Claim source claimed its region now. */
        boolean after() {
            check(Mem.getInt(t + State.SOURCE_KIND) == kindBefore, "the source kind never changes by itself");
            check(Mem.growCalls() - growCalls <= 1, "one allocator call grows memory at most once");
            int pagesAfter = Mem.pages();
            if (pagesAfter != pages) {
                check(growing, "only a growing source grows memory");
                check(pagesAfter <= limitPages, "the allocator grew memory to " + pagesAfter + " pages, past its limit of " + limitPages);
                int base = pages << Mem.PAGE_SHIFT;
                int end = pagesAfter << Mem.PAGE_SHIFT;
                if (kindBefore == Source.GROW_AND_EXTEND && sourceA == base) {
                    Integer first = null;
                    for (Map.Entry<Integer, Integer> e : f.heaps.entrySet()) {
                        if (e.getValue() == base && !userHeaps.containsKey(e.getKey())) {
                            first = e.getKey();
                        }
                    }
                    check(first != null, "GROW_AND_EXTEND's last heap end " + base + " is a heap it grew");
                    f.heaps.put(first, end);
                } else {
                    f.heaps.put(Fixture.firstChunk(base), end);
                }
                check(Mem.getInt(t + State.SOURCE_A) == end, "a growing source remembers the end of the heap it grew");
            }
            if (kindBefore == Source.CLAIM && sourceB != 0 && Mem.getInt(t + State.SOURCE_B) == 0) {
                Region r = null;
                for (Region x : regions.values()) {
                    if (x.armed) {
                        r = x;
                    }
                }
                check(r != null && r.claimBase == sourceA && r.claimSize == sourceB, "the Claim source claims the region it was given");
                r.armed = false;
                long endL = ((long) r.claimBase + r.claimSize) & SIZE_MASK;
                long first = Fixture.firstChunk(r.claimBase);
                if (endL - first >= UNIT) {
                    f.heaps.put((int) first, (int) endL);
                    userHeaps.put((int) first, r);
                    r.heapFirst = (int) first;
                }
                return true;
            }
            return false;
        }

        /** After a successful call that may have grown: at most the documented step. */
        void grewWithinPolicy(long need) {
            int grown = Mem.pages() - pages;
            if (grown > 0) {
                int exact = (int) ((need + UNIT + Mem.PAGE_SIZE - 1) >>> Mem.PAGE_SHIFT);
                int step = Math.min(pages * 3 >>> 4, 256);
                check(grown <= Math.max(exact, step), "grew " + grown + " pages for a need of " + need
                        + " bytes with " + pages + " pages (policy: max(" + exact + ", " + step + "))");
            }
        }
    }

    /** A call returned 0: it must have been impossible, and must have changed nothing. */
    private void failed(long need, Before before, boolean claimed) {
        AllocatorFuzzTarget.totalFailures++;
        if (damaged) {
            // The heap scans, and the search for a gap that would have served, need an intact heap.
            return;
        }
        if (need < 0) {
            check(!claimed, "an invalid request does not make the Claim source claim");
            check(Mem.pages() == before.pages, "an invalid request grows no memory");
            expectUnchanged(before.scan, false);
            return;
        }
        check(Mem.pages() == before.pages, "a failed request leaves memory as large as it was");
        HeapScan.Result now = expectUnchanged(before.scan, claimed);
        int gap = largestGap();
        check(gap < need, "returned 0 although a gap of " + gap + " bytes holds the worst-case need of " + need
                + " (" + now.gaps + " gaps)");
        if (growing) {
            int ceiling = Math.min(maxPages, limitPages);
            long pagesForFreshHeap = (need + UNIT + Mem.PAGE_SIZE - 1) >>> Mem.PAGE_SHIFT;
            check(pagesForFreshHeap > ceiling - before.pages, "returned 0 although memory could grow by "
                    + (ceiling - before.pages) + " pages, and " + pagesForFreshHeap + " hold the need of " + need);
        }
    }

    /** Makes {@link #last} the current state when a call changed the heap since the last scan (null once damaged). */
    private HeapScan.Result baseline() {
        if (last == null && !damaged) {
            last = f.scan();
        }
        return last;
    }

    /** Scans and checks the heap is what it was before the call (the Claim source may have added its region). */
    private HeapScan.Result expectUnchanged(HeapScan.Result before, boolean claimed) {
        if (damaged) {
            return null;
        }
        HeapScan.Result now = f.scan();
        last = now;
        check(now.allocations.equals(before.allocations), "a failed call changes no allocation");
        if (!claimed) {
            check(now.gaps == before.gaps && now.gapBytes == before.gapBytes && now.heaps == before.heaps
                    && now.claimedBytes == before.claimedBytes, "a failed call leaves the heaps as they were");
        }
        return now;
    }

    /** Largest gap in any heap, by walking the chunks. */
    private int largestGap() {
        int largest = 0;
        for (Map.Entry<Integer, Integer> heap : f.heaps.entrySet()) {
            for (int base = heap.getKey(); base < heap.getValue(); ) {
                int h = Fixture.header(base);
                int size = h & SIZE_MASK;
                if ((h & ALLOCATED) == 0) {
                    largest = Math.max(largest, size);
                }
                base += size;
            }
        }
        return largest;
    }

    /**
     * Checks a new or moved block: alignment, exact usable size (its header's, and before any
     * damage malloc_usable_size's too), inside a heap, no overlap; records its usable size.
     */
    private void placed(Block b, int align) {
        int p = b.ptr;
        check(p > 0 && p % align == 0, "pointer " + p + " is " + align + "-aligned");
        int size = (Fixture.header(p) & SIZE_MASK) - Chunk.overhead();
        int expected = Chunk.sizeFor(b.size) - Chunk.overhead();
        check(size == expected, "usable size of a " + b.size + "-byte block is " + expected + ", got " + size);
        if (!damaged) {
            check(Talc.usableSize(t, p) == size, "malloc_usable_size of a " + b.size + "-byte block");
        }
        usableOf.put(p, size);
        // The end of its chunk, as the user pointer the next chunk would have.
        int chunkEnd = p + size + Chunk.overhead();
        Map.Entry<Integer, Integer> heap = f.heaps.floorEntry(p);
        check(heap != null && chunkEnd <= heap.getValue(), "block " + p + " lies inside a heap");
        Map.Entry<Integer, Block> below = byAddr.lowerEntry(p);
        if (below != null) {
            int belowEnd = below.getKey() + usableOf.get(below.getKey()) + Chunk.overhead();
            check(belowEnd <= p, "block " + p + " overlaps the block at " + below.getKey());
        }
        Map.Entry<Integer, Block> above = byAddr.ceilingEntry(p);
        if (above != null) {
            check(chunkEnd <= above.getKey(), "block " + p + " overlaps the block at " + above.getKey());
        }
    }

    // ------------------------------------------------------------------------------------------
    // Checks after every operation

    private void afterOp() {
        if (damaged) {
            afterDamagedOp();
            return;
        }
        HeapScan.Result r = f.scan();
        check(r.allocations.keySet().equals(byAddr.keySet()), "the heap's allocations are the model's ("
                + r.allocations.size() + " vs " + byAddr.size() + ")");
        for (Map.Entry<Integer, Integer> heap : f.heaps.entrySet()) {
            int first = heap.getKey();
            int end = heap.getValue();
            int reserved = Talc.reserved(end);
            int expected = reservedSpec(first, end);
            check(reserved == expected, "reserved(" + end + ") of the heap at " + first + " is " + expected + ", got " + reserved);
        }
        checkMarkers(ops % 64 == 0 ? 4096 : 0);
        last = r;
    }

    /**
     * Corruption mode, once damaged: memory outside the heaps keeps its markers, and a heap
     * that the allocator's own check accepts is consistent and holds exactly the model's blocks
     * (no damage goes unseen).
     */
    private void afterDamagedOp() {
        checkMarkers(ops % 64 == 0 ? 4096 : 0);
        String what = op;
        op = "talc_check after " + what;
        if (CheckedOracle.call(op, 0, 0, () -> Talc.check(t)).result == 0) {
            HeapScan.Result r = f.scan();
            check(r.allocations.keySet().equals(byAddr.keySet()), "a heap talc_check accepts holds the model's blocks ("
                    + r.allocations.size() + " vs " + byAddr.size() + ")");
        }
        op = what;
    }

    /** The lowest end the heap can be truncated to: the end of its highest block, or 0 when it has none. */
    private int reservedSpec(int first, int end) {
        Map.Entry<Integer, Block> top = byAddr.lowerEntry(end);
        if (top == null || top.getKey() < first) {
            return 0;
        }
        return top.getKey() + usableOf.get(top.getKey()) + Chunk.overhead();
    }

    /** Frees every live block; once damaged, the blocks whose free reports the damage stay. */
    private void drain() {
        for (Block b : new ArrayList<>(live)) {
            free(b);
        }
        if (damaged) {
            return;
        }
        HeapScan.Result r = f.scan();
        check(r.allocations.isEmpty(), "nothing is allocated after freeing everything");
        check(r.gaps == r.heaps, "each empty heap is one gap (" + r.gaps + " gaps in " + r.heaps + " heaps)");
        for (Map.Entry<Integer, Integer> heap : f.heaps.entrySet()) {
            check(Talc.reserved(heap.getValue()) == 0, "an empty heap reserves nothing");
        }
        if (Features.counters()) {
            check(Counters.allocationCount(t) == 0 && Counters.allocatedBytes(t) == 0, "counters are back to zero allocations");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Memory the allocator must leave alone

    private void addForeignRegion(int start, int end) {
        mark(start, end);
        addRegion(start, end);
    }

    /** Memory that is someone else's (already marked); the test may also claim heaps in it. */
    private void addRegion(int start, int end) {
        if (end > start) {
            regions.put(start, new Region(start, end));
        }
    }

    /** Writes the marker over [from, to), fast (memory.copy doubling). */
    private static void mark(int from, int to) {
        int len = to - from;
        if (len <= 0) {
            return;
        }
        int first = Math.min(len, 4096);
        Mem.fill(from, MARKER, first);
        for (int done = first; done < len; ) {
            int n = Math.min(done, len - done);
            Mem.copy(from + done, from, n);
            done += n;
        }
    }

    /**
     * Every region's memory outside its heap (and an armed, unclaimed region) keeps the marker:
     * 64 bytes at each boundary, and every {@code stride}-th byte between (none when 0).
     */
    private void checkMarkers(int stride) {
        for (Region r : regions.values()) {
            if (r.heapFirst == 0) {
                checkMarked(r.start, r.end, stride);
            } else {
                checkMarked(r.start, heapStart(r.heapFirst), stride);
                checkMarked(f.heaps.get(r.heapFirst), r.end, stride);
            }
        }
    }

    /** The first and last 64 bytes of [from, to) and every {@code stride}-th byte between. */
    private static void checkMarked(int from, int to, int stride) {
        if (to <= from) {
            return;
        }
        int edge = Math.min(to, from + 64);
        for (int a = from; a < edge; a++) {
            checkMarker(a, from, to);
        }
        for (int a = Chunk.alignUp(edge, Math.max(stride, 1)); stride > 0 && a < to - 64; a += stride) {
            checkMarker(a, from, to);
        }
        for (int a = Math.max(edge, to - 64); a < to; a++) {
            checkMarker(a, from, to);
        }
    }

    private static void checkMarker(int a, int from, int to) {
        if (Mem.getByte(a) != MARKER) {
            throw new AssertionError("memory the allocator does not own changed at " + a + " (in [" + from + ", " + to + "))");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Fill patterns

    static boolean patterned(int i, int size) {
        return size <= PATTERN_FULL || i < PATTERN_EDGE || i >= size - PATTERN_EDGE || (i & PATTERN_STRIDE_MASK) == 0;
    }

    private static byte pattern(Block b, int i) {
        return (byte) (b.id * 167 + i * 13 + (i >>> 8));
    }

    private static void fill(Block b) {
        for (int i = 0; i < b.size; i++) {
            if (patterned(i, b.size)) {
                Mem.putByte(b.ptr + i, pattern(b, i));
            }
        }
    }

    private void verify(Block b, int upTo) {
        for (int i = 0; i < upTo; i++) {
            if (patterned(i, b.size) && Mem.getByte(b.ptr + i) != pattern(b, i)) {
                throw new AssertionError("block " + b.id + " at " + b.ptr + " (" + b.size + " bytes) corrupted at +" + i);
            }
        }
    }

    /** After a realloc moved or resized b (b.size still the old size): the first {@code kept} bytes. */
    private void verifyPrefix(Block b, int kept) {
        for (int i = 0; i < kept; i++) {
            if (patterned(i, b.size) && Mem.getByte(b.ptr + i) != pattern(b, i)) {
                throw new AssertionError("realloc lost the contents of block " + b.id + " at +" + i);
            }
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
