// The counters of talc-counters.wasm: reading the counter block that talc_counters() points at,
// and rendering counters as the text table of the JVM library's talc.jvm.CountersSnapshot
// (like Talc's Display for its Counters). The two renderings are one format: a golden file,
// jvm-library/src/test/resources/talc/jvm/counters-tables.txt in the repository, is checked
// against both (CountersTableGoldenTest on the JVM, counters-table.test.mjs in Node).

/** The names of the counters, as counters() gives them (TalcCounters). */
export const COUNTER_NAMES = Object.freeze([
    'allocationCount', 'allocatedBytes', 'availableBytes', 'fragmentCount', 'heapCount', 'claimedBytes',
    'totalAllocationCount', 'totalAllocatedBytes', 'totalHeapCount', 'totalClaimedBytes',
]);

/** Width of the table's name column, and of its two value columns (CountersSnapshot's constants). */
const NAME_COLUMN = 17;
const COLUMN = 16;
/** A cell with no value: the current value of a running total, or the reverse. */
const NONE = '-';

/**
 * The counters in the block at `address` of `buffer`, as numbers, where the layout's counters
 * (layout.js) place them. The running totals are u64; a Number holds them exactly up to 2^53
 * bytes or calls, far beyond any run.
 */
export function readCounters(buffer, address, layout) {
    const view = new DataView(buffer, address, layout.counters.bytes);
    const counters = {};
    for (const { name, offset, type } of layout.counters.fields) {
        counters[name] = type === 'u64' ? Number(view.getBigUint64(offset, true)) : view.getUint32(offset, true);
    }
    return counters;
}

/**
 * The counters as a table of "now" and "total" columns, character for character the text of
 * talc.jvm.CountersSnapshot.toString() for the same values: a header, a rule, nine rows, each
 * line ending in "\n". Derived rows: freed bytes (total allocated - allocated), overhead bytes
 * (claimed - available - allocated: one header word per allocation and per heap) and released
 * bytes (total claimed - claimed).
 */
export function formatCounters(counters) {
    if (typeof counters !== 'object' || counters === null) {
        throw new TypeError('talc-wasm: formatCounters(counters): expected the object counters() returns, '
            + `got ${counters}`);
    }
    for (const name of COUNTER_NAMES) {
        const value = counters[name];
        if (!Number.isSafeInteger(value) || value < 0) {
            throw new TypeError(`talc-wasm: formatCounters(counters): ${name} must be a non-negative integer, `
                + `got ${value}`);
        }
    }
    const c = counters;
    const rows = [
        ['counter', 'now', 'total'],
        null,
        ['allocations', c.allocationCount, c.totalAllocationCount],
        ['allocated bytes', c.allocatedBytes, c.totalAllocatedBytes],
        ['freed bytes', NONE, c.totalAllocatedBytes - c.allocatedBytes],
        ['available bytes', c.availableBytes, NONE],
        ['overhead bytes', c.claimedBytes - c.availableBytes - c.allocatedBytes, NONE],
        ['claimed bytes', c.claimedBytes, c.totalClaimedBytes],
        ['released bytes', NONE, c.totalClaimedBytes - c.claimedBytes],
        ['heaps', c.heapCount, c.totalHeapCount],
        ['fragments', c.fragmentCount, NONE],
    ];
    return rows.map((row) => (row === null ? rule() : line(...row))).join('');
}

function line(name, now, total) {
    return `${String(name).padEnd(NAME_COLUMN)}|${String(now).padStart(COLUMN)} |${String(total).padStart(COLUMN)}\n`;
}

function rule() {
    return `${'-'.repeat(NAME_COLUMN)}+${'-'.repeat(COLUMN + 1)}+${'-'.repeat(COLUMN)}\n`;
}
