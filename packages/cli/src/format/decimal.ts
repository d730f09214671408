/**
 * Exact decimal text from Arrow's fixed-width decimal storage: little-endian two's-complement
 * 32-bit words (4 per Decimal128 value, 8 per Decimal256), unscaled.
 */

const TWO_32 = 4_294_967_296;

/**
 * The unscaled value of the decimal at `index` in `words` (`wordsPerValue` words each).
 * Small values take a number-only path; wide ones are assembled as bigint.
 */
export function unscaledDecimal(words: Uint32Array, index: number, wordsPerValue: number): bigint | number {
  const base = index * wordsPerValue;
  const lo = words[base] as number;
  const w1 = words[base + 1] as number;
  let upperZero = true;
  let upperOnes = true;
  for (let k = 2; k < wordsPerValue; k++) {
    const w = words[base + k] as number;
    if (w !== 0) upperZero = false;
    if (w !== 0xffffffff) upperOnes = false;
  }
  // Below 2^53 in magnitude: two words, the high one within 21 bits (or sign-extended).
  if (upperZero && w1 < 0x200000) return w1 * TWO_32 + lo;
  if (upperOnes && w1 >= 0xffe00000) return (w1 - TWO_32) * TWO_32 + lo;
  let v = 0n;
  for (let k = wordsPerValue - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[base + k] as number);
  const bits = BigInt(wordsPerValue * 32);
  return (words[base + wordsPerValue - 1] as number) >= 0x80000000 ? v - (1n << bits) : v;
}

/** `unscaled / 10^scale` as text with exactly `scale` fraction digits (`-0.05`, `12.30`, `7`). */
export function decimalText(unscaled: bigint | number, scale: number): string {
  const negative = unscaled < 0;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  } else if (scale < 0 && unscaled !== 0 && unscaled !== 0n) {
    digits += '0'.repeat(-scale);
  }
  return negative ? `-${digits}` : digits;
}
