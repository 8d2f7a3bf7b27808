// Shared helpers for the tests of the built modules: the build's manifest (modules.json: the
// module variants, their capped twins, features, and the layout of their memory), loading the
// modules, and the checks that depend on a module's features. The allocator wrapper, the byte
// patterns, the PRNG and the randomized model runner are the soak's too (scripts/model,
// scripts/rng.mjs), re-exported here.
//
// `node --test test/` also runs this file on its own (every .mjs under a `test` directory is a
// test file); it then tests its own checkers (bottom of the file), so that a harness that could
// not see corruption cannot pass silently.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TalcMisuseError } from '../../package/lib/misuse.js';
import { readManifest } from '../../scripts/manifest.mjs';
import { Allocator, instantiateModule, moduleImports as importsOf, PAGE, SHARED_START } from '../../scripts/model/allocator.mjs';
import { checkPattern, checkZero, FULL_PATTERN, fillPattern, hex, patternByte } from '../../scripts/model/patterns.mjs';
import { blockProblem, findOverlap, KiB, randomSize, runModel, TWO_GIB, USABLE_SLACK } from '../../scripts/model/run.mjs';
import { Rng } from '../../scripts/rng.mjs';

export {
    Allocator, blockProblem, checkPattern, checkZero, FULL_PATTERN, fillPattern, findOverlap, hex, KiB, PAGE, patternByte,
    randomSize, Rng, runModel, SHARED_START, TalcMisuseError, TWO_GIB, USABLE_SLACK,
};

const HERE = dirname(fileURLToPath(import.meta.url));

/** Directory of the built modules: $TALC_WASM_DIR, else ../wasm-target/target/wasm from wasm-tests. */
export const WASM_DIR = process.env.TALC_WASM_DIR
    ? resolve(process.env.TALC_WASM_DIR)
    : resolve(HERE, '..', '..', 'wasm-target', 'target', 'wasm');

export const MiB = 1024 * 1024;
/**
 * Pages of memory the allocator can address (Source.MAX_PAGES: every address stays below
 * 2 GiB). A growing module that owns its memory declares it as its memory's maximum.
 */
export const ADDRESSABLE_PAGES = TWO_GIB / PAGE - 1;
/** Largest request the allocator accepts; anything above fails with 0. */
export const MAX_REQUEST = 0x7FFF0000;

export function wasmPath(name = 'talc.wasm') {
    const path = join(WASM_DIR, name);
    if (!existsSync(path)) {
        throw new Error(`${path} does not exist: build it with `
            + `'mvn -q -pl allocator-core,wasm-target -am package -DskipTests' in the repository root `
            + `(or set TALC_WASM_DIR)`);
    }
    return path;
}

/** Names of every built module (*.wasm) in WASM_DIR. */
export function wasmFiles() {
    if (!existsSync(WASM_DIR)) {
        throw new Error(`${WASM_DIR} does not exist: build the modules first (or set TALC_WASM_DIR)`);
    }
    return readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm')).sort();
}

// ---------------------------------------------------------------------------------------------
// The build's manifest (scripts/manifest.mjs): one entry per module file, and the layout. A
// variant's "capped twin" is the same build with its memory capped (`<name>-max256.wasm`).

/** Default values of the build features a manifest entry may leave out. */
export const FEATURE_DEFAULTS = Object.freeze({ counters: false, growInPlace: true, reallocInPlace: true, checked: false });

let cachedManifest;

function built() {
    cachedManifest ??= readManifest(WASM_DIR);
    return cachedManifest;
}

/** The entries of modules.json (cached): one per built file. */
export function manifest() {
    return built().modules;
}

/** The layout of the modules' memory (package/lib/layout.js), from modules.json. */
export const LAYOUT = built().layout;
/** The header word below each block: its bytes count against the counters' claimed bytes. */
export const HEADER = LAYOUT.header.bytes;
/** Misuse kind codes of the checked build, by the names of talc.core.Misuse (NOT_ALLOCATED, ...). */
export const MISUSE = Object.freeze(Object.fromEntries(Object.entries(LAYOUT.misuse)
    .map(([kind, code]) => [kind.toUpperCase().replaceAll('-', '_'), code])));

/** Bytes of each allocation's chunk its user cannot use: the header word, and the seal in checked builds. */
export function overhead(infoOrFile) {
    return HEADER + (feature(infoOrFile, 'checked') ? LAYOUT.header.sealBytes : 0);
}

/** The manifest entry of `file` (e.g. 'talc.wasm'); throws when the manifest does not list it. */
export function moduleInfo(file) {
    const info = manifest().find((e) => e.file === file);
    if (!info) {
        throw new Error(`${file} is not listed in ${join(WASM_DIR, 'modules.json')} `
            + `(listed: ${manifest().map((e) => e.file).join(', ')})`);
    }
    return info;
}

/** The capped twin's file name that `file` would have (whether or not it was built). */
const twinName = (file) => file.replace(/\.wasm$/, '-max256.wasm');

/** True when `file` is the capped twin of another listed module. */
export function isCappedTwin(file) {
    return manifest().some((e) => e.file !== file && twinName(e.file) === file);
}

/** The module variants: every listed module except the capped twins, talc.wasm first. */
export function variants() {
    const v = manifest().filter((e) => !isCappedTwin(e.file));
    return [...v.filter((e) => e.file === 'talc.wasm'), ...v.filter((e) => e.file !== 'talc.wasm')];
}

/** The file name of `file`'s capped twin (its -max256 build), or null when there is none. */
export function cappedTwin(file) {
    const twin = twinName(file);
    return manifest().some((e) => e.file === twin) ? twin : null;
}

/** The value of build feature `name` for a manifest entry (or file name), defaults applied. */
export function feature(infoOrFile, name) {
    const info = typeof infoOrFile === 'string' ? moduleInfo(infoOrFile) : infoOrFile;
    const f = info.features ?? {};
    return name in f ? f[name] : FEATURE_DEFAULTS[name];
}

const modules = new Map();

/** The compiled module (cached per file). */
export function compile(name = 'talc.wasm') {
    let m = modules.get(name);
    if (!m) {
        m = new WebAssembly.Module(readFileSync(wasmPath(name)));
        modules.set(name, m);
    }
    return m;
}

/** A fresh instance of the named module, wrapped (scripts/model/allocator.mjs says how a module that imports its memory is set up). */
export function instantiate(name = 'talc.wasm') {
    return instantiateModule(compile(name), { name, info: moduleInfo(name), layout: LAYOUT });
}

/**
 * What a module imports: nothing; env.memory for a module that imports its memory, and for the
 * module for linking the other module's __heap_base (`heapBase`); and for a checked build its
 * report hook, which throws a TalcMisuseError.
 */
export function moduleImports(name, memory, heapBase = SHARED_START) {
    return importsOf(compile(name), memory, LAYOUT, heapBase);
}

/**
 * What realloc must do in module `info`, as an onRealloc check for runModel: with realloc in
 * place on (the default), a realloc to at most the usable size keeps the pointer; with grow in
 * place off, a realloc above the usable size moves; with realloc in place off, every realloc
 * moves.
 */
export function reallocRule(info) {
    const inPlace = feature(info, 'reallocInPlace');
    const grow = feature(info, 'growInPlace');
    return (b, size, q) => {
        if (!inPlace) {
            return q === b.ptr
                ? `realloc(${hex(b.ptr)}, ${size}) of a block with usable size ${b.usable} kept its pointer, `
                    + `but ${info.file} never reallocs in place`
                : null;
        }
        if (size <= b.usable && q !== b.ptr) {
            return `realloc(${hex(b.ptr)}, ${size}) within the usable size ${b.usable} moved the block to ${hex(q)}`;
        }
        if (!grow && size > b.usable && q === b.ptr) {
            return `realloc(${hex(b.ptr)}, ${size}) grew a block of usable size ${b.usable} in place, `
                + `but ${info.file} has grow in place off`;
        }
        return null;
    };
}

/**
 * An afterOp check for runModel on the counters variant: the counter block agrees exactly with
 * the model (live allocations and their usable bytes; allocations and usable bytes ever, counted
 * from the first reading), claimed = allocated + available + 4 * (allocations + heaps), no heap
 * was ever released, and the heaps fit in memory beside the foreign regions.
 */
export function countersCheck(t) {
    const base = t.counters();
    return (m) => {
        const c = t.counters();
        const expect = [
            ['allocation count', c.allocationCount, base.allocationCount + m.live],
            ['allocated bytes', c.allocatedBytes, base.allocatedBytes + m.liveUsable],
            ['total allocations', c.totalAllocationCount, base.totalAllocationCount + m.totalAllocs],
            ['total allocated bytes', c.totalAllocatedBytes, base.totalAllocatedBytes + m.totalAllocBytes],
            ['claimed bytes (allocated + available + 4 * (allocations + heaps))', c.claimedBytes,
                c.allocatedBytes + c.availableBytes + HEADER * (c.allocationCount + c.heapCount)],
            ['total heaps (no heap is ever deleted)', c.totalHeapCount, c.heapCount],
            ['total claimed bytes (nothing is ever released)', c.totalClaimedBytes, c.claimedBytes],
        ];
        for (const [name, actual, expected] of expect) {
            if (actual !== expected) {
                return `counter ${name} is ${actual}, expected ${expected} (counters ${JSON.stringify(c)})`;
            }
        }
        if (c.heapCount < 1) {
            return `heap count ${c.heapCount}`;
        }
        if ((c.fragmentCount === 0) !== (c.availableBytes === 0) || c.availableBytes < 16 * c.fragmentCount) {
            return `${c.fragmentCount} fragments hold ${c.availableBytes} available bytes`;
        }
        const foreign = t.foreign.reduce((s, r) => s + r.end - r.start, 0);
        if (c.claimedBytes + foreign > t.bytes - t.heapFloor) {
            return `${c.claimedBytes} claimed and ${foreign} foreign bytes do not fit in memory `
                + `(${t.bytes} bytes, heaps above ${hex(t.heapFloor)})`;
        }
        return null;
    };
}

/** The module-specific runModel checks for instance `t`: the realloc rule, and the counters when it has them. */
export function variantChecks(t) {
    return { onRealloc: reallocRule(t.info), afterOp: t.hasCounters ? countersCheck(t) : null };
}

// ---------------------------------------------------------------------------------------------
// Self-test of the checkers, run only when this file is run directly (node --test runs it too).

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
    const { test } = await import('node:test');
    const assert = await import('node:assert/strict');

    test('harness: the pattern checker notices any changed sampled byte', () => {
        const u8 = new Uint8Array(1 << 20);
        for (const len of [0, 1, 12, 255, 4096, 4097, 70000, 300000]) {
            const ptr = 4096;
            fillPattern(u8, ptr, len, 1234);
            assert.equal(checkPattern(u8, ptr, len, 1234), null, `fresh pattern of ${len} bytes`);
            const probes = len <= FULL_PATTERN ? [0, len >> 1, len - 1] : [0, 255, 4096, len - 256, len - 1];
            for (const i of probes) {
                if (i < 0 || i >= len) {
                    continue;
                }
                u8[ptr + i] ^= 0x40;
                assert.match(checkPattern(u8, ptr, len, 1234) ?? 'missed', new RegExp(`^offset ${i} `),
                    `changed byte ${i} of ${len}`);
                // Not seen beyond the checked prefix.
                assert.equal(checkPattern(u8, ptr, len, 1234, i), null, `prefix ${i} of ${len}`);
                u8[ptr + i] ^= 0x40;
            }
        }
    });

    test('harness: zero, overlap and block checks notice problems', () => {
        const u8 = new Uint8Array(3 << 20);
        assert.equal(checkZero(u8, 16, 2 << 20), null);
        u8[16 + (1 << 20) + 5] = 1;
        assert.match(checkZero(u8, 16, 2 << 20), /offset 1048581 /);
        assert.equal(findOverlap([{ ptr: 32, usable: 12 }, { ptr: 16, usable: 12 }, { ptr: 48, usable: 0 }]), null);
        assert.match(findOverlap([{ ptr: 64, usable: 12 }, { ptr: 16, usable: 60 }]), /overlaps/);
        assert.match(findOverlap([{ ptr: 16, usable: 0 }, { ptr: 16, usable: 0 }]), /overlaps/);
        const fake = { heapFloor: 65536, bytes: 4 * 65536, foreignOverlap: () => null };
        assert.equal(blockProblem(fake, 65536 + 32, 100, 16, 108), null);
        assert.match(blockProblem(fake, 0, 100, 16, 0), /returned 0/);
        assert.match(blockProblem(fake, 65536 + 8, 100, 16, 108), /aligned/);
        assert.match(blockProblem(fake, 65536 + 32, 100, 64, 108), /64-aligned/);
        assert.match(blockProblem(fake, 65536 + 32, 100, 16, 96), /usable size/);
        assert.match(blockProblem(fake, 65536 + 32, 100, 16, 136), /usable size/);
        assert.match(blockProblem(fake, 32, 100, 16, 108), /below the heaps/);
        assert.match(blockProblem(fake, 4 * 65536 - 64, 100, 16, 108), /past memory end/);
    });

    test('harness: the realloc rule and the counters check notice violations', () => {
        const b = { ptr: 0x10000, usable: 108 };
        const def = reallocRule({ file: 'x.wasm', features: {} });
        assert.equal(def(b, 50, b.ptr), null);
        assert.equal(def(b, 108, b.ptr), null);
        assert.match(def(b, 108, 0x20000), /moved/);
        assert.equal(def(b, 500, b.ptr), null);
        assert.equal(def(b, 500, 0x20000), null);
        const noGrow = reallocRule({ file: 'x.wasm', features: { growInPlace: false } });
        assert.equal(noGrow(b, 50, b.ptr), null);
        assert.match(noGrow(b, 50, 0x20000), /moved/);
        assert.match(noGrow(b, 109, b.ptr), /grow in place off/);
        assert.equal(noGrow(b, 109, 0x20000), null);
        const noRealloc = reallocRule({ file: 'x.wasm', features: { reallocInPlace: false } });
        assert.match(noRealloc(b, 50, b.ptr), /never reallocs in place/);
        assert.equal(noRealloc(b, 50, 0x20000), null);
        assert.equal(noRealloc(b, 500, 0x20000), null);

        const good = {
            allocationCount: 2, allocatedBytes: 120, availableBytes: 1000, fragmentCount: 1, heapCount: 1,
            claimedBytes: 120 + 1000 + 4 * 3, totalAllocationCount: 5, totalAllocatedBytes: 400,
            totalHeapCount: 1, totalClaimedBytes: 1132,
        };
        const zero = { ...good, allocationCount: 0, allocatedBytes: 0, totalAllocationCount: 0, totalAllocatedBytes: 0 };
        const model = { live: 2, liveUsable: 120, totalAllocs: 5, totalAllocBytes: 400 };
        for (const [change, pattern] of [
            [{}, null],
            [{ allocationCount: 3 }, /allocation count/],
            [{ allocatedBytes: 124 }, /allocated bytes/],
            [{ totalAllocationCount: 4 }, /total allocations/],
            [{ totalAllocatedBytes: 401 }, /total allocated bytes/],
            [{ availableBytes: 996 }, /claimed bytes/],
            [{ totalHeapCount: 2 }, /total heaps/],
            [{ totalClaimedBytes: 2000 }, /total claimed/],
            [{ fragmentCount: 100 }, /fragments/],
        ]) {
            let reading = zero;
            const fake = {
                counters: () => reading, heapFloor: 0x4000, bytes: 65536, foreign: [],
            };
            const check = countersCheck(fake);
            reading = { ...good, ...change };
            const p = check(model);
            if (pattern === null) {
                assert.equal(p, null);
            } else {
                assert.match(p ?? 'missed', pattern, JSON.stringify(change));
            }
        }
    });

    test('harness: the PRNG is deterministic and spread out', () => {
        const a = new Rng(42);
        const b = new Rng(42);
        const seen = new Set();
        for (let i = 0; i < 1000; i++) {
            const x = a.u32();
            assert.equal(x, b.u32());
            seen.add(x);
            const k = a.range(3, 7);
            b.range(3, 7);
            assert.ok(k >= 3 && k <= 7);
        }
        assert.ok(seen.size > 990);
    });
}
