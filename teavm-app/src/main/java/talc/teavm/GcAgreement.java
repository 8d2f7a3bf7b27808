package talc.teavm;

import org.teavm.backend.wasm.WasmHeap;
import org.teavm.interop.StaticInit;
import org.teavm.interop.Unmanaged;
import talc.wasm.WasmMem;

/**
 * The ownership agreement between the allocator and TeaVM's garbage collector in one linear
 * memory: which pages each may ever write, and how memory grows for both.
 *
 * <h2>What TeaVM 0.13.1's classic wasm runtime does (read in its code, see the package documentation)</h2>
 * The GC's memory is one contiguous area that starts at {@code WasmHeap.heapAddress} (after the
 * static data, a 512-byte buffer and the 256 KiB shadow stack): the object heap of
 * {@code heapSize} bytes, then its region table, card table and GC storage, up to
 * {@code WasmHeap.memoryLimit}, a page boundary. {@code WasmHeap.resizeHeap} grows it by
 * recomputing that layout for the larger heap, growing memory by the difference between the new
 * and the old limit ({@code memory.grow} of a relative amount, result dropped), and moving the
 * storage and tables up. It never shrinks, it never moves objects out of the area, and the heap
 * never exceeds {@code maxHeapSize} (TeaVM's {@code maxHeapSize} option; sizes are rounded up to
 * a multiple of 8). Any other page below the limit is simply taken: TeaVM assumes it owns every
 * page from its heap start up to the current memory size.
 *
 * <h2>The agreement</h2>
 * <ul>
 *   <li><b>Split:</b> the GC owns {@code [0, territoryStart())}: the end of its layout at its
 *       maximum heap, computed with TeaVM's own layout functions. The allocator owns
 *       {@code [territoryStart(), 2 GiB)}. Since the GC can never outgrow its maximum heap, its
 *       limit never passes {@link #territoryStart()}; since the allocator's pages all lie at or
 *       above it, the two sets of pages are disjoint whatever the order of growth.</li>
 *   <li><b>Reservation:</b> before the allocator takes its first page, {@link #reserveGcTerritory}
 *       grows memory to cover the GC's whole territory, so every page the allocator later gets from
 *       {@code memory.grow} (which adds pages at the top) lies above it.</li>
 *   <li><b>One way to grow:</b> the build rewrites the one {@code memory.grow} of TeaVM's runtime,
 *       in {@code WasmHeap.resizeHeap}, into a call of {@link #gcGrow}, which grows memory only up to
 *       the GC's new limit when memory does not yet reach it. Without it the GC would add pages on
 *       top of the allocator's (harmless, but wasted); with it, GC growth inside a reserved
 *       territory costs no memory at all.</li>
 * </ul>
 *
 * <h2>Cost and limits</h2>
 * The first allocation makes memory at least {@code territoryStart()} bytes long: the GC's maximum
 * footprint (its maximum heap plus about 6.5% for its tables, plus TeaVM's static data and shadow
 * stack) is reserved as address space at once. The Java heap can never grow past TeaVM's
 * {@code maxHeapSize}; that was already true, but an app now has to choose it knowing the
 * allocator starts above it. Everything else the allocator keeps: its heaps, its growth policy,
 * and up to {@code 2 GiB - territoryStart()} bytes.
 *
 * <p>The class is unmanaged and has no initialiser: {@link #gcGrow} runs inside the GC and inside
 * TeaVM's start function, before any class is initialised.
 */
@StaticInit
@Unmanaged
public final class GcAgreement {
    /** Bytes in a wasm page. */
    static final int PAGE_SIZE = 65536;
    /** log2 of {@link #PAGE_SIZE}. */
    static final int PAGE_SHIFT = 16;
    /** Alignment of each part of TeaVM's GC layout (heap, regions, card table, storage). */
    static final int LAYOUT_ALIGN = 16;
    /** TeaVM's GC rounds every heap size it asks for up to a multiple of this. */
    static final int GC_SIZE_GRANULE = 8;

    /** Times the GC asked for a larger memory limit ({@link #gcGrow} calls). */
    private static int gcGrowRequests;
    /** Pages that {@code memory.grow} added for the GC. */
    private static int gcGrownPages;
    /** GC requests whose new limit lay above {@link #territoryStart()}: the agreement broken. */
    private static int gcOverreach;

    private GcAgreement() {
    }

    /**
     * Whether the agreement is kept. Always {@code true} in an app: only the build of the
     * negative control in wasm-tests (property {@code talc.teavm.agreement=false}, see
     * {@code talc.teavm.plugin.AgreementSwitch}) turns it off, to show that without it the GC
     * overwrites the allocator's blocks.
     */
    public static boolean enabled() {
        return true;
    }

    /**
     * Whether the app was compiled with talc's TeaVM plugin ({@code talc.teavm.plugin}, found in
     * the teavm-app jar), which rewrites this method to return {@code true}. Without the plugin
     * there is no agreement (the GC would take the allocator's pages) and no memory above the
     * GC's (every allocation would fail), so {@link NativeHeap} refuses to boot.
     */
    public static boolean pluginApplied() {
        return false;
    }

    /**
     * Throws the exception that says the plugin is missing: managed code (it allocates), called
     * by {@link NativeHeap} at its first call in an app built without the plugin.
     */
    static void missingPlugin() {
        throw new IllegalStateException("talc: this app was compiled without talc's TeaVM plugin"
                + " (talc.teavm.plugin.TeavmAppPlugin in the teavm-app jar), so the allocator has no agreement"
                + " with the garbage collector and no memory of its own: put teavm-app on TeaVM's class path"
                + " with the classic wasm target (TeaVM 0.13.1)");
    }

    /**
     * First address the allocator may use: the page-aligned end of the GC's layout at its
     * largest heap, as {@code WasmHeap.resizeHeap} lays it out. Valid once TeaVM's start function
     * has set up the heap (before any app code runs).
     */
    public static int territoryStart() {
        int heap = Math.max(WasmHeap.minHeapSize, roundUp(WasmHeap.maxHeapSize, GC_SIZE_GRANULE));
        int regionsCount = WasmHeap.calculateRegionsCount(heap, WasmHeap.regionSize);
        int regions = roundUp(WasmHeap.heapAddress.toInt() + heap, LAYOUT_ALIGN);
        int cardTable = roundUp(regions + WasmHeap.calculateRegionsSize(regionsCount), LAYOUT_ALIGN);
        int storage = roundUp(cardTable + regionsCount, LAYOUT_ALIGN);
        return roundUp(storage + WasmHeap.calculateStorageSize(heap), PAGE_SIZE);
    }

    /**
     * Grows memory, if needed, so that it covers the GC's whole territory; called once before
     * the allocator takes its first page. Returns {@code false} when memory cannot grow that far
     * (the allocator then has no memory, and the GC keeps what it had).
     */
    static boolean reserveGcTerritory() {
        int end = territoryStart() >>> PAGE_SHIFT;
        int pages = WasmMem.pages();
        return pages >= end || WasmMem.grow(end - pages) >= 0;
    }

    /**
     * Replaces {@code WasmHeap.growMemory(pages)} in {@code WasmHeap.resizeHeap} (the build's
     * {@code GcGrowthRewrite} makes the call): the GC's new limit is its old limit, which
     * {@code resizeHeap} updates only after this call, plus {@code pages}. Memory grows only by
     * what it lacks of that limit; like the call it replaces, a failed grow is not reported (the
     * GC has no way to react, and TeaVM's declared maximum always covers its territory).
     */
    public static void gcGrow(int pages) {
        int end = (WasmHeap.memoryLimit.toInt() >>> PAGE_SHIFT) + pages;
        gcGrowRequests++;
        if (end > territoryStart() >>> PAGE_SHIFT) {
            gcOverreach++;
        }
        int size = WasmMem.pages();
        if (end > size && WasmMem.grow(end - size) >= 0) {
            gcGrownPages += end - size;
        }
    }

    /** Times the GC asked for a larger memory limit since start (its start-up heap included). */
    public static int gcGrowRequests() {
        return gcGrowRequests;
    }

    /** Pages that {@code memory.grow} added for the GC since start. */
    public static int gcGrownPages() {
        return gcGrownPages;
    }

    /**
     * Times the GC's memory limit would have passed {@link #territoryStart()}: 0 unless TeaVM's
     * layout differs from the one this class computes (a test checks it stays 0).
     */
    public static int gcOverreach() {
        return gcOverreach;
    }

    /** The GC's object heap size in bytes now ({@code WasmHeap.heapSize}). */
    public static int gcHeapBytes() {
        return WasmHeap.heapSize;
    }

    /** End of the GC's area now ({@code WasmHeap.memoryLimit}), a page boundary. */
    public static int gcMemoryLimit() {
        return WasmHeap.memoryLimit.toInt();
    }

    private static int roundUp(int value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
