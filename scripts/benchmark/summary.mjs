// This project's modules against the peers, and the project's goals, from a suite result.
//
// Peers are the modules that are not ours (modules.mjs, isOurs): variants of talc.wasm and
// older builds are compared with the peers, never counted as the peer to beat. Every goal is
// judged against the best peer of the same run, workload by workload:
//
// - talc-fast (a module named talc-fast*): at least FAST_SPEEDUP x the fastest peer on Talc's
//   alloc/free benchmark, with realloc, and on the geometric mean of the trace replays; its
//   footprint efficiency at most FAST_FOOTPRINT_GIVE below talc's (the module of the same name
//   without "-fast") on every trace.
// - every other module of ours: at least TLSF_SPEEDUP x AssemblyScript's TLSF (the faster as-tlsf-*)
//   on every workload; footprint efficiency at least the best peer's on every trace, and Talc's
//   heap-efficiency score at least the best peer's; memory efficiency at most MEMORY_POINTS
//   below the best peer's on every trace.
// - both: at most GROWTH_CALLS memory.grow calls until GROWTH_BYTES are live (the growth
//   workload), and the k+1 rule (a fresh instance grows at most k + 1 pages for a request of
//   k pages); with an older build in the run (named <module>-old), at least NO_LOSS x its speed
//   on every workload.

import { MiB } from './ops.mjs';
import { isOurs } from './modules.mjs';
import { geomean } from './stats.mjs';

export const GOALS = {
    FAST_SPEEDUP: 1.3,
    TLSF_SPEEDUP: 1.0,
    FAST_FOOTPRINT_GIVE: 0.02,
    MEMORY_POINTS: 0.03,
    GROWTH_CALLS: 40,
    GROWTH_BYTES: 64 * MiB,
    NO_LOSS: 0.97,
};

/** The suffix of an older build's name: talc-old is the build that talc replaces. */
export const OLD = '-old';

const ok = (r) => r?.rate !== undefined;
const isTrace = (w) => w.id.startsWith('trace:');
const isFast = (name) => name.startsWith('talc-fast');
const points = (x) => `${(100 * x).toFixed(1)}`;

/**
 * x with `digits` decimals, or with more where that many would print it equal to `than` although
 * it is not (a ratio of 1.2996 against a goal of 1.3 reads 1.2996, not 1.30).
 */
function beside(x, than, digits) {
    let d = digits;
    while (d < digits + 4 && x !== than && Number(x.toFixed(d)) === Number(than.toFixed(d))) {
        d++;
    }
    return x.toFixed(d);
}
/** `own` and `theirs` as percentages, told apart. */
const pcts = (own, theirs) => `${beside(100 * own, 100 * theirs, 1)}% vs ${beside(100 * theirs, 100 * own, 1)}%`;

/**
 * {reference, peers, traceMeans, best, modules: [{module, goals}], comparisons}, where
 * reference = {module, workloads: [{id, speed: {ratio, bestPeer}}], traces: {ratio, bestPeer}}
 * is the first module against the fastest peers; best = per workload id the best peer's figures
 * (bestPeers); modules = the goals of each module of ours that is not an older build;
 * comparisons = [{module, old, workloads: [{id, speed, footprint, memory}]}] per module with
 * an older build in the run (speed: new / old; footprint, memory: new - old).
 */
export function summarizeSuite(suite, names) {
    const peers = names.filter((n) => !isOurs(n));
    const traceMeans = traceGeomeans(suite, names);
    const best = Object.fromEntries(suite.workloads.map((w) => [w.id, bestPeers(w, peers)]));
    const ctx = { suite, names, peers, traceMeans, best };
    const [reference] = names;
    const ours = names.filter((n) => isOurs(n) && !n.endsWith(OLD));
    return {
        reference: {
            module: reference,
            workloads: suite.workloads.map((w) => ({ id: w.id, speed: speedOver(w, reference, best[w.id].speed) })),
            traces: traceRatio(ctx, reference),
        },
        peers,
        traceMeans,
        best,
        modules: ours.map((module) => ({ module, goals: goalsOf(ctx, module) })),
        comparisons: ours.filter((n) => names.includes(n + OLD)).map((n) => compare(suite, n, n + OLD)),
    };
}

/** Per module that replayed every trace, the geometric mean of its trace replays' rates. */
function traceGeomeans(suite, names) {
    const traceRuns = suite.workloads.filter(isTrace);
    return Object.fromEntries(names
        .filter((n) => traceRuns.length > 0 && traceRuns.every((w) => ok(w.results[n])))
        .map((n) => [n, geomean(traceRuns.map((w) => w.results[n].rate.median))]));
}

/**
 * The best peer of workload `w` at each figure, as {peer, value} (null when no peer has it):
 * speed (median rate), tlsf (the faster as-tlsf-*), footprint and memory (efficiencies),
 * score (Talc's heap efficiency, on the capped workload).
 */
function bestPeers(w, peers) {
    const done = peers.filter((p) => ok(w.results[p]));
    const bestBy = (candidates, f) => {
        const have = candidates.filter((p) => Number.isFinite(f(w.results[p])));
        if (have.length === 0) {
            return null;
        }
        const peer = have.reduce((a, b) => (f(w.results[b]) > f(w.results[a]) ? b : a));
        return { peer, value: f(w.results[peer]) };
    };
    return {
        speed: bestBy(done, (r) => r.rate.median),
        tlsf: bestBy(done.filter((p) => p.startsWith('as-tlsf')), (r) => r.rate.median),
        footprint: bestBy(done, (r) => r.memory?.footprintEfficiency),
        memory: bestBy(done, (r) => r.memory?.memoryEfficiency),
        score: bestBy(done, (r) => r.memory?.heapEfficiency),
    };
}

/** {ratio, bestPeer} of `module`'s median rate on `w` over `best` ({peer, value}), or null. */
function speedOver(w, module, best) {
    return ok(w.results[module]) && best ? { ratio: w.results[module].rate.median / best.value, bestPeer: best.peer } : null;
}

/** {ratio, bestPeer} of `module`'s trace geomean over the fastest peer's, or null. */
function traceRatio({ peers, traceMeans }, module) {
    const candidates = peers.filter((p) => p in traceMeans);
    if (!(module in traceMeans) || candidates.length === 0) {
        return null;
    }
    const bestPeer = candidates.reduce((a, b) => (traceMeans[b] > traceMeans[a] ? b : a));
    return { ratio: traceMeans[module] / traceMeans[bestPeer], bestPeer };
}

/** A goal judged on some workloads: the ones that miss it, or the closest margin when none does. */
function everyWorkload(what, goal, checks) {
    if (checks.length === 0) {
        return { what, goal, value: 'not measured in this run', met: null };
    }
    const missed = checks.filter((c) => c.margin < 0);
    if (missed.length > 0) {
        return { what, goal, value: `missed on ${missed.map((c) => `${c.id} (${c.text})`).join(', ')}`, met: false };
    }
    const closest = checks.reduce((a, b) => (b.margin < a.margin ? b : a));
    return { what, goal, value: `closest ${closest.id} (${closest.text})`, met: true };
}

function goalsOf(ctx, module) {
    const goals = isFast(module) ? fastGoals(ctx, module) : defaultGoals(ctx, module);
    goals.push(growthGoal(ctx, module), largeRequestGoal(ctx, module));
    if (ctx.names.includes(module + OLD)) {
        goals.push(noLossGoal(ctx, module, module + OLD));
    }
    return goals;
}

function fastGoals(ctx, module) {
    const { suite, best } = ctx;
    const goals = [];
    const speedGoal = (what, s) => ({
        what: `speed ${what}`,
        goal: `>= ${GOALS.FAST_SPEEDUP}x the best peer`,
        value: s ? `${beside(s.ratio, GOALS.FAST_SPEEDUP, 2)}x ${s.bestPeer}` : 'not measured in this run',
        met: s ? s.ratio >= GOALS.FAST_SPEEDUP : null,
    });
    for (const [id, what] of [['talc', 'on Talc\'s alloc/free benchmark'], ['talc-realloc', 'on Talc\'s benchmark with realloc']]) {
        const w = suite.workloads.find((x) => x.id === id);
        goals.push(speedGoal(what, w ? speedOver(w, module, best[id].speed) : null));
    }
    goals.push(speedGoal('on the geometric mean of the trace replays', traceRatio(ctx, module)));
    const talc = module.replace('talc-fast', 'talc');
    const traces = suite.workloads.filter((w) => isTrace(w) && ctx.names.includes(talc));
    goals.push(everyWorkload(`footprint efficiency against ${talc}'s, on every trace`,
        `at most ${points(GOALS.FAST_FOOTPRINT_GIVE)} points below`,
        traces.filter((w) => ok(w.results[module]) && ok(w.results[talc])).map((w) => {
            const own = w.results[module].memory.footprintEfficiency;
            const theirs = w.results[talc].memory.footprintEfficiency;
            return { id: w.id, margin: own - theirs + GOALS.FAST_FOOTPRINT_GIVE, text: pcts(own, theirs) };
        })));
    return goals;
}

function defaultGoals(ctx, module) {
    const { suite, best } = ctx;
    const measured = (w) => ok(w.results[module]);
    const vs = (own, b) => `${pcts(own, b.value)} ${b.peer}`;
    const speed = suite.workloads.filter((w) => measured(w) && best[w.id].tlsf).map((w) => {
        const s = speedOver(w, module, best[w.id].tlsf);
        return { id: w.id, margin: s.ratio - GOALS.TLSF_SPEEDUP, text: `${beside(s.ratio, GOALS.TLSF_SPEEDUP, 2)}x ${s.bestPeer}` };
    });
    const traces = suite.workloads.filter((w) => isTrace(w) && measured(w));
    const footprint = traces.filter((w) => best[w.id].footprint).map((w) => {
        const own = w.results[module].memory.footprintEfficiency;
        return { id: w.id, margin: own - best[w.id].footprint.value, text: vs(own, best[w.id].footprint) };
    });
    const score = suite.workloads.filter((w) => w.kind === 'capped' && measured(w) && best[w.id].score).map((w) => {
        const own = w.results[module].memory.heapEfficiency;
        return { id: w.id, margin: own - best[w.id].score.value, text: `Talc's score ${vs(own, best[w.id].score)}` };
    });
    const memory = traces.filter((w) => best[w.id].memory).map((w) => {
        const own = w.results[module].memory.memoryEfficiency;
        return { id: w.id, margin: own - best[w.id].memory.value + GOALS.MEMORY_POINTS, text: vs(own, best[w.id].memory) };
    });
    return [
        everyWorkload('speed against AssemblyScript\'s TLSF (the faster as-tlsf-*), on every workload',
            `>= ${GOALS.TLSF_SPEEDUP.toFixed(1)}x`, speed),
        everyWorkload('footprint efficiency (peak live / end of the highest block), on every trace and on Talc\'s '
            + 'heap-efficiency score', '>= the best peer\'s', [...footprint, ...score]),
        everyWorkload('memory efficiency (peak live / memory at the end), on every trace',
            `at most ${points(GOALS.MEMORY_POINTS)} points below the best peer's`, memory),
    ];
}

function growthGoal({ suite }, module) {
    const w = suite.workloads.find((x) => x.id === 'growth');
    const what = `memory.grow calls until ${GOALS.GROWTH_BYTES / MiB} MiB are live (growth workload)`;
    const goal = `<= ${GOALS.GROWTH_CALLS}`;
    const filled = w?.results[module]?.memory?.marks?.filled;
    if (!filled) {
        return { what, goal, value: 'not measured in this run', met: null };
    }
    if (w.growthBytes !== GOALS.GROWTH_BYTES) {
        return { what, goal, value: `not judged: this preset grows to ${w.growthBytes / MiB} MiB (${filled.growCalls} calls)`, met: null };
    }
    return { what, goal, value: String(filled.growCalls), met: filled.growCalls <= GOALS.GROWTH_CALLS };
}

function largeRequestGoal({ suite }, module) {
    const what = 'pages grown by a fresh instance for one request of k pages or k pages - 16 bytes (the k+1 rule)';
    const goal = '<= k + 1';
    const probe = suite.largeRequests?.[module];
    if (!probe) {
        return { what, goal, value: 'not measured in this run', met: null };
    }
    if (probe.error) {
        return { what, goal, value: probe.error, met: false };
    }
    const { k, bytes, grownPages } = probe.worst;
    return { what, goal, value: `k + ${probe.excess} at worst (k = ${k}: ${grownPages} page${grownPages === 1 ? '' : 's'} for ${bytes} bytes)`, met: probe.excess <= 1 };
}

function noLossGoal({ suite }, module, old) {
    const checks = suite.workloads.filter((w) => ok(w.results[module]) && ok(w.results[old])).map((w) => {
        const ratio = w.results[module].rate.median / w.results[old].rate.median;
        return { id: w.id, margin: ratio - GOALS.NO_LOSS, text: `${beside(ratio, GOALS.NO_LOSS, 2)}x` };
    });
    return everyWorkload(`speed against ${old} (the older build), on every workload`, `>= ${GOALS.NO_LOSS}x`, checks);
}

/** A module against its older build, workload by workload. */
function compare(suite, module, old) {
    const both = suite.workloads.filter((w) => ok(w.results[module]) && ok(w.results[old]));
    const diff = (w, key) => {
        const [a, b] = [w.results[module].memory?.[key], w.results[old].memory?.[key]];
        return Number.isFinite(a) && Number.isFinite(b) ? a - b : null;
    };
    return {
        module,
        old,
        workloads: both.map((w) => ({
            id: w.id,
            speed: w.results[module].rate.median / w.results[old].rate.median,
            footprint: diff(w, 'footprintEfficiency') ?? diff(w, 'heapEfficiency'),
            memory: diff(w, 'memoryEfficiency'),
        })),
    };
}
