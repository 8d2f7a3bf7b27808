package talc.jvm;

/**
 * What an allocator throws for a pointer that is not a live allocation of its own, or for
 * metadata it finds overwritten (the checked core's reports, {@code talc.core.Report}). The heap
 * is as it was before the call. TeaVM apps built checked throw it too ({@code talc.teavm}).
 */
public final class MisuseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Kind codes, as the checked wasm module reports them (index = kind). */
    private static final String[] DESCRIPTIONS = {
        "no misuse",
        "misaligned pointer: no allocation starts there",
        "pointer outside every heap of this allocator",
        "pointer inside an allocated block, not at its start",
        "pointer to free memory: double free, or never allocated",
        "heap metadata overwritten: boundary tags disagree",
    };

    private final int kind;
    private final int address;

    public MisuseException(int kind, int address) {
        super(describe(kind) + " at 0x" + Integer.toHexString(address));
        this.kind = kind;
        this.address = address;
    }

    /** One of {@code talc.core.Talc.MISALIGNED .. CORRUPTED}. */
    public int kind() {
        return kind;
    }

    /** The pointer passed in, or the address of the inconsistency. */
    public int address() {
        return address;
    }

    /** A sentence for a kind code. */
    public static String describe(int kind) {
        return kind > 0 && kind < DESCRIPTIONS.length ? DESCRIPTIONS[kind] : "unknown misuse kind " + kind;
    }
}
