/**
 * Range partition ids and clustering keys, with the cases of Delta Spark's
 * MultiDimClusteringFunctionsSuite (`range_partition_id`).
 */
import { describe, expect, it } from 'vitest';
import { columnView } from '../../../src/expr/column-view.js';
import { clusteringKeys, orderByKey, rangeIds } from '../../../src/maintenance/clustering/order.js';
import { HilbertCurve } from '../../../src/maintenance/clustering/hilbert.js';
import { parseDdlSchema } from '../../../src/schema/ddl.js';
import { rowsToBatch } from '../../../src/write/rows-to-arrow.js';

function shuffled<T>(xs: readonly T[], seed = 1): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Range ids of a column given as JS values (one batch per `split` rows). */
function ids(type: string, values: readonly unknown[], numRanges: number, split = values.length): number[] {
  const schema = parseDdlSchema(`c ${type}`);
  const views = [];
  for (let i = 0; i < values.length || i === 0; i += Math.max(1, split)) {
    views.push(columnView(rowsToBatch(values.slice(i, i + split).map((c) => ({ c })), schema), ['c']));
    if (values.length === 0) break;
  }
  return Array.from(rangeIds(views, numRanges));
}

describe('rangeIds (range_partition_id)', () => {
  it('splits 0..19 into 20/div ranges: value i gets i / div (Spark\'s "simple" case)', () => {
    const data = Array.from({ length: 20 }, (_, i) => i);
    for (const div of [1, 2, 4, 5, 10, 20]) {
      const input = shuffled(data, div);
      expect(ids('INT', input, 20 / div, 7)).toEqual(input.map((i) => Math.floor(i / div)));
    }
  });

  it('strings and ints in one table: (a,b,c,d) in 2 ranges, (10,20,30,40) in 4 (Spark\'s "two columns" case)', () => {
    const order = shuffled([0, 1, 2, 3], 3);
    expect(ids('STRING', order.map((i) => 'abcd'[i]), 2)).toEqual(order.map((i) => (i < 2 ? 0 : 1)));
    expect(ids('BIGINT', order.map((i) => BigInt(10 * (i + 1))), 4)).toEqual(order);
  });

  it('corner cases: more ranges than values, no rows, nulls first in range 0', () => {
    expect(ids('BIGINT', [0n], 1000)).toEqual([0]);
    expect(ids('BIGINT', [], 1000)).toEqual([]);
    expect(ids('STRING', ['a', null, 'b', null], 10)).toEqual([0, 0, 1, 0]);
    expect(ids('STRING', [null], 10)).toEqual([0]);
  });

  it('orders every supported type as Spark does: negative numbers, NaN last, decimals, dates, timestamps, UTF-8 bytes', () => {
    expect(ids('DOUBLE', [3.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 0], 5)).toEqual([2, 0, 4, 3, 1]);
    expect(ids('BIGINT', [-(2n ** 62n), 2n ** 62n, -1n, 0n], 4)).toEqual([0, 3, 1, 2]);
    expect(ids('DECIMAL(38,2)', ['-12345678901234567890.12', '0.01', '-0.01', '99999999999999999999.99'], 4)).toEqual([0, 2, 1, 3]);
    expect(ids('DATE', ['2024-01-02', '1969-12-31', '2024-01-01'], 3)).toEqual([2, 0, 1]);
    expect(ids('TIMESTAMP', ['2024-01-01T00:00:00.000002Z', '2024-01-01T00:00:00.000001Z', '1900-01-01T00:00:00Z'], 3)).toEqual([2, 1, 0]);
    // U+FF61 (3 UTF-8 bytes, EF BD A1) sorts below U+1F600 (4 bytes, F0 ...) bytewise, although UTF-16 orders them the other way.
    expect(ids('STRING', ['\u{1F600}', '\uFF61', 'z'], 3)).toEqual([2, 1, 0]);
  });

  it('keeps ranges balanced on skewed data and never exceeds numRanges - 1', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i < 5000 ? 7 : i));
    const r = ids('INT', shuffled(values), 100, 1024);
    expect(Math.max(...r)).toBeLessThan(100);
    // Half the rows share one value: they share one range, and the rest still spread over the others.
    const counts = new Map<number, number>();
    for (const x of r) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBe(5000);
    expect(counts.size).toBeGreaterThan(45);
  });
});

describe('clustering keys and their order', () => {
  it('one column orders by its range id; several by the Hilbert position of their ids (10 bits for 1000 ranges)', () => {
    const a = Int32Array.from([5, 1, 999, 0]);
    const b = Int32Array.from([3, 900, 2, 0]);
    expect(Array.from(clusteringKeys([a]))).toEqual([5, 1, 999, 0]);
    const curve = new HilbertCurve(2, 10);
    expect(Array.from(clusteringKeys([a, b]))).toEqual([0, 1, 2, 3].map((i) => curve.index([a[i]!, b[i]!])));
  });

  it('orderByKey sorts like a stable comparison sort', () => {
    let s = 9;
    const keys = Float64Array.from({ length: 100_000 }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s % 5000) * 2 ** 27 + (s % 7);
    });
    const expected = Array.from(keys.keys()).sort((x, y) => keys[x]! - keys[y]! || x - y);
    expect(Array.from(orderByKey(keys))).toEqual(expected);
    expect(Array.from(orderByKey(new Float64Array(0)))).toEqual([]);
    expect(Array.from(orderByKey(Float64Array.from([0, 0, 0])))).toEqual([0, 1, 2]);
  });
});
