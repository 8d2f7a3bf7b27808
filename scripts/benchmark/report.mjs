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

/** The run's duration, as m:ss. */
const duration = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** The two efficiencies of a result, or Talc's score on the capped workload. */
const efficiencyCells = (w, m) => (w.kind === 'capped' ? [`score ${pct(m.heapEfficiency)}`, '']
    : [pct(m.footprintEfficiency), pct(m.memoryEfficiency)]);

/** The full text report: per workload its table and the matrix of ratios, then the goals. */
export function textReport(result) {
    const out = [`Allocator benchmark: ${describeRun(result.meta)}`, ''];
    out.push('Modules:');
    for (const m of result.modules) {
        out.push(`  ${m.name}: ${m.path} (${m.bytes.toLocaleString('en-US')} bytes; malloc ${m.minAlign}-aligned; `
            + `over-aligned requests by ${m.alignedBy})`);
    }
    out.push('', 'footprint = peak live requested bytes / end of the highest block handed out; '
        + 'memory = peak live requested bytes / memory at the end', '');
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
                return [n, `error: ${r.error}`, '', '', '', '', '', '', '', ''];
            }
            const m = r.memory;
            return [n, fixed(r.rate.median), fixed(r.rate.min), fixed(r.rate.max), mib(m.peakBytes), m.growCalls,
                ...efficiencyCells(w, m), m.failures, m.traps];
        });
        out.push(table(['module', 'median', 'min', 'max', 'peak MiB', 'grows', 'footprint', 'memory', 'failed', 'trapped'], rows));
        if (w.kind === 'latency') {
            out.push('  call times, ns (clock cost subtracted):');
            out.push(table(LATENCY_HEAD, latencyRows(w, names)));
        }
        const done = names.filter((n) => w.ratios[n]);
        if (done.length > 1) {
            out.push('  ratios of median rates (row / column):');
            out.push(table(['', ...done.map((_, i) => `[${i + 1}]`)],
                done.map((a, i) => [`[${i + 1}] ${a}`, ...done.map((b) => fixed(w.ratios[a][b]))])));
        }
        out.push('');
    }
    for (const t of memoryTables(result)) {
        out.push(`${t.title}:`, table(t.head, t.rows), '');
    }
    out.push(...goalLines(result.summary), ...comparisonLines(result.summary));
    if (result.meta.seconds !== undefined) {
        out.push(`The run took ${duration(result.meta.seconds)} (preset ${result.meta.preset}).`, '');
    }
    return out.join('\n');
}

const LATENCY_HEAD = ['module', 'alloc p1', 'p25', 'p50', 'p75', 'p99', 'free p1', 'p25', 'p50', 'p75', 'p99'];

function latencyRows(w, names) {
    return names.filter((n) => w.results[n].latency).map((n) => {
        const { alloc, free } = w.results[n].latency;
        return [n, ...['p1', 'p25', 'p50', 'p75', 'p99'].map((p) => fixed(alloc[p], 0)),
            ...['p1', 'p25', 'p50', 'p75', 'p99'].map((p) => fixed(free[p], 0))];
    });
}

/**
 * The efficiencies on the traces (and Talc's score) per module, with the best peer's last, as
 * [{title, head, rows}]; none without traces.
 */
function memoryTables(result) {
    const names = result.modules.map((m) => m.name);
    const traces = result.workloads.filter((w) => w.id.startsWith('trace:'));
    if (traces.length === 0) {
        return [];
    }
    const capped = result.workloads.filter((w) => w.kind === 'capped');
    const tableOf = (title, shown, key) => {
        const figure = (w) => (w.kind === 'capped' ? 'heapEfficiency' : key);
        const best = (w) => result.summary.best[w.id][w.kind === 'capped' ? 'score' : key === 'footprintEfficiency' ? 'footprint' : 'memory'];
        return {
            title,
            head: ['module', ...shown.map((w) => (w.kind === 'capped' ? `${w.id} (score)` : w.id.slice('trace:'.length)))],
            rows: [
                ...names.map((n) => [n, ...shown.map((w) => (w.results[n].memory ? pct(w.results[n].memory[figure(w)]) : 'error'))]),
                ['best peer', ...shown.map((w) => (best(w) ? pct(best(w).value) : '-'))],
            ],
        };
    };
    return [
        tableOf('Footprint efficiency (peak live / end of the highest block) on the traces, and Talc\'s heap-efficiency score',
            [...traces, ...capped], 'footprintEfficiency'),
        tableOf('Memory efficiency (peak live / memory at the end) on the traces', traces, 'memoryEfficiency'),
    ];
}

const MARK = { true: 'met', false: 'NOT met', null: 'n/a' };

function goalLines(summary) {
    const out = [];
    if (summary.peers.length === 0) {
        out.push('No peers in this run: the goals against the best peer are not measured.');
    }
    if (summary.peers.length > 0) {
        out.push(`Peers: ${summary.peers.join(', ')}; each goal against the best of them on each workload.`);
    }
    for (const { module, goals } of summary.modules) {
        out.push(`Goals of ${module}:`);
        for (const g of goals) {
            out.push(`  [${MARK[g.met]}] ${g.what}: ${g.value} (goal: ${g.goal})`);
        }
    }
    return [...out, ''];
}

function comparisonLines(summary) {
    const out = [];
    for (const c of summary.comparisons) {
        out.push(`${c.module} against ${c.old}: speed new / old, efficiencies new - old in points`);
        out.push(table(['workload', 'speed', 'footprint', 'memory'], c.workloads.map((w) => [w.id, `${fixed(w.speed)}x`,
            signedPoints(w.footprint), signedPoints(w.memory)])), '');
    }
    return out;
}

const signedPoints = (x) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${fixed(100 * x, 1)}`);

/**
 * The Markdown report (for README_WASM.md): speeds, memory and efficiencies per workload and
 * module, latency percentiles, and the goals; `charts` are SVG file names to show.
 */
export function markdownReport(result, charts) {
    const { summary } = result;
    const reference = summary.reference.module;
    const names = result.modules.map((m) => m.name);
    // In the speed table, the units that differ, and the workload whose loop is the metered one.
    const note = (w) => (w.unit === 'actions/µs' ? ' (actions/µs)'
        : w.kind === 'capped' ? ' (metered calls from JS)' : w.kind === 'latency' ? ' (timed calls from JS)' : '');
    const row = (w, cell, speed = false) => [`${w.title}${speed ? note(w) : ''}`, ...names.map((n) => {
        const r = w.results[n];
        return r?.error !== undefined ? 'error' : cell(r, n);
    })];
    const vsPeer = (w) => {
        const s = summary.reference.workloads.find((x) => x.id === w.id)?.speed;
        return s ? `${fixed(s.ratio)}x` : '-';
    };
    const out = [];
    out.push(`Measured ${describeRun(result.meta)}.`, '');
    out.push(`**Speed**, median over rounds, million operations per second (= operations per µs); the last column is `
        + `${reference} over the fastest peer.`, '');
    out.push(markdownTable(['workload', ...names, `${reference} / best peer`],
        result.workloads.map((w) => [...row(w, (r) => fixed(r.rate.median), true), vsPeer(w)])));
    const traces = summary.reference.traces;
    if (traces) {
        out.push('', `Geometric mean over the trace replays: ${names.filter((n) => summary.traceMeans[n])
            .map((n) => `${n} ${fixed(summary.traceMeans[n])}`).join(', ')}; ${reference} / best peer `
            + `(${traces.bestPeer}) = ${fixed(traces.ratio)}x.`);
    }
    out.push('', '**Peak memory**, MiB, with the number of `memory.grow` calls in parentheses (one metered run per module; '
        + 'a trace: one replay on a fresh instance):', '');
    out.push(markdownTable(['workload', ...names], result.workloads.map((w) => row(w, (r) => `${mib(r.memory.peakBytes)} (${r.memory.growCalls})`))));
    const measured = result.workloads.filter((w) => w.kind !== 'capped');
    out.push('', '**Footprint efficiency**, peak live requested bytes / the end of the highest block handed out '
        + '(for Talc\'s heap-efficiency workload, its own score: mean live requested bytes at the first failure / the cap):', '');
    out.push(markdownTable(['workload', ...names], result.workloads.map((w) => row(w, (r) => pct(w.kind === 'capped'
        ? r.memory.heapEfficiency : r.memory.footprintEfficiency)))));
    out.push('', '**Memory efficiency**, peak live requested bytes / `memory.buffer.byteLength` at the end:', '');
    out.push(markdownTable(['workload', ...names], measured.map((w) => row(w, (r) => pct(r.memory.memoryEfficiency)))));
    const latency = result.workloads.find((w) => w.kind === 'latency');
    if (latency) {
        out.push('', '**Call times**, ns, per call of Talc\'s microbenchmark (the cost of reading the clock subtracted; '
            + 'p99 includes the calls that grew memory):', '');
        out.push(markdownTable(LATENCY_HEAD, latencyRows(latency, names)));
    }
    for (const { module, goals } of summary.modules) {
        out.push('', `**Goals** of ${module}:`, '');
        for (const g of goals) {
            out.push(`- ${g.met === false ? '**not met**' : MARK[g.met]}: ${g.what}: ${g.value} (goal: ${g.goal})`);
        }
    }
    for (const c of summary.comparisons) {
        out.push('', `**${c.module} against ${c.old}**: speed new / old, efficiencies new - old in points:`, '');
        out.push(markdownTable(['workload', 'speed', 'footprint', 'memory'], c.workloads.map((w) => [w.id, `${fixed(w.speed)}x`,
            signedPoints(w.footprint), signedPoints(w.memory)])));
    }
    if (charts.length > 0) {
        out.push('');
        for (const c of charts) {
            out.push(`![${c.title}](${c.file})`);
        }
    }
    return out.join('\n') + '\n';
}
