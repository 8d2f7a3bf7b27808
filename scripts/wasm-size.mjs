// Size report: each built variant of talc (from wasm-target/target/wasm/modules.json) and each
// module named on the command line (peers), with raw bytes, bytes after `wasm-opt -Oz`, and
// gzip -9 of that. Prints a Markdown table, with the tool versions and the date, ready for
// README_WASM.md.
//
//   node scripts/wasm-size.mjs [--dir wasm-target/target/wasm] [peer.wasm ...]

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync, constants } from 'node:zlib';
import { ADDRESSABLE_PAGES } from '../package/lib/memory-limits.js';
import { readManifest } from './manifest.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const wasmOpt = join(root, 'wasm-target', 'node_modules', '.bin', 'wasm-opt');

function options() {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: { dir: { type: 'string', default: join(root, 'wasm-target', 'target', 'wasm') } },
    });
    return { dir: resolve(values.dir), peers: positionals.map((p) => resolve(p)) };
}

/** Bytes of `file` as is, after `wasm-opt -Oz` (all features allowed), and gzip -9 of that. */
function measure(file, scratch) {
    const raw = readFileSync(file);
    const optimized = join(scratch, basename(file));
    execFileSync(wasmOpt, ['-Oz', '--all-features', file, '-o', optimized]);
    const oz = readFileSync(optimized);
    const gzip = gzipSync(oz, { level: constants.Z_BEST_COMPRESSION });
    return { raw: raw.length, oz: oz.length, gzip: gzip.length };
}

function main() {
    const { dir, peers } = options();
    if (!existsSync(wasmOpt)) {
        throw new Error(`${wasmOpt} is missing: run scripts/install-tools`);
    }
    // Not the tests' capped twins (-max256): their maximum is below the memory the allocator can
    // address, which the growing modules declare.
    const modules = readManifest(dir).modules
        .filter((m) => m.maxPages === null || m.maxPages === ADDRESSABLE_PAGES);
    const scratch = mkdtempSync(join(tmpdir(), 'talc-size-'));
    try {
        const rows = [];
        for (const m of modules) {
            rows.push({ name: m.file, note: m.purpose, ...measure(join(dir, m.file), scratch) });
        }
        for (const peer of peers) {
            rows.push({ name: basename(peer), note: 'peer', ...measure(peer, scratch) });
        }
        const version = execFileSync(wasmOpt, ['--version']).toString().trim();
        const fmt = (n) => n.toLocaleString('en-US');
        console.log(`Sizes in bytes, measured ${new Date().toISOString().slice(0, 10)} with ${version}, gzip -9 (Node zlib):`);
        console.log('');
        console.log('| module | raw | -Oz | -Oz gzip | what it is |');
        console.log('| --- | ---: | ---: | ---: | --- |');
        for (const r of rows) {
            console.log(`| ${r.name} | ${fmt(r.raw)} | ${fmt(r.oz)} | ${fmt(r.gzip)} | ${r.note} |`);
        }
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
}

main();
