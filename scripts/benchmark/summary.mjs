// The reference module against its peers, and the issue's targets (#4), from a suite result.
//
// The reference is the first module; its peers are the modules whose names do not start with
// "talc" (so that variants of this project's module, e.g. talc-counters.wasm, are compared
// with the reference but never count as the peer to beat).

import { geomean } from './stats.mjs';

const TARGET_SPEEDUP = 1.3;
const TARGET_GROWS = 40;
const TARGET_MEMORY = 1.25;

const ok = (r) => r?.rate !== undefined;

/**
 * {reference, peers, workloads: [{id, speed, memory, efficiency}], traces, targets, others}, where
 * speed = reference median / best peer median, memory = reference peak / smallest peer peak,
 * efficiency = {reference, bestPeer}; traces = geometric means of the trace replays' rates;
 * others = the targets of the other modules of this project in the run (e.g. talc-fast), as
 * [{module, targets}], measured against the same peers.
 */
export function summarizeSuite(suite, names) {
    const [reference] = names;
    const peers = names.filter((n) => !n.startsWith('talc'));
    const traceMeans = traceGeomeans(suite, names);
    const own = summarizeModule(suite, peers, traceMeans, reference);
    const others = names.filter((n) => n !== reference && n.startsWith('talc'))
        .map((n) => ({ module: n, targets: summarizeModule(suite, peers, traceMeans, n).targets }));
    return { reference, peers, ...own, others };
}

/** Per module that replayed every trace, the geometric mean of its trace replays' rates. */
function traceGeomeans(suite, names) {
    const traceRuns = suite.workloads.filter((w) => w.id.startsWith('trace:'));
    return Object.fromEntries(names
        .filter((n) => traceRuns.length > 0 && traceRuns.every((w) => ok(w.results[n])))
        .map((n) => [n, geomean(traceRuns.map((w) => w.results[n].rate.median))]));
}

/** {workloads, traces, targets} of `module` against `peers`; `traceMeans` from traceGeomeans. */
function summarizeModule(suite, peers, traceMeans, module) {
    const rows = suite.workloads.map((w) => {
        const ref = w.results[module];
        const done = peers.filter((p) => ok(w.results[p]));
        if (!ok(ref) || done.length === 0) {
            return { id: w.id, error: ref?.error ?? 'no peer finished' };
        }
        const best = maxBy(done, (p) => w.results[p].rate.median);
        const frugal = minBy(done, (p) => w.results[p].memory.peakBytes);
        const efficient = maxBy(done, (p) => w.results[p].memory.efficiency);
        return {
            id: w.id,
            speed: { ratio: ref.rate.median / w.results[best].rate.median, bestPeer: best },
            memory: { ratio: ref.memory.peakBytes / w.results[frugal].memory.peakBytes, frugalPeer: frugal },
            efficiency: { reference: ref.memory.efficiency, bestPeer: efficient, best: w.results[efficient].memory.efficiency },
        };
    });
    const tracePeers = peers.filter((p) => p in traceMeans);
    const traceBest = tracePeers.length > 0 ? maxBy(tracePeers, (p) => traceMeans[p]) : null;
    const traces = {
        geomean: traceMeans,
        ...(module in traceMeans && traceBest ? { ratio: traceMeans[module] / traceMeans[traceBest], bestPeer: traceBest } : {}),
    };
    return { workloads: rows, traces, targets: targets(suite, rows, traces, module) };
}

function targets(suite, rows, traces, reference) {
    const out = [];
    const measured = rows.filter((r) => r.speed);
    if (measured.length === 0) {
        return out;
    }
    for (const id of ['talc', 'talc-realloc']) {
        const r = measured.find((m) => m.id === id);
        if (r) {
            out.push({
                what: `speed on ${id}, over the best peer (${r.speed.bestPeer})`,
                value: r.speed.ratio, goal: `>= ${TARGET_SPEEDUP}`, met: r.speed.ratio >= TARGET_SPEEDUP,
            });
        }
    }
    if (traces.ratio !== undefined) {
        out.push({
            what: `speed, geometric mean over the trace replays, over the best peer (${traces.bestPeer})`,
            value: traces.ratio, goal: `>= ${TARGET_SPEEDUP}`, met: traces.ratio >= TARGET_SPEEDUP,
        });
    }
    const lessEfficient = measured.filter((r) => r.efficiency.reference < r.efficiency.best);
    out.push({
        what: 'heap efficiency at least the best peer\'s, on every workload',
        value: lessEfficient.length === 0 ? 'all' : `below on ${lessEfficient.map((r) => r.id).join(', ')}`,
        goal: 'all', met: lessEfficient.length === 0,
    });
    const growth = suite.workloads.find((w) => w.id === 'growth')?.results[reference]?.memory?.marks?.filled;
    if (growth) {
        out.push({
            what: `memory.grow calls until the growth workload's target is live (${suite.workloads.find((w) => w.id === 'growth').title})`,
            value: growth.growCalls, goal: `<= ${TARGET_GROWS}`, met: growth.growCalls <= TARGET_GROWS,
        });
    }
    const heavy = measured.filter((r) => r.memory.ratio > TARGET_MEMORY);
    out.push({
        what: `peak memory at most ${TARGET_MEMORY}x the most frugal peer's, on every workload`,
        value: heavy.length === 0 ? `max ${Math.max(...measured.map((r) => r.memory.ratio)).toFixed(2)}x`
            : `above on ${heavy.map((r) => `${r.id} (${r.memory.ratio.toFixed(2)}x)`).join(', ')}`,
        goal: `<= ${TARGET_MEMORY}x`, met: heavy.length === 0,
    });
    return out;
}

function maxBy(items, f) {
    return items.reduce((a, b) => (f(b) > f(a) ? b : a));
}

function minBy(items, f) {
    return items.reduce((a, b) => (f(b) < f(a) ? b : a));
}
