// The allocator inside a TeaVM app (teavm-app): the example app, built by TeaVM's classic wasm
// backend with its runtime and GC, runs thousands of rounds that interleave Java allocation
// under GC pressure with allocator blocks filled with patterns, and finds nothing overwritten;
// the same app built without the GC agreement (the negative control) does overwrite. An arena
// (NativeArena) inside the main heap runs a randomized workload under the same pressure, and its
// blocks go back to the main heap exactly when they empty. The app is built by teavm-maven-plugin
// with teavm-app on its class path (teavm-example), as any app is, and imports only what TeaVM's
// own wasm-runtime.js provides.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
/** Directory of the built apps: $TALC_TEAVM_APP_DIR, else teavm-example/target/wasm. */
const APP_DIR = process.env.TALC_TEAVM_APP_DIR
    ? resolve(process.env.TALC_TEAVM_APP_DIR)
    : join(ROOT, 'teavm-example', 'target', 'wasm');

const PAGE = 65536;
/** Rounds of the run: enough for the GC to reach its largest heap and the allocator to grow several times. */
const ROUNDS = 4000;
const SEED = 12345;
/** Pages the allocator's growing source never passes (talc.core.Source.MAX_PAGES: 2 GiB less one page). */
const MAX_PAGES = 32767;
/** Room the plugin leaves below MAX_PAGES for TeaVM's static data (talc.teavm.plugin.MemoryMaximum.STATIC_ROOM). */
const STATIC_ROOM_PAGES = 1024;
/** Rounds of the arena run: ten phases of filling and draining (GcPressureApp.ARENA_PHASE_ROUNDS). */
const ARENA_ROUNDS = 2000;
/** The arena's block size in the example (GcPressureApp.ARENA_BLOCK_SIZE). */
const ARENA_BLOCK_SIZE = 64 * 1024;
/** Arena blocks taken and given back that show blocks came and went through the phases (about 50 each). */
const ARENA_MIN_BLOCK_TURNS = 10;
/** Java bytes allocated per byte of the GC's final heap that prove it collected: it cannot hold more than its heap. */
const COLLECTING_FACTOR = 4;

/**
 * The imports of TeaVM's classic wasm runtime that the app uses, as TeaVM's own wasm-runtime.js
 * provides them (log calls are collected, not printed). An import not listed here fails the load:
 * a new one is a decision, not an accident.
 */
function runtimeImports(log) {
    return {
        teavm: {
            currentTimeMillis: () => Date.now(),
            logString: (string) => log.push(`string@${string}`),
            logInt: (i) => log.push(i),
            logOutOfMemory: () => log.push('out of memory'),
        },
    };
}

function load(name) {
    const path = join(APP_DIR, name);
    if (!existsSync(path)) {
        throw new Error(`${path} does not exist: build it with 'mvn -o -pl teavm-app -am package -DskipTests'`);
    }
    const module = new WebAssembly.Module(readFileSync(path));
    const log = [];
    const imports = runtimeImports(log);
    for (const imp of WebAssembly.Module.imports(module)) {
        assert.equal(typeof imports[imp.module]?.[imp.name], 'function', `${name} imports ${imp.module}.${imp.name}`);
    }
    return { module, exports: new WebAssembly.Instance(module, imports).exports, log };
}

/** What the app's exports report after a run. */
function report(e) {
    const names = ['blockCorruptions', 'objectCorruptions', 'misplacedBlocks', 'contractErrors',
        'allocationFailures', 'collectionsSeen', 'javaKibAllocated', 'gcGrowths', 'allocatorGrowths',
        'alternations', 'allocatorClaimedPeak', 'liveBlocks', 'territoryStart', 'gcMemoryLimit',
        'gcHeapBytes', 'gcGrowRequests', 'gcGrownPages', 'gcOverreach'];
    return Object.fromEntries(names.map((n) => [n, e[n]()]));
}

test('the example app runs thousands of rounds of GC pressure and allocator blocks, and nothing is overwritten', () => {
    const { exports: e, log } = load('gc-pressure.wasm');
    const atStart = { grownPages: e.gcGrownPages(), requests: e.gcGrowRequests(), heap: e.gcHeapBytes() };

    const corruptions = e.run(ROUNDS, SEED);
    const r = report(e);
    const memoryBytes = e.memory.buffer.byteLength;

    // Nothing overwritten, nothing misplaced, every promise of the API kept.
    assert.equal(corruptions, 0, JSON.stringify(r));
    assert.equal(r.blockCorruptions, 0);
    assert.equal(r.objectCorruptions, 0);
    assert.equal(r.misplacedBlocks, 0, 'a block lay inside the GC area');
    assert.equal(r.contractErrors, 0);
    assert.equal(r.allocationFailures, 0);
    assert.equal(r.liveBlocks, 0, 'run frees every block, and the counters say so');
    assert.deepEqual(log, [], 'the runtime logged nothing (no exception, no out-of-memory)');

    // The scenario happened: the GC collected and grew, the allocator grew, and they took turns.
    assert.ok(r.javaKibAllocated * 1024 > COLLECTING_FACTOR * r.gcHeapBytes,
        `${r.javaKibAllocated} KiB of Java arrays through a heap of ${r.gcHeapBytes} bytes: the GC must have collected`);
    assert.ok(r.collectionsSeen > 0);
    assert.ok(r.gcHeapBytes > atStart.heap && r.gcGrowths >= 2, `GC heap ${atStart.heap} -> ${r.gcHeapBytes}`);
    assert.ok(r.gcGrowRequests > atStart.requests, 'the GC asked for a higher memory limit during the run');
    assert.ok(r.allocatorGrowths >= 2, `allocator grew in ${r.allocatorGrowths} rounds`);
    assert.ok(r.alternations >= 2, 'the GC grew after the allocator, and the allocator after the GC');

    // The agreement: the GC stayed in its territory, the allocator above it, and the GC's growth
    // inside its reserved territory needed no memory.grow beyond the start-up one.
    assert.equal(r.gcOverreach, 0);
    assert.ok(r.gcMemoryLimit <= r.territoryStart, `GC limit ${r.gcMemoryLimit} > territory ${r.territoryStart}`);
    assert.ok(memoryBytes >= r.territoryStart + r.allocatorClaimedPeak);
    assert.equal(r.gcGrownPages, atStart.grownPages, 'after the reservation the GC grows within pages that exist');
});

test('the negative control (the same app without the agreement) has the GC overwrite the allocator', () => {
    const { exports: e } = load('gc-pressure-unguarded.wasm');
    let trap = null;
    try {
        e.run(ROUNDS, SEED);
    } catch (error) {
        // Overwritten allocator metadata can also send the allocator out of bounds.
        assert.ok(error instanceof WebAssembly.RuntimeError, String(error));
        trap = error;
    }
    const r = report(e);
    assert.ok(r.misplacedBlocks > 0, `blocks inside the GC area: ${JSON.stringify(r)} (trap: ${trap})`);
    assert.ok(r.blockCorruptions + r.objectCorruptions > 0, `overwritten: ${JSON.stringify(r)} (trap: ${trap})`);
});

/** What the app's exports report after an arena run: the arena's, the main heap table's and the GC's. */
function arenaReport(e) {
    const names = ['arenaCorruptions', 'arenaMisplaced', 'arenaContractErrors', 'arenaFailures',
        'arenaEmptyBlocksHeld', 'arenaBlocksGoneInUse', 'arenaHeapsNotBlocks', 'arenaParentMismatches',
        'arenaBlocksTaken', 'arenaBlocksReturned', 'arenaPeakBlocks', 'arenaLargestBlock', 'arenaHeapsLeft',
        'blockCorruptions', 'objectCorruptions', 'misplacedBlocks', 'contractErrors', 'allocationFailures',
        'collectionsSeen', 'liveBlocks'];
    return Object.fromEntries(names.map((n) => [n, e[n]()]));
}

test('an arena inside the main heap: contents intact under GC pressure, blocks given back exactly when empty', () => {
    const { exports: e, log } = load('gc-pressure.wasm');
    const corruptions = e.runArena(ARENA_ROUNDS, SEED);
    const r = arenaReport(e);
    const all = JSON.stringify(r);

    // Nothing overwritten, by the GC or anyone, in the arena, the main heap or the Java arrays.
    assert.equal(corruptions, 0, all);
    assert.equal(r.arenaCorruptions, 0, all);
    assert.equal(r.blockCorruptions, 0, all);
    assert.equal(r.objectCorruptions, 0, all);
    assert.equal(r.arenaMisplaced + r.misplacedBlocks, 0, `a block lay inside the GC area: ${all}`);
    assert.equal(r.arenaContractErrors + r.contractErrors, 0, all);
    assert.equal(r.arenaFailures + r.allocationFailures, 0, all);
    assert.deepEqual(log, []);

    // The arena's blocks, after every operation: none held empty, none given back in use, the
    // arena's heaps are its blocks, and the main heap counts exactly its own blocks and the arena's.
    assert.equal(r.arenaEmptyBlocksHeld, 0, `a block stayed with the arena after it emptied: ${all}`);
    assert.equal(r.arenaBlocksGoneInUse, 0, `a block went back while in use: ${all}`);
    assert.equal(r.arenaHeapsNotBlocks, 0, `the arena had a heap that is not a block of the main heap: ${all}`);
    assert.equal(r.arenaParentMismatches, 0, `the main heap's live count or bytes disagreed: ${all}`);

    // The scenario happened: blocks came and went, a large request got a multiple of the block
    // size, the GC collected; at the end the arena held nothing, and closing it gave back its
    // state block, so the main heap is empty.
    assert.ok(r.arenaBlocksTaken >= ARENA_MIN_BLOCK_TURNS && r.arenaBlocksReturned >= ARENA_MIN_BLOCK_TURNS, all);
    assert.ok(r.arenaPeakBlocks > 1, all);
    assert.ok(r.arenaLargestBlock >= 2 * ARENA_BLOCK_SIZE, `largest arena block ${r.arenaLargestBlock}`);
    assert.ok(r.collectionsSeen > 0, all);
    assert.equal(r.arenaHeapsLeft, 0);
    assert.equal(r.liveBlocks, 0, 'the main heap holds nothing after the arena is closed');
});

test('the negative control has the GC overwrite the arena too', () => {
    const { exports: e } = load('gc-pressure-unguarded.wasm');
    let trap = null;
    try {
        e.runArena(ARENA_ROUNDS, SEED);
    } catch (error) {
        assert.ok(error instanceof WebAssembly.RuntimeError, String(error));
        trap = error;
    }
    const r = arenaReport(e);
    // The arena's blocks are blocks of the main heap: the collision shows in the arena's own
    // checks or in the main heap's, whichever meets it first (the layout decides; a trap from
    // overwritten metadata can end the run before the other looks).
    assert.ok(r.arenaMisplaced + r.misplacedBlocks > 0,
        `arena or main-heap blocks inside the GC area: ${JSON.stringify(r)} (trap: ${trap})`);
    assert.ok(r.arenaCorruptions + r.blockCorruptions + r.objectCorruptions > 0,
        `overwritten: ${JSON.stringify(r)} (trap: ${trap})`);
});

test("the plugin declares a memory maximum with nearly all of 2 GiB above the GC's territory", () => {
    const bytes = readFileSync(join(APP_DIR, 'gc-pressure.wasm'));
    assert.equal(WebAssembly.validate(bytes), true);
    const maximum = declaredMaximum(bytes);
    assert.ok(maximum <= MAX_PAGES && maximum > MAX_PAGES - STATIC_ROOM_PAGES - 64, `declared maximum ${maximum} pages`);
    const { exports: e } = load('gc-pressure.wasm');
    // The GC keeps the app's 32 MiB heap: its territory is its layout for that heap, far below the maximum.
    const territoryPages = e.territoryStart() / PAGE;
    assert.ok(territoryPages > 512 && territoryPages < 640, `territory ${territoryPages} pages`);
    const memory = e.memory;
    const before = memory.buffer.byteLength / PAGE;
    assert.equal(memory.grow(territoryPages + 1 - before), before, 'a page above the GC territory exists for the allocator');
    assert.throws(() => memory.grow(maximum + 1 - territoryPages - 1), RangeError, 'one page past the declared maximum');
});

/** The declared maximum, in pages, of a module's one memory (binary format: section 5). */
function declaredMaximum(bytes) {
    let pos = 8;
    const leb = () => {
        let value = 0;
        let shift = 0;
        let b;
        do {
            b = bytes[pos++];
            value += (b & 0x7f) * 2 ** shift;
            shift += 7;
        } while (b & 0x80);
        return value;
    };
    while (pos < bytes.length) {
        const id = bytes[pos++];
        const size = leb();
        if (id === 5) {
            assert.equal(leb(), 1, 'one memory');
            const flags = bytes[pos++];
            leb();
            assert.equal(flags, 1, 'TeaVM declares a maximum');
            return leb();
        }
        pos += size;
    }
    throw new Error('no memory section');
}
