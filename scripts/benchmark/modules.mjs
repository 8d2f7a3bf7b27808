// The allocator modules under test ("subjects"): loading, instantiating, and the two ways the
// suite bends a module to its needs: stub imports, and a memory maximum for the capped workload.
//
// Any wasm32 module that exports `memory`, `malloc`, `free`, `realloc` and `calloc` (and, if it
// has it, `aligned_alloc`) can take part. Imported functions get stubs that return 0, which
// is all emscripten's standalone modules need (they notify memory growth, and may ask for the
// time); `_initialize` is called when it is exported. Over-aligned requests go to
// `aligned_alloc`, with the size rounded up to a multiple of the alignment for modules that
// insist on C11's rule (emscripten's do: they return 0 otherwise). A module without
// `aligned_alloc` gets them served by over-allocation (malloc(size + align - minAlign)), as a C
// program would do on top of it: the benchmark never touches block contents, so the pointer it
// keeps is the one free() and realloc() take, and the extra bytes count against its memory.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { declaredMaximumPages, withMaximumPages } from '../../package/lib/memory-limits.js';

export const PAGE = 65536;

const REQUIRED = ['memory', 'malloc', 'free', 'realloc', 'calloc'];

export class Subject {
    /**
     * `minAlign`: the alignment every malloc result has. From `<file>.json` ({"minAlign": 16})
     * when present, else 16 for this project's modules (talc*.wasm, documented), else 8, the
     * C minimum that every wasm32 malloc meets. `alignedBy`: how requests for more alignment
     * are served (see the top of this file). `name` defaults to the file's name without .wasm.
     */
    constructor(path, name = basename(path).replace(/\.wasm$/, '')) {
        this.path = path;
        this.name = name;
        this.bytes = readFileSync(path);
        this.sha256 = createHash('sha256').update(this.bytes).digest('hex');
        this.module = new WebAssembly.Module(this.bytes);
        const exports = new Set(WebAssembly.Module.exports(this.module).map((e) => e.name));
        const missing = REQUIRED.filter((name) => !exports.has(name));
        if (missing.length > 0) {
            throw new Error(`${path}: does not export ${missing.join(', ')}`);
        }
        this.imports = WebAssembly.Module.imports(this.module);
        const unsupported = this.imports.filter((i) => i.kind !== 'function');
        if (unsupported.length > 0) {
            throw new Error(`${path}: imports a ${unsupported[0].kind} (${unsupported[0].module}.${unsupported[0].name}); `
                + 'only function imports can be stubbed');
        }
        const sidecar = `${path}.json`;
        this.minAlign = existsSync(sidecar) ? JSON.parse(readFileSync(sidecar, 'utf8')).minAlign
            : this.name.startsWith('talc') ? 16 : 8;
        this._capped = new Map();
        this.alignedBy = exports.has('aligned_alloc') ? this._probeAlignedAlloc() : 'over-allocation';
    }

    /** "aligned_alloc", or "aligned_alloc, size rounded up" when it refuses sizes that are not multiples of the alignment. */
    _probeAlignedAlloc() {
        const e = new WebAssembly.Instance(this.module, this._stubs()).exports;
        e._initialize?.();
        if (e.aligned_alloc(64, 100) !== 0) {
            return 'aligned_alloc';
        }
        if (e.aligned_alloc(64, 128) !== 0) {
            return 'aligned_alloc, size rounded up';
        }
        throw new Error(`${this.path}: aligned_alloc(64, 128) fails on a fresh instance`);
    }

    _stubs() {
        const imports = {};
        for (const i of this.imports) {
            (imports[i.module] ??= {})[i.name] = () => 0;
        }
        return imports;
    }

    /**
     * A fresh instance: {exports, memory, malloc, free, realloc, calloc, aligned}, where the
     * last five are functions (the exports themselves where possible, so that the timed
     * loops call straight into wasm). With `capBytes`, memory cannot grow beyond that.
     */
    instantiate(capBytes = 0) {
        const module = capBytes > 0 ? this._cappedModule(capBytes) : this.module;
        const e = new WebAssembly.Instance(module, this._stubs()).exports;
        e._initialize?.();
        const { malloc, aligned_alloc: alignedAlloc } = e;
        const minAlign = this.minAlign;
        const aligned = {
            'aligned_alloc': alignedAlloc,
            'aligned_alloc, size rounded up': (align, size) => alignedAlloc(align, (size + align - 1) & -align),
            'over-allocation': (align, size) => malloc(size + align - minAlign),
        }[this.alignedBy];
        return {
            exports: e,
            memory: e.memory,
            malloc,
            free: e.free,
            realloc: e.realloc,
            calloc: e.calloc,
            aligned,
        };
    }

    _cappedModule(capBytes) {
        let m = this._capped.get(capBytes);
        if (!m) {
            // The capped workload (Talc's heap efficiency) needs a memory that cannot grow past a
            // fixed size, like Talc's fixed arena: the module is rewritten with that maximum,
            // or keeps its own if it declares a lower one.
            const cap = Math.floor(capBytes / PAGE);
            const declared = declaredMaximumPages(this.bytes);
            m = new WebAssembly.Module(withMaximumPages(this.bytes, declared === null ? cap : Math.min(declared, cap), this.name));
            this._capped.set(capBytes, m);
        }
        return m;
    }
}

/**
 * Whether a module is this project's (talc.wasm, its variants, an older build beside a new one)
 * rather than a peer: its name contains "talc". The goals compare ours against the peers, never
 * against each other.
 */
export const isOurs = (name) => name.includes('talc');

/**
 * Loads the modules of `entries` (paths, or {path, name} for a module named on the command
 * line), dropping byte-identical duplicates of unnamed ones (the first wins): the suite may
 * find the same allocator twice, e.g. AssemblyScript's TLSF built here and a copy of it among
 * the peer modules. A named module is kept even when its bytes equal another's, so that an
 * older build beside an unchanged one measures the noise.
 */
export function loadSubjects(entries) {
    const seen = new Set();
    const subjects = [];
    for (const entry of entries) {
        const named = typeof entry !== 'string';
        const s = named ? new Subject(entry.path, entry.name) : new Subject(entry);
        if (!named && seen.has(s.sha256)) {
            continue;
        }
        seen.add(s.sha256);
        const twin = subjects.find((t) => t.name === s.name);
        if (twin) {
            throw new Error(`two different modules are named ${s.name}: ${s.path} and ${twin.path}`);
        }
        subjects.push(s);
    }
    return subjects;
}
