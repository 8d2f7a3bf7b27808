// The benchmark suite's command line (scripts/bench runs it; Node 20, or `deno run -A`).
//
//   node --expose-gc scripts/benchmark/main.mjs [options] [module.wasm ...]
//
// Runs every workload over the modules and prints the report; with --json FILE, also writes
// the results, the SVG charts and a Markdown report (bench.md) into FILE's directory.

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, platform, arch, totalmem } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { charts } from './charts.mjs';
import { loadSubjects } from './modules.mjs';
import { PRESETS } from './presets.mjs';
import { progressBar } from './progress.mjs';
import { buildPeers } from './peers.mjs';
import { markdownReport, textReport } from './report.mjs';
import { OLD, summarizeSuite } from './summary.mjs';
import { runSuite } from './suite.mjs';
import { readTrace } from './trace.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const TALC = join(ROOT, 'wasm-target', 'target', 'wasm', 'talc.wasm');
/** The variant compiled for speed; compared beside talc.wasm, not as a peer (its name starts with talc). */
const TALC_FAST = join(ROOT, 'wasm-target', 'target', 'wasm', 'talc-fast.wasm');
const TRACES = join(ROOT, 'scripts', 'traces');
/** Where the peers are built (peers.mjs). */
const BUILT_PEERS = join(ROOT, 'scripts', 'target', 'peers');

const README_START = '<!-- scripts/bench --readme: start -->';
const README_END = '<!-- scripts/bench --readme: end -->';
const README_CHARTS = ['overview.svg', 'speed-talc.svg', 'speed-talc-realloc.svg', 'memory.svg', 'latency.svg'];

const USAGE = `usage: scripts/bench [options] [module.wasm | directory ...]

Benchmarks wasm allocator modules (exports memory, malloc, free, realloc, calloc, and
optionally aligned_alloc) side by side, and judges this project's goals against the best peer
of each workload. The first module is the reference of the Markdown report.

Modules, by default: ${relative(process.cwd(), TALC)}, ${relative(process.cwd(), TALC_FAST)} and the
peers, built in ${relative(process.cwd(), BUILT_PEERS)} from Debian's and npm's packages
(scripts/benchmark/peers.mjs; scripts/bench installs the toolchains). Named modules (or
directories of them) replace that list. A module whose name contains "talc" is this
project's; the others are its peers.

  --quick            a short run: 1 to 2 minutes with the default modules and traces on 2
                     shared cores, where the full run takes 15 to 20 (each run prints its time)
  --smoke            a run that only proves everything works (about a minute)
  --only ID,...      only the workloads whose id starts with one of these:
                     talc, sizes, latency, efficiency, growth, trace
  --traces PATH,...  trace files or directories of *.trace.gz (default ${relative(process.cwd(), TRACES)})
  --peers DIR        the peer modules of DIR instead of the ones built here
  --old PATH         an older build beside the new one: each module of PATH (a file or a
                     directory of *.wasm) joins the run as <name>-old, e.g. talc-old, and
                     <name> is judged against it (repeatable)
  --module NAME=PATH one more module, under that name (repeatable)
  --json FILE        write the results to FILE, with SVG charts and bench.md beside it
  --readme FILE      with --json: also put the Markdown report, with the main charts, into
                     FILE between the lines ${README_START} and ${README_END}
  --help             this text`;

const OPTIONS = {
    quick: { type: 'boolean' },
    smoke: { type: 'boolean' },
    only: { type: 'string' },
    traces: { type: 'string' },
    peers: { type: 'string' },
    old: { type: 'string', multiple: true, default: [] },
    module: { type: 'string', multiple: true, default: [] },
    json: { type: 'string' },
    readme: { type: 'string' },
    help: { type: 'boolean' },
};

/** The command line, as {preset, only, traces, peers, json, readme, modules, added}. */
function parseCommandLine(args) {
    let parsed;
    try {
        parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true });
    } catch (e) {
        throw new Error(`${e.message}\n\n${USAGE}`);
    }
    const { values: v, positionals } = parsed;
    if (v.help) {
        console.log(USAGE);
        process.exit(0);
    }
    if (v.quick && v.smoke) {
        throw new Error('--quick and --smoke exclude each other');
    }
    if (v.readme && !v.json) {
        throw new Error('--readme needs --json (the charts it shows are written beside the results)');
    }
    const named = v.module.map((m) => {
        const eq = m.indexOf('=');
        if (eq <= 0 || eq === m.length - 1) {
            throw new Error(`--module ${m}: expected NAME=PATH`);
        }
        return { name: m.slice(0, eq), path: m.slice(eq + 1) };
    });
    const old = expand(v.old, '.wasm').map((path) => ({ name: `${basename(path, '.wasm')}${OLD}`, path }));
    return {
        preset: v.quick ? 'quick' : v.smoke ? 'smoke' : 'full',
        only: v.only?.split(',') ?? null,
        traces: v.traces?.split(',') ?? [TRACES],
        peers: v.peers ?? null,
        json: v.json ?? null,
        readme: v.readme ?? null,
        modules: positionals,
        added: [...old, ...named],
    };
}

/** The files ending in `suffix` of each path that is a directory, and the other paths as given. */
function expand(paths, suffix) {
    const missing = paths.find((p) => !existsSync(p));
    if (missing !== undefined) {
        throw new Error(`${missing}: no such file or directory`);
    }
    return paths.flatMap((p) => (statSync(p).isDirectory()
        ? readdirSync(p).filter((f) => f.endsWith(suffix)).sort().map((f) => join(p, f))
        : [p]));
}

async function defaultModules(opts) {
    if (!existsSync(TALC)) {
        throw new Error(`${TALC} does not exist: build it (scripts/bench does) with\n`
            + '  mvn -q -pl allocator-core,wasm-target -am package -DskipTests');
    }
    const peers = opts.peers ? expand([opts.peers], '.wasm')
        : await buildPeers(BUILT_PEERS, { warn: (message) => console.error(`bench: ${message}`) });
    return [TALC, ...(existsSync(TALC_FAST) ? [TALC_FAST] : []), ...peers];
}

function describeMachine() {
    const cpu = cpus();
    const runtime = globalThis.Deno
        ? `Deno ${globalThis.Deno.version.deno} (V8 ${globalThis.Deno.version.v8})`
        : `Node ${process.version} (V8 ${process.versions.v8})`;
    return {
        runtime,
        machine: `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${arch()}`,
    };
}

async function main() {
    const started = performance.now();
    const opts = parseCommandLine(process.argv.slice(2));
    const listed = opts.modules.length > 0 ? expand(opts.modules, '.wasm') : await defaultModules(opts);
    const subjects = loadSubjects([...listed, ...opts.added]);
    // Reading the traces takes seconds: only when a trace workload runs.
    const replays = !opts.only || opts.only.some((prefix) => prefix.startsWith('trace') || 'trace:'.startsWith(prefix));
    const traces = replays ? expand(opts.traces.filter((p) => existsSync(p)), '.trace.gz').map(readTrace) : [];
    const suite = runSuite({
        subjects,
        preset: PRESETS[opts.preset],
        traces,
        only: opts.only,
        progress: progressBar(process.stderr),
    });
    const result = {
        meta: { date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', preset: opts.preset, ...describeMachine() },
        modules: subjects.map((s) => ({
            name: s.name, path: relative(ROOT, s.path), bytes: s.bytes.length, sha256: s.sha256,
            minAlign: s.minAlign, alignedBy: s.alignedBy,
        })),
        workloads: suite.workloads,
        ...(suite.largeRequests ? { largeRequests: suite.largeRequests } : {}),
    };
    result.summary = summarizeSuite(result, subjects.map((s) => s.name));
    result.meta.seconds = Math.round((performance.now() - started) / 1000);
    process.stdout.write(textReport(result));
    if (opts.json) {
        const dir = dirname(resolve(opts.json));
        mkdirSync(dir, { recursive: true });
        writeFileSync(opts.json, `${JSON.stringify(result, null, 1)}\n`);
        const made = charts(result);
        for (const c of made) {
            writeFileSync(join(dir, c.file), c.svg);
        }
        writeFileSync(join(dir, 'bench.md'), markdownReport(result, made));
        console.error(`wrote ${opts.json}, bench.md and ${made.length} charts in ${dir}`);
        if (opts.readme) {
            const shown = README_CHARTS.map((file) => made.find((c) => c.file === file)).filter(Boolean)
                .map((c) => ({ ...c, file: relative(dirname(resolve(opts.readme)), join(dir, c.file)) }));
            replaceSection(opts.readme, markdownReport(result, shown));
            console.error(`updated ${opts.readme}`);
        }
    }
}

/** Replaces what lies between the marker lines of `file` with `text`. */
function replaceSection(file, text) {
    const old = readFileSync(file, 'utf8');
    const start = old.indexOf(`${README_START}\n`);
    const end = old.indexOf(README_END, start);
    if (start < 0 || end < 0) {
        throw new Error(`${file} has no lines ${README_START} ... ${README_END}`);
    }
    writeFileSync(file, `${old.slice(0, start + README_START.length + 1)}${text}${old.slice(end)}`);
}

main().catch((e) => {
    console.error(`${basename(process.argv[1] ?? 'bench')}: ${e.message}`);
    process.exit(1);
});
