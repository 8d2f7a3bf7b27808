// The attack of allocator-core's CorruptionTest, on a checked module (talc-checked.wasm): for
// every layout around a boundary between two blocks, every write of 1 to 32 bytes past the lower
// block's end or before the upper block's start, with each byte pattern, then every call on
// either block (free, realloc shrinking, growing and moving, malloc_usable_size) or a malloc,
// then a short model run on the damaged heap. Each call reports (kind corrupted for a live
// block or a malloc; memory unchanged) or goes through: a call on either block then leaves a
// heap talc_check accepts, a malloc or realloc never hands out memory over a live block, no live
// block's bytes change, and at the end a heap talc_check accepts holds exactly the model's blocks
// (talc_walk). A trap fails the run. Run in a worker (corruption.test.mjs), which the test ends
// when it does not return in time.

import { parentPort, workerData } from 'node:worker_threads';
import { LAYOUT, MISUSE, Rng, TalcMisuseError, instantiate } from '../test/talc.mjs';

const HEADER = LAYOUT.header.bytes;
const SEAL = LAYOUT.header.sealBytes;
const SIZE_MASK = LAYOUT.header.sizeMask;
const MAX_WRITE = 32;
/** Byte patterns; -1 stands for seeded random bytes. */
const PATTERNS = [0x00, 0x41, 0x80, 0xF0, 0xFF, -1];
/** As CorruptionTest's: 'adjacent 256' has a 256-byte chunk above (a few zero bytes make its header a sentinel's). */
const LAYOUTS = ['adjacent', 'adjacent 256', 'small gap', 'gap', 'first', 'top'];
const CALLS = ['free', 'shrink', 'grow', 'move', 'usable'];

class Failure extends Error {}

function check(ok, what) {
    if (!ok) {
        throw new Failure(what);
    }
}

/** One instance of the module (scripts/model/allocator.mjs) with the model of its blocks. */
class Heap {
    constructor(file, name) {
        this.name = name;
        this.t = instantiate(file);
        /** Live blocks: pointer to their expected bytes (their whole usable size). */
        this.live = new Map();
        this.freed = [];
        this.fills = 0;
        this.calls = 0;
        this.reports = 0;
    }

    get u8() {
        return this.t.u8;
    }

    header(ptr) {
        return new DataView(this.t.memory.buffer).getUint32(ptr - HEADER, true);
    }

    /** The block's bytes its user may write, from its header (trusted only while intact). */
    usableOf(ptr) {
        return ((this.header(ptr) & SIZE_MASK) >>> 0) - HEADER - SEAL;
    }

    allocate(size) {
        const p = this.t.malloc(size);
        check(p !== 0, `${this.name}: the layout fits`);
        this.added(p);
        return p;
    }

    added(p) {
        const bytes = new Uint8Array(this.usableOf(p));
        for (let i = 0; i < bytes.length; i++) {
            bytes[i] = (this.fills * 37 + i * 11 + 1) & 0xFF;
        }
        this.fills++;
        this.u8.set(bytes, p);
        this.live.set(p, bytes);
        this.freed = this.freed.filter((q) => q !== p);
    }

    /** Makes the layout; returns [lower, upper] around the boundary under attack (0: none). */
    build(layout) {
        if (layout === 'first') {
            const high = this.allocate(40);
            this.allocate(24);
            return [0, high];
        }
        if (layout === 'top') {
            const x = this.allocate(24);
            const top = (this.header(x + this.usableOf(x) + SEAL + HEADER) & SIZE_MASK) >>> 0;
            return [this.allocate(top - HEADER - SEAL), 0];
        }
        this.allocate(24);
        const low = this.allocate(40);
        const gap = layout === 'small gap' ? this.allocate(4) : layout === 'gap' ? this.allocate(100) : 0;
        const high = this.allocate(layout === 'adjacent 256' ? 256 - HEADER - SEAL : 40);
        this.allocate(24);
        if (gap !== 0) {
            this.t.free(gap);
            this.live.delete(gap);
            this.freed.push(gap);
        }
        return [low, high];
    }

    /** Writes `length` bytes from `from` up or down, within [floor, end of memory). */
    damage(from, length, upwards, pattern, rng, floor) {
        const u8 = this.u8;
        for (let i = 0; i < length; i++) {
            const at = upwards ? from + i : from - i;
            if (at < floor || at >= u8.length) {
                continue;
            }
            const value = pattern < 0 ? rng.range(0, 255) : pattern;
            u8[at] = value;
            for (const [p, bytes] of this.live) {
                if (at >= p && at < p + bytes.length) {
                    bytes[at - p] = value;
                }
            }
        }
    }

    /** Calls `fn`: the kind it reported (memory unchanged then), or 0 with its result in `this.result`. */
    call(what, fn, liveTarget = true) {
        this.calls++;
        const before = Buffer.from(this.u8);
        try {
            this.result = fn();
            return 0;
        } catch (e) {
            if (e instanceof TalcMisuseError) {
                check(before.equals(Buffer.from(this.u8)), `${this.name}: ${what} reported ${e.kind} but changed memory`);
                check(!liveTarget || e.code === MISUSE.CORRUPTED, `${this.name}: ${what} reported ${e.kind}`);
                this.reports++;
                return e.code;
            }
            if (e instanceof WebAssembly.RuntimeError) {
                throw new Failure(`${this.name}: ${what} trapped: ${e.message}`);
            }
            throw e;
        }
    }

    free(p) {
        const kind = this.call(`free(${p})`, () => this.t.free(p));
        if (kind === 0) {
            this.live.delete(p);
            this.freed.push(p);
        }
        return kind;
    }

    usable(p) {
        const kind = this.call(`malloc_usable_size(${p})`, () => this.t.usable(p));
        check(kind !== 0 || this.result === this.live.get(p).length, `${this.name}: usable size of ${p}`);
        return kind;
    }

    realloc(p, size) {
        const kind = this.call(`realloc(${p}, ${size})`, () => this.t.realloc(p, size));
        if (kind !== 0) {
            return kind;
        }
        const q = this.result;
        if (size === 0) {
            this.live.delete(p);
            this.freed.push(p);
        } else if (q !== 0) {
            const old = this.live.get(p);
            this.live.delete(p);
            const kept = Math.min(old.length, size);
            check(Buffer.from(this.u8.subarray(q, q + kept)).equals(Buffer.from(old.subarray(0, kept))),
                `${this.name}: realloc(${p}, ${size}) kept the contents`);
            if (q !== p) {
                this.freed.push(p);
            }
            this.placed(q);
        }
        return 0;
    }

    malloc(size) {
        const kind = this.call(`malloc(${size})`, () => this.t.malloc(size));
        if (kind === 0 && this.result !== 0) {
            this.placed(this.result);
        }
        return kind;
    }

    /** A block handed out at p: over no live block. */
    placed(p) {
        const start = p - HEADER;
        const end = start + ((this.header(p) & SIZE_MASK) >>> 0);
        check(p % 16 === 0 && end <= this.u8.length, `${this.name}: a block at ${p} inside memory`);
        for (const [q, bytes] of this.live) {
            check(end <= q - HEADER || q + bytes.length + SEAL <= start, `${this.name}: the block at ${p} overlaps the live block at ${q}`);
        }
        this.added(p);
    }

    callOn(call, p) {
        switch (call) {
            case 'free': return this.free(p);
            case 'usable': return this.usable(p);
            case 'shrink': return this.realloc(p, 1);
            case 'grow': return this.realloc(p, this.live.get(p).length + 1);
            default: return this.realloc(p, 1500);
        }
    }

    intact() {
        const u8 = this.u8;
        for (const [p, bytes] of this.live) {
            check(Buffer.from(u8.subarray(p, p + bytes.length)).equals(Buffer.from(bytes)), `${this.name}: the block at ${p} changed`);
        }
    }

    staleFree(rng) {
        const p = this.freed[rng.range(0, this.freed.length - 1)];
        let inside = false;
        for (const [q, bytes] of this.live) {
            inside ||= p > q && p < q + bytes.length + HEADER + SEAL;
        }
        const kind = this.call(`free of the freed ${p}`, () => this.t.free(p), false);
        const expected = inside ? MISUSE.INSIDE_BLOCK : MISUSE.NOT_ALLOCATED;
        check(kind === MISUSE.CORRUPTED || kind === expected, `${this.name}: a free of the freed ${p} reported ${kind}`);
    }

    modelRun(rng, ops) {
        this.intact();
        for (let i = 0; i < ops; i++) {
            const r = rng.range(0, 99);
            const ptrs = [...this.live.keys()];
            const pick = () => ptrs[rng.range(0, ptrs.length - 1)];
            if (ptrs.length === 0 || r < 40) {
                this.malloc(rng.range(0, 199));
            } else if (r < 65) {
                this.free(pick());
            } else if (r < 80) {
                this.realloc(pick(), rng.range(0, 299));
            } else if (r < 90) {
                this.usable(pick());
            } else if (this.freed.length > 0) {
                this.staleFree(rng);
            }
            this.intact();
        }
        if (this.t.checkHeap() === null) {
            const allocated = this.t.walk().filter((c) => c.allocated).map((c) => c.address);
            check(allocated.join() === [...this.live.keys()].sort((a, b) => a - b).join(),
                `${this.name}: a heap talc_check accepts holds the model's blocks`);
        }
    }
}

export function runCases(file, modelOps, progress) {
    const stats = { cases: 0, reported: 0, clean: 0, calls: 0, reports: 0 };
    const one = (layout, overflow, length, pattern, side, call, mallocSize) => {
        const name = `${file}: ${layout}, ${overflow ? 'overflow' : 'underflow'} of ${length} bytes of `
            + `${pattern < 0 ? 'random' : '0x' + pattern.toString(16)}, then `
            + (call ? `${call} of the ${side === 0 ? 'lower' : 'upper'} block` : `malloc(${mallocSize})`);
        const h = new Heap(file, name);
        const pair = h.build(layout);
        const target = pair[side];
        if (call && target === 0) {
            return;
        }
        stats.cases++;
        progress(name);
        // Writes stay above the heap's link word (the word below its first chunk).
        const floor = (h.t.e.talc_walk(0) >>> 0) - HEADER - 4;
        h.damage(overflow ? pair[0] + h.live.get(pair[0]).length : pair[1] - 1, length, overflow, pattern,
            new Rng(stats.cases), floor);
        const kind = call ? h.callOn(call, target) : h.malloc(mallocSize);
        if (kind !== 0) {
            stats.reported++;
        } else {
            stats.clean++;
            check(!call || h.t.checkHeap() === null, `${name}: the call went through, so talc_check must be 0`);
        }
        h.modelRun(new Rng(stats.cases * 31), modelOps);
        stats.calls += h.calls;
        stats.reports += h.reports;
    };
    for (const layout of LAYOUTS) {
        for (const overflow of [true, false]) {
            if (overflow ? layout === 'first' : layout === 'top') {
                continue;
            }
            for (let length = 1; length <= MAX_WRITE; length++) {
                for (const pattern of PATTERNS) {
                    for (const side of [0, 1]) {
                        for (const call of CALLS) {
                            one(layout, overflow, length, pattern, side, call);
                        }
                    }
                    one(layout, overflow, length, pattern, 0, null, 1);
                    one(layout, overflow, length, pattern, 0, null, 400);
                }
            }
        }
    }
    return stats;
}

if (parentPort && workerData?.file) {
    let last = '';
    try {
        const stats = runCases(workerData.file, workerData.modelOps, (name) => {
            last = name;
            parentPort.postMessage({ progress: name });
        });
        parentPort.postMessage({ stats });
    } catch (e) {
        parentPort.postMessage({ error: e instanceof Failure ? e.message : `${last}: ${e.stack}` });
    }
}
