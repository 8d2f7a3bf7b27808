// The release modules are committed in package/wasm/, so that packing or installing the package
// needs no Java; they must be exactly what this build makes (the build is reproducible: the same
// sources and the tools pinned in wasm-target/package-lock.json give the same bytes). When the
// sources change the modules, `scripts/package-wasm` copies the build into package/wasm/.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT } from '../support/package-fixture.mjs';

const { REFRESH, staleFiles } = await import(`${ROOT}/scripts/package-wasm.mjs`);

test('package/wasm/ holds the modules and manifest of this build, byte for byte', async () => {
    const stale = await staleFiles();
    assert.deepEqual(stale, [], `package/wasm/ is not this build (${stale.join(', ')}): `
        + `run ${REFRESH} to copy the build into it, and commit the result`);
});
