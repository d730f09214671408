import { tableFromArrays, vectorFromArray, Utf8, Bool, Float64, Int32, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { columnView } from '../../../src/expr/column-view.js';
import { bitsFor, interleaveBits, rangePartitionIds, sortByZValue, zOrder } from '../../../src/maintenance/optimize/zorder.js';

/**
 * The Z-order curve against cases from Delta's own suites (MultiDimClusteringFunctionsSuite,
 * RangePartitionIdSuite, InterleaveBitsSuite), and the compact interleaving used for sorting
 * against Spark's full 32-bit `interleave_bits`.
 */

function batchOf(columns: Record<string, unknown>): RecordBatch {
  return tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]).batches[0] as unknown as RecordBatch;
}

const ids = (values: unknown[], type: Utf8 | Bool | Float64 | Int32, numRanges: number) => {
  const b = batchOf({ c: vectorFromArray(values, type) });
  return Array.from(rangePartitionIds([columnView(b, ['c'])], numRanges));
};

const hex = (bytes: Uint8Array) => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');

describe('range_partition_id', () => {
  it('splits 0..19 into equal ranges whatever the input order (Spark: i / div)', () => {
    const data = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = [...data].sort((a, b) => ((a * 7919) % 20) - ((b * 7919) % 20));
    for (const div of [1, 2, 4, 5, 10, 20]) {
      expect(ids(shuffled, new Int32(), 20 / div)).toEqual(shuffled.map((i) => Math.floor(i / div)));
    }
  });

  it('0..11 into 2, 3, 4 and 6 partitions (RangePartitionerExpr basic)', () => {
    const data = Array.from({ length: 12 }, (_, i) => i);
    for (const p of [2, 3, 4, 6]) expect(ids(data, new Int32(), p)).toEqual(data.map((i) => Math.floor(i / (12 / p))));
  });

  it('strings and ints of two columns (a..d into 2 ranges, 10..40 into 4)', () => {
    expect(ids(['c', 'a', 'd', 'b'], new Utf8(), 2)).toEqual([1, 0, 1, 0]);
    expect(ids([30, 10, 40, 20], new Int32(), 4)).toEqual([2, 0, 3, 1]);
  });

  it('nulls get range 0; a column of nulls is all 0; more ranges than values', () => {
    expect(ids(['a', null, 'b', null], new Utf8(), 10)).toEqual([0, 0, 1, 0]);
    expect(ids([null, null], new Utf8(), 10)).toEqual([0, 0]);
    expect(ids([5], new Int32(), 1000)).toEqual([0]);
    expect(ids([], new Int32(), 1000)).toEqual([]);
  });

  it('doubles: NaN above every number, -0 equal to 0; booleans false < true', () => {
    expect(ids([Number.NaN, 1, -0, 0, Infinity, -Infinity], new Float64(), 6)).toEqual([4, 2, 1, 1, 3, 0]);
    expect(ids([true, false], new Bool(), 2)).toEqual([1, 0]);
    // Boundaries are sample values reached at each quantile (Spark's determineBounds): false, true, true
    // into two ranges puts the boundary at true, so every row is in range 0.
    expect(ids([true, false, true], new Bool(), 2)).toEqual([0, 0, 0]);
  });

  it('strings compare by unsigned UTF-8 bytes (as Spark), not UTF-16 code units', () => {
    // U+FF5E (3 bytes EF BD 9E) sorts below U+1F600 (4 bytes F0 9F 98 80) by bytes, above it by UTF-16 units.
    expect(ids(['\u{1F600}', '\uFF5E'], new Utf8(), 2)).toEqual([1, 0]);
  });

  it('across several batches, the same ids as over one', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const whole = ids(values, new Int32(), 10);
    const parts = [values.slice(0, 300), values.slice(300, 301), values.slice(301)].map((v) => columnView(batchOf({ c: Int32Array.from(v) }), ['c']));
    expect(Array.from(rangePartitionIds(parts, 10))).toEqual(whole);
    expect(whole.map((id, i) => id === Math.floor(values[i]! / 100))).not.toContain(false);
  });
});

describe('interleave_bits', () => {
  it("Spark's cases: 2, 3 and 9 inputs, one input as big-endian bytes, nulls as 0", () => {
    expect(hex(interleaveBits([0x000ff0ff, 0xfff00f00 | 0]))).toBe('555555aaaa55aaaa');
    expect(hex(interleaveBits([0xff00, 0x00ff, 0]))).toBe('000000000000924924492492');
    const nine = [0xff00, 0x00ff, 0, 0xff00, 0x00ff, 0, 0xff00, 0x00ff, 0];
    expect(hex(interleaveBits(nine))).toBe('00'.repeat(18) + '924924924924924924' + '492492492492492492');
    expect(hex(interleaveBits([0x12345678]))).toBe('12345678');
    expect(hex(interleaveBits([0xffffffff | 0, 0]))).toBe('aa'.repeat(8));
    expect(hex(interleaveBits([0, 0xffffffff | 0]))).toBe('55'.repeat(8));
    for (let n = 1; n <= 7; n++) expect(hex(interleaveBits(new Array(n).fill(1)))).toBe('00'.repeat(4 * n - 1) + ((1 << n) - 1).toString(16).padStart(2, '0'));
  });

  it('range ids of (false, 0, "0") and (true, 1, "1") interleave to 0 and 7', () => {
    const b = batchOf({ c1: vectorFromArray([false, true], new Bool()), c2: Int32Array.from([0, 1]), c3: vectorFromArray(['0', '1'], new Utf8()) });
    const r = ['c1', 'c2', 'c3'].map((c) => rangePartitionIds([columnView(b, [c])], 2));
    expect(hex(interleaveBits([r[0]![0]!, r[1]![0]!, r[2]![0]!]))).toBe('00'.repeat(12));
    expect(hex(interleaveBits([r[0]![1]!, r[1]![1]!, r[2]![1]!]))).toBe('00'.repeat(11) + '07');
  });

  it('sortByZValue orders rows as Spark orders their interleave_bits bytes (1 to 7 columns, both internal paths)', () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let cols = 1; cols <= 7; cols++) {
      const n = 3000;
      const data = Array.from({ length: cols }, () => Int32Array.from({ length: n }, () => rand(1000)));
      const perm = Array.from(sortByZValue(data, bitsFor(999)));
      const keys = Array.from({ length: n }, (_, i) => hex(interleaveBits(data.map((c) => c[i]!))));
      const reference = Array.from({ length: n }, (_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
      expect(perm, `${cols} columns`).toEqual(reference);
    }
  });

  it('zOrder reads only the top-level columns of its (nested) paths and returns a permutation', async () => {
    const order = zOrder([{ path: ['s', 'x'] }, { path: ['y'] }], { numRanges: 4 });
    expect(order.columns).toEqual(['s', 'y']);
    const b = batchOf({ y: Int32Array.from([3, 2, 1, 0]) });
    const perm = await order.permutation([b]);
    expect(Array.from(perm)).toEqual([3, 2, 1, 0]); // s missing in the batch reads as null (range 0)
  });
});
