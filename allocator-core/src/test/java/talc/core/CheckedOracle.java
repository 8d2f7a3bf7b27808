package talc.core;

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

    private CheckedOracle() {
    }

    /**
     * Runs {@code call} under the contract, comparing the memory {@code [from, to)} before and
     * after a report. A walk reads a few words per 16 bytes of memory, so the budget is a word
     * per 4 bytes of memory, and some.
     */
    static Outcome call(String what, int from, int to, IntSupplier call) {
        byte[] before = Fixture.memorySnapshot(from, to);
        Mem.setAccessBudget(4096 + ((long) Mem.pages() << (Mem.PAGE_SHIFT - 2)));
        try {
            return new Outcome(0, call.getAsInt());
        } catch (MisuseException e) {
            if (!Arrays.equals(before, Fixture.memorySnapshot(from, to))) {
                throw new AssertionError(what + ": reported (" + e.getMessage() + ") but changed memory");
            }
            return new Outcome(e.kind(), 0);
        } catch (IndexOutOfBoundsException e) {
            throw new AssertionError(what + ": trapped (" + e.getMessage() + ")", e);
        } catch (IllegalStateException e) {
            throw new AssertionError(what + ": did not return (" + e.getMessage() + ")", e);
        } finally {
            Mem.setAccessBudget(Long.MAX_VALUE);
        }
    }
}
