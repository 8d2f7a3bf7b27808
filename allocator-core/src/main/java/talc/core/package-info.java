/**
 * The Talc allocator (a port of the design of the Rust crate Talc v5) in restricted Java.
 *
 * <h2>Rules for every class in this package</h2>
 * This code is compiled twice: by javac for the JVM, and by TeaVM's classic wasm backend into a
 * module that is stripped of TeaVM's runtime (its start function and data segments too). So anything
 * reachable from {@link talc.core.Talc} must keep to this subset:
 * <ul>
 *   <li>static methods and {@code int}/{@code long}/{@code boolean} values only: no objects, no
 *       arrays, no strings, no boxing, no lambdas, no interfaces, no virtual calls;</li>
 *   <li>no exceptions thrown or caught: failure is a return value (0 for "no memory");</li>
 *   <li>no static fields and no static initialisers: the module keeps no static data
 *       (compile-time {@code static final} primitive constants are fine: javac inlines them;
 *       the JVM twins of {@code Mem}, {@code Features} and {@code Report} are never compiled
 *       to wasm);</li>
 *   <li>memory is touched only through {@link talc.core.Mem}, and build-time switches are read
 *       only through {@link talc.core.Features}: both are replaced by wasm twins at compile
 *       time.</li>
 * </ul>
 * The build proves the rules: wasm-target compiles this package as unmanaged code and fails on
 * a static initialiser ({@code talc.wasm.tool.RestrictedCore}), post-processes the module to
 * one that imports nothing and has no data, fails if reachable code reads or writes memory at
 * a constant address (a static field), and wasm-tests runs the
 * whole model test against it.
 * JVM-only helpers (test fixtures, {@code Mem.reset}) live outside the paths the exports reach.
 *
 * <h2>Map</h2>
 * {@link talc.core.Chunk} chunk geometry and header flags; {@link talc.core.Binning} size to bin;
 * {@link talc.core.Bitmap} the availability bitmap; {@link talc.core.Gaps} the free lists;
 * {@link talc.core.State} the allocator's state block; {@link talc.core.Alloc},
 * {@link talc.core.Free}, {@link talc.core.Realloc} the operations; {@link talc.core.Heaps} claim,
 * extend, truncate; {@link talc.core.Source} what happens on OOM; {@link talc.core.Counters};
 * {@link talc.core.Talc} the public C-like API. Checked builds only: {@link talc.core.Misuse}
 * bad-pointer and damage detection with the seals of {@link talc.core.Chunk},
 * {@link talc.core.HeapList} the heap list and walk, {@link talc.core.Consistency} the heap
 * check, and {@link talc.core.Report} the platform layer that reports misuse (JVM: a
 * handler, wasm: an imported hook). JVM only: {@link talc.core.Context}, the memory, features
 * and misuse handler that the JVM twins of {@code Mem}, {@code Features} and {@code Report}
 * serve on the current thread (the swap points' contract: {@code docs/swap-points.md}).
 */
package talc.core;
