// The one seeded PRNG of the scripts and the tests: inputs need to be reproducible from a seed,
// not strong.

/** mulberry32: a small, fast, seeded PRNG (the inputs only need to be reproducible, not strong). */
export class Rng {
    constructor(seed) {
        this.s = seed | 0;
    }

    /** Uniform u32. */
    u32() {
        let t = (this.s = (this.s + 0x6D2B79F5) | 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (t ^ (t >>> 14)) >>> 0;
    }

    /** Uniform integer in [0, n). */
    below(n) {
        return Math.floor(this.u32() / 4294967296 * n);
    }

    /** Uniform in [0, 1). */
    float() {
        return this.u32() / 4294967296;
    }

    /** Uniform integer in [lo, hi] (Rust's `rand(lo..=hi)`). */
    range(lo, hi) {
        return lo + this.below(hi - lo + 1);
    }
}
