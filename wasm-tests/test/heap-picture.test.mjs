// The heap picture (scripts/heap-picture.mjs): its rendering of a synthetic walk whose numbers
// are known (bytes per heap, chunk counts, fragmentation, bins and their real bounds, the text
// strips, the SVG's strips and wrapping); a real run on talc-checked.wasm whose SVG must be
// well-formed and agree with a walk of the heap made here; the command line on a trace; and the
// refusal to draw a heap that talc_check finds corrupted.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LAYOUT, hex, wasmPath } from './talc.mjs';

/** The chunk unit of the modules (chunk sizes are multiples of it). */
const UNIT = LAYOUT.header.unit;

const SCRIPTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts');
const SCRIPT = join(SCRIPTS, 'heap-picture.mjs');
const TRACE = join(SCRIPTS, 'traces', 'sqlite3.trace.gz');
const hp = await import(pathToFileURL(SCRIPT).href);

const MiB = 1024 * 1024;
/** SVG widths and x are written with two decimals: each is off by at most this many pixels. */
const PIXEL_ROUNDING = 0.005;

const TMP = mkdtempSync(join(tmpdir(), 'heap-picture-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

// ------------------------------------------------------------------------------------------------
// Helpers

/** A toy binning, monotonic like talc's: one bin per 16 bytes below 256, then one per power of two. */
const toyBin = (size) => (size < 256 ? (size >>> 4) - 1 : 15 + Math.floor(Math.log2(size)) - 8);

/** A walk of chunks [size, allocated] laid end to end from `start`; the first one starts a heap. */
function heapChunks(start, specs) {
    let address = start;
    return specs.map(([size, allocated], i) => {
        const c = { address, size, allocated, heapFirst: i === 0 };
        address += size;
        return c;
    });
}

// Two heaps, listed newest (highest) first as talc_walk gives them. Heap A: 1,600 bytes, so that
// 10 text cells are 160 bytes each: ### . : #### . ; heap B holds the largest free chunk.
const HEAP_A = heapChunks(0x20000, [[480, true], [160, false], [80, true], [80, false], [640, true], [160, false]]);
const HEAP_B = heapChunks(0x10000, [[4096, false], [1024, true], [304, false], [192, true], [16, false]]);
const SYNTHETIC_WALK = [...HEAP_A, ...HEAP_B];

/** Start tags, end tags and self-closing tags must nest, under one root; returns the root's name. */
function assertBalanced(xml) {
    const stack = [];
    let roots = 0;
    let root = null;
    const body = xml.replace(/^<\?xml[^>]*\?>/, '');
    for (const [, close, name, selfClose] of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)(?:\s[^<>]*?)?(\/?)>/g)) {
        if (stack.length === 0 && !close) {
            roots++;
            root = name;
        }
        if (close) {
            assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
        } else if (!selfClose) {
            stack.push(name);
        }
    }
    assert.deepEqual(stack, [], 'every element is closed');
    assert.equal(roots, 1, 'one root element');
    // Text between tags: no stray '<', and every '&' starts an entity.
    const text = body.replace(/<[^<>]*>/g, '');
    assert.ok(!text.includes('<') && !text.includes('>'), 'no unescaped angle brackets');
    assert.ok(!/&(?!amp;|lt;|gt;|quot;)/.test(text), 'no unescaped ampersand');
    return root;
}

/** The SVG's heap groups: [{ start, end, used, free, ..., rowWidths, freeWidths, marks }]. */
function svgHeaps(svg) {
    const groups = [...svg.matchAll(/<g class="heap"([^>]*)>([\s\S]*?)<\/g>/g)];
    return groups.map(([, attrs, inner]) => {
        const data = Object.fromEntries([...attrs.matchAll(/data-([\w-]+)="(\d+)"/g)].map(([, k, v]) => [k, Number(v)]));
        const widths = (cls) => [...inner.matchAll(new RegExp(`<rect class="${cls}"[^>]* width="([\\d.]+)"`, 'g'))]
            .map((m) => Number(m[1]));
        const path = inner.match(/<path class="boundaries" d="([^"]*)"/);
        return {
            start: data.start, end: data.end, used: data.used, free: data.free, largestFree: data['largest-free'],
            allocatedChunks: data['allocated-chunks'], freeChunks: data['free-chunks'], rowBytes: data['row-bytes'],
            rowWidths: widths('allocated'), freeWidths: widths('free'),
            marks: path ? path[1].split('M').length - 1 : 0,
            addresses: [...inner.matchAll(/<text class="address"[^>]*>([^<]*)</g)].map((m) => m[1]),
        };
    });
}

/**
 * Free bytes as drawn: the free rects' share of the heap's rows (the rows tile the heap), in
 * bytes, with the most the two-decimal rounding can move it.
 */
function drawnFree(h) {
    const rowPixels = h.rowWidths.reduce((a, b) => a + b, 0);
    const bytesPerPixel = (h.end - h.start) / rowPixels;
    const drawn = h.freeWidths.reduce((a, b) => a + b, 0) * bytesPerPixel;
    const slack = 2 * (h.freeWidths.length + h.rowWidths.length) * PIXEL_ROUNDING * bytesPerPixel;
    return { drawn, slack };
}

/** The instance's heap summed up here, independently of the script's grouping: per heap, in address order. */
function walkHere(t) {
    const heaps = [];
    for (const { address: c, size, allocated, heapFirst } of t.walk()) {
        if (heapFirst) {
            heaps.push({ start: c, end: c, used: 0, free: 0, allocatedChunks: 0, freeChunks: 0 });
        }
        const h = heaps[heaps.length - 1];
        assert.equal(c, h.end, 'chunks are contiguous');
        h.end = c + size;
        if (allocated) {
            h.used += size;
            h.allocatedChunks++;
        } else {
            h.free += size;
            h.freeChunks++;
        }
    }
    return heaps.sort((a, b) => a.start - b.start);
}

function captureIo() {
    const io = { out: '', err: '' };
    io.stdout = (s) => { io.out += s; };
    io.stderr = (s) => { io.err += s; };
    return io;
}

function cli(args) {
    const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ------------------------------------------------------------------------------------------------
// A synthetic walk

describe('heap-picture: a synthetic walk', () => {
    const heaps = hp.groupHeaps(SYNTHETIC_WALK);
    const summary = hp.summarize(heaps, toyBin, UNIT);

    test('heaps in address order, with their bytes, chunk counts and largest free chunk', () => {
        assert.deepEqual(heaps.map((h) => [h.start, h.end]), [[0x10000, 0x11600], [0x20000, 0x20640]]);
        assert.deepEqual(summary.heaps.map(({ size, used, free, largestFree, allocatedChunks, freeChunks }) =>
            ({ size, used, free, largestFree, allocatedChunks, freeChunks })), [
            { size: 5632, used: 1216, free: 4416, largestFree: 4096, allocatedChunks: 2, freeChunks: 3 },
            { size: 1600, used: 1200, free: 400, largestFree: 160, allocatedChunks: 3, freeChunks: 3 },
        ]);
        assert.deepEqual(summary.total, { size: 7232, used: 2416, free: 4816, largestFree: 4096, allocatedChunks: 5, freeChunks: 6 });
        assert.equal(summary.fragmentation, 1 - 4096 / 4816);
    });

    test('bins in use, with bounds found by binary search over the binning and what each holds', () => {
        assert.deepEqual(summary.bins, [
            { bin: 0, lo: 16, hi: 16, smallest: 16, largest: 16, count: 1, bytes: 16 },
            { bin: 4, lo: 80, hi: 80, smallest: 80, largest: 80, count: 1, bytes: 80 },
            { bin: 9, lo: 160, hi: 160, smallest: 160, largest: 160, count: 2, bytes: 320 },
            { bin: 15, lo: 256, hi: 496, smallest: 304, largest: 304, count: 1, bytes: 304 },
            { bin: 19, lo: 4096, hi: 8176, smallest: 4096, largest: 4096, count: 1, bytes: 4096 },
        ]);
        assert.deepEqual(hp.binBounds(toyBin, 37, UNIT), [2 ** 30, hp.maxChunk(UNIT)], 'the last bin reaches the largest chunk');
    });

    test('fragmentation is 0 for one free chunk or none', () => {
        assert.equal(hp.fragmentation(0, 0), 0);
        assert.equal(hp.fragmentation(4096, 4096), 0);
        const one = hp.summarize(hp.groupHeaps(heapChunks(0x1000, [[64, true], [512, false]])), toyBin, UNIT);
        assert.equal(one.fragmentation, 0);
    });

    test('text: a strip per heap, the heap table, fragmentation and the bins', () => {
        const text = hp.renderText(heaps, summary, { title: 'synthetic', columns: 10 });
        const lines = text.split('\n');
        assert.equal(lines[0], 'synthetic');
        assert.ok(lines.includes('heap 2  0x20000 |###.:####.| 0x20640  (160 B a character)'), text);
        // heap 1: 563.2 B a cell: the 4,096 free bytes fill cells 0-6; cell 7 is 73% allocated, cell 8
        // all, cell 9 43%
        const strip1 = lines.find((l) => l.startsWith('heap 1')).match(/\|(.*)\|/)[1];
        assert.equal(strip1, '.......:#:');
        const row = (name) => lines.find((l) => l.startsWith(`${name} `)).trim().split(/\s{2,}/);
        assert.deepEqual(row('1'), ['1', '0x10000', '0x11600', '5,632 B', '1,216 B', '4,416 B', '78.4%', '4,096 B', '2', '3']);
        assert.deepEqual(row('2'), ['2', '0x20000', '0x20640', '1,600 B', '1,200 B', '400 B', '25.0%', '160 B', '3', '3']);
        assert.deepEqual(row('all'), ['all', '7,232 B', '2,416 B', '4,816 B', '66.6%', '4,096 B', '5', '6']);
        assert.ok(lines.includes('fragmentation 0.150 (1 - largest free chunk 4,096 B / free 4,816 B)'), text);
        const bins = lines.slice(lines.indexOf('free-list bins in use') + 2).filter((l) => l !== '')
            .map((l) => l.trim().split(/\s{2,}/));
        assert.deepEqual(bins, [
            ['0', '16', '16', '1', '16 B'],
            ['4', '80', '80', '1', '80 B'],
            ['9', '160', '160', '2', '320 B'],
            ['15', '256 - 496', '304', '1', '304 B'],
            ['19', '4,096 - 8,176', '4,096', '1', '4,096 B'],
        ]);
    });

    test('SVG: well-formed, one group per heap with its numbers, free chunks drawn to scale', () => {
        const svg = hp.renderSvg(heaps, summary, { title: 'synthetic <walk> & more' });
        assert.equal(assertBalanced(svg), 'svg');
        assert.ok(svg.includes('synthetic &lt;walk&gt; &amp; more'));
        const drawn = svgHeaps(svg);
        assert.deepEqual(drawn.map(({ start, end, used, free, largestFree, allocatedChunks, freeChunks }) =>
            ({ start, end, used, free, largestFree, allocatedChunks, freeChunks })),
        summary.heaps.map(({ start, end, used, free, largestFree, allocatedChunks, freeChunks }) =>
            ({ start, end, used, free, largestFree, allocatedChunks, freeChunks })));
        for (const h of drawn) {
            assert.equal(h.rowWidths.length, 1, 'small heaps take one row');
            assert.equal(h.freeWidths.length, h.freeChunks, 'one rect per free chunk');
            const { drawn: bytes, slack } = drawnFree(h);
            assert.ok(Math.abs(bytes - h.free) <= slack, `free drawn as ${bytes} B, is ${h.free} B`);
            assert.deepEqual(h.addresses, [hex(h.start), hex(h.end)], 'start and end labelled');
        }
        const ratio = drawn[0].rowWidths[0] / drawn[1].rowWidths[0];
        assert.ok(Math.abs(ratio - 5632 / 1600) < 1e-3, `strips share one scale: ${ratio}`);
        // heap 1's 16-byte chunk is under MARK_MIN_PIXELS wide: no mark at its boundary
        assert.deepEqual(drawn.map((h) => h.marks), [3, 5]);
        assert.match(svg, /fragmentation 0\.150/);
        assert.match(svg, /<text[^>]*>\s*15 {2}256 - 496 {2}/);
    });

    test('SVG: a long heap wraps into rows of one size, a chunk split where a row ends', () => {
        const big = hp.groupHeaps(heapChunks(0x100000, [[6 * MiB, true], [4 * MiB, false], [6 * MiB, true]]));
        const svg = hp.renderSvg(big, hp.summarize(big, toyBin, UNIT));
        assertBalanced(svg);
        const [h] = svgHeaps(svg);
        assert.equal(h.rowBytes, 2 * MiB);
        assert.equal(h.rowWidths.length, 8);
        assert.ok(h.rowWidths.every((w) => w === h.rowWidths[0]));
        assert.deepEqual(h.freeWidths, [h.rowWidths[0], h.rowWidths[0]], 'the free 4 MiB fill rows 4 and 5');
        assert.deepEqual(h.addresses, [...Array.from({ length: 8 }, (_, row) => hex(0x100000 + row * 2 * MiB)), hex(h.end)]);
        assert.equal(h.marks, 2);
    });

    test('a walk whose chunks do not tile their heap is refused', () => {
        const broken = heapChunks(0x1000, [[64, true], [64, false]]);
        broken[1].address += 16;
        assert.throws(() => hp.groupHeaps(broken), /chunk 0x1050 does not start where the chunk below it ends \(0x1040\)/);
        assert.throws(() => hp.groupHeaps([{ ...broken[1], heapFirst: false }]), /not the first chunk of a heap/);
    });
});

// ------------------------------------------------------------------------------------------------
// The built module

describe('heap-picture: talc-checked.wasm', () => {
    test('talc_bin: bounds found by binary search tile the sizes, bin after bin', () => {
        const t = hp.loadChecked(wasmPath('talc-checked.wasm'));
        const binOf = (size) => t.e.talc_bin(size);
        const last = binOf(hp.maxChunk(UNIT));
        let expectedLo = UNIT;
        let unused = 0;
        for (let bin = 0; bin <= last; bin++) {
            const [lo, hi] = hp.binBounds(binOf, bin, UNIT);
            assert.equal(lo, expectedLo, `bin ${bin} starts where bin ${bin - 1} ends`);
            if (binOf(lo) > bin) {
                assert.equal(hi, lo - UNIT, `bin ${bin}, which no chunk size falls into, is empty`);
                unused++;
                continue;
            }
            assert.ok(hi >= lo);
            assert.equal(binOf(lo), bin);
            assert.equal(binOf(hi), bin);
            expectedLo = hi + UNIT;
        }
        assert.equal(expectedLo, hp.maxChunk(UNIT) + UNIT, 'the last bin ends at the largest chunk');
        assert.equal(unused, 5, 'the wasm binning\'s bins of 20, 24, 28, 40 and 56 B hold no chunk size');
    });

    test('a random run over two heaps: the SVG is well-formed and agrees with a walk made here', () => {
        const t = hp.loadChecked(wasmPath('talc-checked.wasm'));
        hp.replay(t, hp.randomSequence(11), 4000);
        t.memory.grow(2); // pages of another party: the allocator's next growth starts a second heap
        const run = hp.replay(t, hp.randomSequence(12), 4000);
        assert.equal(run.operations, 4000);
        const { svg, text, summary } = hp.picture(t, { title: 'random' });
        const here = walkHere(t);
        assert.ok(here.length >= 2, `${here.length} heaps`);
        assertBalanced(svg);
        const drawn = svgHeaps(svg);
        assert.deepEqual(drawn.map(({ start, end, used, free, allocatedChunks, freeChunks }) =>
            ({ start, end, used, free, allocatedChunks, freeChunks })), here);
        for (const h of drawn) {
            assert.equal(h.used + h.free, h.end - h.start);
            const { drawn: bytes, slack } = drawnFree(h);
            assert.ok(Math.abs(bytes - h.free) <= slack, `free drawn as ${bytes} B, is ${h.free} B`);
        }
        const free = here.reduce((n, h) => n + h.free, 0);
        assert.equal(summary.total.free, free);
        assert.ok(summary.fragmentation > 0 && summary.fragmentation < 1);
        assert.match(text, new RegExp(`fragmentation ${summary.fragmentation.toFixed(3)} .* / free ${free.toLocaleString('en-US')} B\\)`));
        assert.equal(text.split('\n').filter((l) => /^heap \d+ {2}0x/.test(l)).length, here.length, 'a strip per heap');
    });

    test('command line: a trace replay stopped mid-run writes the SVG, prints the text', () => {
        const svgPath = join(TMP, 'sqlite3.svg');
        const r = cli(['--trace', TRACE, '--stop-at', '60000', '--module', wasmPath('talc-checked.wasm'), '--svg', svgPath,
            '--columns', '60']);
        assert.equal(r.status, 0, r.stderr);
        const [title] = r.stdout.split('\n');
        assert.match(title, /^talc heap \(talc-checked\.wasm\) after 60,000 of [\d,]+ operations of trace sqlite3: /);
        const live = Number(title.match(/: ([\d,]+) live blocks/)[1].replace(/,/g, ''));
        const svg = readFileSync(svgPath, 'utf8');
        assertBalanced(svg);
        const drawn = svgHeaps(svg);
        assert.equal(drawn.reduce((n, h) => n + h.allocatedChunks, 0), live, 'every live block is one allocated chunk');
        for (const line of r.stdout.split('\n').filter((l) => /^heap \d+ {2}0x/.test(l))) {
            assert.equal(line.match(/\|(.*)\|/)[1].length, 60);
        }
    });

    test('command line: usage errors exit 2, a module that is not a checked build exits 1', () => {
        const none = cli([]);
        assert.equal(none.status, 2);
        assert.match(none.stderr, /give one workload: --trace FILE or --random SEED/);
        assert.match(none.stderr, /^usage: scripts\/heap-picture/m);
        assert.equal(cli(['--random', '1', '--trace', TRACE]).status, 2);
        assert.match(cli(['--random', '1', '--stop-at=-3']).stderr, /--stop-at needs an integer of at least 0, not -3/);
        const plain = cli(['--random', '1', '--module', wasmPath('talc.wasm')]);
        assert.equal(plain.status, 1);
        assert.match(plain.stderr, /talc\.wasm is not a checked build \(it does not export talc_check, talc_walk, talc_bin\)/);
    });

    test('a corrupted heap: nothing is drawn, exit status 1 with the address of the problem', () => {
        const t = hp.loadChecked(wasmPath('talc-checked.wasm'));
        const [a, b] = [t.e.malloc(100) >>> 0, t.e.malloc(100) >>> 0, t.e.malloc(100) >>> 0];
        t.e.free(a);
        const svgPath = join(TMP, 'corrupted.svg');
        const ok = captureIo();
        assert.equal(hp.reportHeap(t, { svg: null, text: null, title: 'before' }, ok), 0, ok.err);
        assert.match(ok.out, /^before\n/);
        // a write just past the free chunk below b, over b's header
        new DataView(t.memory.buffer).setUint32(b - LAYOUT.header.bytes, 0x12345670 | LAYOUT.header.allocated, true);
        const io = captureIo();
        assert.equal(hp.reportHeap(t, { svg: svgPath, text: null, title: 'after' }, io), 1);
        assert.equal(io.err, `heap-picture: talc_check found the heap inconsistent at ${hex(b)} (a chunk header, seal `
            + 'or free-list link was overwritten): refusing to draw it\n');
        assert.equal(io.out, '');
        assert.ok(!existsSync(svgPath), 'no SVG written');
        assert.throws(() => hp.picture(t), (e) => e instanceof hp.HeapInconsistentError && e.address === b);
    });
});
