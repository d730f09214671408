/**
 * Math helpers that reproduce Java bit for bit: fdlibm's hypot (Java's StrictMath.hypot),
 * Hive's base conversion (Spark's NumberConverter, unsigned 64-bit with its overflow rule), and
 * Spark's random numbers (XORShiftRandom seeded through Scala's MurmurHash3, as `rand(seed)` /
 * `randn(seed)` produce them in partition 0).
 */
import { murmur3Bytes } from './murmur3.js';

const f64 = new Float64Array(1);
const words = new Int32Array(f64.buffer);
const hiWord = (x: number): number => {
  f64[0] = x;
  return words[1]!;
};
const withHiWord = (hi: number): number => {
  words[0] = 0;
  words[1] = hi;
  return f64[0]!;
};

/** Java's `StrictMath.hypot` (fdlibm e_hypot.c). */
export function hypot(x: number, y: number): number {
  let a = Math.abs(x);
  let b = Math.abs(y);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === Infinity || b === Infinity ? Infinity : a + b;
  if (b > a) [a, b] = [b, a];
  let ha = hiWord(a);
  let hb = hiWord(b);
  if (ha - hb > 0x3c00000) return a + b;
  let k = 0;
  if (ha > 0x5f300000) {
    ha -= 0x25800000;
    hb -= 0x25800000;
    a *= 2 ** -600;
    b *= 2 ** -600;
    k += 600;
  }
  if (hb < 0x20b00000) {
    if (hb <= 0x000fffff) {
      if (b === 0) return a;
      b *= 2 ** 1022;
      a *= 2 ** 1022;
      k -= 1022;
    } else {
      ha += 0x25800000;
      hb += 0x25800000;
      a *= 2 ** 600;
      b *= 2 ** 600;
      k -= 600;
    }
  }
  let w = a - b;
  if (w > b) {
    const t1 = withHiWord(ha);
    const t2 = a - t1;
    w = Math.sqrt(t1 * t1 - (b * -b - t2 * (a + t1)));
  } else {
    a = a + a;
    const y1 = withHiWord(hb);
    const y2 = b - y1;
    const t1 = withHiWord(ha + 0x00100000);
    const t2 = a - t1;
    w = Math.sqrt(t1 * y1 - (w * -w - (t1 * y2 + t2 * b)));
  }
  return k !== 0 ? 2 ** k * w : w;
}

// ---- conv --------------------------------------------------------------------------------------

const MASK = (1n << 64n) - 1n;
const signed = (v: bigint): bigint => BigInt.asIntN(64, v);
const udiv = (x: bigint, m: bigint): bigint => BigInt.asIntN(64, BigInt.asUintN(64, x) / m);

/** Java's `Character.digit` for one byte in `radix` (non-ASCII bytes are invalid). */
function digit(b: number, radix: number): number {
  const d = b >= 48 && b <= 57 ? b - 48 : b >= 97 && b <= 122 ? b - 87 : b >= 65 && b <= 90 ? b - 55 : -1;
  return d >= 0 && d < radix ? d : -1;
}

/**
 * Spark's `conv(num, from, to)` on the (space-trimmed) UTF-8 bytes: null for radixes outside
 * [2, 36] or empty input; digits are read until the first invalid one; the value is an unsigned
 * 64-bit number (overflow gives 2^64 - 1, as Spark's signed-compare check lets some through);
 * a negative `to` prints a signed result.
 */
export function conv(bytes: Uint8Array, fromBase: number, toBase: number): string | null {
  if (fromBase < 2 || fromBase > 36 || Math.abs(toBase) < 2 || Math.abs(toBase) > 36) return null;
  if (bytes.length === 0) return null;
  let negative = bytes[0] === 45;
  const first = negative ? 1 : 0;
  const radix = BigInt(fromBase);
  const bound = udiv(-1n - radix, radix);
  let v = 0n;
  for (let i = first; i < bytes.length; i++) {
    const d = digit(bytes[i]!, fromBase);
    if (d < 0) break;
    if (v >= bound && udiv(-1n - BigInt(d), radix) < v) {
      v = -1n;
      break;
    }
    v = signed(v * radix + BigInt(d));
  }
  if (negative && toBase > 0) v = v < 0n ? -1n : signed(-v);
  if (toBase < 0 && v < 0n) {
    v = signed(-v);
    negative = true;
  }
  const text = (BigInt.asUintN(64, v) & MASK).toString(Math.abs(toBase)).toUpperCase();
  return negative && toBase < 0 ? '-' + text : text;
}

// ---- Spark's random numbers ---------------------------------------------------------------------

const ARRAY_SEED = 0x3c074a61;

/** `XORShiftRandom.hashSeed`: Scala's MurmurHash3 over the seed's 8 big-endian bytes, twice. */
function hashSeed(seed: bigint): bigint {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, seed);
  const low = murmur3Bytes(bytes, ARRAY_SEED);
  const high = murmur3Bytes(bytes, low);
  return signed((BigInt(high) << 32n) | BigInt(low >>> 0));
}

/** Spark's XORShiftRandom with java.util.Random's nextDouble and nextGaussian. */
export class XorShiftRandom {
  #seed: bigint;
  #nextGaussian: number | undefined;

  constructor(init: bigint) {
    this.#seed = hashSeed(init);
  }

  next(bits: number): number {
    let s = this.#seed;
    s = signed(s ^ (s << 21n));
    s ^= BigInt.asUintN(64, s) >> 35n;
    s = signed(s ^ (s << 4n));
    this.#seed = s;
    return Number(BigInt.asIntN(32, s & ((1n << BigInt(bits)) - 1n)));
  }

  nextDouble(): number {
    return (this.next(26) * 2 ** 27 + this.next(27)) * 2 ** -53;
  }

  nextGaussian(): number {
    if (this.#nextGaussian !== undefined) {
      const g = this.#nextGaussian;
      this.#nextGaussian = undefined;
      return g;
    }
    let v1: number;
    let v2: number;
    let s: number;
    do {
      v1 = 2 * this.nextDouble() - 1;
      v2 = 2 * this.nextDouble() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s === 0);
    const multiplier = Math.sqrt((-2 * Math.log(s)) / s);
    this.#nextGaussian = v2 * multiplier;
    return v1 * multiplier;
  }
}
