/**
 * XXH64 as Spark implements it (org.apache.spark.sql.catalyst.expressions.XXH64): standard
 * xxHash64 over little-endian words, with `hashInt`/`hashLong` equal to hashing 4 or 8 bytes.
 * 64-bit values are pairs of 32-bit words (`hi`, `lo`) so that hashing never allocates BigInts;
 * the words are kept as signed ints (V8 stores those unboxed). Each primitive leaves its result
 * in the module registers read by {@link resultHi} / {@link resultLo} (hot loops write them
 * straight into typed arrays).
 */

let H = 0;
let L = 0;

/** High / low 32 bits (as signed ints) of the last result. */
export const resultHi = (): number => H;
export const resultLo = (): number => L;

// Primes as [hi, lo].
const P1H = 0x9e3779b1 | 0;
const P1L = 0x85ebca87 | 0;
const P2H = 0xc2b2ae3d | 0;
const P2L = 0x27d4eb4f | 0;
const P3H = 0x165667b1 | 0;
const P3L = 0x9e3779f9 | 0;
const P4H = 0x85ebca77 | 0;
const P4L = 0xc2b2ae63 | 0;
const P5H = 0x27d4eb2f | 0;
const P5L = 0x165667c5 | 0;

/** High 32 bits of the unsigned product of two unsigned 32-bit numbers. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

function mul(ah: number, al: number, bh: number, bl: number): void {
  const hi = (mulHi32(al, bl) + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
  L = Math.imul(al, bl) | 0;
  H = hi;
}

function add(ah: number, al: number, bh: number, bl: number): void {
  const s = (al >>> 0) + (bl >>> 0);
  L = s | 0;
  H = (ah + bh + (s > 0xffffffff ? 1 : 0)) | 0;
}

function rotl(h: number, l: number, r: number): void {
  if (r >= 32) {
    const t = h;
    h = l;
    l = t;
    r -= 32;
  }
  if (r === 0) {
    H = h;
    L = l;
    return;
  }
  H = ((h << r) | (l >>> (32 - r))) | 0;
  L = ((l << r) | (h >>> (32 - r))) | 0;
}

/** `hash ^= hash >>> s` for 29 <= s <= 33. */
function xorShift(h: number, l: number, s: number): void {
  const sh = s >= 32 ? 0 : h >>> s;
  const sl = s >= 32 ? h >>> (s - 32) : ((l >>> s) | (h << (32 - s))) | 0;
  H = (h ^ sh) | 0;
  L = (l ^ sl) | 0;
}

function fmix(h: number, l: number): void {
  xorShift(h, l, 33);
  mul(H, L, P2H, P2L);
  xorShift(H, L, 29);
  mul(H, L, P3H, P3L);
  xorShift(H, L, 32);
}

/** `hash = rotl(hash ^ (k * P2 rotl 31) * P1, 27) * P1 + P4` for one 8-byte word. */
function mixWord(hh: number, hl: number, kh: number, kl: number): void {
  mul(kh, kl, P2H, P2L);
  rotl(H, L, 31);
  mul(H, L, P1H, P1L);
  const xh = (hh ^ H) | 0;
  const xl = (hl ^ L) | 0;
  rotl(xh, xl, 27);
  mul(H, L, P1H, P1L);
  add(H, L, P4H, P4L);
}

/** `hash = rotl(hash ^ u32 * P1, 23) * P2 + P3` for one 4-byte word. */
function mixInt(hh: number, hl: number, k: number): void {
  mul(0, k, P1H, P1L);
  rotl((hh ^ H) | 0, (hl ^ L) | 0, 23);
  mul(H, L, P2H, P2L);
  add(H, L, P3H, P3L);
}

/** `XXH64.hashInt(v, seed)`. */
export function xxhashInt(v: number, seedHi: number, seedLo: number): void {
  add(seedHi, seedLo, P5H, P5L);
  add(H, L, 0, 4);
  mixInt(H, L, v);
  fmix(H, L);
}

/** `XXH64.hashLong` of the long with the given words. */
export function xxhashLong(lo: number, hi: number, seedHi: number, seedLo: number): void {
  add(seedHi, seedLo, P5H, P5L);
  add(H, L, 0, 8);
  mixWord(H, L, hi, lo);
  fmix(H, L);
}

const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) | 0;

/** One accumulator round: `v = rotl(v + k * P2, 31) * P1`. */
function round(vh: number, vl: number, b: Uint8Array, at: number): void {
  mul(u32(b, at + 4), u32(b, at), P2H, P2L);
  add(vh, vl, H, L);
  rotl(H, L, 31);
  mul(H, L, P1H, P1L);
}

/** `hash = (hash ^ round(0, v)) * P1 + P4`. */
function mergeRound(hh: number, hl: number, vh: number, vl: number): void {
  mul(vh, vl, P2H, P2L);
  rotl(H, L, 31);
  mul(H, L, P1H, P1L);
  mul((hh ^ H) | 0, (hl ^ L) | 0, P1H, P1L);
  add(H, L, P4H, P4L);
}

/** `XXH64.hashUnsafeBytes(bytes[offset, offset + length), seed)`. */
export function xxhashBytes(b: Uint8Array, seedHi: number, seedLo: number, offset = 0, length = b.length - offset): void {
  const end = offset + length;
  let at = offset;
  let hh: number;
  let hl: number;
  if (length >= 32) {
    add(seedHi, seedLo, P1H, P1L);
    add(H, L, P2H, P2L);
    let v1h = H;
    let v1l = L;
    add(seedHi, seedLo, P2H, P2L);
    let v2h = H;
    let v2l = L;
    let v3h = seedHi;
    let v3l = seedLo;
    add(seedHi, seedLo, ~P1H, (~P1L + 1) | 0); // seed - P1 (P1's low word is not 0, so no carry into ~P1H + 1)
    let v4h = H;
    let v4l = L;
    do {
      round(v1h, v1l, b, at);
      v1h = H;
      v1l = L;
      round(v2h, v2l, b, at + 8);
      v2h = H;
      v2l = L;
      round(v3h, v3l, b, at + 16);
      v3h = H;
      v3l = L;
      round(v4h, v4l, b, at + 24);
      v4h = H;
      v4l = L;
      at += 32;
    } while (at <= end - 32);
    rotl(v1h, v1l, 1);
    let sh = H;
    let sl = L;
    rotl(v2h, v2l, 7);
    add(sh, sl, H, L);
    sh = H;
    sl = L;
    rotl(v3h, v3l, 12);
    add(sh, sl, H, L);
    sh = H;
    sl = L;
    rotl(v4h, v4l, 18);
    add(sh, sl, H, L);
    mergeRound(H, L, v1h, v1l);
    mergeRound(H, L, v2h, v2l);
    mergeRound(H, L, v3h, v3l);
    mergeRound(H, L, v4h, v4l);
    sh = H;
    sl = L;
    hh = sh;
    hl = sl;
  } else {
    add(seedHi, seedLo, P5H, P5L);
    hh = H;
    hl = L;
  }
  add(hh, hl, 0, length);
  hh = H;
    hl = L;
  for (; at <= end - 8; at += 8) {
    mixWord(hh, hl, u32(b, at + 4), u32(b, at));
    hh = H;
    hl = L;
  }
  if (at + 4 <= end) {
    mixInt(hh, hl, u32(b, at));
    hh = H;
    hl = L;
    at += 4;
  }
  for (; at < end; at++) {
    mul(0, b[at]!, P5H, P5L);
    rotl((hh ^ H) | 0, (hl ^ L) | 0, 11);
    mul(H, L, P1H, P1L);
    hh = H;
    hl = L;
  }
  fmix(hh, hl);
}

/** The last result as a signed 64-bit bigint (for tests and per-value use). */
export const resultBigInt = (): bigint => BigInt.asIntN(64, (BigInt(H) << 32n) | BigInt(L >>> 0));
