// The workloads, as generators of operation sequences (ops.mjs). Each one is
//
//   { id, title, kind, unit, rounds, about, input(round), meteredInput() (optional) }
//
// where `kind` says how the suite runs it (suite.mjs):
// - "timed": input(round) = {warmup: [seq], timed: [seq]}; the rate is counted operations of
//   the timed sequences per µs (= million per second);
// - "latency": the same, with the clock read around every call of the timed sequences;
// - "capped": input(round) = {cycles: [seq]} on a memory capped at `capBytes`; each cycle runs
//   until the first allocation fails, then everything is freed (Talc's heap efficiency).
// The memory figures come from a metered run over meteredInput(), or else over input(0).
//
// Sizes and mixes follow Talc v5's benchmarks (notes: ../shared/notes/talc-v5-facts.md §1-2);
// where this suite differs, `about` says how.

import { Rng } from '../rng.mjs';
import { KiB, MiB, SeqBuilder, talcAlign, talcSize } from './ops.mjs';

/** A seed per workload and round, so that every module of a round sees the same inputs. */
function seedOf(id, round) {
    let h = 0x811C9DC5;
    for (const c of id) {
        h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    }
    return (h ^ Math.imul(round + 1, 0x9E3779B1)) | 0;
}

/** Memoizes input(round): the generators are pure, and a round's input serves every module. */
function perRound(generate) {
    let last = null;
    return (round) => {
        if (last?.round !== round) {
            last = { round, input: generate(round) };
        }
        return last.input;
    };
}

// ---------------------------------------------------------------------------------------------
// Talc's wasm benchmark (wasm-perf): actions until `actions` succeeded; an allocation whenever
// fewer than 50 blocks are live, else 50/50 alloc/free, or 40/40/20 alloc/free/realloc; sizes
// uniform 1..=10000 with Talc's alignment mix; realloc to a new uniform 1..=10000 size. In
// pre-generated inputs every action succeeds (a failure would show in the metered run).

function talcActions(rng, actions, withRealloc) {
    const b = new SeqBuilder();
    for (let i = 0; i < actions; i++) {
        const action = rng.below(withRealloc ? 5 : 4);
        if (action < 2 || b.liveCount < 50) {
            b.aligned(talcAlign(rng), rng.range(1, 10000));
        } else if (action < 4) {
            b.free(b.randomLive(rng));
        } else {
            b.realloc(b.randomLive(rng), rng.range(1, 10000));
        }
    }
    b.mark('counted');
    b.freeAll();
    return b.build();
}

function talcWorkload(p, withRealloc) {
    const id = withRealloc ? 'talc-realloc' : 'talc';
    return {
        id,
        title: withRealloc ? "Talc's wasm benchmark, alloc/free/realloc 40/40/20" : "Talc's wasm benchmark, alloc/free 50/50",
        kind: 'timed',
        unit: 'actions/µs',
        rounds: p.rounds,
        about: `${p.rounds} rounds x ${p.iterations} timed runs of ${p.actions.toLocaleString('en-US')} actions, `
            + 'each round on a fresh instance after 1 untimed run (Talc runs all 100 on one instance after 1 untimed run)',
        input: perRound((round) => {
            const rng = new Rng(seedOf(id, round));
            const runs = Array.from({ length: p.iterations + 1 }, () => talcActions(rng, p.actions, withRealloc));
            return { warmup: runs.slice(0, 1), timed: runs.slice(1) };
        }),
    };
}

// ---------------------------------------------------------------------------------------------
// Talc's random-actions benchmark (benches/random_actions.rs) at one maximum size: 1/7 realloc
// to 1..3*max, else alloc when 3/7 or fewer than 300 blocks are live, else free; sizes
// `generate_size(max)`, Talc's alignment mix. Talc times 200 ms per trial; here a fixed count.

function randomActions(rng, actions, max) {
    const b = new SeqBuilder();
    for (let i = 0; i < actions; i++) {
        const action = rng.below(7);
        if (action === 6) {
            if (b.liveCount > 0) {
                b.realloc(b.randomLive(rng), rng.range(1, 3 * max - 1));
            }
        } else if (action < 3 || b.liveCount < 300) {
            b.aligned(talcAlign(rng), talcSize(rng, max));
        } else {
            b.free(b.randomLive(rng));
        }
    }
    b.mark('counted');
    b.freeAll();
    return b.build();
}

function sizesWorkload(p, max) {
    const label = max >= KiB ? `${max / KiB} KiB` : `${max} B`;
    const id = `sizes-${max >= KiB ? `${max / KiB}k` : max}`;
    return {
        id,
        title: `Random actions, sizes to ${label}`,
        kind: 'timed',
        unit: 'M ops/s',
        rounds: p.rounds,
        about: `Talc's random_actions at max ${max}: ${p.rounds} rounds of ${p.actions.toLocaleString('en-US')} `
            + `actions after ${p.warmup.toLocaleString('en-US')} untimed ones`,
        input: perRound((round) => {
            const rng = new Rng(seedOf(id, round));
            return { warmup: [randomActions(rng, p.warmup, max)], timed: [randomActions(rng, p.actions, max)] };
        }),
    };
}

// ---------------------------------------------------------------------------------------------
// Talc's microbenchmark (benches/microbench.rs): after warm-up pairs alloc(i*8)/free, allocate
// `generate_size(0x8000)` with Talc's alignment mix; above 50 live blocks free 8 random ones with
// probability 1/10, always above 600. Every call is timed.

function latencyWorkload(p) {
    const id = 'latency';
    return {
        id,
        title: 'Alloc and free latency (Talc\'s microbenchmark)',
        kind: 'latency',
        unit: 'M ops/s',
        rounds: p.rounds,
        about: `${p.rounds} rounds of ${p.allocations.toLocaleString('en-US')} timed allocations and their frees, after `
            + `${p.warmupPairs.toLocaleString('en-US')} untimed alloc/free pairs; `
            + 'each call timed with performance.now(), minus the clock\'s own cost (median of empty readings); '
            + 'the rate is over the whole timed loop, clock readings included',
        input: perRound((round) => {
            const rng = new Rng(seedOf(id, round));
            const warm = new SeqBuilder();
            for (let i = 1; i <= p.warmupPairs; i++) {
                warm.free(warm.malloc(i * 8));
            }
            const b = new SeqBuilder();
            for (let i = 0; i < p.allocations; i++) {
                b.aligned(talcAlign(rng), talcSize(rng, 0x8000));
                if ((b.liveCount > 50 && rng.below(10) === 0) || b.liveCount > 600) {
                    for (let k = 0; k < 8; k++) {
                        b.free(b.randomLive(rng));
                    }
                }
            }
            b.mark('counted');
            b.freeAll();
            return { warmup: [warm.build()], timed: [b.build()] };
        }),
    };
}

// ---------------------------------------------------------------------------------------------
// Talc's heap efficiency (benches/heap_efficiency.rs): cycles of 50% alloc `generate_size(10000)`
// with Talc's alignment mix, 10% free, 40% realloc to 1..100000, until the first allocation or
// realloc fails; the score is the mean of live requested bytes at that point over the cap.
// Talc uses a 128 MiB arena; here memory is capped (the module's memory maximum is rewritten)
// and the module's own static data and stack count against the cap.

function efficiencyCycle(rng, capBytes) {
    const b = new SeqBuilder();
    // Goes on past the cap, so that every allocator has failed before the sequence ends.
    while (b.liveBytes <= capBytes) {
        const action = rng.below(10);
        if (action < 5) {
            b.aligned(talcAlign(rng), talcSize(rng, 10000));
        } else if (b.liveCount === 0) {
            continue;
        } else if (action === 5) {
            b.free(b.randomLive(rng));
        } else {
            b.realloc(b.randomLive(rng), rng.range(1, 99999));
        }
    }
    return b.build();
}

function efficiencyWorkload(p) {
    const id = 'efficiency';
    return {
        id,
        title: `Heap efficiency in ${p.capBytes / MiB} MiB (Talc's heap_efficiency)`,
        kind: 'capped',
        unit: 'M ops/s',
        rounds: p.rounds,
        capBytes: p.capBytes,
        about: `${p.cycles} fill cycles per round on one instance whose memory is capped at ${p.capBytes / MiB} MiB; `
            + 'efficiency = mean live requested bytes at the first failure / cap; '
            + 'its rate is measured with the per-call checks on, unlike the other workloads',
        input: perRound((round) => {
            const rng = new Rng(seedOf(id, round));
            return { cycles: Array.from({ length: p.cycles }, () => efficiencyCycle(rng, p.capBytes)) };
        }),
    };
}

// ---------------------------------------------------------------------------------------------
// Growth: allocate until `targetBytes` are live, free half of the blocks at random, refill to
// the target. Sizes `generate_size(64 KiB)` with Talc's alignment mix. It measures how an
// allocator grows memory from nothing: the grow calls until the target is first live (mark
// "filled"), and how well the refill reuses the holes.

function growthWorkload(p) {
    const id = 'growth';
    const label = p.targetBytes >= MiB ? `${p.targetBytes / MiB} MiB` : `${p.targetBytes / KiB} KiB`;
    return {
        id,
        title: `Growth to ${label} live, free half, refill`,
        kind: 'timed',
        unit: 'M ops/s',
        rounds: p.rounds,
        growthBytes: p.targetBytes,
        about: `${p.rounds} rounds, each on a fresh instance with no warm-up (growing from nothing is the point)`,
        input: perRound((round) => {
            const rng = new Rng(seedOf(id, round));
            const b = new SeqBuilder();
            const fill = () => {
                while (b.liveBytes < p.targetBytes) {
                    b.aligned(talcAlign(rng), talcSize(rng, 64 * KiB));
                }
            };
            fill();
            b.mark('filled');
            for (let half = b.liveCount >> 1; half > 0; half--) {
                b.free(b.randomLive(rng));
            }
            fill();
            b.mark('counted');
            b.freeAll();
            return { warmup: [], timed: [b.build()] };
        }),
    };
}

// ---------------------------------------------------------------------------------------------
// Trace replay: a real program's allocations (trace.mjs), replayed as recorded.

function traceWorkload(p, trace) {
    const { name, seq, stats } = trace;
    return {
        id: `trace:${name}`,
        title: `Trace replay: ${name}`,
        kind: 'timed',
        unit: 'M ops/s',
        rounds: p.rounds,
        trace: stats,
        about: `${p.rounds} rounds of ${p.replays} timed replays (${seq.counted.toLocaleString('en-US')} operations each) `
            + 'after 1 untimed replay; each replay ends by freeing the blocks the program left live '
            + '(timed, not counted, like the final frees of Talc\'s benchmark); memory from one replay on a fresh instance',
        input: () => ({ warmup: [seq], timed: Array(p.replays).fill(seq) }),
        // The program's own heap, whatever the preset: one replay, as the program ran once.
        meteredInput: () => ({ warmup: [], timed: [seq] }),
    };
}

/**
 * A short mix of every kind of call but calloc, for running each module once before the first
 * timed round, so that V8 has optimized its code by then.
 */
export const codeWarmup = () => talcActions(new Rng(1), 50_000, true);

/** Every workload of preset `p` (presets.mjs), with one replay workload per trace (trace.mjs). */
export function workloads(p, traces) {
    return [
        talcWorkload(p.talc, false),
        talcWorkload(p.talc, true),
        ...p.sizes.maxima.map((max) => sizesWorkload(p.sizes, max)),
        latencyWorkload(p.latency),
        efficiencyWorkload(p.efficiency),
        growthWorkload(p.growth),
        ...traces.map((t) => traceWorkload(p.traces, t)),
    ];
}
