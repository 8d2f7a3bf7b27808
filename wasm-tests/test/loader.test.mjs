// The talc-wasm package's API in detail, in Node, on a copy of the package filled from this
// build: createTalc's options and their errors, initialPages and maximumPages, the sources a
// module can come from, a region of a memory passed in, the checked calls (every mistake a
// thrown Error, running out of memory a 0), and the views.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { stagedPackage } from '../support/package-fixture.mjs';
import { readManifest } from '../../scripts/manifest.mjs';

const packageDir = await stagedPackage();
const { createTalc, PAGE_SIZE, Talc, VARIANTS } = await import(pathToFileURL(join(packageDir, 'index.js')).href);
const wasmFile = (variant) => join(packageDir, 'wasm', `${variant}.wasm`);
const manifest = readManifest(join(packageDir, 'wasm')).modules;
const pages = (talc) => talc.memory.buffer.byteLength / PAGE_SIZE;
/** Variants that own a memory that grows. */
const GROWING = manifest.filter((e) => e.grows && !e.importedMemory).map((e) => e.variant);

/** Asserts that `fn` (sync or async) throws an Error of `type` whose message matches `pattern`. */
async function rejects(fn, type, pattern) {
    await assert.rejects(async () => fn(), (e) => {
        assert.ok(e instanceof type, `expected a ${type.name}, got ${e}`);
        assert.match(e.message, /^talc-wasm: /);
        assert.match(e.message, pattern);
        return true;
    });
}

test('VARIANTS names every shipped module but the one for linking; each owns its memory except talc-imported', async () => {
    assert.deepEqual([...VARIANTS].sort(), manifest.filter((e) => !e.forLinking).map((e) => e.variant).sort());
    for (const variant of VARIANTS.filter((v) => v !== 'talc-imported')) {
        const talc = await createTalc({ variant });
        assert.ok(talc instanceof Talc);
        assert.equal(talc.variant, variant);
        assert.equal(talc.region, null);
        assert.equal(pages(talc), manifest.find((e) => e.variant === variant).initialPages);
    }
});

test('createTalc rejects bad options with the reason', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    await rejects(() => createTalc({ maxPages: 4 }), TypeError, /unknown option 'maxPages'/);
    await rejects(() => createTalc(null), TypeError, /options must be an object/);
    await rejects(() => createTalc({ variant: 'talc-turbo' }), Error, /unknown variant "talc-turbo" \(variants: talc, /);
    await rejects(() => createTalc({ memory: new ArrayBuffer(8) }), TypeError, /must be a WebAssembly.Memory, got a ArrayBuffer/);
    await rejects(() => createTalc({ memory, variant: 'talc' }), Error, /talc owns its memory; only talc-imported/);
    await rejects(() => createTalc({ memory, initialPages: 2 }), Error, /size the memory yourself/);
    await rejects(() => createTalc({ memory, limit: 4096 }), Error, /`limit` needs `start`/);
    await rejects(() => createTalc({ memory: new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true }) }), Error,
        /memory is shared \(a threads memory\); talc-imported imports an unshared memory/);
    await rejects(() => createTalc({ variant: 'talc-imported' }), Error, /inside a memory you pass/);
    await rejects(() => createTalc({ start: 1024 }), Error, /`start` and `limit` are for a memory/);
    await rejects(() => createTalc({ maximumPages: 0 }), RangeError, /maximumPages must be an integer from 1 to 32767/);
    await rejects(() => createTalc({ initialPages: 8, maximumPages: 4 }), RangeError, /initialPages must be an integer from 1 to 4, got 8/);
    await rejects(() => createTalc({ initialPages: 1.5 }), RangeError, /initialPages/);
});

test('initialPages: the allocator grows its memory to exactly that, and the pages are all free in its heap', async () => {
    for (const variant of GROWING) {
        for (const n of [1, 2, 3, 17, 300]) {
            const talc = await createTalc({ variant, initialPages: n });
            assert.equal(pages(talc), n, `${variant}, initialPages ${n}`);
            // All but the allocator's own first kilobytes serve one request without growing.
            const ptr = talc.malloc((n - 1) * PAGE_SIZE);
            assert.notEqual(ptr, 0);
            assert.equal(pages(talc), n, `${variant}, initialPages ${n}: grew again for the reserved pages`);
        }
    }
    const counted = await createTalc({ variant: 'talc-counters', initialPages: 40 });
    const c = counted.counters();
    assert.equal(c.allocationCount, 0);
    assert.equal(c.heapCount, 1);
    assert.equal(c.fragmentCount, 1, 'the reserved pages are one free block');
    assert.ok(c.availableBytes > 39 * PAGE_SIZE, `${c.availableBytes} bytes free`);
});

test('initialPages on the arena: within its 256 pages nothing changes, beyond them it is an error', async () => {
    assert.equal(pages(await createTalc({ variant: 'talc-arena', initialPages: 100 })), 256);
    await rejects(() => createTalc({ variant: 'talc-arena', initialPages: 300 }), Error,
        /initialPages 300: talc-arena could not grow its memory from 256 to 300 pages/);
});

test('maximumPages: memory never grows past it, requests beyond it return 0, the rest still works', async () => {
    for (const variant of GROWING) {
        const talc = await createTalc({ variant, maximumPages: 20 });
        const blocks = [];
        for (let p = talc.malloc(100_000); p !== 0; p = talc.malloc(100_000)) {
            blocks.push(p);
        }
        assert.equal(pages(talc), 20, variant);
        assert.ok(blocks.length >= 12, `${variant}: ${blocks.length} blocks of 100 kB in 20 pages`);
        assert.throws(() => talc.memory.grow(1), RangeError, 'the engine enforces the maximum');
        assert.equal(talc.malloc(2 ** 31), 0);
        talc.free(blocks.pop());
        assert.notEqual(talc.malloc(100_000), 0, `${variant}: after a free, the room is used again`);
    }
    await rejects(() => createTalc({ variant: 'talc-arena', maximumPages: 100 }), Error,
        /maximumPages 100 is below the 256 pages talc-arena starts with/);
    const module = await WebAssembly.compile(readFileSync(wasmFile('talc')));
    await rejects(() => createTalc({ source: module, maximumPages: 4 }), Error, /maximumPages needs the module as bytes/);
});

test('source: a path, a file URL, bytes, a Response; unreadable, invalid or foreign modules are errors', async () => {
    for (const source of [wasmFile('talc'), relative(process.cwd(), wasmFile('talc')),
        pathToFileURL(wasmFile('talc')).href, pathToFileURL(wasmFile('talc'))]) {
        const talc = await createTalc({ source });
        assert.equal(talc.variant, 'the module passed as source');
        assert.notEqual(talc.malloc(10), 0);
    }
    const counters = await createTalc({ variant: 'talc-counters', source: readFileSync(wasmFile('talc-counters')) });
    assert.equal(counters.variant, 'talc-counters');
    assert.ok(counters.hasCounters);
    await rejects(() => createTalc({ source: '/nonexistent/talc.wasm' }), Error, /cannot read \/nonexistent\/talc.wasm: ENOENT/);
    await rejects(() => createTalc({ source: new Response('gone', { status: 404, statusText: 'Not Found' }) }), Error,
        /answered HTTP 404 Not Found/);
    await rejects(() => createTalc({ source: new Uint8Array([1, 2, 3]) }), Error, /is not a valid WebAssembly module/);
    // fetch() of a server that is not there: the promise rejects with a TypeError of its own
    await rejects(() => createTalc({ source: fetch('http://127.0.0.1:1/talc.wasm') }), Error,
        /the module passed as source: the source failed to load: fetch failed/);
    await rejects(() => createTalc({ source: Promise.reject(new RangeError('no')) }), Error, /the source failed to load: no$/);
    await rejects(() => createTalc({ source: 42 }), TypeError, /expected bytes .* got number 42/);
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6D, 1, 0, 0, 0]);
    await rejects(() => createTalc({ source: empty }), Error, /is not an allocator module: it does not export malloc, free/);
    await rejects(() => createTalc({ source: readFileSync(wasmFile('talc-imported')) }), Error, /exports no memory of its own/);
    await rejects(() => createTalc({ memory: new WebAssembly.Memory({ initial: 1 }), source: readFileSync(wasmFile('talc')) }),
        Error, /cannot work inside another memory/);
});

test('a memory passed in: init later, or at once; nothing works before init; init is checked', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const talc = await createTalc({ memory });
    assert.equal(talc.variant, 'talc-imported');
    assert.equal(talc.region, null);
    assert.equal(talc.memory, memory);
    await rejects(() => talc.malloc(10), Error, /serves no region yet; call init\(start, limit\) first/);
    assert.equal(talc.abi.malloc(10), 0, 'the raw function fails with 0 before init');
    await rejects(() => talc.init(0), RangeError, /start must be an integer from 1/);
    await rejects(() => talc.init(4096, 2048), RangeError, /limit must be 0 \(none\) or above start/);
    await rejects(() => talc.init(70_000), Error, /init\(70000, 0\): the region is too small .*\(memory is 65536 bytes\)/);
    talc.init(4096, 32 * PAGE_SIZE);
    assert.deepEqual(talc.region, { start: 4096, limit: 32 * PAGE_SIZE });
    await rejects(() => talc.init(8192), Error, /already serves \[0x1000, 0x200000\)/);
    const ptr = talc.malloc(100);
    assert.ok(ptr >= 4096);
    await rejects(() => talc.free(2048), Error, /0x800 is outside the allocator's memory \[0x1000, 0x10000\)/);
    const own = await createTalc();
    await rejects(() => own.init(4096), Error, /owns its memory; init\(\) is for a module created with `memory`/);
});

test('the checked calls: C semantics for results, a thrown Error for every mistake', async () => {
    const talc = await createTalc();
    const ptr = talc.malloc(1);
    assert.equal(talc.usableSize(ptr), 12);
    assert.equal(talc.usableSize(0), 0);
    assert.equal(talc.malloc(0x7FFF0001), 0, 'too big: 0');
    assert.equal(talc.malloc(0xFFFFFFFF), 0, 'the largest u32: 0');
    assert.equal(talc.calloc(0x10000, 0x10000), 0, 'overflowing product: 0');
    const zeroed = talc.calloc(100, 8);
    assert.ok(talc.bytes(zeroed, 800).every((b) => b === 0));
    const aligned = talc.alignedAlloc(4096, 10);
    assert.equal(aligned % 4096, 0);
    talc.free(aligned);
    await rejects(() => talc.alignedAlloc(24, 10), RangeError, /align must be a power of two, got 24/);
    await rejects(() => talc.alignedAlloc(2 ** 31, 10), RangeError, /align must be an integer from 1 to 1073741824/);
    await rejects(() => talc.malloc(-1), RangeError, /size must be an integer from 0 to 4294967295, got -1/);
    await rejects(() => talc.malloc(2 ** 32 + 16), RangeError, /got 4294967312/);
    await rejects(() => talc.malloc(NaN), RangeError, /got NaN/);
    await rejects(() => talc.malloc(10n), TypeError, /size must be a number, got bigint 10/);
    await rejects(() => talc.calloc(2, '8'), TypeError, /calloc\(n, size\): size must be a number, got "8"/);

    const p = talc.malloc(100);
    await rejects(() => talc.free(p + 8), Error, /free\(ptr\): 0x[0-9a-f]+ is not a block \(blocks are 16-aligned\)/);
    await rejects(() => talc.free(p + 16), Error, /no allocated block starts at/);
    await rejects(() => talc.free(0x7FFF0000), Error, /is outside the allocator's memory \[0x10, 0x10000\)/);
    await rejects(() => talc.realloc(p + 8, 10), Error, /realloc\(ptr, size\): .* is not a block/);
    await rejects(() => talc.usableSize(p + 16), Error, /usableSize\(ptr\): no allocated block/);
    talc.free(0);
    talc.free(p);
    await rejects(() => talc.free(p), Error, /no allocated block starts at 0x[0-9a-f]+ \(was it freed already\?\)/);

    const q = talc.realloc(0, 50);
    talc.bytes(q, 50).fill(9);
    const r = talc.realloc(q, 5000);
    assert.ok(talc.bytes(r, 50).every((b) => b === 9));
    assert.equal(talc.realloc(r, 0), 0, 'realloc(p, 0) frees p and returns 0');
    await rejects(() => talc.free(r), Error, /no allocated block/);
});

test('views: bytes and array over the block, checked; a view follows memory growth', async () => {
    const talc = await createTalc();
    const ptr = talc.malloc(100);
    assert.equal(talc.bytes(ptr).length, 108, 'bytes() defaults to the usable size');
    assert.equal(talc.array(Float64Array, ptr).length, 13, 'array() defaults to what fits');
    assert.equal(talc.array(Uint16Array, ptr, 3).byteOffset, ptr);
    await rejects(() => talc.array(Float64Array, ptr + 4, 1), RangeError, /is not aligned to 8 bytes/);
    await rejects(() => talc.bytes(ptr, PAGE_SIZE), RangeError, /runs past the end of memory \(0x10000\)/);
    await rejects(() => talc.array(Array, ptr, 1), TypeError, /expected a typed array constructor/);
    await rejects(() => talc.bytes(ptr + 16), Error, /no allocated block/);

    const view = talc.view(Int32Array, ptr, 4);
    assert.equal(view.ptr, ptr);
    assert.equal(view.length, 4);
    view.array.set([1, -2, 3, -4]);
    assert.equal(view.array, view.array, 'the same array while memory does not grow');
    const before = view.array;
    talc.malloc(4 << 20);
    assert.equal(before.length, 0, 'growth detached the old array');
    assert.deepEqual([...view.array], [1, -2, 3, -4]);
    assert.ok(Object.isFrozen(view));
});

test('counters: only talc-counters has them; they follow the checked calls', async () => {
    await rejects(async () => (await createTalc()).counters(), Error, /talc keeps no counters; create the allocator with \{ variant: 'talc-counters' \}/);
    const talc = await createTalc({ variant: 'talc-counters' });
    const start = talc.counters();
    const blocks = [10, 100, 1000].map((n) => talc.malloc(n));
    const c = talc.counters();
    assert.equal(c.allocationCount, 3);
    assert.equal(c.allocatedBytes, blocks.reduce((s, p) => s + talc.usableSize(p), 0));
    assert.equal(c.totalAllocationCount, start.totalAllocationCount + 3);
    assert.equal(c.claimedBytes, c.allocatedBytes + c.availableBytes + 4 * (c.allocationCount + c.heapCount));
});
