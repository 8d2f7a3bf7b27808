// The charts of a suite result: one speed chart per workload (median, whiskers min to max over
// rounds), an overview of speed relative to the reference module, peak memory relative to the
// most frugal module, and call-time percentiles.

import { geomean } from './stats.mjs';
import { barChart } from './svg.mjs';

const fixed = (x, digits = 2) => x.toFixed(digits);

/** [{file, title, svg}] for `result` (main.mjs); the reference module is the first. */
export function charts(result) {
    const names = result.modules.map((m) => m.name);
    const ctx = { result, names, reference: names[0], when: `${result.meta.date.slice(0, 10)}, ${result.meta.runtime}` };
    return [overviewChart(ctx), ...result.workloads.map((w) => speedChart(ctx, w)), memoryChart(ctx), latencyChart(ctx)]
        .filter(Boolean);
}

/** Speed relative to the reference, geometric mean over the workloads with a rate. */
function overviewChart({ result, names, reference, when }) {
    const speedRows = result.workloads.filter((w) => w.kind !== 'capped');
    const relative = (w, n) => w.results[n].rate.median / w.results[reference].rate.median;
    const rows = names.filter((n) => speedRows.every((w) => w.results[n].rate && w.results[reference].rate)).map((n) => {
        const ratios = speedRows.map((w) => relative(w, n));
        const g = geomean(ratios);
        return { label: n, value: g, lo: Math.min(...ratios), hi: Math.max(...ratios), highlight: n === reference, note: `${fixed(g)}x` };
    });
    return {
        file: 'overview.svg',
        title: `Speed relative to ${reference}`,
        svg: barChart({
            title: `Speed relative to ${reference}, over ${speedRows.length} workloads`,
            subtitle: `bar: geometric mean of the median-rate ratios; whiskers: lowest and highest workload. ${when}`,
            axisLabel: `rate / rate of ${reference}`,
            rows,
            marker: 1,
        }),
    };
}

/** One workload's median rates, whiskers min to max. */
function speedChart({ names, reference, when }, w) {
    const rows = names.filter((n) => w.results[n].rate).map((n) => {
        const { median, min, max } = w.results[n].rate;
        return { label: n, value: median, lo: min, hi: max, highlight: n === reference, note: fixed(median) };
    });
    return {
        file: `speed-${w.id.replace(/[^a-z0-9-]/gi, '-')}.svg`,
        title: w.title,
        svg: barChart({
            title: w.title,
            subtitle: `median of ${w.rounds} round(s), whiskers min to max. ${when}`,
            axisLabel: w.unit === 'actions/µs' ? 'actions per µs' : 'million operations per second',
            rows,
        }),
    };
}

/** Peak memory relative to the most frugal module of each workload. */
function memoryChart({ result, names, reference, when }) {
    const measured = result.workloads.filter((w) => names.every((n) => w.results[n].memory));
    const rows = names.map((n) => {
        const ratios = measured.map((w) => w.results[n].memory.peakBytes / Math.min(...names.map((m) => w.results[m].memory.peakBytes)));
        const g = geomean(ratios);
        return { label: n, value: g, lo: Math.min(...ratios), hi: Math.max(...ratios), highlight: n === reference, note: `${fixed(g)}x, max ${fixed(Math.max(...ratios))}x` };
    });
    return {
        file: 'memory.svg',
        title: 'Peak memory relative to the most frugal module',
        svg: barChart({
            title: `Peak memory relative to the most frugal module, over ${measured.length} workloads`,
            subtitle: `bar: geometric mean; whiskers: lowest and highest workload. ${when}`,
            axisLabel: 'peak memory / smallest peak memory of the workload',
            rows,
            marker: 1,
        }),
    };
}

/** Call-time percentiles of the latency workload, or null without it. */
function latencyChart({ result, names, reference, when }) {
    const latency = result.workloads.find((w) => w.kind === 'latency');
    if (!latency) {
        return null;
    }
    const rows = names.filter((n) => latency.results[n].latency).flatMap((n) => ['alloc', 'free'].map((kind) => {
        const p = latency.results[n].latency[kind];
        return {
            label: `${n} ${kind}`, value: p.p50, lo: p.p25, hi: p.p75, highlight: n === reference, second: kind === 'free',
            note: `p50 ${fixed(p.p50, 0)}, p99 ${fixed(p.p99, 0)} ns`,
        };
    }));
    return {
        file: 'latency.svg',
        title: 'Call times',
        svg: barChart({
            title: 'Call times in Talc\'s microbenchmark (alloc, free)',
            subtitle: `bar: median; whiskers: 25th to 75th percentile; clock cost subtracted. ${when}`,
            axisLabel: 'ns per call',
            rows,
        }),
    };
}
