package talc.core;

import java.util.Objects;

/**
 * JVM only: what the JVM twins of the swap points serve the algorithm on the current thread:
 * the {@link Mem.Linear memory} that {@link Mem} reads and writes, the {@link Features.Config
 * features} that {@link Features} answers, and the {@link Report.Handler handler} that
 * {@link Report} calls. The algorithm is static code over static swap points; on the JVM each
 * thread has its own context, so that allocators with different memories and features can run
 * on several threads at once. The JVM library binds an allocator's context around each call
 * into the core ({@link #enter}, then {@link #restore} the one it replaced); tests bind one with
 * {@link Mem#reset}, {@link Features#configure} and {@link Report#setHandler}.
 *
 * <p>A thread starts with an empty simulated memory (0 pages, maximum 0), the default features
 * and the default handler. Never compiled to wasm: the wasm twins take no context.
 *
 * @param memory the memory {@link Mem} serves
 * @param features the switches {@link Features} answers
 * @param handler what {@link Report#misuse} calls; {@code null} for the default, which throws
 *        {@link IllegalStateException}
 */
public record Context(Mem.Linear memory, Features.Config features, Report.Handler handler) {
    /**
     * A thread's current context: a mutable cell that only its thread reads or writes, so that
     * binding a context costs no map update.
     */
    private static final class Cell {
        final Thread thread;
        Context context;

        Cell(Thread thread, Context context) {
            this.thread = thread;
            this.context = context;
        }
    }

    private static final ThreadLocal<Cell> CELLS = ThreadLocal.withInitial(() ->
            new Cell(Thread.currentThread(), new Context(Mem.Linear.simulated(0, 0), Features.Config.DEFAULT, null)));
    /**
     * The cell of the thread that last looked its cell up: every memory access asks for the
     * context, and a {@code ThreadLocal} lookup each time made the core's JVM tests about twice
     * as slow. A thread that finds another thread's cell here (its {@code thread} is final, so
     * that read is safe without a lock) looks its own up and puts it here.
     */
    private static Cell last = CELLS.get();

    public Context {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(features, "features");
    }

    /** The current thread's context. */
    public static Context current() {
        return cell().context;
    }

    private static Cell cell() {
        Cell c = last;
        if (c.thread != Thread.currentThread()) {
            c = CELLS.get();
            last = c;
        }
        return c;
    }

    /** Makes this the current thread's context and returns the one it replaces. */
    public Context enter() {
        Cell c = cell();
        Context previous = c.context;
        c.context = this;
        return previous;
    }

    /** Makes {@code previous} (what {@link #enter} returned) the current thread's context again. */
    public static void restore(Context previous) {
        cell().context = previous;
    }
}
