// Makes the talc-wasm npm package from package/ and the build's output: copies the module
// variants that ship (every module in modules.json but the tests' -max256 twins) into wasm/
// with a manifest listing just those, and README_WASM.md as the package's README.md. The
// package's loader names its variants in VARIANTS (package/index.js); a build whose variants
// differ stops here, before a package that cannot load one of them is made.
//
//   scripts/package-wasm             fill package/wasm/ and package/README.md in place
//   scripts/package-wasm --pack DIR  then `npm pack` into DIR and print the tarball's path
//
// The tests call stagePackage() to make a copy of the package in a scratch folder instead, so
// they never write into the work tree. The build's folder is $TALC_WASM_DIR, else
// wasm-target/target/wasm.

import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MANIFEST_FILE, readManifest } from './manifest.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_DIR = join(ROOT, 'package');
const GUIDE = join(ROOT, 'README_WASM.md');
const DEFAULT_WASM_DIR = process.env.TALC_WASM_DIR
    ? resolve(process.env.TALC_WASM_DIR)
    : join(ROOT, 'wasm-target', 'target', 'wasm');
/** Made by this script, not kept in git. */
const GENERATED = new Set(['wasm', 'README.md', 'node_modules']);

/** The manifest of the modules that ship: all but the capped twins (<name>-max256.wasm), and the layout. */
function shippedManifest(wasmDir) {
    const { layout, modules } = readManifest(wasmDir);
    const twins = new Set(modules.map((e) => e.file.replace(/\.wasm$/, '-max256.wasm')));
    return { layout, modules: modules.filter((e) => !twins.has(e.file)) };
}

/**
 * Writes wasm/ and README.md into the package folder `dir` (package/ itself, or a copy made by
 * stagePackage); returns the shipped manifest entries.
 */
export async function fillPackage(dir = PACKAGE_DIR, wasmDir = DEFAULT_WASM_DIR) {
    const manifest = shippedManifest(wasmDir);
    const shipped = manifest.modules;
    const { VARIANTS } = await import(pathToFileURL(join(dir, 'index.js')).href);
    const built = shipped.map((e) => e.variant).sort();
    const named = [...VARIANTS].sort();
    if (built.join() !== named.join()) {
        throw new Error(`the build's variants (${built.join(', ')}) are not the loader's VARIANTS `
            + `(${named.join(', ')}): update VARIANTS in package/index.js and its types in index.d.ts`);
    }
    const out = join(dir, 'wasm');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    for (const e of shipped) {
        copyFileSync(join(wasmDir, e.file), join(out, e.file));
    }
    writeFileSync(join(out, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    copyFileSync(GUIDE, join(dir, 'README.md'));
    return shipped;
}

/** A complete copy of the package in `dir` (created), filled from `wasmDir`. */
export async function stagePackage(dir, wasmDir = DEFAULT_WASM_DIR) {
    cpSync(PACKAGE_DIR, dir, {
        recursive: true,
        filter: (src) => src === PACKAGE_DIR || !GENERATED.has(basename(src)) || dirname(src) !== PACKAGE_DIR,
    });
    await fillPackage(dir, wasmDir);
    return dir;
}

/** Runs `npm pack` on the package folder `dir` into `dest`; returns {tarball, files}. */
export function packPackage(dir, dest) {
    mkdirSync(dest, { recursive: true });
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], {
        cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(out);
    return { tarball: join(dest, info.filename), files: info.files.map((f) => f.path).sort() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
    const args = process.argv.slice(2);
    const packAt = args.indexOf('--pack');
    if (args.length !== 0 && !(packAt === 0 && args.length === 2)) {
        console.error('usage: scripts/package-wasm [--pack DIR]');
        process.exit(2);
    }
    const shipped = await fillPackage();
    console.log(`package-wasm: ${shipped.map((e) => e.file).join(', ')} and modules.json in ${join(PACKAGE_DIR, 'wasm')}`);
    if (packAt === 0) {
        console.log(packPackage(PACKAGE_DIR, resolve(args[1])).tarball);
    }
}
