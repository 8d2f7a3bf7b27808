package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The public calls of the core with hostile arguments, in the release build: wild pointers
 * (misaligned, past the end of memory, at the top of the 4 GiB space) are ignored, heap
 * management with regions that are negative, overflowing, too small or out of order gives a
 * clear result, and none of it throws (the JVM's picture of a trap) or changes the heap. (A
 * region that is not in memory is the caller's mistake: claiming it writes there and traps.)
 * The C calls' size and alignment cases are in {@link CApiTest}; the checked build's pointer
 * cases in {@link CheckedTest}.
 */
class HostileInputTest {
    /** Addresses no allocation can have: misaligned, past memory, and the top of the 32-bit space. */
    private static final int[] WILD = {1, 4, 8, 12, 0x7FFF_FFF0, 0x8000_0000, 0xFFFF_FFF0, 0xFFFF_FFFC, -1};

    @AfterEach
    void restore() {
        Features.reset();
    }

    @Test
    void wildPointersAreIgnoredByFreeReallocAndVerify() {
        Fixture f = Fixture.manual(4);
        f.claim(4096, 100_000);
        int p = Talc.malloc(f.t, 500);
        Mem.fill(p, 0x3C, 500);
        int[] wild = Arrays.copyOf(WILD, WILD.length + 2);
        wild[WILD.length] = p + 4;
        wild[WILD.length + 1] = Mem.pages() << Mem.PAGE_SHIFT;
        byte[] before = Fixture.memorySnapshot();
        for (int w : wild) {
            Talc.free(f.t, w);
            assertEquals(0, Talc.realloc(f.t, w, 64), "realloc of " + Integer.toHexString(w));
            assertTrue(!Talc.verify(f.t, w), "verify of " + Integer.toHexString(w));
        }
        assertTrue(Arrays.equals(before, Fixture.memorySnapshot()), "memory unchanged");
        assertTrue(Talc.verify(f.t, p));
        f.scan();
    }

    @Test
    void claimOfRegionsThatCannotHoldAHeap() {
        Fixture f = Fixture.manual(4);
        byte[] before = Fixture.memorySnapshot();
        assertEquals(0, Talc.claim(f.t, -4096, 8192), "negative base");
        assertEquals(0, Talc.claim(f.t, 4096, -1), "negative size");
        assertEquals(0, Talc.claim(f.t, 4096, 0), "empty");
        assertEquals(0, Talc.claim(f.t, 4096, 20), "too small for a chunk");
        assertEquals(0, Talc.claim(f.t, Integer.MAX_VALUE - 8, 64), "above the highest heap end");
        assertTrue(Arrays.equals(before, Fixture.memorySnapshot()), "refused claims change nothing");
    }

    @Test
    void extendTruncateAndResizeWithEndsOutOfOrder() {
        Fixture f = Fixture.manual(8);
        int end = f.claim(4096, 60_000);
        int p = Talc.malloc(f.t, 1000);
        assertEquals(end, Talc.extend(f.t, end, end - 4096), "extend below the end keeps it");
        assertEquals(end, Talc.extend(f.t, end, end + 8), "extend by less than a unit keeps it");
        // Regression: a negative new end once wrapped the difference positive and wrote past memory.
        assertEquals(end, Talc.extend(f.t, end, Integer.MIN_VALUE), "a negative new end keeps it");
        assertEquals(end, Talc.truncate(f.t, end, end + 4096), "truncate above the end keeps it");
        int reserved = Talc.reserved(end);
        assertTrue(reserved > p && reserved < end);
        int cut = Talc.truncate(f.t, end, Integer.MIN_VALUE);
        assertEquals(reserved, cut, "a negative new end truncates as far as the top allocation allows");
        f.heaps.put(Fixture.firstChunk(4096), cut);
        assertEquals(cut, Talc.resize(f.t, cut, cut), "resize to the same end");
        int grown = Talc.resize(f.t, cut, 8 * Mem.PAGE_SIZE);
        assertEquals(8 * Mem.PAGE_SIZE, grown);
        f.heaps.put(Fixture.firstChunk(4096), grown);
        f.scan();
        Talc.free(f.t, p);
        assertEquals(0, Talc.truncate(f.t, grown, 0), "an empty heap truncated to nothing is deleted");
        assertNotEquals(0, Talc.claim(f.t, 4096, 60_000), "and its region can be claimed again");
    }
}
