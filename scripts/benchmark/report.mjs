// Text and Markdown renderings of a suite result (suite.mjs) and its summary (summary.mjs).

const MiB = 1024 * 1024;

const fixed = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const value = (v) => (typeof v !== 'number' ? v : Number.isInteger(v) ? String(v) : fixed(v));
const mib = (bytes) => fixed(bytes / MiB, 2);
const pct = (x) => `${fixed(100 * x, 1)}%`;

/** An indented plain-text table: the first column left-aligned, the others right-aligned. */
function table(head, rows) {
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const line = (cells) => `  ${cells.map((c, i) => (i > 0 ? String(c).padStart(width[i]) : String(c).padEnd(width[i]))).join('  ')}`;
    return [line(head), ...rows.map(line)].join('\n');
}

function markdownTable(head, rows) {
    return [
        `| ${head.join(' | ')} |`,
        `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
        ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
}

/** One line on where and when. */
export function describeRun(meta) {
    return `${meta.date}, ${meta.runtime}, ${meta.machine}, preset ${meta.preset}`;
}

/** The full text report: per workload its table and the matrix of ratios, then the targets. */
export function textReport(result) {
    const out = [`Allocator benchmark: ${describeRun(result.meta)}`, ''];
    out.push('Modules:');
    for (const m of result.modules) {
        out.push(`  ${m.name}: ${m.path} (${m.bytes.toLocaleString('en-US')} bytes; malloc ${m.minAlign}-aligned; `
            + `over-aligned requests by ${m.alignedBy})`);
    }
    out.push('');
    for (const w of result.workloads) {
        out.push(`${w.title} [${w.id}], ${w.unit}`, `  ${w.about}`);
        if (w.trace) {
            const d = w.trace.dropped;
            out.push(`  trace: ${w.trace.operations.toLocaleString('en-US')} operations, ${w.trace.liveAtEnd} blocks live at its end; `
                + `dropped: ${d.unknownFree} frees of unknown blocks, ${d.tooBig} requests >= 2 GiB, ${d.failedRealloc} failed reallocs`);
        }
        const names = Object.keys(w.results);
        const rows = names.map((n) => {
            const r = w.results[n];
            if (r.error !== undefined) {
                return [n, `error: ${r.error}`, '', '', '', '', '', '', ''];
            }
            const m = r.memory;
            return [n, fixed(r.rate.median), fixed(r.rate.min), fixed(r.rate.max), mib(m.peakBytes), m.growCalls,
                pct(m.efficiency), m.failures, m.traps];
        });
        out.push(table(['module', 'median', 'min', 'max', 'peak MiB', 'grows', 'efficiency', 'failed', 'trapped'], rows));
        if (w.kind === 'latency') {
            const lat = names.filter((n) => w.results[n].latency).map((n) => {
                const { alloc, free } = w.results[n].latency;
                return [n, ...['p1', 'p25', 'p50', 'p75', 'p99'].map((p) => fixed(alloc[p], 0)),
                    ...['p1', 'p25', 'p50', 'p75', 'p99'].map((p) => fixed(free[p], 0))];
            });
            out.push('  call times, ns (clock cost subtracted):');
            out.push(table(['module', 'alloc p1', 'p25', 'p50', 'p75', 'p99', 'free p1', 'p25', 'p50', 'p75', 'p99'], lat));
        }
        const done = names.filter((n) => w.ratios[n]);
        if (done.length > 1) {
            out.push('  ratios of median rates (row / column):');
            out.push(table(['', ...done.map((_, i) => `[${i + 1}]`)],
                done.map((a, i) => [`[${i + 1}] ${a}`, ...done.map((b) => fixed(w.ratios[a][b]))])));
        }
        out.push('');
    }
    out.push(...targetLines(result.summary), '');
    return out.join('\n');
}

/** The targets of the reference, then of the project's other modules in the run: [{module, targets}]. */
function targetsByModule(summary) {
    return [{ module: summary.reference, targets: summary.targets }, ...summary.others];
}

function targetLines(summary) {
    if (summary.peers.length === 0) {
        return [`${summary.reference}: no peers to compare with`];
    }
    const out = [];
    for (const { module, targets } of targetsByModule(summary)) {
        out.push(`${module} against its peers (${summary.peers.join(', ')}):`);
        for (const t of targets) {
            out.push(`  [${t.met ? 'met' : 'NOT met'}] ${t.what}: ${value(t.value)} (goal ${t.goal})`);
        }
    }
    return out;
}

/**
 * The Markdown report (for README_WASM.md): speeds, memory and efficiency per workload and
 * module, latency percentiles, and the targets; `charts` are SVG file names to show.
 */
export function markdownReport(result, charts) {
    const { summary } = result;
    const names = result.modules.map((m) => m.name);
    // In the speed table, the units that differ, and the workload whose loop is the metered one.
    const note = (w) => (w.unit === 'actions/µs' ? ' (actions/µs)'
        : w.kind === 'capped' ? ' (metered calls from JS)' : w.kind === 'latency' ? ' (timed calls from JS)' : '');
    const row = (w, cell, speed = false) => [`${w.title}${speed ? note(w) : ''}`, ...names.map((n) => {
        const r = w.results[n];
        return r?.error !== undefined ? 'error' : cell(r, n);
    })];
    const vsPeer = (w) => {
        const s = summary.workloads.find((x) => x.id === w.id);
        return s?.speed ? `${fixed(s.speed.ratio)}x` : '-';
    };
    const out = [];
    out.push(`Measured ${describeRun(result.meta)}.`, '');
    out.push(`**Speed**, median over rounds, million operations per second (= operations per µs); the last column is `
        + `${summary.reference} over the fastest peer.`, '');
    out.push(markdownTable(['workload', ...names, `${summary.reference} / best peer`],
        result.workloads.map((w) => [...row(w, (r) => fixed(r.rate.median), true), vsPeer(w)])));
    if (summary.traces.ratio !== undefined) {
        out.push('', `Geometric mean over the trace replays: ${names.filter((n) => summary.traces.geomean[n])
            .map((n) => `${n} ${fixed(summary.traces.geomean[n])}`).join(', ')}; ${summary.reference} / best peer `
            + `(${summary.traces.bestPeer}) = ${fixed(summary.traces.ratio)}x.`);
    }
    out.push('', '**Peak memory**, MiB, with the number of `memory.grow` calls in parentheses (one metered run per module):', '');
    out.push(markdownTable(['workload', ...names], result.workloads.map((w) => row(w, (r) => `${mib(r.memory.peakBytes)} (${r.memory.growCalls})`))));
    out.push('', '**Heap efficiency**, peak live requested bytes / peak memory (for Talc\'s heap-efficiency workload: '
        + 'mean live requested bytes at the first failure / the cap):', '');
    out.push(markdownTable(['workload', ...names], result.workloads.map((w) => row(w, (r) => pct(r.memory.efficiency)))));
    const latency = result.workloads.find((w) => w.kind === 'latency');
    if (latency) {
        out.push('', '**Call times**, ns, per call of Talc\'s microbenchmark (the cost of reading the clock subtracted; '
            + 'p99 includes the calls that grew memory):', '');
        out.push(markdownTable(['module', 'alloc p1', 'p25', 'p50', 'p75', 'p99', 'free p1', 'p25', 'p50', 'p75', 'p99'],
            names.filter((n) => latency.results[n].latency).map((n) => {
                const { alloc, free } = latency.results[n].latency;
                return [n, ...['p1', 'p25', 'p50', 'p75', 'p99'].map((p) => fixed(alloc[p], 0)),
                    ...['p1', 'p25', 'p50', 'p75', 'p99'].map((p) => fixed(free[p], 0))];
            })));
    }
    for (const { module, targets } of targetsByModule(summary)) {
        if (targets.length > 0) {
            out.push('', `**Targets** of issue #4 for ${module}:`, '');
            for (const t of targets) {
                out.push(`- ${t.met ? 'met' : '**not met**'}: ${t.what}: ${value(t.value)} (goal ${t.goal})`);
            }
        }
    }
    if (charts.length > 0) {
        out.push('');
        for (const c of charts) {
            out.push(`![${c.title}](${c.file})`);
        }
    }
    return out.join('\n') + '\n';
}
