package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** The JVM example of README.md, line for line, so the README stays true. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRuns() {
        Mem.reset(16, 16);                      // a 1 MiB simulated memory, 16 pages, max 16
        int t = Talc.init(64);                  // state block at address 64
        Talc.claim(t, 4096, 60_000);            // one heap
        int p = Talc.malloc(t, 100);            // 16-aligned, or 0
        p = Talc.realloc(t, p, 1000);
        Talc.free(t, p);
        int live = Counters.allocationCount(t); // with counters on

        assertNotEquals(0, p);
        assertEquals(0, live);
    }
}
