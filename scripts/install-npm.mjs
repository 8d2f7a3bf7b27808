// Installs the npm packages of each folder given (wasm-target: binaryen and wabt for the build;
// wasm-tests: Deno and playwright-core; scripts: AssemblyScript) with `npm ci`, from its
// package-lock.json, unless its node_modules already holds exactly what the lock file pins.
// Run by Maven before the module build and by scripts/install-tools; safe to run again.
//
//   node scripts/install-npm.mjs DIR...

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Whether `dir`/node_modules has every package of `dir`/package-lock.json at its locked version. */
function upToDate(dir) {
    const installed = join(dir, 'node_modules', '.package-lock.json');
    if (!existsSync(installed)) {
        return false;
    }
    const want = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages;
    const have = JSON.parse(readFileSync(installed, 'utf8')).packages;
    return Object.entries(want).every(([path, entry]) => path === ''
        || (have[path]?.version === entry.version && existsSync(join(dir, path))));
}

const { positionals: dirs } = parseArgs({ allowPositionals: true });
if (dirs.length === 0) {
    console.error('usage: node scripts/install-npm.mjs DIR...');
    process.exit(2);
}
for (const dir of dirs.map((d) => resolve(d))) {
    if (!upToDate(dir)) {
        console.log(`install-npm: npm ci in ${dir}`);
        execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
            cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32',
        });
    }
}
