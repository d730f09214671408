/**
 * Definition and repetition levels for the pure-JS projected decoder: the RLE/bit-packed hybrid
 * encoding of parquet, for bit widths 1..8. Runs fill the output natively; levels of checkpoint
 * columns are mostly long runs.
 */

/** V1 page levels: a 4-byte little-endian length, then the hybrid encoding. Returns the end. */
export function readPrefixedLevels(page: Uint8Array, pos: number, width: number, out: Uint8Array): number {
  if (pos + 4 > page.length) throw new Error('levels run past the page');
  const length = (page[pos]! | (page[pos + 1]! << 8) | (page[pos + 2]! << 16) | (page[pos + 3]! << 24)) >>> 0;
  const end = pos + 4 + length;
  if (end > page.length) throw new Error('levels run past the page');
  readLevels(page, pos + 4, end, width, out);
  return end;
}

/**
 * Levels (bit width 1..8) in the RLE/bit-packed hybrid encoding at `bytes[pos, end)`, exactly
 * `out.length` of them; runs fill at native speed (levels are mostly long runs).
 */
export function readLevels(bytes: Uint8Array, pos: number, end: number, width: number, out: Uint8Array): void {
  const n = out.length;
  const mask = (1 << width) - 1;
  let i = 0;
  while (i < n) {
    let header = 0;
    let shift = 0;
    let b: number;
    do {
      if (pos >= end || shift > 28) throw new Error('levels run past their end');
      b = bytes[pos++]!;
      header += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (header % 2 === 0) {
      if (pos >= end) throw new Error('levels run past their end');
      const value = bytes[pos++]! & mask;
      const stop = Math.min(n, i + header / 2);
      out.fill(value, i, stop);
      i = stop;
    } else {
      const count = ((header - 1) / 2) * 8;
      const start = pos;
      pos += (count / 8) * width;
      if (pos > end) throw new Error('levels run past their end');
      for (let k = 0, bit = 0; k < count && i < n; k++, bit += width) {
        const at = start + (bit >> 3);
        const off = bit & 7;
        let v = bytes[at]! >> off;
        if (off + width > 8) v |= bytes[at + 1]! << (8 - off);
        out[i++] = v & mask;
      }
    }
  }
}
