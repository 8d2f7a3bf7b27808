// How the modules grow their memory, for every variant in modules.json that grows (grows: true;
// the arena never grows and is tested in abi, model and oom): the request floor (k + 1 pages at
// most for a k-page request on a fresh module), the geometric step (a fraction of memory, 3/16
// in Source.java and never more than 1/4, capped at 256 pages), workloads that once made Talc
// grow without bound, and foreign grows (memory.grow from JS) interleaved.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
    KiB, MiB, PAGE, Rng, blockProblem, checkPattern, fillPattern, findOverlap, hex, instantiate, variants,
} from './talc.mjs';

function allocOk(t, n, what = `malloc(${n})`) {
    const p = t.malloc(n);
    const usable = t.usable(p);
    const problem = blockProblem(t, p, n, 16, usable);
    assert.equal(problem, null, `${what}: ${problem}`);
    const b = { ptr: p, size: n, usable, off: (p >>> 4) & 0xFFFF };
    fillPattern(t.u8, p, usable, b.off);
    return b;
}

function expectIntact(t, blocks, when) {
    for (const b of blocks) {
        const bad = checkPattern(t.u8, b.ptr, b.usable, b.off);
        assert.equal(bad, null, `${when}: block ${hex(b.ptr)} (${b.size} bytes) changed at ${bad}`);
    }
}

/** The growth tests for one variant that grows memory. */
function growthTests({ file }) {
    test(`${file}: a k-page request on a fresh module grows memory by at most k + 1 pages (k = 1..20)`, () => {
        for (let k = 1; k <= 20; k++) {
            for (const n of [k * PAGE - 16, k * PAGE]) {
                const t = instantiate(file);
                const before = t.pages;
                const b = allocOk(t, n, `first call malloc(${n}) (k = ${k})`);
                const grown = t.pages - before;
                assert.ok(grown <= k + 1, `malloc(${n}) on a fresh module grew memory by ${grown} pages, more than k + 1 = ${k + 1}`);
                assert.ok(b.ptr + n <= t.bytes);
                // A second request of the same size grows by at most k + 1 more (the geometric step is smaller here).
                const mid = t.pages;
                allocOk(t, n, `second malloc(${n})`);
                const grown2 = t.pages - mid;
                assert.ok(grown2 <= Math.max(k + 1, mid >>> 2),
                    `second malloc(${n}) grew memory by ${grown2} pages (memory was ${mid} pages)`);
            }
        }
    });

    test(`${file}: geometric growth: 64 MiB of live 64 KiB..1 MiB blocks take at most 40 memory.grow calls and < 1.3x memory`, () => {
        const t = instantiate(file);
        const rng = new Rng(64);
        const blocks = [allocOk(t, 16)];
        t.growCalls = 0;
        let live = 0;
        while (live < 64 * MiB) {
            const n = rng.range(64 * KiB, 1 * MiB);
            const pagesBefore = t.pages;
            blocks.push(allocOk(t, n));
            live += n;
            const grown = t.pages - pagesBefore;
            if (grown > 0) {
                // The policy: max(k', min(step, 256)) pages, where k' <= k + 1 pages fit the request and
                // step is a fixed fraction of memory: 3/16 in Source.java, at most 1/4 (the design).
                const k = Math.ceil(n / PAGE);
                const low = Math.min((pagesBefore * 3) >>> 4, 256);
                const high = Math.max(k + 1, Math.min(pagesBefore >>> 2, 256));
                assert.ok(grown >= low,
                    `malloc(${n}) with ${pagesBefore} pages grew only ${grown} pages, less than 3/16 of memory (${low})`);
                assert.ok(grown <= high,
                    `malloc(${n}) (k = ${k}) with ${pagesBefore} pages grew ${grown} pages, more than max(k + 1, pages / 4) = ${high}`);
            }
        }
        console.log(`${file} geometric growth: ${(live / MiB).toFixed(1)} MiB live in ${blocks.length - 1} blocks, `
            + `${t.growCalls} memory.grow calls, memory ${t.pages} pages (${(t.bytes / live).toFixed(3)}x live)`);
        assert.ok(t.growCalls <= 40, `${t.growCalls} memory.grow calls for 64 MiB`);
        assert.ok(t.bytes < 1.3 * live, `memory ${t.bytes} bytes is not below 1.3 x ${live} live bytes`);
        assert.equal(findOverlap(blocks), null);
        expectIntact(t, blocks, 'after 64 MiB');
    });

    test(`${file}: a free chunk of 16 MiB or more followed by a 32 MiB request (Talc bug) succeeds without runaway growth`, () => {
        const cases = [];
        for (const freed of [16, 20, 24, 31, 32, 33, 48]) {
            for (const pinned of [false, true]) {
                cases.push({ freed, pinned });
            }
        }
        for (const { freed, pinned } of cases) {
            const what = `malloc(${freed} MiB), ${pinned ? 'malloc(16) above it, ' : ''}free it, malloc(32 MiB)`;
            const t = instantiate(file);
            const small = allocOk(t, 100);
            const big = allocOk(t, freed * MiB, `${what}: first malloc`);
            const pin = pinned ? allocOk(t, 16) : null;
            t.free(big.ptr);
            const b = allocOk(t, 32 * MiB, `${what}: the 32 MiB request`);
            assert.ok(t.bytes < 80 * MiB, `${what}: memory is ${t.bytes / MiB} MiB`);
            // Still sane afterwards: more requests work, memory stays bounded.
            const after = [small, b, ...(pin ? [pin] : [])];
            for (const n of [1 * MiB, 100, 8 * MiB]) {
                after.push(allocOk(t, n, `${what}: then malloc(${n})`));
            }
            assert.ok(t.bytes < 128 * MiB, `${what}: memory is ${t.bytes / MiB} MiB after 9 MiB more`);
            assert.equal(findOverlap(after), null);
            expectIntact(t, after, what);
        }
    });

    test(`${file}: repeated allocate-free cycles of big blocks do not grow memory without bound`, () => {
        const t = instantiate(file);
        const keep = [allocOk(t, 1000)];
        let peak = 0;
        for (let i = 0; i < 40; i++) {
            const n = (8 + (i * 7) % 33) * MiB; // 8..40 MiB
            const b = allocOk(t, n, `cycle ${i}: malloc(${n})`);
            if (i % 5 === 0) {
                keep.push(allocOk(t, 64 * KiB, `cycle ${i}: malloc(64 KiB)`));
            }
            t.free(b.ptr);
            peak = Math.max(peak, n);
        }
        assert.ok(t.bytes < 2 * peak, `memory ${t.bytes / MiB} MiB after cycles peaking at ${peak / MiB} MiB`);
        expectIntact(t, keep, 'after the cycles');
    });

    test(`${file}: foreign grows interleaved with growth: foreign pages stay untouched, allocations keep working`, () => {
        const t = instantiate(file);
        const rng = new Rng(99);
        const blocks = [allocOk(t, 64)];
        let live = 64;
        let foreign = 0;
        for (let i = 0; i < 60; i++) {
            if (i % 2 === 0 || rng.float() < 0.3) {
                const pages = rng.range(1, 4);
                t.growForeign(pages, 0x30 + (i & 0x3F));
                foreign += pages * PAGE;
            }
            const n = rng.float() < 0.5 ? rng.range(1, 8 * KiB) : rng.range(64 * KiB, 2 * MiB);
            const b = allocOk(t, n, `iteration ${i}: malloc(${n})`);
            blocks.push(b);
            live += n;
            if (i % 7 === 3) {
                const j = rng.range(0, blocks.length - 1);
                t.free(blocks[j].ptr);
                live -= blocks[j].size;
                blocks.splice(j, 1);
            }
            assert.equal(t.checkForeign(), null, `iteration ${i}`);
        }
        for (const b of blocks) {
            assert.equal(t.foreignOverlap(b.ptr, b.usable), null);
        }
        assert.equal(findOverlap(blocks), null);
        expectIntact(t, blocks, 'at the end');
        console.log(`${file} foreign grows: ${(live / MiB).toFixed(1)} MiB live, ${(foreign / MiB).toFixed(1)} MiB foreign, `
            + `memory ${(t.bytes / MiB).toFixed(1)} MiB`);
        assert.ok(t.bytes < 3 * (live + foreign) + 16 * MiB,
            `memory ${t.bytes} bytes for ${live} live and ${foreign} foreign bytes: runaway growth`);
    });

    test(`${file}: the allocator extends its own heap but not across a foreign grow at its end`, () => {
        const t = instantiate(file);
        // Larger than the first heap in the initial memory, so the allocator grows (and extends) its heap.
        const a = allocOk(t, 100 * KiB);
        const end = t.bytes;
        assert.ok(end > t.initialBytes, 'the allocator grew memory');
        const r = t.growForeign(1, 0xEF);
        assert.equal(r.start, end);
        // What is left above `a` in its heap: half of it fits below the foreign page, more does not.
        const topFree = end - (a.ptr + a.usable) - 8;
        const b = allocOk(t, topFree >> 1);
        assert.ok(b.ptr + b.usable <= r.start, `malloc(${topFree >> 1}) = ${hex(b.ptr)} not in the first heap`);
        const c = allocOk(t, topFree + 16 * KiB);
        assert.ok(c.ptr >= r.end, `malloc(${topFree + 16 * KiB}) = ${hex(c.ptr)} is not above the foreign page`);
        // Growing again right after its own pages may extend that heap: blocks may span the old end.
        const d = allocOk(t, 300 * KiB);
        assert.ok(d.ptr >= r.end);
        assert.equal(t.checkForeign(), null);
        assert.equal(findOverlap([a, b, c, d]), null);
        expectIntact(t, [a, b, c, d], 'at the end');
    });
}

for (const v of variants().filter((x) => x.grows)) {
    describe(`${v.file}: memory growth`, () => growthTests(v));
}
