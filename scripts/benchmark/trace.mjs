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
    const p = new TraceParser(where);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        if (lines[i] !== '') {
            p.line(lines[i], i + 1);
        }
    }
    return p.finish();
}

/** The state of a parse: the sequence so far, and which slot holds each ID the trace named. */
class TraceParser {
    constructor(where) {
        this.where = where;
        this.b = new SeqBuilder();
        this.slotOf = new Map();
        this.dropped = { unknownFree: 0, tooBig: 0, failedRealloc: 0 };
        this.reusedId = 0;
    }

    line(line, n) {
        const f = line.split(' ');
        const fields = { a: 3, c: 3, m: 4, f: 2, r: 4 }[f[0]];
        if (fields !== f.length) {
            throw new Error(`${this.where}:${n}: not a trace line: ${line.slice(0, 80)}`);
        }
        const number = (token) => {
            const x = Number(token);
            if (!Number.isInteger(x) || x < 0) {
                throw new Error(`${this.where}:${n}: not a size: ${token}`);
            }
            return x;
        };
        switch (f[0]) {
        case 'a':
        case 'c':
            this.allocate(f[1], f[0], number(f[2]), 0);
            break;
        case 'm':
            this.allocate(f[1], 'm', number(f[3]), number(f[2]));
            break;
        case 'f':
            this.free(f[1]);
            break;
        default:
            this.realloc(f[1], f[2], number(f[3]));
        }
    }

    /** The program got this ID again without our seeing it freed: it was freed unseen. */
    forget(id) {
        const slot = this.slotOf.get(id);
        if (slot !== undefined) {
            this.b.free(slot);
            this.slotOf.delete(id);
            this.reusedId++;
        }
    }

    allocate(id, kind, size, align) {
        if (size > MAX_REQUEST) {
            this.dropped.tooBig++;
            return;
        }
        this.forget(id);
        const { b } = this;
        this.slotOf.set(id, kind === 'a' ? b.malloc(size) : kind === 'c' ? b.calloc(size) : b.aligned(align, size));
    }

    free(id) {
        const slot = this.slotOf.get(id);
        if (slot === undefined) {
            this.dropped.unknownFree++;
        } else {
            this.b.free(slot);
            this.slotOf.delete(id);
        }
    }

    realloc(oldId, newId, size) {
        const slot = this.slotOf.get(oldId);
        if (newId === '0') {
            // realloc(p, 0) that freed p, or a realloc that failed and kept p
            if (size === 0 && slot !== undefined) {
                this.b.free(slot);
                this.slotOf.delete(oldId);
            } else if (size > 0) {
                this.dropped.failedRealloc++;
            }
        } else if (slot === undefined) {
            this.allocate(newId, 'a', size, 0);
        } else if (size > MAX_REQUEST) {
            this.dropped.tooBig++;
        } else {
            this.slotOf.delete(oldId);
            if (newId !== oldId) {
                this.forget(newId);
            }
            this.slotOf.set(newId, this.b.realloc(slot, size));
        }
    }

    /** {seq, stats}: the sequence, with the blocks the trace left live freed after its `counted` mark. */
    finish() {
        const { b } = this;
        b.mark('counted');
        const liveAtEnd = b.liveCount;
        b.freeAll();
        const seq = b.build();
        return { seq, stats: { operations: seq.counted, dropped: this.dropped, reusedId: this.reusedId, liveAtEnd } };
    }
}
