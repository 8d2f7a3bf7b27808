// The talc-wasm package in a real browser: Debian's Chromium, headless, driven by playwright-core
// with a fresh profile, loads pages from a static server on 127.0.0.1 where the package sits at
// /node_modules/talc-wasm/ (fetched relative to its import.meta.url, as a page without a bundler
// would). One page runs the runtime checks (../support/runtime-checks.mjs); the ```html sample
// of README_WASM.md runs as its own page and must print the output the guide shows.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CHROMIUM, SUPPORT_DIR, missing, scratchDir, stagedPackage } from '../support/package-fixture.mjs';
import { samplesFor } from '../support/readme-samples.mjs';
import { serve } from '../support/static-server.mjs';

const skip = missing('chromium')
    || (await import('playwright-core').then(() => false, () => 'playwright-core is not installed (npm ci --prefix wasm-tests)'));

const CHECKS_PAGE = `<!doctype html>
<script type="importmap">{"imports": {"talc-wasm": "/node_modules/talc-wasm/index.js", "talc-wasm/": "/node_modules/talc-wasm/"}}</script>
<script type="module">
import * as pkg from 'talc-wasm';
import { runChecks } from '/support/runtime-checks.mjs';

const wasmUrl = new URL(import.meta.resolve('talc-wasm/wasm/talc.wasm'));
const readBytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
window.results = await runChecks(pkg, { wasmUrl, readBytes });
</script>`;

const htmlSamples = samplesFor('browser');
let server;
let context;

before(async () => {
    if (skip) {
        return;
    }
    const pages = { '/checks.html': CHECKS_PAGE };
    htmlSamples.forEach((s, i) => {
        pages[`/sample-${i}.html`] = s.code;
    });
    server = await serve({
        pages,
        folders: { '/node_modules/talc-wasm/': await stagedPackage(), '/support/': SUPPORT_DIR },
    });
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(scratchDir('chromium-profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        timeout: 60_000,
    });
});

after(async () => {
    await context?.close();
    await server?.close();
});

/** Opens `path`; returns the page and every console message and page error it produces. */
async function open(path) {
    const page = await context.newPage();
    const log = [];
    page.on('console', (m) => log.push(m.type() === 'log' ? m.text() : `[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
    await page.goto(server.url(path));
    return { page, log };
}

test('the runtime checks pass in headless Chromium', { skip }, async (t) => {
    const { page, log } = await open('/checks.html');
    const handle = await page.waitForFunction(() => window.results, null, { timeout: 30_000 })
        .catch((e) => assert.fail(`the checks page did not finish: ${e.message}\n${log.join('\n')}`));
    const results = await handle.jsonValue();
    assert.ok(results.length >= 8, `only ${results.length} checks ran`);
    for (const r of results) {
        await t.test(r.name, () => assert.ok(r.ok, r.detail));
    }
    await page.close();
});

test('the guide has a browser sample', () => {
    assert.equal(htmlSamples.length, 1, 'README_WASM.md should have one ```html sample');
    assert.ok(htmlSamples[0].expected, 'the browser sample is followed by the output it prints');
});

test('the browser sample of README_WASM.md prints what the guide shows', { skip }, async () => {
    for (const [i, sample] of htmlSamples.entries()) {
        const { page, log } = await open(`/sample-${i}.html`);
        const lines = sample.expected.trimEnd().split('\n');
        // The sample logs asynchronously: wait for as many lines as expected (or a page error).
        for (const deadline = Date.now() + 30_000; log.length < lines.length && Date.now() < deadline;) {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.deepEqual(log, lines, `README_WASM.md:${sample.line}: output of the browser sample`);
        await page.close();
    }
});
