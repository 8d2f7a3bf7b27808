// One allocator module's instance as the soak and the tests drive it: a wrapper around the
// exports that converts pointers with `>>> 0`, keeps a fresh view of the (growable, hence
// detachable) memory, counts the calls after which the allocator had grown memory, reads the
// counters variant's counter block, and keeps the regions that someone else grew ("foreign"
// memory, which the allocator must leave alone) filled with a marker byte.

import { readCounters } from '../../package/lib/counters.js';
import { importsReportHook, misuseImports } from '../../package/lib/misuse.js';
import { hex } from './patterns.mjs';

export const PAGE = 65536;
/** Where an imported-memory module's region starts; below it is "another module's". */
export const SHARED_START = 4096;
const SHARED_MARKER = 0xC3;

/**
 * What `module` imports: env.memory when it imports a memory (`memory`); for the module for
 * linking (talc-linked.wasm, which imports the other module's __heap_base) `heapBase` as that
 * global; and for a checked build its report hook env.talc_report(kind, address), the
 * package's, which throws a TalcMisuseError (the heap is as before the bad call, so a caller can
 * go on).
 */
export function moduleImports(module, memory, layout, heapBase = SHARED_START) {
    const env = {
        ...(memory !== undefined ? { memory } : {}),
        ...(importsHeapBase(module) ? { __heap_base: new WebAssembly.Global({ value: 'i32' }, heapBase) } : {}),
        ...(importsReportHook(module) ? misuseImports(layout) : {}),
    };
    return Object.keys(env).length > 0 ? { env } : {};
}

/** True when `module` imports env.__heap_base: the module for linking, which boots on its first call. */
function importsHeapBase(module) {
    return WebAssembly.Module.imports(module).some((i) => i.module === 'env' && i.name === '__heap_base');
}

/**
 * A fresh instance of `module`, wrapped. A module that imports its memory gets a fresh one whose
 * first SHARED_START bytes belong to "another module" (filled with a marker that checkForeign
 * verifies) and serves the rest with no limit, after talc_init(SHARED_START, 0); the module for
 * linking gets SHARED_START as the other module's __heap_base instead, and boots on its first
 * call. `info` is the module's manifest entry and `layout` the manifest's layout
 * (scripts/manifest.mjs), when known.
 */
export function instantiateModule(module, { name, info = null, layout = null }) {
    if (!WebAssembly.Module.imports(module).some((i) => i.kind === 'memory')) {
        return new Allocator(new WebAssembly.Instance(module, moduleImports(module, undefined, layout)), { name, info, layout });
    }
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).fill(SHARED_MARKER, 0, SHARED_START);
    const instance = new WebAssembly.Instance(module, moduleImports(module, memory, layout));
    if (!importsHeapBase(module) && instance.exports.talc_init(SHARED_START, 0) !== 1) {
        throw new Error(`${name}: talc_init(${SHARED_START}, 0) failed`);
    }
    const t = new Allocator(instance, { name, info, layout, memory });
    t.heapFloor = SHARED_START;
    t.foreign.push({ start: 0, end: SHARED_START, marker: SHARED_MARKER, sparse: false });
    return t;
}

/**
 * Wraps one instance. Every export call re-reads `memory.buffer` when it was replaced (growth
 * detaches the old buffer, and in V8 so does a refused memory.grow), counting the calls after
 * which memory was larger. Foreign grows (memory.grow from JS) are recorded as regions filled
 * with a marker byte, which `checkForeign` verifies.
 */
export class Allocator {
    constructor(instance, { name, info = null, layout = null, memory = instance.exports.memory }) {
        this.name = name;
        this.instance = instance;
        this.e = instance.exports;
        this.memory = memory;
        /** The module's manifest entry, or null. */
        this.info = info;
        /** The modules' layout (package/lib/layout.js), or null. */
        this.layout = layout;
        this.initialBytes = memory.buffer.byteLength;
        /** No block may start below this: null and the allocator's state block. */
        this.heapFloor = info?.stateAddress ?? 0;
        this._buffer = memory.buffer;
        this._u8 = new Uint8Array(this._buffer);
        /** Allocator calls after which memory was larger than before the call. */
        this.growCalls = 0;
        /** Largest memory size (bytes) seen after any call. */
        this.maxBytes = this.initialBytes;
        /** Regions grown from JS: {start, end, marker, sparse}. */
        this.foreign = [];
    }

    /** Fresh views when memory.buffer was replaced; true when memory changed size. */
    _refresh() {
        const buf = this.memory.buffer;
        if (buf === this._buffer) {
            return false;
        }
        const resized = buf.byteLength !== this._buffer.byteLength;
        this._buffer = buf;
        this._u8 = new Uint8Array(buf);
        this.maxBytes = Math.max(this.maxBytes, buf.byteLength);
        return resized;
    }

    /** After an allocator call. */
    _sync() {
        if (this._refresh()) {
            this.growCalls++;
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

    /** True when the module exports malloc_usable_size (every talc module does). */
    get hasUsable() {
        return typeof this.e.malloc_usable_size === 'function';
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

    /** The counter block that talc_counters() points at (the layout's counters), and its address. */
    counters() {
        if (!this.hasCounters || !this.layout) {
            throw new Error(`${this.name} does not export talc_counters, or its layout is unknown`);
        }
        const addr = this.e.talc_counters() >>> 0;
        this._sync();
        if (addr < this.heapFloor || addr + this.layout.counters.bytes > this.bytes) {
            throw new Error(`${this.name}: talc_counters() = ${hex(addr)} is not in the state block `
                + `(state at ${hex(this.heapFloor)}, memory ${hex(this.bytes)} bytes)`);
        }
        return { address: addr, ...readCounters(this.memory.buffer, addr, this.layout) };
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
        this._refresh();
        return this._u8;
    }

    /**
     * Grows memory from JS (a "foreign" grow the allocator must keep out of) and fills the new
     * pages with `marker` (only the first and last page and every 256th page when `sparse`, for
     * regions too big to fill). Returns the region, or null when memory could not grow.
     */
    growForeign(pages, marker = 0xA5, sparse = false) {
        let old;
        try {
            old = this.memory.grow(pages);
        } catch {
            this._refresh(); // a refused grow may have replaced the buffer too
            return null;
        }
        const region = { start: old * PAGE, end: (old + pages) * PAGE, marker, sparse };
        this._refresh();
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

    /**
     * A checked build's own heap check (talc_check): null when every heap, free list and seal
     * is consistent (or the module has no check), else {address, code}: where the problem
     * is, rounded down to a chunk unit, and the misuse code talc_check gives it (the layout's
     * misuse.corrupted).
     */
    checkHeap() {
        if (typeof this.e.talc_check !== 'function') {
            return null;
        }
        const result = this.e.talc_check() >>> 0;
        const { sizeMask } = this.layout.header;
        return result === 0 ? null : { address: (result & sizeMask) >>> 0, code: result & ~sizeMask };
    }

    /**
     * A checked build's heap walk (talc_walk): every chunk in walk order (heap by heap, ascending
     * within a heap) as {address, size, allocated, heapFirst}, where `address` is the block's
     * pointer, read from the header word below it (the layout's header). A walk of a corrupted
     * heap need not end, so it stops with an error after more chunks than memory could hold.
     */
    walk() {
        const h = this.layout.header;
        const view = new DataView(this.memory.buffer); // walking changes nothing: one view serves
        const limit = this.bytes / h.unit;
        const chunks = [];
        for (let c = this.e.talc_walk(0) >>> 0; c !== 0; c = this.e.talc_walk(c) >>> 0) {
            const header = view.getUint32(c - h.bytes, true);
            chunks.push({ address: c, size: (header & h.sizeMask) >>> 0,
                allocated: (header & h.allocated) !== 0, heapFirst: (header & h.heapFirst) !== 0 });
            if (chunks.length > limit) {
                throw new Error(`talc_walk visited more than ${limit} chunks: the walk does not end`);
            }
        }
        return chunks;
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
