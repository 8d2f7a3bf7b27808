/**
 * Talc as a Java library on the JVM: the allocator core of {@code talc.core} over memory a Java
 * program has (a heap or direct {@link java.nio.ByteBuffer}, memory the library reserves, or
 * blocks of another allocator), with a C-like API on {@code int} pointers that are offsets into
 * that memory.
 *
 * <pre>{@code
 * try (TalcCell heap = new TalcCell(Memory.of(ByteBuffer.allocateDirect(1 << 20)))) {
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
 *   <li>{@link talc.jvm.Memory} says where the memory comes from: a buffer, a buffer the library
 *       reserves, or blocks of another allocator (Talc's {@code AllocatorSource}), given back
 *       when they become empty. Pointers are offsets into it; allocators share nothing but the
 *       memory a parent lends its children.</li>
 *   <li>Semantics are the C ABI's ({@link talc.core.Talc}): every pointer is 16-aligned,
 *       {@code malloc(0)} returns a unique pointer, failure is 0 and never an exception,
 *       {@code free(0)} does nothing, a failed {@code realloc} leaves the block as it was. Every
 *       allocator is checked: freeing (or resizing, or asking the size of) a pointer that is not
 *       one of its live allocations throws {@link talc.jvm.MisuseException} and changes nothing.
 *       Java-level misuse (a null or read-only buffer, a call on a closed allocator) throws too.</li>
 *   <li>The typed accessors cover every primitive, byte arrays and {@code ByteBuffer} slices; an
 *       access outside the allocator's memory throws {@link java.lang.IndexOutOfBoundsException};
 *       one outside a live block but inside the memory is, as in C, the caller's bug.</li>
 *   <li>{@link talc.jvm.Options} chooses the core's switches per allocator (counters, binning,
 *       realloc in place). With counters on (the default), {@link talc.jvm.TalcAllocator#counters()}
 *       returns a {@link talc.jvm.CountersSnapshot} whose {@code toString()} is a table.</li>
 *   <li>Each call binds the allocator's memory and options to the calling thread
 *       ({@link talc.core.Context}) while the static core runs, so any number of allocators work
 *       side by side on any threads.</li>
 * </ul>
 */
package talc.jvm;
