// The peer allocators, built here from registry packages so that anyone gets the same tables:
//
//   as-tlsf-{O3,Oz}          AssemblyScript's TLSF (peers/tlsf.ts), npm "assemblyscript"
//                            (scripts/package.json), --runtime minimal --noAssert
//   emcc-{dlmalloc,emmalloc}-{O2,Oz}
//                            emscripten's dlmalloc and emmalloc, Debian's "emscripten" (emcc)
//   rust-dlmalloc-{O3,Os}    Rust std's wasm32 allocator (peers/alloc.rs), Debian's "rustc" and
//                            "libstd-rust-dev-wasm32", LTO, panic=abort
//
// Every module is a standalone wasm32 module with the C ABI. Emscripten's and Rust's get a
// 64 KiB stack (emscripten 3.1.6 defaults to 5 MiB, Rust to 1 MiB) and emscripten's 128 KiB
// of initial memory (default 16 MiB) and a 4 GiB maximum, so that peak memory measures the
// allocator rather than the toolchain's defaults. `scripts/benchmark/install-peer-tools`
// installs the toolchains.
//
// Outputs go to scripts/target/peers/<name>.wasm with <name>.wasm.json beside it
// ({minAlign, recipe}); a module is rebuilt when its recipe (flags, source, toolchain
// version) differs from the one recorded there.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = fileURLToPath(new URL('./peers/', import.meta.url));

/** A command's first line of output, or null when it cannot run. */
function versionOf(command, args) {
    const r = spawnSync(command, args, { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.split('\n')[0].trim() : null;
}

/** Runs a compiler; throws with its output when it fails. */
function run(command, args) {
    const r = spawnSync(command, args, { encoding: 'utf8' });
    if (r.status !== 0) {
        throw new Error(`${command} ${args.join(' ')} failed:\n${r.error?.message ?? ''}${r.stdout}${r.stderr}`);
    }
}

// Debian's rustc, not a rustup toolchain that may be first on PATH (RUSTC overrides it).
const RUSTC = process.env.RUSTC ?? (existsSync('/usr/bin/rustc') ? '/usr/bin/rustc' : 'rustc');

/** Each toolchain: what to install, its version (null when missing), and how it compiles. */
const TOOLCHAINS = {
    assemblyscript: {
        install: 'npm ci --prefix scripts',
        async version() {
            try {
                return `assemblyscript ${createRequire(import.meta.url)('assemblyscript/package.json').version}`;
            } catch {
                return null;
            }
        },
        async compile(source, flags, out) {
            const asc = (await import('assemblyscript/asc')).default;
            const { error, stderr } = await asc.main([source, '--runtime', 'minimal', '--noAssert', ...flags, '--outFile', out]);
            if (error) {
                throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
            }
        },
    },
    emscripten: {
        install: 'apt-get install emscripten',
        async version() {
            return versionOf('emcc', ['--version']);
        },
        async compile(source, flags, out) {
            run('emcc', [...flags, source, '-o', out, '-sSTANDALONE_WASM', '--no-entry',
                '-sEXPORTED_FUNCTIONS=_malloc,_free,_realloc,_calloc,_aligned_alloc', '-sALLOW_MEMORY_GROWTH',
                '-sTOTAL_STACK=64KB', '-sINITIAL_MEMORY=128KB', '-sMAXIMUM_MEMORY=4GB']);
        },
    },
    rust: {
        install: 'apt-get install rustc libstd-rust-dev-wasm32',
        async version() {
            // The wasm32 standard library must be there too, not only rustc.
            const libdir = versionOf(RUSTC, ['--print', 'target-libdir', '--target', 'wasm32-unknown-unknown']);
            return libdir && existsSync(libdir) ? versionOf(RUSTC, ['--version']) : null;
        },
        async compile(source, flags, out) {
            run(RUSTC, ['--edition', '2021', '--crate-type', 'cdylib', '--target', 'wasm32-unknown-unknown', ...flags,
                '-C', 'panic=abort', '-C', 'lto', '-C', 'codegen-units=1', '-C', 'strip=symbols',
                '-C', 'link-arg=-zstack-size=65536', source, '-o', out]);
        },
    },
};

/** The peers: name, toolchain, source (in peers/), flags, and the alignment of every malloc result. */
export const PEERS = [
    ...['O3', 'Oz'].map((o) => ({ name: `as-tlsf-${o}`, toolchain: 'assemblyscript', source: 'tlsf.ts', flags: [`-${o}`], minAlign: 16 })),
    ...['dlmalloc', 'emmalloc'].flatMap((m) => ['O2', 'Oz'].map((o) => ({
        name: `emcc-${m}-${o}`, toolchain: 'emscripten', source: 'empty.c', flags: [`-${o}`, `-sMALLOC=${m}`], minAlign: 8,
    }))),
    ...['O3', 'Os'].map((o) => ({
        name: `rust-dlmalloc-${o}`, toolchain: 'rust', source: 'alloc.rs', flags: ['-C', `opt-level=${o.slice(1)}`], minAlign: 8,
    })),
];

/**
 * Builds the peers named in `names` (default: all) into `outDir` where their recipe changed,
 * and returns their paths. A peer whose toolchain is missing is left out, and `warn` hears
 * which, with the command that installs it.
 */
export async function buildPeers(outDir, { names = PEERS.map((p) => p.name), warn = () => {} } = {}) {
    const chosen = PEERS.filter((p) => names.includes(p.name));
    const versions = {};
    const paths = [];
    for (const toolchain of new Set(chosen.map((p) => p.toolchain))) {
        versions[toolchain] = await TOOLCHAINS[toolchain].version();
        if (versions[toolchain] === null) {
            warn(`${toolchain} is not installed (${TOOLCHAINS[toolchain].install}): `
                + `${chosen.filter((p) => p.toolchain === toolchain).map((p) => p.name).join(', ')} left out`);
        }
    }
    mkdirSync(outDir, { recursive: true });
    for (const peer of chosen.filter((p) => versions[p.toolchain] !== null)) {
        const source = join(SOURCES, peer.source);
        const out = join(outDir, `${peer.name}.wasm`);
        const recipe = createHash('sha256')
            .update(JSON.stringify([versions[peer.toolchain], peer.flags, readFileSync(source, 'utf8')])).digest('hex');
        const sidecar = `${out}.json`;
        const built = existsSync(out) && existsSync(sidecar) ? JSON.parse(readFileSync(sidecar, 'utf8')).recipe : null;
        if (built !== recipe) {
            await TOOLCHAINS[peer.toolchain].compile(source, peer.flags, out);
            writeFileSync(sidecar, `${JSON.stringify({ minAlign: peer.minAlign, recipe })}\n`);
        }
        paths.push(out);
    }
    return paths;
}
