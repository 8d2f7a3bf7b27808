// The counters as a text table in JavaScript: the package's formatCounters (and
// Talc#countersTable, the table of a talc-counters instance) renders the golden file that the
// JVM's CountersSnapshot.toString() is also held to (jvm-library's CountersTableGoldenTest),
// so the two renderings are one format; and the table of a real instance after a workload says
// exactly what its counters, and its live blocks, say.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT, stagedPackage } from '../support/package-fixture.mjs';
import { HEADER, Rng, randomSize } from './talc.mjs';

const packageDir = await stagedPackage();
const { createTalc, formatCounters } = await import(pathToFileURL(join(packageDir, 'index.js')).href);

/** The golden file, shared with the JUnit test; its header describes its format. */
const GOLDEN = join(ROOT, 'jvm-library', 'src', 'test', 'resources', 'talc', 'jvm', 'counters-tables.txt');
const CASE = '== ';
const TABLE_LINE = '> ';
const ASSIGN = ' = ';
/** A cell with no value in the table. */
const NONE = '-';
/** Operations of the workload, and the seed that picks them. */
const OPS = 3000;
const SEED = 0x7a1c;
/** Most live blocks the workload keeps. */
const MAX_LIVE = 200;

/** The cases of the golden file: [{ name, counters, table }], as CountersTableGoldenTest reads them. */
function goldenCases() {
    const cases = [];
    let current = null;
    for (const line of readFileSync(GOLDEN, 'utf8').split('\n')) {
        if (line.trim() === '' || line.startsWith('#')) {
            continue;
        }
        if (line.startsWith(CASE)) {
            current = { name: line.slice(CASE.length), counters: {}, table: '' };
            cases.push(current);
        } else if (line.startsWith(TABLE_LINE)) {
            current.table += `${line.slice(TABLE_LINE.length)}\n`;
        } else if (line.includes(ASSIGN)) {
            const [name, value] = line.split(ASSIGN);
            current.counters[name.trim()] = Number(value.trim());
        } else {
            throw new Error(`${GOLDEN}: unexpected line '${line}'`);
        }
    }
    return cases;
}

/** A rendered table read back: row name -> { now, total }, numbers or null for an empty cell. */
function parseTable(table) {
    const lines = table.split('\n');
    assert.equal(lines.pop(), '', 'every line ends in a newline');
    const [header, rule, ...rows] = lines;
    assert.deepEqual(header.split('|').map((s) => s.trim()), ['counter', 'now', 'total']);
    assert.match(rule, /^-+\+-+\+-+$/);
    const cell = (s) => (s.trim() === NONE ? null : Number(s.trim()));
    return Object.fromEntries(rows.map((row) => {
        const [name, now, total] = row.split('|');
        return [name.trim(), { now: cell(now), total: cell(total) }];
    }));
}

test('formatCounters renders every case of the golden file that the JVM is held to, exactly', () => {
    const cases = goldenCases();
    assert.ok(cases.length > 0);
    for (const c of cases) {
        assert.equal(formatCounters(c.counters), c.table, c.name);
    }
});

test("the golden file's counters are the ones a talc-counters instance reports", async () => {
    const talc = await createTalc({ variant: 'talc-counters' });
    const names = Object.keys(talc.counters()).sort();
    for (const c of goldenCases()) {
        assert.deepEqual(Object.keys(c.counters).sort(), names, c.name);
    }
});

test("a talc-counters instance's table after a workload says what its counters and its live blocks say", async () => {
    const talc = await createTalc({ variant: 'talc-counters' });
    const start = talc.counters();
    const rng = new Rng(SEED);
    const live = [];
    let frees = 0;
    let allocations = 0;
    let moves = 0;
    for (let op = 0; op < OPS; op++) {
        const r = rng.float();
        if (live.length > 0 && (r < 0.4 || live.length >= MAX_LIVE)) {
            talc.free(live.splice(rng.range(0, live.length - 1), 1)[0]);
            frees++;
        } else if (live.length > 0 && r < 0.55) {
            const i = rng.range(0, live.length - 1);
            const q = talc.realloc(live[i], randomSize(rng) + 1);
            moves += q !== live[i] ? 1 : 0;
            live[i] = q;
        } else {
            const p = r < 0.75 ? talc.calloc(1, randomSize(rng)) : talc.malloc(randomSize(rng));
            live.push(p);
            allocations++;
        }
        assert.ok(live.every((p) => p !== 0), `op ${op}: memory can grow, nothing fails`);
    }
    assert.ok(frees > 0 && moves > 0 && live.length > 0, 'the workload freed, moved and kept blocks');

    const c = talc.counters();
    const table = talc.countersTable();
    assert.equal(table, formatCounters(c), 'countersTable() is formatCounters(counters())');
    const rows = parseTable(table);
    // Every cell is the counter it names, or the difference the table defines.
    assert.deepEqual(rows, {
        'allocations': { now: c.allocationCount, total: c.totalAllocationCount },
        'allocated bytes': { now: c.allocatedBytes, total: c.totalAllocatedBytes },
        'freed bytes': { now: null, total: c.totalAllocatedBytes - c.allocatedBytes },
        'available bytes': { now: c.availableBytes, total: null },
        'overhead bytes': { now: c.claimedBytes - c.availableBytes - c.allocatedBytes, total: null },
        'claimed bytes': { now: c.claimedBytes, total: c.totalClaimedBytes },
        'released bytes': { now: null, total: c.totalClaimedBytes - c.claimedBytes },
        'heaps': { now: c.heapCount, total: c.totalHeapCount },
        'fragments': { now: c.fragmentCount, total: null },
    }, table);
    // And the counters are the workload's: the live blocks, their usable bytes, one header word
    // per block and per heap.
    assert.equal(rows.allocations.now, live.length);
    assert.equal(rows['allocated bytes'].now, live.reduce((sum, p) => sum + talc.usableSize(p), 0));
    assert.equal(rows['overhead bytes'].now, HEADER * (live.length + rows.heaps.now));
    assert.equal(rows.allocations.total, start.totalAllocationCount + allocations + moves,
        'every malloc and calloc is an allocation, and so is every realloc that moved');
});

test('countersTable is for talc-counters only; formatCounters takes counters', async () => {
    const plain = await createTalc();
    assert.throws(() => plain.countersTable(),
        /talc keeps no counters; create the allocator with \{ variant: 'talc-counters' \}/);
    const counted = await createTalc({ variant: 'talc-counters' });
    const c = counted.counters();
    assert.throws(() => formatCounters(null), TypeError);
    assert.throws(() => formatCounters({ ...c, heapCount: undefined }),
        /heapCount must be a non-negative integer, got undefined/);
    assert.throws(() => formatCounters({ ...c, claimedBytes: -1 }), /claimedBytes must be a non-negative integer/);
    assert.throws(() => formatCounters({ ...c, totalClaimedBytes: 2 ** 53 }),
        /totalClaimedBytes must be a non-negative integer/);
});
