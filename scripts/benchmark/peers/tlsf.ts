// AssemblyScript's TLSF allocator (std/assembly/rt/tlsf.ts) behind the C allocation ABI: the
// heap.* functions allocate unmanaged memory, which the garbage collector never touches.
// Built by peers.mjs with `--runtime minimal` (TLSF without the incremental collector).

export function malloc(size: usize): usize {
  return heap.alloc(size);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

export function realloc(ptr: usize, size: usize): usize {
  return heap.realloc(ptr, size);
}

export function calloc(n: usize, size: usize): usize {
  const bytes = <u64>n * <u64>size;
  if (bytes > <u64>0xffffffff) return 0;
  const ptr = heap.alloc(<usize>bytes);
  memory.fill(ptr, 0, <usize>bytes);
  return ptr;
}
