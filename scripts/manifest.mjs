// The build's manifest, modules.json beside the modules (written by wasm-target's BuildWasm):
//
//   {"layout": {...}, "modules": [{file, variant, purpose, bytes, grows, importedMemory,
//    maxPages, features, extraExports, stateAddress, initialPages}, ...]}
//
// where `layout` is what JavaScript reads from a module's memory (package/lib/layout.js says
// what it holds). The one reader of the file for the scripts and the tests.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layoutOf } from '../package/lib/layout.js';

export const MANIFEST_FILE = 'modules.json';

/**
 * {layout, modules} of the modules.json in `dir`; throws when there is none, naming the build
 * command, or when it is not a manifest.
 */
export function readManifest(dir) {
    const path = join(dir, MANIFEST_FILE);
    if (!existsSync(path)) {
        throw new Error(`${path} does not exist: build the modules with `
            + `'mvn -q -pl allocator-core,wasm-target -am package -DskipTests' in the repository root`);
    }
    const json = JSON.parse(readFileSync(path, 'utf8'));
    if (!Array.isArray(json.modules) || json.modules.length === 0) {
        throw new Error(`${path}: no modules listed (rebuild the modules)`);
    }
    return { layout: layoutOf(json), modules: json.modules };
}
