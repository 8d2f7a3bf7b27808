// The C ABI of talc.wasm, one focused test per rule of the contract, run on every module
// variant in modules.json (the capped -max256 twins are tested in oom.test.mjs). The rules about
// growing memory run on the variants that grow; a variant that serves a fixed arena (grows:
// false) gets its counterparts instead: no alignment beyond what the arena holds, foreign pages
// never used, memory never grown.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
    ADDRESSABLE_PAGES, HEADER, KiB, MAX_REQUEST, MiB, PAGE, TWO_GIB, USABLE_SLACK,
    blockProblem, checkPattern, checkZero, compile, feature, fillPattern, findOverlap, hex, instantiate, moduleImports,
    overhead, variants,
} from './talc.mjs';

/** Asserts a fresh allocation is well formed (see blockProblem) and returns its block record. */
function expectBlock(t, ptr, size, align, what) {
    const usable = t.usable(ptr);
    const p = blockProblem(t, ptr, size, align, usable);
    assert.equal(p, null, `${what}: ${p}`);
    return { ptr, size, usable, off: (ptr >>> 4) & 0xFFFF, what };
}

function fill(t, b) {
    fillPattern(t.u8, b.ptr, b.usable, b.off);
}

function expectIntact(t, blocks, when) {
    for (const b of blocks) {
        const bad = checkPattern(t.u8, b.ptr, b.usable, b.off);
        assert.equal(bad, null, `${when}: block ${hex(b.ptr)} from ${b.what} changed at ${bad}`);
    }
}

/** Null when two memory snapshots are equal, else the number of changed bytes and the first few (address: old -> new). */
function changedBytes(a, b) {
    if (a.equals(b)) {
        return null;
    }
    if (a.length !== b.length) {
        return `memory size ${a.length} -> ${b.length} bytes`;
    }
    const diffs = [];
    let n = 0;
    for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) {
            if (n++ < 8) {
                diffs.push(`${hex(i)}: ${a[i]} -> ${b[i]}`);
            }
        }
    }
    return `${n} bytes changed, first ${diffs.join(', ')}`;
}

/** Sizes from 0 to a few MiB: every size up to 300, then a spread. */
const SIZES = [
    ...Array.from({ length: 301 }, (_, i) => i),
    500, 1000, 1020, 1024, 4092, 4096, 4100, 65520, 65532, 65536, 65540, 100000, 262144, 1 * MiB, 3 * MiB + 7,
];

/** The ABI tests for one module variant (an entry of modules.json). */
function abiTests(v) {
    const { file, grows } = v;
    /** Bytes the module's heaps can have without growing (a fixed arena: its initial memory). */
    const arenaBytes = v.initialPages * PAGE - v.stateAddress;

    // Seven live blocks of each size: up to 3 MiB where memory grows, up to 1 MiB in an arena.
    const alignSizes = grows ? SIZES : SIZES.filter((n) => 7 * n <= arenaBytes / 2);
    test(`${file}: every allocation is 16-aligned (malloc, calloc, realloc, aligned_alloc with small alignments)`, () => {
        const t = instantiate(file);
        const blocks = [];
        for (const n of alignSizes) {
            blocks.push(expectBlock(t, t.malloc(n), n, 16, `malloc(${n})`));
            blocks.push(expectBlock(t, t.calloc(1, n), n, 16, `calloc(1, ${n})`));
            blocks.push(expectBlock(t, t.realloc(0, n), n, 16, `realloc(0, ${n})`));
            for (const a of [1, 2, 4, 8]) {
                blocks.push(expectBlock(t, t.alignedAlloc(a, n), n, 16, `aligned_alloc(${a}, ${n})`));
            }
        }
        assert.equal(findOverlap(blocks), null);
        // Moving and in-place reallocs keep 16-byte alignment.
        for (let i = 0; i < blocks.length; i += 3) {
            const b = blocks[i];
            const n = (b.size * 3 + 17) % 70000;
            const q = t.realloc(b.ptr, n);
            blocks[i] = expectBlock(t, q, n, 16, `realloc(${hex(b.ptr)}, ${n})`);
        }
        assert.equal(findOverlap(blocks), null);
        for (const b of blocks) {
            t.free(b.ptr);
        }
    });

    test(`${file}: malloc(0) returns a unique non-zero pointer that can be freed`, () => {
        const t = instantiate(file);
        const a = t.malloc(0);
        const b = t.malloc(0);
        assert.notEqual(a, 0, 'malloc(0) returned 0');
        assert.notEqual(b, 0, 'second malloc(0) returned 0');
        assert.notEqual(a, b, `two malloc(0) returned the same pointer ${hex(a)}`);
        const zeros = [a, b];
        for (let i = 0; i < 1000; i++) {
            zeros.push(t.malloc(0));
        }
        assert.equal(new Set(zeros).size, zeros.length, '1002 live malloc(0) pointers are not all distinct');
        for (const p of zeros) {
            expectBlock(t, p, 0, 16, 'malloc(0)');
        }
        // A malloc(0) block is a real block: it does not overlap its neighbours and frees cleanly.
        const n = t.malloc(100);
        assert.equal(findOverlap([...zeros.map((p) => ({ ptr: p, usable: 1 })), { ptr: n, usable: 100 }]), null);
        for (const p of zeros) {
            t.free(p);
        }
        const again = [t.malloc(0), t.malloc(0)];
        assert.ok(again[0] !== 0 && again[1] !== 0 && again[0] !== again[1], 'malloc(0) after freeing them');
        t.free(again[0]);
        t.free(again[1]);
        t.free(n);
    });

    test(`${file}: malloc_usable_size(p) >= n and < n + 36, and every usable byte is usable`, () => {
        const t = instantiate(file);
        const blocks = [];
        for (const n of SIZES) {
            const p = t.malloc(n);
            const u = t.usable(p);
            assert.ok(u >= n && u < n + USABLE_SLACK, `malloc(${n}) = ${hex(p)}: usable size ${u}`);
            blocks.push({ ptr: p, size: n, usable: u, off: n & 0xFFFF, what: `malloc(${n})` });
        }
        // Writing all usable bytes of every block (neighbours included) damages no other block.
        for (const b of blocks) {
            fill(t, b);
        }
        expectIntact(t, blocks, 'after filling every usable byte');
        assert.equal(t.usable(0), 0, 'malloc_usable_size(0)');
        for (const b of blocks) {
            t.free(b.ptr);
        }
    });

    const words = overhead(file);
    test(`${file}: per-allocation overhead is ${words === HEADER ? 'one 4-byte header word' : 'a header word and a seal'}:`
        + ` usable size is roundup(n + ${words}, 16) - ${words}`, () => {
        const t = instantiate(file);
        for (let n = 0; n <= 1000; n++) {
            const p = t.malloc(n);
            const u = t.usable(p);
            const exact = Math.ceil((n + words) / 16) * 16 - words;
            // A rest of less than 16 bytes is not split off, so the chunk may be one unit larger.
            assert.ok(u === exact || u === exact + 16, `malloc(${n}) = ${hex(p)}: usable ${u}, expected ${exact}`);
            t.free(p);
        }
        // In a fresh heap, 1000 blocks of 16 - words bytes (16-byte chunks) take 16000 bytes of address space.
        const f = instantiate(file);
        const ptrs = [];
        for (let i = 0; i < 1000; i++) {
            ptrs.push(f.malloc(16 - words));
        }
        const span = Math.max(...ptrs) - Math.min(...ptrs) + 16;
        assert.equal(new Set(ptrs).size, 1000);
        assert.equal(span, 16000, `1000 malloc(${16 - words}) span ${span} bytes, expected 16 per block`);
        const q = [];
        for (let i = 0; i < 500; i++) {
            q.push(f.malloc(32 - words));
        }
        const span2 = Math.max(...q) - Math.min(...q) + 32;
        assert.equal(span2, 16000, `500 malloc(${32 - words}) span ${span2} bytes, expected 32 per block`);
    });

    if (!feature(file, 'checked')) {
        test(`${file}: a pointer that is misaligned or outside memory is ignored, never a trap`, () => {
            const t = instantiate(file);
            const live = t.malloc(100);
            fillPattern(t.u8, live, 100, 3);
            const wild = [live + 4, live + 8, 0xFFFFFFF0, 0x80000000, t.bytes, t.bytes + 16, 0xFFFFFFFF, 1];
            const before = Buffer.from(t.u8);
            for (const p of wild) {
                t.free(p);
                assert.equal(t.realloc(p, 64), 0, `realloc(${hex(p)}, 64)`);
                assert.equal(t.usable(p), 0, `malloc_usable_size(${hex(p)})`);
            }
            assert.equal(changedBytes(before, Buffer.from(t.u8)), null, 'memory changed');
            assert.equal(checkPattern(t.u8, live, 100, 3), null);
            t.free(live);
        });

        // README_WASM, "Out of memory and bad input": what the guide names as undefined
        // behaviour does what it says (talc-checked reports each; see checked.test.mjs).
        test(`${file}: free(16), free(p + 16) and a free of never-allocated free memory trap, as the guide says`, () => {
            const wilds = [() => 16, (t) => t.malloc(100) + 16, (t) => (t.malloc(100), t.bytes - 4096)];
            for (const wild of wilds) {
                const t = instantiate(file);
                const p = wild(t);
                assert.throws(() => t.free(p), WebAssembly.RuntimeError, `free(${hex(p)})`);
            }
        });
    }

    test(`${file}: free(0) does nothing`, () => {
        // On a fresh module: no growth, no change to memory. (The module for linking boots on
        // its first call, whichever it is: that call is malloc_usable_size(0) here.)
        const fresh = instantiate(file);
        if (v.forLinking) {
            fresh.usable(0);
        }
        const before = Buffer.from(fresh.u8);
        fresh.free(0);
        fresh.free(0);
        assert.equal(fresh.bytes, fresh.initialBytes, 'free(0) on a fresh module grew memory');
        assert.equal(changedBytes(before, Buffer.from(fresh.u8)), null, 'free(0) on a fresh module changed memory');
        // On a heap in use: memory is byte-for-byte unchanged.
        const t = instantiate(file);
        const ptrs = [t.malloc(10), t.malloc(100), t.malloc(1000)];
        t.free(ptrs[1]);
        const snapshot = Buffer.from(t.u8);
        t.free(0);
        assert.equal(changedBytes(snapshot, Buffer.from(t.u8)), null, 'free(0) changed memory');
        // ...and it behaves as if free(0) never happened.
        const twin = instantiate(file);
        const tp = [twin.malloc(10), twin.malloc(100), twin.malloc(1000)];
        twin.free(tp[1]);
        assert.deepEqual(tp, ptrs);
        for (const n of [16, 80, 5000, 70000]) {
            assert.equal(t.malloc(n), twin.malloc(n), `malloc(${n}) after free(0) differs from the twin`);
        }
    });

    test(`${file}: realloc(0, n) is malloc(n)`, () => {
        // Two fresh instances, one using malloc and one realloc(0, n), stay identical.
        const a = instantiate(file);
        const b = instantiate(file);
        const sizes = [0, 1, 16, 100, 4000, 70000, 300000, 5 * MiB];
        for (const n of sizes) {
            const pa = a.malloc(n);
            const pb = b.realloc(0, n);
            expectBlock(b, pb, n, 16, `realloc(0, ${n})`);
            assert.equal(pb, pa, `realloc(0, ${n}) = ${hex(pb)}, malloc(${n}) = ${hex(pa)} on a twin`);
            assert.equal(b.usable(pb), a.usable(pa), `usable size of realloc(0, ${n})`);
        }
        assert.equal(a.bytes, b.bytes, 'memory sizes differ');
        assert.equal(changedBytes(Buffer.from(a.u8), Buffer.from(b.u8)), null, 'memory contents differ');
        // Failing sizes fail the same way.
        assert.equal(b.realloc(0, MAX_REQUEST + 1), 0, 'realloc(0, 0x7FFF0001)');
        assert.equal(b.realloc(0, -1), 0, 'realloc(0, -1)');
    });

    test(`${file}: realloc(p, 0) frees p and returns 0`, () => {
        const a = instantiate(file);
        const b = instantiate(file);
        for (const n of [0, 24, 1000, 100000]) {
            const pa = a.malloc(n);
            const pb = b.malloc(n);
            const keepA = a.malloc(32);
            const keepB = b.malloc(32);
            assert.equal(pa, pb);
            assert.equal(b.realloc(pb, 0), 0, `realloc(${hex(pb)}, 0) did not return 0`);
            a.free(pa);
            // The twin that called free is in exactly the same state.
            assert.equal(changedBytes(Buffer.from(a.u8), Buffer.from(b.u8)), null, `realloc(${hex(pb)}, 0) is not free(${hex(pb)})`);
            assert.equal(a.malloc(n), b.malloc(n), `malloc(${n}) after the free`);
            assert.equal(keepA, keepB);
        }
    });

    test(`${file}: realloc keeps min(old, new) bytes when growing, shrinking, moving`, () => {
        const t = instantiate(file);
        let b = expectBlock(t, t.malloc(100), 100, 16, 'malloc(100)');
        fill(t, b);
        const blocker = t.malloc(16); // Usually forces the first growth to move.
        const steps = [200, 50, 50, 1000, 16, 70000, 3000, 300000, 12, 2 * MiB, 100];
        for (const n of steps) {
            const q = t.realloc(b.ptr, n);
            const nb = expectBlock(t, q, n, 16, `realloc(${hex(b.ptr)}, ${n})`);
            const bad = checkPattern(t.u8, q, b.usable, b.off, Math.min(b.size, n));
            assert.equal(bad, null, `realloc(${hex(b.ptr)} [${b.size} bytes], ${n}) = ${hex(q)} lost contents at ${bad}`);
            nb.off = (b.off + 7) & 0xFFFF;
            fill(t, nb);
            b = nb;
        }
        t.free(b.ptr);
        t.free(blocker);
    });

    test(`${file}: a failed realloc returns 0 and leaves the block allocated and unchanged`, () => {
        const t = instantiate(file);
        const b = expectBlock(t, t.malloc(5000), 5000, 16, 'malloc(5000)');
        fill(t, b);
        const neighbour = expectBlock(t, t.malloc(64), 64, 16, 'malloc(64)');
        fill(t, neighbour);
        for (const n of [MAX_REQUEST + 1, 0xFFFFFFF0, -1, 0x80000000, MAX_REQUEST]) {
            assert.equal(t.realloc(b.ptr, n), 0, `realloc(${hex(b.ptr)}, ${hex(n)}) should fail`);
            assert.equal(t.usable(b.ptr), b.usable, `usable size of ${hex(b.ptr)} after the failed realloc(…, ${hex(n)})`);
            expectIntact(t, [b, neighbour], `after failed realloc(${hex(b.ptr)}, ${hex(n)})`);
        }
        // The block is still allocated: new allocations do not land on it, and it reallocs and frees.
        const others = [];
        for (let i = 0; i < 100; i++) {
            others.push(expectBlock(t, t.malloc(100), 100, 16, 'malloc(100)'));
        }
        assert.equal(findOverlap([b, neighbour, ...others]), null);
        const q = t.realloc(b.ptr, 9000);
        assert.equal(checkPattern(t.u8, q, b.usable, b.off, 5000), null, 'realloc after a failed one lost contents');
        t.free(q);
    });

    test(`${file}: calloc returns zeroed memory, also when reusing freed (dirty) memory`, () => {
        const t = instantiate(file);
        const sizes = [[1, 1], [3, 5], [16, 16], [100, 12], [1, 4096], [7, 1000], [1000, 70], [4, 65536], [1, 300000]];
        // Dirty the heap, free it, then calloc over it.
        const dirty = [];
        for (let i = 0; i < 200; i++) {
            const p = t.malloc(2000 + i * 37);
            t.u8.fill(0xEE, p, p + t.usable(p));
            dirty.push(p);
        }
        const big = t.malloc(400000);
        t.u8.fill(0xEE, big, big + t.usable(big));
        for (const p of dirty) {
            t.free(p);
        }
        t.free(big);
        for (let round = 0; round < 3; round++) {
            const live = [];
            for (const [n, s] of sizes) {
                const p = t.calloc(n, s);
                expectBlock(t, p, n * s, 16, `calloc(${n}, ${s})`);
                const z = checkZero(t.u8, p, n * s);
                assert.equal(z, null, `calloc(${n}, ${s}) = ${hex(p)} round ${round}: ${z}`);
                t.u8.fill(0xDD, p, p + n * s);
                live.push(p);
            }
            for (const p of live) {
                t.free(p);
            }
        }
        // Zero-sized callocs behave like malloc(0).
        const z1 = t.calloc(0, 100);
        const z2 = t.calloc(100, 0);
        assert.ok(z1 !== 0 && z2 !== 0 && z1 !== z2, `calloc(0, 100) = ${hex(z1)}, calloc(100, 0) = ${hex(z2)}`);
        // Also with a factor of 2 GiB or more: the product is still 0.
        const z3 = t.calloc(0x80000000, 0);
        const z4 = t.calloc(0, 0xFFFFFFFF);
        assert.ok(z3 !== 0 && z4 !== 0 && z3 !== z4, `calloc(2^31, 0) = ${hex(z3)}, calloc(0, 2^32 - 1) = ${hex(z4)}`);
        t.free(z3);
        t.free(z4);
        t.free(z1);
        t.free(z2);
    });

    test(`${file}: calloc returns 0 when n * size overflows 32 bits or exceeds the maximum request`, () => {
        const t = instantiate(file);
        const live = expectBlock(t, t.malloc(300), 300, 16, 'malloc(300)');
        fill(t, live);
        const cases = [
            [0x10000, 0x10001], // 2^32 + 2^16
            [0x10000, 0x10000], // exactly 2^32: wraps to 0 in 32 bits
            [0x10001, 0x10000],
            [-1, -1],
            [2, 0x80000000],
            [0x80000000, 2],
            [3, 0x55555556], // 2^32 + 2
            [0xFFFFFFFF, 0xFFFFFFFF],
            [1, MAX_REQUEST + 1],
            [MAX_REQUEST + 1, 1],
            [0x7FFF, 0x10003], // 0x7FFF0000 + 0x17FFD: just above the maximum
            [2, 0x40000000], // 2^31
        ];
        for (const [n, s] of cases) {
            assert.equal(t.calloc(n, s), 0, `calloc(${hex(n)}, ${hex(s)}) should fail`);
        }
        expectIntact(t, [live], 'after the failing callocs');
        const p = t.calloc(1000, 10);
        expectBlock(t, p, 10000, 16, 'calloc(1000, 10) after the failures');
        assert.equal(checkZero(t.u8, p, 10000), null);
        assert.ok(t.bytes <= TWO_GIB);
    });

    test(`${file}: aligned_alloc rejects alignments that are not powers of two (1..2^30)`, () => {
        const t = instantiate(file);
        const live = expectBlock(t, t.malloc(64), 64, 16, 'malloc(64)');
        fill(t, live);
        const bad = [0, 3, 5, 6, 7, 12, 24, 48, 96, 100, 3 * 4096, 65535, 65537, 0x40000001, 0x7FFFFFFF,
            0x80000000 | 0, 0x80000000, 0xC0000000, -1, -16, -4096];
        for (const a of bad) {
            for (const n of [0, 16, 1000, 0x7FFFFFFF]) {
                assert.equal(t.alignedAlloc(a, n), 0, `aligned_alloc(${a}, ${n}) should fail`);
            }
        }
        expectIntact(t, [live], 'after the rejected alignments');
        // Every power of two up to 2^16 is accepted.
        for (let a = 1; a <= 65536; a *= 2) {
            expectBlock(t, t.alignedAlloc(a, 100), 100, a, `aligned_alloc(${a}, 100)`);
        }
    });

    // Where memory does not grow, alignments whose aligned addresses the arena holds at least 8 times.
    let maxShift = 24;
    while (!grows && arenaBytes / 2 ** maxShift < 8) {
        maxShift--;
    }
    test(`${file}: aligned_alloc(align, size) is aligned to max(align, 16), for alignments up to 2^${maxShift}`, () => {
        const t = instantiate(file);
        const blocks = [];
        for (let shift = 0; shift <= maxShift; shift++) {
            const a = 2 ** shift;
            const sizes = shift <= 16 ? [0, 1, 15, 16, 100, a, 3 * a + 5, 70000] : [1, 100, 70000];
            for (const n of sizes) {
                const b = expectBlock(t, t.alignedAlloc(a, n), n, a, `aligned_alloc(${a}, ${n})`);
                fill(t, b);
                blocks.push(b);
            }
            // Interleave small blocks so that aligned requests land in fragmented heap too.
            const s = expectBlock(t, t.malloc(24), 24, 16, 'malloc(24)');
            fill(t, s);
            blocks.push(s);
        }
        assert.equal(findOverlap(blocks), null);
        expectIntact(t, blocks, 'after all aligned allocations');
        for (let i = 0; i < blocks.length; i += 2) {
            t.free(blocks[i].ptr);
        }
        const rest = blocks.filter((_, i) => i % 2 === 1);
        for (let shift = 5; shift <= 16; shift++) {
            const b = expectBlock(t, t.alignedAlloc(2 ** shift, 777), 777, 2 ** shift, `aligned_alloc(2^${shift}, 777) after frees`);
            fill(t, b);
            rest.push(b);
        }
        assert.equal(findOverlap(rest), null);
        expectIntact(t, rest, 'after the frees and new aligned allocations');
    });

    if (!grows) {
        test(`${file}: aligned_alloc succeeds for every alignment the arena has an address for, else returns 0`, () => {
            const t = instantiate(file);
            const live = expectBlock(t, t.malloc(100), 100, 16, 'malloc(100)');
            fill(t, live);
            const heapEnd = t.initialBytes;
            for (let shift = 4; shift <= 30; shift++) {
                const a = 2 ** shift;
                const first = Math.ceil((t.heapFloor + 4) / a) * a; // lowest a-aligned block address
                if (first + 16 <= heapEnd) {
                    // The arena has such an address: with one small block in the heap, it is free.
                    const b = expectBlock(t, t.alignedAlloc(a, 1), 1, a, `aligned_alloc(2^${shift}, 1)`);
                    t.free(b.ptr);
                    continue;
                }
                assert.equal(t.alignedAlloc(a, 1), 0, `aligned_alloc(2^${shift}, 1): no 2^${shift}-aligned block fits below ${hex(heapEnd)}`);
                assert.equal(t.alignedAlloc(a, 64), 0, `aligned_alloc(2^${shift}, 64)`);
                assert.equal(t.bytes, t.initialBytes, `aligned_alloc(2^${shift}) grew memory`);
            }
            assert.equal(t.growCalls, 0);
            expectIntact(t, [live], 'after the failed aligned_allocs');
            const q = expectBlock(t, t.malloc(1000), 1000, 16, 'malloc(1000) afterwards');
            t.free(q.ptr);
            t.free(live.ptr);
        });
    }

    if (grows) {
        test(`${file}: aligned_alloc accepts the largest alignment, 2^30`, () => {
            const t = instantiate(file);
            t.malloc(16);
            const p = t.alignedAlloc(2 ** 30, 64);
            expectBlock(t, p, 64, 2 ** 30, 'aligned_alloc(2^30, 64)');
            assert.equal(p, 2 ** 30, 'the only 2^30-aligned address below 2 GiB');
            t.u8.fill(0x11, p, p + 64);
            assert.ok(t.bytes <= TWO_GIB, `memory ${t.bytes} bytes after aligned_alloc(2^30)`);
            const q = t.malloc(1000);
            expectBlock(t, q, 1000, 16, 'malloc(1000) after aligned_alloc(2^30)');
            t.free(p);
            t.free(q);
        });
    }

    test(`${file}: requests that cannot be met return 0 and leave the heap intact`, () => {
        const t = instantiate(file);
        const blocks = [];
        for (const n of [10, 100, 1000, 10000, 100000]) {
            const b = expectBlock(t, t.malloc(n), n, 16, `malloc(${n})`);
            fill(t, b);
            blocks.push(b);
        }
        const huge = [MAX_REQUEST + 1, 0xFFFFFFF0, -1, 0x80000000, 0xFFFFFFFF, -16, MAX_REQUEST, MAX_REQUEST - 16];
        for (const n of huge) {
            assert.equal(t.malloc(n), 0, `malloc(${hex(n)}) should fail`);
            assert.equal(t.calloc(1, n), 0, `calloc(1, ${hex(n)}) should fail`);
            assert.equal(t.realloc(0, n), 0, `realloc(0, ${hex(n)}) should fail`);
            assert.equal(t.realloc(blocks[2].ptr, n), 0, `realloc(${hex(blocks[2].ptr)}, ${hex(n)}) should fail`);
            for (const a of [16, 4096, 65536]) {
                assert.equal(t.alignedAlloc(a, n), 0, `aligned_alloc(${a}, ${hex(n)}) should fail`);
            }
            expectIntact(t, blocks, `after requests of ${hex(n)} bytes`);
            assert.ok(t.bytes <= TWO_GIB, `memory grew above 2 GiB on a request of ${hex(n)}`);
        }
        // Alignment padding that pushes a valid size over the limit fails too.
        assert.equal(t.alignedAlloc(2 ** 30, MAX_REQUEST - 2 ** 29), 0, 'aligned_alloc(2^30, 0x5FFF0000)');
        // Everything still works.
        for (const b of blocks.splice(1, 2)) {
            t.free(b.ptr);
        }
        for (const n of [50, 5000, 500000]) {
            const b = expectBlock(t, t.malloc(n), n, 16, `malloc(${n}) after the failures`);
            fill(t, b);
            blocks.push(b);
        }
        assert.equal(findOverlap(blocks), null);
        expectIntact(t, blocks, 'at the end');
    });

    if (grows) {
        test(`${file}: memory grows with memory.grow when the heap is full`, () => {
            const t = instantiate(file);
            assert.equal(t.malloc(0) !== 0, true);
            const start = t.bytes;
            const blocks = [];
            for (let i = 0; i < 40; i++) {
                const b = expectBlock(t, t.malloc(100 * KiB), 100 * KiB, 16, `malloc(100 KiB) #${i}`);
                fill(t, b);
                blocks.push(b);
            }
            assert.ok(t.bytes - t.initialBytes >= 40 * (100 * KiB + 4), `memory ${t.bytes} bytes cannot hold 4000 KiB of blocks`);
            assert.ok(t.bytes > start, 'memory did not grow');
            assert.ok(t.growCalls >= 2, 'memory grew fewer than twice for 4000 KiB');
            assert.equal(t.bytes % PAGE, 0);
            expectIntact(t, blocks, 'after growth');
            assert.equal(findOverlap(blocks), null);
        });
    }

    test(`${file}: foreign memory.grow between calls: the allocator never uses pages grown by someone else`, () => {
        const t = instantiate(file);
        const blocks = [];
        const alloc = (n) => {
            const b = expectBlock(t, t.malloc(n), n, 16, `malloc(${n})`);
            fill(t, b);
            blocks.push(b);
        };
        alloc(100); // boots the allocator
        t.growForeign(3, 0xA1); // right above the allocator's first heap
        for (let i = 0; i < 200; i++) {
            alloc(1000);
        }
        alloc(200 * KiB); // needs its own growth, above the foreign pages
        t.growForeign(1, 0xA2);
        alloc(10);
        alloc(150 * KiB);
        t.growForeign(2, 0xA3);
        t.growForeign(1, 0xA4);
        for (let i = 0; i < 300; i++) {
            alloc((i * 997) % 9000);
        }
        for (let i = 0; i < blocks.length; i += 2) {
            t.free(blocks[i].ptr);
        }
        const kept = blocks.filter((_, i) => i % 2 === 1);
        blocks.length = 0;
        blocks.push(...kept);
        for (let i = 0; i < 100; i++) {
            alloc(30000 + i);
        }
        assert.equal(t.checkForeign(), null);
        for (const b of blocks) {
            assert.equal(t.foreignOverlap(b.ptr, b.usable), null);
        }
        assert.equal(findOverlap(blocks), null);
        expectIntact(t, blocks, 'at the end');
    });

    if (!grows) {
        test(`${file}: memory never grows and pages grown by someone else are never used, up to OOM`, () => {
            const t = instantiate(file);
            const blocks = [];
            const first = expectBlock(t, t.malloc(1000), 1000, 16, 'malloc(1000)');
            fill(t, first);
            blocks.push(first);
            const arenaEnd = t.initialBytes;
            t.growForeign(64, 0xB9);
            let failedAt = -1;
            for (let i = 0; i < 1000; i++) {
                const p = t.malloc(64 * KiB);
                if (p === 0) {
                    failedAt = i;
                    break;
                }
                const b = expectBlock(t, p, 64 * KiB, 16, `malloc(64 KiB) #${i}`);
                assert.ok(p + b.usable <= arenaEnd, `malloc(64 KiB) #${i} = ${hex(p)} is outside the arena`);
                fill(t, b);
                blocks.push(b);
            }
            const most = Math.floor(arenaBytes / (64 * KiB + 16));
            assert.ok(failedAt >= most - 1 && failedAt <= most,
                `64 KiB mallocs failed at #${failedAt}; the arena (${arenaBytes} bytes) holds ${most}`);
            for (let i = 0; i < 10000; i++) {
                const p = t.malloc(16);
                if (p === 0) {
                    break;
                }
                const b = expectBlock(t, p, 16, 16, `malloc(16) #${i} at the end of the arena`);
                assert.ok(p + b.usable <= arenaEnd, `malloc(16) #${i} = ${hex(p)} is outside the arena`);
                blocks.push(b);
            }
            assert.equal(t.malloc(16), 0, 'malloc(16) with the arena full');
            assert.equal(t.growCalls, 0, 'the allocator grew memory');
            assert.equal(t.bytes, arenaEnd + 64 * PAGE, 'memory is not the arena plus the foreign pages');
            assert.equal(t.checkForeign(), null);
            assert.equal(findOverlap(blocks), null);
            expectIntact(t, blocks.filter((b) => b.size > 16), 'with the arena full');
            t.free(blocks[1].ptr);
            expectBlock(t, t.malloc(60 * KiB), 60 * KiB, 16, 'malloc(60 KiB) after a free');
        });
    }

    if (grows) {
        test(`${file}: memory above 2 GiB is never used`, () => {
            const t = instantiate(file);
            const blocks = [];
            const first = expectBlock(t, t.malloc(1000), 1000, 16, 'malloc(1000)');
            fill(t, first);
            blocks.push(first);
            // Someone else grows memory to 16 pages below 2 GiB (markers only on a sample of its pages).
            const region = t.growForeign(TWO_GIB / PAGE - 16 - t.pages, 0xB7, true);
            assert.equal(region.end, TWO_GIB - 16 * PAGE);
            // The allocator can still use its own heap and what it can grow below 2 GiB, and no more.
            let failedAt = -1;
            for (let i = 0; i < 200; i++) {
                const p = t.malloc(64 * KiB);
                assert.ok(t.bytes <= TWO_GIB, `malloc #${i} grew memory to ${t.bytes} bytes, above 2 GiB`);
                if (p === 0) {
                    failedAt = i;
                    break;
                }
                const b = expectBlock(t, p, 64 * KiB, 16, `malloc(64 KiB) #${i}`);
                fill(t, b);
                blocks.push(b);
            }
            assert.ok(failedAt > 0, `64 KiB mallocs never failed below 2 GiB (failed at ${failedAt})`);
            assert.ok(failedAt <= 16, `${failedAt} blocks of 64 KiB from 16 pages`);
            if (v.maxPages === ADDRESSABLE_PAGES) {
                // The module's own memory declares the maximum: nobody can grow it past 2 GiB.
                assert.throws(() => t.memory.grow(1), RangeError, 'memory grew past its declared maximum');
            } else {
                // Memory above 2 GiB, grown by someone else, is not used either.
                t.growForeign(64, 0xB8);
                assert.ok(t.bytes > TWO_GIB);
            }
            for (const n of [64 * KiB, 1 * MiB]) {
                assert.equal(t.malloc(n), 0, `malloc(${n}) used memory above 2 GiB`);
            }
            for (let i = 0; i < 10000; i++) {
                const p = t.malloc(16);
                if (p === 0) {
                    break;
                }
                blocks.push(expectBlock(t, p, 16, 16, `malloc(16) #${i} near 2 GiB`));
            }
            assert.equal(t.checkForeign(), null);
            assert.equal(findOverlap(blocks), null);
            for (const b of blocks) {
                assert.ok(b.ptr + b.usable <= TWO_GIB, `block ${hex(b.ptr)} ends above 2 GiB`);
            }
            expectIntact(t, blocks.filter((b) => b.size > 16), 'near 2 GiB');
            // The heap still works after the failures.
            t.free(blocks[1].ptr);
            expectBlock(t, t.malloc(60 * KiB), 60 * KiB, 16, 'malloc(60 KiB) after a free');
        });
    }
}

for (const v of variants()) {
    describe(`${v.file}: the C ABI`, () => abiTests(v));
}

for (const v of variants().filter((e) => e.importedMemory && !e.forLinking)) {
    test(`${v.file}: before talc_init (and after a refused one) every call returns 0 or does nothing; talc_init refuses a region not in memory, too small, or a second time`, () => {
        const memory = new WebAssembly.Memory({ initial: 1 });
        // Words that look like headers in front of every pointer tried (issue #19: malloc_usable_size
        // returned the word below its pointer before talc_init).
        new Uint32Array(memory.buffer).fill(0x1234566d);
        const e = new WebAssembly.Instance(compile(v.file), moduleImports(v.file, memory)).exports;
        const before = Buffer.from(new Uint8Array(memory.buffer));
        const nothingServed = (when) => {
            for (const p of [16, 4096, 4100, PAGE - 16, PAGE, 0xFFFFFFF0]) {
                assert.equal(e.malloc_usable_size(p), 0, `${when}: malloc_usable_size(${p})`);
                assert.equal(e.realloc(p, 16), 0, `${when}: realloc(${p}, 16)`);
                e.free(p);
            }
            assert.equal(e.malloc(16), 0);
            assert.equal(e.calloc(1, 16), 0);
            assert.equal(e.aligned_alloc(64, 16), 0);
            assert.equal(e.realloc(0, 16), 0);
            assert.ok(before.equals(Buffer.from(new Uint8Array(memory.buffer))), `${when}: memory changed`);
        };
        nothingServed('before talc_init');
        assert.equal(e.talc_init(PAGE + 16, 0), 0, 'a region past the end of memory');
        assert.equal(e.talc_init(PAGE - 64, 0), 0, 'a region too small for the state block');
        nothingServed('after a refused talc_init');
        assert.equal(e.talc_init(4096, 0), 1);
        assert.equal(e.talc_init(8192, 0), 0, 'a second talc_init');
        assert.notEqual(e.malloc(16), 0);
    });
}

for (const v of variants().filter((e) => e.forLinking)) {
    /** An instance whose memory has `pages` pages (at most `maximum`), the other module's __heap_base at `heapBase`. */
    const start = (heapBase, pages, maximum) => {
        const memory = new WebAssembly.Memory({ initial: pages, maximum });
        new Uint8Array(memory.buffer).fill(0xC3, 0, heapBase);
        const e = new WebAssembly.Instance(compile(v.file), moduleImports(v.file, memory, heapBase)).exports;
        const below = () => new Uint8Array(memory.buffer, 0, heapBase).every((b) => b === 0xC3);
        return { memory, e, below };
    };

    test(`${v.file}: the first call boots the allocator above __heap_base, whichever call it is`, () => {
        for (const first of [(e) => e.free(0), (e) => e.malloc_usable_size(0), (e) => e.malloc(100)]) {
            const { memory, e, below } = start(3000, 1);
            const before = Buffer.from(new Uint8Array(memory.buffer, 3000));
            first(e);
            assert.ok(!before.equals(Buffer.from(new Uint8Array(memory.buffer, 3000))), 'the first call wrote no state');
            const p = e.malloc(100) >>> 0;
            assert.ok(p >= 3000 && p % 16 === 0, `a block at ${p}`);
            assert.ok(below(), 'memory below __heap_base changed');
        }
    });

    test(`${v.file}: when memory ends too close above __heap_base, the first call grows one page`, () => {
        const { memory, e, below } = start(PAGE - 64, 1);
        const p = e.malloc(16) >>> 0;
        assert.equal(memory.buffer.byteLength, 2 * PAGE);
        assert.ok(p >= PAGE - 64, `a block at ${p}`);
        assert.ok(below());
    });

    test(`${v.file}: when the boot needs a page that memory cannot grow, every call fails cleanly`, () => {
        const { memory, e, below } = start(PAGE - 64, 1, 1);
        const before = Buffer.from(new Uint8Array(memory.buffer));
        assert.equal(e.malloc(16), 0);
        assert.equal(e.calloc(1, 16), 0);
        assert.equal(e.aligned_alloc(64, 16), 0);
        assert.equal(e.realloc(0, 16), 0);
        e.free(PAGE - 48);
        assert.ok(before.equals(Buffer.from(new Uint8Array(memory.buffer))), 'a failed boot changed memory');
        assert.ok(below());
    });
}
