// The code samples of README_WASM.md, for the tests that run them. A fence's info string says
// where a sample runs: `js` in Node, `js deno` in Deno (both by readme.test.mjs), `html` in
// headless Chromium (by browser.test.mjs). Other languages (sh, c, text) are not run:
// install commands, C and Rust fragments that need a toolchain the tests do not have, and
// expected output. A `text` fence right after a sample, with at most one line of prose between,
// is the output the sample must print.

import { readFileSync } from 'node:fs';
import { GUIDE } from './package-fixture.mjs';

/** [{lang, runtime, code, line, expected}] for every fenced block of the guide, in order. */
export function guideBlocks(path = GUIDE) {
    const lines = readFileSync(path, 'utf8').split('\n');
    const blocks = [];
    for (let i = 0; i < lines.length; i++) {
        const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
        if (!open) {
            continue;
        }
        const end = lines.indexOf('```', i + 1);
        if (end < 0) {
            throw new Error(`${path}:${i + 1}: a code fence is not closed`);
        }
        blocks.push({
            lang: open[1], runtime: open[2] || null, code: lines.slice(i + 1, end).join('\n') + '\n',
            line: i + 1, endLine: end + 1,
        });
        i = end;
    }
    for (let b = 0; b + 1 < blocks.length; b++) {
        const next = blocks[b + 1];
        const prose = lines.slice(blocks[b].endLine, next.line - 1).filter((l) => l.trim() !== '');
        if (next.lang === 'text' && prose.length <= 1 && ['js', 'html'].includes(blocks[b].lang)) {
            blocks[b].expected = next.code;
        }
    }
    return blocks;
}

/** The samples that run in `runtime` ('node', 'deno' or 'browser'). */
export function samplesFor(runtime, blocks = guideBlocks()) {
    const where = (b) => (b.lang === 'html' ? 'browser' : b.lang === 'js' ? (b.runtime ?? 'node') : null);
    return blocks.filter((b) => where(b) === runtime);
}
