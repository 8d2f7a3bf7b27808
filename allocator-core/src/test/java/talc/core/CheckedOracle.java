package talc.core;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The checked build's contract for one call on a heap whose metadata may be damaged (issue
 * #19): the call reports misuse and leaves memory exactly as it was, or returns normally. It
 * never traps (on the JVM: {@link IndexOutOfBoundsException} from {@link Mem}) and never runs
 * away ({@link Mem#setAccessBudget}). What a normal return must have done is the caller's to
 * check.
 */
final class CheckedOracle {
    /** What a call did: the misuse kind it reported (0: none), or else its result. */
    static final class Outcome {
        final int reported;
        final int result;

        Outcome(int reported, int result) {
            this.reported = reported;
            this.result = result;
        }
    }

    /** Memory before the call and after a report, reused (the fuzzer compares all of memory on every call). */
    private static byte[] before = new byte[0];
    private static byte[] after = new byte[0];

    private CheckedOracle() {
    }

    /**
     * Runs {@code call} under the contract, comparing the memory {@code [from, to)} before and
     * after a report (the call runs with the {@link Reported} handler). A walk reads a few words per 16 bytes of memory, so the budget is a word
     * per 4 bytes of memory, and some.
     */
    static Outcome call(String what, int from, int to, IntSupplier call) {
        ByteBuffer memory = Context.current().memory().buffer();
        if (before.length < to - from) {
            before = new byte[to - from];
            after = new byte[to - from];
        }
        memory.get(from, before, 0, to - from);
        Reported.install();
        Mem.setAccessBudget(4096 + ((long) Mem.pages() << (Mem.PAGE_SHIFT - 2)));
        try {
            return new Outcome(0, call.getAsInt());
        } catch (Reported e) {
            memory.get(from, after, 0, to - from);
            if (!Arrays.equals(before, 0, to - from, after, 0, to - from)) {
                throw new AssertionError(what + ": reported (" + e.getMessage() + ") but changed memory");
            }
            return new Outcome(e.kind(), 0);
        } catch (IndexOutOfBoundsException e) {
            throw new AssertionError(what + ": trapped (" + e.getMessage() + ")", e);
        } catch (IllegalStateException e) {
            throw new AssertionError(what + ": did not return (" + e.getMessage() + ")", e);
        } finally {
            Mem.setAccessBudget(Long.MAX_VALUE);
            Report.setHandler(null);
        }
    }
}
