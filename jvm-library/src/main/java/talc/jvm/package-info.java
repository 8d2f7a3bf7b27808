/**
 * Talc as a Java library on the JVM: the allocator core of {@code talc.core} over memory a Java
 * program has (a heap or direct {@link java.nio.ByteBuffer}, memory the library reserves, or
 * blocks of another allocator), with a C-like API on {@code int} pointers.
 *
 * <pre>{@code
 * try (TalcCell heap = new TalcCell(Source.of(ByteBuffer.allocateDirect(1 << 20)))) {
 *     int p = heap.malloc(100);     // 16-aligned, or 0 when out of memory
 *     heap.putLong(p, 42L);
 *     heap.free(p);
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link talc.jvm.TalcCell}: one thread at a time, no locking.
 *       {@link talc.jvm.TalcLock}: every allocator call runs under a
 *       {@link java.util.concurrent.locks.Lock} (a {@code ReentrantLock} unless one is given).
 *       Both are {@link talc.jvm.TalcAllocator}s.</li>
 *   <li>{@link talc.jvm.Source} says where the memory comes from: one buffer, a buffer the
 *       library reserves, blocks of direct buffers reserved as needed, or blocks of another
 *       allocator (Talc's {@code AllocatorSource}), given back when they become empty.</li>
 *   <li>Semantics are the C ABI's ({@link talc.core.Talc}): every pointer is 16-aligned,
 *       {@code malloc(0)} returns a unique pointer, failure is 0 and never an exception,
 *       {@code free(0)} does nothing, a failed {@code realloc} leaves the block as it was.
 *       Freeing a pointer twice or one this allocator did not return is undefined, as in C.
 *       Java-level misuse (a null or read-only buffer, a call on a closed allocator) throws.</li>
 *   <li>Pointers are addresses in the JVM's single 31-bit address space of {@link talc.core.Mem}
 *       (buffers are mapped above the simulated wasm memory); the allocator's typed accessors
 *       read and write them. An access outside the allocator's memory throws
 *       {@link java.lang.IndexOutOfBoundsException}; one outside a live block but inside the
 *       allocator's memory is, as in C, the caller's bug.</li>
 *   <li>{@link talc.core.Features} (binning, counters, realloc in place) is one setting for the
 *       whole JVM: configure it before creating allocators and leave it alone while any exists.
 *       With counters on (the default), {@link talc.jvm.TalcAllocator#counters()} returns a
 *       {@link talc.jvm.CountersSnapshot} whose {@code toString()} is a table.</li>
 *   <li>Any number of allocators can live in one JVM; they share nothing but the address space
 *       (about 1.5 GiB for all mapped buffers together, in 1 MiB slots).</li>
 * </ul>
 */
package talc.jvm;
