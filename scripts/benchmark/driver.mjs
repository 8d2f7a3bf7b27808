// The timed loop, in wasm: a small module (assembled below, byte by byte) that imports one
// allocator's functions and a memory holding the operation sequences, and runs them.
//
// Why not a JS loop: every call from JS into wasm pays for a transition of its own (tens of ns
// in Node 20), the same for every module, which would flatten the ratios between allocators.
// A wasm caller calls another instance's exports directly, as a wasm program calls its
// allocator, and as Talc's own benchmark does (its loop is in the same wasm module). The driver
// reads every operation from memory, so it can be compiled once and shared by every allocator:
// there is no per-module type feedback to pollute.
//
// Memory of the driver: the operations as in ops.mjs (16 bytes each: kind, slot, x, y, i32
// little-endian), then the slots (one i32 pointer each).
//
//   run(from, to, minAlign, alignMode, slotsBase) runs operations [from, to); alignMode says how
//   over-aligned requests go to the allocator: 0 aligned_alloc(align, size), 1 the same with
//   size rounded up to a multiple of align, 2 malloc(size + align - minAlign).

import { ALIGNED, CALLOC, FREE, MALLOC, REALLOC } from './ops.mjs';

export const ALIGN_MODES = { 'aligned_alloc': 0, 'aligned_alloc, size rounded up': 1, 'over-allocation': 2 };
const OP_BYTES = 16;

// --- A minimal encoder for the few constructs the driver needs. ------------------------------

const uleb = (n) => {
    const out = [];
    do {
        let b = n & 0x7F;
        n >>>= 7;
        if (n !== 0) {
            b |= 0x80;
        }
        out.push(b);
    } while (n !== 0);
    return out;
};
const sleb = (n) => {
    const out = [];
    for (;;) {
        const b = n & 0x7F;
        n >>= 7;
        if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
};
const name = (s) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => [id, ...uleb(body.length), ...body];

const I32 = 0x7F;
const VOID = 0x40;
const funcType = (params, results) => [0x60, ...vec(params), ...vec(results)];

// Instructions
const block = [0x02, VOID];
const loop = [0x03, VOID];
const ifVoid = [0x04, VOID];
const ifI32 = [0x04, I32];
const ELSE = 0x05;
const END = 0x0B;
const br = (depth) => [0x0C, ...uleb(depth)];
const brIf = (depth) => [0x0D, ...uleb(depth)];
const brTable = (depths, otherwise) => [0x0E, ...vec(depths.map((d) => uleb(d))), ...uleb(otherwise)];
const call = (f) => [0x10, ...uleb(f)];
const get = (l) => [0x20, ...uleb(l)];
const set = (l) => [0x21, ...uleb(l)];
const tee = (l) => [0x22, ...uleb(l)];
const load = (offset) => [0x28, 2, ...uleb(offset)];
const store = [0x36, 2, 0];
const i32 = (n) => [0x41, ...sleb(n)];
const EQ = 0x46;
const LE_U = 0x4D;
const GE_U = 0x4F;
const ADD = 0x6A;
const SUB = 0x6B;
const AND = 0x71;
const SHL = 0x74;

// Functions: the imports, then run.
const F_MALLOC = 0;
const F_FREE = 1;
const F_REALLOC = 2;
const F_CALLOC = 3;
const F_ALIGNED = 4;
// Locals of run: its parameters, then its own.
const FROM = 0;
const TO = 1;
const MIN_ALIGN = 2;
const MODE = 3;
const SLOTS = 4;
const AT = 5;        // byte address of the current operation
const END_AT = 6;
const SLOT = 7;      // byte address of the current operation's slot
const ALIGN = 8;
const P = 9;

// The fields of the operation at AT
const kind = [...get(AT), ...load(0)];
const slot = [...get(AT), ...load(4)];
const x = [...get(AT), ...load(8)];
const y = [...get(AT), ...load(12)];

if ([MALLOC, CALLOC, ALIGNED, REALLOC, FREE].join() !== '0,1,2,3,4') {
    throw new Error('driver.mjs: br_table below assumes the operation kinds 0..4 of ops.mjs');
}

const RUN_BODY = [
    ...get(FROM), ...i32(4), SHL, ...set(AT),
    ...get(TO), ...i32(4), SHL, ...set(END_AT),
    ...block,
    ...loop,
    ...get(AT), ...get(END_AT), GE_U, ...brIf(1),
    ...slot, ...i32(2), SHL, ...get(SLOTS), ADD, ...set(SLOT),
    ...block, // done
    ...block, // free
    ...block, // realloc
    ...block, // aligned
    ...block, // calloc
    ...block, // malloc
    ...kind, ...brTable([0, 1, 2, 3], 4),
    END,
    // malloc: slot = malloc(x)
    ...get(SLOT), ...x, ...call(F_MALLOC), ...store, ...br(4),
    END,
    // calloc: slot = calloc(1, x)
    ...get(SLOT), ...i32(1), ...x, ...call(F_CALLOC), ...store, ...br(3),
    END,
    // aligned: x = align, y = size
    ...get(SLOT),
    ...x, ...tee(ALIGN), ...get(MIN_ALIGN), LE_U,
    ...ifI32,
    ...y, ...call(F_MALLOC),
    ELSE,
    ...get(MODE),
    ...ifI32,
    ...get(MODE), ...i32(1), EQ,
    ...ifI32,
    ...get(ALIGN), ...y, ...get(ALIGN), ADD, ...i32(1), SUB, ...i32(0), ...get(ALIGN), SUB, AND, ...call(F_ALIGNED),
    ELSE,
    ...y, ...get(ALIGN), ADD, ...get(MIN_ALIGN), SUB, ...call(F_MALLOC),
    END,
    ELSE,
    ...get(ALIGN), ...y, ...call(F_ALIGNED),
    END,
    END,
    ...store, ...br(2),
    END,
    // realloc: x = new slot, y = size; a failed realloc leaves the block where it was
    ...get(SLOT), ...load(0), ...y, ...call(F_REALLOC), ...tee(P),
    ...ifVoid,
    ...get(SLOT), ...i32(0), ...store,
    ...x, ...i32(2), SHL, ...get(SLOTS), ADD, ...get(P), ...store,
    END,
    ...br(1),
    END,
    // free
    ...get(SLOT), ...load(0), ...call(F_FREE),
    ...get(SLOT), ...i32(0), ...store,
    END, // done
    ...get(AT), ...i32(OP_BYTES), ADD, ...set(AT),
    ...br(0),
    END, // loop
    END, // block
    END, // function
];

const DRIVER_BYTES = new Uint8Array([
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([
        funcType([I32], [I32]),                      // 0 malloc
        funcType([I32], []),                         // 1 free
        funcType([I32, I32], [I32]),                 // 2 realloc, calloc, aligned_alloc
        funcType([I32, I32, I32, I32, I32], []),     // 3 run
    ])),
    ...section(2, vec([
        [...name('a'), ...name('malloc'), 0x00, 0],
        [...name('a'), ...name('free'), 0x00, 1],
        [...name('a'), ...name('realloc'), 0x00, 2],
        [...name('a'), ...name('calloc'), 0x00, 2],
        [...name('a'), ...name('aligned'), 0x00, 2],
        [...name('a'), ...name('memory'), 0x02, 0x00, 0],
    ])),
    ...section(3, vec([[3]])),
    ...section(7, vec([[...name('run'), 0x00, 5]])),
    ...section(10, vec([(() => {
        const body = [...vec([[5, I32]]), ...RUN_BODY];
        return [...uleb(body.length), ...body];
    })()])),
]);

let driverModule = null;

/**
 * The operations of `seqs`, laid out in a memory for the driver: {memory, bases and ends (the
 * operations of each sequence), slotsBase, slotBytes}. One layout serves every module of a round.
 */
export function layOut(seqs) {
    const bases = [];
    const ends = [];
    let ops = 0;
    for (const seq of seqs) {
        bases.push(ops);
        ops += seq.length;
        ends.push(ops);
    }
    const slotsBase = ops * OP_BYTES;
    const slotBytes = 4 * Math.max(1, ...seqs.map((seq) => seq.slots));
    const memory = new WebAssembly.Memory({ initial: Math.ceil((slotsBase + slotBytes) / 65536) });
    const words = new Int32Array(memory.buffer);
    seqs.forEach((seq, i) => words.set(seq.ops, bases[i] * 4));
    return { memory, bases, ends, slotsBase, slotBytes };
}

/**
 * A driver over allocator instance `inst` (modules.mjs) of `subject` and a layout, with
 * cleared slots: run(i) runs sequence i of the layout.
 */
export function driver(subject, inst, layout) {
    driverModule ??= new WebAssembly.Module(DRIVER_BYTES);
    const e = inst.exports;
    const mode = ALIGN_MODES[subject.alignedBy];
    const imports = {
        a: {
            malloc: e.malloc,
            free: e.free,
            realloc: e.realloc,
            calloc: e.calloc,
            aligned: e.aligned_alloc ?? (() => 0), // never called in over-allocation mode
            memory: layout.memory,
        },
    };
    const { run } = new WebAssembly.Instance(driverModule, imports).exports;
    new Uint8Array(layout.memory.buffer, layout.slotsBase, layout.slotBytes).fill(0);
    return (i) => run(layout.bases[i], layout.ends[i], subject.minAlign, mode, layout.slotsBase);
}
