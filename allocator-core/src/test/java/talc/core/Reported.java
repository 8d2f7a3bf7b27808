package talc.core;

/**
 * What the tests' misuse handler ({@link #install}) throws: the kind and address of a report, as
 * the JVM library's {@code MisuseException} has them, without the library. (The default handler
 * throws {@link IllegalStateException}, which {@link CheckedOracle} reads as a runaway call.)
 */
final class Reported extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int kind;
    private final int address;

    Reported(int kind, int address) {
        super("misuse kind " + kind + " at 0x" + Integer.toHexString(address));
        this.kind = kind;
        this.address = address;
    }

    /** Makes the current thread's misuse handler throw a {@code Reported}; {@code Report.setHandler(null)} undoes it. */
    static void install() {
        Report.setHandler((kind, address) -> {
            throw new Reported(kind, address);
        });
    }

    int kind() {
        return kind;
    }

    int address() {
        return address;
    }
}
