package talc.wasm.tool;

/** A build step failed; the message says which and why, and is all the user sees. */
final class BuildException extends Exception {
    private static final long serialVersionUID = 1L;

    BuildException(String message) {
        super(message);
    }

    BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
