// Getting a module's bytes in every runtime without a bundler. The shipped variants sit in
// ../wasm/ beside this file, so their URL comes from import.meta.url: a file: URL in Node and
// Deno (read from disk: Node's fetch cannot read files, and Deno's readFile needs only
// --allow-read), an http(s): URL in browsers (fetched). A caller may pass its own bytes, a
// Response (or the promise fetch returns), a URL, a path, or a compiled WebAssembly.Module.

const deno = globalThis.Deno;
const inNode = !deno && typeof globalThis.process?.versions?.node === 'string';
const URL_SCHEMES = new Set(['file:', 'http:', 'https:', 'data:', 'blob:']);

/** The URL of a shipped module file, e.g. 'talc.wasm'. */
export function shippedModuleUrl(file) {
    return new URL(`../wasm/${file}`, import.meta.url);
}

/**
 * The bytes (a Uint8Array) of `source`, or the WebAssembly.Module itself when it is one. `what`
 * names the source in error messages.
 */
export async function readSource(source, what) {
    if (source instanceof WebAssembly.Module) {
        return source;
    }
    if (source instanceof ArrayBuffer) {
        return new Uint8Array(source);
    }
    if (ArrayBuffer.isView(source)) {
        return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    }
    if (typeof source?.then === 'function') {
        let resolved;
        try {
            resolved = await source;
        } catch (e) {
            throw new Error(`talc-wasm: ${what}: the source failed to load: ${e?.message ?? e}`, { cause: e });
        }
        return readSource(resolved, what);
    }
    if (typeof Response !== 'undefined' && source instanceof Response) {
        return readResponse(source, what);
    }
    if (source instanceof URL) {
        return readUrl(source, what);
    }
    if (typeof source === 'string') {
        const url = absoluteUrl(source);
        if (url) {
            return readUrl(url, what);
        }
        if (deno || inNode) {
            return readFile(source, what);
        }
        return readUrl(new URL(source, globalThis.document?.baseURI ?? globalThis.location?.href), what);
    }
    throw new TypeError(`talc-wasm: ${what}: expected bytes (ArrayBuffer or typed array), a Response, `
        + `a URL, a path or a WebAssembly.Module, got ${describe(source)}`);
}

function absoluteUrl(text) {
    try {
        const url = new URL(text);
        return URL_SCHEMES.has(url.protocol) ? url : null;
    } catch {
        return null;
    }
}

async function readUrl(url, what) {
    if (url.protocol === 'file:' && (deno || inNode)) {
        return readFile(url, what);
    }
    let response;
    try {
        response = await fetch(url);
    } catch (e) {
        throw new Error(`talc-wasm: ${what}: cannot fetch ${url}: ${e.message}`, { cause: e });
    }
    return readResponse(response, what);
}

async function readResponse(response, what) {
    if (!response.ok) {
        throw new Error(`talc-wasm: ${what}: ${response.url || 'the response'} answered `
            + `HTTP ${response.status} ${response.statusText}`.trimEnd());
    }
    return new Uint8Array(await response.arrayBuffer());
}

async function readFile(pathOrUrl, what) {
    try {
        if (deno) {
            return await deno.readFile(pathOrUrl);
        }
        // Imported only here, so that browsers never see a node: specifier.
        const { readFile: nodeReadFile } = await import('node:fs/promises');
        return new Uint8Array(await nodeReadFile(pathOrUrl));
    } catch (e) {
        throw new Error(`talc-wasm: ${what}: cannot read ${pathOrUrl}: ${e.message}`, { cause: e });
    }
}

/** A short description of a value for error messages. */
export function describe(value) {
    if (value === null || value === undefined) {
        return String(value);
    }
    if (typeof value === 'string') {
        return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
    }
    if (typeof value === 'object' || typeof value === 'function') {
        return value.constructor?.name ? `a ${value.constructor.name}` : 'an object';
    }
    return `${typeof value} ${String(value)}`;
}
