// Runs the hash table both ways talc can be its allocator, and shows they agree:
// - linked: target/hashtable-linked.wasm, talc merged in by `talc-wasm link`; JavaScript only
//   gives it the memory it imports, and allocates through the malloc it now exports;
// - shared: target/hashtable.wasm with talc-imported.wasm (the package's createTalc) in the same
//   memory, the C module's allocator imports being talc's functions.
// `run` builds both first.

import { readFile } from 'node:fs/promises';
import { createTalc } from '../../package/index.js';

const target = new URL('target/', import.meta.url);
const WORDS = 'the quick brown fox jumps over the lazy dog and the end';

/** Counts WORDS in the table and runs the C workload: what every build must print alike. */
function use(c, { malloc, free }, memory) {
    const withString = (text, fn) => {
        const bytes = new TextEncoder().encode(text);
        const ptr = malloc(bytes.length) >>> 0;
        new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
        try {
            return fn(ptr, bytes.length);
        } finally {
            free(ptr);
        }
    };
    const table = c.table_new();
    for (const word of WORDS.split(' ')) {
        withString(word, (k, kLen) => withString('.', (d, dLen) => c.table_append(table, k, kLen, d, dLen)));
    }
    const value = withString('the', (k, kLen) => c.table_get(table, k, kLen)) >>> 0;
    const the = new Uint32Array(memory.buffer, value, 1)[0];   // a value block starts with its length
    const distinct = c.table_count(table);
    c.table_free(table);
    const checksum = (c.table_workload(200_000, 5_000, 42) >>> 0).toString(16);
    return `${distinct} distinct words; "the" ${the} times; workload checksum ${checksum}; `
        + `memory ${memory.buffer.byteLength / 1024} KiB`;
}

{
    const bytes = await readFile(new URL('hashtable-linked.wasm', target));
    const memory = new WebAssembly.Memory({ initial: 2 });
    const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
    console.log(`linked (${bytes.length} bytes, imports only its memory): ${use(instance.exports, instance.exports, memory)}`);
}
{
    const bytes = await readFile(new URL('hashtable.wasm', target));
    const memory = new WebAssembly.Memory({ initial: 2 });
    const talc = await createTalc({ memory });
    const { instance } = await WebAssembly.instantiate(bytes, { env: { memory, ...talc.abi } });
    talc.init(instance.exports.__heap_base.value);
    console.log(`shared (${bytes.length} bytes and talc-imported.wasm): ${use(instance.exports, talc.abi, memory)}`);
}
