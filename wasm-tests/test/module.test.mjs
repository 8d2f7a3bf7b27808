// Every built module, as listed in the build's manifest (modules.json): it exists, is valid,
// imports nothing, exports exactly the C ABI and its memory plus the entry's extraExports, has
// no data (the allocator needs none), a start function exactly when it owns its memory (booting
// the allocator there; an imported memory is booted by talc_init or, in the module for linking,
// by the first call), and its memory limits are the
// entry's initialPages and maxPages (the -max256 twins: 256 pages; the other growing modules with
// their own memory: the pages below 2 GiB; the arena and an imported memory: none).
// wasm-validate (wabt, from wasm-target's npm packages) checks each file too. And talc.wasm stays within
// the byte budget in ../size-budget.json. The manifest's layout describes the modules' memory.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { layoutOf } from '../../package/lib/layout.js';
import { readLeb as leb } from '../../package/lib/wasm-binary.js';
import {
    ADDRESSABLE_PAGES, LAYOUT, WASM_DIR, cappedTwin, compile, feature, instantiate, manifest, moduleImports, variants, wasmFiles,
    wasmPath,
} from './talc.mjs';

const SIZE_BUDGET = join(dirname(fileURLToPath(import.meta.url)), '..', 'size-budget.json');
/** wabt's wasm-validate, which the build installs (wasm-target/package-lock.json). */
const WASM_VALIDATE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'wasm-target', 'node_modules', 'wabt',
    'bin', 'wasm-validate');

const EXPECTED_EXPORTS = {
    memory: 'memory',
    malloc: 'function',
    free: 'function',
    realloc: 'function',
    calloc: 'function',
    aligned_alloc: 'function',
    malloc_usable_size: 'function',
};
const PARAMS = { malloc: 1, free: 1, realloc: 2, calloc: 2, aligned_alloc: 2, malloc_usable_size: 1 };
/** Parameter counts of the extra exports some variants have. */
const EXTRA_PARAMS = { talc_counters: 0, talc_init: 2, talc_check: 0, talc_walk: 1, talc_bin: 1 };

const entries = manifest();
const files = entries.map((e) => e.file);

/** The module's sections: [{id, start, end}] (contents between start and end). */
function sections(bytes) {
    const out = [];
    let pos = 8;
    while (pos < bytes.length) {
        const id = bytes[pos++];
        const [size, start] = leb(bytes, pos);
        out.push({ id, start, end: start + size });
        pos = start + size;
    }
    assert.equal(pos, bytes.length, 'sections do not end at the end of the file');
    return out;
}

test('the build produced talc.wasm and talc-max256.wasm', () => {
    assert.ok(files.includes('talc.wasm'), `talc.wasm not in modules.json; listed: ${files.join(', ')}`);
    assert.ok(files.includes('talc-max256.wasm'), `talc-max256.wasm not in modules.json; listed: ${files.join(', ')}`);
    assert.equal(cappedTwin('talc.wasm'), 'talc-max256.wasm');
});

test('modules.json: every listed module exists, every built module is listed, entries well formed', () => {
    assert.equal(new Set(files).size, files.length, `modules.json lists a file twice: ${files.join(', ')}`);
    for (const e of entries) {
        const path = join(WASM_DIR, e.file);
        assert.ok(existsSync(path), `${e.file} is listed in modules.json but ${path} does not exist`);
        assert.equal(statSync(path).size, e.bytes, `${e.file}: file size vs. bytes in modules.json`);
        assert.equal(typeof e.variant, 'string', `${e.file}: variant`);
        assert.equal(typeof e.purpose, 'string', `${e.file}: purpose`);
        assert.equal(typeof e.grows, 'boolean', `${e.file}: grows`);
        assert.ok(e.maxPages === null || (Number.isInteger(e.maxPages) && e.maxPages >= e.initialPages),
            `${e.file}: maxPages ${e.maxPages}`);
        assert.ok(Number.isInteger(e.initialPages) && e.initialPages >= 1, `${e.file}: initialPages ${e.initialPages}`);
        assert.ok(e.features !== null && typeof e.features === 'object' && !Array.isArray(e.features),
            `${e.file}: features ${JSON.stringify(e.features)}`);
        assert.ok(Array.isArray(e.extraExports) && e.extraExports.every((x) => typeof x === 'string' && !(x in EXPECTED_EXPORTS)),
            `${e.file}: extraExports ${JSON.stringify(e.extraExports)}`);
        assert.ok(Number.isInteger(e.stateAddress) && e.stateAddress >= 16 && e.stateAddress % 16 === 0,
            `${e.file}: stateAddress ${e.stateAddress} (16-aligned, above null)`);
        assert.ok(e.stateAddress < e.initialPages * 65536, `${e.file}: state block at ${e.stateAddress}, outside the initial memory`);
        assert.equal(e.features.counters === true, e.extraExports.includes('talc_counters'),
            `${e.file}: the counters feature and the talc_counters export go together`);
        assert.equal(e.features.checked === true, e.extraExports.includes('talc_check'),
            `${e.file}: the checked feature and the talc_check export go together`);
    }
    // A capped twin is its variant's build with memory capped at 256 pages, and nothing else.
    for (const v of variants()) {
        assert.equal(v.maxPages, v.grows && !v.importedMemory ? ADDRESSABLE_PAGES : null,
            `${v.file}: a variant that is not a capped twin: its memory maximum`);
        const twin = cappedTwin(v.file);
        if (twin === null) {
            continue;
        }
        const t = entries.find((e) => e.file === twin);
        assert.equal(t.maxPages, 256, `${twin}: maxPages`);
        for (const key of ['variant', 'grows', 'features', 'extraExports', 'initialPages', 'stateAddress']) {
            assert.deepEqual(t[key], v[key], `${twin}: ${key} differs from ${v.file}'s`);
        }
    }
    const unlisted = wasmFiles().filter((f) => !files.includes(f));
    assert.deepEqual(unlisted, [], `${WASM_DIR} holds modules that modules.json does not list `
        + '(left over from an older build? mvn clean)');
});

/** The actual size and the budget of talc.wasm, for the test's name ('?' when unreadable: the test says why). */
const budgetTitle = (() => {
    try {
        const max = JSON.parse(readFileSync(SIZE_BUDGET, 'utf8'))['talc.wasm'];
        return `${statSync(wasmPath('talc.wasm')).size} bytes, budget ${max}`;
    } catch {
        return '?';
    }
})();

test(`talc.wasm is within its byte budget in size-budget.json (${budgetTitle})`, () => {
    const budget = JSON.parse(readFileSync(SIZE_BUDGET, 'utf8'));
    assert.ok(Number.isInteger(budget['talc.wasm']), `${SIZE_BUDGET} gives no budget for talc.wasm`);
    for (const [file, max] of Object.entries(budget)) {
        const size = statSync(wasmPath(file)).size;
        console.log(`size budget: ${file} is ${size} bytes, budget ${max} bytes`);
        assert.ok(size <= max, `${file} is ${size} bytes, over its budget of ${max} bytes (${size - max} bytes too many)`);
    }
});

for (const entry of entries) {
    const { file } = entry;
    const imports = [entry.importedMemory && 'env.memory', entry.forLinking && 'env.__heap_base',
        entry.features.checked === true && 'env.talc_report'].filter(Boolean);
    const title = `${file}: valid, imports ${imports.length > 0 ? 'only ' + imports.join(' and ') : 'nothing'}, exports `
        + `exactly ${entry.importedMemory ? '' : 'memory, '}the six allocator functions and its extraExports`;
    test(title, () => {
        const bytes = readFileSync(wasmPath(file));
        assert.ok(WebAssembly.validate(bytes), `${file} does not validate`);
        const m = compile(file);
        const expectedImports = [
            ...(entry.importedMemory ? [{ module: 'env', name: 'memory', kind: 'memory' }] : []),
            ...(entry.forLinking ? [{ module: 'env', name: '__heap_base', kind: 'global' }] : []),
            ...(entry.features.checked === true ? [{ module: 'env', name: 'talc_report', kind: 'function' }] : []),
        ];
        assert.deepEqual(WebAssembly.Module.imports(m), expectedImports, `${file} imports`);
        const expected = { ...EXPECTED_EXPORTS };
        if (entry.importedMemory) {
            delete expected.memory;
        }
        for (const name of entry.extraExports) {
            expected[name] = 'function';
        }
        const exports = Object.fromEntries(WebAssembly.Module.exports(m).map((e) => [e.name, e.kind]));
        assert.deepEqual(exports, expected, `${file} exports (extraExports in modules.json: ${JSON.stringify(entry.extraExports)})`);
        assert.equal(WebAssembly.Module.exports(m).length, Object.keys(expected).length, `${file}: duplicate export names`);
        const memory = new WebAssembly.Memory({ initial: 1 });
        const instance = new WebAssembly.Instance(m, moduleImports(file, entry.importedMemory ? memory : undefined));
        assert.ok((entry.importedMemory ? memory : instance.exports.memory) instanceof WebAssembly.Memory);
        const params = { ...PARAMS };
        for (const name of entry.extraExports) {
            if (name in EXTRA_PARAMS) {
                params[name] = EXTRA_PARAMS[name];
            }
        }
        for (const [name, n] of Object.entries(params)) {
            assert.equal(instance.exports[name].length, n, `${file}: ${name} takes ${instance.exports[name].length} parameters`);
        }
    });

    test(`${file}: a start function only with its own memory, no data segments, memory limits as named and as in modules.json`, () => {
        const bytes = readFileSync(wasmPath(file));
        assert.deepEqual([...bytes.subarray(0, 8)], [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0], 'magic and version 1');
        const secs = sections(bytes);
        const ids = secs.map((s) => s.id);
        assert.equal(ids.includes(2), entry.importedMemory || entry.features.checked === true,
            `${file}: import section present only for an imported memory or a checked build's report hook`);
        assert.equal(ids.includes(8), !entry.importedMemory,
            `${file}: start function (boots the allocator) present exactly when the module owns its memory`);
        for (const id of [11, 12]) {
            const s = secs.find((x) => x.id === id);
            if (s) {
                assert.equal(leb(bytes, s.start)[0], 0, `${file} has data segments (section ${id})`);
            }
        }
        if (entry.importedMemory) {
            assert.ok(!ids.includes(5), `${file} defines a memory besides the imported one`);
            return;
        }
        const mem = secs.find((s) => s.id === 5);
        assert.ok(mem, `${file} defines no memory`);
        const [count, p1] = leb(bytes, mem.start);
        assert.equal(count, 1, 'one memory');
        const flags = bytes[p1];
        assert.ok(flags === 0 || flags === 1, `${file}: memory flags ${flags} (shared or 64-bit memory?)`);
        const [initial, p2] = leb(bytes, p1 + 1);
        const max = flags === 1 ? leb(bytes, p2)[0] : null;
        const named = /max(\d+)/.exec(file);
        assert.equal(max, named ? Number(named[1]) : entry.grows ? ADDRESSABLE_PAGES : null,
            `${file}: declared memory maximum`);
        assert.equal(initial, entry.initialPages, `${file}: initial memory pages vs. initialPages in modules.json`);
        assert.equal(max, entry.maxPages, `${file}: memory maximum vs. maxPages in modules.json`);
        assert.ok(initial >= 1 && (max === null || initial <= max), `${file}: initial memory ${initial} pages`);
        // The instance agrees: memory grows to the maximum and no further.
        const t = instantiate(file);
        assert.equal(t.pages, initial);
        if (max !== null) {
            t.memory.grow(max - initial);
            assert.throws(() => t.memory.grow(1), RangeError, `${file}: memory grew past ${max} pages`);
        } else {
            t.memory.grow(300);
            assert.equal(t.pages, initial + 300);
        }
    });

    test(`${file}: wasm-validate (wabt) accepts it`, () => {
        const r = spawnSync(process.execPath, [WASM_VALIDATE, wasmPath(file)], { encoding: 'utf8' });
        assert.ifError(r.error);
        assert.equal(r.status, 0, `wasm-validate ${file} exited with ${r.status}: ${r.stderr}${r.stdout}`);
    });
}

test('modules.json: the layout describes the modules (a block\'s header word), and a manifest without one is refused', () => {
    for (const { file, importedMemory } of variants()) {
        const t = instantiate(file);
        const h = LAYOUT.header;
        for (const size of [0, 100, 5000]) {
            const p = t.malloc(size);
            const header = new DataView(t.memory.buffer).getUint32(p - h.bytes, true);
            assert.ok((header & h.allocated) !== 0, `${file}: malloc(${size}) at ${p}: header ${header} not allocated`);
            const seal = feature(t.info, 'checked') ? h.sealBytes : 0;
            assert.equal(header & h.sizeMask, t.usable(p) + h.bytes + seal, `${file}: malloc(${size}): chunk size in the header`);
            assert.equal(p % h.unit, 0, `${file}${importedMemory ? ' (imported memory)' : ''}`);
        }
    }
    assert.throws(() => layoutOf({ modules: manifest() }), /no valid layout\.header, layout\.misuse, layout\.counters/);
    assert.throws(() => layoutOf(manifest()), /no valid layout/, 'the array of an older build');
});
