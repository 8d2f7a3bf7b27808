// Every built module: valid, imports nothing, exports exactly the C ABI and its memory, no start
// function and no data (the allocator needs neither), and the declared memory maximum matches
// the file (talc-max256.wasm: 256 pages; the others: none). wasm-validate (wabt) checks each
// file too, when it is installed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compile, instantiate, wasmFiles, wasmPath } from './talc.mjs';

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

const files = wasmFiles();

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
function leb(bytes, pos) {
    let value = 0;
    let shift = 0;
    for (;;) {
        const b = bytes[pos++];
        value += (b & 0x7F) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) {
            return [value, pos];
        }
    }
}

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
    assert.ok(files.includes('talc.wasm'), `talc.wasm missing; found ${files.join(', ')}`);
    assert.ok(files.includes('talc-max256.wasm'), `talc-max256.wasm missing; found ${files.join(', ')}`);
});

for (const file of files) {
    test(`${file}: valid, no imports, exports exactly memory and the six allocator functions`, () => {
        const bytes = readFileSync(wasmPath(file));
        assert.ok(WebAssembly.validate(bytes), `${file} does not validate`);
        const m = compile(file);
        assert.deepEqual(WebAssembly.Module.imports(m), [], `${file} imports something`);
        assert.equal(WebAssembly.Module.imports(m).length, 0);
        const exports = Object.fromEntries(WebAssembly.Module.exports(m).map((e) => [e.name, e.kind]));
        assert.deepEqual(exports, EXPECTED_EXPORTS, `${file} exports`);
        assert.equal(WebAssembly.Module.exports(m).length, 7, `${file}: duplicate export names`);
        const instance = new WebAssembly.Instance(m, {});
        assert.ok(instance.exports.memory instanceof WebAssembly.Memory);
        for (const [name, params] of Object.entries(PARAMS)) {
            assert.equal(instance.exports[name].length, params, `${file}: ${name} takes ${instance.exports[name].length} parameters`);
        }
    });

    test(`${file}: no start function, no data segments, memory limits as named`, () => {
        const bytes = readFileSync(wasmPath(file));
        assert.deepEqual([...bytes.subarray(0, 8)], [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0], 'magic and version 1');
        const secs = sections(bytes);
        const ids = secs.map((s) => s.id);
        assert.ok(!ids.includes(2), `${file} has an import section`);
        assert.ok(!ids.includes(8), `${file} has a start function`);
        for (const id of [11, 12]) {
            const s = secs.find((x) => x.id === id);
            if (s) {
                assert.equal(leb(bytes, s.start)[0], 0, `${file} has data segments (section ${id})`);
            }
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
        assert.equal(max, named ? Number(named[1]) : null, `${file}: declared memory maximum`);
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

    test(`${file}: wasm-validate (wabt) accepts it`, (t) => {
        const r = spawnSync('wasm-validate', [wasmPath(file)], { encoding: 'utf8' });
        if (r.error && r.error.code === 'ENOENT') {
            t.skip('wasm-validate (wabt) is not installed');
            return;
        }
        assert.ifError(r.error);
        assert.equal(r.status, 0, `wasm-validate ${file} exited with ${r.status}: ${r.stderr}${r.stdout}`);
    });
}
