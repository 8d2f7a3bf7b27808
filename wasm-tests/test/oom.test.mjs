// Running out of memory, for every module variant in modules.json: a variant that grows memory
// is tested through its capped twin (talc-max256.wasm is talc.wasm with its memory capped at 256
// pages, 16 MiB), a variant that never grows (the arena) through itself, with its initial memory
// as the limit that memory.buffer.byteLength must never pass. Every failure must be a 0 return
// that leaves all live blocks intact, and the heap must keep working afterwards.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
    KiB, MAX_REQUEST, MiB, PAGE, Rng, blockProblem, checkPattern, checkZero, fillPattern, findOverlap, hex,
    cappedTwin, instantiate, moduleInfo, runModel, variantChecks, variants,
} from './talc.mjs';

/**
 * What runs out of memory, per variant: {file, variant, grows, maxBytes}: the capped twin of a
 * variant that grows (maxBytes its declared maximum), the variant itself when it never grows
 * (maxBytes its initial memory). A growing variant without a capped twin has no OOM tests.
 */
const targets = [];
for (const v of variants()) {
    const twin = v.grows ? cappedTwin(v.file) : v.file;
    if (twin === null) {
        continue;
    }
    const info = moduleInfo(twin);
    const maxBytes = v.grows ? info.maxPages * PAGE : info.initialPages * PAGE;
    targets.push({ file: twin, variant: v.file, grows: v.grows, maxBytes, maxPages: maxBytes / PAGE });
}

/** The OOM tests for one target (see targets). */
function oomTests({ file, grows, maxBytes, maxPages }) {
    /** How the limit is kept: the declared maximum, or (arena) memory never grown at all. */
    const limitNote = grows ? `memory capped at ${maxPages} pages` : 'memory.buffer.byteLength never changed';

    test(`${file}: the memory limit is 16 MiB, as the sizes in these tests assume`, () => {
        assert.equal(maxBytes, 16 * MiB, `${file}: limit ${maxBytes} bytes`);
        if (!grows) {
            assert.equal(instantiate(file).bytes, maxBytes, `${file}: initial memory`);
        }
    });

    function record(t, p, size, align, what) {
        const usable = t.usable(p);
        const problem = blockProblem(t, p, size, align, usable);
        assert.equal(problem, null, `${what}: ${problem}`);
        const b = { ptr: p, size, usable, off: (p * 7 + size) & 0xFFFF, what };
        fillPattern(t.u8, p, usable, b.off);
        return b;
    }

    function expectIntact(t, blocks, when) {
        for (const b of blocks) {
            const bad = checkPattern(t.u8, b.ptr, b.usable, b.off);
            assert.equal(bad, null, `${when}: block ${hex(b.ptr)} from ${b.what} changed at ${bad}`);
        }
    }

    /** One random allocation (malloc, calloc or aligned_alloc) of about `size` bytes; the block or null. */
    function tryAlloc(t, rng, size, i) {
        const k = rng.float();
        let p;
        let what;
        let align = 16;
        if (k < 0.2) {
            align = 2 ** rng.range(0, 16);
            what = `aligned_alloc(${align}, ${size}) #${i}`;
            p = t.alignedAlloc(align, size);
        } else if (k < 0.35) {
            what = `calloc(${size}, 1) #${i}`;
            p = t.calloc(size, 1);
            if (p !== 0) {
                assert.equal(checkZero(t.u8, p, size), null, `${what} = ${hex(p)} not zeroed`);
            }
        } else {
            what = `malloc(${size}) #${i}`;
            p = t.malloc(size);
        }
        assert.ok(t.bytes <= maxBytes, `${what}: memory is ${t.pages} pages, above the maximum ${maxPages}`);
        return p === 0 ? null : record(t, p, size, align, what);
    }

    /**
     * Fills a fresh instance to OOM with mixed sizes: random sizes up to 256 KiB until
     * 20 failures in a row, then ever smaller sizes until even malloc(0) fails.
     */
    function fillToOom(seed) {
        const t = instantiate(file);
        const rng = new Rng(seed);
        const blocks = [];
        let failures = 0;
        let i = 0;
        for (let streak = 0; streak < 20; i++) {
            const r = rng.float();
            const size = r < 0.5 ? rng.range(0, 256) : r < 0.8 ? rng.range(257, 8 * KiB) : rng.range(8 * KiB, 256 * KiB);
            const b = tryAlloc(t, rng, size, i);
            if (b) {
                blocks.push(b);
                streak = 0;
            } else {
                failures++;
                streak++;
            }
        }
        // Smaller and smaller, until not even a 12-byte block (one 16-byte chunk) is left anywhere.
        for (const size of [64 * KiB, 16 * KiB, 4 * KiB, 1 * KiB, 256, 64, 16, 0]) {
            for (;; i++) {
                const p = t.malloc(size);
                assert.ok(t.bytes <= maxBytes);
                if (p === 0) {
                    failures++;
                    break;
                }
                blocks.push(record(t, p, size, 16, `malloc(${size}) #${i}`));
            }
        }
        return { t, blocks, failures, calls: i };
    }

    test(`${file}: filling ${grows ? 'its 16 MiB' : 'the 16 MiB arena'} to OOM with mixed sizes: 0 returned, `
        + `contents intact, ${limitNote}, heap reusable`, () => {
        for (const seed of [1, 2, 3]) {
            const { t, blocks, failures, calls } = fillToOom(seed);
            assert.ok(failures > 0);
            assert.equal(t.bytes, maxBytes, `seed ${seed}: OOM with memory at ${t.pages} pages, not the maximum`);
            // The heap is really full: chunks (usable + header) cover nearly all memory above the state block.
            const used = blocks.reduce((s, b) => s + b.usable + 4, 0);
            const heap = maxBytes - t.heapFloor;
            console.log(`${file} oom seed ${seed}: ${blocks.length} blocks from ${calls} calls, ${failures} failures, `
                + `${(100 * used / heap).toFixed(2)}% of the heap allocated`);
            assert.ok(used > 0.99 * heap, `seed ${seed}: only ${used} of ${heap} heap bytes allocated at OOM`);
            assert.equal(findOverlap(blocks), null, `seed ${seed}`);
            expectIntact(t, blocks, `seed ${seed} at OOM`);

            // Failing requests of every kind leave everything as it is. malloc(0) and malloc(1)
            // need the smallest chunk: their search reaches the empty list below bin 0.
            for (const [what, call] of [
                ['malloc(0)', () => t.malloc(0)],
                ['malloc(1)', () => t.malloc(1)],
                ['malloc(16)', () => t.malloc(16)],
                ['malloc(1 MiB)', () => t.malloc(MiB)],
                ['calloc(4, 4)', () => t.calloc(4, 4)],
                ['aligned_alloc(4096, 16)', () => t.alignedAlloc(4096, 16)],
                ['realloc(0, 100)', () => t.realloc(0, 100)],
            ]) {
                assert.equal(call(), 0, `seed ${seed}: ${what} at OOM`);
            }
            const victim = blocks.find((b) => b.size > 1000) ?? blocks[0];
            assert.equal(t.realloc(victim.ptr, victim.size + 64 * KiB), 0, `seed ${seed}: growing realloc at OOM`);
            assert.equal(t.usable(victim.ptr), victim.usable);
            assert.equal(t.bytes, maxBytes);
            expectIntact(t, blocks, `seed ${seed} after failed calls at OOM`);

            // Free half, then the freed memory is used again.
            const kept = [];
            let freed = 0;
            for (let i = 0; i < blocks.length; i++) {
                if (i % 2 === 0) {
                    t.free(blocks[i].ptr);
                    freed += blocks[i].usable;
                } else {
                    kept.push(blocks[i]);
                }
            }
            const again = [];
            for (const n of [16, 100, 1000, 4000]) {
                for (let j = 0; j < 20; j++) {
                    const p = t.malloc(n);
                    assert.notEqual(p, 0, `seed ${seed}: malloc(${n}) #${j} failed after freeing ${freed} bytes`);
                    again.push(record(t, p, n, 16, `malloc(${n}) after freeing half`));
                }
            }
            assert.equal(t.bytes, maxBytes);
            assert.equal(findOverlap([...kept, ...again]), null);
            expectIntact(t, [...kept, ...again], `seed ${seed} after freeing half`);
            // And everything can be freed, after which a big block fits again.
            for (const b of [...kept, ...again]) {
                t.free(b.ptr);
            }
            const big = t.malloc(12 * MiB);
            assert.notEqual(big, 0, `seed ${seed}: malloc(12 MiB) failed with everything freed`);
            record(t, big, 12 * MiB, 16, 'malloc(12 MiB)');
            if (!grows) {
                assert.equal(t.growCalls, 0, `seed ${seed}: the allocator grew memory`);
                assert.equal(t.maxBytes, t.initialBytes, `seed ${seed}: memory reached ${t.maxBytes} bytes`);
            }
        }
    });

    test(`${file}: a realloc that fails for lack of memory returns 0 and keeps the block`, () => {
        const t = instantiate(file);
        const a = record(t, t.malloc(6 * MiB), 6 * MiB, 16, 'malloc(6 MiB)');
        const pin = record(t, t.malloc(100), 100, 16, 'malloc(100)'); // keeps a from growing in place
        const b = record(t, t.malloc(5 * MiB), 5 * MiB, 16, 'malloc(5 MiB)');
        for (const n of [10 * MiB, 16 * MiB, 20 * MiB, 6 * MiB + 4 * MiB + 1]) {
            assert.equal(t.realloc(a.ptr, n), 0, `realloc(${hex(a.ptr)}, ${n}) should fail (memory ${t.pages} pages)`);
            assert.equal(t.usable(a.ptr), a.usable);
            expectIntact(t, [a, pin, b], `after failed realloc(${hex(a.ptr)}, ${n})`);
            assert.ok(t.bytes <= maxBytes);
        }
        // A failed aligned_alloc and calloc of the same size change nothing either.
        assert.equal(t.alignedAlloc(65536, 10 * MiB), 0);
        assert.equal(t.calloc(10, MiB), 0);
        expectIntact(t, [a, pin, b], 'after failed aligned_alloc and calloc');
        // Once there is room, the same realloc works and keeps the contents.
        t.free(b.ptr);
        const q = t.realloc(a.ptr, 9 * MiB);
        assert.notEqual(q, 0, 'realloc(6 MiB -> 9 MiB) after freeing 5 MiB');
        assert.equal(checkPattern(t.u8, q, a.usable, a.off, a.size), null, 'realloc lost contents');
        expectIntact(t, [pin], 'after the successful realloc');
    });

    if (grows) {
        test(`${file}: the growth step falls back to the exact need near the maximum`, () => {
            // With memory close to 256 pages, the geometric step no longer fits under the maximum; requests
            // that do fit must still succeed (grow by the exact need).
            const t = instantiate(file);
            const blocks = [];
            for (let i = 0; ; i++) {
                const p = t.malloc(PAGE - 16);
                assert.ok(t.bytes <= maxBytes);
                if (p === 0) {
                    break;
                }
                blocks.push(record(t, p, PAGE - 16, 16, `malloc(65520) #${i}`));
            }
            assert.equal(t.bytes, maxBytes, `65520-byte blocks ran out with memory at ${t.pages} pages`);
            assert.ok(blocks.length >= maxPages - (t.initialBytes / PAGE) - 2,
                `only ${blocks.length} blocks of one page each in ${maxPages} pages`);
            expectIntact(t, blocks, 'at OOM');
        });
    }

    test(`${file}: calloc overflow and huge requests on a 16 MiB memory`, () => {
        const t = instantiate(file);
        const live = record(t, t.malloc(1000), 1000, 16, 'malloc(1000)');
        const requests = [
            ['calloc(0x10000, 0x10001)', () => t.calloc(0x10000, 0x10001)],
            ['calloc(0x10000, 0x10000)', () => t.calloc(0x10000, 0x10000)],
            ['calloc(-1, 2)', () => t.calloc(-1, 2)],
            ['calloc(1, 16 MiB)', () => t.calloc(1, 16 * MiB)],
            ['calloc(4096, 4097)', () => t.calloc(4096, 4097)],
            ['malloc(0x7FFF0001)', () => t.malloc(MAX_REQUEST + 1)],
            ['malloc(0xFFFFFFF0)', () => t.malloc(0xFFFFFFF0)],
            ['malloc(-1)', () => t.malloc(-1)],
            ['malloc(0x7FFF0000)', () => t.malloc(MAX_REQUEST)],
            ['malloc(16 MiB)', () => t.malloc(16 * MiB)],
            ['malloc(17 MiB)', () => t.malloc(17 * MiB)],
            ['aligned_alloc(8 MiB, 8 MiB)', () => t.alignedAlloc(8 * MiB, 8 * MiB)],
            ['realloc(p, 16 MiB)', () => t.realloc(live.ptr, 16 * MiB)],
            ['realloc(p, -1)', () => t.realloc(live.ptr, -1)],
        ];
        for (const [what, call] of requests) {
            assert.equal(call(), 0, `${what} should fail`);
            if (!grows) {
                assert.equal(t.growCalls, 0, `${what} grew memory`);
            }
            assert.ok(t.bytes <= maxBytes, `${what} grew memory to ${t.pages} pages`);
            expectIntact(t, [live], `after ${what}`);
        }
        // The heap is fine: a request that fits after all that succeeds.
        const b = record(t, t.malloc(15 * MiB), 15 * MiB, 16, 'malloc(15 MiB) after the failures');
        expectIntact(t, [live, b], 'at the end');
    });

    // talc-max256.wasm: two seeds of 60,000 operations; every other target one.
    const seeds = file === 'talc-max256.wasm' ? [11, 12] : [11];
    test(`${file}: randomized model under memory pressure, ${seeds.length} x 60000 operations: failures leave everything intact`, () => {
        let total = 0;
        for (const seed of seeds) {
            const t = instantiate(file);
            const bigSizes = (rng) => (rng.float() < 0.6 ? rng.range(0, 4 * KiB) : rng.range(16 * KiB, 256 * KiB));
            const s = runModel(t, seed, 60_000, {
                maxLive: 500, expectOom: true, sizeFn: bigSizes, checkEvery: 1000, contentsEvery: 5000, ...variantChecks(t),
            });
            assert.ok(t.maxBytes <= maxBytes, `seed ${seed}: memory reached ${t.maxBytes} bytes`);
            if (!grows) {
                assert.equal(t.growCalls, 0, `seed ${seed}: the allocator grew memory`);
            }
            assert.ok(s.failedAllocations > 100, `seed ${seed}: only ${s.failedAllocations} failures, the test did not reach OOM`);
            total += s.operations;
            console.log(`${file} oom model seed ${seed}: ${s.operations} ops, ${s.failedAllocations} failed allocations, peak live ${s.peakLiveBlocks}`);
            // After everything is freed (runModel frees all), a large block fits again.
            const p = t.malloc(8 * MiB);
            assert.notEqual(p, 0, `seed ${seed}: malloc(8 MiB) failed on an empty heap`);
        }
        console.log(`${file} oom model: ${total} operations`);
    });
}

for (const target of targets) {
    describe(`${target.file}: out of memory (${target.grows ? `capped twin of ${target.variant}` : 'never grows'})`,
        () => oomTests(target));
}
