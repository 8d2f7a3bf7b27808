// The checked build under attack (allocator-core's CorruptionTest, against talc-checked.wasm):
// every short write across a boundary between two blocks, in every layout and byte pattern,
// then every call on either block or a malloc, then a model run; see
// support/corruption-cases.mjs. It runs in a worker, so that a call that never returns fails
// the test (naming the case) instead of hanging it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { feature, manifest } from './talc.mjs';

/** Calls of each model run on a damaged heap (the JVM's test makes 40). */
const MODEL_OPS = 24;
/** Far more than the run takes (about a minute on a slow shared machine). */
const TIMEOUT_MS = 10 * 60 * 1000;

const file = manifest().find((e) => feature(e, 'checked') && e.file === 'talc-checked.wasm')?.file;

test(`${file}: every short write across a block boundary is reported or harmless, nothing traps or hangs`, async () => {
    const worker = new Worker(new URL('../support/corruption-cases.mjs', import.meta.url), {
        workerData: { file, modelOps: MODEL_OPS },
    });
    let last = '(no case started)';
    const result = await new Promise((resolve) => {
        const timer = setTimeout(() => {
            worker.terminate();
            resolve({ error: `${last}: did not return within ${TIMEOUT_MS / 1000} s` });
        }, TIMEOUT_MS);
        worker.on('message', (m) => {
            if (m.progress) {
                last = m.progress;
            } else {
                clearTimeout(timer);
                resolve(m);
            }
        });
        worker.on('error', (e) => {
            clearTimeout(timer);
            resolve({ error: `${last}: ${e.stack}` });
        });
    });
    await worker.terminate();
    assert.equal(result.error, undefined);
    const { cases, reported, clean, calls, reports } = result.stats;
    console.log(`corruption (${file}): ${cases} cases, ${reported} reported, ${clean} passed clean; `
        + `model runs: ${calls} calls, ${reports} reported`);
    assert.ok(cases > 16000 && reported > clean);
});
