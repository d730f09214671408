import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Bool,
  Data,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  Utf8,
  makeData,
} from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { duckRows, lit } from './duckdb-oracle.js';

const dir = mkdtempSync(join(tmpdir(), 'deltakit-pq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = new MemoryStore();
const handler = createParquetHandler(store, { workers: 0 });

const N = 5;
const validity = Uint8Array.from([0b11101]); // row 1 is null everywhere
const fieldId = (f: Field, id: number) => new Field(f.name, f.type, f.nullable, new Map([['PARQUET:field_id', String(id)]]));

/** 128-bit two's complement words (little-endian u32) of `v`. */
function decimalWords(values: bigint[]): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) {
      out[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return out;
}

function utf8Data(strings: string[]): Data<Utf8> {
  const enc = new TextEncoder();
  const parts = strings.map((s) => enc.encode(s));
  const offsets = new Int32Array(parts.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
  const bytes = new Uint8Array(offsets[parts.length]!);
  parts.forEach((p, i) => bytes.set(p, offsets[i]!));
  return makeData({ type: new Utf8(), length: strings.length, valueOffsets: offsets, data: bytes, nullBitmap: validity });
}

const BIG = 10n ** 37n + 123456789012345678n; // 38 digits
const MAX_TS = 253402300799999999n; // 9999-12-31T23:59:59.999999
const MIN_TS = -62135596800000000n; // 0001-01-01

function buildTable(): Table {
  const cols: Array<[string, DataType, Data]> = [
    ['i32', new Int32(), makeData({ type: new Int32(), length: N, data: Int32Array.from([1, 0, -3, 2147483647, -2147483648]), nullBitmap: validity })],
    ['i64', new Int64(), makeData({ type: new Int64(), length: N, data: BigInt64Array.from([1n, 0n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n]), nullBitmap: validity })],
    ['f64', new Float64(), makeData({ type: new Float64(), length: N, data: Float64Array.from([1.5, 0, -0.25, 1e300, -1e-300]), nullBitmap: validity })],
    ['b', new Bool(), makeData({ type: new Bool(), length: N, data: Uint8Array.from([0b01001]), nullBitmap: validity })],
    ['s', new Utf8(), utf8Data(['a', '', 'ünïcode', 'x'.repeat(100), 'z'])],
    ['d38', new Decimal(18, 38, 128), makeData({ type: new Decimal(18, 38, 128), length: N, data: decimalWords([BIG, 0n, -BIG, 1n, -1n]), nullBitmap: validity })],
    ['d10', new Decimal(2, 10, 128), makeData({ type: new Decimal(2, 10, 128), length: N, data: decimalWords([12345n, 0n, -99999999n, 1n, 9999999999n]), nullBitmap: validity })],
    ['date', new DateDay(), makeData({ type: new DateDay(), length: N, data: Int32Array.from([0, 0, -719162, 2932896, 19000]), nullBitmap: validity })],
    ['ts', new TimestampMicrosecond('UTC'), makeData({ type: new TimestampMicrosecond('UTC'), length: N, data: BigInt64Array.from([MAX_TS, 0n, MIN_TS, 1n, -1n]), nullBitmap: validity })],
    ['ts_ntz', new TimestampMicrosecond(), makeData({ type: new TimestampMicrosecond(), length: N, data: BigInt64Array.from([MIN_TS, 0n, MAX_TS, 7n, -7n]), nullBitmap: validity })],
  ];
  const inner = [new Field('x', new Int32(), true), new Field('y', new Utf8(), true)];
  const structType = new Struct([fieldId(inner[0]!, 21), fieldId(inner[1]!, 22)]);
  const structData = makeData({
    type: structType,
    length: N,
    nullBitmap: validity,
    children: [makeData({ type: new Int32(), length: N, data: Int32Array.from([1, 2, 3, 4, 5]) }), utf8Data(['p', 'q', 'r', 's', 't'])],
  });
  const elem = new Field('element', new Int64(), true);
  const listType = new List(fieldId(elem, 31));
  const listData = makeData({
    type: listType,
    length: N,
    nullBitmap: validity,
    valueOffsets: Int32Array.from([0, 2, 2, 2, 5, 6]),
    child: makeData({ type: new Int64(), length: 6, data: BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 2n ** 62n]) }),
  });
  const fields = [...cols.map(([n, t], i) => fieldId(new Field(n, t, true), i + 1)), fieldId(new Field('st', structType, true), 20), fieldId(new Field('l', listType, true), 30)];
  const children = [...cols.map(([, , d]) => d), structData, listData];
  return new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: N, children }))]);
}

/** Raw storage of every column, comparable across two tables (bigint words for 64/128-bit). */
function raw(table: Table): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const f of table.schema.fields) {
    const col = table.getChild(f.name)!;
    out[f.name] = [];
    for (let i = 0; i < col.length; i++) {
      if (!col.isValid(i)) out[f.name]!.push(null);
      else {
        const v: unknown = col.get(i);
        out[f.name]!.push(typeof v === 'object' && v !== null ? JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) : v);
      }
    }
  }
  // Timestamps and decimals via storage words: `get` loses µs and returns wrappers.
  const words = (name: string, stride: number) =>
    table.getChild(name)!.data.flatMap((d) =>
      Array.from({ length: d.length }, (_, i) => (d.getValid(i) ? Array.from((d.values as BigInt64Array | Uint32Array).subarray(i * stride, (i + 1) * stride), String) : null)),
    );
  for (const name of ['ts', 'ts_ntz', 'i64']) out[name] = words(name, 1);
  for (const name of ['d38', 'd10']) out[name] = words(name, 4);
  return out;
}

describe('parquet-wasm handler: writing', () => {
  it('round-trips every type, field ids and nulls exactly', async () => {
    const table = buildTable();
    const bytes = await handler.writeTable(table);
    await store.put('/w/all.parquet', bytes);
    const batches = [];
    for await (const b of handler.readBatches({ path: '/w/all.parquet' })) batches.push(b);
    const back = new Table(batches);
    expect(back.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`));
    expect(raw(back)).toEqual(raw(table));
    expect(back.schema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual(table.schema.fields.map((f) => f.metadata.get('PARQUET:field_id')));
    const st = back.schema.fields.find((f) => f.name === 'st')!.type as Struct;
    expect(st.children.map((c) => c.metadata.get('PARQUET:field_id'))).toEqual(['21', '22']);
  });

  it('writes what DuckDB independently reads: exact decimals, timestamps, field ids, snappy', async () => {
    const path = join(dir, 'all.parquet');
    writeFileSync(path, await handler.writeTable(buildTable()));
    const rows = await duckRows(
      `select d38::VARCHAR as d38, epoch_us(ts) as ts, epoch_us(ts_ntz) as ntz, s, st.y as sy, l from read_parquet(${lit(path)})`,
    );
    expect(rows.map((r) => r.d38)).toEqual(['10000000000000000000.123456789012345678', null, '-10000000000000000000.123456789012345678', '0.000000000000000001', '-0.000000000000000001']);
    expect(rows.map((r) => r.ts)).toEqual([MAX_TS, null, MIN_TS, 1n, -1n]);
    expect(rows.map((r) => r.ntz)).toEqual([MIN_TS, null, MAX_TS, 7n, -7n]);
    expect(rows[4]!.l).toEqual([2n ** 62n]);
    const schema = await duckRows(`select name, field_id::INTEGER as field_id, logical_type::VARCHAR as lt from parquet_schema(${lit(path)})`);
    expect(schema.find((r) => r.name === 'd38')!.field_id).toBe(6);
    expect(schema.find((r) => r.name === 'x')!.field_id).toBe(21);
    expect(String(schema.find((r) => r.name === 'ts_ntz')!.lt)).toContain('isAdjustedToUTC=0');
    const meta = await duckRows(`select distinct compression from parquet_metadata(${lit(path)})`);
    expect(meta.map((r) => r.compression)).toEqual(['SNAPPY']);
  });

  it('honours zstd and rowGroupSize, and writes column statistics', async () => {
    const ids = BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i));
    const f = new Field('id', new Int64(), false);
    const t = new Table([new RecordBatch(new Schema([f]), makeData({ type: new Struct([f]), length: 1000, children: [makeData({ type: new Int64(), length: 1000, data: ids })] }))]);
    const path = join(dir, 'zstd.parquet');
    writeFileSync(path, await handler.writeTable(t, { compression: 'zstd', rowGroupSize: 300 }));
    const meta = await duckRows(`select row_group_id, row_group_num_rows::INTEGER as n, compression, stats_min_value, stats_max_value from parquet_metadata(${lit(path)}) order by row_group_id`);
    expect(meta.map((r) => r.n)).toEqual([300, 300, 300, 100]);
    expect(new Set(meta.map((r) => r.compression))).toEqual(new Set(['ZSTD']));
    expect(meta.map((r) => [r.stats_min_value, r.stats_max_value])).toEqual([['0', '299'], ['300', '599'], ['600', '899'], ['900', '999']]);
  });
});
