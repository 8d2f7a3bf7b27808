/*
 * talc.h: the allocation functions of talc-wasm, declared as WebAssembly imports from "env", for
 * C and C++ compiled by clang for wasm32 with no libc, or with one built without malloc.
 *
 * A module that includes this and imports its allocator gets talc in one of two ways:
 *
 *   - merged in:  npx talc-wasm link app.wasm -o app.wasm
 *       One module with talc inside, in the module's own memory; it starts itself on its first
 *       call, above __heap_base (link with -Wl,--export=__heap_base), so static constructors
 *       may allocate.
 *   - shared:     createTalc({ memory }) in JavaScript, and talc.abi as the module's imports
 *       talc-imported.wasm serves the memory above __heap_base once talc.init(__heap_base) ran.
 *
 * Every block is 16-byte aligned; failure is NULL, never a trap. See the package's README.
 */
#ifndef TALC_H
#define TALC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TALC_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))

/* At least `size` bytes, 16-aligned, or NULL; malloc(0) is a unique block to free. */
TALC_IMPORT(malloc) void *malloc(size_t size);
/* `n * size` zeroed bytes, or NULL (also when the product overflows). */
TALC_IMPORT(calloc) void *calloc(size_t n, size_t size);
/* Resizes in place when it can; NULL leaves `ptr` as it was. realloc(ptr, 0) frees ptr, NULL. */
TALC_IMPORT(realloc) void *realloc(void *ptr, size_t size);
/* free(NULL) does nothing. */
TALC_IMPORT(free) void free(void *ptr);
/* Aligned to `alignment`, a power of two up to 2^30 (any size, not only multiples); else NULL. */
TALC_IMPORT(aligned_alloc) void *aligned_alloc(size_t alignment, size_t size);
/* Bytes usable at `ptr`: at least what was asked for. */
TALC_IMPORT(malloc_usable_size) size_t malloc_usable_size(void *ptr);

#undef TALC_IMPORT

#ifdef __cplusplus
}
#endif

#endif
