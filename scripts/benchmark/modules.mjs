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

export const PAGE = 65536;

const REQUIRED = ['memory', 'malloc', 'free', 'realloc', 'calloc'];

export class Subject {
    /**
     * `minAlign`: the alignment every malloc result has. From `<file>.json` ({"minAlign": 16})
     * when present, else 16 for this project's modules (talc*.wasm, documented), else 8, the
     * C minimum that every wasm32 malloc meets. `alignedBy`: how requests for more alignment
     * are served (see the top of this file).
     */
    constructor(path) {
        this.path = path;
        this.name = basename(path).replace(/\.wasm$/, '');
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
            m = new WebAssembly.Module(withMemoryMaximum(this.bytes, Math.floor(capBytes / PAGE)));
            this._capped.set(capBytes, m);
        }
        return m;
    }
}

/**
 * Loads the modules at `paths`, dropping byte-identical duplicates (the first name wins): the
 * suite may find the same allocator twice, e.g. AssemblyScript's TLSF built here and a copy of
 * it among the peer modules.
 */
export function loadSubjects(paths) {
    const seen = new Map();
    const subjects = [];
    for (const path of paths) {
        const s = new Subject(path);
        if (seen.has(s.sha256)) {
            continue;
        }
        seen.set(s.sha256, s);
        if (subjects.some((t) => t.name === s.name)) {
            throw new Error(`two different modules are named ${s.name}: ${path} and ${subjects.find((t) => t.name === s.name).path}`);
        }
        subjects.push(s);
    }
    return subjects;
}

// ---------------------------------------------------------------------------------------------
// Rewriting the memory section: the capped workload (Talc's heap efficiency) needs a memory that
// cannot grow beyond a fixed size, like Talc's fixed arena, so that each allocator meets its own
// out-of-memory path. A memory's maximum is part of its type in the binary, so the module is
// rewritten with one.

function readLeb(bytes, pos) {
    let value = 0;
    let shift = 0;
    for (;;) {
        const b = bytes[pos++];
        value += (b & 0x7F) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) {
            return [value, pos];
        }
    }
}

function leb(value) {
    const out = [];
    do {
        let b = value % 128;
        value = Math.floor(value / 128);
        if (value > 0) {
            b |= 0x80;
        }
        out.push(b);
    } while (value > 0);
    return out;
}

const MEMORY_SECTION = 5;

/** A copy of the module `bytes` whose (single, defined) memory has at most `maxPages` pages. */
export function withMemoryMaximum(bytes, maxPages) {
    const out = [bytes.subarray(0, 8)];
    let pos = 8;
    let found = false;
    while (pos < bytes.length) {
        const id = bytes[pos];
        const [size, start] = readLeb(bytes, pos + 1);
        const end = start + size;
        if (id === MEMORY_SECTION) {
            const [count, p] = readLeb(bytes, start);
            const flags = bytes[p];
            if (count !== 1 || (flags & ~1) !== 0) {
                throw new Error('the memory section does not hold one plain 32-bit memory');
            }
            const [min, q] = readLeb(bytes, p + 1);
            const max = flags === 1 ? Math.min(readLeb(bytes, q)[0], maxPages) : maxPages;
            if (min > max) {
                throw new Error(`the module starts with ${min} pages, above the cap of ${max}`);
            }
            const body = [1, 1, ...leb(min), ...leb(max)];
            out.push(Uint8Array.of(MEMORY_SECTION, ...leb(body.length), ...body));
            found = true;
        } else {
            out.push(bytes.subarray(pos, end));
        }
        pos = end;
    }
    if (!found) {
        throw new Error('the module defines no memory of its own');
    }
    const module = new Uint8Array(out.reduce((n, part) => n + part.length, 0));
    out.reduce((at, part) => (module.set(part, at), at + part.length), 0);
    return module;
}
