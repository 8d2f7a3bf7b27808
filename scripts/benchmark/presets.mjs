// How much of each workload a run does. `full` keeps Talc's own counts where the workload is
// Talc's (100 timed runs of 100,000 actions per module, 300 heap-efficiency cycles); `quick` is
// a look; `smoke` only proves that everything runs (the tests use it). Measured with the ten
// default modules and the nine traces on 2 cores shared with other work: full 18:50, quick 1:06,
// smoke 1:32 under a heavier load (every run prints its own duration at the end).

import { MiB } from './ops.mjs';

const SIZE_MAXIMA = [64, 512, 4096, 65536];

export const PRESETS = {
    full: {
        talc: { rounds: 20, iterations: 5, actions: 100_000 },
        sizes: { rounds: 20, actions: 200_000, warmup: 20_000, maxima: SIZE_MAXIMA },
        latency: { rounds: 10, allocations: 100_000, warmupPairs: 10_000 },
        efficiency: { rounds: 1, cycles: 300, capBytes: 32 * MiB },
        growth: { rounds: 10, targetBytes: 64 * MiB },
        traces: { rounds: 20, replays: 3 },
    },
    quick: {
        talc: { rounds: 3, iterations: 3, actions: 100_000 },
        sizes: { rounds: 3, actions: 50_000, warmup: 10_000, maxima: SIZE_MAXIMA },
        latency: { rounds: 2, allocations: 20_000, warmupPairs: 10_000 },
        efficiency: { rounds: 1, cycles: 30, capBytes: 32 * MiB },
        growth: { rounds: 2, targetBytes: 64 * MiB },
        traces: { rounds: 3, replays: 1 },
    },
    smoke: {
        talc: { rounds: 2, iterations: 1, actions: 2_000 },
        sizes: { rounds: 2, actions: 2_000, warmup: 500, maxima: SIZE_MAXIMA },
        latency: { rounds: 2, allocations: 1_000, warmupPairs: 200 },
        efficiency: { rounds: 1, cycles: 3, capBytes: 2 * MiB },
        growth: { rounds: 2, targetBytes: 2 * MiB },
        traces: { rounds: 2, replays: 1 },
    },
};
