// Shared helpers for the tests of the built modules: the build's manifest (modules.json: the
// module variants, their capped twins, features and layout), loading the modules, a wrapper
// around the exports that keeps a fresh view of the (growable, hence detachable) memory and
// reads the counters variant's counter block, byte patterns for checking block contents, a
// seeded PRNG, and the randomized model runner (with per-variant checks) used by model.test.mjs
// and oom.test.mjs.
//
// `node --test test/` also runs this file on its own (every .mjs under a `test` directory is a
// test file); it then tests its own checkers (bottom of the file), so that a harness that could
// not see corruption cannot pass silently.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TalcMisuseError, misuseImports } from '../../package/lib/misuse.js';

export { TalcMisuseError };

const HERE = dirname(fileURLToPath(import.meta.url));

/** Directory of the built modules: $TALC_WASM_DIR, else ../wasm-target/target/wasm from wasm-tests. */
export const WASM_DIR = process.env.TALC_WASM_DIR
    ? resolve(process.env.TALC_WASM_DIR)
    : resolve(HERE, '..', '..', 'wasm-target', 'target', 'wasm');

export const PAGE = 65536;
export const KiB = 1024;
export const MiB = 1024 * 1024;
export const TWO_GIB = 2 ** 31;
/**
 * Pages of memory the allocator can address (Source.MAX_PAGES: every address stays below
 * 2 GiB). A growing module that owns its memory declares it as its memory's maximum.
 */
export const ADDRESSABLE_PAGES = TWO_GIB / PAGE - 1;
/** Largest request the allocator accepts; anything above fails with 0. */
export const MAX_REQUEST = 0x7FFF0000;
/** Upper bound (exclusive) on usable size beyond the request: header word + unit rounding + unsplit rest. */
export const USABLE_SLACK = 4 + 16 + 16;

export const hex = (n) => '0x' + (n >>> 0).toString(16);
/** Size of the counter block that talc_counters() points at (see Talc#counters). */
export const COUNTERS_BYTES = 6 * 4 + 4 + 4 * 8;
/** Counter overhead: one header word per live allocation and per heap. */
export const HEADER = 4;
/** Checked builds keep a seal word at the end of each allocation besides its header. */
export const SEAL = 4;

/** Bytes of each allocation's chunk its user cannot use: the header word, and the seal in checked builds. */
export function overhead(infoOrFile) {
    return HEADER + (feature(infoOrFile, 'checked') ? SEAL : 0);
}

export function wasmPath(name = 'talc.wasm') {
    const path = join(WASM_DIR, name);
    if (!existsSync(path)) {
        throw new Error(`${path} does not exist: build it with `
            + `'mvn -q -pl allocator-core,wasm-target -am package -DskipTests' in the repository root `
            + `(or set TALC_WASM_DIR)`);
    }
    return path;
}

/** Names of every built module (*.wasm) in WASM_DIR. */
export function wasmFiles() {
    if (!existsSync(WASM_DIR)) {
        throw new Error(`${WASM_DIR} does not exist: build the modules first (or set TALC_WASM_DIR)`);
    }
    return readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm')).sort();
}

// ---------------------------------------------------------------------------------------------
// The build's manifest, modules.json beside the modules: one entry per file, {file, variant,
// purpose, bytes, grows, maxPages, features, extraExports, stateAddress, initialPages}.
// A variant's "capped twin" is the same build with its memory capped (`<name>-max256.wasm`).

/** Default values of the build features a manifest entry may leave out. */
export const FEATURE_DEFAULTS = Object.freeze({ counters: false, growInPlace: true, reallocInPlace: true, checked: false });

let cachedManifest;

/** The parsed modules.json (cached): an array with one entry per built file. */
export function manifest() {
    if (!cachedManifest) {
        const path = join(WASM_DIR, 'modules.json');
        if (!existsSync(path)) {
            throw new Error(`${path} does not exist: build the modules with `
                + `'mvn -q -pl allocator-core,wasm-target -am package -DskipTests' in the repository root `
                + `(or set TALC_WASM_DIR)`);
        }
        const m = JSON.parse(readFileSync(path, 'utf8'));
        if (!Array.isArray(m) || m.length === 0) {
            throw new Error(`${path} is not a non-empty array`);
        }
        cachedManifest = Object.freeze(m.map((e) => Object.freeze({ ...e })));
    }
    return cachedManifest;
}

/** The manifest entry of `file` (e.g. 'talc.wasm'); throws when the manifest does not list it. */
export function moduleInfo(file) {
    const info = manifest().find((e) => e.file === file);
    if (!info) {
        throw new Error(`${file} is not listed in ${join(WASM_DIR, 'modules.json')} `
            + `(listed: ${manifest().map((e) => e.file).join(', ')})`);
    }
    return info;
}

/** The capped twin's file name that `file` would have (whether or not it was built). */
const twinName = (file) => file.replace(/\.wasm$/, '-max256.wasm');

/** True when `file` is the capped twin of another listed module. */
export function isCappedTwin(file) {
    return manifest().some((e) => e.file !== file && twinName(e.file) === file);
}

/** The module variants: every listed module except the capped twins, talc.wasm first. */
export function variants() {
    const v = manifest().filter((e) => !isCappedTwin(e.file));
    return [...v.filter((e) => e.file === 'talc.wasm'), ...v.filter((e) => e.file !== 'talc.wasm')];
}

/** The file name of `file`'s capped twin (its -max256 build), or null when there is none. */
export function cappedTwin(file) {
    const twin = twinName(file);
    return manifest().some((e) => e.file === twin) ? twin : null;
}

/** The value of build feature `name` for a manifest entry (or file name), defaults applied. */
export function feature(infoOrFile, name) {
    const info = typeof infoOrFile === 'string' ? moduleInfo(infoOrFile) : infoOrFile;
    const f = info.features ?? {};
    return name in f ? f[name] : FEATURE_DEFAULTS[name];
}

const modules = new Map();

/** The compiled module (cached per file). */
export function compile(name = 'talc.wasm') {
    let m = modules.get(name);
    if (!m) {
        m = new WebAssembly.Module(readFileSync(wasmPath(name)));
        modules.set(name, m);
    }
    return m;
}

/** A fresh instance of the named module (no imports), wrapped. */
export function instantiate(name = 'talc.wasm') {
    if (!moduleInfo(name).importedMemory) {
        return new Talc(new WebAssembly.Instance(compile(name), moduleImports(name)), name);
    }
    // A module that serves part of another module's memory: the "other module" owns everything
    // below SHARED_START (filled with a marker the foreign-region checks verify), talc gets the
    // rest with no limit, so every test of a standalone module applies to it too.
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).fill(SHARED_MARKER, 0, SHARED_START);
    const instance = new WebAssembly.Instance(compile(name), moduleImports(name, memory));
    if (instance.exports.talc_init(SHARED_START, 0) !== 1) {
        throw new Error(`${name}: talc_init(${SHARED_START}, 0) failed`);
    }
    const t = new Talc(instance, name, memory);
    t.heapFloor = SHARED_START;
    t.foreign.push({ start: 0, end: SHARED_START, marker: SHARED_MARKER, sparse: false });
    return t;
}

/**
 * What a module imports: nothing; env.memory for a module that imports its memory; and for a
 * checked build its report hook env.talc_report(kind, address), the package's, which throws a
 * TalcMisuseError (the heap is as before the bad call, so a test can go on).
 */
export function moduleImports(name, memory) {
    const env = {
        ...(memory !== undefined ? { memory } : {}),
        ...(feature(moduleInfo(name), 'checked') ? misuseImports() : {}),
    };
    return Object.keys(env).length > 0 ? { env } : {};
}

/** Misuse kind codes of the checked build (talc.core.Misuse). */
export const MISUSE = Object.freeze({ MISALIGNED: 1, OUTSIDE_HEAPS: 2, INSIDE_BLOCK: 3, NOT_ALLOCATED: 4, CORRUPTED: 5 });


/** Where an imported-memory module's region starts in the tests; below it is "another module's". */
export const SHARED_START = 4096;
const SHARED_MARKER = 0xC3;

/**
 * Wraps one instance. Every export call converts pointers with `>>> 0`, then re-reads
 * `memory.buffer` when its size changed (growth detaches the old buffer), counting the calls
 * after which the allocator had grown memory. Foreign grows (memory.grow from JS) are recorded
 * as regions filled with a marker byte, which `checkForeign` verifies.
 */
export class Talc {
    constructor(instance, name, memory = instance.exports.memory) {
        this.name = name;
        this.instance = instance;
        this.e = instance.exports;
        this.memory = memory;
        this.initialBytes = this.memory.buffer.byteLength;
        /** This module's entry in modules.json. */
        this.info = moduleInfo(name);
        /** No block may start below this: null and the allocator's state block. */
        this.heapFloor = this.info.stateAddress;
        this._bytes = this.initialBytes;
        this._u8 = new Uint8Array(this.memory.buffer);
        /** Allocator calls after which memory was larger than before the call. */
        this.growCalls = 0;
        /** Largest memory size (bytes) seen after any call. */
        this.maxBytes = this.initialBytes;
        /** Regions grown from JS: {start, end, marker}. */
        this.foreign = [];
    }

    _sync() {
        const buf = this.memory.buffer;
        const bytes = buf.byteLength;
        if (bytes !== this._bytes) {
            this.growCalls++;
            this._bytes = bytes;
            this._u8 = new Uint8Array(buf);
            if (bytes > this.maxBytes) {
                this.maxBytes = bytes;
            }
        }
    }

    malloc(size) {
        const r = this.e.malloc(size) >>> 0;
        this._sync();
        return r;
    }

    free(ptr) {
        this.e.free(ptr);
        this._sync();
    }

    realloc(ptr, size) {
        const r = this.e.realloc(ptr, size) >>> 0;
        this._sync();
        return r;
    }

    calloc(n, size) {
        const r = this.e.calloc(n, size) >>> 0;
        this._sync();
        return r;
    }

    alignedAlloc(align, size) {
        const r = this.e.aligned_alloc(align, size) >>> 0;
        this._sync();
        return r;
    }

    usable(ptr) {
        const r = this.e.malloc_usable_size(ptr) >>> 0;
        this._sync();
        return r;
    }

    /** True when this module exports talc_counters (the counters variant). */
    get hasCounters() {
        return typeof this.e.talc_counters === 'function';
    }

    /**
     * The counter block, read through talc_counters() (counters variant only): six u32
     * (allocation count, allocated bytes, available bytes, fragment count, heap count, claimed
     * bytes), 4 bytes of padding, four u64 totals (allocations, allocated bytes, heaps, claimed
     * bytes), all little-endian. The totals are returned as Numbers (exact below 2^53).
     */
    counters() {
        if (!this.hasCounters) {
            throw new Error(`${this.name} does not export talc_counters`);
        }
        const addr = this.e.talc_counters() >>> 0;
        this._sync();
        if (addr < this.heapFloor || addr + COUNTERS_BYTES > this.bytes) {
            throw new Error(`${this.name}: talc_counters() = ${hex(addr)} is not in the state block `
                + `(state at ${hex(this.heapFloor)}, memory ${hex(this.bytes)} bytes)`);
        }
        const dv = new DataView(this.memory.buffer, addr, COUNTERS_BYTES);
        const u64 = (o) => Number(dv.getBigUint64(o, true));
        return {
            address: addr,
            allocationCount: dv.getUint32(0, true),
            allocatedBytes: dv.getUint32(4, true),
            availableBytes: dv.getUint32(8, true),
            fragmentCount: dv.getUint32(12, true),
            heapCount: dv.getUint32(16, true),
            claimedBytes: dv.getUint32(20, true),
            totalAllocationCount: u64(28),
            totalAllocatedBytes: u64(36),
            totalHeapCount: u64(44),
            totalClaimedBytes: u64(52),
        };
    }

    /** Current memory size in bytes. */
    get bytes() {
        return this.memory.buffer.byteLength;
    }

    get pages() {
        return this.bytes / PAGE;
    }

    /** A byte view of the current memory. */
    get u8() {
        if (this._u8.byteLength !== this.memory.buffer.byteLength) {
            this._u8 = new Uint8Array(this.memory.buffer);
            this._bytes = this._u8.byteLength;
        }
        return this._u8;
    }

    /**
     * Grows memory from JS (a "foreign" grow the allocator must keep out of) and fills the new
     * pages with `marker` (only the first and last page and every 256th page when `sparse`, for
     * regions too big to fill). Returns the region.
     */
    growForeign(pages, marker = 0xA5, sparse = false) {
        const old = this.memory.grow(pages);
        const region = { start: old * PAGE, end: (old + pages) * PAGE, marker, sparse };
        this._bytes = this.memory.buffer.byteLength;
        this._u8 = new Uint8Array(this.memory.buffer);
        if (this._bytes > this.maxBytes) {
            this.maxBytes = this._bytes;
        }
        for (const p of foreignPages(region)) {
            this._u8.fill(marker, p, p + PAGE);
        }
        this.foreign.push(region);
        return region;
    }

    /** Null when every foreign marker is intact, else a description of the first damage. */
    checkForeign() {
        const u8 = this.u8;
        for (const region of this.foreign) {
            const expect = markerPage(region.marker);
            for (const p of foreignPages(region)) {
                const len = Math.min(PAGE, region.end - p);
                if (!Buffer.from(u8.buffer, p, len).equals(expect.subarray(0, len))) {
                    let i = p;
                    while (u8[i] === region.marker) {
                        i++;
                    }
                    return `foreign region [${hex(region.start)}, ${hex(region.end)}) damaged at ${hex(i)}: `
                        + `byte ${u8[i]}, marker ${region.marker}`;
                }
            }
        }
        return null;
    }

    /** Null when [ptr, ptr+len) is outside every foreign region, else which region it hits. */
    foreignOverlap(ptr, len) {
        for (const r of this.foreign) {
            if (ptr < r.end && ptr + len > r.start) {
                return `[${hex(ptr)}, ${hex(ptr + len)}) overlaps foreign region [${hex(r.start)}, ${hex(r.end)})`;
            }
        }
        return null;
    }
}

function* foreignPages(region) {
    const n = (region.end - region.start) / PAGE;
    for (let i = 0; i < n; i++) {
        if (!region.sparse || i === 0 || i === n - 1 || i % 256 === 0) {
            yield region.start + i * PAGE;
        }
    }
}

const markerPages = new Map();

function markerPage(marker) {
    let b = markerPages.get(marker);
    if (!b) {
        b = Buffer.alloc(PAGE, marker);
        markerPages.set(marker, b);
    }
    return b;
}

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32).

export class Rng {
    constructor(seed) {
        this.s = seed | 0;
    }

    /** Uniform u32. */
    next() {
        let t = (this.s = (this.s + 0x6D2B79F5) | 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (t ^ (t >>> 14)) >>> 0;
    }

    /** Uniform in [0, 1). */
    float() {
        return this.next() / 4294967296;
    }

    /** Uniform integer in [lo, hi]. */
    int(lo, hi) {
        return lo + Math.floor(this.float() * (hi - lo + 1));
    }
}

// ---------------------------------------------------------------------------------------------
// Block patterns. A block's pattern is a window of a fixed random table, starting at the block's
// own offset `off` (0..65535): byte i of the block is PAT[(off + i) mod 65536]. Blocks up to
// FULL_PATTERN bytes are patterned entirely; bigger ones at sample positions: the first and last
// 256 bytes and every 4096th byte.

const PAT_PERIOD = 65536;
export const FULL_PATTERN = 4096;
const PAT = (() => {
    const rng = new Rng(0x7A1C);
    const a = new Uint8Array(PAT_PERIOD + FULL_PATTERN);
    for (let i = 0; i < PAT_PERIOD; i++) {
        a[i] = rng.next() & 0xFF;
    }
    a.copyWithin(PAT_PERIOD, 0, FULL_PATTERN);
    return a;
})();
const PAT_BUF = Buffer.from(PAT.buffer, PAT.byteOffset, PAT.byteLength);

/** Expected byte at offset i of a block with pattern offset `off`. */
export const patternByte = (off, i) => PAT[(off + i) & (PAT_PERIOD - 1)];

/** Calls fn(start, length) for each patterned run of a block of `len` bytes, clipped to `limit`. */
function forEachRun(len, limit, fn) {
    const end = Math.min(len, limit);
    if (len <= FULL_PATTERN) {
        if (end > 0) {
            fn(0, end);
        }
        return;
    }
    fn(0, Math.min(256, end));
    const tail = len - 256;
    for (let s = 4096; s < tail && s < end; s += 4096) {
        fn(s, 1);
    }
    if (tail < end) {
        fn(tail, end - tail);
    }
}

/** Writes the pattern `off` over the block [ptr, ptr+len). */
export function fillPattern(u8, ptr, len, off) {
    forEachRun(len, len, (s, n) => {
        if (n === 1) {
            u8[ptr + s] = patternByte(off, s);
        } else {
            const a = (off + s) & (PAT_PERIOD - 1);
            u8.set(PAT.subarray(a, a + n), ptr + s);
        }
    });
}

/**
 * Null when the block [ptr, ptr+len) still holds pattern `off` in its first `limit` bytes,
 * else "offset X: byte Y, expected Z".
 */
export function checkPattern(u8, ptr, len, off, limit = len) {
    let bad = null;
    forEachRun(len, limit, (s, n) => {
        if (bad !== null) {
            return;
        }
        if (n === 1) {
            if (u8[ptr + s] !== patternByte(off, s)) {
                bad = s;
            }
            return;
        }
        const a = (off + s) & (PAT_PERIOD - 1);
        if (!Buffer.from(u8.buffer, ptr + s, n).equals(PAT_BUF.subarray(a, a + n))) {
            for (let i = s; i < s + n; i++) {
                if (u8[ptr + i] !== patternByte(off, i)) {
                    bad = i;
                    break;
                }
            }
        }
    });
    return bad === null ? null
        : `offset ${bad} (address ${hex(ptr + bad)}): byte ${u8[ptr + bad]}, expected ${patternByte(off, bad)}`;
}

const ZERO = Buffer.alloc(1 << 20);

/** Null when [ptr, ptr+len) is all zero, else the first nonzero offset. */
export function checkZero(u8, ptr, len) {
    for (let s = 0; s < len; s += ZERO.length) {
        const n = Math.min(ZERO.length, len - s);
        if (!Buffer.from(u8.buffer, ptr + s, n).equals(ZERO.subarray(0, n))) {
            for (let i = s; i < s + n; i++) {
                if (u8[ptr + i] !== 0) {
                    return `offset ${i} (address ${hex(ptr + i)}) is ${u8[ptr + i]}, not 0`;
                }
            }
        }
    }
    return null;
}

/**
 * Null when the blocks ({ptr, usable}) are pairwise disjoint, else a description of the first
 * overlapping pair. Sorts a copy.
 */
export function findOverlap(blocks) {
    const sorted = blocks.slice().sort((a, b) => a.ptr - b.ptr);
    for (let i = 1; i < sorted.length; i++) {
        const a = sorted[i - 1];
        const b = sorted[i];
        if (a.ptr + Math.max(a.usable, 1) > b.ptr) {
            return `block ${hex(a.ptr)} (usable ${a.usable}) overlaps block ${hex(b.ptr)} (usable ${b.usable})`;
        }
    }
    return null;
}

/**
 * Null when a fresh allocation `ptr` of `size` bytes at `align` is well formed (non-zero,
 * aligned to max(align, 16), usable size in [size, size + USABLE_SLACK), inside memory, below
 * 2 GiB and above null and the allocator's state block, clear of foreign
 * regions), else what is wrong.
 */
export function blockProblem(t, ptr, size, align, usable) {
    const a = Math.max(align, 16);
    if (ptr === 0) {
        return 'returned 0';
    }
    if (ptr % a !== 0) {
        return `pointer ${hex(ptr)} is not ${a}-aligned`;
    }
    if (usable < size || usable >= size + USABLE_SLACK) {
        return `usable size ${usable} of ${hex(ptr)} not in [${size}, ${size + USABLE_SLACK})`;
    }
    if (ptr < t.heapFloor) {
        return `pointer ${hex(ptr)} lies below the heaps (null and the state block end at ${hex(t.heapFloor)})`;
    }
    if (ptr + usable > t.bytes) {
        return `block [${hex(ptr)}, ${hex(ptr + usable)}) extends past memory end ${hex(t.bytes)}`;
    }
    if (ptr + usable > TWO_GIB) {
        return `block [${hex(ptr)}, ${hex(ptr + usable)}) extends above 2 GiB`;
    }
    return t.foreignOverlap(ptr, Math.max(usable, 1));
}

// ---------------------------------------------------------------------------------------------
// Randomized model runner.

/** Request size: mostly small, up to 256 KiB. */
export function randomSize(rng) {
    const r = rng.float();
    if (r < 0.55) {
        return rng.int(0, 64);
    }
    if (r < 0.82) {
        return rng.int(65, 512);
    }
    if (r < 0.94) {
        return rng.int(513, 8192);
    }
    if (r < 0.99) {
        return rng.int(8193, 65536);
    }
    return rng.int(65537, 256 * KiB);
}

/**
 * Runs `ops` random operations (malloc, calloc, aligned_alloc, free, realloc incl. to 0 and from
 * 0) on instance `t`, checking every result against a model of the live blocks and the memory.
 * With `expectOom` false, every allocation must succeed; with it true, failures are allowed but
 * must leave everything intact (a failed realloc keeps its block). Throws an Error naming the
 * seed, the operation index and the pointer on the first discrepancy. Returns statistics.
 *
 * Options: maxLive (live-set bound), foreignEvery (mean operations between foreign grows; 0 =
 * none), maxForeign (most foreign grows), checkEvery (overlap + marker check period), fullEvery
 * (period of re-checking every live block's contents), sizeFn, and two checks that depend on the
 * module (see variantChecks): onRealloc(block, size, newPtr), called after every successful
 * realloc of a live block to a non-zero size, and afterOp(model), called after every operation
 * (and once more when everything is freed) with the model's totals {live, liveUsable,
 * totalAllocs, totalAllocBytes}; each returns null or what is wrong.
 */
export function runModel(t, seed, ops, opts = {}) {
    const {
        maxLive = 1000,
        foreignEvery = 0,
        maxForeign = 12,
        checkEvery = 1000,
        fullEvery = 20000,
        expectOom = false,
        sizeFn = randomSize,
        onRealloc = null,
        afterOp = null,
    } = opts;
    const rng = new Rng(seed);
    const blocks = [];
    const stats = { ops: 0, malloc: 0, calloc: 0, aligned: 0, free: 0, realloc: 0, failed: 0, foreign: 0, peakLive: 0 };
    let target = maxLive;
    let op = 0;
    let what = '';
    // What the allocator's counters should say: live blocks and their usable bytes, allocations
    // ever made (an in-place realloc is not one) and usable bytes ever allocated (growth in place
    // included).
    const model = { live: 0, liveUsable: 0, totalAllocs: 0, totalAllocBytes: 0 };

    const fail = (msg) => {
        throw new Error(`seed ${seed}, op ${op} (${what}): ${msg}`);
    };

    /** Records a fresh block; `prev` is the block a realloc resized (already removed). */
    const addBlock = (ptr, size, align, kind, zeroLen, prev = null) => {
        const usable = t.usable(ptr);
        const p = blockProblem(t, ptr, size, align, usable);
        if (p) {
            fail(p);
        }
        if (prev !== null && prev.ptr === ptr) {
            model.totalAllocBytes += Math.max(0, usable - prev.usable);
        } else {
            model.totalAllocs++;
            model.totalAllocBytes += usable;
        }
        model.liveUsable += usable;
        const u8 = t.u8;
        if (zeroLen > 0) {
            const z = checkZero(u8, ptr, zeroLen);
            if (z) {
                fail(`calloc block ${hex(ptr)} not zeroed: ${z}`);
            }
        }
        const off = rng.next() & 0xFFFF;
        fillPattern(u8, ptr, usable, off);
        blocks.push({ ptr, size, usable, off, kind, born: op });
        model.live = blocks.length;
        if (blocks.length > stats.peakLive) {
            stats.peakLive = blocks.length;
        }
    };

    const verify = (b, limit, why) => {
        const bad = checkPattern(t.u8, b.ptr, b.usable, b.off, limit);
        if (bad) {
            fail(`${why}: contents of block ${hex(b.ptr)} (${b.kind}, size ${b.size}, usable ${b.usable}, `
                + `allocated at op ${b.born}) changed at ${bad}`);
        }
    };

    const removeAt = (i) => {
        model.liveUsable -= blocks[i].usable;
        const last = blocks.pop();
        if (i < blocks.length) {
            blocks[i] = last;
        }
        model.live = blocks.length;
    };

    const hook = () => {
        if (afterOp) {
            const p = afterOp(model);
            if (p) {
                fail(`afterwards: ${p}`);
            }
        }
    };

    const fullCheck = () => {
        const o = findOverlap(blocks);
        if (o) {
            fail(o);
        }
        const f = t.checkForeign();
        if (f) {
            fail(f);
        }
    };

    for (op = 0; op < ops; op++) {
        if (op % 20000 === 0) {
            // Phases with different live-set targets, so the heap also drains and coalesces.
            target = rng.float() < 0.3 ? rng.int(1, 50) : rng.int(maxLive >> 1, maxLive);
        }
        if (foreignEvery > 0 && stats.foreign < maxForeign && rng.int(1, foreignEvery) === 1) {
            what = 'foreign memory.grow';
            const before = t.bytes;
            const r = t.growForeign(rng.int(1, 3), 0x5A + stats.foreign);
            if (r.start !== before) {
                fail(`memory.grow from JS returned ${hex(r.start)}, memory was ${hex(before)}`);
            }
            stats.foreign++;
        }
        // One operation; `break step` ends it early (the checks below still run).
        step: {
            const r = rng.float();
            const allocP = blocks.length === 0 ? 1 : blocks.length >= maxLive ? 0 : blocks.length < target ? 0.6 : 0.35;
            if (r < allocP) {
                const size = sizeFn(rng);
                const k = rng.float();
                let ptr;
                if (k < 0.2) {
                    const align = 2 ** rng.int(0, 16);
                    what = `aligned_alloc(${align}, ${size})`;
                    ptr = t.alignedAlloc(align, size);
                    stats.aligned++;
                    if (ptr !== 0 || !expectOom) {
                        addBlock(ptr, size, align, what, 0);
                    }
                } else if (k < 0.35) {
                    const elem = rng.int(1, 16);
                    const n = Math.floor(size / elem);
                    what = `calloc(${n}, ${elem})`;
                    ptr = t.calloc(n, elem);
                    stats.calloc++;
                    if (ptr !== 0 || !expectOom) {
                        addBlock(ptr, n * elem, 16, what, n * elem);
                    }
                } else {
                    what = `malloc(${size})`;
                    ptr = t.malloc(size);
                    stats.malloc++;
                    if (ptr !== 0 || !expectOom) {
                        addBlock(ptr, size, 16, what, 0);
                    }
                }
                if (ptr === 0) {
                    stats.failed++;
                }
            } else if (r < allocP + (1 - allocP) * 0.65) {
                const i = rng.int(0, blocks.length - 1);
                const b = blocks[i];
                what = `free(${hex(b.ptr)})`;
                verify(b, b.usable, 'before free');
                t.free(b.ptr);
                removeAt(i);
                stats.free++;
            } else {
                stats.realloc++;
                const k = rng.float();
                if (k < 0.05) {
                    const size = sizeFn(rng);
                    what = `realloc(0, ${size})`;
                    const ptr = t.realloc(0, size);
                    if (ptr !== 0 || !expectOom) {
                        addBlock(ptr, size, 16, what, 0);
                    } else {
                        stats.failed++;
                    }
                    break step;
                }
                const i = rng.int(0, blocks.length - 1);
                const b = blocks[i];
                let size;
                if (k < 0.15) {
                    size = 0;
                } else if (k < 0.5) {
                    size = sizeFn(rng);
                } else if (k < 0.7) {
                    size = Math.min(b.size * 2 + rng.int(0, 64), 256 * KiB);
                } else if (k < 0.85) {
                    size = b.size >> 1;
                } else {
                    size = Math.max(0, b.size + rng.int(-24, 24));
                }
                what = `realloc(${hex(b.ptr)}, ${size}) of a ${b.size}-byte block`;
                verify(b, b.usable, 'before realloc');
                const q = t.realloc(b.ptr, size);
                if (size === 0) {
                    if (q !== 0) {
                        fail(`realloc to 0 returned ${hex(q)}, expected 0`);
                    }
                    removeAt(i);
                    break step;
                }
                if (q === 0) {
                    if (!expectOom) {
                        fail('returned 0');
                    }
                    stats.failed++;
                    // A failed realloc leaves the block allocated and unchanged.
                    const u = t.usable(b.ptr);
                    if (u !== b.usable) {
                        fail(`failed realloc changed usable size of ${hex(b.ptr)} from ${b.usable} to ${u}`);
                    }
                    verify(b, b.usable, 'after failed realloc');
                    break step;
                }
                // The first min(old, new) requested bytes survive, moved or not.
                const old = { ...b, ptr: q };
                verify(old, Math.min(b.size, size), `after realloc to ${hex(q)}`);
                if (onRealloc) {
                    const p = onRealloc(b, size, q);
                    if (p) {
                        fail(p);
                    }
                }
                removeAt(i);
                addBlock(q, size, 16, what, 0, b);
            }
        }
        hook();
        if ((op + 1) % checkEvery === 0) {
            what = 'periodic overlap/marker check';
            fullCheck();
        }
        if ((op + 1) % fullEvery === 0) {
            what = 'periodic contents check';
            for (const b of blocks) {
                verify(b, b.usable, 'periodic check');
            }
        }
    }
    stats.ops = op;
    what = 'final check';
    fullCheck();
    for (const b of blocks) {
        verify(b, b.usable, 'final check');
    }
    stats.liveAtEnd = blocks.length;
    what = 'freeing everything';
    while (blocks.length > 0) {
        const b = blocks[blocks.length - 1];
        verify(b, b.usable, 'before final free');
        t.free(b.ptr);
        removeAt(blocks.length - 1);
    }
    what = 'with everything freed';
    hook();
    const f = t.checkForeign();
    if (f) {
        fail(f);
    }
    return stats;
}

/**
 * What realloc must do in module `info`, as an onRealloc check for runModel: with realloc in
 * place on (the default), a realloc to at most the usable size keeps the pointer; with grow in
 * place off, a realloc above the usable size moves; with realloc in place off, every realloc
 * moves.
 */
export function reallocRule(info) {
    const inPlace = feature(info, 'reallocInPlace');
    const grow = feature(info, 'growInPlace');
    return (b, size, q) => {
        if (!inPlace) {
            return q === b.ptr
                ? `realloc(${hex(b.ptr)}, ${size}) of a block with usable size ${b.usable} kept its pointer, `
                    + `but ${info.file} never reallocs in place`
                : null;
        }
        if (size <= b.usable && q !== b.ptr) {
            return `realloc(${hex(b.ptr)}, ${size}) within the usable size ${b.usable} moved the block to ${hex(q)}`;
        }
        if (!grow && size > b.usable && q === b.ptr) {
            return `realloc(${hex(b.ptr)}, ${size}) grew a block of usable size ${b.usable} in place, `
                + `but ${info.file} has grow in place off`;
        }
        return null;
    };
}

/**
 * An afterOp check for runModel on the counters variant: the counter block agrees exactly with
 * the model (live allocations and their usable bytes; allocations and usable bytes ever, counted
 * from the first reading), claimed = allocated + available + 4 * (allocations + heaps), no heap
 * was ever released, and the heaps fit in memory beside the foreign regions.
 */
export function countersCheck(t) {
    const base = t.counters();
    return (m) => {
        const c = t.counters();
        const expect = [
            ['allocation count', c.allocationCount, base.allocationCount + m.live],
            ['allocated bytes', c.allocatedBytes, base.allocatedBytes + m.liveUsable],
            ['total allocations', c.totalAllocationCount, base.totalAllocationCount + m.totalAllocs],
            ['total allocated bytes', c.totalAllocatedBytes, base.totalAllocatedBytes + m.totalAllocBytes],
            ['claimed bytes (allocated + available + 4 * (allocations + heaps))', c.claimedBytes,
                c.allocatedBytes + c.availableBytes + HEADER * (c.allocationCount + c.heapCount)],
            ['total heaps (no heap is ever deleted)', c.totalHeapCount, c.heapCount],
            ['total claimed bytes (nothing is ever released)', c.totalClaimedBytes, c.claimedBytes],
        ];
        for (const [name, actual, expected] of expect) {
            if (actual !== expected) {
                return `counter ${name} is ${actual}, expected ${expected} (counters ${JSON.stringify(c)})`;
            }
        }
        if (c.heapCount < 1) {
            return `heap count ${c.heapCount}`;
        }
        if ((c.fragmentCount === 0) !== (c.availableBytes === 0) || c.availableBytes < 16 * c.fragmentCount) {
            return `${c.fragmentCount} fragments hold ${c.availableBytes} available bytes`;
        }
        const foreign = t.foreign.reduce((s, r) => s + r.end - r.start, 0);
        if (c.claimedBytes + foreign > t.bytes - t.heapFloor) {
            return `${c.claimedBytes} claimed and ${foreign} foreign bytes do not fit in memory `
                + `(${t.bytes} bytes, heaps above ${hex(t.heapFloor)})`;
        }
        return null;
    };
}

/** The module-specific runModel checks for instance `t`: the realloc rule, and the counters when it has them. */
export function variantChecks(t) {
    return { onRealloc: reallocRule(t.info), afterOp: t.hasCounters ? countersCheck(t) : null };
}

// ---------------------------------------------------------------------------------------------
// Self-test of the checkers, run only when this file is run directly (node --test runs it too).

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
    const { test } = await import('node:test');
    const assert = await import('node:assert/strict');

    test('harness: the pattern checker notices any changed sampled byte', () => {
        const u8 = new Uint8Array(1 << 20);
        for (const len of [0, 1, 12, 255, 4096, 4097, 70000, 300000]) {
            const ptr = 4096;
            fillPattern(u8, ptr, len, 1234);
            assert.equal(checkPattern(u8, ptr, len, 1234), null, `fresh pattern of ${len} bytes`);
            const probes = len <= FULL_PATTERN ? [0, len >> 1, len - 1] : [0, 255, 4096, len - 256, len - 1];
            for (const i of probes) {
                if (i < 0 || i >= len) {
                    continue;
                }
                u8[ptr + i] ^= 0x40;
                assert.match(checkPattern(u8, ptr, len, 1234) ?? 'missed', new RegExp(`^offset ${i} `),
                    `changed byte ${i} of ${len}`);
                // Not seen beyond the checked prefix.
                assert.equal(checkPattern(u8, ptr, len, 1234, i), null, `prefix ${i} of ${len}`);
                u8[ptr + i] ^= 0x40;
            }
        }
    });

    test('harness: zero, overlap and block checks notice problems', () => {
        const u8 = new Uint8Array(3 << 20);
        assert.equal(checkZero(u8, 16, 2 << 20), null);
        u8[16 + (1 << 20) + 5] = 1;
        assert.match(checkZero(u8, 16, 2 << 20), /offset 1048581 /);
        assert.equal(findOverlap([{ ptr: 32, usable: 12 }, { ptr: 16, usable: 12 }, { ptr: 48, usable: 0 }]), null);
        assert.match(findOverlap([{ ptr: 64, usable: 12 }, { ptr: 16, usable: 60 }]), /overlaps/);
        assert.match(findOverlap([{ ptr: 16, usable: 0 }, { ptr: 16, usable: 0 }]), /overlaps/);
        const fake = { heapFloor: 65536, bytes: 4 * 65536, foreignOverlap: () => null };
        assert.equal(blockProblem(fake, 65536 + 32, 100, 16, 108), null);
        assert.match(blockProblem(fake, 0, 100, 16, 0), /returned 0/);
        assert.match(blockProblem(fake, 65536 + 8, 100, 16, 108), /aligned/);
        assert.match(blockProblem(fake, 65536 + 32, 100, 64, 108), /64-aligned/);
        assert.match(blockProblem(fake, 65536 + 32, 100, 16, 96), /usable size/);
        assert.match(blockProblem(fake, 65536 + 32, 100, 16, 136), /usable size/);
        assert.match(blockProblem(fake, 32, 100, 16, 108), /below the heaps/);
        assert.match(blockProblem(fake, 4 * 65536 - 64, 100, 16, 108), /past memory end/);
    });

    test('harness: the realloc rule and the counters check notice violations', () => {
        const b = { ptr: 0x10000, usable: 108 };
        const def = reallocRule({ file: 'x.wasm', features: {} });
        assert.equal(def(b, 50, b.ptr), null);
        assert.equal(def(b, 108, b.ptr), null);
        assert.match(def(b, 108, 0x20000), /moved/);
        assert.equal(def(b, 500, b.ptr), null);
        assert.equal(def(b, 500, 0x20000), null);
        const noGrow = reallocRule({ file: 'x.wasm', features: { growInPlace: false } });
        assert.equal(noGrow(b, 50, b.ptr), null);
        assert.match(noGrow(b, 50, 0x20000), /moved/);
        assert.match(noGrow(b, 109, b.ptr), /grow in place off/);
        assert.equal(noGrow(b, 109, 0x20000), null);
        const noRealloc = reallocRule({ file: 'x.wasm', features: { reallocInPlace: false } });
        assert.match(noRealloc(b, 50, b.ptr), /never reallocs in place/);
        assert.equal(noRealloc(b, 50, 0x20000), null);
        assert.equal(noRealloc(b, 500, 0x20000), null);

        const good = {
            allocationCount: 2, allocatedBytes: 120, availableBytes: 1000, fragmentCount: 1, heapCount: 1,
            claimedBytes: 120 + 1000 + 4 * 3, totalAllocationCount: 5, totalAllocatedBytes: 400,
            totalHeapCount: 1, totalClaimedBytes: 1132,
        };
        const zero = { ...good, allocationCount: 0, allocatedBytes: 0, totalAllocationCount: 0, totalAllocatedBytes: 0 };
        const model = { live: 2, liveUsable: 120, totalAllocs: 5, totalAllocBytes: 400 };
        for (const [change, pattern] of [
            [{}, null],
            [{ allocationCount: 3 }, /allocation count/],
            [{ allocatedBytes: 124 }, /allocated bytes/],
            [{ totalAllocationCount: 4 }, /total allocations/],
            [{ totalAllocatedBytes: 401 }, /total allocated bytes/],
            [{ availableBytes: 996 }, /claimed bytes/],
            [{ totalHeapCount: 2 }, /total heaps/],
            [{ totalClaimedBytes: 2000 }, /total claimed/],
            [{ fragmentCount: 100 }, /fragments/],
        ]) {
            let reading = zero;
            const fake = {
                counters: () => reading, heapFloor: 0x4000, bytes: 65536, foreign: [],
            };
            const check = countersCheck(fake);
            reading = { ...good, ...change };
            const p = check(model);
            if (pattern === null) {
                assert.equal(p, null);
            } else {
                assert.match(p ?? 'missed', pattern, JSON.stringify(change));
            }
        }
    });

    test('harness: the PRNG is deterministic and spread out', () => {
        const a = new Rng(42);
        const b = new Rng(42);
        const seen = new Set();
        for (let i = 0; i < 1000; i++) {
            const x = a.next();
            assert.equal(x, b.next());
            seen.add(x);
            const k = a.int(3, 7);
            b.int(3, 7);
            assert.ok(k >= 3 && k <= 7);
        }
        assert.ok(seen.size > 990);
    });
}
