// The hash table's C workload (table_workload in hashtable.c) with three allocators, side by
// side in Node, as a C developer would choose between them:
// - talc linked in: target/hashtable-linked.wasm (`talc-wasm link`), one module;
// - talc over a shared memory: target/hashtable-shared.wasm (hashtable.wasm through wasm-opt, as
//   the other two are) with talc-imported.wasm (createTalc), one call across modules per allocation;
// - emscripten's dlmalloc compiled in: target/hashtable-emcc.wasm (emcc -sMALLOC=dlmalloc).
// Each round runs the workload once per module, each on a fresh instance, the modules taking
// turns (round r starts with module r); the time is the one call of table_workload, all in wasm.
// Peak memory is the memory's size after the run (wasm memory never shrinks). Every module must
// return the same checksum of the table. `bench` builds the modules first.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createTalc } from '../../package/index.js';

const USAGE = `usage: examples/c-hashtable/bench [--rounds N] [--ops N] [--keys N]

  --rounds N   rounds, each running every module once (default 15)
  --ops N      operations of the workload: appends of 1 to 64 bytes, every eighth a removal (default 1000000)
  --keys N     distinct keys (default 20000)`;

const { values } = parseArgs({
    options: {
        rounds: { type: 'string', default: '15' },
        ops: { type: 'string', default: '1000000' },
        keys: { type: 'string', default: '20000' },
        help: { type: 'boolean', short: 'h' },
    },
});
if (values.help) {
    console.log(USAGE);
    process.exit(0);
}
const [rounds, ops, keys] = [values.rounds, values.ops, values.keys].map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) {
        console.error(`bench: ${v} is not a positive integer\n${USAGE}`);
        process.exit(2);
    }
    return n;
});
const SEED = 42;
const target = new URL('target/', import.meta.url);
const bytesOf = (file) => readFile(new URL(file, target));

/** Each module: its name, its size and how to make a fresh instance, {c, memory}. */
const modules = [
    {
        name: 'talc linked in',
        files: ['hashtable-linked.wasm'],
        module: await WebAssembly.compile(await bytesOf('hashtable-linked.wasm')),
        async instance() {
            const memory = new WebAssembly.Memory({ initial: 2 });
            const instance = await WebAssembly.instantiate(this.module, { env: { memory } });
            return { c: instance.exports, memory };
        },
    },
    {
        name: 'talc over a shared memory',
        files: ['hashtable-shared.wasm', '../../../package/wasm/talc-imported.wasm'],
        module: await WebAssembly.compile(await bytesOf('hashtable-shared.wasm')),
        async instance() {
            const memory = new WebAssembly.Memory({ initial: 2 });
            const talc = await createTalc({ memory });
            const instance = await WebAssembly.instantiate(this.module, { env: { memory, ...talc.abi } });
            talc.init(instance.exports.__heap_base.value);
            return { c: instance.exports, memory };
        },
    },
    {
        name: "emscripten's dlmalloc compiled in",
        files: ['hashtable-emcc.wasm'],
        module: await WebAssembly.compile(await bytesOf('hashtable-emcc.wasm')),
        async instance() {
            // A standalone emscripten module: it tells the host about growth, and starts in _initialize.
            const instance = await WebAssembly.instantiate(this.module, { env: { emscripten_notify_memory_growth() {} } });
            instance.exports._initialize();
            return { c: instance.exports, memory: instance.exports.memory };
        },
    },
];
for (const m of modules) {
    m.bytes = (await Promise.all(m.files.map(bytesOf))).reduce((sum, b) => sum + b.length, 0);
    m.times = [];
}

const started = performance.now();
let checksum;
for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < modules.length; i++) {
        const m = modules[(round + i) % modules.length];
        const { c, memory } = await m.instance();
        const t0 = performance.now();
        const sum = c.table_workload(ops, keys, SEED) >>> 0;
        m.times.push(performance.now() - t0);
        if (sum === 0) {
            throw new Error(`${m.name}: the workload ran out of memory`);
        }
        checksum ??= sum;
        if (sum !== checksum) {
            throw new Error(`${m.name}: checksum ${sum.toString(16)}, the others ${checksum.toString(16)}`);
        }
        m.peak = memory.buffer.byteLength;
    }
}

const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const reference = modules[2];
const fmt = (x, digits = 1) => x.toFixed(digits);
console.log(`${ops.toLocaleString('en-US')} operations on ${keys.toLocaleString('en-US')} keys, ${rounds} rounds,`
    + ` Node ${process.version}; checksum ${checksum.toString(16)} from every module\n`);
console.log('| C program with | bytes | time, ms: median (min-max) | speed vs dlmalloc | peak memory, MiB |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const m of modules) {
    const t = median(m.times);
    console.log(`| ${m.name} | ${m.bytes.toLocaleString('en-US')} | ${fmt(t)} (${fmt(Math.min(...m.times))}-${fmt(Math.max(...m.times))})`
        + ` | ${fmt(median(reference.times) / t, 2)}x | ${fmt(m.peak / 2 ** 20, 2)} |`);
}
console.log(`\n(took ${fmt((performance.now() - started) / 1000)} s)`);
