package talc.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import talc.core.LibraryScan;
import talc.core.Talc;

/** TalcCell over a heap buffer, a direct buffer and reserved memory: the C semantics, the accessors, misuse. */
class TalcCellTest {
    private final List<TalcAllocator> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(TalcAllocator::close);
    }

    private TalcCell cell(Memory memory) {
        return cell(memory, Options.DEFAULT);
    }

    private TalcCell cell(Memory memory, Options options) {
        TalcCell c = new TalcCell(memory, options);
        open.add(c);
        return c;
    }

    private static ByteBuffer buffer(boolean direct, int bytes) {
        return direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void cApiOverAUserBuffer(boolean direct) {
        TalcCell c = cell(Memory.of(buffer(direct, 1 << 16)));
        int p = c.malloc(100);
        assertNotEquals(0, p);
        assertEquals(0, p % Talc.MIN_ALIGN);
        assertTrue(c.usableSize(p) >= 100);
        Pattern.fill(c, p, 100, 1);
        int q = c.realloc(p, 5000);
        assertNotEquals(0, q);
        Pattern.check(c, q, 100, 1);
        int z = c.calloc(10, 30);
        for (int i = 0; i < 300; i++) {
            assertEquals(0, c.getByte(z + i));
        }
        int a = c.alignedAlloc(4096, 10);
        assertEquals(0, a % 4096);
        c.free(q);
        c.free(z);
        c.free(a);
        assertEquals(0, c.counters().allocationCount());
        assertEquals(0, LibraryScan.scan(c).size());
    }

    @Test
    void zeroSizesAreTheCAbis() {
        TalcCell c = cell(Memory.reserve(1 << 16));
        int a = c.malloc(0);
        int b = c.malloc(0);
        int z = c.calloc(0, 8);
        assertTrue(a != 0 && b != 0 && z != 0, "zero-size allocations are unique pointers");
        assertEquals(3, new HashSet<>(List.of(a, b, z)).size());
        assertEquals(3, c.counters().allocationCount());
        assertEquals(Talc.MISALIGNED, assertThrows(MisuseException.class, () -> c.usableSize(a + 4)).kind());
        assertThrows(MisuseException.class, () -> c.usableSize(Integer.MAX_VALUE & -16), "outside the memory");
        assertEquals(0, c.realloc(a, 0), "realloc(p, 0) frees p and returns 0");
        c.free(0);
        assertEquals(0, c.usableSize(0));
        int r = c.realloc(0, 20);
        assertNotEquals(0, r, "realloc(0, n) is malloc(n)");
        c.free(b);
        c.free(z);
        c.free(r);
        assertEquals(0, c.counters().allocationCount());
    }

    @Test
    void outOfMemoryIsZeroNeverAnException() {
        TalcCell c = cell(Memory.of(ByteBuffer.allocate(1 << 16)));
        assertEquals(0, c.malloc(1 << 16), "more than the buffer");
        assertEquals(0, c.malloc(-1), "4 GiB - 1 unsigned");
        assertEquals(0, c.malloc(Integer.MAX_VALUE));
        assertEquals(0, c.calloc(1 << 16, 1 << 16), "overflowing product");
        assertEquals(0, c.alignedAlloc(24, 16), "not a power of two");
        assertEquals(0, c.alignedAlloc(1 << 30, 16), "an alignment no heap of 64 KiB can serve");
        List<Integer> all = new ArrayList<>();
        for (int p; (p = c.malloc(1000)) != 0; ) {
            all.add(p);
        }
        assertTrue(all.size() > 50, "the buffer filled up: " + all.size());
        int last = all.get(all.size() - 1);
        Pattern.fill(c, last, 1000, 7);
        assertEquals(0, c.realloc(last, 20_000), "a failed realloc returns 0");
        Pattern.check(c, last, 1000, 7);
        assertEquals(all.size(), LibraryScan.scan(c).size(), "and leaves the block allocated");
    }

    @Test
    void theBufferIsSharedAndItsStateLeftAlone() {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);
        buf.position(100).limit(60_000);
        TalcCell c = cell(Memory.of(buf));
        assertEquals(100, buf.position());
        assertEquals(60_000, buf.limit());
        assertEquals(ByteOrder.BIG_ENDIAN, buf.order());
        int p = c.malloc(8);
        c.putLong(p, 0x1122_3344_5566_7788L);
        ByteBuffer view = c.slice(p, 8);
        assertEquals(ByteOrder.LITTLE_ENDIAN, view.order());
        assertEquals(0x1122_3344_5566_7788L, view.getLong(0));
        // Find the bytes in the user's array: little-endian, inside [position, limit).
        byte[] expected = {(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
        int at = indexOf(buf.array(), expected);
        assertTrue(at >= 100 && at + 8 <= 60_000, "at " + at);
        view.put(0, (byte) 0x99);
        assertEquals((byte) 0x99, buf.get(at), "a slice writes through");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void accessors() {
        TalcCell c = cell(Memory.reserve(1 << 16));
        int p = c.malloc(64);
        c.putInt(p, -5);
        c.putLong(p + 8, Long.MIN_VALUE);
        c.putByte(p + 16, (byte) 7);
        c.putShort(p + 26, (short) -2);
        c.putChar(p + 28, 'x');
        c.putBoolean(p + 30, true);
        c.putFloat(p + 32, 1.5f);
        c.putDouble(p + 40, -0.25);
        c.put(p + 20, new byte[] {1, 2, 3, 4, 5}, 1, 3);
        assertEquals(-5, c.getInt(p));
        assertEquals(Long.MIN_VALUE, c.getLong(p + 8));
        assertEquals(7, c.getByte(p + 16));
        assertEquals(-2, c.getShort(p + 26));
        assertEquals('x', c.getChar(p + 28));
        assertTrue(c.getBoolean(p + 30));
        assertEquals(1.5f, c.getFloat(p + 32));
        assertEquals(-0.25, c.getDouble(p + 40));
        ByteBuffer block = c.slice(p);
        assertEquals(c.usableSize(p), block.capacity(), "the whole block");
        assertEquals(Long.MIN_VALUE, block.getLong(8), "little-endian, sharing the memory");
        byte[] out = new byte[5];
        c.get(p + 20, out, 2, 3);
        assertArrayEquals(new byte[] {0, 0, 2, 3, 4}, out);
        assertEquals(0xFB, c.getByte(p) & 0xFF, "little-endian");
    }

    @Test
    void accessOutsideTheAllocatorsMemoryThrows() {
        TalcCell c = cell(Memory.reserve(1 << 16));
        int p = c.malloc(16);
        assertThrows(IndexOutOfBoundsException.class, () -> c.getInt(-16), "negative");
        assertThrows(IndexOutOfBoundsException.class, () -> c.getInt(1 << 16), "past the memory");
        assertThrows(IndexOutOfBoundsException.class, () -> c.getLong((1 << 16) - 4), "across the memory's end");
        assertThrows(IndexOutOfBoundsException.class, () -> c.slice(p, 1 << 16));
        assertThrows(IndexOutOfBoundsException.class, () -> c.get(p, new byte[4], 0, 5), "the array's bounds");
    }

    /** The cases: every free of a pointer the allocator does not own, or no longer owns, throws; the heap is as before. */
    @Test
    void freeingWhatIsNotALiveAllocationThrowsAndChangesNothing() {
        TalcCell a = cell(Memory.reserve(1 << 16));
        TalcCell b = cell(Memory.reserve(1 << 16));
        int p = a.malloc(100);
        int q = a.malloc(100);
        int foreign = b.malloc(100);
        Pattern.fill(a, p, 100, 3);
        a.free(q);
        CountersSnapshot before = a.counters();
        NavigableMap<Integer, Integer> scanBefore = LibraryScan.scan(a);
        MisuseException twice = assertThrows(MisuseException.class, () -> a.free(q), "double free");
        assertEquals(Talc.NOT_ALLOCATED, twice.kind());
        assertTrue(twice.getMessage().contains("double free"), twice.getMessage());
        assertEquals(q, twice.address());
        assertEquals(Talc.INSIDE_BLOCK, assertThrows(MisuseException.class, () -> a.free(p + 16), "interior").kind());
        assertThrows(MisuseException.class, () -> a.free(foreign + 2048), "another allocator's pointer, no block of this one");
        assertThrows(MisuseException.class, () -> a.realloc(q, 10), "realloc after free");
        assertThrows(MisuseException.class, () -> a.free(-16), "outside the memory");
        assertEquals(before, a.counters(), "the counters are as before");
        assertEquals(scanBefore, LibraryScan.scan(a), "and so is every block");
        Pattern.check(a, p, 100, 3);
        int r = a.malloc(100);
        int s = a.malloc(100);
        assertNotEquals(r, s, "two later mallocs never return the same pointer");
        a.free(p);
        a.free(r);
        a.free(s);
    }

    @Test
    void misuseThrowsWithAClearMessage() {
        assertThrows(NullPointerException.class, () -> Memory.of(null));
        assertThrows(NullPointerException.class, () -> new TalcCell(null));
        assertThrows(IllegalArgumentException.class, () -> new TalcCell(Memory.of(ByteBuffer.allocate(4096).asReadOnlyBuffer())));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> new TalcCell(Memory.of(ByteBuffer.allocate(100))));
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Memory.reserve(0));
        TalcCell parent = cell(Memory.reserve(1 << 16));
        assertThrows(IllegalArgumentException.class, () -> Memory.blocksOf(parent, 3 << 12));
        assertThrows(IllegalArgumentException.class, () -> Memory.blocksOf(parent, 1024));
        Memory s = Memory.reserve(4096);
        cell(s);
        assertThrows(IllegalStateException.class, () -> new TalcCell(s), "a memory serves one allocator");
        TalcCell c = new TalcCell(Memory.reserve(4096));
        int p = c.malloc(10);
        assertNotEquals(0, p);
        c.close();
        c.close();
        assertTrue(c.isClosed());
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> c.malloc(10));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertThrows(IllegalStateException.class, () -> c.free(p));
    }

    @Test
    void severalIndependentAllocators() {
        List<Model> models = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Memory s = i % 2 == 0 ? Memory.of(buffer(i == 2, 1 << 18)) : Memory.reserve(200_000 + i);
            models.add(new Model(cell(s), i));
        }
        for (Model m : models) {
            assertEquals(0, m.a.handle(), "each memory has its state block at offset 0");
        }
        for (int i = 0; i < 20_000; i++) {
            models.get(i % models.size()).step(3000);
        }
        for (Model m : models) {
            m.scan();
        }
        // One allocator closed: the others are untouched.
        models.remove(1).a.close();
        Model fresh = new Model(cell(Memory.reserve(200_000)), 99);
        for (int i = 0; i < 5_000; i++) {
            fresh.step(3000);
            models.get(i % models.size()).step(3000);
        }
        fresh.scan();
        for (Model m : models) {
            m.scan();
            m.drain();
            assertEquals(0, m.a.counters().allocationCount());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void randomizedModelWithTheHeapScan(boolean wasmBinning) {
        Model m = new Model(cell(Memory.of(ByteBuffer.allocateDirect(1 << 20)), Options.DEFAULT.withWasmBinning(wasmBinning)), 5);
        for (int i = 0; i < 40_000; i++) {
            m.step(i % 1000 < 900 ? 300 : 40_000);
            if (i % 5000 == 0) {
                m.scan();
            }
        }
        m.scan();
        assertTrue(m.failures > 0, "the buffer was filled to OOM at some point");
        m.drain();
        assertEquals(1, m.a.counters().fragmentCount(), "everything merged back into one gap");
    }

    @Test
    void countersOffThrowsOnlyForCounters() {
        TalcCell c = cell(Memory.reserve(1 << 16), Options.DEFAULT.withCounters(false));
        int p = c.malloc(10);
        assertNotEquals(0, p);
        assertThrows(IllegalStateException.class, c::counters);
        c.free(p);
        assertFalse(c.isClosed());
    }
}
