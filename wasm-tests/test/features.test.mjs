// The build features of each module variant in modules.json, checked through the exports:
// - counters (talc-counters): after a known sequence of calls, the counter block that
//   talc_counters() points at says exactly what the calls imply;
// - realloc in place (off in talc-no-realloc-in-place: every realloc of a live block moves) and
//   grow in place (off in talc-no-grow-in-place: shrinking keeps the pointer, growing moves even
//   into a free block above; on elsewhere: that grow happens in place).
// The randomized model (model.test.mjs) checks the same rules after every operation.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
    HEADER, KiB, checkPattern, feature, fillPattern, hex, instantiate, overhead, variants,
} from './talc.mjs';

/** A fresh block of `size` bytes from malloc, filled with a pattern. */
function block(t, size) {
    const ptr = t.malloc(size);
    assert.notEqual(ptr, 0, `malloc(${size}) failed`);
    const b = { ptr, size, usable: t.usable(ptr), off: (ptr * 3 + size) & 0xFFFF };
    fillPattern(t.u8, ptr, b.usable, b.off);
    return b;
}

/** Reallocs `b` to `size`, checks the first min(old, new) bytes survived, re-patterns it, returns the new block. */
function resize(t, b, size) {
    const q = t.realloc(b.ptr, size);
    assert.notEqual(q, 0, `realloc(${hex(b.ptr)}, ${size}) failed`);
    const bad = checkPattern(t.u8, q, b.usable, b.off, Math.min(b.size, size));
    assert.equal(bad, null, `realloc(${hex(b.ptr)} [${b.size} bytes], ${size}) = ${hex(q)} lost contents at ${bad}`);
    const nb = { ptr: q, size, usable: t.usable(q), off: (b.off + 11) & 0xFFFF };
    assert.ok(nb.usable >= size, `realloc(…, ${size}) = ${hex(q)} has usable size ${nb.usable}`);
    fillPattern(t.u8, q, nb.usable, nb.off);
    return nb;
}

/**
 * Allocates 16-byte blocks until one lands right above block `b` (the chunk above it is then
 * allocated); returns them all, the pin last.
 */
function pinAbove(t, b) {
    const above = b.ptr + b.usable + overhead(t.info);
    const out = [];
    for (let i = 0; i < 10000; i++) {
        const p = block(t, 16);
        out.push(p);
        if (p.ptr === above) {
            return out;
        }
    }
    assert.fail(`no malloc(16) landed right above ${hex(b.ptr)} (at ${hex(above)}) in 10000 tries`);
}

function expectIntact(t, blocks, when) {
    for (const b of blocks) {
        const bad = checkPattern(t.u8, b.ptr, b.usable, b.off);
        assert.equal(bad, null, `${when}: block ${hex(b.ptr)} (${b.size} bytes) changed at ${bad}`);
    }
}

// ---------------------------------------------------------------------------------------------
// Counters.

/**
 * Tracks what the counters must say: live blocks (pointer -> usable size), allocations ever made
 * and usable bytes ever allocated (in-place growth included), and checks the counter block
 * against it, exactly.
 */
class CounterModel {
    constructor(t) {
        this.t = t;
        this.live = new Map();
        this.totalAllocs = 0;
        this.totalBytes = 0;
    }

    alloc(ptr, what) {
        assert.notEqual(ptr, 0, `${what} failed`);
        const u = this.t.usable(ptr);
        this.live.set(ptr, u);
        this.totalAllocs++;
        this.totalBytes += u;
        return ptr;
    }

    free(ptr) {
        assert.ok(this.live.has(ptr), `${hex(ptr)} is not live`);
        this.t.free(ptr);
        this.live.delete(ptr);
    }

    /** realloc(ptr, size); an in-place resize is no new allocation and counts only growth. */
    realloc(ptr, size) {
        const old = this.live.get(ptr);
        const q = this.t.realloc(ptr, size);
        if (size === 0) {
            assert.equal(q, 0);
            this.live.delete(ptr);
            return 0;
        }
        assert.notEqual(q, 0, `realloc(${hex(ptr)}, ${size}) failed`);
        const u = this.t.usable(q);
        this.live.delete(ptr);
        this.live.set(q, u);
        if (q === ptr) {
            this.totalBytes += Math.max(0, u - old);
        } else {
            this.totalAllocs++;
            this.totalBytes += u;
        }
        return q;
    }

    /** Checks the counter block; returns it. */
    check(when) {
        const c = this.t.counters();
        let usable = 0;
        for (const [ptr, u] of this.live) {
            assert.equal(this.t.usable(ptr), u, `${when}: usable size of ${hex(ptr)} changed`);
            usable += u;
        }
        const msg = (what) => `${when}: ${what} (counters ${JSON.stringify(c)})`;
        assert.equal(c.allocationCount, this.live.size, msg('allocation count'));
        assert.equal(c.allocatedBytes, usable, msg('allocated bytes = sum of malloc_usable_size of live blocks'));
        assert.equal(c.totalAllocationCount, this.totalAllocs, msg('total allocations'));
        assert.equal(c.totalAllocatedBytes, this.totalBytes, msg('total allocated bytes'));
        assert.equal(c.claimedBytes, c.allocatedBytes + c.availableBytes + HEADER * (c.allocationCount + c.heapCount),
            msg('claimed bytes = allocated + available + 4 * (allocations + heaps)'));
        assert.equal(c.totalHeapCount, c.heapCount, msg('total heaps (none was ever deleted)'));
        assert.equal(c.totalClaimedBytes, c.claimedBytes, msg('total claimed bytes (nothing was ever released)'));
        assert.ok(c.fragmentCount >= 1 && c.availableBytes >= 16 * c.fragmentCount, msg('fragments and available bytes'));
        return c;
    }
}

function counterTests(file) {
    test(`${file}: after a known sequence of calls, talc_counters() says exactly what the calls imply`, () => {
        const t = instantiate(file);
        const m = new CounterModel(t);
        const c0 = m.check('first reading (fresh module)');
        assert.equal(c0.heapCount, 1, 'heaps on a fresh module');
        assert.equal(c0.fragmentCount, 1, 'a fresh heap is one free chunk');
        assert.equal(c0.totalHeapCount, 1);
        assert.ok(c0.claimedBytes > 0 && c0.claimedBytes <= t.bytes - t.heapFloor, `claimed ${c0.claimedBytes}`);
        assert.equal(c0.availableBytes, c0.claimedBytes - HEADER, 'a fresh heap: all available but its header word');
        const bytes0 = t.bytes;

        const a = m.alloc(t.malloc(100), 'malloc(100)');
        m.check('after malloc(100)');
        const b = m.alloc(t.malloc(1000), 'malloc(1000)');
        const c = m.alloc(t.malloc(5000), 'malloc(5000)');
        const d = m.alloc(t.malloc(0), 'malloc(0)');
        const e = m.alloc(t.calloc(10, 10), 'calloc(10, 10)');
        m.alloc(t.alignedAlloc(256, 40), 'aligned_alloc(256, 40)');
        let k = m.check('after six allocations');
        assert.equal(k.allocationCount, 6);
        assert.equal(k.allocatedBytes, 108 + 1004 + 5004 + 12 + 108 + 44, 'usable sizes 108, 1004, 5004, 12, 108, 44');
        assert.equal(k.claimedBytes, c0.claimedBytes, 'claimed bytes changed without growth');
        assert.equal(t.bytes, bytes0, 'memory grew for 6 KiB');
        // Blocks lie one after the other from the bottom of the fresh heap.
        assert.equal(b, a + 112, `malloc(1000) = ${hex(b)} does not follow malloc(100) = ${hex(a)}`);

        m.free(b);
        k = m.check('after free(malloc(1000))');
        assert.equal(k.allocationCount, 5);
        assert.equal(k.totalAllocationCount, 6, 'a free is no allocation');

        // Grows into the free chunk above when realloc and grow in place are on, else moves.
        const a2 = m.realloc(a, 300);
        assert.equal(a2 === a, feature(t.info, 'reallocInPlace') && feature(t.info, 'growInPlace'),
            `realloc(${hex(a)}, 300) into the free chunk above returned ${hex(a2)}`);
        m.check('after realloc(a, 300)');
        // Cannot grow in place (d is allocated right above c): moves.
        const c2 = m.realloc(c, 20000);
        assert.notEqual(c2, c, 'realloc(c, 20000) did not move');
        m.check('after realloc(c, 20000)');
        // Shrinks in place when realloc in place is on.
        const e2 = m.realloc(e, 50);
        assert.equal(e2 === e, feature(t.info, 'reallocInPlace'), `realloc(${hex(e)}, 50) returned ${hex(e2)}`);
        m.check('after realloc(e, 50)');
        m.realloc(d, 0);
        k = m.check('after realloc(d, 0)');
        assert.equal(k.heapCount, 1);
        assert.equal(k.claimedBytes, c0.claimedBytes, 'claimed bytes changed without growth');

        // Growth extends the heap by exactly the pages grown.
        const before = t.bytes;
        m.alloc(t.malloc(200 * KiB), 'malloc(200 KiB)');
        assert.ok(t.bytes > before, 'malloc(200 KiB) did not grow memory');
        k = m.check('after malloc(200 KiB)');
        assert.equal(k.heapCount, 1, 'growth right above the heap extends it');
        assert.equal(k.claimedBytes, c0.claimedBytes + (t.bytes - before), 'claimed bytes grew by the bytes grown');

        // Growth above a foreign grow makes a new heap of (nearly all) the pages grown.
        const foreign = t.growForeign(2, 0xC3);
        const claimedBefore = k.claimedBytes;
        const h = m.alloc(t.malloc(300 * KiB), 'malloc(300 KiB)');
        assert.ok(h >= foreign.end, `malloc(300 KiB) = ${hex(h)} is not above the foreign pages`);
        const grown = t.bytes - foreign.end;
        k = m.check('after a foreign grow and malloc(300 KiB)');
        assert.equal(k.heapCount, 2, 'pages grown above a foreign grow are a new heap');
        assert.equal(k.totalHeapCount, 2);
        const added = k.claimedBytes - claimedBefore;
        assert.ok(added <= grown && added >= grown - 16, `new heap of ${added} bytes in ${grown} bytes grown`);
        assert.equal(t.checkForeign(), null);

        for (const p of [...m.live.keys()]) {
            m.free(p);
        }
        k = m.check('with everything freed');
        assert.equal(k.allocationCount, 0);
        assert.equal(k.allocatedBytes, 0);
        assert.equal(k.fragmentCount, k.heapCount, 'with everything freed, each heap is one free chunk');
        assert.equal(k.availableBytes, k.claimedBytes - HEADER * k.heapCount);
        assert.equal(k.totalAllocationCount, m.totalAllocs);
        console.log(`${file} counters at the end: ${JSON.stringify(k)}`);
    });
}

// ---------------------------------------------------------------------------------------------
// Realloc in place and grow in place.

function reallocTests(v) {
    const { file } = v;
    const inPlace = feature(v, 'reallocInPlace');
    const growInPlace = inPlace && feature(v, 'growInPlace');

    test(`${file}: realloc to at most the usable size ${inPlace ? 'keeps the pointer' : 'always moves (realloc in place off)'}, `
        + 'contents kept', () => {
        const t = instantiate(file);
        let b = block(t, 1000);
        const pin = block(t, 16);
        for (const size of [1000, 999, 600, 100, 100, 12, 1, 16]) {
            const size2 = Math.min(size, b.usable);
            const old = b.ptr;
            b = resize(t, b, size2);
            if (inPlace) {
                assert.equal(b.ptr, old, `realloc(${hex(old)}, ${size2}) moved to ${hex(b.ptr)}`);
            } else {
                assert.notEqual(b.ptr, old, `realloc(${hex(old)}, ${size2}) kept the pointer`);
            }
            // Exactly the usable size is no growth either.
            const same = b.ptr;
            b = resize(t, b, b.usable);
            assert.equal(b.ptr === same, inPlace, `realloc(${hex(same)}, usable ${b.usable}) returned ${hex(b.ptr)}`);
        }
        expectIntact(t, [b, pin], 'at the end');
    });

    test(`${file}: realloc growing into a free block above ${growInPlace ? 'grows in place'
        : inPlace ? 'moves (grow in place off)' : 'moves (realloc in place off)'}, contents kept`, () => {
        for (const pinned of [true, false]) {
            // malloc A, malloc B right above it, (a pin above B), free B, realloc A bigger.
            const t = instantiate(file);
            const a = block(t, 100);
            const b = block(t, 1000);
            assert.equal(b.ptr, a.ptr + a.usable + overhead(file), `B = ${hex(b.ptr)} is not right above A = ${hex(a.ptr)}`);
            const pin = pinned ? block(t, 16) : null;
            t.free(b.ptr);
            const q = resize(t, a, 600);
            const what = `realloc(A = ${hex(a.ptr)}, 600) with B = ${hex(b.ptr)} freed above it${pinned ? ' and a pin above B' : ''}`;
            if (growInPlace) {
                assert.equal(q.ptr, a.ptr, `${what} moved to ${hex(q.ptr)}`);
            } else {
                assert.notEqual(q.ptr, a.ptr, `${what} grew in place`);
            }
            expectIntact(t, pin ? [q, pin] : [q], what);
            // Growing again, beyond the free block: in place only if nothing is allocated above.
            const r = resize(t, q, 5000);
            if (pinned) {
                assert.notEqual(r.ptr, q.ptr, `realloc(${hex(q.ptr)}, 5000) below a pin did not move`);
            }
            expectIntact(t, pin ? [r, pin] : [r], 'after growing again');
        }
    });

    test(`${file}: realloc growing past an allocated neighbour moves, contents kept`, () => {
        const t = instantiate(file);
        let b = block(t, 100);
        const pins = [];
        for (const size of [200, 1000, 5000, 70000, 300000]) {
            pins.push(...pinAbove(t, b));
            const old = b.ptr;
            b = resize(t, b, size);
            assert.notEqual(b.ptr, old, `realloc(${hex(old)}, ${size}) with an allocated block above did not move`);
        }
        expectIntact(t, [b, ...pins], 'at the end');
    });
}

for (const v of variants()) {
    describe(`${v.file}: build features (${JSON.stringify(v.features)})`, () => {
        if (feature(v, 'counters')) {
            counterTests(v.file);
        }
        reallocTests(v);
    });
}
