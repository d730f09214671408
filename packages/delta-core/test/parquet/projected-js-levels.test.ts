// The level decoder of the JS projected decoder against its definition: random RLE/bit-packed
// hybrid streams built here, and hyparquet's general decoder on the same bytes.
import fc from 'fast-check';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { expect, it } from 'vitest';
import { readLevels, readPrefixedLevels } from '../../src/parquet/projected-js-levels.js';

type Run = { rle: true; value: number; count: number } | { rle: false; values: number[] };

function varint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/** The hybrid encoding of `runs` at `width` bits, and the levels it holds (bit-packed runs padded to 8). */
function encode(runs: readonly Run[], width: number): { bytes: Uint8Array; levels: number[] } {
  const out: number[] = [];
  const levels: number[] = [];
  for (const r of runs) {
    if (r.rle) {
      varint(r.count * 2, out);
      out.push(r.value);
      for (let i = 0; i < r.count; i++) levels.push(r.value);
    } else {
      const groups = Math.ceil(r.values.length / 8);
      varint(groups * 2 + 1, out);
      const padded = [...r.values, ...new Array<number>(groups * 8 - r.values.length).fill(0)];
      let acc = 0;
      let bits = 0;
      for (const v of padded) {
        acc |= v << bits;
        bits += width;
        while (bits >= 8) {
          out.push(acc & 0xff);
          acc >>>= 8;
          bits -= 8;
        }
      }
      levels.push(...padded);
    }
  }
  return { bytes: Uint8Array.from(out), levels };
}

const width = fc.integer({ min: 1, max: 8 });
const runs = (w: number) =>
  fc.array(
    fc.oneof(
      fc.record({ rle: fc.constant(true as const), value: fc.integer({ min: 0, max: (1 << w) - 1 }), count: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ rle: fc.constant(false as const), values: fc.array(fc.integer({ min: 0, max: (1 << w) - 1 }), { minLength: 1, maxLength: 40 }) }),
    ),
    { minLength: 1, maxLength: 30 },
  );

it('decodes random hybrid streams exactly, as hyparquet does', () => {
  fc.assert(
    fc.property(
      width.chain((w) => fc.tuple(fc.constant(w), runs(w))),
      ([w, rs]) => {
        const { bytes, levels } = encode(rs, w);
        // Any prefix of the values may be asked for (a page's count ends inside the padding).
        const n = levels.length - (rs.at(-1)!.rle ? 0 : Math.min(7, levels.length - 1));
        const out = new Uint8Array(n);
        readLevels(bytes, 0, bytes.length, w, out);
        expect([...out]).toEqual(levels.slice(0, n));
        const theirs = new Uint8Array(n);
        readRleBitPackedHybrid({ view: new DataView(bytes.buffer), offset: 0 }, w, theirs, bytes.length);
        expect([...out]).toEqual([...theirs]);
        // The V1 page form: a 4-byte length first; the end is returned.
        const prefixed = new Uint8Array(bytes.length + 6);
        new DataView(prefixed.buffer).setUint32(1, bytes.length, true);
        prefixed.set(bytes, 5);
        const again = new Uint8Array(n);
        expect(readPrefixedLevels(prefixed, 1, w, again)).toBe(5 + bytes.length);
        expect([...again]).toEqual([...out]);
      },
    ),
    { numRuns: 300 },
  );
});

it('rejects streams that end early', () => {
  const { bytes } = encode([{ rle: true, value: 1, count: 10 }], 1);
  expect(() => readLevels(bytes, 0, bytes.length, 1, new Uint8Array(11))).toThrow(/past their end/);
  expect(() => readLevels(bytes, 0, 1, 1, new Uint8Array(10))).toThrow(/past their end/);
});
