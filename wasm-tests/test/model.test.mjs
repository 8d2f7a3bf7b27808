// Randomized model test through the exports of talc.wasm: random malloc / calloc / aligned_alloc
// (alignments 1..65536) / free / realloc (also to 0 and from 0), with every result checked
// against a model of the live blocks and against the exported memory (per-block byte patterns,
// alignment, usable size, bounds, no overlap, foreign grows left alone). See runModel in talc.mjs.

import { after, test } from 'node:test';
import { instantiate, runModel } from './talc.mjs';

const OPS_PER_SEED = 250_000;
const SEEDS = [1, 2, 3, 4, 0x5EED, 0xC0FFEE];
let total = 0;

for (const seed of SEEDS) {
    test(`model: seed ${seed}, ${OPS_PER_SEED} random operations, foreign grows interleaved`, () => {
        const t = instantiate('talc.wasm');
        const s = runModel(t, seed, OPS_PER_SEED, { maxLive: 1000, foreignEvery: 15000 });
        total += s.ops;
        console.log(`model seed ${seed}: ${s.ops} ops (malloc ${s.malloc}, calloc ${s.calloc}, `
            + `aligned_alloc ${s.aligned}, free ${s.free}, realloc ${s.realloc}), peak live ${s.peakLive}, `
            + `${s.foreign} foreign grows, memory ${t.pages} pages, ${t.growCalls} allocator grows`);
    });
}

test('model: a heap of only small blocks (0..64 bytes), 100000 operations', () => {
    const t = instantiate('talc.wasm');
    const s = runModel(t, 77, 100_000, { maxLive: 1000, sizeFn: (rng) => rng.int(0, 64) });
    total += s.ops;
    console.log(`model small blocks: ${s.ops} ops, peak live ${s.peakLive}, memory ${t.pages} pages`);
});

after(() => {
    console.log(`model: ${total} operations in total`);
});
