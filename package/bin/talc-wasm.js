#!/usr/bin/env node
// The talc-wasm command: `talc-wasm link APP.wasm -o OUT.wasm` merges talc into a module that
// imports malloc and its kin (see ../lib/link.js and the README, "Linking talc into a module").

import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ABI, DEFAULT_LEVEL, HEAP_BASE, LEVELS, link } from '../lib/link.js';

const USAGE = `usage: talc-wasm link APP.wasm -o OUT.wasm [-O${LEVELS.join('|')}] [--binaryen DIR]

Merges talc into APP.wasm, a module that imports some of ${ABI.join(', ')}
(declared as in talc.h) and exports ${HEAP_BASE}: OUT.wasm has talc inside, working in the
module's own memory above ${HEAP_BASE} from its first call, and imports what APP.wasm imported
but the allocator. It also exports talc's functions, so JavaScript can allocate in its memory.

  -o, --output FILE   the linked module (may be APP.wasm itself)
  -O LEVEL            wasm-opt's optimisation of the whole module, -O${DEFAULT_LEVEL} by default
  --binaryen DIR      the binaryen npm package to run wasm-merge and wasm-opt from (default:
                      the one installed in this project: npm install --save-dev binaryen)
  -h, --help          this text`;

function fail(message) {
    console.error(`talc-wasm: ${message}`);
    process.exit(2);
}

let parsed;
try {
    parsed = parseArgs({
        allowPositionals: true,
        options: {
            output: { type: 'string', short: 'o' },
            optimize: { type: 'string', short: 'O', default: DEFAULT_LEVEL },
            binaryen: { type: 'string' },
            help: { type: 'boolean', short: 'h' },
        },
    });
} catch (e) {
    fail(`${e.message}\n${USAGE}`);
}
const { values, positionals } = parsed;
if (values.help) {
    console.log(USAGE);
    process.exit(0);
}
const [command, input, ...extra] = positionals;
if (command !== 'link' || input === undefined || extra.length > 0 || values.output === undefined) {
    fail(USAGE);
}
try {
    const linked = link(readFileSync(input), { level: values.optimize, binaryen: values.binaryen, what: basename(input) });
    writeFileSync(values.output, linked);
    console.log(`talc-wasm: ${values.output}: ${linked.length.toLocaleString('en-US')} bytes, talc linked in`);
} catch (e) {
    fail(e.message);
}
