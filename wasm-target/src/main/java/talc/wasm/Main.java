package talc.wasm;

/**
 * The entry point TeaVM insists on. The module is used only through the exports of
 * {@link Exports}, and the post-processing deletes the start function that would run this, so it
 * does nothing.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Intentionally empty: see the class comment.
    }
}
