// The checked module (talc-checked.wasm) reports misuse through the function it imports as
// env.talc_report(kind, address), before it changes anything; if that function returns, the
// module traps. The loader's hook throws a TalcMisuseError instead, which unwinds through the
// module and leaves the heap as it was before the bad call.

/** What each misuse kind means, by its name in the layout (layout.js: misuse, from talc.core.Misuse). */
const MISUSE_TEXT = Object.freeze({
    misaligned: 'misaligned pointer: no allocation starts there',
    'outside-heaps': 'pointer outside every heap of this allocator',
    'inside-block': 'pointer inside an allocated block, not at its start',
    'not-allocated': 'pointer to free memory: double free, or never allocated',
    corrupted: 'heap metadata overwritten: boundary tags disagree',
});

const hex = (n) => '0x' + (n >>> 0).toString(16);

/** What a checked allocator throws for a bad pointer or overwritten metadata. */
export class TalcMisuseError extends Error {
    /**
     * @param {number} code misuse kind code, as the module reports it
     * @param {number} address the pointer given, or where the inconsistency is
     * @param {object} layout the modules' layout (layout.js), which names the codes
     */
    constructor(code, address, layout) {
        const kind = Object.keys(layout.misuse).find((name) => layout.misuse[name] === code) ?? 'unknown';
        super(`talc-wasm: ${MISUSE_TEXT[kind] ?? `unknown misuse kind ${code}`} at ${hex(address)}`);
        this.name = 'TalcMisuseError';
        this.code = code;
        this.kind = kind;
        this.address = address >>> 0;
    }
}

/** The imports a checked module needs: its report hook, throwing TalcMisuseError. */
export function misuseImports(layout) {
    return {
        talc_report(code, address) {
            throw new TalcMisuseError(code, address, layout);
        },
    };
}

/** Whether `module` imports the report hook, i.e. is a checked build. */
export function importsReportHook(module) {
    return WebAssembly.Module.imports(module)
        .some((i) => i.module === 'env' && i.name === 'talc_report' && i.kind === 'function');
}

/**
 * talc_check()'s result, address | kind (the kind in the bits below a chunk unit), as null
 * (consistent) or { address, kind, message }.
 */
export function checkResult(result, layout) {
    if (result === 0) {
        return null;
    }
    const { sizeMask } = layout.header;
    const error = new TalcMisuseError(result & ~sizeMask, result & sizeMask, layout);
    return { address: error.address, kind: error.kind, message: error.message };
}
