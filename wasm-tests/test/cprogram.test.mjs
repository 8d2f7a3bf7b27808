// talc as the allocator of another module: the C program in examples/c-hashtable (a hash table
// of strings, built by clang and lld for wasm32 with malloc, calloc, realloc, free and its
// memory imported) runs in Node both ways: with talc-imported.wasm serving the memory above its
// data and stack ("shared"), and with talc merged into it by the package's `talc-wasm link`
// ("linked": one module that imports only its memory). The table's contents are checked against
// a JavaScript Map; the C module's data (a guard array), the unused depth of its stack and the
// memory below its data are checked untouched; and where memory stops (a limit, or a memory that
// cannot grow) the program sees a clean out-of-memory.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { hashtableWasm, linkedHashtable, missing, stagedPackage } from '../support/package-fixture.mjs';

const skip = missing('clang') || missing('wasm-ld');
const { createTalc, PAGE_SIZE } = await import(pathToFileURL(join(await stagedPackage(), 'index.js')).href);
const hashtable = skip ? null : await WebAssembly.compile(readFileSync(hashtableWasm()));
const linked = skip ? null : await WebAssembly.compile(await linkedHashtable());
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Bytes of the stack, under __heap_base, that the program may use; the rest is checked unused. */
const STACK_IN_USE = 16 * 1024;
const MARK = 0x6B;

/** JavaScript's access to the allocator of a linked module: its exports, and views of its memory. */
function exportedAllocator(c, memory) {
    return {
        malloc: (size) => c.malloc(size) >>> 0,
        free: (ptr) => c.free(ptr),
        bytes: (ptr, length) => new Uint8Array(memory.buffer, ptr, length),
        array: (Type, ptr, length) => new Type(memory.buffer, ptr, length),
    };
}

/**
 * The C program instantiated over a fresh memory of `pages` pages (at most `maximum`), its
 * allocator talc, either linked in or talc-imported.wasm serving [__heap_base, limit), with
 * helpers that pass strings through blocks JavaScript allocates from the same talc.
 */
async function start(mode, { limit = 0, pages = 2, maximum } = {}) {
    const memory = new WebAssembly.Memory({ initial: pages, maximum });
    let talc;
    let c;
    if (mode === 'linked') {
        ({ exports: c } = await WebAssembly.instantiate(linked, { env: { memory } }));
        talc = exportedAllocator(c, memory);
    } else {
        talc = await createTalc({ memory });
        ({ exports: c } = await WebAssembly.instantiate(hashtable, { env: { memory, ...talc.abi } }));
        talc.init(c.__heap_base.value, limit);
    }
    const heapBase = c.__heap_base.value;
    const dataEnd = c.__data_end.value;
    new Uint8Array(memory.buffer).fill(MARK, dataEnd, heapBase - STACK_IN_USE);
    const table = c.table_new();
    assert.notEqual(table, 0);

    /** Calls fn(ptr, len) with `text` in a talc block, then frees the block. */
    const withString = (text, fn) => {
        const bytes = encoder.encode(text);
        const ptr = talc.malloc(bytes.length);
        assert.notEqual(ptr, 0, 'no memory for a string from JavaScript');
        talc.bytes(ptr, bytes.length).set(bytes);
        try {
            return fn(ptr, bytes.length);
        } finally {
            talc.free(ptr);
        }
    };
    const append = (key, data) => withString(key, (k, kLen) => withString(data, (d, dLen) => c.table_append(table, k, kLen, d, dLen)));
    const remove = (key) => withString(key, (k, kLen) => c.table_remove(table, k, kLen));
    const get = (key) => withString(key, (k, kLen) => {
        const value = c.table_get(table, k, kLen) >>> 0;
        if (value === 0) {
            return null;
        }
        const [len, cap] = talc.array(Uint32Array, value, 2);
        assert.ok(len <= cap, `value of ${key}: length ${len}, capacity ${cap}`);
        return decoder.decode(talc.bytes(value + 8, len));
    });

    /** Null when the C module's memory below its heap is as it should be, else what changed. */
    const damage = () => {
        const u8 = new Uint8Array(memory.buffer);
        if (c.guard_intact() !== 1) {
            return 'the guard array in the C module\'s data changed';
        }
        if (!u8.subarray(0, 1024).every((b) => b === 0)) {
            return 'the memory below the C module\'s data changed';
        }
        if (!u8.subarray(dataEnd, heapBase - STACK_IN_USE).every((b) => b === MARK)) {
            return 'the unused depth of the C module\'s stack changed';
        }
        const lowest = c.lowest_block() >>> 0;
        if (lowest < heapBase) {
            return `the C module got a block at ${lowest}, below __heap_base ${heapBase}`;
        }
        return null;
    };
    return { memory, talc, c, table, heapBase, append, remove, get, damage };
}

/** Asserts that the table holds exactly the model's keys and values. */
function assertTable(run, model, removed) {
    assert.equal(run.c.table_count(run.table), model.size);
    for (const [key, value] of model) {
        assert.equal(run.get(key), value, `value of ${key}`);
    }
    for (const key of removed) {
        if (!model.has(key)) {
            assert.equal(run.get(key), null, `${key} was removed`);
        }
    }
}

for (const mode of ['shared', 'linked']) {
    test(`${mode}: a C hash table of strings runs with talc as its allocator in a growing memory`, { skip }, async () => {
        const run = await start(mode);
        const model = new Map();
        const removed = new Set();
        for (let i = 0; i < 30_000; i++) {
            const key = `key-${(i * 7919) % 4000}`;
            const data = `${i};`.repeat(1 + (i % 5));
            assert.equal(run.append(key, data), 1, `table_append(${key}) ran out of memory`);
            model.set(key, (model.get(key) ?? '') + data);
            if (i % 7 === 0) {
                const gone = `key-${(i * 31) % 4000}`;
                assert.equal(run.remove(gone), model.delete(gone) ? 1 : 0, `table_remove(${gone})`);
                removed.add(gone);
            }
        }
        const bytes = run.memory.buffer.byteLength;
        assert.ok(bytes > 8 * PAGE_SIZE, `memory did not grow (${bytes} bytes)`);
        assertTable(run, model, removed);
        assert.equal(run.damage(), null);
        // Freed, every block merges back: all of the region but the allocator's state serves one
        // request without growing memory.
        run.c.table_free(run.table);
        assert.notEqual(run.talc.malloc(bytes - run.heapBase - 1024), 0, 'the table leaked or left the heap fragmented');
        assert.equal(run.memory.buffer.byteLength, bytes);
    });
}

test('shared and linked, the C workload gives the same table, in the same memory', { skip }, async () => {
    const [shared, linkedRun] = [await start('shared'), await start('linked')];
    const checksum = (run) => run.c.table_workload(100_000, 3_000, 7) >>> 0;
    assert.notEqual(checksum(shared), 0);
    assert.equal(checksum(linkedRun), checksum(shared));
    assert.equal(linkedRun.memory.buffer.byteLength, shared.memory.buffer.byteLength, 'the same heap, the same growth');
    assert.equal(linkedRun.damage(), null);
});

/** Appends values of about 1 kB to the C table (and to `model`) until an append fails; returns the failed key's number. */
function appendUntilFull(run, model) {
    for (let i = 0; ; i++) {
        const key = `k${i}`;
        const data = 'x'.repeat(1000 + (i % 64));
        if (run.append(key, data) === 0) {
            return i;
        }
        model.set(key, data);
    }
}

test('linked: when memory cannot grow, the C program sees out-of-memory, its table intact', { skip }, async () => {
    const run = await start('linked', { pages: 2, maximum: 16 });
    const model = new Map();
    const i = appendUntilFull(run, model);
    assert.ok(model.size > 500, `only ${model.size} values of 1 kB fit in 1 MiB`);
    assert.equal(run.memory.buffer.byteLength, 16 * PAGE_SIZE);
    assertTable(run, model, []);
    assert.equal(run.damage(), null);
    assert.equal(run.remove('k0'), 1);
    model.delete('k0');
    assert.equal(run.append(`k${i}`, 'after'), 1);
    model.set(`k${i}`, 'after');
    assertTable(run, model, []);
});

test('shared, with a limit: talc keeps below it and the C program sees out-of-memory, its table intact', { skip }, async () => {
    const limit = 16 * PAGE_SIZE;
    // Memory above the limit, as another party would use it.
    const run = await start('shared', { limit, pages: 20 });
    const above = new Uint8Array(run.memory.buffer, limit);
    above.fill(0xA7);
    const model = new Map();
    const i = appendUntilFull(run, model);
    assert.ok(model.size > 500, `only ${model.size} values of 1 kB fit below the limit`);
    assert.equal(run.memory.buffer.byteLength, 20 * PAGE_SIZE, 'memory grew');
    assert.ok(new Uint8Array(run.memory.buffer, limit).every((b) => b === 0xA7), 'talc wrote above its limit');
    assertTable(run, model, []);
    assert.equal(run.damage(), null);
    // Room again after removing some keys.
    for (let k = 0; k < 10; k++) {
        assert.equal(run.remove(`k${k}`), 1);
        model.delete(`k${k}`);
    }
    assert.equal(run.append(`k${i}`, 'after'), 1);
    model.set(`k${i}`, 'after');
    assertTable(run, model, []);
});
