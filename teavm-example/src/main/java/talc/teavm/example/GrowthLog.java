package talc.teavm.example;

import talc.teavm.GcAgreement;
import talc.teavm.NativeHeap;

/**
 * Who grew, in which order: after every round the example compares the GC's heap size and the
 * allocator's claimed bytes with their values after the round before. A change of grower (the GC
 * grew after the allocator last grew, or the other way round) is an alternation: the scenario
 * in which, without the agreement, the later grower takes the other's pages.
 */
final class GrowthLog {
    private static final int NOBODY = 0;
    private static final int GC = 1;
    private static final int ALLOCATOR = 2;

    private int gcHeap = GcAgreement.gcHeapBytes();
    private int claimed = NativeHeap.claimedBytes();
    private int lastGrower = NOBODY;

    /** Rounds in which the GC's heap grew. */
    int gcGrowths;
    /** Rounds in which the allocator claimed more memory. */
    int allocatorGrowths;
    /** Growths by the other party than the one that grew last. */
    int alternations;

    /** Records this round's growth. */
    void observe() {
        int heap = GcAgreement.gcHeapBytes();
        if (heap > gcHeap) {
            gcGrowths++;
            grew(GC);
        }
        gcHeap = heap;
        int bytes = NativeHeap.claimedBytes();
        if (bytes > claimed) {
            allocatorGrowths++;
            grew(ALLOCATOR);
        }
        claimed = bytes;
    }

    private void grew(int grower) {
        if (lastGrower != NOBODY && lastGrower != grower) {
            alternations++;
        }
        lastGrower = grower;
    }
}
