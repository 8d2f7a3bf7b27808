// The checked module (talc-checked.wasm) reports misuse through the function it imports as
// env.talc_report(kind, address), before it changes anything; if that function returns, the
// module traps. The loader's hook throws a TalcMisuseError instead, which unwinds through the
// module and leaves the heap as it was before the bad call.

/** Misuse kinds by code, as the module reports them (talc.core.Misuse). */
export const MISUSE_KINDS = Object.freeze({
    1: Object.freeze({ name: 'misaligned', text: 'misaligned pointer: no allocation starts there' }),
    2: Object.freeze({ name: 'outside-heaps', text: 'pointer outside every heap of this allocator' }),
    3: Object.freeze({ name: 'inside-block', text: 'pointer inside an allocated block, not at its start' }),
    4: Object.freeze({ name: 'not-allocated', text: 'pointer to free memory: double free, or never allocated' }),
    5: Object.freeze({ name: 'corrupted', text: 'heap metadata overwritten: boundary tags disagree' }),
});
/** Kind code of corrupted metadata: talc_check() returns address | this. */
export const CORRUPTED = 5;
const KIND_BITS = 15;

const hex = (n) => '0x' + (n >>> 0).toString(16);

/** What a checked allocator throws for a bad pointer or overwritten metadata. */
export class TalcMisuseError extends Error {
    /**
     * @param {number} code misuse kind code (1..5)
     * @param {number} address the pointer given, or where the inconsistency is
     */
    constructor(code, address) {
        const kind = MISUSE_KINDS[code];
        super(`talc-wasm: ${kind ? kind.text : `unknown misuse kind ${code}`} at ${hex(address)}`);
        this.name = 'TalcMisuseError';
        this.code = code;
        this.kind = kind ? kind.name : 'unknown';
        this.address = address >>> 0;
    }
}

/** The imports a checked module needs: its report hook, throwing TalcMisuseError. */
export function misuseImports() {
    return {
        talc_report(code, address) {
            throw new TalcMisuseError(code, address);
        },
    };
}

/** Whether `module` imports the report hook, i.e. is a checked build. */
export function importsReportHook(module) {
    return WebAssembly.Module.imports(module)
        .some((i) => i.module === 'env' && i.name === 'talc_report' && i.kind === 'function');
}

/** talc_check()'s result as null (consistent) or { address, kind, message }. */
export function checkResult(result) {
    if (result === 0) {
        return null;
    }
    const error = new TalcMisuseError(result & KIND_BITS, result & ~KIND_BITS);
    return { address: error.address, kind: error.kind, message: error.message };
}
