// Types of talc-wasm (index.js). Addresses and sizes are plain numbers: unsigned 32-bit
// integers; a number outside that range, or not an integer, is a thrown RangeError.

/** Size of a WebAssembly memory page: 65536 bytes. */
export declare const PAGE_SIZE: 65536;

/** The shipped module variants: each is talc-wasm/wasm/<name>.wasm. */
export type Variant =
    | 'talc'
    | 'talc-fast'
    | 'talc-counters'
    | 'talc-checked'
    | 'talc-no-grow-in-place'
    | 'talc-no-realloc-in-place'
    | 'talc-arena'
    | 'talc-imported';

export declare const VARIANTS: readonly Variant[];

/** A module given instead of a shipped file. A string is a URL, or in Node and Deno a file path. */
export type ModuleSource =
    | ArrayBuffer
    | ArrayBufferView
    | Response
    | PromiseLike<Response>
    | URL
    | string
    | WebAssembly.Module;

/** An allocator with a memory of its own. */
export interface OwnMemoryOptions {
    /** Default 'talc'. */
    variant?: Exclude<Variant, 'talc-imported'>;
    source?: ModuleSource;
    /** Grow memory to this many pages at once, all of them in the heap (1 to 32767). */
    initialPages?: number;
    /** Memory never grows past this many pages; allocations that would need more return 0. */
    maximumPages?: number;
    memory?: undefined;
    start?: undefined;
    limit?: undefined;
}

/** An allocator that serves [start, limit) of a memory that other code uses too. */
export interface SharedMemoryOptions {
    /** The memory to work inside (not a shared/threaded one). */
    memory: WebAssembly.Memory;
    /** Default and only choice: 'talc-imported'. */
    variant?: 'talc-imported';
    source?: ModuleSource;
    /** First byte of the region; without it, call init(start, limit) before allocating. */
    start?: number;
    /** End of the region, 0 or absent for none: memory grows as needed, below 2 GiB. */
    limit?: number;
    initialPages?: undefined;
    maximumPages?: undefined;
}

export type TalcOptions = OwnMemoryOptions | SharedMemoryOptions;

/** The module's own C functions, unchecked: for another wasm module's imports. */
export interface TalcAbi {
    malloc(size: number): number;
    free(ptr: number): void;
    realloc(ptr: number, size: number): number;
    calloc(n: number, size: number): number;
    aligned_alloc(align: number, size: number): number;
    malloc_usable_size(ptr: number): number;
}

/** Usage counters of talc-counters.wasm. */
export interface TalcCounters {
    /** Live allocations. */
    allocationCount: number;
    /** Their usable bytes. */
    allocatedBytes: number;
    /** Free bytes in the heaps. */
    availableBytes: number;
    /** Free chunks. */
    fragmentCount: number;
    heapCount: number;
    /** Bytes of all heaps: allocated + available + 4 per allocation and per heap. */
    claimedBytes: number;
    totalAllocationCount: number;
    totalAllocatedBytes: number;
    totalHeapCount: number;
    totalClaimedBytes: number;
}

/** A typed array constructor such as Uint8Array or Float64Array. */
export interface TypedArrayConstructor<T extends ArrayBufferView> {
    new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
    readonly BYTES_PER_ELEMENT: number;
}

/** A view that outlives memory growth: `array` is re-made over the current memory when needed. */
export interface BlockView<T extends ArrayBufferView> {
    readonly ptr: number;
    /** Elements. */
    readonly length: number;
    readonly array: T;
}

export declare class Talc {
    private constructor();
    /** The variant name, or the name of the module passed as source. */
    readonly variant: string;
    /** The memory the allocator works in. */
    readonly memory: WebAssembly.Memory;
    /** With `memory`, once initialised: the region served (limit 0: none); otherwise null. */
    readonly region: { start: number; limit: number } | null;
    readonly abi: TalcAbi;
    readonly hasCounters: boolean;
    /** Serve [start, limit) of the memory passed to createTalc (limit 0: none). */
    init(start: number, limit?: number): void;
    /** A 16-aligned block of at least `size` bytes, or 0 when memory runs out. */
    malloc(size: number): number;
    /** free(0) does nothing; throws for an address that is not a live block. */
    free(ptr: number): void;
    /** realloc(0, n) = malloc(n); realloc(p, 0) frees p and returns 0; 0 on failure, p untouched. */
    realloc(ptr: number, size: number): number;
    /** Zeroed; 0 when n * size overflows 32 bits or memory runs out. */
    calloc(n: number, size: number): number;
    /** align: a power of two from 1 to 2^30. */
    alignedAlloc(align: number, size: number): number;
    usableSize(ptr: number): number;
    /** Valid until memory grows. `length` defaults to the block's usable size. */
    bytes(ptr: number, length?: number): Uint8Array;
    /** Valid until memory grows. `length` (elements) defaults to what fits in the block. */
    array<T extends ArrayBufferView>(Type: TypedArrayConstructor<T>, ptr: number, length?: number): T;
    /** Stays usable after memory grows. */
    view<T extends ArrayBufferView>(Type: TypedArrayConstructor<T>, ptr: number, length?: number): BlockView<T>;
    /** talc-counters only; throws for the other variants. */
    counters(): TalcCounters;
    /** talc-counters only: formatCounters(counters()), the JVM's CountersSnapshot table. */
    countersTable(): string;
    /** Whether the module is a checked build (talc-checked). */
    readonly isChecked: boolean;
    /** talc-checked only: null when the heap is consistent, else its first inconsistency. */
    check(): { address: number; kind: MisuseKind; message: string } | null;
    /** talc-checked only: every chunk of every heap, heap by heap. */
    walk(): HeapChunk[];
}

/** One chunk of a heap walk (talc-checked). */
export interface HeapChunk {
    /** The block's pointer (the chunk's header word is the 4 bytes below it). */
    address: number;
    /** Bytes of the chunk: the usable size + 4. */
    size: number;
    allocated: boolean;
    /** The lowest chunk of its heap. */
    heapFirst: boolean;
    /** Free-list bin of a free chunk; null for an allocated one. */
    bin: number | null;
}

/** What talc-checked detects. */
export type MisuseKind = 'misaligned' | 'outside-heaps' | 'inside-block' | 'not-allocated' | 'corrupted';

/** Thrown by talc-checked for a bad pointer or overwritten metadata; the heap is as before the call. */
export declare class TalcMisuseError extends Error {
    readonly name: 'TalcMisuseError';
    /** Kind code as the module reports it: 1 misaligned .. 5 corrupted. */
    readonly code: number;
    readonly kind: MisuseKind | 'unknown';
    /** The pointer passed in, or where the inconsistency is. */
    readonly address: number;
}

/**
 * Counters as a text table of "now" and "total" columns (with the derived rows freed, overhead
 * and released bytes), the same text as the JVM library's CountersSnapshot.toString(); every
 * line ends in a newline. Throws a TypeError unless each counter is a non-negative integer.
 */
export declare function formatCounters(counters: TalcCounters): string;

export declare function createTalc(options?: TalcOptions): Promise<Talc>;
