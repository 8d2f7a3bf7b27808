package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What fuzzing found, as minimal reproductions: each finding stays here as its regression test
 * (its input, if it was a fuzz input, stays in the corpus too). A finding that is not fixed yet
 * goes in {@code @Disabled} with the reason, so the build stays green until it is (run it with
 * {@code mvn -pl allocator-core test -Dtest=FuzzFindingsTest -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition}).
 */
class FuzzFindingsTest {
    @AfterEach
    void restore() {
        Features.reset();
    }

    /**
     * {@code bootGrowing} in an empty memory (0 pages) grew one page, booted the allocator at
     * address 0 and returned that handle, 0, which its contract says means "memory cannot grow":
     * the caller could not tell the allocator existed. Found when the fuzz target booted growing
     * sources in memories of 0..3 pages; fixed by keeping the state one unit above null.
     */
    @Test
    void bootGrowingInAnEmptyMemoryReturnsAUsableHandle() {
        for (int kind = Source.GROW_AND_CLAIM; kind <= Source.GROW_AND_EXTEND; kind++) {
            Mem.reset(0, 16);
            int t = Talc.bootGrowing(kind);
            assertEquals(1, Mem.pages(), "it grew one page and booted there");
            assertNotEquals(0, t, "the allocator was created, so the handle must not read as failure");
            Fixture f = Fixture.adopt(t, kind);
            f.heaps.put(Fixture.firstChunk(t + Talc.stateSize()), Mem.PAGE_SIZE);
            f.scan();
            int p = Talc.malloc(t, 100_000);
            f.trackGrowth(1);
            assertNotEquals(0, p, "and it allocates, growing memory");
            Talc.free(t, p);
            assertEquals(0, f.scan().allocations.size());
        }
    }
}
