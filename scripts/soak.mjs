#!/usr/bin/env node
// Soak test of a built allocator module: a long randomized run, bounded by time, of the model
// runner that the tests use (scripts/model/run.mjs), which checks every result against a model of
// the live blocks and the module's memory.
//
//   node scripts/soak.mjs [module.wasm] [--seconds N] [--seed S] [--ops N] [--max-live N]
//                         [--max-live-bytes N] [--foreign-every N] [--check-every N] [--json]
//
// The default module is wasm-target/target/wasm/talc.wasm (relative to the repository root).
// Workload: the model runner's malloc / calloc / aligned_alloc (alignments up to 64 KiB) / free /
// realloc (also to and from 0), with sizes mostly small, some up to 1 MiB, rarely up to 4 MiB,
// phases that aim the live set at new sizes, and an occasional memory.grow from outside (the
// allocator must keep clear of those pages). Every block carries a byte pattern that is checked
// on free and on realloc (the kept prefix); calloc memory must be zero; every result is aligned,
// has a plausible usable size and lies inside memory. Every --check-every operations (and at
// the end) all live blocks are checked for overlap and for their patterns, the foreign pages
// for their markers, and a checked build's heap by talc_check.
//
// A module that imports env.memory (talc-imported.wasm) gets a fresh memory whose first 4 KiB
// belong to "another module", and talc_init(4096, 0).
//
// It prints a final report: operations, ops/s, errors, peak memory, peak live bytes and blocks,
// memory.grow calls. On the first error it prints the seed, the operation index and a command
// that replays the run up to that operation, and exits with status 1. --json also prints the
// report as one JSON line (for tests).

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ADDRESSABLE_PAGES } from '../package/lib/memory-limits.js';
import { MANIFEST_FILE, readManifest } from './manifest.mjs';
import { instantiateModule, PAGE } from './model/allocator.mjs';
import { ModelError, runModel } from './model/run.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILT = join(ROOT, 'wasm-target', 'target', 'wasm');
const MiB = 1 << 20;
const USAGE = 'usage: scripts/soak [module.wasm] [--seconds N] [--seed S] [--ops N] [--max-live N] '
    + '[--max-live-bytes N] [--foreign-every N] [--check-every N] [--json]';

// ------------------------------------------------------------------------------------------------
// Arguments

function usage(message) {
    if (message) {
        console.error(`soak: ${message}`);
    }
    console.error(USAGE);
    process.exit(2);
}

const NUMBERS = {
    seconds: 60, seed: null, ops: Infinity, 'max-live': 20_000, 'max-live-bytes': 256 * MiB,
    'foreign-every': 2_000_000, 'check-every': 1_000_000,
};

function parseCommandLine(args) {
    let parsed;
    try {
        parsed = parseArgs({
            args,
            allowPositionals: true,
            options: {
                ...Object.fromEntries(Object.keys(NUMBERS).map((name) => [name, { type: 'string' }])),
                json: { type: 'boolean' },
                help: { type: 'boolean', short: 'h' },
            },
        });
    } catch (e) {
        usage(e.message);
    }
    const { values: v, positionals } = parsed;
    if (v.help) {
        usage();
    }
    if (positionals.length > 1) {
        usage(`one module at a time, not ${positionals.join(' ')}`);
    }
    const n = {};
    for (const [name, fallback] of Object.entries(NUMBERS)) {
        n[name] = v[name] === undefined ? fallback : Number(v[name]);
        if (v[name] !== undefined && (!Number.isFinite(n[name]) || n[name] < 0)) {
            usage(`--${name} needs a non-negative number`);
        }
    }
    return {
        module: positionals.length > 0 ? resolve(positionals[0]) : join(BUILT, 'talc.wasm'),
        seconds: n.seconds,
        seed: n.seed === null ? (Date.now() ^ (process.pid << 16)) >>> 0 : n.seed >>> 0,
        ops: n.ops,
        maxLive: Math.max(1, n['max-live']),
        maxLiveBytes: n['max-live-bytes'],
        foreignEvery: n['foreign-every'],
        checkEvery: Math.max(1, n['check-every']),
        json: v.json ?? false,
    };
}

// ------------------------------------------------------------------------------------------------
// The module

/**
 * The module at `path`, instantiated (scripts/model/allocator.mjs), with its manifest entry and
 * layout from the modules.json beside it (else the build's, for the layout), and whether an
 * allocation may fail: only when its memory is capped (below the 2 GiB that every growing
 * module declares as its maximum) or never grows.
 */
function load(path) {
    if (!existsSync(path)) {
        usage(`${path} does not exist; build the modules first: mvn -q -pl allocator-core,wasm-target -am package -DskipTests`);
    }
    const module = new WebAssembly.Module(readFileSync(path));
    const beside = existsSync(join(dirname(path), MANIFEST_FILE)) ? readManifest(dirname(path)) : null;
    const manifest = beside ?? (existsSync(join(BUILT, MANIFEST_FILE)) ? readManifest(BUILT) : null);
    const info = beside?.modules.find((e) => e.file === basename(path)) ?? null;
    for (const name of ['malloc', 'free', 'realloc', 'calloc', 'aligned_alloc']) {
        if (!WebAssembly.Module.exports(module).some((e) => e.name === name)) {
            usage(`${path} does not export ${name}`);
        }
    }
    const t = instantiateModule(module, { name: basename(path), info, layout: manifest?.layout ?? null });
    const mayFail = info !== null && (info.grows === false || (info.maxPages != null && info.maxPages < ADDRESSABLE_PAGES));
    return { t, mayFail };
}

// ------------------------------------------------------------------------------------------------
// The run

/** Request sizes: mostly small, some up to 1 MiB, rarely up to 4 MiB. */
function soakSize(rng) {
    const r = rng.float();
    if (r < 0.5) {
        return rng.below(65);
    }
    if (r < 0.8) {
        return 65 + rng.below(448);
    }
    if (r < 0.95) {
        return 513 + rng.below(8192 - 512);
    }
    if (r < 0.995) {
        return 8193 + rng.below(65536 - 8192);
    }
    if (r < 0.9995) {
        return 65537 + rng.below(MiB - 65536);
    }
    return MiB + rng.below(3 * MiB);
}

/** Runs the soak; returns the report (errors 0 or 1). */
function soak(o) {
    const { t, mayFail } = load(o.module);
    const start = performance.now();
    const report = { module: o.module, seed: o.seed, errors: 0, initialMemoryBytes: t.initialBytes };
    let stats;
    try {
        stats = runModel(t, o.seed, o.ops, {
            maxLive: o.maxLive, maxLiveBytes: o.maxLiveBytes, phaseOps: 100_000, foreignEvery: o.foreignEvery,
            maxForeign: 24, checkEvery: o.checkEvery, contentsEvery: o.checkEvery, expectOom: mayFail,
            deadline: start + o.seconds * 1000, sizeFn: soakSize,
        });
    } catch (e) {
        const op = e instanceof ModelError ? e.op : -1;
        report.errors = 1;
        console.error(`soak: ERROR at operation ${op} (seed ${o.seed}): ${e.message}`);
        console.error(`soak: replay with: scripts/soak ${o.module} --seed ${o.seed} --ops ${op + 1} `
            + `--max-live ${o.maxLive} --max-live-bytes ${o.maxLiveBytes} --foreign-every ${o.foreignEvery} `
            + `--check-every ${o.checkEvery} --seconds 1e9`);
        stats = { operations: op };
    }
    const seconds = (performance.now() - start) / 1000;
    return {
        ...report,
        ...stats,
        seconds,
        opsPerSecond: Math.round(stats.operations / Math.max(seconds, 1e-9)),
        peakMemoryBytes: t.maxBytes,
        finalMemoryBytes: t.bytes,
        memoryGrowCalls: t.growCalls,
    };
}

function print(s, json) {
    const n = (x) => Math.round(x).toLocaleString('en-US');
    const mib = (b) => `${(b / MiB).toFixed(1)} MiB`;
    console.log(`soak: ${s.module}`);
    console.log(`  seed                 ${s.seed}`);
    console.log(`  time                 ${s.seconds.toFixed(1)} s`);
    console.log(`  operations           ${n(s.operations)} (${n(s.opsPerSecond)} ops/s): malloc ${n(s.malloc ?? 0)}, `
        + `calloc ${n(s.calloc ?? 0)}, aligned_alloc ${n(s.alignedAlloc ?? 0)}, free ${n(s.free ?? 0)}, realloc ${n(s.realloc ?? 0)}`);
    console.log(`  errors               ${s.errors}`);
    console.log(`  failed allocations   ${n(s.failedAllocations ?? 0)}`);
    console.log(`  peak memory          ${mib(s.peakMemoryBytes)} (${n(s.peakMemoryBytes / PAGE)} pages; `
        + `started at ${mib(s.initialMemoryBytes)}, ended at ${mib(s.finalMemoryBytes)})`);
    console.log(`  peak live            ${mib(s.peakLiveBytes ?? 0)} in at most ${n(s.peakLiveBlocks ?? 0)} blocks`);
    console.log(`  memory.grow calls    ${n(s.memoryGrowCalls)} by the allocator, ${n(s.foreignGrows ?? 0)} from outside`
        + (s.foreignGrowsRefused ? ` (${n(s.foreignGrowsRefused)} more refused)` : ''));
    console.log(`  full checks          ${n(s.fullChecks ?? 0)}`);
    if (json) {
        console.log(JSON.stringify(s));
    }
}

const options = parseCommandLine(process.argv.slice(2));
const result = soak(options);
print(result, options.json);
process.exit(result.errors === 0 ? 0 : 1);
