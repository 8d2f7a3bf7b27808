// talc-wasm: loads one of the talc modules (./wasm/*.wasm) in Node, Deno or a browser and wraps
// it as an allocator, either with a memory of its own or serving a region of a memory that
// another module uses too. The README (README_WASM.md in the repository) is the guide.

import { formatCounters } from './lib/counters.js';
import { shippedLayout } from './lib/layout.js';
import { ADDRESSABLE_PAGES, withMaximumPages } from './lib/memory-limits.js';
import { TalcMisuseError, importsReportHook, misuseImports } from './lib/misuse.js';
import { describe, readSource, shippedModuleUrl } from './lib/source.js';
import { PAGE_SIZE, Talc, checkInt } from './lib/talc.js';

export { PAGE_SIZE, Talc, TalcMisuseError, formatCounters };

/** The shipped variants; each is ./wasm/<name>.wasm. */
export const VARIANTS = Object.freeze([
    'talc', 'talc-fast', 'talc-counters', 'talc-checked', 'talc-no-grow-in-place', 'talc-no-realloc-in-place', 'talc-arena',
    'talc-imported',
]);
/** The variant that works inside a memory passed as `memory`; the others own theirs. */
const IN_MEMORY_VARIANT = 'talc-imported';
const C_ABI = ['malloc', 'free', 'realloc', 'calloc', 'aligned_alloc', 'malloc_usable_size'];
const OPTIONS = new Set(['variant', 'source', 'initialPages', 'maximumPages', 'memory', 'start', 'limit']);

/**
 * Creates an allocator. Options (all optional):
 * - variant: one of VARIANTS (default 'talc', or 'talc-imported' with `memory`); with
 *   'talc-checked', a bad pointer or overwritten metadata throws TalcMisuseError;
 * - source: the module to use instead of the shipped file: bytes, a Response or a promise of
 *   one, a URL, a path (Node, Deno), or a WebAssembly.Module;
 * - initialPages: memory size (64 KiB pages) to grow to at once, all of it in the heap;
 * - maximumPages: memory never grows past this; allocations that would need more return 0;
 * - memory: a WebAssembly.Memory to work inside (with talc-imported), and
 *   start, limit: the region [start, limit) of it to serve (limit 0 or absent: up to the end of
 *   memory, growing it); without `start`, call talc.init(start, limit) before allocating.
 */
export async function createTalc(options = {}) {
    if (typeof options !== 'object' || options === null) {
        throw new TypeError(`talc-wasm: createTalc(options): options must be an object, got ${describe(options)}`);
    }
    for (const key of Object.keys(options)) {
        if (!OPTIONS.has(key)) {
            throw new TypeError(`talc-wasm: createTalc: unknown option '${key}' (known: ${[...OPTIONS].join(', ')})`);
        }
    }
    const { source, initialPages, maximumPages, memory, start, limit } = options;
    const inMemory = memory !== undefined;
    const variant = options.variant ?? (inMemory ? IN_MEMORY_VARIANT : 'talc');
    if (!VARIANTS.includes(variant)) {
        throw new Error(`talc-wasm: unknown variant ${describe(variant)} (variants: ${VARIANTS.join(', ')})`);
    }
    if (inMemory) {
        if (!(memory instanceof WebAssembly.Memory)) {
            throw new TypeError(`talc-wasm: createTalc: memory must be a WebAssembly.Memory, got ${describe(memory)}`);
        }
        if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) {
            throw new Error('talc-wasm: createTalc: memory is shared (a threads memory); talc-imported imports an '
                + 'unshared memory and is not thread-safe');
        }
        if (variant !== IN_MEMORY_VARIANT) {
            throw new Error(`talc-wasm: ${variant} owns its memory; only ${IN_MEMORY_VARIANT} works inside one you pass`);
        }
        if (initialPages !== undefined || maximumPages !== undefined) {
            throw new Error('talc-wasm: initialPages and maximumPages are for a module that owns its memory; '
                + 'with `memory`, size the memory yourself and bound the allocator with `limit`');
        }
        if (start === undefined && limit !== undefined) {
            throw new Error('talc-wasm: `limit` needs `start`');
        }
    } else {
        if (variant === IN_MEMORY_VARIANT) {
            throw new Error(`talc-wasm: ${IN_MEMORY_VARIANT} works inside a memory you pass as \`memory\``);
        }
        if (start !== undefined || limit !== undefined) {
            throw new Error('talc-wasm: `start` and `limit` are for a memory passed as `memory`');
        }
        if (maximumPages !== undefined) {
            checkInt('createTalc: maximumPages', maximumPages, 1, ADDRESSABLE_PAGES);
        }
        if (initialPages !== undefined) {
            checkInt('createTalc: initialPages', initialPages, 1, maximumPages ?? ADDRESSABLE_PAGES);
        }
    }

    const name = source === undefined ? variant : (options.variant ?? 'the module passed as source');
    const [module, layout] = await Promise.all([compile(source ?? shippedModuleUrl(`${variant}.wasm`), name, maximumPages),
        shippedLayout()]);
    checkExports(module, name, inMemory);
    const env = {
        ...(inMemory ? { memory } : {}),
        // A checked module reports misuse to env.talc_report, which throws TalcMisuseError.
        ...(importsReportHook(module) ? misuseImports(layout) : {}),
    };
    const instance = await WebAssembly.instantiate(module, Object.keys(env).length > 0 ? { env } : {});
    const talc = new Talc(instance, name, inMemory ? memory : instance.exports.memory, layout);
    if (start !== undefined) {
        talc.init(start, limit ?? 0);
    }
    if (initialPages !== undefined) {
        growTo(talc, initialPages);
    }
    return talc;
}

async function compile(source, name, maximumPages) {
    let bytes = await readSource(source, name);
    if (bytes instanceof WebAssembly.Module) {
        if (maximumPages !== undefined) {
            throw new Error('talc-wasm: maximumPages needs the module as bytes (it is written into the module), '
                + 'not a compiled WebAssembly.Module');
        }
        return bytes;
    }
    if (maximumPages !== undefined) {
        bytes = withMaximumPages(bytes, maximumPages, name);
    }
    try {
        return await WebAssembly.compile(bytes);
    } catch (e) {
        throw new Error(`talc-wasm: ${name} is not a valid WebAssembly module: ${e.message}`, { cause: e });
    }
}

/** Throws unless the module exports the C ABI and fits the mode (own memory, or env.memory imported). */
function checkExports(module, name, inMemory) {
    const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const missing = C_ABI.filter((f) => !exports.has(f));
    if (missing.length > 0) {
        throw new Error(`talc-wasm: ${name} is not an allocator module: it does not export ${missing.join(', ')}`);
    }
    const importsMemory = WebAssembly.Module.imports(module)
        .some((i) => i.module === 'env' && i.name === 'memory' && i.kind === 'memory');
    if (inMemory && !(importsMemory && exports.has('talc_init'))) {
        throw new Error(`talc-wasm: ${name} cannot work inside another memory (it needs to import env.memory `
            + 'and export talc_init, as talc-imported.wasm does)');
    }
    if (!inMemory && !exports.has('memory')) {
        throw new Error(`talc-wasm: ${name} exports no memory of its own; pass it a WebAssembly.Memory as \`memory\``);
    }
}

/**
 * initialPages: makes the allocator grow its memory to `pages`. Pages grown from JavaScript
 * would not join its heap (it keeps out of memory that other code grew), so the allocator does
 * it: a fresh one holds only its initial memory, and its first growth step is exactly what the
 * request needs (README_WASM.md, "Memory and growth"), so one request for `pages - 1` pages of
 * bytes grows memory to `pages`; freed, it leaves them all in the heap as one free block.
 */
function growTo(talc, pages) {
    const have = talc.memory.buffer.byteLength / PAGE_SIZE;
    if (have >= pages) {
        return;
    }
    const ptr = talc.malloc((pages - 1) * PAGE_SIZE);
    if (ptr === 0) {
        throw new Error(`talc-wasm: initialPages ${pages}: ${talc.variant} could not grow its memory from ${have} `
            + `to ${pages} pages`);
    }
    talc.free(ptr);
}
