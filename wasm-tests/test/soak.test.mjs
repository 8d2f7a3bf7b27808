// The soak script (scripts/soak.mjs) on the built modules, briefly: it must run for about the
// time asked, print its report (as JSON with --json) and find no error in talc.wasm; and it must
// notice a broken allocator, exiting 1 with the seed and the operation index that replay it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { manifest, wasmPath } from './talc.mjs';

const SOAK = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'soak.mjs');

function soak(args) {
    const r = spawnSync(process.execPath, [SOAK, ...args], { encoding: 'utf8', timeout: 120_000 });
    const lines = r.stdout.trim().split('\n');
    const json = lines.length > 0 && lines[lines.length - 1].startsWith('{') ? JSON.parse(lines[lines.length - 1]) : null;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, report: json };
}

const REPORT_NUMBERS = [
    'seed', 'seconds', 'operations', 'opsPerSecond', 'errors', 'malloc', 'calloc', 'alignedAlloc', 'free', 'realloc',
    'failedAllocations', 'peakMemoryBytes', 'initialMemoryBytes', 'finalMemoryBytes', 'peakLiveBytes', 'peakLiveBlocks',
    'memoryGrowCalls', 'foreignGrows', 'foreignGrowsRefused', 'fullChecks',
];

function checkReport(s, file, seconds, mayFail = false) {
    assert.equal(s.status, 0, `soak of ${file} exited ${s.status}: ${s.stderr}`);
    assert.ok(s.report, `no JSON report in: ${s.stdout}`);
    const r = s.report;
    for (const k of REPORT_NUMBERS) {
        assert.equal(typeof r[k], 'number', `report field ${k}`);
        assert.ok(Number.isFinite(r[k]) && r[k] >= 0, `report field ${k} = ${r[k]}`);
    }
    assert.equal(r.errors, 0);
    if (!mayFail) {
        assert.equal(r.failedAllocations, 0, `${file} can grow: nothing fails`);
    }
    assert.ok(r.seconds >= seconds * 0.9 && r.seconds < seconds + 10, `ran ${r.seconds} s for a budget of ${seconds} s`);
    assert.ok(r.operations > 10_000, `only ${r.operations} operations`);
    assert.equal(r.operations, r.malloc + r.calloc + r.alignedAlloc + r.free + r.realloc + r.foreignGrows + r.foreignGrowsRefused);
    assert.ok(r.peakMemoryBytes >= r.peakLiveBytes && r.peakMemoryBytes >= r.finalMemoryBytes);
    assert.ok(r.memoryGrowCalls > 0, 'the allocator grew memory');
    assert.ok(r.fullChecks >= 1);
    for (const label of ['operations', 'errors', 'peak memory', 'peak live', 'memory.grow calls']) {
        assert.match(s.stdout, new RegExp(`^  ${label.replace('.', '\\.')} `, 'm'), `report line "${label}"`);
    }
}

test('soak: talc.wasm for 3 seconds, checked every 100,000 operations, finds no error', () => {
    const s = soak([wasmPath('talc.wasm'), '--seconds', '3', '--seed', '7', '--check-every', '100000',
        '--foreign-every', '20000', '--json']);
    checkReport(s, 'talc.wasm', 3);
    assert.equal(s.report.seed, 7);
    assert.ok(s.report.foreignGrows > 0, 'memory was grown from outside too');
    console.log(`soak talc.wasm: ${s.report.operations} operations in ${s.report.seconds.toFixed(1)} s, `
        + `peak memory ${s.report.peakMemoryBytes} bytes, ${s.report.memoryGrowCalls} grows`);
});

test('soak: a module that imports its memory (talc_init) for 1 second', { skip: !manifest().some((e) => e.importedMemory) }, () => {
    const file = manifest().find((e) => e.importedMemory).file;
    const s = soak([wasmPath(file), '--seconds', '1', '--seed', '8', '--check-every', '50000', '--json']);
    checkReport(s, file, 1);
});

test('soak: a module capped at 16 MiB runs out of memory, and every failure leaves its blocks intact',
    { skip: !manifest().some((e) => e.file === 'talc-max256.wasm') }, () => {
        // Failing memory.grow calls replace memory.buffer in V8 too: the script must notice.
        const s = soak([wasmPath('talc-max256.wasm'), '--seconds', '1', '--seed', '5', '--check-every', '50000', '--json']);
        checkReport(s, 'talc-max256.wasm', 1, true);
        assert.ok(s.report.failedAllocations > 0, 'the live set outgrew 16 MiB');
        assert.equal(s.report.peakMemoryBytes, 256 * 65536);
    });

test('soak: the same seed and operation count replay the same run', () => {
    const a = soak([wasmPath('talc.wasm'), '--seed', '99', '--ops', '30000', '--seconds', '100', '--json']);
    const b = soak([wasmPath('talc.wasm'), '--seed', '99', '--ops', '30000', '--seconds', '100', '--json']);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.report.operations, 30_000);
    for (const k of ['malloc', 'calloc', 'alignedAlloc', 'free', 'realloc', 'peakLiveBytes', 'peakMemoryBytes', 'memoryGrowCalls']) {
        assert.equal(a.report[k], b.report[k], k);
    }
});

/** A wasm module with the allocator ABI whose every allocation returns address 1024. */
function brokenAllocator() {
    const str = (s) => [s.length, ...Buffer.from(s)];
    const section = (id, body) => [id, body.length, ...body];
    const vec = (items) => [items.length, ...items.flat()];
    const I32 = 0x7F;
    const types = vec([[0x60, 1, I32, 1, I32], [0x60, 1, I32, 0], [0x60, 2, I32, I32, 1, I32]]);
    const funcs = vec([[0], [1], [2], [2], [2]]);
    const memory = vec([[0x00, 1]]);
    const exports = vec([
        [...str('memory'), 2, 0], [...str('malloc'), 0, 0], [...str('free'), 0, 1],
        [...str('realloc'), 0, 2], [...str('calloc'), 0, 3], [...str('aligned_alloc'), 0, 4],
    ]);
    const const1024 = [5, 0, 0x41, 0x80, 0x08, 0x0B]; // size, no locals, i32.const 1024, end
    const nothing = [2, 0, 0x0B];
    const code = vec([const1024, nothing, const1024, const1024, const1024]);
    return Uint8Array.from([
        0x00, 0x61, 0x73, 0x6D, 1, 0, 0, 0,
        ...section(1, types), ...section(3, funcs), ...section(5, memory), ...section(7, exports), ...section(10, code),
    ]);
}

test('soak: a broken allocator is caught, with the seed and operation index that replay it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soak-'));
    try {
        const path = join(dir, 'broken.wasm');
        const bytes = brokenAllocator();
        assert.ok(WebAssembly.validate(bytes), 'the broken module is valid wasm');
        writeFileSync(path, bytes);
        const s = soak([path, '--seconds', '5', '--seed', '3', '--json']);
        assert.equal(s.status, 1, `exit status ${s.status}: ${s.stdout} ${s.stderr}`);
        assert.equal(s.report.errors, 1);
        assert.match(s.stderr, /ERROR at operation (\d+) \(seed 3\)/);
        const op = Number(/ERROR at operation (\d+)/.exec(s.stderr)[1]);
        assert.match(s.stderr, new RegExp(`--seed 3 --ops ${op + 1}`));
        const again = soak([path, '--seed', '3', '--ops', String(op + 1), '--seconds', '100', '--json']);
        assert.equal(again.status, 1);
        assert.match(again.stderr, new RegExp(`ERROR at operation ${op} \\(seed 3\\)`), 'the replay fails at the same operation');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
