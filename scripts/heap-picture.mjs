#!/usr/bin/env node
// A picture of the heap: runs a workload on the checked build (talc-checked.wasm), walks every
// chunk of every heap and draws them, as an SVG and as text.
//
//   node scripts/heap-picture.mjs (--trace FILE | --random SEED) [--stop-at N] [--svg FILE]
//                                 [--text FILE] [--module PATH] [--width PX] [--columns N]
//
// The SVG draws each heap as a horizontal strip whose length is proportional to its bytes (a long
// heap wraps into several rows), allocated and free chunks in two colours, with a mark at chunk
// boundaries where chunks are wide enough to show one; below it a summary (per heap: size, used,
// free, largest free chunk; the fragmentation) and the free-list bins in use, with each bin's real
// size range (found from the module's talc_bin). The text rendering has one character strip per
// heap ('#' mostly allocated, '.' mostly free, ':' mixed) and the same tables.
//
// Before drawing, talc_check must find the heap consistent: otherwise nothing is drawn and the
// script exits with status 1, naming the address of the problem.
//
// The rendering functions are exported (groupHeaps, summarize, renderText, renderSvg, reportHeap,
// ...) so that tests can draw a synthetic walk. What it reads from memory (chunk headers, the
// heap check's result) it reads through the layout in modules.json beside the module. Runs in Node and in Deno
// (`deno run -A scripts/heap-picture.mjs ...`).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SeqBuilder } from './benchmark/ops.mjs';
import { Rng } from './rng.mjs';
import { Meter, runMetered } from './benchmark/runners.mjs';
import { readTrace } from './benchmark/trace.mjs';
import { readManifest } from './manifest.mjs';
import { instantiateModule } from './model/allocator.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_MODULE = join(ROOT, 'wasm-target', 'target', 'wasm', 'talc-checked.wasm');
const BUILD_COMMAND = 'mvn -q -pl allocator-core,wasm-target -am package -DskipTests';

/** Largest chunk size talc_bin takes: the largest multiple of `unit` (the chunk unit) that is a positive i32. */
export const maxChunk = (unit) => 2 ** 31 - unit;

const DEFAULT_SVG_WIDTH = 960;
const DEFAULT_COLUMNS = 100;
/** Operations of the --random workload (before --stop-at). */
export const RANDOM_OPS = 20_000;

// ------------------------------------------------------------------------------------------------
// Arguments

const USAGE = `usage: scripts/heap-picture (--trace FILE | --random SEED) [options]

Runs a workload on the checked build, walks the heap and draws it: the text rendering goes to
stdout (or --text FILE), the SVG to --svg FILE. Refuses to draw (exit 1) when talc_check finds
the heap inconsistent.

  --trace FILE     replay a trace (scripts/traces/*.trace.gz; the format is in
                   scripts/benchmark/trace.mjs) up to its last recorded operation: the blocks
                   the program left live stay live
  --random SEED    a randomized mix of ${RANDOM_OPS.toLocaleString('en-US')} malloc / calloc / aligned_alloc / realloc / free
                   calls, whose live set grows and shrinks in phases
  --stop-at N      stop after N operations (to picture the heap mid-run)
  --svg FILE       write the SVG picture to FILE
  --text FILE      write the text rendering to FILE instead of stdout
  --module PATH    the checked module (default wasm-target/target/wasm/talc-checked.wasm)
  --width PX       width of the SVG (default ${DEFAULT_SVG_WIDTH})
  --columns N      characters of each heap's text strip (default ${DEFAULT_COLUMNS})
  --help           this text`;

class UsageError extends Error {}

/** The options of `argv`; throws UsageError. */
function options(argv) {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                trace: { type: 'string' }, random: { type: 'string' }, 'stop-at': { type: 'string' },
                svg: { type: 'string' }, text: { type: 'string' }, module: { type: 'string' },
                width: { type: 'string' }, columns: { type: 'string' }, help: { type: 'boolean', short: 'h' },
            },
        }));
    } catch (e) {
        throw new UsageError(e.message);
    }
    const count = (name, min, fallback) => {
        if (values[name] === undefined) {
            return fallback;
        }
        const n = Number(values[name]);
        if (!Number.isInteger(n) || n < min) {
            throw new UsageError(`--${name} needs an integer of at least ${min}, not ${values[name]}`);
        }
        return n;
    };
    const path = (name, fallback = null) => (values[name] === undefined ? fallback : resolve(values[name]));
    const o = {
        trace: path('trace'), seed: values.random === undefined ? null : count('random', 0) >>> 0,
        stopAt: count('stop-at', 0, Infinity), svg: path('svg'), text: path('text'), module: path('module', DEFAULT_MODULE),
        width: count('width', MIN_SVG_WIDTH, DEFAULT_SVG_WIDTH), columns: count('columns', 1, DEFAULT_COLUMNS),
        help: values.help === true,
    };
    if (!o.help && (o.trace === null) === (o.seed === null)) {
        throw new UsageError('give one workload: --trace FILE or --random SEED');
    }
    return o;
}

// ------------------------------------------------------------------------------------------------
// The module and the workloads

/**
 * A fresh instance of the checked module at `path` (scripts/model/allocator.mjs), with the
 * layout of the modules.json beside it and `file`, its file name. Its report hook throws, so the
 * call that found misuse is abandoned before it changes anything.
 */
export function loadChecked(path) {
    if (!existsSync(path)) {
        throw new Error(`${path} does not exist: build the modules first: ${BUILD_COMMAND}`);
    }
    const module = new WebAssembly.Module(readFileSync(path));
    const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const missing = ['memory', 'malloc', 'free', 'realloc', 'calloc', 'aligned_alloc', 'talc_check', 'talc_walk', 'talc_bin']
        .filter((name) => !exports.has(name));
    if (missing.length > 0) {
        throw new Error(`${path} is not a checked build (it does not export ${missing.join(', ')}): use talc-checked.wasm`);
    }
    const file = basename(path);
    const t = instantiateModule(module, { name: file, layout: readManifest(dirname(path)).layout });
    t.file = file;
    return t;
}

/**
 * The --random workload as a sequence (benchmark/ops.mjs): phases of PHASE_OPS operations that
 * alternately grow the live set and shrink it, freeing blocks picked at random, which leaves
 * holes of every size between the survivors.
 */
export function randomSequence(seed, operations = RANDOM_OPS) {
    const PHASE_OPS = 2_500;
    const GROW_ALLOC_SHARE = 0.7;
    const SHRINK_ALLOC_SHARE = 0.35;
    const REALLOC_SHARE = 0.2; // of the operations that are not allocations
    const rng = new Rng(seed);
    const b = new SeqBuilder();
    const chance = () => rng.u32() / 2 ** 32;
    for (let op = 0; op < operations; op++) {
        const growing = Math.floor(op / PHASE_OPS) % 2 === 0;
        if (b.liveCount === 0 || chance() < (growing ? GROW_ALLOC_SHARE : SHRINK_ALLOC_SHARE)) {
            const kind = rng.below(20);
            const size = randomSize(rng);
            if (kind === 0) {
                b.aligned(2 ** rng.range(5, 12), size);
            } else if (kind === 1) {
                b.calloc(size);
            } else {
                b.malloc(size);
            }
        } else if (chance() < REALLOC_SHARE) {
            b.realloc(b.randomLive(rng), randomSize(rng));
        } else {
            b.free(b.randomLive(rng));
        }
    }
    b.mark('counted');
    return b.build();
}

/** Mostly small requests, some of a few KiB, a few large ones. */
function randomSize(rng) {
    const r = rng.below(100);
    if (r < 60) {
        return rng.range(1, 256);
    }
    if (r < 90) {
        return rng.range(257, 4096);
    }
    if (r < 99) {
        return rng.range(4097, 65536);
    }
    return rng.range(65537, 512 * 1024);
}

/**
 * Runs operations [0, min(stopAt, seq.counted)) of `seq` on the instance `t`. Returns
 * { operations, of, liveBlocks, liveBytes, failures }; throws when the module reported misuse.
 */
export function replay(t, seq, stopAt = Infinity) {
    const { e } = t;
    const inst = { malloc: e.malloc, free: e.free, realloc: e.realloc, calloc: e.calloc, aligned: e.aligned_alloc };
    const to = Math.min(stopAt, seq.counted);
    const slots = new Float64Array(Math.max(1, seq.slots));
    const sizes = new Float64Array(Math.max(1, seq.slots));
    const meter = new Meter(t.memory);
    // Every malloc result is unit-aligned: aligned requests up to that go to malloc (runners.mjs).
    runMetered(inst, t.layout.header.unit, seq, 0, to, slots, sizes, meter);
    if (meter.traps > 0) {
        throw new Error(`the workload failed: ${meter.trapMessage}`);
    }
    return { operations: to, of: seq.counted, liveBlocks: meter.live, liveBytes: meter.liveBytes, failures: meter.failures };
}

/** The sequence and a description (for titles) of the workload the options name. */
function workload(o) {
    if (o.trace !== null) {
        if (!existsSync(o.trace)) {
            throw new UsageError(`${o.trace} does not exist (the recorded traces are in scripts/traces/)`);
        }
        const trace = readTrace(o.trace);
        return { seq: trace.seq, name: `trace ${trace.name}` };
    }
    return { seq: randomSequence(o.seed), name: `random mix, seed ${o.seed}` };
}

// ------------------------------------------------------------------------------------------------
// Walking the heap

/** Thrown when talc_check finds the heap inconsistent: nothing is drawn of a heap that lies. */
export class HeapInconsistentError extends Error {
    constructor(address) {
        super(`talc_check found the heap inconsistent at ${hex(address)} (a chunk header, seal or `
            + 'free-list link was overwritten): refusing to draw it');
        this.address = address;
    }
}

/** Throws HeapInconsistentError unless talc_check finds every heap and free list of `t` consistent. */
export function checkHeap(t) {
    const problem = t.checkHeap();
    if (problem !== null) {
        const corrupted = t.layout.misuse.corrupted;
        if (problem.code !== corrupted) {
            throw new Error(`talc_check returned ${hex(problem.address | problem.code)}, `
                + `which is neither 0 nor an address | ${corrupted}`);
        }
        throw new HeapInconsistentError(problem.address);
    }
}

/**
 * The heaps of a walk, in address order: [{ start, end, chunks }]. A heap spans from its first
 * chunk's address to its last chunk's address + size; within it chunks tile it exactly (each
 * starts where the one below ends), which is what lets the picture be drawn from sizes alone.
 */
export function groupHeaps(chunks) {
    const heaps = [];
    let heap = null;
    for (const c of chunks) {
        if (c.heapFirst || heap === null) {
            if (!c.heapFirst) {
                throw new Error(`the walk starts at ${hex(c.address)}, which is not the first chunk of a heap`);
            }
            heap = { start: c.address, end: c.address, chunks: [] };
            heaps.push(heap);
        } else if (c.address !== heap.end) {
            throw new Error(`chunk ${hex(c.address)} does not start where the chunk below it ends (${hex(heap.end)})`);
        }
        heap.chunks.push(c);
        heap.end = c.address + c.size;
    }
    return heaps.sort((a, b) => a.start - b.start);
}

// ------------------------------------------------------------------------------------------------
// Bins

/**
 * The size range [lo, hi] of the chunks that bin `bin` can hold, under the binning `binOf`
 * (talc_bin: monotonic in the size) of chunks that are multiples of `unit`: lo is the smallest
 * multiple of `unit` whose bin is at least `bin`, hi the one below the next bin's lo (or
 * maxChunk(unit) for the last bin). hi < lo for a bin that no multiple of `unit` falls into
 * (the wasm binning has five, below 64 B).
 */
export function binBounds(binOf, bin, unit) {
    const lo = lowestSizeAtLeast(binOf, bin, unit);
    const next = lowestSizeAtLeast(binOf, bin + 1, unit);
    return [lo, next === null ? maxChunk(unit) : next - unit];
}

/** The smallest multiple of `unit` in [unit, maxChunk(unit)] with binOf(size) >= bin, or null. Binary search. */
function lowestSizeAtLeast(binOf, bin, unit) {
    let lo = 1;                          // in units; binOf(lo * unit) may be below bin
    let hi = maxChunk(unit) / unit;      // in units
    if (binOf(hi * unit) < bin) {
        return null;
    }
    while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (binOf(mid * unit) >= bin) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo * unit;
}

// ------------------------------------------------------------------------------------------------
// The summary

/**
 * What the pictures say in numbers: { unit, heaps: [{ start, end, size, used, free, largestFree,
 * allocatedChunks, freeChunks }], total: {same sums}, fragmentation, bins: [{ bin, lo, hi,
 * smallest, largest, count, bytes }] }. Fragmentation is 1 - largest free chunk / free bytes:
 * 0 when all free memory is one chunk (or there is none), near 1 when it is in many small ones.
 * `unit` is the chunk unit (chunk sizes are multiples of it).
 */
export function summarize(heaps, binOf, unit) {
    const perHeap = heaps.map(heapStats);
    const total = {
        size: sum(perHeap, 'size'), used: sum(perHeap, 'used'), free: sum(perHeap, 'free'),
        largestFree: Math.max(0, ...perHeap.map((h) => h.largestFree)),
        allocatedChunks: sum(perHeap, 'allocatedChunks'), freeChunks: sum(perHeap, 'freeChunks'),
    };
    return {
        unit, heaps: perHeap, total, fragmentation: fragmentation(total.largestFree, total.free), bins: binTable(heaps, binOf, unit),
    };
}

function heapStats(heap) {
    const s = { start: heap.start, end: heap.end, size: heap.end - heap.start, used: 0, free: 0, largestFree: 0,
        allocatedChunks: 0, freeChunks: 0 };
    for (const c of heap.chunks) {
        if (c.allocated) {
            s.used += c.size;
            s.allocatedChunks++;
        } else {
            s.free += c.size;
            s.freeChunks++;
            s.largestFree = Math.max(s.largestFree, c.size);
        }
    }
    return s;
}

export function fragmentation(largestFree, free) {
    return free === 0 ? 0 : 1 - largestFree / free;
}

const sum = (rows, key) => rows.reduce((n, r) => n + r[key], 0);

/** The bins that hold free chunks, ascending, with their real bounds and what was found in them. */
function binTable(heaps, binOf, unit) {
    const bins = new Map();
    for (const heap of heaps) {
        for (const c of heap.chunks) {
            if (!c.allocated) {
                const bin = binOf(c.size);
                const row = bins.get(bin) ?? { bin, smallest: Infinity, largest: 0, count: 0, bytes: 0 };
                row.smallest = Math.min(row.smallest, c.size);
                row.largest = Math.max(row.largest, c.size);
                row.count++;
                row.bytes += c.size;
                bins.set(bin, row);
            }
        }
    }
    return [...bins.values()].sort((a, b) => a.bin - b.bin).map((row) => {
        const [lo, hi] = binBounds(binOf, row.bin, unit);
        return { ...row, lo, hi };
    });
}

// ------------------------------------------------------------------------------------------------
// Formatting

export const hex = (n) => '0x' + (n >>> 0).toString(16);
const num = (n) => Math.round(n).toLocaleString('en-US');

/** Bytes for tables: exact below 10 KiB, else KiB with one decimal, or MiB with two. */
export function bytes(n) {
    if (n < 10 * 1024) {
        return `${num(n)} B`;
    }
    if (n < 1024 * 1024) {
        return `${(n / 1024).toFixed(1)} KiB`;
    }
    return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}

const percent = (part, whole) => (whole === 0 ? '-' : `${(100 * part / whole).toFixed(1)}%`);

/** Pads every column of `rows` (arrays of strings) to its widest cell; `right` columns align right. */
function columns(rows, right) {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ').trimEnd());
}

/** Rows (header first) of the per-heap table: the same cells in the text and the SVG. */
function heapRows(summary) {
    const row = (name, h) => [name, hex(h.start), hex(h.end), bytes(h.size), bytes(h.used), bytes(h.free),
        percent(h.free, h.size), bytes(h.largestFree), num(h.allocatedChunks), num(h.freeChunks)];
    const rows = [['heap', 'start', 'end', 'size', 'used', 'free', 'free %', 'largest free', 'blocks', 'free chunks'],
        ...summary.heaps.map((h, i) => row(String(i + 1), h))];
    if (summary.heaps.length > 1) {
        const t = summary.total;
        rows.push(['all', '', '', bytes(t.size), bytes(t.used), bytes(t.free), percent(t.free, t.size), bytes(t.largestFree),
            num(t.allocatedChunks), num(t.freeChunks)]);
    }
    return rows;
}
const HEAP_RIGHT = new Set([3, 4, 5, 6, 7, 8, 9]);

const range = (lo, hi) => (lo === hi ? num(lo) : `${num(lo)} - ${num(hi)}`);

/** Rows (header first) of the bin table. */
function binRows(summary) {
    return [['bin', 'bin holds (bytes)', 'found (bytes)', 'count', 'bytes'],
        ...summary.bins.map((b) => [String(b.bin), range(b.lo, b.hi), range(b.smallest, b.largest), num(b.count), bytes(b.bytes)])];
}
const BIN_RIGHT = new Set([0, 3, 4]);

function fragmentationLine(summary) {
    const t = summary.total;
    return `fragmentation ${summary.fragmentation.toFixed(3)} (1 - largest free chunk ${num(t.largestFree)} B `
        + `/ free ${num(t.free)} B)`;
}

// ------------------------------------------------------------------------------------------------
// Text

/** A cell at least this share allocated is '#', at most 1 - this share is '.', else ':'. */
const MOSTLY = 0.8;
const NO_HEAPS = 'no heaps: the allocator has not claimed any memory yet';
export const STRIP_CHARS = { allocated: '#', free: '.', mixed: ':' };

/**
 * The allocated share of each of `cells` equal slices of `heap`: the chunks tile the heap, so the
 * allocated chunks' overlaps with a slice sum to its allocated bytes and the rest is free.
 */
export function allocatedShares(heap, cells) {
    const shares = new Float64Array(cells);
    const cellBytes = (heap.end - heap.start) / cells;
    for (const c of heap.chunks.filter((chunk) => chunk.allocated)) {
        const from = c.address - heap.start;
        const to = from + c.size;
        for (let i = Math.floor(from / cellBytes); i < cells && i * cellBytes < to; i++) {
            const overlap = Math.min(to, (i + 1) * cellBytes) - Math.max(from, i * cellBytes);
            shares[i] += overlap / cellBytes;
        }
    }
    return shares;
}

export function stripOf(heap, cells) {
    return Array.from(allocatedShares(heap, cells), (share) => (share >= MOSTLY ? STRIP_CHARS.allocated
        : share <= 1 - MOSTLY ? STRIP_CHARS.free : STRIP_CHARS.mixed)).join('');
}

/** The text rendering: a title, one strip per heap, the heap table, fragmentation and the bins. */
export function renderText(heaps, summary, { title = 'talc heap', columns: cells = DEFAULT_COLUMNS } = {}) {
    const labels = heaps.map((h, i) => `heap ${i + 1}`);
    const width = Math.max(...labels.map((l) => l.length));
    const lines = [title, '',
        `each strip: one heap, start address to end; ${STRIP_CHARS.allocated} mostly allocated, `
            + `${STRIP_CHARS.free} mostly free, ${STRIP_CHARS.mixed} mixed (${cells} characters a heap)`];
    if (heaps.length === 0) {
        lines.push(NO_HEAPS);
    }
    heaps.forEach((h, i) => {
        lines.push(`${labels[i].padEnd(width)}  ${hex(h.start)} |${stripOf(h, cells)}| ${hex(h.end)}  `
            + `(${num((h.end - h.start) / cells)} B a character)`);
    });
    lines.push('', ...columns(heapRows(summary), HEAP_RIGHT), '', fragmentationLine(summary), '');
    if (summary.bins.length === 0) {
        lines.push('no free chunks: no free-list bin in use');
    } else {
        lines.push('free-list bins in use', ...columns(binRows(summary), BIN_RIGHT));
    }
    return lines.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------------
// SVG

const MIN_SVG_WIDTH = 480;
export const COLORS = { allocated: '#3b5bdb', free: '#ffa94d', boundary: '#ffffff', text: '#212529', muted: '#666666' };
const MARGIN = 16;
/** Left column of each strip row: the row's start address. */
const ADDRESS_COLUMN = 92;
const STRIP_HEIGHT = 18;
const ROW_GAP = 4;
const LINE = 16;
const TABLE_LINE = 15;
const CHAR_WIDTH = 7.2; // of the monospace table font at 12 px
/** A heap wraps into rows of at most about this many bytes a pixel... */
const TARGET_BYTES_PER_PIXEL = 256;
/** ...but into at most this many rows: a picture for reading, not a map for scrolling. */
const MAX_ROWS = 8;
/** Chunks narrower than this (in pixels) get no boundary mark: it would paint them over. */
const MARK_MIN_PIXELS = 4;

const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fixed = (x) => +x.toFixed(2);

/**
 * Bytes per strip row, shared by all heaps so that strips compare by length: the largest heap
 * takes as many rows as keep it near TARGET_BYTES_PER_PIXEL, at most MAX_ROWS; a multiple of
 * the chunk unit.
 */
export function rowBytes(heaps, plotWidth, unit) {
    const largest = Math.max(unit, ...heaps.map((h) => h.end - h.start));
    const rows = Math.min(MAX_ROWS, Math.max(1, Math.ceil(largest / (plotWidth * TARGET_BYTES_PER_PIXEL))));
    return Math.ceil(largest / rows / unit) * unit;
}

/**
 * The pieces [{ row, x, width }] (x and width in pixels) of the byte range [from, to) of a heap
 * (offsets from its start) drawn in rows of `perRow` bytes, `scale` pixels a byte.
 */
function pieces(from, to, perRow, scale) {
    const out = [];
    for (let row = Math.floor(from / perRow); row * perRow < to; row++) {
        const a = Math.max(from, row * perRow) - row * perRow;
        const b = Math.min(to, (row + 1) * perRow) - row * perRow;
        out.push({ row, x: a * scale, width: (b - a) * scale });
    }
    return out;
}

/**
 * One heap: its rows of allocated colour, the free chunks painted over them (free chunks never
 * touch, so each is one rect a row), boundary marks, and its addresses. Returns { svg, height }.
 */
function heapStrip(heap, stats, index, top, layout) {
    const { perRow, scale, left } = layout;
    const size = heap.end - heap.start;
    const rows = Math.ceil(size / perRow);
    const rowTop = (row) => top + LINE + row * (STRIP_HEIGHT + ROW_GAP);
    const out = [`<g class="heap" data-start="${heap.start}" data-end="${heap.end}" data-used="${stats.used}" `
        + `data-free="${stats.free}" data-largest-free="${stats.largestFree}" data-allocated-chunks="${stats.allocatedChunks}" `
        + `data-free-chunks="${stats.freeChunks}" data-row-bytes="${perRow}">`,
    `<text x="${MARGIN}" y="${top + 12}" font-weight="bold">heap ${index + 1}: ${escape(hex(heap.start))} - `
        + `${escape(hex(heap.end))}, ${escape(bytes(size))}: ${escape(bytes(stats.used))} used, `
        + `${escape(bytes(stats.free))} free in ${num(stats.freeChunks)} chunks</text>`];
    for (const p of pieces(0, size, perRow, scale)) {
        const y = rowTop(p.row);
        out.push(`<text class="address" x="${left - 6}" y="${y + 13}" text-anchor="end" fill="${COLORS.muted}">`
            + `${hex(heap.start + p.row * perRow)}</text>`);
        out.push(`<rect class="allocated" x="${fixed(left + p.x)}" y="${y}" width="${fixed(p.width)}" height="${STRIP_HEIGHT}" `
            + `fill="${COLORS.allocated}"/>`);
    }
    const marks = [];
    let below = null;
    for (const c of heap.chunks) {
        const from = c.address - heap.start;
        if (!c.allocated) {
            for (const p of pieces(from, from + c.size, perRow, scale)) {
                out.push(`<rect class="free" x="${fixed(left + p.x)}" y="${rowTop(p.row)}" width="${fixed(p.width)}" `
                    + `height="${STRIP_HEIGHT}" fill="${COLORS.free}"/>`);
            }
        }
        if (below !== null && Math.min(below.size, c.size) * scale >= MARK_MIN_PIXELS) {
            const row = Math.floor(from / perRow);
            marks.push(`M${fixed(left + (from - row * perRow) * scale)} ${rowTop(row)}v${STRIP_HEIGHT}`);
        }
        below = c;
    }
    if (marks.length > 0) {
        out.push(`<path class="boundaries" d="${marks.join('')}" stroke="${COLORS.boundary}" stroke-width="1"/>`);
    }
    const lastRow = rows - 1;
    const endX = left + (size - lastRow * perRow) * scale;
    out.push(`<text class="address" x="${fixed(endX)}" y="${rowTop(lastRow) + STRIP_HEIGHT + 12}" text-anchor="end" `
        + `fill="${COLORS.muted}">${hex(heap.end)}</text>`);
    out.push('</g>');
    return { svg: out.join('\n'), height: LINE + rows * (STRIP_HEIGHT + ROW_GAP) + LINE + 6 };
}

/** A table of monospace lines at (MARGIN, top); returns { svg, height }. */
function tableBlock(lines, top, cls, boldFirst = true) {
    const out = [`<g class="${cls}" font-family="Menlo, Consolas, 'DejaVu Sans Mono', monospace" font-size="12">`];
    lines.forEach((line, i) => {
        out.push(`<text x="${MARGIN}" y="${top + (i + 1) * TABLE_LINE}" xml:space="preserve"`
            + `${boldFirst && i === 0 ? ' font-weight="bold"' : ''}>${escape(line)}</text>`);
    });
    out.push('</g>');
    return { svg: out.join('\n'), height: lines.length * TABLE_LINE + 10 };
}

/** The SVG picture: title, legend, one strip per heap, then the heap table, fragmentation and bins. */
export function renderSvg(heaps, summary, { title = 'talc heap', width = DEFAULT_SVG_WIDTH } = {}) {
    const left = MARGIN + ADDRESS_COLUMN;
    const plotWidth = width - left - MARGIN;
    const perRow = rowBytes(heaps, plotWidth, summary.unit);
    const layout = { perRow, scale: plotWidth / perRow, left };
    const body = [];
    let y = 62;
    if (heaps.length === 0) {
        body.push(`<text x="${MARGIN}" y="${y + 12}">${NO_HEAPS}</text>`);
        y += 2 * LINE;
    }
    heaps.forEach((heap, i) => {
        const strip = heapStrip(heap, summary.heaps[i], i, y, layout);
        body.push(strip.svg);
        y += strip.height;
    });
    const heapTable = columns(heapRows(summary), HEAP_RIGHT);
    const binTable = summary.bins.length === 0 ? ['no free chunks: no free-list bin in use']
        : ['free-list bins in use', ...columns(binRows(summary), BIN_RIGHT)];
    for (const [lines, cls, boldFirst] of [[heapTable, 'heaps', true], [[fragmentationLine(summary)], 'fragmentation', false],
        [binTable, 'bins', true]]) {
        const block = tableBlock(lines, y, cls, boldFirst);
        body.push(block.svg);
        y += block.height;
    }
    const tableWidth = Math.max(...[...heapTable, ...binTable].map((l) => l.length)) * CHAR_WIDTH + 2 * MARGIN;
    const w = Math.max(width, Math.ceil(tableWidth));
    const h = y + MARGIN;
    const legendY = 44;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" `
            + `font-family="Helvetica, Arial, sans-serif" font-size="12" fill="${COLORS.text}">`,
        `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
        `<text x="${MARGIN}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
        `<rect x="${MARGIN}" y="${legendY - 10}" width="12" height="12" fill="${COLORS.allocated}"/>`,
        `<text x="${MARGIN + 18}" y="${legendY}">allocated</text>`,
        `<rect x="${MARGIN + 90}" y="${legendY - 10}" width="12" height="12" fill="${COLORS.free}"/>`,
        `<text x="${MARGIN + 108}" y="${legendY}">free</text>`,
        `<text x="${MARGIN + 160}" y="${legendY}" fill="${COLORS.muted}">length proportional to bytes: `
            + `${escape(bytes(perRow))} a row; white marks between chunks of ${MARK_MIN_PIXELS} px or more</text>`,
        ...body,
        '</svg>',
        '',
    ].join('\n');
}

// ------------------------------------------------------------------------------------------------
// The entry points

/**
 * Checks, walks and draws the heap of instance `t` (loadChecked): { heaps, summary, text, svg }.
 * Throws HeapInconsistentError (drawing nothing) when talc_check finds a problem.
 */
export function picture(t, { title, width, columns: cells } = {}) {
    checkHeap(t);
    const heaps = groupHeaps(t.walk());
    const summary = summarize(heaps, (size) => t.e.talc_bin(size), t.layout.header.unit);
    return { heaps, summary, text: renderText(heaps, summary, { title, columns: cells }), svg: renderSvg(heaps, summary, { title, width }) };
}

/**
 * Draws the heap of `t` and writes the pictures where `o` says (o.svg, o.text: paths or null;
 * text to io.stdout without o.text). Returns the exit status: 0, or 1 (with the problem on
 * io.stderr and no file written) when the heap is inconsistent.
 */
export function reportHeap(t, o, io = processIo) {
    let drawn;
    try {
        drawn = picture(t, o);
    } catch (e) {
        if (e instanceof HeapInconsistentError) {
            io.stderr(`heap-picture: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
    for (const [path, content] of [[o.svg, drawn.svg], [o.text, drawn.text]]) {
        if (path) {
            mkdirSync(dirname(path), { recursive: true });
            writeFileSync(path, content);
        }
    }
    if (!o.text) {
        io.stdout(drawn.text);
    }
    return 0;
}

const processIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/** The command line: returns the exit status (0 drawn, 1 inconsistent heap or failed run, 2 usage). */
export function main(argv, io = processIo) {
    let o;
    try {
        o = options(argv);
    } catch (e) {
        if (e instanceof UsageError) {
            io.stderr(`heap-picture: ${e.message}\n${USAGE}\n`);
            return 2;
        }
        throw e;
    }
    if (o.help) {
        io.stdout(`${USAGE}\n`);
        return 0;
    }
    try {
        const t = loadChecked(o.module);
        const { seq, name } = workload(o);
        const run = replay(t, seq, o.stopAt);
        const failed = run.failures > 0 ? `, ${num(run.failures)} failed allocations` : '';
        const title = `talc heap (${t.file}) after ${num(run.operations)} of ${num(run.of)} operations of ${name}: `
            + `${num(run.liveBlocks)} live blocks, ${bytes(run.liveBytes)} requested${failed}`;
        return reportHeap(t, { ...o, title }, io);
    } catch (e) {
        if (e instanceof UsageError) {
            io.stderr(`heap-picture: ${e.message}\n`);
            return 2;
        }
        io.stderr(`heap-picture: ${e.message}\n`);
        return 1;
    }
}

const invoked = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) {
    process.exitCode = main(process.argv.slice(2));
}
