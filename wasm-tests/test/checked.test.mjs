// The checked build (talc-checked.wasm and its capped twin): every kind of misuse is reported
// through env.talc_report with its kind and address before anything changes (memory is the same
// byte for byte), a hook that returns makes the module trap, talc_check finds overwritten
// metadata, talc_walk visits every chunk, and frees do not detach JavaScript's memory.buffer.
// The rest of the suite (ABI, model, OOM, growth) runs on this build too.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { withMaximumPages } from '../../package/lib/memory-limits.js';
import { stagedPackage } from '../support/package-fixture.mjs';
import {
    Allocator, LAYOUT, MISUSE, Rng, TalcMisuseError, checkPattern, compile, feature, fillPattern, hex, instantiate, manifest,
    moduleImports, moduleInfo, wasmPath,
} from './talc.mjs';

const CHECKED = manifest().filter((e) => feature(e, 'checked')).map((e) => e.file);
const { allocated: ALLOCATED, bytes: HEADER, sealBytes: SEAL } = LAYOUT.header;

/**
 * Calls `misuse` on `t`, expects a TalcMisuseError at `address` of `kind` (or of one of the kinds
 * in an array), and no byte of memory changed.
 */
function expectMisuse(t, kind, address, misuse) {
    const before = Buffer.from(t.u8);
    assert.throws(misuse, (e) => {
        assert.ok(e instanceof TalcMisuseError, `expected a misuse report, got ${e}`);
        assert.ok([kind].flat().includes(e.code), `kind for ${hex(address)}: ${e.message}, expected ${kind}`);
        assert.equal(e.address, address >>> 0);
        return true;
    });
    assert.ok(before.equals(Buffer.from(t.u8)), `misuse at ${hex(address)} changed memory`);
}

test('the build has a checked variant', () => {
    assert.ok(CHECKED.length >= 1, 'no module in modules.json has the checked feature');
});

for (const file of CHECKED) {
    describe(`${file}: misuse is reported, the heap left as it was`, () => {
        test('double free, directly and after the block merged with a free neighbour', () => {
            const t = instantiate(file);
            const [a, b, c] = [t.malloc(100), t.malloc(100), t.malloc(100)];
            t.free(b);
            expectMisuse(t, MISUSE.NOT_ALLOCATED, b, () => t.free(b));
            t.free(a);
            expectMisuse(t, MISUSE.NOT_ALLOCATED, a, () => t.free(a));
            expectMisuse(t, MISUSE.NOT_ALLOCATED, b, () => t.realloc(b, 10));
            expectMisuse(t, MISUSE.NOT_ALLOCATED, a, () => t.usable(a));
            t.free(c);
            assert.equal(t.e.talc_check(), 0);
        });

        test('pointers no malloc returned: misaligned, inside a block, outside every heap', () => {
            const t = instantiate(file);
            const a = t.malloc(1000);
            expectMisuse(t, MISUSE.MISALIGNED, a + 4, () => t.free(a + 4));
            expectMisuse(t, MISUSE.MISALIGNED, 0xFFFFFFFF, () => t.free(0xFFFFFFFF));
            expectMisuse(t, MISUSE.INSIDE_BLOCK, a + 16, () => t.free(a + 16));
            expectMisuse(t, MISUSE.INSIDE_BLOCK, a + 976, () => t.realloc(a + 976, 8));
            expectMisuse(t, MISUSE.OUTSIDE_HEAPS, 16, () => t.free(16));
            expectMisuse(t, MISUSE.OUTSIDE_HEAPS, t.info.stateAddress, () => t.usable(t.info.stateAddress));
            expectMisuse(t, MISUSE.OUTSIDE_HEAPS, t.bytes, () => t.free(t.bytes));
            expectMisuse(t, MISUSE.OUTSIDE_HEAPS, 0xFFFFFFF0, () => t.free(0xFFFFFFF0));
            // user data that looks like a header is not taken for one
            new DataView(t.memory.buffer).setUint32(a + 28, 64 | ALLOCATED, true);
            expectMisuse(t, MISUSE.INSIDE_BLOCK, a + 32, () => t.free(a + 32));
            t.free(a);
            assert.equal(t.e.talc_check(), 0);
        });

        test('what is undefined behaviour in a release module is reported: the state block, inside a block, never-allocated memory', () => {
            const t = instantiate(file);
            const p = t.malloc(100);
            expectMisuse(t, MISUSE.OUTSIDE_HEAPS, 16, () => t.free(16));
            expectMisuse(t, MISUSE.INSIDE_BLOCK, p + 16, () => t.free(p + 16));
            expectMisuse(t, MISUSE.NOT_ALLOCATED, t.bytes - 4096, () => t.free(t.bytes - 4096));
            t.free(p);
            assert.equal(t.e.talc_check(), 0);
        });

        test('a free before any allocation is outside every heap, and free(0) still changes nothing', () => {
            const fresh = instantiate(file);
            const before = Buffer.from(fresh.u8);
            fresh.free(0);
            assert.ok(before.equals(Buffer.from(fresh.u8)));
            assert.throws(() => fresh.free(fresh.bytes - 64), (e) => e instanceof TalcMisuseError && e.code === MISUSE.NOT_ALLOCATED);
        });

        test('overwritten boundary tags: free reports corruption, talc_check names the chunk', () => {
            const t = instantiate(file);
            const [a, b, c] = [t.malloc(100), t.malloc(100), t.malloc(100)];
            t.free(a);
            assert.equal(t.e.talc_check(), 0);
            const dv = new DataView(t.memory.buffer);
            const header = dv.getUint32(b - HEADER, true);
            dv.setUint32(b - HEADER, 0x12345670 | ALLOCATED, true); // a write just past the free chunk below b
            expectMisuse(t, MISUSE.CORRUPTED, b, () => t.free(b));
            assert.equal(t.e.talc_check() >>> 0, (b | MISUSE.CORRUPTED) >>> 0);
            dv.setUint32(b - HEADER, header, true);
            assert.equal(t.e.talc_check(), 0);
            // a seal: b's last word, just past its usable end, below c's header
            const at = c - HEADER - SEAL;
            const seal = dv.getUint32(at, true);
            dv.setUint32(at, seal ^ 1, true); // b's user writing one byte too many
            expectMisuse(t, MISUSE.CORRUPTED, b, () => t.free(b));
            expectMisuse(t, MISUSE.CORRUPTED, c, () => t.free(c)); // the block above checks it too
            assert.equal(t.e.talc_check() >>> 0, (b | MISUSE.CORRUPTED) >>> 0);
            dv.setUint32(at, seal, true);
            t.free(b);
            t.free(c);
            assert.equal(t.e.talc_check(), 0);
        });

        test('a report hook that returns: the module traps, memory unchanged', () => {
            const reports = [];
            const instance = new WebAssembly.Instance(compile(file), {
                env: { talc_report: (kind, address) => reports.push([kind, address >>> 0]) },
            });
            const e = instance.exports;
            const p = e.malloc(64);
            e.free(p);
            const before = Buffer.from(new Uint8Array(e.memory.buffer));
            assert.throws(() => e.free(p), WebAssembly.RuntimeError);
            assert.deepEqual(reports, [[MISUSE.NOT_ALLOCATED, p >>> 0]]);
            assert.ok(before.equals(Buffer.from(new Uint8Array(e.memory.buffer))));
            assert.equal(e.talc_check(), 0);
            assert.notEqual(e.malloc(64), 0, 'the allocator works on after the trap');
        });

        test('free and malloc_usable_size leave memory.buffer in place (no memory.grow(0))', () => {
            const t = instantiate(file);
            const p = t.malloc(64);
            const buffer = t.memory.buffer;
            t.usable(p);
            t.free(p);
            assert.equal(t.memory.buffer, buffer);
        });

        test('randomized: 3,000 bad calls among 20,000 good ones, each reported, contents intact', () => {
            const t = instantiate(file);
            const rng = new Rng(77);
            const live = new Map();
            let reported = 0;
            for (let i = 0; i < 20000; i++) {
                const r = rng.range(0, 99);
                if (live.size === 0 || r < 50) {
                    const size = rng.range(0, 2000);
                    const p = t.malloc(size);
                    assert.notEqual(p, 0);
                    fillPattern(t.u8, p, size, i);
                    live.set(p, { size, off: i });
                } else {
                    const ptrs = [...live.keys()];
                    const p = ptrs[rng.range(0, ptrs.length - 1)];
                    const bad = r < 65 ? p + 16 * rng.range(1, 8) : p;
                    if (bad !== p && !live.has(bad)) {
                        // inside p's block; past it: in another block, in free memory, or past the heap's end
                        const kinds = bad < p + t.usable(p) ? MISUSE.INSIDE_BLOCK
                            : [MISUSE.INSIDE_BLOCK, MISUSE.NOT_ALLOCATED, MISUSE.OUTSIDE_HEAPS];
                        expectMisuse(t, kinds, bad, () => (rng.range(0, 1) ? t.free(bad) : t.realloc(bad, 64)));
                        reported++;
                    } else if (bad === p) {
                        const { size, off } = live.get(p);
                        assert.equal(checkPattern(t.u8, p, size, off), null, `block ${hex(p)} intact`);
                        t.free(p);
                        live.delete(p);
                        if (rng.range(0, 5) === 0) {
                            expectMisuse(t, MISUSE.NOT_ALLOCATED, p, () => t.free(p));
                            reported++;
                        }
                    }
                }
            }
            for (const [p, { size, off }] of live) {
                assert.equal(checkPattern(t.u8, p, size, off), null, `block ${hex(p)} intact at the end`);
            }
            assert.equal(t.e.talc_check(), 0);
            assert.ok(reported >= 3000, `only ${reported} bad calls made`);
        });

        test('talc_walk visits every chunk of every heap once, allocated exactly where the live blocks are', () => {
            const t = instantiate(file);
            const rng = new Rng(5);
            const live = new Set();
            for (let i = 0; i < 3000; i++) {
                if (live.size === 0 || rng.range(0, 2) > 0) {
                    live.add(t.malloc(rng.range(0, 30000)));
                } else {
                    const p = [...live][rng.range(0, live.size - 1)];
                    t.free(p);
                    live.delete(p);
                }
                if (i === 1500) {
                    t.growForeign(2); // another party's pages split the allocator's memory into two heaps
                }
            }
            const chunks = t.walk();
            assert.deepEqual(new Set(chunks.filter((c) => c.allocated).map((c) => c.address)), live);
            const heaps = chunks.filter((c) => c.heapFirst).length;
            assert.equal(heaps, 2, 'the foreign grow made a second heap');
            for (let i = 1; i < chunks.length; i++) {
                if (!chunks[i].heapFirst) {
                    assert.equal(chunks[i].address, chunks[i - 1].address + chunks[i - 1].size, 'chunks are contiguous');
                    assert.ok(chunks[i].allocated || chunks[i - 1].allocated, 'no two free chunks touch');
                }
            }
            assert.equal(t.checkForeign(), null);
        });
    });
}

/**
 * A module whose memory cannot grow past `maxPages`, so that the grow refused comes at a
 * different point of the same run for each cap.
 */
function capped(file, maxPages) {
    const bytes = withMaximumPages(readFileSync(wasmPath(file)), maxPages, file);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), moduleImports(file));
    return new Allocator(instance, { name: file, info: moduleInfo(file), layout: LAYOUT });
}

for (const file of [...CHECKED, 'talc.wasm']) {
    test(`${file}: memory.grow refused at every point of a run: 0, every block intact${feature(file, 'checked') ? ', talc_check clean' : ''}`, () => {
        const refusedAt = new Set();
        for (let maxPages = 1; maxPages <= 24; maxPages++) {
            const t = capped(file, maxPages);
            const rng = new Rng(1234);
            const live = new Map();
            for (let i = 0; i < 4000; i++) {
                if (live.size === 0 || rng.range(0, 99) < 60) {
                    const size = rng.range(0, 1) ? rng.range(0, 4096) : rng.range(0, 200000);
                    const p = t.malloc(size);
                    if (p === 0) {
                        refusedAt.add(t.pages);
                        assert.ok(t.pages <= maxPages);
                        for (const [q, b] of live) {
                            assert.equal(checkPattern(t.u8, q, b.size, b.off, 256), null, `cap ${maxPages}, op ${i}: block ${hex(q)} after a refused grow`);
                        }
                        if (t.e.talc_check) {
                            assert.equal(t.e.talc_check(), 0, `cap ${maxPages}, op ${i}: talc_check after a refused grow`);
                        }
                        continue;
                    }
                    fillPattern(t.u8, p, size, i);
                    live.set(p, { size, off: i });
                } else {
                    const p = [...live.keys()][rng.range(0, live.size - 1)];
                    t.free(p);
                    live.delete(p);
                }
            }
        }
        assert.ok(refusedAt.size >= 10, `grows were refused at only ${refusedAt.size} different memory sizes`);
    });
}

describe('talc-wasm with variant talc-checked', async () => {
    const packageDir = await stagedPackage();
    const { createTalc, TalcMisuseError } = await import(pathToFileURL(join(packageDir, 'index.js')).href);

    test('misuse is a TalcMisuseError with its kind and address; check() and walk() work', async () => {
        const talc = await createTalc({ variant: 'talc-checked' });
        assert.ok(talc.isChecked);
        const p = talc.malloc(100);
        const q = talc.malloc(200);
        talc.free(p);
        assert.throws(() => talc.free(p), (e) => e instanceof TalcMisuseError && e.kind === 'not-allocated'
            && e.address === p && /^talc-wasm: pointer to free memory: double free/.test(e.message));
        assert.throws(() => talc.realloc(q + 32, 8), (e) => e instanceof TalcMisuseError && e.kind === 'inside-block');
        assert.throws(() => talc.usableSize(q + 8), (e) => e instanceof TalcMisuseError && e.kind === 'misaligned');
        assert.equal(talc.check(), null);
        const chunks = talc.walk();
        assert.deepEqual(chunks.filter((c) => c.allocated).map((c) => c.address), [q]);
        assert.ok(chunks.filter((c) => !c.allocated).every((c) => Number.isInteger(c.bin) && c.bin >= 0));
        new DataView(talc.memory.buffer).setUint32(q - HEADER, 0xFFFFFFF1, true);
        const problem = talc.check();
        assert.equal(problem.kind, 'corrupted');
        assert.equal(problem.address, q);
    });

    test('the other variants say check() and walk() need talc-checked', async () => {
        const talc = await createTalc();
        assert.equal(talc.isChecked, false);
        assert.throws(() => talc.check(), /talc-checked/);
        assert.throws(() => talc.walk(), /talc-checked/);
    });
});
