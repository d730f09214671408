/**
 * Spark's Murmur3_x86_32 (org.apache.spark.unsafe.hash): ints hashed as one 4-byte block,
 * longs as two (low word first), byte arrays with Spark's legacy tail, which mixes each of the
 * last `length % 4` bytes as a full sign-extended block (`hashUnsafeBytes`, what the `hash`
 * expression uses; it differs from standard Murmur3 for lengths that are not multiples of 4).
 * All arithmetic is 32-bit (Math.imul); results are signed ints.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK1(k: number): number {
  let x = Math.imul(k, C1);
  x = (x << 15) | (x >>> 17);
  return Math.imul(x, C2);
}

function mixH1(h: number, k: number): number {
  let x = h ^ k;
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, length: number): number {
  let x = h ^ length;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/** `Murmur3_x86_32.hashInt(v, seed)`. */
export const murmur3Int = (v: number, seed: number): number => fmix(mixH1(seed, mixK1(v)), 4);

/** `Murmur3_x86_32.hashLong` of the long whose low/high 32-bit words are given. */
export const murmur3Long = (lo: number, hi: number, seed: number): number => fmix(mixH1(mixH1(seed, mixK1(lo)), mixK1(hi)), 8);

/** `Murmur3_x86_32.hashUnsafeBytes(bytes[offset, offset + length), seed)` (legacy tail). */
export function murmur3Bytes(b: Uint8Array, seed: number, offset = 0, length = b.length - offset): number {
  let h = seed;
  const aligned = length - (length % 4);
  let i = offset;
  for (const end = offset + aligned; i < end; i += 4) h = mixH1(h, mixK1(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)));
  for (const end = offset + length; i < end; i++) h = mixH1(h, mixK1((b[i]! << 24) >> 24));
  return fmix(h, length);
}
