// The maximumPages option of a module that owns its memory. The shipped growing modules declare
// the maximum 32767 pages (all the memory below 2 GiB, which the allocator can address), so the
// loader writes a lower one into the module's memory section before compiling it: the engine
// then refuses memory.grow past it, and the allocator answers such a request with 0, as
// it does for any grow that fails (the tests' -max256 builds are made the same way at build
// time). A declared maximum also lets an engine reserve less address space.

import { SECTION, findSection, leb, readLeb, replaceSection } from './wasm-binary.js';

/**
 * Memory pages the allocator can address: it never takes memory at or above 2 GiB. The growing
 * modules that own their memory declare it as their maximum.
 */
export const ADDRESSABLE_PAGES = 32767;

/**
 * A copy of the module `bytes` whose one defined memory has the maximum `maxPages`; throws when
 * the module defines no memory or its minimum is above `maxPages`.
 */
export function withMaximumPages(bytes, maxPages, what) {
    const section = findSection(bytes, SECTION.MEMORY);
    if (!section) {
        throw new Error(`talc-wasm: ${what} defines no memory of its own, so maximumPages cannot apply`);
    }
    let pos = section.start;
    const [count, afterCount] = readLeb(bytes, pos);
    const flags = bytes[afterCount];
    if (count !== 1 || flags > 1) {
        throw new Error(`talc-wasm: ${what}: unexpected memory section (${count} memories, flags ${flags})`);
    }
    pos = afterCount + 1;
    const [minPages] = readLeb(bytes, pos);
    if (minPages > maxPages) {
        throw new Error(`talc-wasm: maximumPages ${maxPages} is below the ${minPages} pages ${what} starts with`);
    }
    return replaceSection(bytes, section, Uint8Array.from([...leb(1), 0x01, ...leb(minPages), ...leb(maxPages)]));
}

/** The maximum, in pages, that the module's one defined memory declares, or null when it declares none or defines no memory. */
export function declaredMaximumPages(bytes) {
    const section = findSection(bytes, SECTION.MEMORY);
    if (!section) {
        return null;
    }
    const [, afterCount] = readLeb(bytes, section.start);
    if ((bytes[afterCount] & 1) === 0) {
        return null;
    }
    const [, afterMin] = readLeb(bytes, afterCount + 1);
    return readLeb(bytes, afterMin)[0];
}
