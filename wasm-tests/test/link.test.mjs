// `talc-wasm link` (the staged package's lib/link.js, with wasm-target's binaryen): a module
// whose static constructor allocates, its memory its own (clang's default), comes out as one
// module that imports nothing, and the constructor's block is talc's, above __heap_base; a module
// that cannot take talc is refused with what to change. (cprogram.test.mjs runs the C example
// linked, with an imported memory.)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BINARYEN, ROOT, SUPPORT_DIR, missing, scratchDir, stagedPackage } from '../support/package-fixture.mjs';
import { wasmPath } from './talc.mjs';

const skip = missing('clang') || missing('wasm-ld');
const { link } = await import(pathToFileURL(join(await stagedPackage(), 'lib', 'link.js')).href);
const dir = scratchDir('link');

/** static-constructor.c built by clang for wasm32 with talc.h, with extra linker flags. */
function build(name, flags) {
    const out = join(dir, `${name}.wasm`);
    execFileSync('clang', ['--target=wasm32', '-nostdlib', '-O2', '-I', join(ROOT, 'package'), '-Wl,--no-entry',
        ...flags, '-o', out, join(SUPPORT_DIR, 'static-constructor.c')]);
    return readFileSync(out);
}

test('a static constructor allocates from talc: the linked module imports nothing, its block is above __heap_base',
    { skip }, () => {
        const linked = link(build('ctor', ['-Wl,--export=__heap_base']), { binaryen: BINARYEN });
        const module = new WebAssembly.Module(linked);
        assert.deepEqual(WebAssembly.Module.imports(module), []);
        const { greeting, memory, __heap_base: heapBase, malloc_usable_size: usable } = new WebAssembly.Instance(module, {}).exports;
        const ptr = greeting() >>> 0;
        assert.ok(ptr >= heapBase.value && ptr % 16 === 0, `the block at ${ptr}, __heap_base ${heapBase.value}`);
        assert.equal(new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, 5)), 'hello');
        assert.equal(usable(ptr), 12);
    });

test('a module that cannot take talc is refused, saying what to change', { skip }, () => {
    assert.throws(() => link(build('no-heap-base', []), { binaryen: BINARYEN, what: 'app.wasm' }),
        /app\.wasm does not export __heap_base, above which talc works: link it with -Wl,--export=__heap_base/);
    const talc = readFileSync(wasmPath('talc.wasm'));
    assert.throws(() => link(talc, { binaryen: BINARYEN, what: 'talc.wasm' }),
        /talc\.wasm imports none of malloc, free, realloc, calloc, aligned_alloc, malloc_usable_size/);
    assert.throws(() => link(build('ctor', ['-Wl,--export=__heap_base']), { binaryen: BINARYEN, level: '9' }),
        /unknown optimisation level -O9/);
});
