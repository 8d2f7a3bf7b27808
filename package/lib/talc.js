// One allocator: a wrapper around an instance of a talc module that checks every argument
// before it reaches wasm, where a JavaScript number would be silently wrapped to 32 bits (a
// size of 2**32 + 16 would become 16) and a bad pointer would corrupt the heap. Results are
// unsigned; running out of memory is 0, as in C; a mistake is a thrown Error that says what
// was wrong. The checked calls cost a few comparisons each; `abi` gives the raw functions.

import { formatCounters, readCounters } from './counters.js';
import { checkResult } from './misuse.js';
import { describe } from './source.js';

export const PAGE_SIZE = 65536;
const U32_MAX = 0xFFFFFFFF;
const hex = (n) => '0x' + n.toString(16);

export class Talc {
    #name;
    /** Where the module keeps what this reads from memory (layout.js): block headers, counters, misuse kinds. */
    #layout;
    #exports;
    #memory;
    #ownsMemory;
    #region = null;
    #heap32 = new Uint32Array(0);

    /** Use createTalc(); this wraps an instance that is already set up, with its modules' layout (layout.js). */
    constructor(instance, name, memory, layout) {
        this.#name = name;
        this.#layout = layout;
        this.#exports = instance.exports;
        this.#ownsMemory = memory === instance.exports.memory;
        this.#memory = memory;
    }

    /** The variant name, or the name of the module passed as `source`. */
    get variant() {
        return this.#name;
    }

    /** The memory the allocator works in: its own, or the one passed to createTalc. */
    get memory() {
        return this.#memory;
    }

    /**
     * For a module that works inside a memory passed to createTalc: the region it serves,
     * {start, limit} (limit 0: none), once initialised; null otherwise.
     */
    get region() {
        return this.#region && { ...this.#region };
    }

    /**
     * The module's own functions with the C signatures (malloc, free, realloc, calloc,
     * aligned_alloc, malloc_usable_size), unchecked: for another wasm module's imports, where
     * they are called wasm to wasm, or for hot loops. Their results are signed; read them with
     * `>>> 0`.
     */
    get abi() {
        const e = this.#exports;
        return {
            malloc: e.malloc, free: e.free, realloc: e.realloc, calloc: e.calloc,
            aligned_alloc: e.aligned_alloc, malloc_usable_size: e.malloc_usable_size,
        };
    }

    /**
     * Makes a module that works inside another memory serve [start, limit) of it (limit 0: up to
     * the end of memory, growing it as needed, below 2 GiB). Called by createTalc when `start` is
     * given, or later, e.g. once the other module is instantiated and its heap base is known.
     */
    init(start, limit = 0) {
        if (this.#ownsMemory) {
            throw new Error(`talc-wasm: ${this.#name} owns its memory; init() is for a module created with \`memory\``);
        }
        if (this.#region) {
            throw new Error(`talc-wasm: ${this.#name} already serves [${hex(this.#region.start)}, `
                + `${this.#region.limit ? hex(this.#region.limit) : 'no limit'})`);
        }
        checkInt('init(start, limit): start', start, 1, 2 ** 31 - 1);
        checkInt('init(start, limit): limit', limit, 0, 2 ** 31);
        if (limit !== 0 && limit <= start) {
            throw new RangeError(`talc-wasm: init(${start}, ${limit}): limit must be 0 (none) or above start`);
        }
        if (this.#exports.talc_init(start, limit) !== 1) {
            throw new Error(`talc-wasm: init(${start}, ${limit}): the region is too small for the allocator's `
                + `state and a first block, or not yet in memory (memory is ${this.#memory.buffer.byteLength} bytes): `
                + `it needs about 400 bytes of existing memory from start`);
        }
        this.#region = { start, limit };
    }

    /** A block of at least `size` bytes, 16-aligned, or 0 when memory runs out. */
    malloc(size) {
        this.#ready('malloc');
        checkInt('malloc(size): size', size, 0, U32_MAX);
        return this.#exports.malloc(size) >>> 0;
    }

    /**
     * Gives a block back; free(0) does nothing. Throws for an address that is not a live block
     * (talc-checked: TalcMisuseError, from the module's own checks).
     */
    free(ptr) {
        this.#ready('free');
        if (this.#block('free(ptr)', ptr) !== 0) {
            this.#exports.free(ptr);
        }
    }

    /**
     * Resizes a block, in place when it can. realloc(0, n) is malloc(n); realloc(p, 0) frees p
     * and returns 0; when the request cannot be met it returns 0 and p is untouched.
     */
    realloc(ptr, size) {
        this.#ready('realloc');
        this.#block('realloc(ptr, size)', ptr);
        checkInt('realloc(ptr, size): size', size, 0, U32_MAX);
        return this.#exports.realloc(ptr, size) >>> 0;
    }

    /** `n * size` zeroed bytes, or 0 (also when the product overflows 32 bits). */
    calloc(n, size) {
        this.#ready('calloc');
        checkInt('calloc(n, size): n', n, 0, U32_MAX);
        checkInt('calloc(n, size): size', size, 0, U32_MAX);
        return this.#exports.calloc(n, size) >>> 0;
    }

    /** A block aligned to `align`, a power of two from 1 to 2^30; 0 when memory runs out. */
    alignedAlloc(align, size) {
        this.#ready('alignedAlloc');
        checkInt('alignedAlloc(align, size): align', align, 1, 2 ** 30);
        if ((align & (align - 1)) !== 0) {
            throw new RangeError(`talc-wasm: alignedAlloc(align, size): align must be a power of two, got ${align}`);
        }
        checkInt('alignedAlloc(align, size): size', size, 0, U32_MAX);
        return this.#exports.aligned_alloc(align, size) >>> 0;
    }

    /** Bytes usable at the block `ptr` (at least what was asked); 0 for 0. */
    usableSize(ptr) {
        this.#ready('usableSize');
        return this.#block('usableSize(ptr)', ptr);
    }

    /**
     * A Uint8Array over [ptr, ptr + length) of the current memory; `length` defaults to the
     * usable size of the block at `ptr`. Like every view of wasm memory, it is empty (detached)
     * after memory grows: take a fresh one, or use view().
     */
    bytes(ptr, length) {
        return this.array(Uint8Array, ptr, length);
    }

    /**
     * A typed array of `Type` (e.g. Float64Array) over `length` elements at `ptr`, which must be
     * aligned to the element size; `length` defaults to as many as fit in the block at `ptr`.
     * Valid until memory grows, like bytes().
     */
    array(Type, ptr, length) {
        const size = elementSize(Type);
        checkInt(`array(${Type.name}, ptr, length): ptr`, ptr, 0, U32_MAX);
        if (length === undefined) {
            length = Math.floor(this.#block(`array(${Type.name}, ptr)`, ptr) / size);
        }
        checkInt(`array(${Type.name}, ptr, length): length`, length, 0, U32_MAX);
        this.#inMemory(`array(${Type.name}, ${hex(ptr)}, ${length})`, ptr, length * size, size);
        return new Type(this.#memory.buffer, ptr, length);
    }

    /**
     * A lasting view of `length` elements of `Type` at `ptr` (default: the block at ptr): its
     * `array` is a typed array over the current memory, made again after memory has grown, so
     * the view stays usable across allocations. It does not keep the block alive: after the
     * block is freed, the view shows whatever the memory then holds.
     */
    view(Type, ptr, length) {
        let array = this.array(Type, ptr, length);
        const memory = this.#memory;
        const count = array.length;
        return Object.freeze({
            ptr,
            length: count,
            get array() {
                if (array.buffer !== memory.buffer) {
                    array = new Type(memory.buffer, ptr, count);
                }
                return array;
            },
        });
    }

    /** Whether the module keeps usage counters (talc-counters.wasm). */
    get hasCounters() {
        return typeof this.#exports.talc_counters === 'function';
    }

    /**
     * The usage counters (talc-counters.wasm only): live allocations and their usable bytes,
     * free bytes and chunks, heaps and their bytes, and running totals since the start.
     */
    counters() {
        if (!this.hasCounters) {
            throw new Error(`talc-wasm: ${this.#name} keeps no counters; create the allocator with `
                + `{ variant: 'talc-counters' } to read them`);
        }
        this.#ready('counters');
        return readCounters(this.#memory.buffer, this.#exports.talc_counters() >>> 0, this.#layout);
    }

    /**
     * The counters (talc-counters.wasm only) as a text table of "now" and "total" columns: the
     * same text as the JVM library's CountersSnapshot.toString() for the same values (see
     * formatCounters).
     */
    countersTable() {
        return formatCounters(this.counters());
    }

    /** Whether the module is a checked build (talc-checked.wasm): misuse detection, check() and walk(). */
    get isChecked() {
        return typeof this.#exports.talc_check === 'function';
    }

    /**
     * talc-checked only: scans the whole heap. null when every heap and free list is consistent,
     * else { address, kind: 'corrupted', message } naming the first inconsistency found (its
     * address rounded down to 16).
     */
    check() {
        this.#checkedOnly('check');
        return checkResult(this.#exports.talc_check(), this.#layout);
    }

    /**
     * talc-checked only: every chunk of every heap, in walk order (heap by heap, ascending
     * within a heap): { address, size, allocated, heapFirst, bin }, where `address` is the
     * block's pointer, `size` the chunk's bytes (the block's usable size + 4), and `bin` the
     * free-list bin of a free chunk (null for an allocated one).
     */
    walk() {
        this.#checkedOnly('walk');
        const chunks = [];
        const e = this.#exports;
        const first = e.talc_walk(0) >>> 0;
        // Walking changes nothing, so one view of memory serves the whole walk.
        const view = new DataView(this.#memory.buffer);
        const h = this.#layout.header;
        for (let c = first; c !== 0; c = e.talc_walk(c) >>> 0) {
            const header = view.getUint32(c - h.bytes, true);
            const allocated = (header & h.allocated) !== 0;
            const size = (header & h.sizeMask) >>> 0;
            chunks.push({ address: c, size, allocated, heapFirst: (header & h.heapFirst) !== 0,
                bin: allocated ? null : e.talc_bin(size) });
        }
        return chunks;
    }

    #checkedOnly(call) {
        if (!this.isChecked) {
            throw new Error(`talc-wasm: ${call}(): ${this.#name} is not a checked build; create the allocator with `
                + `{ variant: 'talc-checked' }`);
        }
        this.#ready(call);
    }

    #ready(call) {
        if (!this.#ownsMemory && !this.#region) {
            throw new Error(`talc-wasm: ${call}: ${this.#name} serves no region yet; call init(start, limit) first`);
        }
    }

    /**
     * Checks that `ptr` is 0 or a live block, and returns its usable size. The checked module
     * does it exactly itself. For the others: a block is 16-aligned
     * in the allocator's region and its header word (just below it) says "allocated" with a size
     * that stays in memory. This catches wrong addresses and most double frees; a pointer into a
     * block that was freed and then merged with its neighbour may still pass (undefined
     * behaviour, as in C).
     */
    #block(call, ptr) {
        checkInt(`${call}: ptr`, ptr, 0, U32_MAX);
        if (ptr === 0) {
            return 0;
        }
        if (this.isChecked) {
            // The module checks exactly (and names the kind): TalcMisuseError from its hook.
            return this.#exports.malloc_usable_size(ptr) >>> 0;
        }
        const h = this.#layout.header;
        if (ptr % h.unit !== 0) {
            throw new Error(`talc-wasm: ${call}: ${hex(ptr)} is not a block (blocks are ${h.unit}-aligned)`);
        }
        const floor = this.#region ? this.#region.start : h.unit;
        const bytes = this.#memory.buffer.byteLength;
        if (ptr < floor || ptr >= bytes) {
            throw new Error(`talc-wasm: ${call}: ${hex(ptr)} is outside the allocator's memory `
                + `[${hex(floor)}, ${hex(bytes)})`);
        }
        if (this.#heap32.buffer !== this.#memory.buffer) {
            this.#heap32 = new Uint32Array(this.#memory.buffer);
        }
        const header = this.#heap32[(ptr - h.bytes) >>> 2];
        const size = header & h.sizeMask;
        if ((header & h.allocated) === 0 || size < h.unit || ptr + size > bytes) {
            throw new Error(`talc-wasm: ${call}: no allocated block starts at ${hex(ptr)}`
                + ((header & h.allocated) === 0 ? ' (was it freed already?)' : ''));
        }
        return size - h.bytes;
    }

    #inMemory(call, ptr, byteLength, align) {
        if (ptr % align !== 0) {
            throw new RangeError(`talc-wasm: ${call}: ${hex(ptr)} is not aligned to ${align} bytes`);
        }
        const bytes = this.#memory.buffer.byteLength;
        if (ptr + byteLength > bytes) {
            throw new RangeError(`talc-wasm: ${call}: [${hex(ptr)}, ${hex(ptr + byteLength)}) `
                + `runs past the end of memory (${hex(bytes)})`);
        }
    }
}

/** Throws unless `value` is an integer in [min, max]: wasm would wrap anything else silently. */
export function checkInt(what, value, min, max) {
    if (typeof value !== 'number') {
        throw new TypeError(`talc-wasm: ${what} must be a number, got ${describe(value)}`);
    }
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new RangeError(`talc-wasm: ${what} must be an integer from ${min} to ${max}, got ${value}`);
    }
}

function elementSize(Type) {
    const size = Type?.BYTES_PER_ELEMENT;
    if (typeof Type !== 'function' || !Number.isInteger(size)) {
        throw new TypeError(`talc-wasm: expected a typed array constructor such as Uint8Array, got ${describe(Type)}`);
    }
    return size;
}
