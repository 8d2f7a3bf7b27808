// The JS loops that drive an instance through a sequence (see ops.mjs for the encoding); the
// timed loop is in wasm (driver.mjs).
//
// - latency: reads the clock around every call, for per-call percentiles;
// - metered: after every call compares `memory.buffer.byteLength` with its last value (a
//   `memory.grow` happened inside the call), keeps the live requested bytes and the end of the
//   highest block handed out, for peak memory, grow counts and the two efficiencies (suite.mjs
//   defines them). Those checks would slow the timed loop, so memory figures
//   come from a separate metered run over the same inputs on a fresh instance; a module that
//   behaves deterministically (all of these do) grows exactly the same way in both.
//
// The latency loop is compiled anew (`new Function`) for every instance: a call site that has
// seen the exports of one module and then sees another's is no longer monomorphic, and V8 would
// then run later modules through slower, generic calls.

import { ALIGNED, CALLOC, FREE, MALLOC, REALLOC } from './ops.mjs';

// Each call's time goes to `allocTimes` (malloc, calloc, aligned_alloc, realloc) or `freeTimes`;
// returns how many of each. The operations are those of driver.mjs.
const LATENCY = `
    return function runLatency(ops, from, to, slots, allocTimes, freeTimes) {
        let na = 0;
        let nf = 0;
        for (let i = 4 * from, end = 4 * to; i < end; i += 4) {
            const s = ops[i + 1];
            const t0 = now();
            switch (ops[i]) {
            case ${MALLOC}:
                slots[s] = malloc(ops[i + 2]);
                break;
            case ${CALLOC}:
                slots[s] = calloc(1, ops[i + 2]);
                break;
            case ${ALIGNED}:
                slots[s] = ops[i + 2] <= minAlign ? malloc(ops[i + 3]) : aligned(ops[i + 2], ops[i + 3]);
                break;
            case ${REALLOC}: {
                const p = realloc(slots[s], ops[i + 3]);
                if (p !== 0) { // a failed realloc leaves the block where it was
                    slots[s] = 0;
                    slots[ops[i + 2]] = p;
                }
                break;
            }
            default:
                free(slots[s]);
                slots[s] = 0;
            }
            const dt = now() - t0;
            if (ops[i] === ${FREE}) {
                freeTimes[nf++] = dt;
            } else {
                allocTimes[na++] = dt;
            }
        }
        return [na, nf];
    };`;

/**
 * A fresh latency loop over instance `inst` (modules.mjs):
 * run(ops, from, to, slots, allocTimes, freeTimes) -> [allocs, frees], times in ms.
 */
export function latencyLoop(inst, minAlign) {
    const now = performance.now.bind(performance);
    return new Function('malloc', 'free', 'realloc', 'calloc', 'aligned', 'minAlign', 'now', LATENCY)(
        inst.malloc, inst.free, inst.realloc, inst.calloc, inst.aligned, minAlign, now);
}

/** What a metered run saw on one instance (accumulates over several runs on it). */
export class Meter {
    constructor(memory) {
        this.memory = memory;
        this.bytes = memory.buffer.byteLength;
        this.initialBytes = this.bytes;
        this.peakBytes = this.bytes;
        this.growCalls = 0;
        this.liveBytes = 0;
        this.peakLiveBytes = 0;
        this.highestEnd = 0; // the end of the highest block handed out (its requested bytes, from its aligned start)
        this.live = 0;
        this.failures = 0;   // allocations of at least one byte that returned 0, or trapped
        this.traps = 0;      // calls that trapped (AssemblyScript's TLSF aborts when memory runs out)
        this.trapMessage = null;
    }

    sync() {
        const bytes = this.memory.buffer.byteLength;
        if (bytes !== this.bytes) {
            this.growCalls++;
            this.bytes = bytes;
            if (bytes > this.peakBytes) {
                this.peakBytes = bytes;
            }
        }
    }
}

/**
 * Runs operations [from, to) of `seq` on `inst`, one at a time, recording into `meter`;
 * `sizes` keeps each slot's requested bytes. With `stopAtFailure`, returns at the first failed
 * allocation with its index; otherwise returns -1 after the last operation.
 */
export function runMetered(inst, minAlign, seq, from, to, slots, sizes, meter, stopAtFailure = false) {
    const ops = seq.ops;
    for (let i = 4 * from, end = 4 * to; i < end; i += 4) {
        const kind = ops[i];
        const s = ops[i + 1];
        let p = 0;
        let request = 0;
        try {
            switch (kind) {
            case MALLOC:
                request = ops[i + 2];
                p = inst.malloc(request);
                break;
            case CALLOC:
                request = ops[i + 2];
                p = inst.calloc(1, request);
                break;
            case ALIGNED:
                request = ops[i + 3];
                p = ops[i + 2] <= minAlign ? inst.malloc(request) : inst.aligned(ops[i + 2], request);
                break;
            case REALLOC:
                request = ops[i + 3];
                p = inst.realloc(slots[s], request);
                break;
            default:
                if (slots[s] !== 0) {
                    inst.free(slots[s]);
                    meter.live--;
                    meter.liveBytes -= sizes[s];
                    slots[s] = 0;
                }
            }
        } catch (e) {
            meter.traps++;
            meter.trapMessage ??= `${e.message} (operation ${i / 4}, kind ${kind}, ${request} bytes)`;
            p = 0;
        }
        meter.sync();
        if (kind === FREE) {
            continue;
        }
        if (p === 0) {
            if (request > 0) {
                meter.failures++;
                if (stopAtFailure) {
                    return i / 4;
                }
            }
            continue;
        }
        // Over-allocated aligned requests (modules.mjs) start the caller's block at p rounded up.
        const align = kind === ALIGNED ? ops[i + 2] : 1;
        const start = p >>> 0;
        const end = start + (align - start % align) % align + request;
        if (end > meter.highestEnd) {
            meter.highestEnd = end;
        }
        if (kind === REALLOC) {
            if (slots[s] !== 0) { // else it was realloc(0, n), after an allocation that had failed
                meter.liveBytes -= sizes[s];
                meter.live--;
                slots[s] = 0;
            }
            slots[ops[i + 2]] = p;
            sizes[ops[i + 2]] = request;
        } else {
            slots[s] = p;
            sizes[s] = request;
        }
        meter.live++;
        meter.liveBytes += request;
        if (meter.liveBytes > meter.peakLiveBytes) {
            meter.peakLiveBytes = meter.liveBytes;
        }
    }
    return -1;
}

/** Frees every block still held in `slots` (after a run stopped early), keeping `meter` right. */
export function freeAllMetered(inst, slots, sizes, meter) {
    for (let s = 0; s < slots.length; s++) {
        if (slots[s] !== 0) {
            inst.free(slots[s]);
            meter.liveBytes -= sizes[s];
            meter.live--;
            slots[s] = 0;
        }
    }
    meter.sync();
}
