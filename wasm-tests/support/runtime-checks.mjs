// Checks of the talc-wasm package that run unchanged in Node, Deno and a browser (no imports:
// the runtime hands in the package and a way to read bytes), so that each runtime is seen to
// load every shipped module its own way and to behave the same. package.test.mjs runs them in
// Node and Deno on the installed tarball, browser.test.mjs in headless Chromium. The package's
// behaviour in detail is tested in Node by loader.test.mjs.

/**
 * Runs every check; returns [{name, ok, detail}]. `pkg` is the talc-wasm module namespace,
 * `wasmUrl` the URL of its talc.wasm, `readBytes(url)` reads a URL's bytes in this runtime.
 */
export async function runChecks(pkg, { wasmUrl, readBytes }) {
    const results = [];
    for (const [name, check] of Object.entries(CHECKS)) {
        try {
            await check(pkg, { wasmUrl, readBytes });
            results.push({ name, ok: true, detail: '' });
        } catch (e) {
            results.push({ name, ok: false, detail: String(e?.stack ?? e) });
        }
    }
    return results;
}

function expect(condition, what) {
    if (!condition) {
        throw new Error(what);
    }
}

function expectThrows(fn, pattern, what) {
    try {
        fn();
    } catch (e) {
        expect(e instanceof Error && pattern.test(e.message), `${what}: wrong error ${e}`);
        return;
    }
    throw new Error(`${what}: did not throw`);
}

/** Allocates, fills and reads back blocks of a few sizes, then frees them. */
function roundTrip(talc) {
    const blocks = [0, 1, 100, 5000, 70000].map((size) => {
        const ptr = talc.malloc(size);
        expect(ptr !== 0 && ptr % 16 === 0, `${talc.variant}: malloc(${size}) = ${ptr}`);
        expect(talc.usableSize(ptr) >= size, `${talc.variant}: usable size of ${size} bytes`);
        talc.bytes(ptr, size).fill(size & 0xFF);
        return { ptr, size };
    });
    for (const { ptr, size } of blocks) {
        expect(talc.bytes(ptr, size).every((b) => b === (size & 0xFF)), `${talc.variant}: contents of ${size}`);
        talc.free(ptr);
    }
}

const CHECKS = {
    async 'every variant that owns its memory loads by name and allocates'({ createTalc, VARIANTS }) {
        for (const variant of VARIANTS.filter((v) => v !== 'talc-imported')) {
            const talc = await createTalc({ variant });
            expect(talc.variant === variant, `variant ${talc.variant}`);
            roundTrip(talc);
        }
    },

    async 'talc-imported serves only its region of a memory it is given'({ createTalc, PAGE_SIZE }) {
        const memory = new WebAssembly.Memory({ initial: 2 });
        const start = 40000;
        const limit = 16 * PAGE_SIZE;
        new Uint8Array(memory.buffer).fill(0xEE, 0, start);
        const talc = await createTalc({ memory, start, limit });
        roundTrip(talc);
        const blocks = [];
        for (let ptr = talc.malloc(50000); ptr !== 0; ptr = talc.malloc(50000)) {
            expect(ptr >= start && ptr + 50000 <= limit, `block ${ptr} outside [${start}, ${limit})`);
            blocks.push(ptr);
        }
        expect(memory.buffer.byteLength === limit, `memory grew to ${memory.buffer.byteLength}, limit ${limit}`);
        expect(blocks.length >= 15, `only ${blocks.length} blocks of 50000 bytes below the limit`);
        expect(new Uint8Array(memory.buffer, 0, start).every((b) => b === 0xEE), 'the memory below start changed');
        blocks.forEach((ptr) => talc.free(ptr));
        expect(talc.malloc(50000) !== 0, 'no memory after freeing everything');
    },

    async 'a view outlives memory growth, bytes() does not'({ createTalc }) {
        const talc = await createTalc();
        const ptr = talc.malloc(64);
        const view = talc.view(Float64Array, ptr, 8);
        view.array.set([1, 2, 3, 4, 5, 6, 7, 8]);
        const before = talc.bytes(ptr, 64);
        const pages = talc.memory.buffer.byteLength;
        expect(talc.malloc(8 << 20) !== 0, 'malloc of 8 MiB');
        expect(talc.memory.buffer.byteLength > pages, 'memory did not grow');
        expect(before.length === 0, 'a bytes() view from before the growth is still attached');
        expect(view.array.join() === '1,2,3,4,5,6,7,8', `view after growth: ${view.array.join()}`);
    },

    async 'realloc moves or grows a block and keeps its contents'({ createTalc }) {
        const talc = await createTalc();
        let ptr = talc.malloc(10);
        talc.bytes(ptr, 10).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        const other = talc.malloc(10);
        ptr = talc.realloc(ptr, 100000);
        expect(ptr !== 0, 'realloc to 100000 bytes');
        expect(talc.bytes(ptr, 10).join() === '1,2,3,4,5,6,7,8,9,10', 'contents after realloc');
        expect(talc.realloc(ptr, 0) === 0, 'realloc(p, 0)');
        talc.free(other);
    },

    async 'counters follow the allocations'({ createTalc }) {
        const talc = await createTalc({ variant: 'talc-counters' });
        expect(talc.hasCounters, 'hasCounters is false');
        const ptr = talc.malloc(100);
        const c = talc.counters();
        expect(c.allocationCount === 1 && c.allocatedBytes === talc.usableSize(ptr), JSON.stringify(c));
        talc.free(ptr);
        expect(talc.counters().allocationCount === 0, 'count after free');
    },

    async 'initialPages and maximumPages'({ createTalc, PAGE_SIZE }) {
        const talc = await createTalc({ initialPages: 8, maximumPages: 16 });
        expect(talc.memory.buffer.byteLength === 8 * PAGE_SIZE, `initial ${talc.memory.buffer.byteLength}`);
        expect(talc.malloc(7 * PAGE_SIZE) !== 0, 'malloc within the initial pages');
        expect(talc.malloc(20 * PAGE_SIZE) === 0, 'malloc beyond the maximum is not 0');
        expect(talc.memory.buffer.byteLength <= 16 * PAGE_SIZE, 'memory grew past the maximum');
    },

    async 'mistakes are thrown Errors that say what is wrong'({ createTalc }) {
        const talc = await createTalc();
        const ptr = talc.malloc(100);
        expectThrows(() => talc.free(ptr + 4), /not a block/, 'free of an unaligned address');
        expectThrows(() => talc.free(0x7FFF0000), /outside/, 'free past memory');
        talc.free(ptr);
        expectThrows(() => talc.free(ptr), /freed already/, 'double free');
        expectThrows(() => talc.malloc(2 ** 32 + 16), /integer from 0/, 'size over 32 bits');
        expectThrows(() => talc.counters(), /no counters/, 'counters of talc.wasm');
    },

    async 'the module can be given as a URL, bytes or a Response'({ createTalc }, { wasmUrl, readBytes }) {
        const bytes = await readBytes(wasmUrl);
        for (const source of [wasmUrl, bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
            new Response(bytes), Promise.resolve(new Response(bytes)), await WebAssembly.compile(bytes)]) {
            roundTrip(await createTalc({ source }));
        }
    },
};
