// The layout of a talc module's memory that this package reads: each chunk's header word and
// its flags, the misuse kinds of the checked build, and the counter block. The build writes it
// into modules.json ("layout") from the Java constants that define it (talc.core's Chunk,
// Misuse and State); nothing here restates a number.
//
//   header:   {bytes, unit, sizeMask, allocated, belowFree, heapFirst, sealBytes}: a block's
//             header word sits `bytes` below its pointer and holds its chunk's size (& sizeMask)
//             and flags; chunks are `unit`-aligned; a checked build's allocated chunk ends with
//             a seal of `sealBytes`
//   misuse:   {kind name: code}, e.g. {"misaligned": 1, ...}
//   counters: {bytes, fields: [{name, offset, type: "u32" | "u64"}]}, in memory order

import { readSource, shippedModuleUrl } from './source.js';

/** The layout of a parsed modules.json, after checking that it has what this package reads. */
export function layoutOf(manifest) {
    const layout = manifest?.layout;
    const ints = (object, keys) => keys.length > 0 && keys.every((k) => Number.isInteger(object?.[k]));
    const { header, misuse, counters } = layout ?? {};
    const valid = {
        header: ints(header, ['bytes', 'unit', 'sizeMask', 'allocated', 'belowFree', 'heapFirst', 'sealBytes']),
        misuse: ints(misuse, Object.keys(misuse ?? {})),
        counters: Number.isInteger(counters?.bytes) && Array.isArray(counters.fields) && counters.fields.every((f) => typeof f.name === 'string'
            && Number.isInteger(f.offset) && (f.type === 'u32' || f.type === 'u64')),
    };
    const invalid = Object.keys(valid).filter((part) => !valid[part]);
    if (invalid.length > 0) {
        throw new Error(`talc-wasm: modules.json: no valid layout.${invalid.join(', layout.')} (rebuild the modules)`);
    }
    return deepFreeze(structuredClone(layout));
}

function deepFreeze(value) {
    if (typeof value === 'object' && value !== null) {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
    }
    return value;
}

let shipped = null;

/** The layout of the shipped modules (../wasm/modules.json), read once. */
export function shippedLayout() {
    shipped ??= readSource(shippedModuleUrl('modules.json'), 'modules.json')
        .then((bytes) => layoutOf(JSON.parse(new TextDecoder().decode(bytes))))
        .catch((e) => {
            shipped = null; // a failed read may be retried
            throw e;
        });
    return shipped;
}
