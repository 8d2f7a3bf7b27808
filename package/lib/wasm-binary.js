// The few parts of a WebAssembly binary that the package reads and rewrites: sections, LEB128
// numbers, the import and export sections, and memory types (limits), which stay raw bytes.

export const SECTION = Object.freeze({ IMPORT: 2, MEMORY: 5, EXPORT: 7 });
export const KIND = Object.freeze({ FUNC: 0, TABLE: 1, MEMORY: 2, GLOBAL: 3, TAG: 4 });
/** The kinds by their code, as WebAssembly.Module.imports names them. */
export const KIND_NAMES = Object.freeze(['function', 'table', 'memory', 'global', 'tag']);

/** Reference types that a heap type follows (ref null ht, ref ht); every other value type is one byte. */
const REF_WITH_HEAP_TYPE = new Set([0x63, 0x64]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The section with `id`: {id: offset of its id byte, start and end of its contents}, or null. */
export function findSection(bytes, id) {
    let pos = 8;
    while (pos < bytes.length) {
        const at = pos;
        const [size, start] = readLeb(bytes, pos + 1);
        if (bytes[at] === id) {
            return { id: at, start, end: start + size };
        }
        pos = start + size;
    }
    return null;
}

/** A copy of `bytes` with the contents of `section` (from findSection) replaced by `contents`. */
export function replaceSection(bytes, section, contents) {
    const head = bytes.subarray(0, section.id);
    const tail = bytes.subarray(section.end);
    const size = leb(contents.length);
    const out = new Uint8Array(head.length + 1 + size.length + contents.length + tail.length);
    out.set(head, 0);
    out.set([bytes[section.id], ...size], head.length);
    out.set(contents, head.length + 1 + size.length);
    out.set(tail, out.length - tail.length);
    return out;
}

/** Reads an unsigned LEB128 number at `pos`: [value, position after it]. */
export function readLeb(bytes, pos) {
    let value = 0;
    let shift = 0;
    for (;;) {
        const b = bytes[pos++];
        value += (b & 0x7F) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) {
            return [value, pos];
        }
    }
}

/** `value` as unsigned LEB128 bytes. */
export function leb(value) {
    const out = [];
    do {
        let b = value & 0x7F;
        value = Math.floor(value / 128);
        if (value !== 0) {
            b |= 0x80;
        }
        out.push(b);
    } while (value !== 0);
    return out;
}

function readName(bytes, pos) {
    const [length, start] = readLeb(bytes, pos);
    return [decoder.decode(bytes.subarray(start, start + length)), start + length];
}

function name(text) {
    const utf8 = encoder.encode(text);
    return [...leb(utf8.length), ...utf8];
}

/** Where the limits at `pos` end: a flags byte, the minimum, and the maximum when flag 1 is set. */
function limitsEnd(bytes, pos) {
    const [, afterMin] = readLeb(bytes, pos + 1);
    return (bytes[pos] & 1) !== 0 ? readLeb(bytes, afterMin)[1] : afterMin;
}

/** Where the description of an import (or a definition) of `kind` that starts at `pos` ends. */
function descEnd(bytes, kind, pos) {
    switch (kind) {
        case KIND.FUNC:
            return readLeb(bytes, pos)[1];
        case KIND.TABLE:
            return limitsEnd(bytes, pos + 1);
        case KIND.MEMORY:
            return limitsEnd(bytes, pos);
        case KIND.GLOBAL: {
            const valueEnd = REF_WITH_HEAP_TYPE.has(bytes[pos]) ? readLeb(bytes, pos + 1)[1] : pos + 1;
            return valueEnd + 1;
        }
        case KIND.TAG:
            return readLeb(bytes, pos + 1)[1];
        default:
            throw new Error(`unknown import kind ${kind} at byte ${pos}`);
    }
}

/** The imports, in order: [{module, name, kind, desc}], `desc` the raw bytes of what is imported. */
export function readImports(bytes) {
    const section = findSection(bytes, SECTION.IMPORT);
    if (!section) {
        return [];
    }
    const imports = [];
    let [count, pos] = readLeb(bytes, section.start);
    for (; count > 0; count--) {
        const [module, afterModule] = readName(bytes, pos);
        const [field, afterField] = readName(bytes, afterModule);
        const kind = bytes[afterField];
        const end = descEnd(bytes, kind, afterField + 1);
        imports.push({ module, name: field, kind, desc: bytes.slice(afterField + 1, end) });
        pos = end;
    }
    return imports;
}

/** A copy of `bytes` whose import section lists `imports` (as readImports returns them). */
export function withImports(bytes, imports) {
    const section = findSection(bytes, SECTION.IMPORT);
    if (!section) {
        throw new Error('the module has no import section to rewrite');
    }
    const contents = [...leb(imports.length)];
    for (const i of imports) {
        contents.push(...name(i.module), ...name(i.name), i.kind, ...i.desc);
    }
    return replaceSection(bytes, section, Uint8Array.from(contents));
}

/** The exports: [{name, kind, index}]. */
export function readExports(bytes) {
    const section = findSection(bytes, SECTION.EXPORT);
    if (!section) {
        return [];
    }
    const exports = [];
    let [count, pos] = readLeb(bytes, section.start);
    for (; count > 0; count--) {
        const [field, afterField] = readName(bytes, pos);
        const [index, end] = readLeb(bytes, afterField + 1);
        exports.push({ name: field, kind: bytes[afterField], index });
        pos = end;
    }
    return exports;
}

/** A copy of `bytes` whose export section lists `exports` (as readExports returns them). */
export function withExports(bytes, exports) {
    const section = findSection(bytes, SECTION.EXPORT);
    if (!section) {
        throw new Error('the module has no export section to rewrite');
    }
    const contents = [...leb(exports.length)];
    for (const e of exports) {
        contents.push(...name(e.name), e.kind, ...leb(e.index));
    }
    return replaceSection(bytes, section, Uint8Array.from(contents));
}

/** The memory types (raw limits bytes) that the module defines, in order. */
export function definedMemories(bytes) {
    const section = findSection(bytes, SECTION.MEMORY);
    if (!section) {
        return [];
    }
    const memories = [];
    let [count, pos] = readLeb(bytes, section.start);
    for (; count > 0; count--) {
        const end = limitsEnd(bytes, pos);
        memories.push(bytes.slice(pos, end));
        pos = end;
    }
    return memories;
}
