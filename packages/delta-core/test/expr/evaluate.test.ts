import { describe, expect, it } from 'vitest';
import {
  Bool,
  DateDay,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  RecordBatch,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import { bindPredicate } from '../../src/expr/binder.js';
import { evaluatePredicate } from '../../src/expr/compile.js';
import { filterBatch } from '../../src/expr/filter.js';
import { parsePredicate } from '../../src/expr/parse.js';
import { buildPartitionColumn } from '../../src/schema/partition-values.js';
import { decimal, field, primitive, struct, type StructType } from '../../src/schema/types.js';

// 6 rows; nulls placed so that every predicate meets some.
const ids = [1n, 2n, null, 4n, 5n, 6n];
const xs = [1.5, NaN, 3, null, -0, 10];
const names = ['apple', null, 'banana', 'äpfel', '', 'apple'];
const days = [0, 1, 2, null, 4, 5];
const tsMs = [0, 1, null, 3, 4, 5]; // stored in ms to exercise unit conversion
const flags = [true, false, null, true, false, true];
const inner = [1, 2, 3, 4, null, 6];
const structValid = [true, true, true, false, true, true];

function dataOf(values: unknown[], type: ConstructorParameters<typeof Field>[1]): Data {
  return vectorFromArray(values, type).data[0]!;
}

/** Date32 built from day numbers (vectorFromArray would read numbers as milliseconds). */
function dateData(values: Array<number | null>): Data {
  const bitmap = new Uint8Array(1);
  values.forEach((v, i) => (bitmap[0]! |= v === null ? 0 : 1 << i));
  const nullCount = values.filter((v) => v === null).length;
  return makeData({ type: new DateDay(), length: values.length, nullCount, nullBitmap: bitmap, data: Int32Array.from(values, (v) => v ?? 0) });
}

function makeBatch(): RecordBatch {
  const sInner = dataOf(inner, new Int32());
  const sType = new Struct([new Field('y', new Int32(), true)]);
  const sBitmap = new Uint8Array(1);
  structValid.forEach((v, i) => (sBitmap[0]! |= v ? 1 << i : 0));
  const sData = makeData({ type: sType, length: 6, nullCount: 1, nullBitmap: sBitmap, children: [sInner] });
  const cols: Array<[string, Data]> = [
    ['id', dataOf(ids, new Int64())],
    ['x', dataOf(xs, new Float64())],
    ['name', dataOf(names, new Utf8())],
    ['cat', dataOf(names, new Dictionary(new Utf8(), new Int32()))],
    ['d', dateData(days)],
    ['ts', dataOf(tsMs.map((v) => (v === null ? null : BigInt(v))), new Timestamp(TimeUnit.MILLISECOND, 'UTC'))],
    ['flag', dataOf(flags, new Bool())],
    ['s', sData],
    ['price', buildPartitionColumn({ unscaled: 1999n, scale: 2 }, decimal(10, 2), 6)],
    ['tags', dataOf([[1], [], null, [2, 3], [4], [5, 6, 7]], new List(new Field('element', new Int32(), true)))],
  ];
  const fields = cols.map(([n, d]) => new Field(n, d.type, true));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 6, nullCount: 0, children: cols.map(([, d]) => d) }));
}

const schema: StructType = struct([
  field('id', primitive('long')),
  field('x', primitive('double')),
  field('name', primitive('string')),
  field('cat', primitive('string')),
  field('d', primitive('date')),
  field('ts', primitive('timestamp')),
  field('flag', primitive('boolean')),
  field('s', struct([field('y', primitive('integer'))])),
  field('price', decimal(10, 2)),
  field('tags', { kind: 'array', elementType: primitive('integer'), containsNull: true }),
]);

const batch = makeBatch();
const rows = (where: string, b: RecordBatch = batch): number[] => {
  const mask = evaluatePredicate(bindPredicate(parsePredicate(where), schema), b);
  return [...mask].flatMap((m, i) => (m ? [i] : []));
};

describe('evaluatePredicate', () => {
  it('compares numbers and longs with SQL null semantics', () => {
    expect(rows('id > 2')).toEqual([3, 4, 5]);
    expect(rows('id != 2')).toEqual([0, 3, 4, 5]);
    expect(rows('id = 1.5')).toEqual([]);
    expect(rows('NOT id = 1.5')).toEqual([0, 1, 3, 4, 5]);
    expect(rows('id <=> NULL')).toEqual([2]);
    expect(rows('id IS NOT NULL AND id < 3')).toEqual([0, 1]);
  });

  it('orders NaN above every number and equal to itself, and -0 equal to 0', () => {
    expect(rows('x > 5')).toEqual([1, 5]);
    expect(rows('x = x')).toEqual([0, 1, 2, 4, 5]);
    expect(rows('x > 1.7976931348623157e308')).toEqual([1]); // the largest double; only NaN is above it (1e400 is a PARSE_ERROR, as in Spark)
    expect(rows('x = 0')).toEqual([4]);
    expect(rows('x < 2')).toEqual([0, 4]);
  });

  it('compares strings by UTF-8 bytes, also through dictionaries', () => {
    expect(rows("name = 'apple'")).toEqual([0, 5]);
    expect(rows("name > 'b'")).toEqual([2, 3]); // 'ä' (C3 A4) sorts after ASCII
    expect(rows("name < 'a'")).toEqual([4]);
    expect(rows("cat IN ('banana', '')")).toEqual([2, 4]);
    expect(rows("cat NOT IN ('apple', NULL)")).toEqual([]);
    expect(rows("cat NOT IN ('apple')")).toEqual([2, 3, 4]);
  });

  it('handles dates, timestamps in other units, booleans, decimals and nested fields', () => {
    expect(rows("d >= '1970-01-03'")).toEqual([2, 4, 5]);
    expect(rows("ts > TIMESTAMP '1970-01-01T00:00:00.003Z'")).toEqual([4, 5]);
    expect(rows("ts = TIMESTAMP '1970-01-01T00:00:00.003Z'")).toEqual([3]);
    expect(rows('flag')).toEqual([0, 3, 5]);
    expect(rows('NOT flag')).toEqual([1, 4]);
    expect(rows('price = 19.99 AND price > 19.98 AND price < 20')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows('s.y > 2')).toEqual([2, 5]); // row 3 has y = 4 but its struct is null
    expect(rows('s.y IS NULL')).toEqual([3, 4]);
    expect(rows('tags IS NULL')).toEqual([2]);
  });

  it('applies three-valued AND / OR / NOT', () => {
    // row 2: id null, flag null; row 1: x NaN
    expect(rows('id > 100 OR flag')).toEqual([0, 3, 5]);
    expect(rows('NOT (id > 100 OR flag)')).toEqual([1, 4]);
    expect(rows('NOT (id > 1 AND flag)')).toEqual([0, 1, 4]);
  });
});

describe('filterBatch', () => {
  it('gathers selected rows of every column type, keeping nulls', () => {
    const mask = Uint8Array.of(1, 0, 1, 1, 0, 1);
    const out = filterBatch(batch, mask);
    expect(out.numRows).toBe(4);
    const col = (n: string) => Array.from({ length: out.numRows }, (_, i) => out.getChild(n)!.get(i));
    expect(col('id')).toEqual([1n, null, 4n, 6n]);
    expect(col('name')).toEqual(['apple', 'banana', 'äpfel', 'apple']);
    expect(col('cat')).toEqual(['apple', 'banana', 'äpfel', 'apple']);
    expect(col('flag')).toEqual([true, null, true, true]);
    expect(col('d')).toEqual([0, 2 * 86_400_000, null, 5 * 86_400_000]);
    expect(col('tags').map((v) => (v === null ? null : [...(v as Iterable<number>)]))).toEqual([[1], null, [2, 3], [5, 6, 7]]);
    expect(col('s').map((v) => (v === null ? null : (v as { y: number }).y))).toEqual([1, 3, null, 6]);
    expect(out.getChild('price')!.data[0]!.values).toHaveLength(16);
    // filtering the filtered batch by a predicate still works (offsets rebuilt correctly)
    expect(rows("name = 'apple'", out)).toEqual([0, 3]);
  });

  it('returns the batch itself, an empty batch, or a zero-copy slice for contiguous runs', () => {
    expect(filterBatch(batch, new Uint8Array(6).fill(1))).toBe(batch);
    expect(filterBatch(batch, new Uint8Array(6)).numRows).toBe(0);
    const run = filterBatch(batch, Uint8Array.of(0, 1, 1, 1, 0, 0));
    expect(run.numRows).toBe(3);
    expect(rows('flag', run)).toEqual([2]);
    const sliced = filterBatch(run, Uint8Array.of(1, 0, 1));
    expect(Array.from({ length: 2 }, (_, i) => sliced.getChild('flag')!.get(i))).toEqual([false, true]);
    expect(Array.from({ length: 2 }, (_, i) => sliced.getChild('name')!.get(i))).toEqual([null, 'äpfel']);
  });
});
