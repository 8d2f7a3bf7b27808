// talc-wasm link: merges talc into a module that imports its allocator (malloc, free, realloc,
// calloc, aligned_alloc, malloc_usable_size), so that one module comes out, with talc inside and
// working in the module's own memory, and no import left for the allocator. Node.js only.
//
// wasm/talc-linked.wasm imports its memory and the global __heap_base; its first call boots the
// allocator above __heap_base. binaryen's wasm-merge joins it to the app, resolving each
// module's imports from the other's name to the other's exports, after the imports are renamed
// so: the app's allocator functions come from talc; talc's __heap_base from the app; and the one
// memory is the app's: the memory the app exports, or, when the app imports its memory, that
// same import, which talc then makes and hands to the app (wasm-merge makes two imports of one
// memory two memories). wasm-opt then optimises the result as one program.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
    KIND, KIND_NAMES, definedMemories, readExports, readImports, withExports, withImports,
} from './wasm-binary.js';

/** The functions talc provides, which the app may import. */
export const ABI = Object.freeze(['malloc', 'free', 'realloc', 'calloc', 'aligned_alloc', 'malloc_usable_size']);
/** The global where lld ends a module's data and stack; the app must export it. */
export const HEAP_BASE = '__heap_base';
/** The modules' names in wasm-merge, which the renamed imports use. */
const APP = 'talc:app';
const TALC = 'talc:allocator';
/** talc's export of the memory it imports for an app that imports its memory; gone after linking. */
const MEMORY_EXPORT = 'talc:memory';
/** What talc uses besides the MVP; the app's own features come from its target_features section. */
const FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
    '--enable-mutable-globals'];
/** wasm-opt's levels, as -O<level>. */
export const LEVELS = Object.freeze(['0', '1', '2', '3', '4', 's', 'z']);
export const DEFAULT_LEVEL = '2';
/** Lines of a failing tool's output worth repeating (binaryen may print the whole module). */
const ERROR_LINES = 4;

const TALC_LINKED = new URL('../wasm/talc-linked.wasm', import.meta.url);

/**
 * The binaryen npm package's folder: `dir` when given, else the one installed in the current
 * project, else the one beside talc-wasm.
 */
function findBinaryen(dir) {
    if (dir !== undefined) {
        return dir;
    }
    for (const from of [join(process.cwd(), 'package.json'), import.meta.url]) {
        try {
            return dirname(createRequire(from).resolve('binaryen/package.json'));
        } catch {
            // not installed there
        }
    }
    throw new Error('talc-wasm link needs binaryen (wasm-merge and wasm-opt): '
        + 'npm install --save-dev binaryen, or pass --binaryen DIR');
}

/**
 * The two modules as wasm-merge must see them: {app, talc} with their imports renamed (talc's
 * exports too), and the app's allocator imports. Throws, saying what to change, when the app
 * cannot take talc this way.
 */
function plan(app, talc, what = 'the module') {
    const imports = readImports(app);
    const isAllocator = (i) => i.kind === KIND.FUNC && ABI.includes(i.name);
    const allocator = imports.filter(isAllocator);
    if (allocator.length === 0) {
        throw new Error(`${what} imports none of ${ABI.join(', ')}: there is nothing for talc to serve`);
    }
    const exports = readExports(app);
    if (!exports.some((e) => e.name === HEAP_BASE && e.kind === KIND.GLOBAL)) {
        throw new Error(`${what} does not export ${HEAP_BASE}, above which talc works: `
            + `link it with -Wl,--export=${HEAP_BASE}`);
    }
    const imported = imports.filter((i) => i.kind === KIND.MEMORY);
    const defined = definedMemories(app);
    if (imported.length + defined.length !== 1) {
        throw new Error(`${what} has ${imported.length + defined.length} memories; talc works in a module with one`);
    }
    let memory;
    if (imported.length === 1) {
        memory = { module: imported[0].module, name: imported[0].name, desc: imported[0].desc };
    } else {
        const exported = exports.find((e) => e.kind === KIND.MEMORY && e.index === 0);
        if (!exported) {
            throw new Error(`${what} neither imports nor exports its memory: link it with -Wl,--export-memory`);
        }
        memory = { module: APP, name: exported.name, desc: defined[0] };
    }
    const appImports = imports.map((i) => (isAllocator(i) ? { ...i, module: TALC }
        : i.kind === KIND.MEMORY ? { ...i, module: TALC, name: MEMORY_EXPORT } : i));
    const talcImports = readImports(talc).map((i) => {
        if (i.kind === KIND.MEMORY) {
            return { ...i, ...memory };
        }
        if (i.kind === KIND.GLOBAL && i.name === HEAP_BASE) {
            return { ...i, module: APP };
        }
        throw new Error(`talc-linked.wasm has an unexpected import ${i.module}.${i.name}`);
    });
    let renamedTalc = withImports(talc, talcImports);
    if (imported.length === 1) {
        renamedTalc = withExports(renamedTalc, [...readExports(talc), { name: MEMORY_EXPORT, kind: KIND.MEMORY, index: 0 }]);
    }
    return { app: withImports(app, appImports), talc: renamedTalc, allocator };
}

function run(binaryen, tool, args) {
    const r = spawnSync(process.execPath, [join(binaryen, 'bin', tool), ...args], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
        const output = r.error?.message ?? `${r.stderr}${r.stdout}`.trim().split('\n').slice(0, ERROR_LINES).join('\n');
        throw new Error(`${tool} failed: ${output}`);
    }
}

/**
 * `app` (the bytes of a module that imports its allocator) with talc merged in, optimised at
 * wasm-opt's `-O<level>`. Its imports are the app's but the allocator's; its exports are the
 * app's and talc's functions (so JavaScript can allocate in its memory too).
 */
export function link(app, { level = DEFAULT_LEVEL, binaryen, what = 'the module' } = {}) {
    if (!LEVELS.includes(level)) {
        throw new Error(`unknown optimisation level -O${level} (levels: ${LEVELS.map((l) => `-O${l}`).join(', ')})`);
    }
    const planned = plan(app, readFileSync(TALC_LINKED), what);
    const tools = findBinaryen(binaryen);
    const dir = mkdtempSync(join(tmpdir(), 'talc-link-'));
    try {
        const [appFile, talcFile, merged, out] = ['app', 'talc', 'merged', 'out'].map((f) => join(dir, `${f}.wasm`));
        writeFileSync(appFile, planned.app);
        writeFileSync(talcFile, planned.talc);
        run(tools, 'wasm-merge', [appFile, APP, talcFile, TALC, '-o', merged, ...FEATURES]);
        run(tools, 'wasm-opt', [merged, `-O${level}`, '-o', out, ...FEATURES]);
        const optimised = readFileSync(out);
        const result = withExports(optimised, readExports(optimised).filter((e) => e.name !== MEMORY_EXPORT));
        checkImports(result, app, planned.allocator, what);
        return result;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Throws unless the linked module imports exactly what the app did, less its allocator. */
function checkImports(linked, app, allocator, what) {
    const key = (i) => `${i.module}.${i.name} (${KIND_NAMES[i.kind]})`;
    const served = new Set(allocator.map(key));
    const want = [...new Set(readImports(app).map(key))].filter((k) => !served.has(k)).sort();
    const have = [...new Set(readImports(linked).map(key))].sort();
    if (want.join() !== have.join()) {
        throw new Error(`linking ${what} left the imports ${have.join(', ') || 'none'}, `
            + `expected ${want.join(', ') || 'none'}`);
    }
}
