package example;

import java.util.ArrayList;
import java.util.List;
import talc.jvm.MisuseException;
import talc.teavm.NativeArena;
import talc.teavm.NativeHeap;

/** A TeaVM app that keeps data in native blocks beside its Java objects, under GC pressure. */
public final class App {
    private static final int BLOCKS = 200;
    private static final int ROUNDS = 3000;

    public static void main(String[] args) {
        int[] blocks = new int[BLOCKS];
        int[] sizes = new int[BLOCKS];
        List<int[]> retained = new ArrayList<>();
        int checked = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int i = round % BLOCKS;
            if (blocks[i] != 0) {
                checked += check(blocks[i], sizes[i], i);
                NativeHeap.free(blocks[i]);
            }
            sizes[i] = 16 + (round * 97) % 20_000;
            blocks[i] = NativeHeap.malloc(sizes[i]);       // 16-aligned, or 0 when memory is full
            fill(blocks[i], sizes[i], i);
            retained.add(new int[1 + round % 4096]);        // Java garbage: the GC collects and grows
            if (retained.size() > 500) {
                retained.subList(0, 250).clear();
            }
        }
        NativeArena arena = NativeArena.create();            // blocks of NativeHeap, 1 MiB each
        int a = arena.malloc(1000);
        NativeHeap.putDouble(a, 2.5);
        arena.close();                                       // gives every block back
        try {
            NativeHeap.free(blocks[0]);
            NativeHeap.free(blocks[0]);                      // built checked: the second free throws
        } catch (MisuseException e) {
            System.out.println("double free refused: " + e.getMessage());
        }
        System.out.println("blocks checked: " + checked + ", live: " + NativeHeap.allocationCount()
                + ", heap bytes: " + NativeHeap.claimedBytes());
    }

    private static void fill(int p, int size, int seed) {
        for (int at = 0; at + 4 <= size; at += 4) {
            NativeHeap.putInt(p + at, seed * 31 + at);
        }
    }

    /** Returns 1 after checking that the block still holds its pattern; throws if it does not. */
    private static int check(int p, int size, int seed) {
        for (int at = 0; at + 4 <= size; at += 4) {
            if (NativeHeap.getInt(p + at) != seed * 31 + at) {
                throw new IllegalStateException("block " + seed + " overwritten at " + at);
            }
        }
        return 1;
    }
}
