// The talc-wasm package as the tests use it: a copy of package/ filled from the build by
// scripts/package-wasm.mjs in a scratch folder (the tests never write into package/), scratch
// projects that depend on it, the tools the tests drive (Deno, Chromium, clang, binaryen), and
// the C program built with clang, and with talc linked in. Kept outside test/, where
// `node --test` would run it as a test file.

import { execFileSync, spawnSync } from 'node:child_process';
import {
    existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');
export const SUPPORT_DIR = HERE;
export const GUIDE = join(ROOT, 'README_WASM.md');
const { stagePackage, packPackage } = await import(join(ROOT, 'scripts', 'package-wasm.mjs'));
export { packPackage };

/** A scratch folder, removed when the test process exits. */
export function scratchDir(prefix) {
    const dir = mkdtempSync(join(tmpdir(), `talc-${prefix}-`));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
}

let staged;

/** The path of a complete package folder made from the current build (made once per process). */
export async function stagedPackage() {
    staged ??= stagePackage(join(scratchDir('package'), 'talc-wasm'));
    return staged;
}

/**
 * A scratch project (an ES module package.json) whose node_modules/talc-wasm is the staged
 * package, linked; package.test.mjs installs the packed tarball instead.
 */
export async function linkedProject(prefix) {
    const dir = scratchDir(prefix);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: prefix, private: true, type: 'module' }));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(await stagedPackage(), join(dir, 'node_modules', 'talc-wasm'), 'dir');
    return dir;
}

/** Deno from wasm-tests/package.json (npm ci --prefix wasm-tests, done by scripts/install-tools). */
export const DENO = join(ROOT, 'wasm-tests', 'node_modules', '.bin', 'deno');
export const CHROMIUM = '/usr/bin/chromium';

/** False when `tool` is there, else why the tests that need it skip (for node:test's `skip`). */
export function missing(tool) {
    const where = { deno: DENO, chromium: CHROMIUM }[tool];
    if (where ? existsSync(where) : onPath(tool)) {
        return false;
    }
    return `${tool} is not installed (scripts/install-tools installs it)`;
}

function onPath(command) {
    return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Runs Deno with a scratch cache, never asking for updates; returns spawnSync's result. */
export function runDeno(args, cwd) {
    return spawnSync(DENO, args, {
        cwd,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, DENO_DIR: join(cwd, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
}

const C_DEMO = join(ROOT, 'examples', 'c-hashtable');
export const C_WASM = join(C_DEMO, 'target', 'hashtable.wasm');

/** The C program's module, built with clang by examples/c-hashtable/build when missing or stale. */
export function hashtableWasm() {
    const source = join(C_DEMO, 'hashtable.c');
    if (!existsSync(C_WASM) || statSync(C_WASM).mtimeMs < statSync(source).mtimeMs) {
        execFileSync(join(C_DEMO, 'build'), { stdio: ['ignore', 'inherit', 'inherit'] });
    }
    return C_WASM;
}

/** binaryen's npm package, which the build installs (wasm-target/package-lock.json): for `talc-wasm link`. */
export const BINARYEN = join(ROOT, 'wasm-target', 'node_modules', 'binaryen');

let linked;

/** The C program with talc linked in by the staged package's `talc-wasm link` (made once per process). */
export async function linkedHashtable() {
    linked ??= (async () => {
        const { link } = await import(pathToFileURL(join(await stagedPackage(), 'lib', 'link.js')).href);
        return link(readFileSync(hashtableWasm()), { binaryen: BINARYEN, what: 'hashtable.wasm' });
    })();
    return linked;
}
