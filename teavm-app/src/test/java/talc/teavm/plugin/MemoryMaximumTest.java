package talc.teavm.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The memory-maximum rewrite on hand-made modules: only the memory section changes. */
class MemoryMaximumTest {
    private static final byte[] HEADER = {0, 'a', 's', 'm', 1, 0, 0, 0};
    /** A type section with one type {@code () -> ()}: a section the rewrite must copy as it is. */
    private static final byte[] TYPE_SECTION = {1, 4, 1, 0x60, 0, 0};
    /** A custom section whose size is a padded (5-byte) LEB128, as some writers emit. */
    private static final byte[] PADDED_CUSTOM = {0, (byte) 0x82, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0, 1, 'x'};

    private static byte[] module(byte[]... sections) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HEADER);
        for (byte[] section : sections) {
            out.writeBytes(section);
        }
        return out.toByteArray();
    }

    @Test
    void raisesTheMaximumAndCopiesEveryOtherSection() throws BuildException {
        byte[] in = module(TYPE_SECTION, new byte[] {5, 5, 1, 1, 22, (byte) 0x8A, 4}, PADDED_CUSTOM);
        byte[] out = MemoryMaximum.withMaximum(in, 32767);
        // 32767 is 0xFF 0xFF 0x01 in LEB128: the section grows from 5 to 6 bytes.
        assertArrayEquals(module(TYPE_SECTION, new byte[] {5, 6, 1, 1, 22, (byte) 0xFF, (byte) 0xFF, 1},
                PADDED_CUSTOM), out);
        assertEquals(32767, MemoryMaximum.maximum(out));
        assertEquals(0x20A, MemoryMaximum.maximum(in));
    }

    @Test
    void addsAMaximumToAMemoryWithout() throws BuildException {
        byte[] in = module(new byte[] {5, 3, 1, 0, 2});
        assertEquals(-1, MemoryMaximum.maximum(in));
        assertEquals(7, MemoryMaximum.maximum(MemoryMaximum.withMaximum(in, 7)));
    }

    @Test
    void refusesWhatItWasNotWrittenFor() {
        assertThrows(BuildException.class, () -> MemoryMaximum.withMaximum(module(TYPE_SECTION), 7),
                "no memory");
        assertThrows(BuildException.class, () -> MemoryMaximum.withMaximum(module(new byte[] {5, 3, 1, 0, 9}), 7),
                "minimum above the maximum");
        assertThrows(BuildException.class, () -> MemoryMaximum.withMaximum(module(new byte[] {5, 5, 2, 0, 1, 0, 1}), 7),
                "two memories");
    }
}
