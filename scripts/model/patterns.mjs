// Byte patterns for checking block contents, shared by the soak (scripts/soak.mjs) and the
// tests (wasm-tests/test/talc.mjs). A block's pattern is a window of a fixed random table,
// starting at the block's own offset `off` (0..65535): byte i of the block is
// PAT[(off + i) mod 65536]. Blocks up to FULL_PATTERN bytes are patterned entirely; bigger ones
// at sample positions: the first and last 256 bytes and every 4096th byte, so that a block of
// megabytes costs about as much as one of kilobytes.

import { Rng } from '../rng.mjs';

const PAT_PERIOD = 65536;
export const FULL_PATTERN = 4096;
const SAMPLE_RUN = 256;
const SAMPLE_STEP = 4096;
const PAT = (() => {
    const rng = new Rng(0x7A1C);
    const a = new Uint8Array(PAT_PERIOD + FULL_PATTERN);
    for (let i = 0; i < PAT_PERIOD; i++) {
        a[i] = rng.u32() & 0xFF;
    }
    a.copyWithin(PAT_PERIOD, 0, FULL_PATTERN);
    return a;
})();
const PAT_BUF = Buffer.from(PAT.buffer, PAT.byteOffset, PAT.byteLength);

export const hex = (n) => '0x' + (n >>> 0).toString(16);

/** A pattern offset for a new block. */
export const randomOffset = (rng) => rng.below(PAT_PERIOD);

/** Expected byte at offset i of a block with pattern offset `off`. */
export const patternByte = (off, i) => PAT[(off + i) & (PAT_PERIOD - 1)];

/** Calls fn(start, length) for each patterned run of a block of `len` bytes, clipped to `limit`. */
function forEachRun(len, limit, fn) {
    const end = Math.min(len, limit);
    if (len <= FULL_PATTERN) {
        if (end > 0) {
            fn(0, end);
        }
        return;
    }
    fn(0, Math.min(SAMPLE_RUN, end));
    const tail = len - SAMPLE_RUN;
    for (let s = SAMPLE_STEP; s < tail && s < end; s += SAMPLE_STEP) {
        fn(s, 1);
    }
    if (tail < end) {
        fn(tail, end - tail);
    }
}

/** Writes the pattern `off` over the block [ptr, ptr+len). */
export function fillPattern(u8, ptr, len, off) {
    forEachRun(len, len, (s, n) => {
        if (n === 1) {
            u8[ptr + s] = patternByte(off, s);
        } else {
            const a = (off + s) & (PAT_PERIOD - 1);
            u8.set(PAT.subarray(a, a + n), ptr + s);
        }
    });
}

/**
 * Null when the block [ptr, ptr+len) still holds pattern `off` in its first `limit` bytes,
 * else "offset X (address A): byte Y, expected Z".
 */
export function checkPattern(u8, ptr, len, off, limit = len) {
    let bad = null;
    forEachRun(len, limit, (s, n) => {
        if (bad !== null) {
            return;
        }
        if (n === 1) {
            if (u8[ptr + s] !== patternByte(off, s)) {
                bad = s;
            }
            return;
        }
        const a = (off + s) & (PAT_PERIOD - 1);
        if (!Buffer.from(u8.buffer, ptr + s, n).equals(PAT_BUF.subarray(a, a + n))) {
            for (let i = s; i < s + n; i++) {
                if (u8[ptr + i] !== patternByte(off, i)) {
                    bad = i;
                    break;
                }
            }
        }
    });
    return bad === null ? null
        : `offset ${bad} (address ${hex(ptr + bad)}): byte ${u8[ptr + bad]}, expected ${patternByte(off, bad)}`;
}

const ZERO = Buffer.alloc(1 << 20);

/** Null when [ptr, ptr+len) is all zero, else the first nonzero offset. */
export function checkZero(u8, ptr, len) {
    for (let s = 0; s < len; s += ZERO.length) {
        const n = Math.min(ZERO.length, len - s);
        if (!Buffer.from(u8.buffer, ptr + s, n).equals(ZERO.subarray(0, n))) {
            for (let i = s; i < s + n; i++) {
                if (u8[ptr + i] !== 0) {
                    return `offset ${i} (address ${hex(ptr + i)}) is ${u8[ptr + i]}, not 0`;
                }
            }
        }
    }
    return null;
}
