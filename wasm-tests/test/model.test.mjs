// Randomized model test through the exports of every module variant in modules.json: random
// malloc / calloc / aligned_alloc (alignments 1..65536) / free / realloc (also to 0 and from 0),
// with every result checked against a model of the live blocks and against the exported memory
// (per-block byte patterns, alignment, usable size, bounds, no overlap, foreign grows left
// alone), plus what the variant's build features imply (see variantChecks in talc.mjs): the
// realloc rule after every realloc, and in the counters variant the whole counter block after
// every operation. talc.wasm gets the full 1.6 million operations; every other variant a shorter
// run (OTHER_OPS); a variant that never grows memory is also driven into OOM and must not grow.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { KiB, instantiate, runModel, variantChecks, variants } from './talc.mjs';

/** talc.wasm: 6 seeds of 250,000 operations plus 100,000 on small blocks = 1.6 million. */
const FULL = { seeds: [1, 2, 3, 4, 0x5EED, 0xC0FFEE], opsPerSeed: 250_000, smallOps: 100_000 };
/** Every other variant: one seed of 250,000 operations plus 50,000 on small blocks = 300,000. */
const OTHER = { seeds: [5], opsPerSeed: 250_000, smallOps: 50_000 };
/** A variant that never grows memory: random operations under memory pressure. */
const ARENA_OOM_OPS = 100_000;

/** Operations run per module file. */
const totals = new Map();
const count = (file, ops) => totals.set(file, (totals.get(file) ?? 0) + ops);

for (const v of variants()) {
    const { file } = v;
    const plan = file === 'talc.wasm' ? FULL : OTHER;
    describe(`${file}: randomized model`, () => {
        for (const seed of plan.seeds) {
            test(`${file}: model seed ${seed}, ${plan.opsPerSeed} random operations, foreign grows interleaved`, () => {
                const t = instantiate(file);
                const s = runModel(t, seed, plan.opsPerSeed, { maxLive: 1000, foreignEvery: 15000, ...variantChecks(t) });
                count(file, s.operations);
                console.log(`${file} model seed ${seed}: ${s.operations} ops (malloc ${s.malloc}, calloc ${s.calloc}, `
                    + `aligned_alloc ${s.alignedAlloc}, free ${s.free}, realloc ${s.realloc}), peak live ${s.peakLiveBlocks}, `
                    + `${s.foreignGrows} foreign grows, memory ${t.pages} pages, ${t.growCalls} allocator grows`);
                if (!v.grows) {
                    assert.equal(t.growCalls, 0, `${file} grew memory ${t.growCalls} times`);
                }
            });
        }

        test(`${file}: model, a heap of only small blocks (0..64 bytes), ${plan.smallOps} operations`, () => {
            const t = instantiate(file);
            const s = runModel(t, 77, plan.smallOps, { maxLive: 1000, sizeFn: (rng) => rng.range(0, 64), ...variantChecks(t) });
            count(file, s.operations);
            console.log(`${file} model small blocks: ${s.operations} ops, peak live ${s.peakLiveBlocks}, memory ${t.pages} pages`);
        });

        if (!v.grows) {
            test(`${file}: memory never grows, even under ${ARENA_OOM_OPS} random operations that run out of memory`, () => {
                const t = instantiate(file);
                const initial = t.bytes;
                // Live sets that need more than the arena: up to 400 blocks, 40% of 16..256 KiB.
                const bigSizes = (rng) => (rng.float() < 0.6 ? rng.range(0, 4 * KiB) : rng.range(16 * KiB, 256 * KiB));
                const s = runModel(t, 21, ARENA_OOM_OPS, {
                    maxLive: 400, expectOom: true, sizeFn: bigSizes, contentsEvery: 5000, ...variantChecks(t),
                });
                count(file, s.operations);
                console.log(`${file} model under memory pressure: ${s.operations} ops, ${s.failedAllocations} failed allocations, `
                    + `peak live ${s.peakLiveBlocks}, memory ${t.pages} pages`);
                assert.equal(t.growCalls, 0, `${file} grew memory ${t.growCalls} times`);
                assert.equal(t.maxBytes, initial, `${file}: memory reached ${t.maxBytes} bytes, started at ${initial}`);
                assert.equal(t.bytes, initial);
                assert.ok(s.failedAllocations > 100, `only ${s.failedAllocations} failures: the test did not run out of memory`);
            });
        }
    });
}

after(() => {
    let all = 0;
    for (const [file, ops] of totals) {
        console.log(`model: ${file}: ${ops} operations`);
        all += ops;
    }
    console.log(`model: ${all} operations in total`);
});
