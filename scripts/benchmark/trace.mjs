// Allocation traces of real programs, turned into sequences for replay.
//
// The format (text, one operation per line, usually gzipped; written by scripts/trace-recorder):
//
//   a ID SIZE              malloc
//   c ID SIZE              calloc (SIZE = total bytes)
//   m ID ALIGN SIZE        aligned allocation (aligned_alloc, posix_memalign, memalign, ...)
//   r OLDID NEWID SIZE     realloc; OLDID 0 is realloc(NULL, SIZE), NEWID 0 with SIZE 0 frees
//   f ID                   free
//
// IDs are opaque tokens (the recorder writes the program's pointers in hex); an ID may come back
// once it was freed. A trace can name blocks it never saw allocated (allocated before the
// recorder was loaded, or through a path it does not see); freeing one is dropped, reallocating
// one allocates. Requests a wasm32 allocator cannot meet (2 GiB or more) are dropped. Lines that
// fit no form are errors: a trace that cannot be read must not be half replayed.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SeqBuilder } from './ops.mjs';

/** Largest request replayed: above it every wasm32 allocator fails (or traps). */
const MAX_REQUEST = 0x7FFF0000;

/**
 * Reads a trace file (gzipped when its name ends in .gz) into
 * {name, seq, stats: {operations, dropped: {unknownFree, tooBig, failedRealloc}, reusedId, liveAtEnd}}.
 */
export function readTrace(path) {
    const raw = readFileSync(path);
    const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
    const name = basename(path).replace(/\.gz$/, '').replace(/\.trace$/, '');
    return { name, ...parseTrace(text, path) };
}

/** Parses trace text (see the top of this file); `where` names it in errors. */
export function parseTrace(text, where = 'trace') {
    const b = new SeqBuilder();
    const slotOf = new Map();
    const dropped = { unknownFree: 0, tooBig: 0, failedRealloc: 0 };
    let reusedId = 0;

    const number = (token, line) => {
        const n = Number(token);
        if (!Number.isInteger(n) || n < 0) {
            throw new Error(`${where}:${line}: not a size: ${token}`);
        }
        return n;
    };
    // The program got this ID again without our seeing it freed: it was freed unseen.
    const forget = (id) => {
        const slot = slotOf.get(id);
        if (slot !== undefined) {
            b.free(slot);
            slotOf.delete(id);
            reusedId++;
        }
    };
    const allocate = (id, kind, size, align) => {
        if (size > MAX_REQUEST) {
            dropped.tooBig++;
            return;
        }
        forget(id);
        slotOf.set(id, kind === 'a' ? b.malloc(size) : kind === 'c' ? b.calloc(size) : b.aligned(align, size));
    };

    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (line === '') {
            continue;
        }
        const f = line.split(' ');
        const bad = () => new Error(`${where}:${i + 1}: not a trace line: ${line.slice(0, 80)}`);
        switch (f[0]) {
        case 'a':
        case 'c':
            if (f.length !== 3) {
                throw bad();
            }
            allocate(f[1], f[0], number(f[2], i + 1), 0);
            break;
        case 'm':
            if (f.length !== 4) {
                throw bad();
            }
            allocate(f[1], 'm', number(f[3], i + 1), number(f[2], i + 1));
            break;
        case 'f': {
            if (f.length !== 2) {
                throw bad();
            }
            const slot = slotOf.get(f[1]);
            if (slot === undefined) {
                dropped.unknownFree++;
            } else {
                b.free(slot);
                slotOf.delete(f[1]);
            }
            break;
        }
        case 'r': {
            if (f.length !== 4) {
                throw bad();
            }
            const [, oldId, newId] = f;
            const size = number(f[3], i + 1);
            const slot = slotOf.get(oldId);
            if (newId === '0') {
                // realloc(p, 0) that freed p, or a realloc that failed and kept p
                if (size === 0 && slot !== undefined) {
                    b.free(slot);
                    slotOf.delete(oldId);
                } else if (size > 0) {
                    dropped.failedRealloc++;
                }
            } else if (slot === undefined) {
                allocate(newId, 'a', size, 0);
            } else if (size > MAX_REQUEST) {
                dropped.tooBig++;
            } else {
                slotOf.delete(oldId);
                if (newId !== oldId) {
                    forget(newId);
                }
                slotOf.set(newId, b.realloc(slot, size));
            }
            break;
        }
        default:
            throw bad();
        }
    }
    b.mark('counted');
    const liveAtEnd = b.liveCount;
    b.freeAll();
    const seq = b.build();
    return { seq, stats: { operations: seq.counted, dropped, reusedId, liveAtEnd } };
}
