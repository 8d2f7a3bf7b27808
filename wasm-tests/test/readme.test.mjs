// Every code sample of README_WASM.md runs as written: each ```js block in Node and each
// ```js deno block in Deno, as a module in a scratch project where `talc-wasm` is this build's
// package and talc.wasm and the C program, hashtable.wasm and hashtable-linked.wasm, sit in the
// working directory (the files the samples read). A sample followed by a ```text block must print
// exactly that. The ```html sample runs in browser.test.mjs. Blocks in other languages are not
// run; a test lists which, so that a new language is a decision, not an accident. The guide is
// the package's README on npm, so its links go to its own headings, absolute URLs, or files the
// package ships.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
    C_WASM, GUIDE, hashtableWasm, linkedHashtable, linkedProject, missing, packPackage, runDeno, scratchDir, stagedPackage,
} from '../support/package-fixture.mjs';
import { guideBlocks, samplesFor } from '../support/readme-samples.mjs';

/** Languages the guide may hold that no test runs, and why. */
const NOT_RUN = {
    sh: 'shell commands: building, packing, installing (package.test.mjs does the same with the tarball)',
    c: 'fragments of examples/c-hashtable/hashtable.c, which cprogram.test.mjs builds and runs whole',
    text: 'output of the sample before it, compared by the tests',
};

const blocks = guideBlocks();
const noClang = missing('clang') || missing('wasm-ld');
const project = await linkedProject('readme');
copyFileSync(join(await stagedPackage(), 'wasm', 'talc.wasm'), join(project, 'talc.wasm'));
if (!noClang) {
    copyFileSync(hashtableWasm(), join(project, 'hashtable.wasm'));
    writeFileSync(join(project, 'hashtable-linked.wasm'), await linkedHashtable());
}

/** Why a sample cannot run here, or false. */
function skipReason(sample, runtime) {
    if (sample.code.includes('hashtable.wasm') && noClang) {
        return `needs ${C_WASM}: ${noClang}`;
    }
    return runtime === 'deno' ? missing('deno') : false;
}

function runSample(sample, runtime) {
    const file = `sample-${sample.line}.mjs`;
    writeFileSync(join(project, file), sample.code);
    const result = runtime === 'deno'
        ? runDeno(['run', '--allow-read', file], project)
        : spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, `README_WASM.md:${sample.line} failed in ${runtime}:\n${result.stderr}`);
    if (sample.expected !== undefined) {
        assert.equal(result.stdout, sample.expected, `README_WASM.md:${sample.line}: output in ${runtime}`);
    }
}

for (const runtime of ['node', 'deno']) {
    for (const sample of samplesFor(runtime, blocks)) {
        const name = `README_WASM.md:${sample.line} runs in ${runtime === 'node' ? 'Node' : 'Deno'}`
            + (sample.expected === undefined ? '' : ' and prints what the guide shows');
        test(name, { skip: skipReason(sample, runtime) }, () => runSample(sample, runtime));
    }
}

test('the guide has samples for Node, Deno and browsers, and only languages the tests know', () => {
    assert.ok(samplesFor('node', blocks).length >= 4, 'Node samples');
    assert.ok(samplesFor('deno', blocks).length >= 1, 'a Deno sample');
    assert.ok(samplesFor('browser', blocks).length >= 1, 'a browser sample');
    for (const b of blocks) {
        const runs = (b.lang === 'js' && [null, 'deno'].includes(b.runtime)) || (b.lang === 'html' && !b.runtime);
        assert.ok(runs || b.lang in NOT_RUN,
            `README_WASM.md:${b.line}: a \`\`\`${b.lang} ${b.runtime ?? ''} block; the tests run js, js deno and html `
            + `(not run: ${Object.keys(NOT_RUN).join(', ')})`);
    }
});

/** GitHub's anchor of a heading: lower case, punctuation but hyphens dropped, spaces as hyphens. */
const anchor = (heading) => heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

test('every link of the guide works on npm: a heading of its own, an absolute URL, or a file the package ships', async () => {
    const text = readFileSync(GUIDE, 'utf8');
    const prose = text.split(/^```.*$/m).filter((_, i) => i % 2 === 0).join('\n');
    const anchors = new Set([...text.matchAll(/^#+ (.*)$/gm)].map((m) => anchor(m[1])));
    const { files } = packPackage(await stagedPackage(), scratchDir('links'));
    const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length > 10, `only ${links.length} links found`);
    for (const link of links) {
        const ok = /^https:\/\//.test(link) || (link.startsWith('#') ? anchors.has(link.slice(1)) : files.includes(link));
        assert.ok(ok, `README_WASM.md links to ${link}, which is no heading of it, no absolute URL and no file of the package`);
    }
});
