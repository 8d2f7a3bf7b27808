// The charts of a suite result: one speed chart per workload (median, whiskers min to max over
// rounds), an overview of speed relative to the reference module, peak memory relative to the
// most frugal module, and call-time percentiles.

import { geomean } from './stats.mjs';
import { barChart } from './svg.mjs';

const fixed = (x, digits = 2) => x.toFixed(digits);

/** [{file, title, svg}] for `result` (main.mjs); the reference module is the first. */
export function charts(result) {
    const names = result.modules.map((m) => m.name);
    const [reference] = names;
    const when = `${result.meta.date.slice(0, 10)}, ${result.meta.runtime}`;
    const out = [];

    const speedRows = result.workloads.filter((w) => w.kind !== 'capped');
    const relative = (w, n) => w.results[n].rate.median / w.results[reference].rate.median;
    const overview = names.filter((n) => speedRows.every((w) => w.results[n].rate && w.results[reference].rate)).map((n) => {
        const ratios = speedRows.map((w) => relative(w, n));
        const g = geomean(ratios);
        return { label: n, value: g, lo: Math.min(...ratios), hi: Math.max(...ratios), highlight: n === reference, note: `${fixed(g)}x` };
    });
    out.push({
        file: 'overview.svg',
        title: `Speed relative to ${reference}`,
        svg: barChart({
            title: `Speed relative to ${reference}, over ${speedRows.length} workloads`,
            subtitle: `bar: geometric mean of the median-rate ratios; whiskers: lowest and highest workload. ${when}`,
            axisLabel: `rate / rate of ${reference}`,
            rows: overview,
            marker: 1,
        }),
    });

    for (const w of result.workloads) {
        const rows = names.filter((n) => w.results[n].rate).map((n) => {
            const { median, min, max } = w.results[n].rate;
            return { label: n, value: median, lo: min, hi: max, highlight: n === reference, note: fixed(median) };
        });
        out.push({
            file: `speed-${w.id.replace(/[^a-z0-9-]/gi, '-')}.svg`,
            title: w.title,
            svg: barChart({
                title: w.title,
                subtitle: `median of ${w.rounds} round(s), whiskers min to max. ${when}`,
                axisLabel: w.unit === 'actions/µs' ? 'actions per µs' : 'million operations per second',
                rows,
            }),
        });
    }

    const measured = result.workloads.filter((w) => names.every((n) => w.results[n].memory));
    const memory = names.map((n) => {
        const ratios = measured.map((w) => w.results[n].memory.peakBytes / Math.min(...names.map((m) => w.results[m].memory.peakBytes)));
        const g = geomean(ratios);
        return { label: n, value: g, lo: Math.min(...ratios), hi: Math.max(...ratios), highlight: n === reference, note: `${fixed(g)}x, max ${fixed(Math.max(...ratios))}x` };
    });
    out.push({
        file: 'memory.svg',
        title: 'Peak memory relative to the most frugal module',
        svg: barChart({
            title: `Peak memory relative to the most frugal module, over ${measured.length} workloads`,
            subtitle: `bar: geometric mean; whiskers: lowest and highest workload. ${when}`,
            axisLabel: 'peak memory / smallest peak memory of the workload',
            rows: memory,
            marker: 1,
        }),
    });

    const latency = result.workloads.find((w) => w.kind === 'latency');
    if (latency) {
        const rows = names.filter((n) => latency.results[n].latency).flatMap((n) => ['alloc', 'free'].map((kind) => {
            const p = latency.results[n].latency[kind];
            return {
                label: `${n} ${kind}`, value: p.p50, lo: p.p25, hi: p.p75, highlight: n === reference, second: kind === 'free',
                note: `p50 ${fixed(p.p50, 0)}, p99 ${fixed(p.p99, 0)} ns`,
            };
        }));
        out.push({
            file: 'latency.svg',
            title: 'Call times',
            svg: barChart({
                title: 'Call times in Talc\'s microbenchmark (alloc, free)',
                subtitle: `bar: median; whiskers: 25th to 75th percentile; clock cost subtracted. ${when}`,
                axisLabel: 'ns per call',
                rows,
            }),
        });
    }
    return out;
}
