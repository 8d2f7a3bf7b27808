package talc.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Realloc in place and by moving, under each build-time feature. */
class ReallocTest {
    @AfterEach
    void restore() {
        Features.reset();
    }

    private static Fixture heap() {
        Fixture f = Fixture.manual(64);
        f.claim(4096, 1 << 20);
        return f;
    }

    private static void fill(int p, int n) {
        for (int i = 0; i < n; i++) {
            Mem.putByte(p + i, (byte) (i * 7));
        }
    }

    private static void check(int p, int n) {
        for (int i = 0; i < n; i++) {
            assertEquals((byte) (i * 7), Mem.getByte(p + i), "byte " + i);
        }
    }

    @Test
    void shrinkInPlaceReturnsTheTailToTheHeap() {
        Fixture f = heap();
        int p = Talc.malloc(f.t, 1000);
        int guard = Talc.malloc(f.t, 10);
        fill(p, 1000);
        int available = Counters.availableBytes(f.t);
        assertEquals(p, Talc.realloc(f.t, p, 100));
        check(p, 100);
        assertEquals(available + Chunk.sizeFor(1000) - Chunk.sizeFor(100), Counters.availableBytes(f.t));
        assertEquals(p, Talc.realloc(f.t, p, 99), "same chunk size: nothing to do");
        f.scan();
        Talc.free(f.t, guard);
    }

    @Test
    void reallocWithinTheSameChunkSizeWritesNothing() {
        Fixture f = heap();
        int low = Talc.malloc(f.t, 500);
        int p = Talc.malloc(f.t, 100);
        int high = Talc.malloc(f.t, 500);
        Talc.malloc(f.t, 10); // keeps high from merging with the rest of the heap
        Talc.free(f.t, high);
        Talc.free(f.t, low);
        // Free chunks on both sides, in one list with the one above second: a resize would take
        // that one out and push it back at the head; a realloc to the same chunk size must leave
        // every byte as it is.
        byte[] before = Fixture.memorySnapshot();
        for (int n : new int[] {100, 93, Chunk.sizeFor(100) - Chunk.overhead()}) {
            assertEquals(p, Talc.realloc(f.t, p, n), "realloc(p, " + n + ")");
            assertArrayEquals(before, Fixture.memorySnapshot(), "realloc(p, " + n + ") wrote to memory");
        }
        f.scan();
    }

    @Test
    void growInPlaceTakesTheFreeChunkAbove() {
        Fixture f = heap();
        int p = Talc.malloc(f.t, 100);
        int q = Talc.malloc(f.t, 1000);
        Talc.malloc(f.t, 10);
        fill(p, 100);
        Talc.free(f.t, q);
        assertEquals(p, Talc.realloc(f.t, p, 900), "grown into the freed neighbour");
        check(p, 100);
        assertEquals(1, Counters.totalAllocationCount(f.t) - 2, "growing in place is not a new allocation");
        f.scan();
    }

    @Test
    void growMovesWhenTheChunkAboveIsTaken() {
        Fixture f = heap();
        int p = Talc.malloc(f.t, 100);
        Talc.malloc(f.t, 10);
        fill(p, 100);
        int moved = Talc.realloc(f.t, p, 5000);
        assertNotEquals(p, moved);
        check(moved, 100);
        f.scan();
    }

    @Test
    void failedGrowLeavesTheBlockUntouched() {
        Fixture f = Fixture.manual(64);
        f.claim(4096, 4096);
        int p = Talc.malloc(f.t, 1000);
        Talc.malloc(f.t, 10);
        fill(p, 1000);
        assertEquals(0, Talc.realloc(f.t, p, 3500));
        check(p, 1000);
        assertEquals(2, f.scan().allocations.size());
    }

    @Test
    void disableGrowInPlaceMovesToGrowButShrinksInPlace() {
        Features.configure(true, true, false, true, false);
        Fixture f = heap();
        int p = Talc.malloc(f.t, 100);
        fill(p, 100);
        int moved = Talc.realloc(f.t, p, 900);
        assertNotEquals(p, moved, "the free space above is not used");
        check(moved, 100);
        assertEquals(moved, Talc.realloc(f.t, moved, 50));
        check(moved, 50);
        f.scan();
    }

    @Test
    void disableReallocInPlaceAlwaysMoves() {
        Features.configure(true, true, true, false, false);
        Fixture f = heap();
        int p = Talc.malloc(f.t, 1000);
        fill(p, 1000);
        int shrunk = Talc.realloc(f.t, p, 100);
        assertNotEquals(p, shrunk);
        check(shrunk, 100);
        f.scan();
    }
}
