// The benchmark suite (scripts/benchmark, run by scripts/bench) in its smoke preset, on
// talc.wasm and, when ../shared/peers is there, two peers that need the suite's adaptations
// (emmalloc: stub imports, _initialize, aligned_alloc sizes rounded up; AssemblyScript's TLSF:
// no aligned_alloc, traps when memory runs out). It checks that every workload runs and that
// the numbers hang together, never how fast anything is; that the three loops (the wasm driver,
// the latency and the metered loop) make the same calls; then the command line with --json
// (results, charts, bench.md), the trace parser, and the trace recorder (when a C compiler is
// installed) on a small C program whose allocations are known.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { wasmPath } from './talc.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const BENCH = join(ROOT, 'scripts', 'benchmark');
const PEERS = resolve(ROOT, '..', 'shared', 'peers');
const { driver, layOut } = await import(join(BENCH, 'driver.mjs'));
const { loadSubjects } = await import(join(BENCH, 'modules.mjs'));
const { Rng, SeqBuilder, talcAlign } = await import(join(BENCH, 'ops.mjs'));
const { latencyLoop, Meter, runMetered } = await import(join(BENCH, 'runners.mjs'));
const { PRESETS } = await import(join(BENCH, 'presets.mjs'));
const { runSuite } = await import(join(BENCH, 'suite.mjs'));
const { parseTrace, readTrace } = await import(join(BENCH, 'trace.mjs'));
const { summarizeSuite } = await import(join(BENCH, 'summary.mjs'));

const tmp = mkdtempSync(join(tmpdir(), 'talc-bench-'));

// A small trace with every kind of line; 3 blocks are live at its end (ids 1, 4 and 9).
const TINY_TRACE = [
    'a 1 100', 'c 2 4000', 'm 3 64 1000', 'r 1 5 20000', 'f 2', 'r 0 6 7', 'r 6 0 0',
    'a 7 0', 'm 8 4096 10', 'f 3', 'r 5 1 300', 'a 4 65536', 'f 7', 'f 8', 'a 9 12',
].join('\n') + '\n';
const tinyTracePath = join(tmp, 'tiny.trace.gz');
writeFileSync(tinyTracePath, gzipSync(TINY_TRACE));

const peerPaths = ['emcc-emmalloc-Oz.wasm', 'as-tlsf-Oz.wasm'].map((f) => join(PEERS, f)).filter((p) => existsSync(p));
const subjects = loadSubjects([wasmPath('talc.wasm'), ...peerPaths]);
const names = subjects.map((s) => s.name);
const sqlite = readTrace(join(ROOT, 'scripts', 'traces', 'sqlite3.trace.gz'));
const traces = [readTrace(tinyTracePath), sqlite];
const progress = [];
const suite = runSuite({ subjects, preset: PRESETS.smoke, traces, progress: (done, total) => progress.push([done, total]) });
const byId = Object.fromEntries(suite.workloads.map((w) => [w.id, w]));

test('every workload runs on every module', () => {
    assert.deepEqual(Object.keys(byId), ['talc', 'talc-realloc', 'sizes-64', 'sizes-512', 'sizes-4k', 'sizes-64k',
        'latency', 'efficiency', 'growth', 'trace:tiny', 'trace:sqlite3']);
    for (const w of suite.workloads) {
        assert.deepEqual(Object.keys(w.results), names, w.id);
        for (const [name, r] of Object.entries(w.results)) {
            const where = `${w.id} on ${name}`;
            assert.equal(r.error, undefined, where);
            assert.equal(r.samples.length, w.rounds, where);
            assert.ok(r.samples.every((x) => Number.isFinite(x) && x > 0), where);
            assert.ok(r.rate.min <= r.rate.median && r.rate.median <= r.rate.max, where);
            const m = r.memory;
            for (const key of ['initialBytes', 'peakBytes', 'growCalls', 'peakLiveBytes', 'failures', 'traps']) {
                assert.ok(Number.isInteger(m[key]) && m[key] >= 0, `${where}: ${key} ${m[key]}`);
            }
            assert.ok(m.peakBytes >= m.initialBytes && m.peakBytes % 65536 === 0, where);
            assert.ok(m.efficiency > 0 && m.efficiency <= 1, `${where}: efficiency ${m.efficiency}`);
            if (w.kind !== 'capped') {
                assert.equal(m.failures, 0, where);
                assert.equal(m.traps, 0, where);
                assert.ok(m.peakLiveBytes <= m.peakBytes, where);
            }
        }
    }
    const [last] = progress.slice(-1);
    assert.ok(last[0] === last[1] && progress.length === last[1], 'progress reaches its total once per step');
});

test('the ratios are the quotients of the medians', () => {
    for (const w of suite.workloads) {
        for (const a of names) {
            assert.equal(w.ratios[a][a], 1);
            for (const b of names) {
                assert.ok(Math.abs(w.ratios[a][b] - w.results[a].rate.median / w.results[b].rate.median) < 1e-12);
                assert.ok(Math.abs(w.ratios[a][b] * w.ratios[b][a] - 1) < 1e-9);
            }
        }
    }
});

test('trace replay leaves live exactly the blocks the trace leaves live', () => {
    for (const w of [byId['trace:tiny'], byId['trace:sqlite3']]) {
        for (const [name, r] of Object.entries(w.results)) {
            const { counted } = r.memory.marks;
            assert.equal(counted.live, w.trace.liveAtEnd, `${w.id} on ${name}`);
            assert.equal(counted.expectedLive, w.trace.liveAtEnd, `${w.id} on ${name}`);
        }
    }
    assert.equal(byId['trace:tiny'].trace.liveAtEnd, 3);
    assert.equal(byId['trace:sqlite3'].trace.liveAtEnd, sqlite.stats.liveAtEnd);
});

test('latency percentiles, the capped workload and the growth mark', () => {
    for (const name of names) {
        const { alloc, free, clockNs } = byId.latency.results[name].latency;
        assert.ok(clockNs >= 0);
        for (const p of [alloc, free]) {
            const v = [p.p1, p.p25, p.p50, p.p75, p.p99];
            assert.ok(v.every(Number.isFinite) && v.every((x, i) => i === 0 || x >= v[i - 1]), `${name}: ${v}`);
        }
        const capped = byId.efficiency.results[name].memory;
        assert.ok(capped.peakBytes <= byId.efficiency.capBytes, `${name} grew past the cap`);
        assert.equal(capped.failures, PRESETS.smoke.efficiency.cycles, 'one failure ends each cycle');
        const { filled } = byId.growth.results[name].memory.marks;
        assert.ok(filled.growCalls > 0 && filled.live === filled.expectedLive, name);
    }
});

test('the wasm driver, the latency loop and the metered loop make the same calls', () => {
    // Every kind of operation, realloc to a new slot included, and no final frees, so that the
    // blocks left live can be compared: each allocator is deterministic, so the same calls give
    // the same pointers.
    const rng = new Rng(42);
    const b = new SeqBuilder();
    for (let i = 0; i < 3000; i++) {
        const action = b.liveCount < 20 ? 0 : rng.below(5);
        if (action === 0) {
            b.aligned(talcAlign(rng), rng.range(1, 5000));
        } else if (action === 1) {
            b.malloc(rng.range(0, 300));
        } else if (action === 2) {
            b.calloc(rng.range(1, 2000));
        } else if (action === 3) {
            b.free(b.randomLive(rng));
        } else {
            b.realloc(b.randomLive(rng), rng.range(1, 9000));
        }
    }
    const seq = b.build();
    for (const s of subjects) {
        const layout = layOut([seq]);
        driver(s, s.instantiate(), layout)(0);
        const byDriver = new Int32Array(layout.memory.buffer, layout.slotsBase, seq.slots);

        const byLatencyLoop = new Int32Array(seq.slots);
        const times = new Float64Array(seq.length);
        latencyLoop(s.instantiate(), s.minAlign)(seq.ops, 0, seq.length, byLatencyLoop, times, times);

        const inst = s.instantiate();
        const meter = new Meter(inst.memory);
        const byMeteredLoop = new Int32Array(seq.slots);
        runMetered(inst, s.minAlign, seq, 0, seq.length, byMeteredLoop, new Float64Array(seq.slots), meter);

        assert.equal(meter.live, b.liveCount, s.name);
        assert.deepEqual([...byDriver], [...byMeteredLoop], `${s.name}: driver`);
        assert.deepEqual([...byLatencyLoop], [...byMeteredLoop], `${s.name}: latency loop`);
    }
});

test('the summary measures every module of this project against the peers, never against each other', () => {
    // Rates per module on two workloads; talc-fast is faster than talc but is no peer.
    const rates = { talc: [10, 20], 'talc-fast': [13, 30], peer: [8, 25] };
    const result = (n, i) => ({
        rate: { median: rates[n][i] },
        memory: { peakBytes: 1 << 20, efficiency: 0.9, growCalls: 1 },
    });
    const suite = {
        workloads: ['talc', 'trace:x'].map((id, i) => ({
            id, title: id, results: Object.fromEntries(Object.keys(rates).map((n) => [n, result(n, i)])),
        })),
    };
    const summary = summarizeSuite(suite, ['talc', 'talc-fast', 'peer']);
    assert.deepEqual(summary.peers, ['peer']);
    const speed = (targets) => targets.find((t) => t.what.startsWith('speed on talc,')).value;
    const traces = (targets) => targets.find((t) => t.what.includes('trace replays')).value;
    // The trace ratio is of geometric means, computed through logarithms.
    const near = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);
    assert.equal(speed(summary.targets), 10 / 8);
    near(traces(summary.targets), 20 / 25);
    assert.deepEqual(summary.others.map((o) => o.module), ['talc-fast']);
    assert.equal(speed(summary.others[0].targets), 13 / 8);
    near(traces(summary.others[0].targets), 30 / 25);
});

test('the command line writes the results, the charts and bench.md', () => {
    const json = join(tmp, 'out', 'results.json');
    const run = spawnSync(process.execPath, [join(BENCH, 'main.mjs'), '--smoke', '--only', 'talc,latency,trace',
        '--traces', tinyTracePath, '--json', json, wasmPath('talc.wasm'), ...peerPaths], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Talc's wasm benchmark, alloc\/free 50\/50 \[talc\]/);
    if (peerPaths.length > 0) {
        // The peers' summary needs peers: ../shared/peers is beside the repository in CI, not in every clone.
        assert.match(run.stdout, /against its peers/);
    }
    const result = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(result.workloads.map((w) => w.id), ['talc', 'talc-realloc', 'latency', 'trace:tiny']);
    assert.deepEqual(result.modules.map((m) => m.name), names);
    assert.ok(Array.isArray(result.summary.targets) && result.summary.targets.length > 0);
    for (const file of ['overview.svg', 'memory.svg', 'latency.svg', 'speed-talc.svg', 'speed-trace-tiny.svg']) {
        const svg = readFileSync(join(tmp, 'out', file), 'utf8');
        assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, file);
        assert.match(svg, /<\/svg>\n$/, file);
    }
    const md = readFileSync(join(tmp, 'out', 'bench.md'), 'utf8');
    assert.match(md, /\*\*Speed\*\*/);
    assert.match(md, /!\[.*\]\(speed-talc\.svg\)/);
});

test('the trace parser', () => {
    const { seq, stats } = parseTrace('a 1 10\na 2 20\nf 9\na 1 30\nr 2 3 40\nr 0 4 5\nr 4 0 0\nr 3 0 50\nm 5 4096 3000000000\n');
    assert.deepEqual(stats.dropped, { unknownFree: 1, tooBig: 1, failedRealloc: 1 });
    assert.equal(stats.reusedId, 1, 'a second "a 1" means the first block was freed unseen');
    assert.equal(stats.liveAtEnd, 2);
    assert.equal(seq.length - seq.counted, 2, 'the blocks left live are freed after the counted operations');
    assert.throws(() => parseTrace('a 1\n'), /not a trace line/);
    assert.throws(() => parseTrace('x 1 2\n'), /not a trace line/);
    assert.throws(() => parseTrace('a 1 -5\n'), /not a size/);
});

const compiler = spawnSync('cc', ['--version']).status === 0;

test('the trace recorder records a small program', { skip: !compiler && 'no C compiler (cc)' }, () => {
    const source = join(tmp, 'program.c');
    writeFileSync(source, `#include <stdlib.h>
int main(void) {
    void *a = malloc(100);
    void *b = calloc(10, 30);
    void *c = aligned_alloc(64, 640);
    void *d = NULL;
    if (posix_memalign(&d, 128, 1000) != 0) return 1;
    a = realloc(a, 5000);
    free(b);
    void *e = realloc(NULL, 7);
    e = realloc(e, 0);
    free(c);
    free(d);
    free(NULL);
    return a == NULL || e != NULL;
}
`);
    const program = join(tmp, 'program');
    // -fno-builtin: else the compiler turns realloc(NULL, n) into malloc(n).
    const cc = spawnSync('cc', ['-O0', '-fno-builtin', '-o', program, source], { encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
    const out = join(tmp, 'program.trace.gz');
    const rec = spawnSync(join(ROOT, 'scripts', 'trace-recorder', 'record'), [out, '--', program], { encoding: 'utf8' });
    assert.equal(rec.status, 0, rec.stderr);
    const lines = gunzipSync(readFileSync(out)).toString('utf8').trim().split('\n').map((l) => l.split(' '));
    // Each line without its IDs (the first field after the letter; the first two for realloc)
    const shape = (l) => [l[0], ...l.slice(l[0] === 'r' ? 3 : 2)];
    assert.deepEqual(lines.map(shape), [
        ['a', '100'], ['c', '300'], ['m', '64', '640'], ['m', '128', '1000'], ['r', '5000'], ['f'], ['r', '7'],
        ['r', '0'], ['f'], ['f'],
    ]);
    const [a, b, c, d, ra, fb, re, rz, fc, fd] = lines;
    assert.equal(ra[1], a[1], 'realloc names the block it moves');
    assert.equal(fb[1], b[1]);
    assert.equal(re[1], '0', 'realloc(NULL, n) has OLDID 0');
    assert.deepEqual([rz[1], rz[2]], [re[2], '0'], 'realloc(p, 0) has NEWID 0');
    assert.deepEqual([fc[1], fd[1]], [c[1], d[1]]);
    assert.equal(readTrace(out).stats.liveAtEnd, 1, 'only the realloc\'d block is left');
});
