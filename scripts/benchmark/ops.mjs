// Operation sequences: what every workload is turned into before any timing starts.
//
// A sequence is a flat Int32Array of 4-int records [kind, slot, x, y]. Slots are small integers
// that stand for blocks; a runner keeps one pointer per slot, so the same sequence drives every
// module, whatever addresses it hands out. Generating the sequences up front keeps the random
// number generator and the live-set bookkeeping out of the timed loops, and makes every module
// see exactly the same requests.
//
//   MALLOC  slot size      -      slot = malloc(size)
//   CALLOC  slot size      -      slot = calloc(1, size)
//   ALIGNED slot align     size   slot = aligned_alloc(align, size) (malloc when align <= the module's minimum)
//   REALLOC slot newSlot   size   newSlot = realloc(slot, size) (newSlot may equal slot)
//   FREE    slot -         -      free(slot)

export const MALLOC = 0;
export const CALLOC = 1;
export const ALIGNED = 2;
export const REALLOC = 3;
export const FREE = 4;

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Talc's `generate_align()` on a 64-bit host: `8 << (tz(random u16) / 2)`: 8 B 75%, 16 B 19%, 32 B 4.7%, ... */
export function talcAlign(rng) {
    const x = rng.u32() & 0xFFFF;
    const tz = x === 0 ? 16 : 31 - Math.clz32(x & -x);
    return 8 << (tz >> 1);
}

/** Talc's `generate_size(max)`: `rand(4..rand(16..max))`, which favours small sizes. */
export function talcSize(rng, max) {
    const cap = rng.range(16, max - 1);
    return rng.range(4, cap - 1);
}

/**
 * Builds one sequence while keeping the model of its live blocks: which slots are live, in a
 * list that `free` and `realloc` pick from by index (freeing swaps the last entry into the hole,
 * like Rust's `swap_remove` in Talc's benchmarks), and how many bytes they requested.
 */
export class SeqBuilder {
    constructor() {
        this.ops = new Int32Array(4 * 1024);
        this.n = 0;
        this.live = [];        // live slots, in the order the workloads pick from
        this.pos = [];         // slot -> its index in `live`
        this.size = [];        // slot -> requested bytes
        this.spare = [];       // released slots, reused first
        this.slots = 0;        // slots ever used
        this.liveBytes = 0;
        this.marks = {};
    }

    get liveCount() {
        return this.live.length;
    }

    /** A live slot picked uniformly at random. */
    randomLive(rng) {
        return this.live[rng.below(this.live.length)];
    }

    malloc(size) {
        return this._alloc(MALLOC, size, size, 0);
    }

    calloc(size) {
        return this._alloc(CALLOC, size, size, 0);
    }

    aligned(align, size) {
        return this._alloc(ALIGNED, size, align, size);
    }

    free(slot) {
        this._push(FREE, slot, 0, 0);
        this._unlink(slot);
    }

    /** Reallocates `slot` to `size`; the block keeps its place in the live list. Returns its new slot. */
    realloc(slot, size) {
        const index = this.pos[slot];
        this.liveBytes -= this.size[slot];
        this.spare.push(slot);
        const next = this._slot();
        this._push(REALLOC, slot, next, size);
        this.live[index] = next;
        this.pos[next] = index;
        this.size[next] = size;
        this.liveBytes += size;
        return next;
    }

    freeAll() {
        while (this.live.length > 0) {
            this.free(this.live[this.live.length - 1]);
        }
    }

    /**
     * Names the point after the operations so far, with the model's live block count there. The
     * mark `counted` ends the operations that count towards the rate; what follows it (usually
     * freeAll) is clean-up. A metered run reports the allocator's state at every mark.
     */
    mark(name) {
        this.marks[name] = { at: this.n, live: this.live.length };
    }

    /**
     * The finished sequence: {ops, length, counted (operations that count towards the rate),
     * marks ({name: {at, live}}), slots (slot array size)}.
     */
    build() {
        return {
            ops: this.ops.slice(0, 4 * this.n),
            length: this.n,
            counted: this.marks.counted?.at ?? this.n,
            marks: this.marks,
            slots: this.slots,
        };
    }

    _alloc(kind, size, x, y) {
        const slot = this._slot();
        this._push(kind, slot, x, y);
        this.pos[slot] = this.live.length;
        this.live.push(slot);
        this.size[slot] = size;
        this.liveBytes += size;
        return slot;
    }

    _unlink(slot) {
        const index = this.pos[slot];
        const last = this.live.pop();
        if (index < this.live.length) {
            this.live[index] = last;
            this.pos[last] = index;
        }
        this.liveBytes -= this.size[slot];
        this.spare.push(slot);
    }

    _slot() {
        return this.spare.length > 0 ? this.spare.pop() : this.slots++;
    }

    _push(kind, slot, x, y) {
        if (4 * this.n === this.ops.length) {
            const bigger = new Int32Array(this.ops.length * 2);
            bigger.set(this.ops);
            this.ops = bigger;
        }
        const i = 4 * this.n++;
        this.ops[i] = kind;
        this.ops[i + 1] = slot;
        this.ops[i + 2] = x;
        this.ops[i + 3] = y;
    }
}
