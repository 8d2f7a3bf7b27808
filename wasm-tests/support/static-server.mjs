// A static file server on 127.0.0.1 (a free port) for the browser test: each URL prefix maps
// to a folder, or a path to a page given as text. Pages must come over http: browsers refuse
// module imports from file: URLs, and want a JavaScript type for each module.

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.json': 'application/json',
    '.wasm': 'application/wasm',
    '.md': 'text/markdown; charset=utf-8',
};

/**
 * Starts serving `pages` ({'/path': html}) and `folders` ({'/prefix/': dir}); returns
 * {url(path), close()}.
 */
export async function serve({ pages = {}, folders = {} }) {
    const server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
        if (path in pages) {
            res.writeHead(200, { 'content-type': TYPES['.html'] });
            res.end(pages[path]);
            return;
        }
        const prefix = Object.keys(folders).find((p) => path.startsWith(p));
        const file = prefix && join(folders[prefix], normalize(path.slice(prefix.length)));
        if (!file || !file.startsWith(folders[prefix] + sep) || !isFile(file)) {
            res.writeHead(404, { 'content-type': 'text/plain' });
            res.end(`not found: ${path}`);
            return;
        }
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    return {
        url: (path) => base + path,
        close: () => new Promise((resolve) => server.close(resolve)),
    };
}

function isFile(path) {
    try {
        return statSync(path).isFile();
    } catch {
        return false;
    }
}
