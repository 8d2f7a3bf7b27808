package talc.teavm.plugin;

import java.io.ByteArrayOutputStream;

/**
 * Rewrites the maximum of a wasm module's one memory, in the binary: TeaVM declares the GC's
 * largest footprint as the maximum, which leaves no page above it for the allocator.
 *
 * <p>Binary layout (WebAssembly core spec, 5.5): after the 8-byte header come sections, each an
 * id byte, a LEB128 u32 payload size, and the payload. The memory section (id 5) holds a LEB128
 * count (here 1) and per memory its limits: a flag byte (0: minimum only, 1: minimum and
 * maximum), the minimum and, with flag 1, the maximum, in pages as LEB128 u32. Only that
 * section is re-encoded; every other byte is copied.
 */
final class MemoryMaximum {
    private static final int HEADER_BYTES = 8;
    private static final int MEMORY_SECTION = 5;
    private static final int LIMITS_MIN_ONLY = 0;
    private static final int LIMITS_MIN_MAX = 1;
    private static final int LEB_PAYLOAD = 0x7F;
    private static final int LEB_MORE = 0x80;
    private static final int LEB_SHIFT = 7;
    private static final int BYTE = 0xFF;

    private MemoryMaximum() {
    }

    /**
     * The module with its memory's maximum set to {@code maxPages}. Fails unless the module
     * defines exactly one memory whose minimum is at most {@code maxPages}.
     */
    static byte[] withMaximum(byte[] module, int maxPages) throws BuildException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(module.length + LEB_SHIFT);
        out.write(module, 0, HEADER_BYTES);
        int[] pos = {HEADER_BYTES};
        boolean found = false;
        while (pos[0] < module.length) {
            int sectionStart = pos[0];
            int id = module[pos[0]++] & BYTE;
            int size = readLeb(module, pos);
            int start = pos[0];
            if (id == MEMORY_SECTION) {
                if (readLeb(module, pos) != 1) {
                    throw new BuildException("expected one memory in the memory section");
                }
                int flags = module[pos[0]++] & BYTE;
                int min = readLeb(module, pos);
                if (flags == LIMITS_MIN_MAX) {
                    readLeb(module, pos);
                } else if (flags != LIMITS_MIN_ONLY) {
                    throw new BuildException("unsupported memory limits flags " + flags);
                }
                if (pos[0] != start + size || min > maxPages) {
                    throw new BuildException("memory section of " + size + " bytes not as expected (minimum "
                            + min + " pages, wanted maximum " + maxPages + ")");
                }
                ByteArrayOutputStream section = new ByteArrayOutputStream();
                writeLeb(section, 1);
                section.write(LIMITS_MIN_MAX);
                writeLeb(section, min);
                writeLeb(section, maxPages);
                out.write(id);
                writeLeb(out, section.size());
                out.writeBytes(section.toByteArray());
                found = true;
            } else {
                out.write(module, sectionStart, start + size - sectionStart);
            }
            pos[0] = start + size;
        }
        if (!found) {
            throw new BuildException("the module has no memory section");
        }
        return out.toByteArray();
    }

    /** The maximum pages declared by the module's memory, or -1 if it declares none. */
    static int maximum(byte[] module) throws BuildException {
        int[] pos = {HEADER_BYTES};
        while (pos[0] < module.length) {
            int id = module[pos[0]++] & BYTE;
            int size = readLeb(module, pos);
            if (id == MEMORY_SECTION) {
                readLeb(module, pos);
                int flags = module[pos[0]++] & BYTE;
                readLeb(module, pos);
                return flags == LIMITS_MIN_MAX ? readLeb(module, pos) : -1;
            }
            pos[0] += size;
        }
        throw new BuildException("the module has no memory section");
    }

    private static int readLeb(byte[] bytes, int[] pos) {
        int value = 0;
        int shift = 0;
        int b;
        do {
            b = bytes[pos[0]++] & BYTE;
            value |= (b & LEB_PAYLOAD) << shift;
            shift += LEB_SHIFT;
        } while ((b & LEB_MORE) != 0);
        return value;
    }

    private static void writeLeb(ByteArrayOutputStream out, int value) {
        int v = value;
        while ((v & ~LEB_PAYLOAD) != 0) {
            out.write((v & LEB_PAYLOAD) | LEB_MORE);
            v >>>= LEB_SHIFT;
        }
        out.write(v);
    }
}
