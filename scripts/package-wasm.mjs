// The talc-wasm npm package (package/) and the build's output. The package ships the release
// modules, committed in package/wasm/ so that packing or installing it needs no Java: every
// module in the build's modules.json but the tests' -max256 twins, with a manifest listing just
// those. Its README.md and LICENSE are copies of README_WASM.md and LICENSE, made when it is
// packed (npm's prepack runs this script with --docs). The package's loader names its variants
// in VARIANTS (package/index.js); a build whose variants differ stops here, before a package
// that cannot load one of them is made.
//
//   scripts/package-wasm             refresh package/wasm/ from the build (then commit it)
//   scripts/package-wasm --check     exit 1, naming the files, when package/wasm/ is not the build
//   scripts/package-wasm --pack DIR  refresh, then `npm pack` into DIR and print the tarball's path
//   scripts/package-wasm --docs      only copy the README and LICENSE into package/
//
// The tests call stagePackage() to make a copy of the package from the build in a scratch
// folder instead, so they never write into the work tree. The build's folder is
// $TALC_WASM_DIR, else wasm-target/target/wasm.

import { execFileSync } from 'node:child_process';
import {
    copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE, readManifest } from './manifest.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_DIR = join(ROOT, 'package');
/** The package's files that are copies of the repository's: package name -> repository file. */
const DOCS = { 'README.md': join(ROOT, 'README_WASM.md'), LICENSE: join(ROOT, 'LICENSE') };
const DEFAULT_WASM_DIR = process.env.TALC_WASM_DIR
    ? resolve(process.env.TALC_WASM_DIR)
    : join(ROOT, 'wasm-target', 'target', 'wasm');
/** What a staged copy takes from the build instead of from package/. */
const FROM_BUILD = new Set(['wasm', 'node_modules', ...Object.keys(DOCS)]);
/** The one command that makes package/wasm/ the build's, for messages. */
export const REFRESH = 'scripts/package-wasm';

/** The manifest of the modules that ship: all but the capped twins (<name>-max256.wasm), and the layout. */
function shippedManifest(wasmDir) {
    const { layout, modules } = readManifest(wasmDir);
    const twins = new Set(modules.map((e) => e.file.replace(/\.wasm$/, '-max256.wasm')));
    return { layout, modules: modules.filter((e) => !twins.has(e.file)) };
}

/**
 * The contents of the package's wasm/ folder made from the build: file name -> bytes (the
 * shipped modules and their manifest). Throws when the build's loadable variants are not the
 * loader's VARIANTS (the module for `talc-wasm link` is no variant of createTalc).
 */
export async function wasmFolder(wasmDir = DEFAULT_WASM_DIR, packageDir = PACKAGE_DIR) {
    const manifest = shippedManifest(wasmDir);
    const shipped = manifest.modules;
    const { VARIANTS } = await import(pathToFileURL(join(packageDir, 'index.js')).href);
    const built = shipped.filter((e) => !e.forLinking).map((e) => e.variant).sort();
    const named = [...VARIANTS].sort();
    if (built.join() !== named.join()) {
        throw new Error(`the build's variants (${built.join(', ')}) are not the loader's VARIANTS `
            + `(${named.join(', ')}): update VARIANTS in package/index.js and its types in index.d.ts`);
    }
    const files = new Map(shipped.map((e) => [e.file, readFileSync(join(wasmDir, e.file))]));
    files.set(MANIFEST_FILE, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    return files;
}

/** The files of `dir`/wasm that differ from the build, are missing, or are not the build's. */
export async function staleFiles(wasmDir = DEFAULT_WASM_DIR, dir = PACKAGE_DIR) {
    const want = await wasmFolder(wasmDir, dir);
    const folder = join(dir, 'wasm');
    const have = existsSync(folder) ? readdirSync(folder) : [];
    const stale = [...want].filter(([file, bytes]) => !have.includes(file)
        || !bytes.equals(readFileSync(join(folder, file)))).map(([file]) => file);
    return [...stale, ...have.filter((file) => !want.has(file))].sort();
}

/** Copies README_WASM.md and LICENSE into the package folder `dir` as README.md and LICENSE. */
export function copyDocs(dir = PACKAGE_DIR) {
    for (const [name, source] of Object.entries(DOCS)) {
        copyFileSync(source, join(dir, name));
    }
}

/** Makes `dir`/wasm the build's and copies the docs in; returns the names of the wasm files. */
export async function fillPackage(dir = PACKAGE_DIR, wasmDir = DEFAULT_WASM_DIR) {
    const files = await wasmFolder(wasmDir, dir);
    const out = join(dir, 'wasm');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    for (const [file, bytes] of files) {
        writeFileSync(join(out, file), bytes);
    }
    copyDocs(dir);
    return [...files.keys()];
}

/** A complete copy of the package in `dir` (created), filled from `wasmDir`. */
export async function stagePackage(dir, wasmDir = DEFAULT_WASM_DIR) {
    cpSync(PACKAGE_DIR, dir, {
        recursive: true,
        filter: (src) => dirname(src) !== PACKAGE_DIR || !FROM_BUILD.has(basename(src)),
    });
    await fillPackage(dir, wasmDir);
    return dir;
}

/**
 * Runs `npm pack` on the filled package folder `dir` into `dest` (without its prepack, which a
 * copy outside the repository cannot run); returns {tarball, files}.
 */
export function packPackage(dir, dest) {
    mkdirSync(dest, { recursive: true });
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {
        cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(out);
    return { tarball: join(dest, info.filename), files: info.files.map((f) => f.path).sort() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
    let options;
    try {
        ({ values: options } = parseArgs({
            options: { check: { type: 'boolean' }, docs: { type: 'boolean' }, pack: { type: 'string' } },
        }));
    } catch (e) {
        console.error(`${e.message}\nusage: scripts/package-wasm [--check | --docs | --pack DIR]`);
        process.exit(2);
    }
    if (options.docs) {
        copyDocs();
    } else if (options.check) {
        const stale = await staleFiles();
        if (stale.length > 0) {
            console.error(`package-wasm: package/wasm/ is not the build (${stale.join(', ')}): run ${REFRESH} and commit`);
            process.exit(1);
        }
        console.log('package-wasm: package/wasm/ is the build, byte for byte');
    } else {
        const files = await fillPackage();
        console.log(`package-wasm: ${files.join(', ')} in ${join(PACKAGE_DIR, 'wasm')}`);
        if (options.pack !== undefined) {
            console.log(packPackage(PACKAGE_DIR, resolve(options.pack)).tarball);
        }
    }
}
