// Runs the workloads over the modules and collects the numbers; no printing (report.mjs) and
// no files (main.mjs), so that tests can call it.
//
// Per workload, round by round: the round's input is generated first, then every module runs it
// on a fresh instance, the modules taking turns (round r starts with module r mod n, so none is
// always first after the generator or last before the next round). Then one metered run per
// module over round 0's input (a trace: over one replay) gives the memory figures (runners.mjs
// says why it is separate):
//
//   footprint efficiency = peak live requested bytes / the end of the highest block ever handed
//                          out (the pages above it were grown but never touched: placement quality)
//   memory efficiency    = peak live requested bytes / memory.buffer.byteLength at the end (what
//                          a capped memory and the browser's memory measurement see)
//
// Talc's heap-efficiency workload (kind "capped") has its own score instead (runCapped).
// Last, the large-request probe: the pages a fresh instance grows for one request of k pages.

import { driver, layOut } from './driver.mjs';
import { PAGE } from './modules.mjs';
import { freeAllMetered, latencyLoop, Meter, runMetered } from './runners.mjs';
import { percentile, summarize } from './stats.mjs';
import { codeWarmup, workloads } from './workloads.mjs';

const PERCENTILES = [1, 25, 50, 75, 99];

/** The k of the large-request probe: requests of k pages, and of k pages less a header's 16 bytes. */
export const LARGE_REQUEST_PAGES = [...Array.from({ length: 20 }, (_, i) => i + 1), 64, 256];

/** Collects garbage when the runtime exposes it (node --expose-gc), so that a run starts clean. */
const collect = () => globalThis.gc?.();

/**
 * Runs every workload of `preset` (presets.mjs) plus one replay per trace (trace.mjs) over the
 * `subjects` (modules.mjs), or with `only` (id prefixes) some of them, calling
 * progress(done, total, label) after each step. Returns
 * {workloads: [{id, title, kind, unit, rounds, about, results: {module: result}, ratios}],
 *  largeRequests: {module: largeRequests()}} (the probe runs with the growth workload).
 */
export function runSuite({ subjects, preset, traces = [], only = null, progress = () => {} }) {
    const list = workloads(preset, traces).filter((w) => !only || only.some((prefix) => w.id.startsWith(prefix)));
    const total = list.reduce((n, w) => n + (w.rounds + (w.kind === 'capped' ? 0 : 1)) * subjects.length, 0);
    let done = 0;
    const step = (label) => progress(++done, total, label);
    const warm = layOut([codeWarmup()]);
    for (const s of subjects) {
        driver(s, s.instantiate(), warm)(0);
    }
    const out = [];
    for (const w of list) {
        const results = Object.fromEntries(subjects.map((s) => [s.name, { samples: [] }]));
        const latency = Object.fromEntries(subjects.map((s) => [s.name, { alloc: [], free: [], clock: [] }]));
        for (let round = 0; round < w.rounds; round++) {
            const input = w.input(round);
            const layout = w.kind === 'timed' ? layOut([...input.warmup, ...input.timed]) : null;
            for (let k = 0; k < subjects.length; k++) {
                const s = subjects[(round + k) % subjects.length];
                const r = results[s.name];
                if (r.error === undefined) {
                    try {
                        r.samples.push(w.kind === 'capped' ? runCapped(w, s, input, r, round)
                            : w.kind === 'latency' ? runLatency(s, input, latency[s.name])
                                : runTimed(s, input, layout));
                    } catch (e) {
                        r.error = `round ${round}: ${e.message}`;
                    }
                }
                step(`${w.id} ${s.name}`);
            }
        }
        if (w.kind !== 'capped') {
            for (const s of subjects) {
                const r = results[s.name];
                if (r.error === undefined) {
                    r.memory = measureMemory(s, w.meteredInput?.() ?? w.input(0));
                }
                step(`${w.id} ${s.name} (memory)`);
            }
        }
        for (const s of subjects) {
            const r = results[s.name];
            if (r.error === undefined) {
                r.rate = summarize(r.samples);
                if (w.kind === 'latency') {
                    r.latency = latencySummary(latency[s.name]);
                }
            }
        }
        out.push({
            id: w.id,
            title: w.title,
            kind: w.kind,
            unit: w.unit,
            rounds: w.rounds,
            about: w.about,
            ...(w.capBytes ? { capBytes: w.capBytes } : {}),
            ...(w.growthBytes ? { growthBytes: w.growthBytes } : {}),
            ...(w.trace ? { trace: w.trace } : {}),
            results,
            ratios: ratios(results),
        });
    }
    const probe = list.some((w) => w.id === 'growth');
    return { workloads: out, ...(probe ? { largeRequests: Object.fromEntries(subjects.map((s) => [s.name, largeRequests(s)])) } : {}) };
}

/**
 * The large-request probe: for each k of LARGE_REQUEST_PAGES, a fresh instance asked for
 * k * 64 KiB - 16 bytes, and another for k * 64 KiB. Returns {worst: {k, bytes, grownPages},
 * excess} for the request that grew the most pages beyond k (excess = grownPages - k), or
 * {error} when a request failed.
 */
function largeRequests(s) {
    let worst = null;
    for (const k of LARGE_REQUEST_PAGES) {
        for (const bytes of [k * PAGE - 16, k * PAGE]) {
            const inst = s.instantiate();
            const before = inst.memory.buffer.byteLength;
            let p = 0;
            try {
                p = inst.malloc(bytes);
            } catch (e) {
                return { error: `malloc(${bytes}) on a fresh instance trapped: ${e.message}` };
            }
            if (p === 0) {
                return { error: `malloc(${bytes}) on a fresh instance failed` };
            }
            const grownPages = (inst.memory.buffer.byteLength - before) / PAGE;
            if (worst === null || grownPages - k > worst.excess) {
                worst = { excess: grownPages - k, worst: { k, bytes, grownPages } };
            }
        }
    }
    return worst;
}

/**
 * A fresh instance and a driver over it (driver.mjs); runs the warm-up untimed, then the timed
 * sequences. Returns counted operations per µs.
 */
function runTimed(s, input, layout) {
    const run = driver(s, s.instantiate(), layout);
    const warmups = input.warmup.length;
    for (let i = 0; i < warmups; i++) {
        run(i);
    }
    let counted = 0;
    collect();
    const t0 = performance.now();
    for (let i = 0; i < input.timed.length; i++) {
        run(warmups + i);
        counted += input.timed[i].counted;
    }
    const ms = performance.now() - t0;
    return counted / ms / 1000;
}

/** The clock's own cost: the median of `n` back-to-back readings, in ms. */
function clockCost(n = 10_000) {
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        d[i] = performance.now() - t0;
    }
    return percentile(d.sort(), 50);
}

/**
 * Like runTimed, but times each call of the counted operations (not the clean-up after them);
 * appends the call times, less the clock's cost, to `into`. Returns ops/µs over the whole loop,
 * clock readings included: a steadier figure than the sum of the call times, whose clock is
 * coarse next to them.
 */
function runLatency(s, input, into) {
    const inst = s.instantiate();
    const run = latencyLoop(inst, s.minAlign);
    const slots = new Int32Array(maxSlots([...input.warmup, ...input.timed]));
    const scratch = (seq) => new Float64Array(seq.length);
    // The warm-up and the clean-up go through the same loop, so that it is compiled when it counts.
    for (const seq of input.warmup) {
        run(seq.ops, 0, seq.length, slots, scratch(seq), scratch(seq));
    }
    let calls = 0;
    let ms = 0;
    for (const seq of input.timed) {
        const allocTimes = new Float64Array(seq.counted);
        const freeTimes = new Float64Array(seq.counted);
        const clock = clockCost();
        collect();
        const t0 = performance.now();
        const [na, nf] = run(seq.ops, 0, seq.counted, slots, allocTimes, freeTimes);
        ms += performance.now() - t0;
        run(seq.ops, seq.counted, seq.length, slots, scratch(seq), scratch(seq));
        for (const [times, n, pool] of [[allocTimes, na, into.alloc], [freeTimes, nf, into.free]]) {
            for (let i = 0; i < n; i++) {
                pool.push(Math.max(0, times[i] - clock));
            }
        }
        into.clock.push(clock);
        calls += seq.counted;
    }
    return calls / ms / 1000;
}

/** Percentiles of the pooled call times, in ns. */
function latencySummary({ alloc, free, clock }) {
    const ns = (pool) => {
        const sorted = Float64Array.from(pool).sort();
        return Object.fromEntries(PERCENTILES.map((p) => [`p${p}`, percentile(sorted, p) * 1e6]));
    };
    return { clockNs: percentile(Float64Array.from(clock).sort(), 50) * 1e6, alloc: ns(alloc), free: ns(free) };
}

/**
 * Talc's heap efficiency on a capped instance: each cycle runs until its first failed
 * allocation, records the live requested bytes then, and frees everything. Stores the memory
 * figures of round 0 in `r`. Returns ops/µs (with the per-call checks, see workloads.mjs).
 */
function runCapped(w, s, input, r, round) {
    const inst = s.instantiate(w.capBytes);
    const meter = new Meter(inst.memory);
    const slots = new Int32Array(maxSlots(input.cycles));
    const sizes = new Float64Array(slots.length);
    let used = 0;
    let ops = 0;
    collect();
    const t0 = performance.now();
    for (const seq of input.cycles) {
        const failedAt = runMetered(inst, s.minAlign, seq, 0, seq.length, slots, sizes, meter, true);
        if (failedAt < 0) {
            throw new Error(`a cycle of ${seq.length} operations ran to its end: more than the cap is live`);
        }
        used += meter.liveBytes;
        ops += failedAt + 1;
        freeAllMetered(inst, slots, sizes, meter);
    }
    const ms = performance.now() - t0;
    if (round === 0) {
        r.memory = { ...memoryOf(meter), heapEfficiency: used / (input.cycles.length * w.capBytes) };
    }
    return ops / ms / 1000;
}

/**
 * The metered run: the same sequences as a timed run on a fresh instance, one call at a time.
 * Reports the state at each mark of the first timed sequence, with the live count the model
 * expected there.
 */
function measureMemory(s, input) {
    const inst = s.instantiate();
    const meter = new Meter(inst.memory);
    const slots = new Int32Array(maxSlots([...input.warmup, ...input.timed]));
    const sizes = new Float64Array(slots.length);
    for (const seq of input.warmup) {
        runMetered(inst, s.minAlign, seq, 0, seq.length, slots, sizes, meter);
    }
    const marks = {};
    input.timed.forEach((seq, i) => {
        let from = 0;
        if (i === 0) {
            for (const [name, mark] of Object.entries(seq.marks).sort((a, b) => a[1].at - b[1].at)) {
                runMetered(inst, s.minAlign, seq, from, mark.at, slots, sizes, meter);
                marks[name] = { growCalls: meter.growCalls, peakBytes: meter.peakBytes, live: meter.live, expectedLive: mark.live };
                from = mark.at;
            }
        }
        runMetered(inst, s.minAlign, seq, from, seq.length, slots, sizes, meter);
    });
    return {
        ...memoryOf(meter),
        highestEnd: meter.highestEnd,
        footprintEfficiency: meter.peakLiveBytes / meter.highestEnd,
        memoryEfficiency: meter.peakLiveBytes / inst.memory.buffer.byteLength,
        marks,
    };
}

function memoryOf(meter) {
    return {
        initialBytes: meter.initialBytes,
        peakBytes: meter.peakBytes,
        growCalls: meter.growCalls,
        peakLiveBytes: meter.peakLiveBytes,
        failures: meter.failures,
        traps: meter.traps,
        ...(meter.trapMessage ? { trapMessage: meter.trapMessage } : {}),
    };
}

/** The size of a slot array for running all of `seqs`. */
function maxSlots(seqs) {
    return Math.max(1, ...seqs.map((seq) => seq.slots));
}

/** ratios[a][b] = median rate of a / median rate of b, for modules that finished. */
function ratios(results) {
    const ok = Object.entries(results).filter(([, r]) => r.rate);
    return Object.fromEntries(ok.map(([a, ra]) => [a, Object.fromEntries(ok.map(([b, rb]) => [b, ra.rate.median / rb.rate.median]))]));
}
