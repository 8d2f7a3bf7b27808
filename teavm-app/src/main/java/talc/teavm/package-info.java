/**
 * The allocator inside a TeaVM app (TeaVM 0.13.1, classic wasm backend): {@link talc.teavm.NativeHeap},
 * the API the app calls, {@link talc.teavm.NativeArena}, an allocator whose heaps are blocks of
 * it, and {@link talc.teavm.GcAgreement}, the ownership agreement with TeaVM's garbage collector.
 *
 * <p>Unlike {@code talc.wasm}, an app keeps TeaVM's runtime: its GC heap, shadow stack, class
 * initialisation and start function. The allocator core ({@code talc.core}) is compiled into the
 * app unchanged, by the same means as into {@code talc.wasm}: wasm-target's
 * {@code META-INF/teavm.properties} maps {@code talc.core.Mem} and {@code talc.core.Features} to
 * their wasm twins, and its TeaVM plugin turns the twins' natives into {@code memory.grow},
 * {@code memory.fill} and {@code memory.copy}, fixes the feature switches (the app build turns
 * the counters on) and compiles the core as unmanaged code. This package's own plugin,
 * {@code talc.teavm.plugin.TeavmAppPlugin}, adds the GC's side of the agreement.
 *
 * <h2>Facts about TeaVM's GC the agreement rests on (read in TeaVM 0.13.1's code, checked by the build and the tests)</h2>
 * <ul>
 *   <li>The memory starts with the static data; TeaVM's start function lays out a 512-byte
 *       buffer, the 256 KiB shadow stack, then the GC's area: object heap, region table, card
 *       table, GC storage, up to a page limit ({@code WasmHeap.initHeap}, {@code resizeHeap}).</li>
 *   <li>The GC grows only in {@code WasmHeap.resizeHeap}, by the difference of page limits, at
 *       the top of memory, and takes every page below its new limit; it never shrinks in wasm
 *       ({@code canShrinkHeap} is false) and never passes the layout of its {@code maxHeapSize},
 *       which TeaVM also declares as the memory's maximum.</li>
 *   <li>The GC compacts: each collection may relocate objects that no stack frame refers to, so
 *       memory inside Java arrays cannot serve as the allocator's heap.</li>
 * </ul>
 */
package talc.teavm;
