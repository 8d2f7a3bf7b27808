// The randomized model runner, shared by the soak (scripts/soak.mjs) and the model tests
// (wasm-tests/test/model.test.mjs, oom.test.mjs): random operations on an allocator
// (allocator.mjs), every result checked against a model of the live blocks and the memory.

import { Rng } from '../rng.mjs';
import { checkPattern, checkZero, fillPattern, hex, randomOffset } from './patterns.mjs';

export const KiB = 1024;
export const TWO_GIB = 2 ** 31;
/** Upper bound (exclusive) on usable size beyond the request: header word + unit rounding + unsplit rest. */
export const USABLE_SLACK = 4 + 16 + 16;
/** Operations between two looks at the clock, when a run has a deadline. */
const CLOCK_EVERY = 4096;

/** Request size: mostly small, up to 256 KiB. */
export function randomSize(rng) {
    const r = rng.float();
    if (r < 0.55) {
        return rng.range(0, 64);
    }
    if (r < 0.82) {
        return rng.range(65, 512);
    }
    if (r < 0.94) {
        return rng.range(513, 8192);
    }
    if (r < 0.99) {
        return rng.range(8193, 65536);
    }
    return rng.range(65537, 256 * KiB);
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
 * 2 GiB and above null and the allocator's state block, clear of foreign regions), else what
 * is wrong.
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

/** What runModel throws on the first discrepancy: the seed and the operation index replay it. */
export class ModelError extends Error {
    constructor(seed, op, what, message) {
        super(`seed ${seed}, op ${op} (${what}): ${message}`);
        this.name = 'ModelError';
        this.seed = seed;
        this.op = op;
    }
}

/**
 * Runs `ops` random operations (malloc, calloc, aligned_alloc, free, realloc incl. to 0 and from
 * 0, and memory.grow from outside) on allocator `t`, checking every result against a model of
 * the live blocks and the memory, then frees everything. With `expectOom` false, every
 * allocation must succeed; with it true, failures are allowed but must leave everything intact
 * (a failed realloc keeps its block). Throws a ModelError on the first discrepancy. Returns the
 * statistics {operations, malloc, calloc, alignedAlloc, free, realloc, failedAllocations,
 * foreignGrows, foreignGrowsRefused, fullChecks, peakLiveBlocks, peakLiveBytes, liveAtEnd}.
 *
 * Options: maxLive and maxLiveBytes (live-set bounds), phaseOps (operations per phase; each
 * phase aims at a new live-set size, so the heap also drains and coalesces), foreignEvery (mean
 * operations between foreign grows; 0 = none), maxForeign (most foreign grows), checkEvery
 * (period of the overlap, foreign-marker and heap checks), contentsEvery (period of re-checking
 * every live block's contents), deadline (a performance.now() time after which the run stops
 * early), sizeFn, and two checks that depend on the module: onRealloc(block, size, newPtr),
 * called after every successful realloc of a live block to a non-zero size, and afterOp(model),
 * called after every operation (and once more when everything is freed) with the model's
 * totals {live, liveUsable, totalAllocs, totalAllocBytes}; each returns null or what is wrong.
 */
export function runModel(t, seed, ops, opts = {}) {
    return new ModelRun(t, seed, opts).run(ops);
}

class ModelRun {
    constructor(t, seed, opts) {
        this.t = t;
        this.seed = seed;
        this.o = {
            maxLive: 1000, maxLiveBytes: Infinity, phaseOps: 20000, foreignEvery: 0, maxForeign: 12, checkEvery: 1000,
            contentsEvery: 20000, expectOom: false, deadline: Infinity, sizeFn: randomSize, onRealloc: null, afterOp: null,
            ...opts,
        };
        this.rng = new Rng(seed);
        this.blocks = [];
        this.stats = {
            operations: 0, malloc: 0, calloc: 0, alignedAlloc: 0, free: 0, realloc: 0, failedAllocations: 0,
            foreignGrows: 0, foreignGrowsRefused: 0, fullChecks: 0, peakLiveBlocks: 0, peakLiveBytes: 0, liveAtEnd: 0,
        };
        this.target = this.o.maxLive;
        this.op = 0;
        this.what = '';
        this.liveBytes = 0;
        // What the allocator's counters should say: live blocks and their usable bytes,
        // allocations ever made (an in-place realloc is not one) and usable bytes ever allocated
        // (growth in place included).
        this.model = { live: 0, liveUsable: 0, totalAllocs: 0, totalAllocBytes: 0 };
    }

    fail(message) {
        throw new ModelError(this.seed, this.op, this.what, message);
    }

    run(ops) {
        const { o, rng } = this;
        for (; this.op < ops; this.op++) {
            if (this.op % CLOCK_EVERY === 0 && o.deadline !== Infinity && performance.now() >= o.deadline) {
                break;
            }
            if (this.op % o.phaseOps === 0) {
                this.target = rng.float() < 0.3 ? rng.range(1, 50) : rng.range(o.maxLive >> 1, o.maxLive);
            }
            this.step();
            this.afterOp();
            this.periodicChecks();
        }
        this.stats.operations = this.op;
        this.finish();
        return this.stats;
    }

    /** One operation: a foreign grow, an allocation, a free or a realloc. */
    step() {
        const { o, rng, blocks } = this;
        if (o.foreignEvery > 0 && this.stats.foreignGrows < o.maxForeign && rng.range(1, o.foreignEvery) === 1) {
            this.foreignGrow();
            return;
        }
        const full = blocks.length >= o.maxLive || this.liveBytes >= o.maxLiveBytes;
        const r = rng.float();
        const allocP = blocks.length === 0 ? 1 : full ? 0 : blocks.length < this.target ? 0.6 : 0.35;
        if (r < allocP) {
            this.allocate();
        } else if (r < allocP + (1 - allocP) * 0.65) {
            this.free(rng.range(0, blocks.length - 1));
        } else {
            this.realloc();
        }
    }

    foreignGrow() {
        const { t } = this;
        this.what = 'foreign memory.grow';
        const before = t.bytes;
        const r = t.growForeign(this.rng.range(1, 3), 0x5A + this.stats.foreignGrows);
        if (r === null) {
            this.stats.foreignGrowsRefused++;
            return;
        }
        if (r.start !== before) {
            this.fail(`memory.grow from JS returned ${hex(r.start)}, memory was ${hex(before)}`);
        }
        this.stats.foreignGrows++;
    }

    allocate() {
        const { t, rng, stats } = this;
        const size = this.o.sizeFn(rng);
        const k = rng.float();
        if (k < 0.2) {
            const align = 2 ** rng.range(0, 16);
            this.what = `aligned_alloc(${align}, ${size})`;
            stats.alignedAlloc++;
            this.placed(t.alignedAlloc(align, size), size, align, 0);
        } else if (k < 0.35) {
            const elem = rng.range(1, 16);
            const n = Math.floor(size / elem);
            this.what = `calloc(${n}, ${elem})`;
            stats.calloc++;
            this.placed(t.calloc(n, elem), n * elem, 16, n * elem);
        } else {
            this.what = `malloc(${size})`;
            stats.malloc++;
            this.placed(t.malloc(size), size, 16, 0);
        }
    }

    /** An allocation's result: a new block, or a failure that is allowed only with expectOom. */
    placed(ptr, size, align, zeroLen) {
        if (ptr === 0 && this.o.expectOom) {
            this.stats.failedAllocations++;
            return;
        }
        this.addBlock(ptr, size, align, zeroLen);
    }

    free(i) {
        const b = this.blocks[i];
        this.what = `free(${hex(b.ptr)})`;
        this.verify(b, b.usable, 'before free');
        this.t.free(b.ptr);
        this.removeAt(i);
        this.stats.free++;
    }

    realloc() {
        const { t, rng, blocks, stats } = this;
        stats.realloc++;
        const k = rng.float();
        if (k < 0.05) {
            const size = this.o.sizeFn(rng);
            this.what = `realloc(0, ${size})`;
            this.placed(t.realloc(0, size), size, 16, 0);
            return;
        }
        const i = rng.range(0, blocks.length - 1);
        const b = blocks[i];
        const size = k < 0.15 ? 0 : k < 0.5 ? this.o.sizeFn(rng) : k < 0.7 ? Math.min(b.size * 2 + rng.range(0, 64), 256 * KiB)
            : k < 0.85 ? b.size >> 1 : Math.max(0, b.size + rng.range(-24, 24));
        this.what = `realloc(${hex(b.ptr)}, ${size}) of a ${b.size}-byte block`;
        this.verify(b, b.usable, 'before realloc');
        const q = t.realloc(b.ptr, size);
        if (size === 0) {
            if (q !== 0) {
                this.fail(`realloc to 0 returned ${hex(q)}, expected 0`);
            }
            this.removeAt(i);
        } else if (q === 0) {
            this.failedRealloc(b);
        } else {
            // The first min(old, new) requested bytes survive, moved or not.
            this.verify({ ...b, ptr: q }, Math.min(b.size, size), `after realloc to ${hex(q)}`);
            const p = this.o.onRealloc?.(b, size, q);
            if (p) {
                this.fail(p);
            }
            this.removeAt(i);
            this.addBlock(q, size, 16, 0, b);
        }
    }

    /** A failed realloc leaves the block allocated and unchanged. */
    failedRealloc(b) {
        if (!this.o.expectOom) {
            this.fail('returned 0');
        }
        this.stats.failedAllocations++;
        if (this.t.hasUsable) {
            const u = this.t.usable(b.ptr);
            if (u !== b.usable) {
                this.fail(`failed realloc changed usable size of ${hex(b.ptr)} from ${b.usable} to ${u}`);
            }
        }
        this.verify(b, b.usable, 'after failed realloc');
    }

    /** Records a fresh block; `prev` is the block a realloc resized (already removed). */
    addBlock(ptr, size, align, zeroLen, prev = null) {
        const { t, model, stats } = this;
        const usable = t.hasUsable ? t.usable(ptr) : size;
        const p = blockProblem(t, ptr, size, align, usable);
        if (p) {
            this.fail(p);
        }
        if (prev !== null && prev.ptr === ptr) {
            model.totalAllocBytes += Math.max(0, usable - prev.usable);
        } else {
            model.totalAllocs++;
            model.totalAllocBytes += usable;
        }
        model.liveUsable += usable;
        const u8 = t.u8;
        const z = zeroLen > 0 ? checkZero(u8, ptr, zeroLen) : null;
        if (z) {
            this.fail(`calloc block ${hex(ptr)} not zeroed: ${z}`);
        }
        const off = randomOffset(this.rng);
        fillPattern(u8, ptr, usable, off);
        this.blocks.push({ ptr, size, usable, off, kind: this.what, born: this.op });
        this.liveBytes += size;
        model.live = this.blocks.length;
        stats.peakLiveBlocks = Math.max(stats.peakLiveBlocks, this.blocks.length);
        stats.peakLiveBytes = Math.max(stats.peakLiveBytes, this.liveBytes);
    }

    removeAt(i) {
        const { blocks, model } = this;
        model.liveUsable -= blocks[i].usable;
        this.liveBytes -= blocks[i].size;
        const last = blocks.pop();
        if (i < blocks.length) {
            blocks[i] = last;
        }
        model.live = blocks.length;
    }

    verify(b, limit, why) {
        const bad = checkPattern(this.t.u8, b.ptr, b.usable, b.off, limit);
        if (bad) {
            this.fail(`${why}: contents of block ${hex(b.ptr)} (${b.kind}, size ${b.size}, usable ${b.usable}, `
                + `allocated at op ${b.born}) changed at ${bad}`);
        }
    }

    afterOp() {
        const p = this.o.afterOp?.(this.model);
        if (p) {
            this.fail(`afterwards: ${p}`);
        }
    }

    periodicChecks() {
        const { o, op } = this;
        if ((op + 1) % o.checkEvery === 0) {
            this.what = 'periodic overlap, marker and heap check';
            this.fullCheck();
        }
        if ((op + 1) % o.contentsEvery === 0) {
            this.what = 'periodic contents check';
            this.verifyAll('periodic check');
        }
    }

    /** No two blocks overlap, the foreign regions kept their markers, a checked build's heap is consistent. */
    fullCheck() {
        this.stats.fullChecks++;
        const problem = findOverlap(this.blocks) ?? this.t.checkForeign();
        if (problem) {
            this.fail(problem);
        }
        const heap = this.t.checkHeap();
        if (heap) {
            this.fail(`talc_check found the heap inconsistent at ${hex(heap.address)} (code ${heap.code})`);
        }
    }

    verifyAll(why) {
        for (const b of this.blocks) {
            this.verify(b, b.usable, why);
        }
    }

    /** The final checks, then every block freed (checking it first), then the checks once more. */
    finish() {
        this.what = 'final check';
        this.fullCheck();
        this.verifyAll('final check');
        this.stats.liveAtEnd = this.blocks.length;
        this.what = 'freeing everything';
        while (this.blocks.length > 0) {
            this.free(this.blocks.length - 1);
        }
        this.stats.free -= this.stats.liveAtEnd; // the final frees are not operations of the run
        this.what = 'with everything freed';
        this.afterOp();
        this.fullCheck();
    }
}
