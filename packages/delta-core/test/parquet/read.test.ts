import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from 'apache-arrow';
import type { RecordBatch, Timestamp } from 'apache-arrow';
import { afterAll, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { deltaRs, describeFixtures, golden, kernel } from '../fixtures.js';
import { duckRows, lit } from './duckdb-oracle.js';

const handler = createParquetHandler(new LocalFileSystemStore(), { workers: 0 });
afterAll(() => handler.close());

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Every parquet file under `dir`, recursively. */
function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet') && !f.includes('_delta_log'))
    .map((f) => join(dir, f))
    .sort();
}

/** Raw int64 storage values (µs for timestamps) of a 64-bit column, null for nulls. */
function columnValues(batches: RecordBatch[], name: string): (bigint | null)[] {
  const out: (bigint | null)[] = [];
  for (const b of batches) {
    const col = b.getChild(name);
    if (!col) throw new Error(`no column ${name}`);
    for (const data of col.data) {
      const values = data.values as BigInt64Array;
      for (let i = 0; i < data.length; i++) out.push(data.getValid(i) ? values[i]! : null);
    }
  }
  return out;
}

const EDGE = deltaRs('table_with_edge_timestamps');

describeFixtures('parquet-wasm handler: reading', () => {
  it('reads every column of a Spark file with the values DuckDB reads', async () => {
    const file = parquetFiles(kernel('table-with-dv-small'))[0]!;
    const batches = await collect(handler.readBatches({ path: file }));
    const expected = await duckRows(`select * from read_parquet(${lit(file)})`);
    const rows = batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));
    expect(rows.length).toBe(expected.length);
    expect(rows).toEqual(expected);
  });

  it('projects requested top-level columns and skips names the file lacks', async () => {
    const file = parquetFiles(EDGE)[0]!;
    const batches = await collect(handler.readBatches({ path: file }, { columns: ['SOME_VALUE', 'missing_col'] }));
    expect(batches[0]!.schema.fields.map((f) => f.name)).toEqual(['SOME_VALUE']);
    const expected = await duckRows(`select SOME_VALUE from read_parquet(${lit(file)})`);
    expect(batches.flatMap((b) => [...b.getChild('SOME_VALUE')!])).toEqual(expected.map((r) => r.SOME_VALUE));
  });

  it('an empty projection still reports row counts', async () => {
    const file = parquetFiles(EDGE)[0]!;
    const batches = await collect(handler.readBatches({ path: file }, { columns: ['not_there'] }));
    const [{ n }] = (await duckRows(`select count(*)::INTEGER as n from read_parquet(${lit(file)})`)) as [{ n: number }];
    expect(batches.reduce((a, b) => a + b.numRows, 0)).toBe(n);
    expect(batches.every((b) => b.numCols === 0)).toBe(true);
  });

  it('decodes INT96 exactly, including 9999-12-31, as Timestamp<MICROSECOND, UTC>', async () => {
    for (const file of parquetFiles(EDGE)) {
      const batches = await collect(handler.readBatches({ path: file }));
      const type = batches[0]!.schema.fields.find((f) => f.name === 'BIG_DATE')!.type as Timestamp;
      expect(type.typeId).toBe(Type.Timestamp);
      expect(type.unit).toBe(2 /* MICROSECOND */);
      expect(type.timezone).toBe('UTC');
      const expected = await duckRows(`select epoch_us(BIG_DATE) as b, epoch_us(NORMAL_DATE) as n from read_parquet(${lit(file)})`);
      expect(columnValues(batches, 'BIG_DATE')).toEqual(expected.map((r) => r.b));
      expect(columnValues(batches, 'NORMAL_DATE')).toEqual(expected.map((r) => r.n));
      const schema = await handler.readSchema({ path: file });
      expect(String(schema.fields.find((f) => f.name === 'BIG_DATE')!.type)).toBe('Timestamp<MICROSECOND, UTC>');
    }
  });

  it('decodes the golden INT96 table like DuckDB, nulls included', async () => {
    const files = parquetFiles(golden('kernel-timestamp-int96'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const batches = await collect(handler.readBatches({ path: file }));
      const expected = await duckRows(`select epoch_us("time") as t from read_parquet(${lit(file)})`);
      expect(columnValues(batches, 'time')).toEqual(expected.map((r) => r.t));
    }
  });

  it('keeps PARQUET:field_id on fields of a column-mapping id-mode file', async () => {
    const file = parquetFiles(kernel('cdf-column-mapping-id-mode'))[0]!;
    const schema = await handler.readSchema({ path: file });
    const ids = schema.fields.filter((f) => f.name.startsWith('col-')).map((f) => f.metadata.get('PARQUET:field_id'));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id !== undefined && /^\d+$/.test(id))).toBe(true);
  });
});

describeFixtures('parquet-wasm handler: errors', () => {
  const file = parquetFiles(kernel('table-with-dv-small'))[0]!;
  const bytes = new Uint8Array(readFileSync(file));

  it('a missing file is FILE_NOT_FOUND', async () => {
    const err = await collect(handler.readBatches({ path: `${file}.nope` })).catch((e: unknown) => e);
    expect(isDeltaError(err, 'FILE_NOT_FOUND')).toBe(true);
  });

  it('a truncated or corrupt file is CORRUPT_DATA_FILE naming the path', async () => {
    const store = new MemoryStore();
    await store.put('/t/truncated.parquet', bytes.subarray(0, bytes.length - 10));
    const corrupt = bytes.slice();
    for (let i = 4; i < 64; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
    await store.put('/t/corrupt.parquet', corrupt);
    const h = createParquetHandler(store, { workers: 0 });
    for (const path of ['/t/truncated.parquet', '/t/corrupt.parquet']) {
      const err = await collect(h.readBatches({ path })).catch((e: unknown) => e);
      expect(isDeltaError(err, 'CORRUPT_DATA_FILE')).toBe(true);
      expect((err as Error).message).toContain(path);
    }
    const schemaErr = await h.readSchema({ path: '/t/truncated.parquet' }).catch((e: unknown) => e);
    expect(isDeltaError(schemaErr, 'CORRUPT_DATA_FILE')).toBe(true);
  });
});
