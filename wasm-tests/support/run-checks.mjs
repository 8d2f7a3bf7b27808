// Runs runtime-checks.mjs in Node or Deno from a project that has talc-wasm installed (both
// files are copied into it) and prints the results as JSON.

import * as pkg from 'talc-wasm';
import { runChecks } from './runtime-checks.mjs';

const wasmUrl = new URL(import.meta.resolve('talc-wasm/wasm/talc.wasm'));
const readBytes = async (url) => {
    if (globalThis.Deno) {
        return Deno.readFile(url);
    }
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
};
console.log(JSON.stringify(await runChecks(pkg, { wasmUrl, readBytes })));
