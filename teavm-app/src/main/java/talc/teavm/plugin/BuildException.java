package talc.teavm.plugin;

/** A failure of the app build, reported by {@link BuildApp} with its message and a non-zero exit. */
final class BuildException extends Exception {
    private static final long serialVersionUID = 1L;

    BuildException(String message) {
        super(message);
    }

    BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
