import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { viewOf, scalarAt } from '../../src/expr/column-view.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import {
  buildPartitionColumn,
  javaFloatingString,
  parsePartitionValue,
  serializePartitionValue,
} from '../../src/schema/partition-values.js';
import { decimal, primitive, type DataType } from '../../src/schema/types.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { isDeltaError } from '../../src/errors.js';
import { deltaRs, describeFixtures, golden, goldenExpected, kernel } from '../fixtures.js';
import { loadTable, readFileWithPartitions } from './helpers.js';

const parquet = createParquetHandler(new LocalFileSystemStore(), { workers: 0 });

async function readExpected(name: string): Promise<RecordBatch[]> {
  const dir = goldenExpected(name);
  const out: RecordBatch[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.parquet'))) {
    for await (const b of parquet.readBatches({ path: `${dir}/${f}` })) out.push(b);
  }
  return out;
}

/** Rows of a column keyed by another column, read through typed views (exact µs for timestamps). */
function keyed(batches: RecordBatch[], key: string, value: string): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const b of batches) {
    const k = viewOf(b.getChild(key)!.data[0]!);
    const v = viewOf(b.getChild(value)!.data[0]!);
    for (let i = 0; i < b.numRows; i++) {
      const kk = k.valid && !k.valid[i] ? 'null' : String(scalarAt(k, i));
      m.set(kk, v.valid && !v.valid[i] ? null : scalarAt(v, i));
    }
  }
  return m;
}

const ts = primitive('timestamp');

describe('parsePartitionValue', () => {
  it('treats null, absent and "" as null for every type, and "null" as a real string', () => {
    for (const t of [primitive('string'), primitive('integer'), ts, decimal(5, 2), primitive('date')] as DataType[]) {
      expect(parsePartitionValue('', t)).toBeNull();
      expect(parsePartitionValue(null, t)).toBeNull();
      expect(parsePartitionValue(undefined, t)).toBeNull();
    }
    expect(parsePartitionValue('null', primitive('string'))).toBe('null');
  });

  it('parses numbers exactly, including foreign integral forms and Java float text', () => {
    expect(parsePartitionValue('9223372036854775807', primitive('long'))).toBe(9223372036854775807n);
    expect(parsePartitionValue('2021.0', primitive('long'))).toBe(2021n);
    expect(parsePartitionValue('-5', primitive('byte'))).toBe(-5);
    expect(parsePartitionValue('1.0E10', primitive('double'))).toBe(1e10);
    expect(parsePartitionValue('NaN', primitive('double'))).toBeNaN();
    expect(parsePartitionValue('0.1', primitive('float'))).toBe(Math.fround(0.1));
    expect(parsePartitionValue('234.00000', decimal(8, 5))).toEqual({ unscaled: 23400000n, scale: 5 });
    expect(parsePartitionValue('TRUE', primitive('boolean'))).toBe(true);
  });

  it('rejects values that are not of the type with CORRUPT_LOG naming the column', () => {
    const err = (() => {
      try {
        parsePartitionValue('abc', primitive('integer'), { column: 'p' });
      } catch (e) {
        return e;
      }
    })();
    expect(isDeltaError(err, 'CORRUPT_LOG')).toBe(true);
    expect((err as Error).message).toMatch(/"abc" of column "p" is not a valid integer/);
    expect(() => parsePartitionValue('300', primitive('byte'))).toThrow(/out of range/);
    expect(() => parsePartitionValue('1.234', decimal(5, 2))).toThrow(/more than 2 fraction digits/);
  });

  it('reads legacy timestamps in the session zone, honouring DST like java.time', () => {
    const utc = (s: string) => BigInt(Date.parse(s)) * 1000n;
    const la = { timeZone: 'America/Los_Angeles' };
    expect(parsePartitionValue('2021-01-08 11:11:11', ts, la)).toBe(utc('2021-01-08T19:11:11Z'));
    expect(parsePartitionValue('2021-09-08 11:11:11.000123', ts, la)).toBe(utc('2021-09-08T18:11:11Z') + 123n);
    // 02:30 does not exist on 2021-03-14 in LA: moved forward by the gap, like LocalDateTime.atZone
    expect(parsePartitionValue('2021-03-14 02:30:00', ts, la)).toBe(utc('2021-03-14T10:30:00Z'));
    // 01:30 happens twice on 2021-11-07: the earlier instant (PDT) wins
    expect(parsePartitionValue('2021-11-07 01:30:00', ts, la)).toBe(utc('2021-11-07T08:30:00Z'));
    expect(parsePartitionValue('2021-11-07 01:30:00', ts)).toBe(utc('2021-11-07T01:30:00Z'));
    expect(parsePartitionValue('1970-01-01T00:00:00.123456Z', ts, la)).toBe(123456n);
    expect(parsePartitionValue('2021-09-08T11:11:11+02:00', ts)).toBe(utc('2021-09-08T09:11:11Z'));
    expect(parsePartitionValue('0001-01-01 00:00:00', ts)).toBe(-62135596800000000n);
    expect(() => parsePartitionValue('2021-01-01', ts, { timeZone: 'Mars/Base' })).toThrow(/Unknown time zone/);
  });

  it('round-trips through serializePartitionValue in the recommended forms', () => {
    const cases: Array<[string, DataType, string]> = [
      ['1970-01-01 00:00:00.123456', ts, '1970-01-01T00:00:00.123456Z'],
      ['2013-07-05 17:01:00.123456', primitive('timestamp_ntz'), '2013-07-05 17:01:00.123456'],
      ['-0.00004', decimal(10, 5), '-0.00004'],
      ['1.0E10', primitive('double'), '1.0E10'],
      ['9.9', primitive('float'), '9.9'],
      ['0.001', primitive('double'), '0.001'],
      ['1.0E-4', primitive('double'), '1.0E-4'],
      ['1234567.0', primitive('double'), '1234567.0'],
      ['1969-12-31', primitive('date'), '1969-12-31'],
      ['\u0001\u0002', primitive('binary'), '\u0001\u0002'],
    ];
    for (const [text, type, written] of cases) {
      const v = parsePartitionValue(text, type);
      expect(serializePartitionValue(v, type)).toBe(written);
      expect(parsePartitionValue(written, type)).toEqual(v);
    }
    expect(javaFloatingString(Math.fround(0.1), true)).toBe('0.1');
    expect(javaFloatingString(1e7, false)).toBe('1.0E7');
    expect(serializePartitionValue(null, ts)).toBeNull();
  });

  it('builds constant Arrow columns with the right types and nulls', () => {
    const long = buildPartitionColumn(5n, primitive('long'), 3);
    expect(long.values).toEqual(new BigInt64Array([5n, 5n, 5n]));
    const str = buildPartitionColumn('héllo', primitive('string'), 2);
    expect(String(str.type)).toBe('Utf8');
    const strView = viewOf(str);
    expect(new TextDecoder().decode(scalarAt(strView, 1) as Uint8Array)).toBe('héllo');
    for (const n of [0, 1, 2, 7, 1000, 65_537]) {
      const col = buildPartitionColumn('héllo', primitive('string'), n);
      expect(new TextDecoder().decode(col.values as Uint8Array)).toBe('héllo'.repeat(n));
      expect(col.valueOffsets[n]).toBe(n * 6);
    }
    const dec = viewOf(buildPartitionColumn({ unscaled: -12345n, scale: 2 }, decimal(38, 2), 2));
    expect(scalarAt(dec, 1)).toEqual({ unscaled: -12345n, scale: 2 });
    const tsCol = buildPartitionColumn(-1n, ts, 1);
    expect(String(tsCol.type)).toBe('Timestamp<MICROSECOND, UTC>');
    const nulls = buildPartitionColumn(null, primitive('date'), 10);
    expect(nulls.nullCount).toBe(10);
    expect(viewOf(nulls).valid).toEqual(new Uint8Array(10));
    expect(viewOf(buildPartitionColumn(true, primitive('boolean'), 9)).kind).toBe('bool');
    expect(scalarAt(viewOf(buildPartitionColumn(true, primitive('boolean'), 9)), 8)).toBe(true);
  });
});

describeFixtures('partition values of real tables', () => {
  it('data-reader-partition-values: legacy timestamps in the writer zone match the expected rows', async () => {
    const t = loadTable(golden('data-reader-partition-values'));
    const expected = keyed(await readExpected('data-reader-partition-values'), 'as_int', 'as_timestamp');
    const expectedDec = keyed(await readExpected('data-reader-partition-values'), 'as_int', 'as_big_decimal');
    const fieldType = (n: string) => t.schema.fields.find((f) => f.name === n)!.type;
    expect(t.adds).toHaveLength(3);
    for (const add of t.adds) {
      const asInt = parsePartitionValue(add.partitionValues['as_int'], fieldType('as_int'));
      const got = parsePartitionValue(add.partitionValues['as_timestamp'], fieldType('as_timestamp'), { timeZone: 'America/Los_Angeles' });
      expect(got).toEqual(expected.get(String(asInt)));
      expect(parsePartitionValue(add.partitionValues['as_big_decimal'], fieldType('as_big_decimal'))).toEqual(expectedDec.get(String(asInt)));
      if (asInt !== null) expect(parsePartitionValue(add.partitionValues['as_string_lit_null'], primitive('string'))).toBe('null');
    }
  });

  it('kernel-timestamp-pst: legacy values read as UTC match the expected rows', async () => {
    const t = loadTable(golden('kernel-timestamp-pst'));
    const expected = keyed(await readExpected('kernel-timestamp-pst'), 'id', 'part');
    let checked = 0;
    for (const add of t.adds) {
      const batch = await readFileWithPartitions(t, add);
      const ids = viewOf(batch.getChild('id')!.data[0]!);
      const part = parsePartitionValue(add.partitionValues['part'], ts);
      for (let i = 0; i < batch.numRows; i++) {
        expect(part).toEqual(expected.get(String(scalarAt(ids, i))));
        checked++;
      }
    }
    expect(checked).toBe(5);
  });

  it('timestamp-partitioned-table: ISO-8601 values with Z', () => {
    const t = loadTable(kernel('timestamp-partitioned-table'));
    const v = parsePartitionValue(t.adds[0]!.partitionValues['time'], ts, { timeZone: 'Asia/Tokyo' });
    expect(v).toBe(BigInt(Date.UTC(1971, 6, 22, 3, 6, 40)) * 1000n);
  });

  it('data-reader-escaped-chars: values are taken verbatim from the log and match the expected rows', async () => {
    const t = loadTable(golden('data-reader-escaped-chars'));
    const values = t.adds.map((a) => parsePartitionValue(a.partitionValues['_2'], primitive('string'))).sort();
    const batches = await readExpected('data-reader-escaped-chars');
    const expected = batches.flatMap((b) => {
      const v = viewOf(b.getChild('_2')!.data[0]!);
      return Array.from({ length: b.numRows }, (_, i) => new TextDecoder().decode(scalarAt(v, i) as Uint8Array));
    });
    expect(values).toEqual([...new Set(expected)].sort());
  });

  it('delta-0.8.0-null-partition: JSON null partition values are null', () => {
    const t = loadTable(deltaRs('delta-0.8.0-null-partition'));
    const parsed = t.adds.map((a) => parsePartitionValue(a.partitionValues['k'], primitive('string'))).sort();
    expect(parsed).toEqual(['A', null]);
  });
});
