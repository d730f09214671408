import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Decimal, Field, Int32, RecordBatch, Schema, Struct, TimeUnit, Timestamp, makeData, tableFromArrays, vectorFromArray } from 'apache-arrow';
import type { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import type { Metadata, Protocol } from '../../src/log/actions.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { parseSchemaString } from '../../src/schema/json.js';
import { decimal, field, primitive, struct } from '../../src/schema/types.js';
import type { StructType } from '../../src/schema/types.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { StatsCollector, collectStats, parseStatsColumns, statsOptionsFromMetadata, truncateMaxString, truncateMinString } from '../../src/write/stats-collector.js';
import type { StatsCollectorOptions } from '../../src/write/stats-collector.js';
import { formatJavaBigDecimal, formatJavaDouble, formatJavaFloat, formatTimestampMicros } from '../../src/write/stats-format.js';
import { describeFixtures, FIXTURES, golden, kernel } from '../fixtures.js';

const parquet = createParquetHandler(new LocalFileSystemStore(), { workers: 0 });
afterAll(() => parquet.close());

interface LoggedFile {
  path: string;
  stats: string;
  metadata: Metadata;
  protocol: Protocol;
}

/** Adds with stats (and no deletion vector) of a table's commits, with the metadata in force. */
function loggedFiles(root: string): LoggedFile[] {
  const out: LoggedFile[] = [];
  let metadata: Metadata | undefined;
  let protocol: Protocol | undefined;
  for (const f of readdirSync(root + '/_delta_log').filter((n) => /^\d{20}\.json$/.test(n)).sort()) {
    for (const line of readFileSync(`${root}/_delta_log/${f}`, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const a = JSON.parse(line);
      if (a.metaData) metadata = a.metaData;
      if (a.protocol) protocol = a.protocol;
      if (a.add?.stats && !a.add.deletionVector && metadata && protocol) out.push({ path: `${root}/${decodeURIComponent(a.add.path)}`, stats: a.add.stats, metadata, protocol });
    }
  }
  return out;
}

async function readAll(path: string): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of parquet.readBatches({ path })) out.push(b);
  return out;
}

async function statsOf(file: LoggedFile, split = 1): Promise<string> {
  const schema = parseSchemaString(file.metadata.schemaString);
  const batches = (await readAll(file.path)).flatMap((b) => sliceInto(b, split));
  return collectStats(batches, statsOptionsFromMetadata(file.metadata, schema, file.protocol));
}

/** `batch` cut into `parts` slices (non-zero offsets exercise bitmap offset handling). */
function sliceInto(batch: RecordBatch, parts: number): RecordBatch[] {
  if (parts === 1) return [batch];
  const step = Math.ceil(batch.numRows / parts);
  const out: RecordBatch[] = [];
  for (let s = 0; s < batch.numRows; s += step) out.push(batch.slice(s, Math.min(batch.numRows, s + step)));
  return out;
}

/** Spark writes timestamps in its session zone; the same instant in UTC is what we write. */
function timestampsToUtc(stats: string): string {
  return stats.replace(/"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})([+-]\d\d:\d\d|Z)"/g, (_m, local: string, zone: string) => `"${new Date(local + zone).toISOString()}"`);
}

describeFixtures('stats against the stats Spark wrote', () => {
  const exact = [kernel('stats-writing-all-types/delta'), golden('parquet-all-types'), golden('basic-decimal-table'), golden('table-with-columnmapping-mode-name'), kernel('timestamp-truncation-stats'), golden('data-reader-timestamp_ntz')];

  it.each(exact)('reproduces the add.stats of %s byte for byte', async (root) => {
    const files = loggedFiles(root);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(await statsOf(f), f.path).toBe(f.stats);
  });

  it('reproduces the stats of every golden table with stats, timestamps compared as instants', async () => {
    let n = 0;
    for (const name of readdirSync(`${FIXTURES}/golden`)) {
      const root = golden(name);
      if (!existsSync(root + '/_delta_log')) continue;
      for (const f of loggedFiles(root)) {
        if (!existsSync(f.path)) continue;
        expect(await statsOf(f), f.path).toBe(timestampsToUtc(f.stats));
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  it('accumulates over many batches with sliced (offset) buffers', async () => {
    for (const root of [kernel('stats-writing-all-types/delta'), golden('parquet-all-types')]) {
      for (const f of loggedFiles(root)) expect(await statsOf(f, 3), f.path).toBe(f.stats);
    }
  });
});

describe('string truncation', () => {
  const a32 = 'a'.repeat(32);

  it('keeps strings up to the prefix length', () => {
    expect(truncateMinString(a32)).toBe(a32);
    expect(truncateMaxString(a32)).toBe(a32);
  });

  it('cuts the min at 32 code points, never inside a surrogate pair', () => {
    expect(truncateMinString(a32 + 'b')).toBe(a32);
    const emoji = '😀'.repeat(40);
    expect(truncateMinString(emoji)).toBe('😀'.repeat(32));
  });

  it('bounds the max with U+007F when the next character is below it', () => {
    expect(truncateMaxString(a32 + 'bc')).toBe(a32 + '\u007f');
  });

  it('bounds the max with U+10FFFF when the next character is U+007F or above', () => {
    expect(truncateMaxString(a32 + '\u007fz')).toBe(a32 + '\u{10ffff}');
    expect(truncateMaxString(a32 + 'é')).toBe(a32 + '\u{10ffff}');
  });

  it('extends the prefix over U+10FFFF characters and gives up after twice the prefix', () => {
    expect(truncateMaxString(a32 + '\u{10ffff}' + 'x')).toBe(a32 + '\u{10ffff}' + '\u007f');
    expect(truncateMaxString(a32 + '\u{10ffff}'.repeat(16))).toBe(a32 + '\u{10ffff}'.repeat(16));
    expect(truncateMaxString(a32 + '\u{10ffff}'.repeat(16) + 'x')).toBe(a32 + '\u{10ffff}'.repeat(16) + '\u007f');
    expect(truncateMaxString(a32 + '\u{10ffff}'.repeat(17) + 'x')).toBeUndefined();
  });

  it('does not split a surrogate pair at the cut', () => {
    const s = 'a'.repeat(31) + '😀' + 'zz';
    expect(truncateMaxString(s)).toBe('a'.repeat(31) + '😀' + '\u007f');
  });

  it('every bound is an upper bound in UTF-8 byte order', () => {
    const enc = new TextEncoder();
    const cmp = (x: string, y: string) => Buffer.compare(enc.encode(x), enc.encode(y));
    for (const s of [a32 + '~~~', a32 + '\u007f\u007f', a32 + '\uffff', a32 + '😀😀', 'é'.repeat(40), '\u{10ffff}'.repeat(20) + 'b']) {
      const max = truncateMaxString(s);
      if (max !== undefined) expect(cmp(max, s)).toBeGreaterThanOrEqual(0);
      expect(cmp(truncateMinString(s), s)).toBeLessThanOrEqual(0);
    }
  });
});

function batchOf(table: Table): RecordBatch[] {
  return table.batches;
}

describe('StatsCollector on constructed data', () => {
  const schema: StructType = struct([field('id', primitive('long')), field('s', primitive('string')), field('f', primitive('float')), field('d', primitive('double'))]);

  it('follows Spark for NaN (largest value) and truncates long strings', () => {
    const t = tableFromArrays({
      id: BigInt64Array.from([5n, -9007199254740993n, 9223372036854775807n]),
      s: ['z'.repeat(40), 'a', 'm'],
      f: Float32Array.from([3.14, NaN, -0.5]),
      d: Float64Array.from([NaN, NaN, NaN]),
    });
    expect(collectStats(batchOf(t), { schema })).toBe(
      '{"numRecords":3,"minValues":{"id":-9007199254740993,"s":"a","f":-0.5,"d":"NaN"},"maxValues":{"id":9223372036854775807,"s":"' +
        'z'.repeat(32) +
        '\u007f","f":"NaN","d":"NaN"},"nullCount":{"id":0,"s":0,"f":0,"d":0}}',
    );
  });

  it('limits columns by count (leaves, structs descended) or by an explicit list', () => {
    const nested: StructType = struct([field('a', primitive('integer')), field('s', struct([field('x', primitive('integer')), field('y', primitive('integer'))])), field('b', primitive('integer'))]);
    const sType = new Struct([new Field('x', new Int32()), new Field('y', new Int32())]);
    const sData = makeData({ type: sType, length: 1, nullCount: 0, children: [vectorFromArray([1], new Int32()).data[0]!, vectorFromArray([2], new Int32()).data[0]!] });
    const batch = new RecordBatch(new Schema([new Field('a', new Int32()), new Field('s', sType), new Field('b', new Int32())]), makeData({
      type: new Struct([new Field('a', new Int32()), new Field('s', sType), new Field('b', new Int32())]),
      length: 1,
      nullCount: 0,
      children: [vectorFromArray([7], new Int32()).data[0]!, sData, vectorFromArray([9], new Int32()).data[0]!],
    }));
    const opts = (o: Partial<StatsCollectorOptions>) => collectStats([batch], { schema: nested, ...o });
    expect(opts({ numIndexedCols: 2 })).toBe('{"numRecords":1,"minValues":{"a":7,"s":{"x":1}},"maxValues":{"a":7,"s":{"x":1}},"nullCount":{"a":0,"s":{"x":0}}}');
    expect(opts({ numIndexedCols: 0 })).toBe('{"numRecords":1}');
    expect(opts({ numIndexedCols: -1 })).toBe('{"numRecords":1,"minValues":{"a":7,"s":{"x":1,"y":2},"b":9},"maxValues":{"a":7,"s":{"x":1,"y":2},"b":9},"nullCount":{"a":0,"s":{"x":0,"y":0},"b":0}}');
    expect(opts({ statsColumns: parseStatsColumns('B, `S`.y') })).toBe('{"numRecords":1,"minValues":{"s":{"y":2},"b":9},"maxValues":{"s":{"y":2},"b":9},"nullCount":{"s":{"y":0},"b":0}}');
    expect(opts({ partitionColumns: ['a'], numIndexedCols: 1 })).toBe('{"numRecords":1,"minValues":{"s":{"x":1}},"maxValues":{"s":{"x":1}},"nullCount":{"s":{"x":0}}}');
  });

  it('counts every row as null for a column missing from the data and adds tightBounds on request', () => {
    const t = tableFromArrays({ id: BigInt64Array.from([1n, 2n]) });
    expect(collectStats(batchOf(t), { schema, tightBounds: true })).toBe('{"numRecords":2,"minValues":{"id":1},"maxValues":{"id":2},"nullCount":{"id":0,"s":2,"f":2,"d":2},"tightBounds":true}');
  });

  it('rejects Arrow data whose type does not match the schema', () => {
    const c = new StatsCollector({ schema: struct([field('s', primitive('string'))]) });
    expect(() => c.add(tableFromArrays({ s: Int32Array.from([1]) }).batches[0]!)).toThrow(expect.objectContaining({ code: 'SCHEMA_MISMATCH' }));
  });

  it('counts a nested leaf as null where its parent struct is null', () => {
    const x = vectorFromArray([1, 99, 3], new Int32()).data[0]!;
    const sType = new Struct([new Field('x', new Int32())]);
    const bitmap = Uint8Array.from([0b101]); // row 1 has a null struct (its child value 99 is not null)
    const s = makeData({ type: sType, length: 3, nullCount: 1, nullBitmap: bitmap, children: [x] });
    const batch = new RecordBatch(new Schema([new Field('s', sType)]), makeData({ type: new Struct([new Field('s', sType)]), length: 3, nullCount: 0, children: [s] }));
    const out = collectStats([batch], { schema: struct([field('s', struct([field('x', primitive('integer'))]))]) });
    expect(out).toBe('{"numRecords":3,"minValues":{"s":{"x":1}},"maxValues":{"s":{"x":3}},"nullCount":{"s":{"x":1}}}');
  });

  it('floors timestamps to milliseconds, before the epoch too, and writes NTZ without a zone', () => {
    const ts = makeData({ type: new Timestamp(TimeUnit.MICROSECOND, 'UTC'), length: 2, nullCount: 0, data: BigInt64Array.from([-1n, 1_999n]) });
    const ntz = makeData({ type: new Timestamp(TimeUnit.NANOSECOND), length: 2, nullCount: 0, data: BigInt64Array.from([1_500_999n, 86_400_000_000_000n]) });
    const type = new Struct([new Field('t', ts.type), new Field('n', ntz.type)]);
    const batch = new RecordBatch(new Schema(type.children), makeData({ type, length: 2, nullCount: 0, children: [ts, ntz] }));
    const s = collectStats([batch], { schema: struct([field('t', primitive('timestamp')), field('n', primitive('timestamp_ntz'))]) });
    expect(s).toBe('{"numRecords":2,"minValues":{"t":"1969-12-31T23:59:59.999Z","n":"1970-01-01T00:00:00.001"},"maxValues":{"t":"1970-01-01T00:00:00.001Z","n":"1970-01-02T00:00:00.000"},"nullCount":{"t":0,"n":0}}');
  });

  it('handles decimals of 128 bits, negative ones included', () => {
    const words = new Uint32Array([5, 0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]); // 5 and -1
    const data = makeData({ type: new Decimal(2, 38, 128), length: 2, nullCount: 0, data: words });
    const type = new Struct([new Field('x', data.type)]);
    const batch = new RecordBatch(new Schema(type.children), makeData({ type, length: 2, nullCount: 0, children: [data] }));
    expect(collectStats([batch], { schema: struct([field('x', decimal(38, 2))]) })).toBe('{"numRecords":2,"minValues":{"x":-0.01},"maxValues":{"x":0.05},"nullCount":{"x":0}}');
  });
});

describe('Java number formatting', () => {
  it('formats doubles like Double.toString', () => {
    expect([0, -0, 1, 0.5, 1e7, 9999999.5, 0.001, 0.0001, 46612611.77, 1.234567890123, 1e21, -2.5e-10].map(formatJavaDouble)).toEqual([
      '0.0', '-0.0', '1.0', '0.5', '1.0E7', '9999999.5', '0.001', '1.0E-4', '4.661261177E7', '1.234567890123', '1.0E21', '-2.5E-10',
    ]);
  });

  it('formats floats like Float.toString (shortest float32 digits)', () => {
    expect([Math.fround(3.14), Math.fround(0.1), Math.fround(46.566), Math.fround(1e10)].map(formatJavaFloat)).toEqual(['3.14', '0.1', '46.566', '1.0E10']);
  });

  it('formats decimals like BigDecimal.toString', () => {
    expect(formatJavaBigDecimal(0n, 10)).toBe('0E-10');
    expect(formatJavaBigDecimal(0n, 2)).toBe('0.00');
    expect(formatJavaBigDecimal(-99999999999999999999n, 10)).toBe('-9999999999.9999999999');
    expect(formatJavaBigDecimal(12345n, 2)).toBe('123.45');
    expect(formatJavaBigDecimal(15n, 9)).toBe('1.5E-8');
    expect(formatJavaBigDecimal(4n, 5)).toBe('0.00004');
  });

  it('formats far dates and timestamps', () => {
    expect(formatTimestampMicros(253402300799999999n, true)).toBe('9999-12-31T23:59:59.999Z');
    expect(formatTimestampMicros(-62135596800000000n, false)).toBe('0001-01-01T00:00:00.000');
  });
});
