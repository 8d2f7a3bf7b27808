#!/usr/bin/env node
// A short tour of talc.wasm from Node.js:
//
//   node scripts/demo.mjs [path/to/talc.wasm]
//
// The default module is wasm-target/target/wasm/talc.wasm (relative to the repository root).
// Exits with status 1 if anything does not behave as documented.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Rng } from './rng.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const file = resolve(process.argv[2] ?? resolve(root, 'wasm-target/target/wasm/talc.wasm'));

function check(ok, what) {
    if (!ok) {
        console.error(`FAILED: ${what}`);
        process.exit(1);
    }
}

let bytes;
try {
    bytes = readFileSync(file);
} catch (e) {
    console.error(`cannot read ${file}: ${e.message}`);
    console.error('build it first: mvn -q -pl allocator-core,wasm-target -am package -DskipTests');
    process.exit(1);
}

// The module imports nothing: its only link to the outside is its exported memory.
const { exports: talc } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
const memory = talc.memory;
const mem = () => new Uint8Array(memory.buffer); // re-read after every call: growth detaches the buffer
const malloc = (n) => talc.malloc(n) >>> 0;
const hex = (p) => '0x' + p.toString(16);
const enc = new TextEncoder();
const dec = new TextDecoder();

console.log(`talc.wasm: ${file} (${bytes.length} bytes), memory ${memory.buffer.byteLength / 65536} page(s)`);

// A few blocks, each 16-aligned, with one 4-byte header word of overhead.
const blocks = [malloc(1), malloc(100), malloc(5000)];
check(blocks.every((p) => p !== 0 && p % 16 === 0), 'malloc returns 16-aligned non-zero pointers');
console.log(`malloc(1), malloc(100), malloc(5000) -> ${blocks.map(hex).join(', ')}; `
    + `usable sizes ${blocks.map((p) => talc.malloc_usable_size(p)).join(', ')}`);

// A string written into a block, read back, then kept by realloc.
const text = 'Hello from Java, compiled to WebAssembly by TeaVM!';
const data = enc.encode(text);
let s = malloc(data.length);
mem().set(data, s);
check(dec.decode(mem().subarray(s, s + data.length)) === text, 'string read back');
const old = s;
s = talc.realloc(s, 100000) >>> 0;
check(s !== 0 && dec.decode(mem().subarray(s, s + data.length)) === text, 'realloc keeps the contents');
console.log(`string at ${hex(old)}: "${text}"; realloc to 100000 bytes -> ${hex(s)}, `
    + `still "${dec.decode(mem().subarray(s, s + 16))}..."`);

// calloc: zeroed memory, even where a freed block left garbage.
mem().fill(0xEE, blocks[2], blocks[2] + 5000);
talc.free(blocks[2]);
const z = talc.calloc(1000, 4) >>> 0;
check(z !== 0 && mem().subarray(z, z + 4000).every((b) => b === 0), 'calloc returns zeroed memory');
check(talc.calloc(0x10000, 0x10001) === 0, 'calloc overflow returns 0');
console.log(`calloc(1000, 4) -> ${hex(z)}, all 4000 bytes zero; calloc(0x10000, 0x10001) overflows -> 0`);

// aligned_alloc
const a = talc.aligned_alloc(4096, 10000) >>> 0;
check(a !== 0 && a % 4096 === 0, 'aligned_alloc(4096, ...) is 4096-aligned');
check(talc.aligned_alloc(24, 16) === 0, 'aligned_alloc with a non-power-of-two alignment returns 0');
console.log(`aligned_alloc(4096, 10000) -> ${hex(a)} (usable ${talc.malloc_usable_size(a)}); `
    + 'aligned_alloc(24, 16) -> 0');

for (const p of [blocks[0], blocks[1], s, z, a]) {
    talc.free(p);
}
check(malloc(0x7FFF0001) === 0, 'an impossible request returns 0');
console.log('freed everything; malloc(0x7FFF0001) -> 0');

// A burst of random malloc/free traffic (mostly small blocks).
const rng = new Rng(0x9E3779B9);
const rand = () => rng.u32();
const live = [];
const OPS = 100_000;
const start = performance.now();
for (let i = 0; i < OPS; i++) {
    if (live.length > 0 && (live.length >= 1000 || rand() % 2 === 0)) {
        const j = rand() % live.length;
        talc.free(live[j]);
        live[j] = live[live.length - 1];
        live.pop();
    } else {
        const r = rand();
        const p = talc.malloc(r % 8 === 0 ? r % 65536 : r % 256) >>> 0;
        check(p !== 0 && p % 16 === 0, `malloc in the burst (op ${i})`);
        live.push(p);
    }
}
const ms = performance.now() - start;
for (const p of live) {
    talc.free(p);
}
console.log(`${OPS.toLocaleString('en-US')} random malloc/free: ${Math.round(OPS / ms * 1000).toLocaleString('en-US')} ops/s, `
    + `memory ${memory.buffer.byteLength / 65536} pages (${(memory.buffer.byteLength / 1048576).toFixed(1)} MiB)`);
console.log('OK');
