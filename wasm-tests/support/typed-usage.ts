// The package's type declarations as a TypeScript user meets them: `deno check` must accept
// this file, so every @ts-expect-error line must really be an error. package.test.mjs checks it,
// then runs it.

import { createTalc, formatCounters, PAGE_SIZE, type Talc, type TalcCounters, VARIANTS } from 'talc-wasm';

const talc: Talc = await createTalc({ variant: 'talc-counters', initialPages: 2, maximumPages: 64 });
const ptr: number = talc.malloc(256);
const floats: Float64Array = talc.array(Float64Array, ptr, 32);
floats[0] = 0.5;
const view = talc.view(Float64Array, ptr);
const first: number = view.array[0];
const counters: TalcCounters = talc.counters();
const table: string = talc.countersTable();
const sameTable: boolean = formatCounters(counters) === table;
talc.free(ptr);

const memory = new WebAssembly.Memory({ initial: 2 });
const shared = await createTalc({ memory, start: 1024, limit: 8 * PAGE_SIZE });
const region: { start: number; limit: number } | null = shared.region;
const raw: number = shared.abi.malloc(10) >>> 0;

// @ts-expect-error: not a variant
await createTalc({ variant: 'talc-huge' }).catch(() => null);
// @ts-expect-error: a module that owns its memory has no region to start at
await createTalc({ variant: 'talc', start: 1024 }).catch(() => null);
let stringSizeRejected = false;
try {
    // @ts-expect-error: sizes are numbers, and at run time anything else is a TypeError
    talc.malloc('256');
} catch (e) {
    stringSizeRejected = e instanceof TypeError;
}
const variants: readonly string[] = VARIANTS;

console.log(JSON.stringify({
    first, floats: floats.length, live: counters.allocationCount, region, raw: raw !== 0, variants: variants.length, stringSizeRejected,
    tableLines: table.trimEnd().split('\n').length, sameTable,
}));
