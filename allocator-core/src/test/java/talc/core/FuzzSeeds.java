package talc.core;

import static talc.core.AllocatorFuzzTarget.EDGE_SIZES;
import static talc.core.AllocatorFuzzTarget.SPECIAL_ALIGNS;
import static talc.core.AllocatorFuzzTarget.SPECIAL_COUNTS;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The seed corpora of {@link AllocatorFuzzTest}: inputs in {@link AllocatorFuzzTarget}'s format,
 * written with a small builder so that each says what it does. The committed files
 * {@code seed-*} in {@code src/test/resources/talc/core/AllocatorFuzzTestInputs/fuzz/} are
 * exactly {@link #seeds()}, and in {@code .../fuzzCorrupting/} exactly
 * {@link #corruptionSeeds()} (a test checks it); regenerate them after changing this class with
 *
 * <pre>
 *   mvn -q -pl allocator-core test-compile
 *   java -cp allocator-core/target/classes:allocator-core/target/test-classes talc.core.FuzzSeeds \
 *       allocator-core/src/test/resources/talc/core/AllocatorFuzzTestInputs
 * </pre>
 * (remove the old {@code seed-*} files first when a seed was renamed or dropped).
 */
final class FuzzSeeds {
    static final String INPUTS_DIR = "src/test/resources/talc/core/AllocatorFuzzTestInputs";
    /** The corpus of {@link AllocatorFuzzTest#fuzz}. */
    static final String CORPUS_DIR = INPUTS_DIR + "/fuzz";
    /** The corpus of {@link AllocatorFuzzTest#fuzzCorrupting}, the corruption mode. */
    static final String CORRUPTING_CORPUS_DIR = INPUTS_DIR + "/fuzzCorrupting";

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path inputs = Paths.get(args.length > 0 ? args[0] : INPUTS_DIR);
        write(inputs.resolve("fuzz"), seeds());
        write(inputs.resolve("fuzzCorrupting"), corruptionSeeds());
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        System.out.println(seeds.size() + " seeds written to " + dir);
    }

    /** Configuration byte: features off by flag, the source kind, the memory size class. */
    static int config(boolean defaultBinning, boolean countersOff, boolean growOff, boolean reallocOff, int source, int sizeClass) {
        return (defaultBinning ? 1 : 0) | (countersOff ? 2 : 0) | (growOff ? 4 : 0) | (reallocOff ? 8 : 0)
                | source << 4 | sizeClass << 6;
    }

    /** Builds one input. */
    static final class Program {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** A Manual allocator whose first heap starts {@code offset} bytes into slot 0 and takes {@code fraction}/65536 of it. */
        static Program manual(int config, int offset, int fraction) {
            Program p = new Program();
            p.u8(config).u8(offset).u16(fraction - 1);
            return p;
        }

        /** A Claim-source allocator: first heap as {@link #manual}, the source's region in slot 1. */
        static Program claim(int config, int offset, int fraction, int claimOffset, int claimSize) {
            return manual(config, offset, fraction).u8(claimOffset).u24(claimSize);
        }

        /** A growing-source allocator booted (bootGrowing) above {@code pagesBelow} (0..3) pages of someone else's. */
        static Program growing(int config, int pagesBelow) {
            Program p = new Program();
            p.u8(config).u8(pagesBelow);
            return p;
        }

        /**
         * A growing-source allocator booted with bootInRegion in a memory of {@code pages} (1..4),
         * the region from {@code 1 + start % (half the memory)}, the limit chosen by {@code limitChoice}
         * (low 2 bits: 0 none, 1 negative, 2 a page boundary above, 3 below the memory end).
         */
        static Program inRegion(int config, int pages, int start, int limitChoice) {
            Program p = new Program();
            p.u8(config).u8(8 | (pages - 1)).u16(start).u8(limitChoice);
            return p;
        }

        /** init + claim (from {@code offset} past the state to {@code 16 * tailUnits} below the memory end) + useGrowingSource. */
        static Program afterClaim(int config, int pages, int offset, int tailUnits, boolean extendable) {
            Program p = new Program();
            p.u8(config).u8(12 | (pages - 1)).u8(offset).u8(tailUnits).u8(extendable ? 0 : 1);
            return p;
        }

        Program u8(int v) {
            out.write(v & 0xFF);
            return this;
        }

        Program u16(int v) {
            return u8(v).u8(v >>> 8);
        }

        Program u24(int v) {
            return u16(v).u8(v >>> 16);
        }

        Program s32(int v) {
            return u16(v).u16(v >>> 16);
        }

        private Program op(int op, int lo) {
            return u8(op << 4 | lo);
        }

        /** The size class that encodes {@code size} exactly (its operand follows the opcode). */
        private static int sizeClass(int size) {
            if (indexOf(EDGE_SIZES, size) >= 0) {
                return AllocatorFuzzTarget.SIZE_EDGE;
            } else if (size >= 0 && size < 64) {
                return AllocatorFuzzTarget.SIZE_TINY;
            } else if (size >= 0 && size <= 1024) {
                return AllocatorFuzzTarget.SIZE_SMALL;
            } else if (size >= 0 && size <= 0xFFFF) {
                return AllocatorFuzzTarget.SIZE_MEDIUM;
            } else if (size >= 0 && size <= 1 << 20) {
                return AllocatorFuzzTarget.SIZE_LARGE;
            }
            return AllocatorFuzzTarget.SIZE_RAW;
        }

        private Program sizeOperand(int sizeClass, int size) {
            switch (sizeClass) {
                case AllocatorFuzzTarget.SIZE_EDGE:
                    return u8(indexOf(EDGE_SIZES, size));
                case AllocatorFuzzTarget.SIZE_TINY:
                    return u8(size);
                case AllocatorFuzzTarget.SIZE_SMALL:
                case AllocatorFuzzTarget.SIZE_MEDIUM:
                    return u16(size);
                case AllocatorFuzzTarget.SIZE_LARGE:
                    return u24(size);
                default:
                    return s32(size);
            }
        }

        private static int indexOf(int[] table, int v) {
            for (int i = 0; i < table.length; i++) {
                if (table[i] == v) {
                    return i;
                }
            }
            return -1;
        }

        Program malloc(int size) {
            int c = sizeClass(size);
            return op(AllocatorFuzzTarget.OP_MALLOC, c).sizeOperand(c, size);
        }

        Program calloc(int n, int size) {
            int c = sizeClass(size);
            op(AllocatorFuzzTarget.OP_CALLOC, c);
            if (n >= 0 && n < 9) {
                u8(n);
            } else {
                int i = indexOf(SPECIAL_COUNTS, n);
                if (i < 0) {
                    throw new IllegalArgumentException("count " + n + " has no encoding");
                }
                u8(0xF0 + i);
            }
            return sizeOperand(c, size);
        }

        Program alignedAlloc(int align, int size) {
            int c = sizeClass(size);
            op(AllocatorFuzzTarget.OP_ALIGNED, c);
            int log = Integer.numberOfTrailingZeros(align);
            if (align > 0 && Integer.bitCount(align) == 1 && log <= 20) {
                u8(log);
            } else {
                int i = indexOf(SPECIAL_ALIGNS, align);
                if (i < 0) {
                    throw new IllegalArgumentException("alignment " + align + " has no encoding");
                }
                u8(0xE0 + i);
            }
            return sizeOperand(c, size);
        }

        /** Frees live block number {@code choice} (modulo the live count; blocks move as others are freed). */
        Program free(int choice) {
            return op(AllocatorFuzzTarget.OP_FREE, 0).u8(choice);
        }

        Program realloc(int choice, int size) {
            int c = sizeClass(size);
            return op(AllocatorFuzzTarget.OP_REALLOC, c).u8(choice).sizeOperand(c, size);
        }

        /** realloc(p, 0) */
        Program reallocToZero(int choice) {
            return op(AllocatorFuzzTarget.OP_REALLOC_EDGE, 0).u8(choice);
        }

        /** realloc(0, size) */
        Program reallocFromNull(int size) {
            int c = sizeClass(size);
            return op(AllocatorFuzzTarget.OP_REALLOC_EDGE, 1).u8(c).sizeOperand(c, size);
        }

        /** realloc of a block to: 0 zero, 2 its size, 3 its usable size, 4 usable + 1, 5 half, 6 double + 1; 7 is realloc(0, 0). */
        Program reallocEdge(int variant, int choice) {
            if (variant == 7) {
                return op(AllocatorFuzzTarget.OP_REALLOC_EDGE, 7); // realloc(0, 0)
            } else if (variant == 1) {
                return reallocFromNull(choice & 63);
            }
            return op(AllocatorFuzzTarget.OP_REALLOC_EDGE, variant).u8(choice);
        }

        Program alignedSpecial(int alignIndex, int size) {
            int c = sizeClass(size);
            return op(AllocatorFuzzTarget.OP_ODD, 0).u8(alignIndex).u8(c).sizeOperand(c, size);
        }

        Program callocOverflow(int n, int size) {
            return op(AllocatorFuzzTarget.OP_ODD, 4).s32(n).s32(size);
        }

        Program callocTwoGiB(int extra) {
            return op(AllocatorFuzzTarget.OP_ODD, 6).u8(extra & 1).u16(extra >>> 1);
        }

        Program reallocHuge(int choice, int raw) {
            return op(AllocatorFuzzTarget.OP_ODD, 7).u8(choice).s32(raw);
        }

        Program mallocRaw(int size) {
            return op(AllocatorFuzzTarget.OP_ODD, 8).s32(size);
        }

        Program nulls() {
            return op(AllocatorFuzzTarget.OP_ODD, 9);
        }

        Program claimNegativeBase(int small) {
            return op(AllocatorFuzzTarget.OP_ODD, 10).u8(small < 0 ? 200 : 0).u8(small);
        }

        Program claimEmpty(int zeroOrMinusOne) {
            return op(AllocatorFuzzTarget.OP_ODD, 11).u8(zeroOrMinusOne);
        }

        /** aligned_alloc(2^(21 + k % 10), size): alignments up to 2^30. */
        Program alignedHuge(int k, int size) {
            int c = sizeClass(size);
            return op(AllocatorFuzzTarget.OP_ODD, 12).u8(k).u8(c).sizeOperand(c, size);
        }

        /** Claims in free region number {@code choice}: variant 0 a tiny size, 1 to the region end, 2 {@code size}. */
        Program claim(int variant, int choice, int offset, int size) {
            op(AllocatorFuzzTarget.OP_CLAIM, variant).u8(choice).u16(offset);
            if (variant == 0) {
                return u8(size);
            }
            return variant == 1 ? this : u24(size);
        }

        /** Extends heap number {@code choice}: variant 0 by {@code amount} < 16, 1 to its region end, 2 by {@code amount}; +4 through Talc.extend. */
        Program extend(int variant, int choice, int amount) {
            op(AllocatorFuzzTarget.OP_EXTEND, variant).u8(choice);
            switch (variant & 3) {
                case 0:
                    return u8(amount);
                case 1:
                    return this;
                default:
                    return u24(amount);
            }
        }

        /**
         * Truncates heap number {@code choice} to: 0 zero, 1 a negative end, 2 reserved, 3 below
         * reserved, 4 just below the end, 5 just above its first chunk, 6 first + {@code arg};
         * +8 through Talc.truncate.
         */
        Program truncate(int variant, int choice, int arg) {
            op(AllocatorFuzzTarget.OP_TRUNCATE, variant).u8(choice);
            switch (variant & 7) {
                case 0:
                case 2:
                    return this;
                case 6:
                case 7:
                    return u24(arg);
                default:
                    return u8(arg);
            }
        }

        Program drain() {
            return op(AllocatorFuzzTarget.OP_CHECK, 0);
        }

        /** Verifies every block, then frees {@code n} (< 15) from the top of the live list. */
        Program verifyAndFree(int n) {
            return op(AllocatorFuzzTarget.OP_CHECK, n + 1);
        }

        /** Growing sources: memory.grow(pages) by someone else (1..4). */
        Program foreignGrow(int pages) {
            return op(AllocatorFuzzTarget.OP_ENVIRONMENT, pages - 1);
        }

        /** Growing sources: caps memory at its size plus {@code extra} pages. */
        Program cap(int extra) {
            return op(AllocatorFuzzTarget.OP_ENVIRONMENT, 8).u8(extra);
        }

        /** Manual/Claim: back to the Manual source. */
        Program useManual() {
            return op(AllocatorFuzzTarget.OP_ENVIRONMENT, 0);
        }

        /** Manual/Claim: arms the Claim source in free region {@code choice}; tiny: a size below 64. */
        Program arm(int choice, int offset, int size, boolean tiny) {
            op(AllocatorFuzzTarget.OP_ENVIRONMENT, tiny ? 4 : 5).u8(choice).u16(offset);
            return tiny ? u8(size) : u24(size);
        }

        /**
         * Corruption mode: {@code length} (1, 6, 11 or 16) bytes of {@code value} from
         * {@code distance} (0..31) bytes past the requested end of live block {@code choice}, or
         * {@code below} it, downwards from {@code distance + 1} bytes before its start.
         */
        Program damageNear(int choice, boolean below, int distance, int length, int value) {
            int spec = (below ? 0x80 : 0) | ((length - 1) / 5) << 5 | distance;
            return op(AllocatorFuzzTarget.OP_ODD, AllocatorFuzzTarget.OP_DAMAGE_NEAR).u8(choice).u8(spec).u8(value);
        }

        /** Corruption mode: a byte of {@code value} at {@code offset} (modulo its size) into heap {@code choice}. */
        Program damageByte(int choice, int offset, int value) {
            return op(AllocatorFuzzTarget.OP_ODD, AllocatorFuzzTarget.OP_DAMAGE_BYTE).u8(choice).u24(offset).u8(value);
        }

        /** Corruption mode: a word of {@code value} at {@code offset} (modulo its size) into heap {@code choice}. */
        Program damageWord(int choice, int offset, int value) {
            return op(AllocatorFuzzTarget.OP_ODD, AllocatorFuzzTarget.OP_DAMAGE_WORD).u8(choice).u24(offset).s32(value);
        }

        /** {@code n} (1..16) blocks of one size. */
        Program burst(int n, int size) {
            int c = sizeClass(size);
            return op(AllocatorFuzzTarget.OP_BURST, n - 1).u8(c).sizeOperand(c, size);
        }

        /** Frees every {@code stride}-th block by address (stride 2..5) from {@code phase} (0..3). */
        Program stridedFree(int stride, int phase) {
            return op(AllocatorFuzzTarget.OP_STRIDED_FREE, phase << 2 | (stride - 2));
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Every seed by file name. */
    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        // One random mixed workload for each feature combination and source.
        for (int features = 0; features < 16; features++) {
            for (int source = 0; source < 4; source++) {
                int sizeClass = (features + source) & 3;
                int config = features | source << 4 | sizeClass << 6;
                seeds.put(String.format("seed-mixed-f%x-s%d", features, source), mixed(config, features * 4 + source));
            }
        }
        seeds.put("seed-edge-sizes-wasm-binning", edgeSizes(config(false, false, false, false, Source.MANUAL, 3)));
        seeds.put("seed-edge-sizes-default-binning", edgeSizes(config(true, false, false, false, Source.MANUAL, 3)));
        seeds.put("seed-edge-sizes-growing", edgeSizes(config(false, false, false, false, Source.GROW_AND_EXTEND, 3)));
        seeds.put("seed-high-alignments", highAlignments(config(false, false, false, false, Source.MANUAL, 3)));
        seeds.put("seed-high-alignments-growing", highAlignments(config(true, false, false, false, Source.GROW_AND_CLAIM, 3)));
        seeds.put("seed-invalid-requests", invalidRequests(config(false, false, false, false, Source.CLAIM, 1)));
        seeds.put("seed-invalid-requests-growing", invalidRequests(config(false, true, false, false, Source.GROW_AND_EXTEND, 2)));
        seeds.put("seed-heap-management", heapManagement(config(false, false, false, false, Source.MANUAL, 2)));
        seeds.put("seed-heap-management-small-slots", heapManagement(config(true, false, false, false, Source.MANUAL, 0)));
        seeds.put("seed-claim-source", claimSource());
        seeds.put("seed-grow-and-extend-foreign", growingWithForeignGrows(config(false, false, false, false, Source.GROW_AND_EXTEND, 2)));
        seeds.put("seed-grow-and-claim-foreign", growingWithForeignGrows(config(true, false, false, false, Source.GROW_AND_CLAIM, 2)));
        seeds.put("seed-growing-cap-oom", growingCapOom(config(false, false, false, false, Source.GROW_AND_EXTEND, 0)));
        seeds.put("seed-realloc-in-place", reallocs(config(false, false, false, false, Source.MANUAL, 1)));
        seeds.put("seed-realloc-no-grow-in-place", reallocs(config(false, false, true, false, Source.MANUAL, 1)));
        seeds.put("seed-realloc-no-realloc-in-place", reallocs(config(false, false, false, true, Source.GROW_AND_EXTEND, 1)));
        seeds.put("seed-fragmentation", fragmentation(config(false, false, false, false, Source.MANUAL, 2)));
        for (int limit = 0; limit < 4; limit++) {
            int config = config(limit == 3, false, false, false, limit % 2 == 0 ? Source.GROW_AND_EXTEND : Source.GROW_AND_CLAIM, 2);
            seeds.put("seed-shared-memory-limit" + limit, sharedMemory(Program.inRegion(config, 2, 5000 + limit, 4 * (limit + 1) + limit)));
        }
        seeds.put("seed-shared-memory-tiny-region", sharedMemory(Program.inRegion(config(false, false, false, false, Source.GROW_AND_EXTEND, 1), 1, 32700, 3 | 80 << 2)));
        seeds.put("seed-use-growing-source-extend", sharedMemory(Program.afterClaim(config(false, false, false, false, Source.GROW_AND_EXTEND, 2), 2, 3, 0, true)));
        seeds.put("seed-use-growing-source-no-extend", sharedMemory(Program.afterClaim(config(false, true, false, false, Source.GROW_AND_EXTEND, 2), 3, 100, 7, false)));
        return seeds;
    }

    /** Byte values of the writes in the corruption seeds, as in CorruptionTest. */
    private static final int[] DAMAGE_VALUES = {0x00, 0x41, 0x80, 0xF0, 0xFF, 0x5A};

    /** Every seed of the corruption mode by file name (memory size classes 0 and 1 only: config bit 7). */
    static Map<String, byte[]> corruptionSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        int manual = config(false, false, false, false, Source.MANUAL, 0);
        int defaultBinning = config(true, false, false, false, Source.MANUAL, 2);
        int growing = config(false, false, false, false, Source.GROW_AND_EXTEND, 2);
        int claiming = config(false, true, true, false, Source.GROW_AND_CLAIM, 0);
        for (boolean below : new boolean[] {false, true}) {
            String side = below ? "underflows" : "overflows";
            seeds.put("seed-" + side + "-adjacent", shortWrites(Program.manual(manual, 0, 8000), below, false));
            seeds.put("seed-" + side + "-around-gaps", shortWrites(Program.manual(defaultBinning, 16, 8000), below, true));
            seeds.put("seed-" + side + "-growing", shortWrites(Program.growing(growing, 1), below, true));
        }
        seeds.put("seed-top-block-then-growth", topBlockThenGrowth(growing));
        seeds.put("seed-random-bytes", randomBytes(Program.manual(manual, 40, 30000), 1));
        seeds.put("seed-random-words-growing", randomBytes(Program.growing(claiming, 0), 2));
        for (int i = 0; i < 8; i++) {
            int config = (i % 4) << 4 | (i & 1) << 7 | (i & 2);
            seeds.put("seed-mixed-corrupting-" + i, mixed(config, 1000 + i, true));
        }
        return seeds;
    }

    /** Blocks (with gaps between when {@code gaps}), then writes of each length and value across their boundaries, each followed by calls on them. */
    private static byte[] shortWrites(Program p, boolean below, boolean gaps) {
        for (int i = 0; i < 24; i++) {
            p.malloc(8 + 12 * (i % 5));
        }
        if (gaps) {
            p.stridedFree(3, 1);
        }
        int n = 0;
        for (int length : new int[] {1, 6, 11, 16}) {
            for (int value : DAMAGE_VALUES) {
                for (int distance : new int[] {0, 3, 7}) {
                    int block = n++ % 16;
                    p.damageNear(block, below, distance, length, value);
                    p.free(block).realloc(block, 5 + n % 90).malloc(n % 70).free(block + 1);
                    p.reallocEdge(3 + n % 4, block).malloc(20 + n % 40).calloc(1, 30);
                }
            }
        }
        return p.verifyAndFree(14).drain().malloc(100).bytes();
    }

    /** Writes past the top block of a growing heap (over the sentinel), then requests that grow or extend it. */
    private static byte[] topBlockThenGrowth(int config) {
        Program p = Program.growing(config, 0);
        for (int value : DAMAGE_VALUES) {
            p.malloc(65536 - 700).malloc(200);
            p.damageNear(1, false, 0, 16, value).damageNear(1, false, 8, 6, value);
            p.malloc(70_000).malloc(150_000).free(0).free(1).malloc(300).drain();
        }
        return p.bytes();
    }

    /** Single bytes and words anywhere in a heap among allocations and frees. */
    private static byte[] randomBytes(Program p, long seed) {
        Random rnd = new Random(seed);
        for (int i = 0; i < 200; i++) {
            int r = rnd.nextInt(10);
            if (r < 3) {
                p.malloc(rnd.nextInt(600));
            } else if (r < 5) {
                p.free(rnd.nextInt(256));
            } else if (r < 6) {
                p.realloc(rnd.nextInt(256), rnd.nextInt(900));
            } else if (r < 8) {
                p.damageByte(rnd.nextInt(4), rnd.nextInt(1 << 24), DAMAGE_VALUES[rnd.nextInt(DAMAGE_VALUES.length)]);
            } else {
                p.damageWord(rnd.nextInt(4), rnd.nextInt(1 << 24), rnd.nextInt());
            }
        }
        return p.drain().bytes();
    }

    private static byte[] edgeSizes(int config) {
        boolean growing = (config >>> 4 & 3) >= Source.GROW_AND_CLAIM;
        Program p = growing ? Program.growing(config, 1) : Program.manual(config, 0, 65536);
        for (int size : EDGE_SIZES) {
            p.malloc(size);
        }
        for (int size : EDGE_SIZES) {
            p.calloc(1, size);
        }
        for (int i = 0; i < 12; i++) {
            p.reallocEdge(2 + i % 5, i * 7);
        }
        p.reallocToZero(0).reallocFromNull(0).reallocFromNull(13).reallocEdge(7, 0);
        return p.verifyAndFree(3).drain().bytes();
    }

    private static byte[] highAlignments(int config) {
        boolean growing = (config >>> 4 & 3) >= Source.GROW_AND_CLAIM;
        Program p = growing ? Program.growing(config, 2) : Program.manual(config, 40, 65536);
        int[] sizes = {0, 13, 65536 - 16, 100_000};
        for (int log = 0; log <= 20; log++) {
            for (int size : sizes) {
                p.alignedAlloc(1 << log, size);
            }
            if (log % 4 == 3) {
                p.stridedFree(2, log & 1);
            }
        }
        p.alignedHuge(0, 16).alignedHuge(9, 0).alignedSpecial(15, 100); // 2^21, 2^30, 2^16
        if (!growing) {
            p.claim(1, 0, 4000, 0).claim(2, 1, 12345, 1 << 20);
            for (int log = 16; log <= 20; log++) {
                p.alignedAlloc(1 << log, 1 << 19);
            }
        }
        return p.drain().bytes();
    }

    private static byte[] invalidRequests(int config) {
        boolean growing = (config >>> 4 & 3) >= Source.GROW_AND_CLAIM;
        Program p = growing ? Program.growing(config, 0) : Program.claim(config, 3, 30000, 5, 40000);
        p.malloc(100).malloc(0);
        for (int i = 0; i < SPECIAL_ALIGNS.length; i++) {
            p.alignedSpecial(i, 13).alignedSpecial(i, 0);
        }
        p.callocOverflow(0x10000, 0x10000).callocOverflow(-1, -1).callocOverflow(0x12345, 0x10001);
        p.callocTwoGiB(0).callocTwoGiB(0xFFFF).calloc(0x7FFFFFFF, 2).calloc(-1, 1 << 20).calloc(0, -1).calloc(0x10001, 0xFFFF);
        p.mallocRaw(-1).mallocRaw(Integer.MIN_VALUE).mallocRaw(Talc.MAX_REQUEST).mallocRaw(Talc.MAX_REQUEST - 16)
                .mallocRaw(0x7FFFFFFF);
        p.reallocHuge(0, 0).reallocHuge(1, 1).reallocHuge(0, -2);
        p.alignedHuge(9, 1 << 30).alignedHuge(8, Talc.MAX_REQUEST - (1 << 29));
        p.claimNegativeBase(16).claimNegativeBase(-1).claimEmpty(0).claimEmpty(1).nulls();
        p.malloc(1 << 20).malloc(1 << 20).malloc(1 << 20);
        return p.drain().bytes();
    }

    private static byte[] heapManagement(int config) {
        Program p = Program.manual(config, 7, 20000);
        for (int round = 0; round < 3; round++) {
            p.claim(2, round, 1000 * round + 3, 100_000).claim(0, round + 1, 17, 20 + round).claim(1, round + 2, 999, 0);
            p.burst(12, 200).burst(4, 3000).malloc(50_000).alignedAlloc(4096, 700);
            p.stridedFree(2, 0);
            for (int h = 0; h < 4; h++) {
                p.truncate(2, h, 0).truncate(4, h, 3).truncate(3, h, 9).truncate(6, h, 5000 * h);
                p.extend(0, h, 15).extend(0, h, 16).extend(2, h, 4096 + h).extend(5, h, 0);
                p.truncate(9, h, 0).truncate(14, h, 33);
            }
            p.drain();
            for (int h = 0; h < 4; h++) {
                p.truncate(5, h, 0).truncate(8, h, 0).truncate(1, h, 3);
            }
            p.malloc(64).extend(1, 0, 0).truncate(10, 0, 0);
        }
        return p.drain().bytes();
    }

    private static byte[] claimSource() {
        int config = config(false, false, false, false, Source.CLAIM, 1);
        // A first heap of ~4 KiB, a claim region too small to hold a chunk.
        Program p = Program.claim(config, 0, 2000, 9, 20);
        p.burst(16, 200).malloc(10_000);
        p.arm(0, 5, 40, true).malloc(20_000); // tiny region again: claimed, useless
        p.arm(1, 33, 200_000, false).malloc(150_000).malloc(30_000); // claimed at the first OOM
        p.malloc(100_000).arm(2, 0, 0, false).malloc(100_000); // size 0: nothing to claim
        p.useManual().malloc(100_000).arm(0, 100, 250_000, false).calloc(2, 60_000);
        p.truncate(2, 1, 0).extend(1, 1, 0).drain().truncate(0, 1, 0).truncate(0, 0, 0);
        return p.malloc(10).bytes();
    }

    private static byte[] growingWithForeignGrows(int config) {
        Program p = Program.growing(config, 1);
        for (int i = 0; i < 6; i++) {
            p.burst(8, 3000 + i).foreignGrow(1 + i % 3).malloc(70_000).realloc(0, 140_000);
            p.claim(2, i, 100 * i, 50_000).burst(4, 9000);
            p.extend(1, 0, 0).truncate(2, 0, 0).stridedFree(3, i % 3);
        }
        p.cap(2).malloc(200_000).malloc(1 << 20).cap(40).malloc(1 << 20).foreignGrow(4).malloc(1 << 20);
        return p.drain().bytes();
    }

    private static byte[] growingCapOom(int config) {
        Program p = Program.growing(config, 0);
        p.malloc(65536 - 16).malloc(65536 - 4).malloc(65536).malloc(100_000).malloc(100);
        p.alignedAlloc(1 << 16, 10).alignedAlloc(1 << 17, 10);
        for (int i = 0; i < 40; i++) {
            p.malloc(100 + i * 37);
        }
        return p.reallocEdge(6, 0).reallocEdge(6, 1).drain().malloc(120_000).drain().bytes();
    }

    private static byte[] reallocs(int config) {
        boolean growing = (config >>> 4 & 3) >= Source.GROW_AND_CLAIM;
        Program p = growing ? Program.growing(config, 0) : Program.manual(config, 0, 65536);
        p.burst(8, 100);
        for (int i = 0; i < 8; i++) {
            p.reallocEdge(3, i).reallocEdge(4, i).reallocEdge(5, i).reallocEdge(6, i).reallocEdge(2, i);
        }
        p.stridedFree(2, 1);
        for (int i = 0; i < 4; i++) {
            p.realloc(i, 300).realloc(i, 12).realloc(i, 13).realloc(i, 5000).realloc(i, 28).realloc(i, 29);
        }
        p.reallocToZero(0).reallocToZero(0).reallocFromNull(0).reallocFromNull(65520);
        return p.drain().bytes();
    }

    private static byte[] fragmentation(int config) {
        Program p = Program.manual(config, 0, 65536);
        for (int i = 0; i < 6; i++) {
            p.burst(16, 16 * (i + 1)).burst(16, 1000 + i).burst(8, 20_000);
            p.stridedFree(2 + i % 4, i % 3);
            p.alignedAlloc(1 << (4 + 3 * i), 5000).calloc(3, 7000);
        }
        return p.verifyAndFree(14).drain().bytes();
    }

    private static byte[] sharedMemory(Program p) {
        for (int i = 0; i < 5; i++) {
            p.burst(10, 5000 * (i + 1)).malloc(70_000 * (i + 1)).stridedFree(2, i % 2).foreignGrow(1 + i % 2);
            p.claim(2, i, 40 * i, 30_000).burst(3, 900).extend(1, i, 0).truncate(2, i, 0);
        }
        return p.malloc(1 << 20).calloc(2, 300_000).drain().malloc(100).bytes();
    }

    /** A random program with a good mix of operations (deterministic in {@code seed}). */
    static byte[] mixed(int config, long seed) {
        return mixed(config, seed, false);
    }

    /** {@link #mixed(int, long)}, and with {@code damage} writes of every kind among the operations (corruption mode). */
    private static byte[] mixed(int config, long seed, boolean damage) {
        Random rnd = new Random(seed);
        int source = config >>> 4 & 3;
        boolean growing = source >= Source.GROW_AND_CLAIM;
        Program p;
        if (growing) {
            int pages = 1 + rnd.nextInt(4);
            switch (rnd.nextInt(4)) {
                case 0:
                    p = Program.inRegion(config, pages, rnd.nextInt(65536), rnd.nextInt(256));
                    break;
                case 1:
                    p = Program.afterClaim(config, pages, rnd.nextInt(256), rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(256), rnd.nextBoolean());
                    break;
                default:
                    p = Program.growing(config, pages - 1);
                    break;
            }
        } else if (source == Source.CLAIM) {
            p = Program.claim(config, rnd.nextInt(256), 1 + rnd.nextInt(65536), rnd.nextInt(256), rnd.nextInt(1 << 20));
        } else {
            p = Program.manual(config, rnd.nextInt(256), 1 + rnd.nextInt(65536));
        }
        for (int i = 0; i < 300; i++) {
            if (damage && rnd.nextInt(8) == 0) {
                switch (rnd.nextInt(3)) {
                    case 0:
                        p.damageNear(rnd.nextInt(256), rnd.nextBoolean(), rnd.nextInt(32), 1 + 5 * rnd.nextInt(4), rnd.nextInt(256));
                        break;
                    case 1:
                        p.damageByte(rnd.nextInt(4), rnd.nextInt(1 << 24), rnd.nextInt(256));
                        break;
                    default:
                        p.damageWord(rnd.nextInt(4), rnd.nextInt(1 << 24), rnd.nextInt());
                        break;
                }
            }
            int r = rnd.nextInt(100);
            if (r < 30) {
                p.malloc(randomSize(rnd));
            } else if (r < 36) {
                p.calloc(rnd.nextInt(9), randomSize(rnd) / 4);
            } else if (r < 44) {
                p.alignedAlloc(1 << rnd.nextInt(21), randomSize(rnd));
            } else if (r < 68) {
                p.free(rnd.nextInt(256));
            } else if (r < 78) {
                p.realloc(rnd.nextInt(256), randomSize(rnd));
            } else if (r < 82) {
                p.reallocEdge(rnd.nextInt(8), rnd.nextInt(256));
            } else if (r < 85) {
                p.claim(rnd.nextInt(3), rnd.nextInt(256), rnd.nextInt(65536), rnd.nextInt(1 << 21));
            } else if (r < 88) {
                p.extend(rnd.nextInt(8), rnd.nextInt(256), rnd.nextInt(1 << 20));
            } else if (r < 91) {
                p.truncate(rnd.nextInt(16), rnd.nextInt(256), rnd.nextInt(1 << 20));
            } else if (r < 93) {
                if (growing) {
                    p.foreignGrow(1 + rnd.nextInt(2));
                } else {
                    p.arm(rnd.nextInt(8), rnd.nextInt(65536), rnd.nextInt(1 << 21), rnd.nextBoolean());
                }
            } else if (r < 96) {
                p.burst(1 + rnd.nextInt(16), randomSize(rnd));
            } else if (r < 98) {
                p.stridedFree(2 + rnd.nextInt(4), rnd.nextInt(4));
            } else {
                p.u8(AllocatorFuzzTarget.OP_ODD << 4 | rnd.nextInt(16));
                for (int k = 0; k < 8; k++) {
                    p.u8(rnd.nextInt(256));
                }
            }
        }
        return p.bytes();
    }

    private static int randomSize(Random rnd) {
        int r = rnd.nextInt(100);
        if (r < 40) {
            return rnd.nextInt(64);
        } else if (r < 70) {
            return rnd.nextInt(1025);
        } else if (r < 90) {
            return rnd.nextInt(65536);
        } else if (r < 97) {
            return rnd.nextInt((1 << 20) + 1);
        }
        return EDGE_SIZES[rnd.nextInt(EDGE_SIZES.length)];
    }
}
