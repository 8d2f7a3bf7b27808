// Runs the app in Node with TeaVM's own runtime (target/wasm/app.wasm-runtime.js, written by TeaVM
// beside the module). The runtime loads the module with fetch, which Node 20 has for URLs only.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

globalThis.fetch = async (path) => new Response(readFileSync(path), { headers: { 'Content-Type': 'application/wasm' } });
vm.runInThisContext(readFileSync('target/wasm/app.wasm-runtime.js', 'utf8'));
const teavm = await TeaVM.wasm.load('target/wasm/app.wasm');
await teavm.main([]);
