package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Chunk geometry, both binnings' properties, and the availability bitmap. */
class ChunkAndBinningTest {
    @AfterEach
    void restore() {
        Features.reset();
    }

    @Test
    void chunkSizeIsRequestPlusOneWordRoundedToSixteen() {
        assertEquals(16, Chunk.sizeFor(0));
        assertEquals(16, Chunk.sizeFor(12));
        assertEquals(32, Chunk.sizeFor(13));
        assertEquals(32, Chunk.sizeFor(28));
        assertEquals(48, Chunk.sizeFor(29));
        assertEquals(65536 + 16, Chunk.sizeFor(65536));
        assertEquals(0x7FFF_0010, Chunk.sizeFor(Chunk.MAX_REQUEST));
        for (int n = 0; n < 5000; n++) {
            int s = Chunk.sizeFor(n);
            assertTrue(s % Chunk.UNIT == 0 && s - Chunk.HEADER >= n && s - Chunk.HEADER - n < Chunk.UNIT);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void binsPartitionAllSizesInOrder(boolean wasmBinning) {
        Features.configure(wasmBinning, true, true, true, false);
        int bins = Binning.binCount();
        assertEquals(wasmBinning ? 108 : 147, bins);
        assertEquals(wasmBinning ? 2 : 3, Binning.bitmapWords());
        assertEquals(16, Binning.lowest(0));
        int unused = 0;
        for (int b = 0; b < bins; b++) {
            assertEquals(b, Binning.bin(Binning.lowest(b)), "lowest size of a bin maps to it");
            if (b + 1 < bins) {
                assertTrue(Binning.lowest(b + 1) > Binning.lowest(b));
                assertEquals(b, Binning.bin(Binning.lowest(b + 1) - 1), "bins are contiguous");
                if (Chunk.alignUp(Binning.lowest(b), Chunk.UNIT) >= Binning.lowest(b + 1)) {
                    unused++; // no gap size (a multiple of 16) falls into it
                }
            }
        }
        assertEquals(wasmBinning ? 5 : 0, unused, "bins no gap can fall into");
        assertEquals(bins - 1, Binning.bin(Integer.MAX_VALUE & Chunk.SIZE_MASK), "the constant bin count covers the largest gap");
        int exactLimit = wasmBinning ? 128 : 1024;
        for (int s = 16; s < exactLimit; s += 16) {
            int b = Binning.bin(s);
            assertTrue(Binning.lowest(b) <= s && Binning.lowest(b + 1) <= s + Chunk.UNIT, "exact bin of " + s);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyGapFromTheCeilBinUpFits(boolean wasmBinning) {
        Features.configure(wasmBinning, true, true, true, false);
        for (long n = 16; n < Integer.MAX_VALUE; n = n * 9 / 8 + 16) {
            int need = (int) n;
            int ceil = Binning.ceilBin(need);
            if (ceil < Binning.binCount()) {
                assertTrue(Binning.lowest(ceil) >= need, "ceil bin of " + need);
            }
            assertTrue(ceil == 0 || Binning.lowest(ceil - 1) < need, "no lower bin guarantees " + need);
        }
    }

    @Test
    void bitmapScanFindsTheLowestSetBinAtOrAbove() {
        Features.configure(false, true, true, true, false);
        Mem.reset(1, 1);
        int t = Talc.init(Fixture.STATE_ADDR);
        assertTrue(Bitmap.scan(t, 0) >= Binning.binCount(), "none");
        Bitmap.set(t, 3);
        Bitmap.set(t, 70);
        Bitmap.set(t, 146);
        assertEquals(3, Bitmap.scan(t, 0));
        assertEquals(3, Bitmap.scan(t, 3));
        assertEquals(70, Bitmap.scan(t, 4));
        assertEquals(146, Bitmap.scan(t, 71));
        assertTrue(Bitmap.scan(t, 147) >= Binning.binCount(), "none at or above the last bin");
        Bitmap.clear(t, 70);
        assertFalse(Bitmap.isSet(t, 70));
        assertEquals(146, Bitmap.scan(t, 4));
    }

    @Test
    void oneWordBitmapScanFindsTheLowestSetBinAtOrAbove() {
        Features.configure(true, true, true, true, false);
        Mem.reset(1, 1);
        int t = Talc.init(Fixture.STATE_ADDR);
        int last = Binning.binCount() - 1;
        assertTrue(Bitmap.scan(t, 0) >= Binning.binCount(), "none");
        Bitmap.set(t, 0);
        Bitmap.set(t, last);
        assertEquals(0, Bitmap.scan(t, 0));
        assertEquals(last, Bitmap.scan(t, 1));
        assertTrue(Bitmap.scan(t, Binning.binCount()) >= Binning.binCount(), "none above the last bin");
        Bitmap.clear(t, 0);
        assertFalse(Bitmap.isSet(t, 0));
        assertTrue(Bitmap.isSet(t, last));
        assertEquals(last, Bitmap.scan(t, 0));
    }

    @Test
    void freeListsArePerBinLifoAndKeepTheBitmap() {
        Mem.reset(1, 1);
        int t = Talc.init(Fixture.STATE_ADDR);
        int a = 1024;
        int b = 2048;
        Gaps.register(t, a, 64, 0);
        Gaps.register(t, b, 64, 0);
        int bin = Binning.bin(64);
        assertTrue(Bitmap.isSet(t, bin));
        assertEquals(b, Mem.getInt(State.binHead(t, bin)), "last registered is the head");
        assertEquals(2, Counters.fragmentCount(t));
        assertEquals(128, Counters.availableBytes(t));
        Gaps.deregister(t, b, 64);
        assertEquals(a, Mem.getInt(State.binHead(t, bin)));
        assertTrue(Bitmap.isSet(t, bin));
        Gaps.deregister(t, a, 64);
        assertFalse(Bitmap.isSet(t, bin), "bit cleared when the list empties");
        assertEquals(0, Counters.fragmentCount(t));
    }
}
