package talc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Mem's segmented address space: mapped buffers beside the simulated memory. */
class MemSegmentsTest {
    @Test
    void buffersAreMappedAboveTheSimulatedMemoryAndUnmapped() {
        Mem.reset(1, 16);
        Object owner = new Object();
        int a = Mem.map(ByteBuffer.allocate(100), owner);
        int b = Mem.map(ByteBuffer.allocateDirect(3 * Mem.SLOT_SIZE + 1), owner);
        try {
            assertTrue(a >= Mem.MAPPED_BASE && b >= Mem.MAPPED_BASE);
            assertEquals(0, a % Mem.SLOT_SIZE);
            assertTrue(b >= a + Mem.SLOT_SIZE || b + 4 * Mem.SLOT_SIZE <= a, "whole slots, no overlap");
            assertSame(owner, Mem.segment(b + 3 * Mem.SLOT_SIZE).owner(), "the last partial slot is the buffer's");
            assertEquals(b, Mem.segment(b + 3 * Mem.SLOT_SIZE).base());
            assertNull(Mem.segment(0).owner(), "the simulated memory has no owner");
            Mem.putInt(a + 96, 0x01020304);
            assertEquals(4, Mem.getByte(a + 96), "little-endian");
            assertThrows(IndexOutOfBoundsException.class, () -> Mem.getInt(a + 97), "past the buffer's end");
            assertThrows(IndexOutOfBoundsException.class, () -> Mem.getInt(a + 200), "the rest of its slot");
            assertThrows(IndexOutOfBoundsException.class, () -> Mem.getInt(Mem.MAPPED_END), "the top slot");
            assertThrows(IndexOutOfBoundsException.class, () -> Mem.getInt(-4), "above 2 GiB unsigned");
            assertThrows(IndexOutOfBoundsException.class, () -> Mem.getInt(Mem.PAGE_SIZE), "past the simulated memory");
        } finally {
            Mem.unmap(a);
            Mem.unmap(b);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> Mem.getInt(a));
        assertThrows(IllegalArgumentException.class, () -> Mem.unmap(a), "unmapped twice");
        assertThrows(IllegalArgumentException.class, () -> Mem.unmap(0), "the simulated memory");
        assertThrows(IllegalArgumentException.class, () -> Mem.map(ByteBuffer.allocate(8).asReadOnlyBuffer(), null));
        assertThrows(IllegalArgumentException.class, () -> Mem.map(ByteBuffer.allocate(0), null));
    }

    @Test
    void theSimulatedMemoryNeverGrowsIntoTheMappedRange() {
        Mem.reset(1, Mem.MAX_WASM_PAGES);
        assertEquals(-1, Mem.grow(Mem.SIMULATED_MAX_PAGES), "one page too many");
        assertEquals(1, Mem.pages());
        assertEquals(Mem.MAPPED_BASE, Mem.SIMULATED_MAX_PAGES << Mem.PAGE_SHIFT);
        assertThrows(IllegalArgumentException.class, () -> Mem.reset(Mem.SIMULATED_MAX_PAGES + 1, Mem.MAX_WASM_PAGES));
        assertEquals(1, Mem.grow(1), "growth below the cap works as before");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void copyAndFillWithinAndAcrossBuffers(boolean direct) {
        Mem.reset(1, 1);
        ByteBuffer x = direct ? ByteBuffer.allocateDirect(4096) : ByteBuffer.allocate(4096);
        int a = Mem.map(x, null);
        int b = Mem.map(ByteBuffer.allocateDirect(4096), null);
        try {
            for (int i = 0; i < 100; i++) {
                Mem.putByte(a + i, (byte) i);
            }
            Mem.copy(a + 10, a, 100);
            Mem.copy(a + 10, a + 10, 0);
            for (int i = 0; i < 100; i++) {
                assertEquals((byte) i, Mem.getByte(a + 10 + i), "overlapping upwards, as memmove");
            }
            Mem.copy(a, a + 10, 100);
            for (int i = 0; i < 100; i++) {
                assertEquals((byte) i, Mem.getByte(a + i), "overlapping downwards");
            }
            Mem.copy(b + 1000, a, 100);
            Mem.copy(64, b + 1000, 100);
            for (int i = 0; i < 100; i++) {
                assertEquals((byte) i, Mem.getByte(64 + i), "buffer to buffer to simulated memory");
            }
            Mem.fill(a + 3, 0xAB, 21);
            assertEquals((byte) 2, Mem.getByte(a + 2));
            assertEquals((byte) 0xAB, Mem.getByte(a + 3));
            assertEquals((byte) 0xAB, Mem.getByte(a + 23));
            assertEquals((byte) 24, Mem.getByte(a + 24));
            assertThrows(IndexOutOfBoundsException.class, () -> Mem.copy(b, a, 4097));
            assertThrows(IndexOutOfBoundsException.class, () -> Mem.fill(a + 4000, 0, 97));
            assertNotEquals(a, b);
        } finally {
            Mem.unmap(a);
            Mem.unmap(b);
        }
    }

    @Test
    void accessesCountsTheSimulatedMemoryOnly() {
        Mem.reset(1, 1);
        int a = Mem.map(ByteBuffer.allocate(64), null);
        try {
            long before = Mem.accesses();
            Mem.putInt(a, 1);
            Mem.getLong(a);
            assertEquals(before, Mem.accesses());
            Mem.putInt(16, 1);
            assertEquals(before + 1, Mem.accesses());
        } finally {
            Mem.unmap(a);
        }
    }
}
