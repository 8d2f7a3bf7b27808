// Small statistics over samples.

/** The `p`-th percentile (0..100) of sorted values, by linear interpolation. */
export function percentile(sorted, p) {
    if (sorted.length === 0) {
        return NaN;
    }
    const x = (sorted.length - 1) * p / 100;
    const lo = Math.floor(x);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
}

/** {median, min, max} of the samples. */
export function summarize(samples) {
    const sorted = Float64Array.from(samples).sort();
    return { median: percentile(sorted, 50), min: sorted[0], max: sorted[sorted.length - 1] };
}

export function geomean(values) {
    return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
