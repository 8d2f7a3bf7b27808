// The talc-wasm package as a user gets it: `npm pack` of package/ (filled from this build by
// scripts/package-wasm.mjs) ships the loader, its types and the module variants but not the
// tests' -max256 twins; the tarball installs into a scratch project (offline: the package has
// no dependencies), where the runtime checks (../support/runtime-checks.mjs) pass in Node and
// in Deno, and Deno type-checks and runs a TypeScript file against the declarations.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
    SUPPORT_DIR, missing, packPackage, runDeno, scratchDir, stagedPackage,
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

test('npm pack ships the loader, its types, the variants and their manifest, and no test module', () => {
    const wasm = manifest.map((e) => `wasm/${e.file}`);
    assert.deepEqual(files, [
        'README.md', 'index.d.ts', 'index.js',
        'lib/counters.js', 'lib/layout.js', 'lib/memory-limits.js', 'lib/misuse.js', 'lib/source.js', 'lib/talc.js',
        'package.json', 'wasm/modules.json', ...wasm,
    ].sort());
    assert.deepEqual(manifest.map((e) => e.variant).sort(), [...VARIANTS].sort());
    assert.ok(!files.some((f) => f.includes('max256')), `a test module is packed: ${files.join(', ')}`);
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    assert.match(readme, /^# /, 'the package README is the guide');
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
