#!/usr/bin/env node
// Soak test of a built allocator module: a long randomized run, bounded by time, that checks
// every result against a model of the live blocks and the module's memory.
//
//   node scripts/soak.mjs [module.wasm] [--seconds N] [--seed S] [--ops N] [--max-live N]
//                         [--max-live-bytes N] [--foreign-every N] [--check-every N] [--json]
//
// The default module is wasm-target/target/wasm/talc.wasm (relative to the repository root).
// Workload: malloc / calloc / aligned_alloc (alignments up to 64 KiB) / free / realloc (also to
// and from 0) with mixed sizes (mostly small, some up to 1 MiB, rarely up to 4 MiB), phases that
// drift between growing and shrinking the live set, and an occasional memory.grow from outside
// (the allocator must keep clear of those pages). Every block carries a byte pattern that is
// checked on free and on realloc (the kept prefix); calloc memory must be zero; every result is
// aligned, has a plausible usable size and lies inside memory. Every --check-every operations
// (and at the end) all live blocks are checked for overlap, for their patterns, and the foreign
// pages for their markers.
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
import { importsReportHook, misuseImports } from '../package/lib/misuse.js';
import { Rng } from './benchmark/ops.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE = 65536;
const MiB = 1 << 20;
/** Usable size is at least the request and below request + header + unit rounding + an unsplit rest. */
const USABLE_SLACK = 4 + 16 + 16;
const FOREIGN_MARKER = 0xA5;
const SHARED_START = 4096;
const SHARED_MARKER = 0xC3;

// ------------------------------------------------------------------------------------------------
// Arguments

function usage(message) {
    if (message) {
        console.error(`soak: ${message}`);
    }
    console.error('usage: scripts/soak [module.wasm] [--seconds N] [--seed S] [--ops N] [--max-live N] '
        + '[--max-live-bytes N] [--foreign-every N] [--check-every N] [--json]');
    process.exit(2);
}

function readOptions(argv) {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: Object.fromEntries(['seconds', 'seed', 'ops', 'max-live', 'max-live-bytes', 'foreign-every',
                'check-every'].map((name) => [name, { type: 'string' }])
                .concat([['json', { type: 'boolean' }], ['help', { type: 'boolean', short: 'h' }]])),
        });
    } catch (e) {
        usage(e.message);
    }
    const { values, positionals } = parsed;
    if (values.help || positionals.length > 1) {
        usage();
    }
    const num = (name, fallback) => {
        const v = values[name];
        if (v === undefined) {
            return fallback;
        }
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) {
            usage(`--${name} needs a non-negative number`);
        }
        return n;
    };
    const seed = num('seed', null);
    return {
        module: resolve(positionals[0] ?? join(ROOT, 'wasm-target', 'target', 'wasm', 'talc.wasm')),
        seconds: num('seconds', 60),
        seed: seed === null ? (Date.now() ^ (process.pid << 16)) >>> 0 : seed >>> 0,
        ops: num('ops', Infinity),
        maxLive: Math.max(1, num('max-live', 20_000)),
        maxLiveBytes: num('max-live-bytes', 256 * MiB),
        foreignEvery: num('foreign-every', 2_000_000),
        maxForeignPages: 64,
        checkEvery: Math.max(1, num('check-every', 1_000_000)),
        json: values.json === true,
    };
}

// ------------------------------------------------------------------------------------------------
// Byte patterns: a block's pattern is PAT starting at its own offset. Blocks up to FULL_PATTERN
// bytes are patterned whole; larger ones at their first and last 256 bytes and every 4096th byte.

const PAT_PERIOD = 8192;
const PAT = new Uint8Array(PAT_PERIOD * 2);
for (let i = 0, x = 0x9E3779B9; i < PAT.length; i++) {
    x = Math.imul(x ^ (x >>> 13), 0x5BD1E995) + i;
    PAT[i] = (x >>> 24) & 0xFF;
}
const FULL_PATTERN = 4096;
const PAT_BUF = Buffer.from(PAT.buffer);
const ZERO_BUF = Buffer.alloc(4096);

/** The patterned runs of a block of `len` bytes: [start, length] pairs into `out`; returns their count. */
function runs(len, out) {
    if (len <= FULL_PATTERN) {
        out[0] = 0;
        out[1] = len;
        return 1;
    }
    out[0] = 0;
    out[1] = 256;
    let k = 1;
    const tail = len - 256;
    for (let s = 4096; s < tail; s += 4096) {
        out[2 * k] = s;
        out[2 * k + 1] = 1;
        k++;
    }
    out[2 * k] = tail;
    out[2 * k + 1] = 256;
    return k + 1;
}

const RUNS = new Int32Array(2 * (4 + (1 << 12)));

function fillPattern(u8, ptr, len, off) {
    const k = runs(len, RUNS);
    for (let r = 0; r < k; r++) {
        const s = RUNS[2 * r];
        const n = RUNS[2 * r + 1];
        const a = (off + s) & (PAT_PERIOD - 1);
        if (n <= 32) {
            for (let i = 0; i < n; i++) {
                u8[ptr + s + i] = PAT[a + i];
            }
        } else {
            u8.set(PAT.subarray(a, a + n), ptr + s);
        }
    }
}

/**
 * -1 when the patterned bytes among the first `limit` of the block hold its pattern, else the
 * first bad offset. `mem` is a Buffer over the whole memory.
 */
function checkPattern(u8, mem, ptr, len, off, limit = len) {
    const k = runs(len, RUNS);
    for (let r = 0; r < k; r++) {
        const s = RUNS[2 * r];
        const n = Math.min(RUNS[2 * r + 1], limit - s);
        if (n <= 0) {
            break;
        }
        const a = (off + s) & (PAT_PERIOD - 1);
        if (n <= 32 || mem.compare(PAT_BUF, a, a + n, ptr + s, ptr + s + n) !== 0) {
            for (let i = 0; i < n; i++) {
                if (u8[ptr + s + i] !== PAT[a + i]) {
                    return s + i;
                }
            }
        }
    }
    return -1;
}

/** -1 when the patterned bytes of [ptr, ptr+len) are zero, else the first nonzero offset. */
function checkZero(u8, mem, ptr, len) {
    const k = runs(len, RUNS);
    for (let r = 0; r < k; r++) {
        const s = RUNS[2 * r];
        const n = RUNS[2 * r + 1];
        for (let c = 0; c < n; c += ZERO_BUF.length) {
            const m = Math.min(ZERO_BUF.length, n - c);
            const at = ptr + s + c;
            if (m <= 32 || mem.compare(ZERO_BUF, 0, m, at, at + m) !== 0) {
                for (let i = 0; i < m; i++) {
                    if (u8[at + i] !== 0) {
                        return s + c + i;
                    }
                }
            }
        }
    }
    return -1;
}

// ------------------------------------------------------------------------------------------------
// The module

function load(path) {
    if (!existsSync(path)) {
        console.error(`soak: ${path} does not exist; build the modules first: `
            + 'mvn -q -pl allocator-core,wasm-target -am package -DskipTests');
        process.exit(2);
    }
    const module = new WebAssembly.Module(readFileSync(path));
    const importsMemory = WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
    let heapFloor = 1;
    const foreign = [];
    let instance;
    let memory;
    if (importsMemory) {
        memory = new WebAssembly.Memory({ initial: 1 });
        new Uint8Array(memory.buffer).fill(SHARED_MARKER, 0, SHARED_START);
        instance = new WebAssembly.Instance(module, { env: { memory, ...reportHook(module) } });
        if (typeof instance.exports.talc_init === 'function' && instance.exports.talc_init(SHARED_START, 0) !== 1) {
            throw new Error(`talc_init(${SHARED_START}, 0) failed`);
        }
        heapFloor = SHARED_START;
        foreign.push({ start: 0, end: SHARED_START, marker: SHARED_MARKER });
    } else {
        const hook = reportHook(module);
        instance = new WebAssembly.Instance(module, Object.keys(hook).length > 0 ? { env: hook } : {});
        memory = instance.exports.memory;
    }
    for (const name of ['malloc', 'free', 'realloc', 'calloc', 'aligned_alloc']) {
        if (typeof instance.exports[name] !== 'function') {
            throw new Error(`${path} does not export ${name}`);
        }
    }
    // The manifest beside the module, when there is one: where the heaps start, whether it grows.
    let info = null;
    const manifestPath = join(dirname(path), 'modules.json');
    if (existsSync(manifestPath)) {
        try {
            info = JSON.parse(readFileSync(manifestPath, 'utf8')).find((e) => e.file === basename(path)) ?? null;
        } catch {
            info = null;
        }
    }
    if (info && !importsMemory && Number.isInteger(info.stateAddress)) {
        heapFloor = info.stateAddress;
    }
    // Allocation failures are errors unless memory is capped (below the 2 GiB that every growing
    // module declares as its maximum) or never grows.
    const mayFail = info ? (info.grows === false || (info.maxPages != null && info.maxPages < ADDRESSABLE_PAGES)) : false;
    return { instance, memory, exports: instance.exports, heapFloor, foreign, mayFail, info };
}

// ------------------------------------------------------------------------------------------------
// The run

function soak(o) {
    const { memory, exports: e, heapFloor, foreign, mayFail } = load(o.module);
    // Seeded (mulberry32): the whole run is a function of the seed; time only decides when it stops.
    const rng = new Rng(o.seed);
    const hasUsable = typeof e.malloc_usable_size === 'function';

    // Live blocks as parallel arrays; removal swaps with the last.
    const cap = o.maxLive;
    const ptrs = new Float64Array(cap);
    const sizes = new Float64Array(cap);
    const offs = new Int32Array(cap);
    let live = 0;
    let liveBytes = 0;

    let buffer = memory.buffer;
    let u8 = new Uint8Array(buffer);
    let mem = Buffer.from(buffer);
    let bytes = u8.byteLength;
    const stats = {
        module: o.module, seed: o.seed, seconds: 0, operations: 0, opsPerSecond: 0, errors: 0,
        malloc: 0, calloc: 0, alignedAlloc: 0, free: 0, realloc: 0, failedAllocations: 0,
        peakMemoryBytes: bytes, finalMemoryBytes: bytes, initialMemoryBytes: bytes, peakLiveBytes: 0, peakLiveBlocks: 0,
        memoryGrowCalls: 0, foreignGrows: 0, foreignGrowsRefused: 0, fullChecks: 0,
    };
    let op = 0;
    // The current operation, described only when something fails.
    let opName = 'start';
    let opA = 0;
    let opB = 0;
    let opC = 0;
    const hexOf = (n) => '0x' + (n >>> 0).toString(16);
    const describe = () => {
        switch (opName) {
            case 'malloc': return `op ${op}: malloc(${opA})`;
            case 'calloc': return `op ${op}: calloc(${opA}, ${opB})`;
            case 'aligned_alloc': return `op ${op}: aligned_alloc(${opA}, ${opB})`;
            case 'free': return `op ${op}: free(${hexOf(opA)})`;
            case 'realloc': return `op ${op}: realloc(${hexOf(opA)} of ${opC} bytes, ${opB})`;
            case 'grow': return `op ${op}: memory.grow(${opA}) from outside`;
            default: return opName;
        }
    };
    const setOp = (name, a = 0, b = 0, c = 0) => {
        opName = name;
        opA = a;
        opB = b;
        opC = c;
    };

    const fail = (message) => {
        stats.errors++;
        const err = new Error(message);
        err.soak = true;
        throw err;
    };
    /**
     * After each export call: fresh views when the buffer was replaced. That happens when memory
     * grew, and in V8 also when a memory.grow failed (the old buffer is detached all the same),
     * so compare the buffer itself, not its size.
     */
    const sync = () => {
        if (memory.buffer !== buffer) {
            buffer = memory.buffer;
            u8 = new Uint8Array(buffer);
            mem = Buffer.from(buffer);
            if (buffer.byteLength !== bytes) {
                stats.memoryGrowCalls++;
                bytes = buffer.byteLength;
                if (bytes > stats.peakMemoryBytes) {
                    stats.peakMemoryBytes = bytes;
                }
            }
        }
    };
    const hex = hexOf;

    /** Checks a fresh block; returns its usable size. */
    const placed = (ptr, size, align) => {
        const a = Math.max(align, 16);
        if (ptr % a !== 0) {
            fail(`${describe()} returned ${hex(ptr)}, not ${a}-aligned`);
        }
        if (ptr < heapFloor) {
            fail(`${describe()} returned ${hex(ptr)}, below the heaps (${hex(heapFloor)})`);
        }
        const usable = hasUsable ? e.malloc_usable_size(ptr) >>> 0 : size;
        if (usable < size || usable >= size + USABLE_SLACK) {
            fail(`${describe()} returned ${hex(ptr)} with usable size ${usable}`);
        }
        if (ptr + Math.max(size, 1) > bytes) {
            fail(`${describe()} returned ${hex(ptr)}, whose ${size} bytes pass the memory end ${hex(bytes)}`);
        }
        return usable;
    };
    const add = (ptr, size) => {
        const off = rng.below(PAT_PERIOD);
        ptrs[live] = ptr;
        sizes[live] = size;
        offs[live] = off;
        live++;
        liveBytes += size;
        fillPattern(u8, ptr, size, off);
        if (liveBytes > stats.peakLiveBytes) {
            stats.peakLiveBytes = liveBytes;
        }
        if (live > stats.peakLiveBlocks) {
            stats.peakLiveBlocks = live;
        }
    };
    const remove = (i) => {
        liveBytes -= sizes[i];
        live--;
        ptrs[i] = ptrs[live];
        sizes[i] = sizes[live];
        offs[i] = offs[live];
    };
    const verify = (i, limit = sizes[i]) => {
        const bad = checkPattern(u8, mem, ptrs[i], sizes[i], offs[i], limit);
        if (bad >= 0) {
            fail(`${describe()}: block ${hex(ptrs[i])} of ${sizes[i]} bytes was overwritten at offset ${bad} `
                + `(byte ${u8[ptrs[i] + bad]}, expected ${PAT[(offs[i] + bad) & (PAT_PERIOD - 1)]})`);
        }
    };
    const failed = () => {
        stats.failedAllocations++;
        if (!mayFail) {
            fail(`${describe()} returned 0 with ${bytes} bytes of memory and ${liveBytes} live bytes`);
        }
    };

    // Size distribution, with a slowly drifting phase so the live set grows and shrinks.
    const size = () => {
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
    };

    const fullCheck = () => {
        stats.fullChecks++;
        setOp('full check');
        const order = Array.from({ length: live }, (_, i) => i).sort((a, b) => ptrs[a] - ptrs[b]);
        for (let k = 0; k < order.length; k++) {
            const i = order[k];
            verify(i);
            if (k > 0) {
                const j = order[k - 1];
                if (ptrs[j] + Math.max(sizes[j], 1) > ptrs[i]) {
                    fail(`blocks ${hex(ptrs[j])} (${sizes[j]} bytes) and ${hex(ptrs[i])} overlap`);
                }
            }
        }
        for (const r of foreign) {
            for (let p = r.start; p < r.end; p += PAGE) {
                const n = Math.min(PAGE, r.end - p);
                const view = u8.subarray(p, p + n);
                if (view.some((b) => b !== r.marker)) {
                    fail(`memory grown by someone else, [${hex(r.start)}, ${hex(r.end)}), was written to near ${hex(p)}`);
                }
            }
            for (let k = 0; k < live; k++) {
                if (ptrs[k] < r.end && ptrs[k] + Math.max(sizes[k], 1) > r.start) {
                    fail(`block ${hex(ptrs[k])} lies in memory grown by someone else [${hex(r.start)}, ${hex(r.end)})`);
                }
            }
        }
        // A checked build also checks its own heap: every chunk, free list and guard word.
        if (typeof e.talc_check === 'function') {
            const problem = e.talc_check() >>> 0;
            if (problem !== 0) {
                fail(`talc_check found the heap inconsistent at ${hex(problem & ~15)}`);
            }
        }
    };

    let foreignPages = 0;
    const start = performance.now();
    const deadline = start + o.seconds * 1000;
    let phase = 0.5;
    try {
        for (; op < o.ops; op++) {
            if ((op & 4095) === 0) {
                if (performance.now() >= deadline) {
                    break;
                }
                phase = Math.min(0.75, Math.max(0.3, phase + (rng.float() - 0.5) * 0.1));
            }
            if (op > 0 && op % o.checkEvery === 0) {
                fullCheck();
            }
            const r = rng.float();
            if (o.foreignEvery > 0 && rng.below(o.foreignEvery) === 0 && foreignPages < o.maxForeignPages) {
                const pages = 1 + rng.below(4);
                setOp('grow', pages);
                let old = -1;
                try {
                    old = memory.grow(pages);
                } catch {
                    old = -1;
                }
                if (old < 0) {
                    stats.foreignGrowsRefused++;
                    sync(); // a refused grow may have replaced the buffer too
                } else {
                    foreignPages += pages;
                    stats.foreignGrows++;
                    buffer = memory.buffer;
                    u8 = new Uint8Array(buffer);
                    mem = Buffer.from(buffer);
                    bytes = u8.byteLength;
                    stats.peakMemoryBytes = Math.max(stats.peakMemoryBytes, bytes);
                    u8.fill(FOREIGN_MARKER, old * PAGE, (old + pages) * PAGE);
                    foreign.push({ start: old * PAGE, end: (old + pages) * PAGE, marker: FOREIGN_MARKER });
                }
                continue;
            }
            const full = live >= cap || liveBytes >= o.maxLiveBytes;
            if (live === 0 || (!full && r < phase)) {
                // allocate
                const k = rng.below(100);
                const n = size();
                if (k < 70) {
                    setOp('malloc', n);
                    stats.malloc++;
                    const p = e.malloc(n) >>> 0;
                    sync();
                    if (p === 0) {
                        failed();
                        continue;
                    }
                    placed(p, n, 16);
                    add(p, n);
                } else if (k < 82) {
                    const count = 1 + rng.below(8);
                    const each = Math.floor(n / count);
                    setOp('calloc', count, each);
                    stats.calloc++;
                    const p = e.calloc(count, each) >>> 0;
                    sync();
                    if (p === 0) {
                        failed();
                        continue;
                    }
                    placed(p, count * each, 16);
                    const bad = checkZero(u8, mem, p, count * each);
                    if (bad >= 0) {
                        fail(`${describe()} returned ${hex(p)} whose byte ${bad} is ${u8[p + bad]}, not 0`);
                    }
                    add(p, count * each);
                } else {
                    const align = 2 ** rng.below(17);
                    setOp('aligned_alloc', align, n);
                    stats.alignedAlloc++;
                    const p = e.aligned_alloc(align, n) >>> 0;
                    sync();
                    if (p === 0) {
                        failed();
                        continue;
                    }
                    placed(p, n, align);
                    add(p, n);
                }
            } else if (r < phase + (1 - phase) * 0.75 || full) {
                const i = rng.below(live);
                setOp('free', ptrs[i]);
                verify(i);
                stats.free++;
                e.free(ptrs[i]);
                sync();
                remove(i);
            } else {
                const i = rng.below(live);
                const k = rng.below(100);
                const n = k < 3 ? 0 : k < 40 ? Math.max(0, Math.floor(sizes[i] * (0.2 + rng.float()))) + rng.below(64) : size();
                const old = ptrs[i];
                setOp('realloc', old, n, sizes[i]);
                verify(i);
                stats.realloc++;
                const p = e.realloc(old, n) >>> 0;
                sync();
                if (n === 0) {
                    if (p !== 0) {
                        fail(`${describe()} returned ${hex(p)}, not 0`);
                    }
                    remove(i);
                    continue;
                }
                if (p === 0) {
                    verify(i);
                    failed();
                    continue;
                }
                const kept = Math.min(sizes[i], n);
                ptrs[i] = p;
                verify(i, kept);
                placed(p, n, 16);
                // A fresh pattern over the whole block (which bytes are patterned depends on the size).
                remove(i);
                add(p, n);
            }
        }
        setOp('final check');
        fullCheck();
    } catch (err) {
        if (!err.soak) {
            stats.errors++;
            err.message = `${describe()}: ${err.message}`;
        }
        stats.operations = op;
        finish(stats, start, bytes);
        console.error(`soak: ERROR at operation ${op} (seed ${o.seed}): ${err.message}`);
        console.error(`soak: replay with: scripts/soak ${o.module} --seed ${o.seed} --ops ${op + 1} `
            + `--max-live ${o.maxLive} --max-live-bytes ${o.maxLiveBytes} --foreign-every ${o.foreignEvery} `
            + `--check-every ${o.checkEvery} --seconds 1e9`);
        return stats;
    }
    stats.operations = op;
    finish(stats, start, bytes);
    return stats;
}

function finish(stats, start, bytes) {
    stats.seconds = (performance.now() - start) / 1000;
    stats.opsPerSecond = Math.round(stats.operations / Math.max(stats.seconds, 1e-9));
    stats.finalMemoryBytes = bytes;
}

function report(s, json) {
    const n = (x) => Math.round(x).toLocaleString('en-US');
    const mib = (b) => `${(b / MiB).toFixed(1)} MiB`;
    console.log(`soak: ${s.module}`);
    console.log(`  seed                 ${s.seed}`);
    console.log(`  time                 ${s.seconds.toFixed(1)} s`);
    console.log(`  operations           ${n(s.operations)} (${n(s.opsPerSecond)} ops/s): malloc ${n(s.malloc)}, `
        + `calloc ${n(s.calloc)}, aligned_alloc ${n(s.alignedAlloc)}, free ${n(s.free)}, realloc ${n(s.realloc)}`);
    console.log(`  errors               ${s.errors}`);
    console.log(`  failed allocations   ${n(s.failedAllocations)}`);
    console.log(`  peak memory          ${mib(s.peakMemoryBytes)} (${n(s.peakMemoryBytes / PAGE)} pages; `
        + `started at ${mib(s.initialMemoryBytes)}, ended at ${mib(s.finalMemoryBytes)})`);
    console.log(`  peak live            ${mib(s.peakLiveBytes)} in at most ${n(s.peakLiveBlocks)} blocks`);
    console.log(`  memory.grow calls    ${n(s.memoryGrowCalls)} by the allocator, ${n(s.foreignGrows)} from outside`
        + (s.foreignGrowsRefused ? ` (${n(s.foreignGrowsRefused)} more refused)` : ''));
    console.log(`  full checks          ${n(s.fullChecks)}`);
    if (json) {
        console.log(JSON.stringify(s));
    }
}

const options = readOptions(process.argv.slice(2));
const result = soak(options);
report(result, options.json);
process.exit(result.errors === 0 ? 0 : 1);

/**
 * A checked module (talc-checked.wasm) imports env.talc_report(kind, address) and reports misuse
 * there: the package's hook, which throws TalcMisuseError. A soak run makes no misuse, so a
 * report is an error of the allocator and ends the run.
 */
function reportHook(module) {
    return importsReportHook(module) ? misuseImports() : {};
}
