// Builds AssemblyScript's TLSF (tlsf.ts) into a module for the suite, with the AssemblyScript
// compiler from npm (scripts/package.json; `npm ci --prefix scripts` installs it). The flags
// are those of the copy in ../shared/peers: -O3, the minimal runtime, no assertions.

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./tlsf.ts', import.meta.url));

/**
 * The path of as-tlsf-O3.wasm in `outDir`, built when missing or older than its source; null
 * when the AssemblyScript compiler is not installed.
 */
export async function buildTlsf(outDir) {
    let asc;
    try {
        asc = (await import('assemblyscript/asc')).default;
    } catch {
        return null;
    }
    const out = join(outDir, 'as-tlsf-O3.wasm');
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(SOURCE).mtimeMs) {
        return out;
    }
    mkdirSync(outDir, { recursive: true });
    const { error, stderr } = await asc.main([SOURCE, '--runtime', 'minimal', '-O3', '--noAssert', '--outFile', out]);
    if (error) {
        throw new Error(`building AssemblyScript's TLSF failed: ${error.message}\n${stderr.toString()}`);
    }
    // TLSF hands out 16-byte aligned blocks (modules.mjs reads this).
    writeFileSync(`${out}.json`, `${JSON.stringify({ minAlign: 16 })}\n`);
    return out;
}
