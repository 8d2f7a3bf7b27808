// The talc-wasm package as a user gets it: `npm pack` of package/ (filled from this build by
// scripts/package-wasm.mjs) ships the licence, the guide, the loader, its types, talc.h, the
// talc-wasm command and the modules but not the tests' -max256 twins; the tarball installs into
// a scratch project (offline: the package has no dependencies, binaryen being an optional peer
// for the command), where the runtime checks (../support/runtime-checks.mjs) pass in Node and in
// Deno, and Deno type-checks and runs a TypeScript file against the declarations.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
    BINARYEN, GUIDE, SUPPORT_DIR, hashtableWasm, missing, packPackage, runDeno, scratchDir, stagedPackage,
} from '../support/package-fixture.mjs';
import { readManifest } from '../../scripts/manifest.mjs';

const packageDir = await stagedPackage();
const { tarball, files } = packPackage(packageDir, scratchDir('tarball'));
const manifest = readManifest(join(packageDir, 'wasm')).modules;
const { VARIANTS } = await import(join(packageDir, 'index.js'));

/** Lines of a counters table (countersTable()): a header, a rule and nine rows. */
const COUNTERS_TABLE_LINES = 11;

const project = scratchDir('project');
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project, stdio: 'pipe' });
for (const file of ['run-checks.mjs', 'runtime-checks.mjs', 'typed-usage.ts']) {
    copyFileSync(join(SUPPORT_DIR, file), join(project, file));
}

/** Asserts that every runtime check printed by run-checks.mjs passed, one subtest each. */
async function expectChecksPass(t, result, runtime) {
    assert.equal(result.status, 0, `run-checks.mjs in ${runtime} failed:\n${result.stderr}`);
    const results = JSON.parse(result.stdout);
    assert.ok(results.length >= 8, `only ${results.length} checks ran`);
    for (const r of results) {
        await t.test(r.name, () => assert.ok(r.ok, r.detail));
    }
}

test('npm pack ships the licence, the guide, the loader and its types, talc.h, the command, the modules and their manifest, and no test module', () => {
    const wasm = manifest.map((e) => `wasm/${e.file}`);
    assert.deepEqual(files, [
        'LICENSE', 'README.md', 'bin/talc-wasm.js', 'index.d.ts', 'index.js',
        'lib/counters.js', 'lib/layout.js', 'lib/link.js', 'lib/memory-limits.js', 'lib/misuse.js', 'lib/source.js', 'lib/talc.js',
        'lib/wasm-binary.js', 'package.json', 'talc.h', 'wasm/modules.json', ...wasm,
    ].sort());
    assert.deepEqual(manifest.filter((e) => !e.forLinking).map((e) => e.variant).sort(), [...VARIANTS].sort());
    assert.ok(manifest.some((e) => e.file === 'talc-linked.wasm' && e.forLinking), 'the module for talc-wasm link');
    assert.ok(!files.some((f) => f.includes('max256')), `a test module is packed: ${files.join(', ')}`);
    assert.equal(readFileSync(join(packageDir, 'README.md'), 'utf8'), readFileSync(GUIDE, 'utf8'), 'the README is the guide');
    assert.match(readFileSync(join(packageDir, 'LICENSE'), 'utf8'), /^MIT License/);
    const json = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    assert.equal(json.license, 'MIT');
    assert.equal(json.bin['talc-wasm'], 'bin/talc-wasm.js');
});

test('the installed tarball passes the runtime checks in Node', async (t) => {
    const result = spawnSync(process.execPath, ['run-checks.mjs'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    await expectChecksPass(t, result, 'Node');
});

test('the installed tarball passes the runtime checks in Deno', { skip: missing('deno') }, async (t) => {
    await expectChecksPass(t, runDeno(['run', '--allow-read', 'run-checks.mjs'], project), 'Deno');
});

test('Deno type-checks a TypeScript user of the declarations, then runs it', { skip: missing('deno') }, () => {
    const check = runDeno(['check', 'typed-usage.ts'], project);
    assert.equal(check.status, 0, `deno check failed:\n${check.stdout}${check.stderr}`);
    const run = runDeno(['run', '--allow-read', 'typed-usage.ts'], project);
    assert.equal(run.status, 0, `typed-usage.ts failed:\n${run.stderr}`);
    assert.deepEqual(JSON.parse(run.stdout), {
        first: 0.5, floats: 32, live: 1, region: { start: 1024, limit: 524288 }, raw: true,
        variants: VARIANTS.length, stringSizeRejected: true,
        tableLines: COUNTERS_TABLE_LINES, sameTable: true,
    });
});

test('the installed talc-wasm command links talc into the C example: one module that imports only its memory',
    { skip: missing('clang') || missing('wasm-ld') }, async () => {
        copyFileSync(hashtableWasm(), join(project, 'app.wasm'));
        const command = join(project, 'node_modules', '.bin', 'talc-wasm');
        const run = spawnSync(command, ['link', 'app.wasm', '-o', 'app.wasm', '--binaryen', BINARYEN],
            { cwd: project, encoding: 'utf8', timeout: 120_000 });
        assert.equal(run.status, 0, `talc-wasm link failed:\n${run.stderr}`);
        assert.match(run.stdout, /app\.wasm: [\d,]+ bytes, talc linked in/);
        const module = new WebAssembly.Module(readFileSync(join(project, 'app.wasm')));
        assert.deepEqual(WebAssembly.Module.imports(module), [{ module: 'env', name: 'memory', kind: 'memory' }]);
        const memory = new WebAssembly.Memory({ initial: 2 });
        const c = new WebAssembly.Instance(module, { env: { memory } }).exports;
        assert.notEqual(c.table_workload(10_000, 500, 1), 0);
        const usage = spawnSync(command, ['link', 'app.wasm'], { cwd: project, encoding: 'utf8' });
        assert.equal(usage.status, 2);
        assert.match(usage.stderr, /^talc-wasm: usage: talc-wasm link APP\.wasm -o OUT\.wasm/);
    });
