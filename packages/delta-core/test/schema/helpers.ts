import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from 'apache-arrow';
import type { Data, RecordBatch, Struct } from 'apache-arrow';
import { afterAll } from 'vitest';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { parseJson } from '../../src/util/json.js';

/** One in-thread handler per test file, closed after the file's tests. */
export function useHandler() {
  const handler = createParquetHandler(new LocalFileSystemStore(), { workers: 0 });
  afterAll(() => handler.close());
  return handler;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Data files of a table directory (recursively, outside `_delta_log`), sorted. */
export function dataFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet') && !f.includes('_delta_log'))
    .map((f) => join(dir, f))
    .sort();
}

/** Every action of every commit file of a table, in version order. */
export function logActions(tableDir: string): Record<string, unknown>[] {
  const log = join(tableDir, '_delta_log');
  return readdirSync(log)
    .filter((f) => /^\d{20}\.json$/.test(f))
    .sort()
    .flatMap((f) =>
      readFileSync(join(log, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => parseJson(l) as Record<string, unknown>),
    );
}

/** The latest `metaData` action of a table's JSON log. */
export function latestMetadata(tableDir: string): { schemaString: string; configuration: Record<string, string>; partitionColumns: string[] } {
  const metas = logActions(tableDir).flatMap((a) => (a['metaData'] ? [a['metaData']] : []));
  return metas[metas.length - 1] as never;
}

/**
 * Rows of batches as plain JSON-comparable values read straight from the Arrow buffers (so no
 * lossy `get()`): 64-bit ints, timestamps and decimals become decimal strings of their raw storage,
 * binary becomes hex, lists arrays, maps arrays of [key, value], structs objects.
 */
export function plainRows(batches: readonly RecordBatch[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const b of batches) {
    const fields = b.schema.fields;
    for (let i = 0; i < b.numRows; i++) {
      const row: Record<string, unknown> = {};
      fields.forEach((f, k) => (row[f.name] = plainValue(b.data.children[k]!, i)));
      rows.push(row);
    }
  }
  return rows;
}

export function plainValue(data: Data, i: number): unknown {
  if (!data.getValid(i)) return null;
  const t = data.type;
  switch (data.typeId) {
    case Type.Null:
      return null;
    case Type.Bool:
      return ((data.values as Uint8Array)[(data.offset + i) >> 3]! & (1 << ((data.offset + i) & 7))) !== 0;
    case Type.Int:
    case Type.Timestamp:
    case Type.Date:
    case Type.Float: {
      const v = (data.values as ArrayLike<number | bigint>)[i]!;
      return typeof v === 'bigint' ? v.toString() : v;
    }
    case Type.Decimal: {
      const w = data.values as Uint32Array;
      let u = 0n;
      for (let k = 3; k >= 0; k--) u = (u << 32n) | BigInt(w[4 * i + k]!);
      return (u >= 1n << 127n ? u - (1n << 128n) : u).toString();
    }
    case Type.Utf8:
    case Type.Binary: {
      const o = data.valueOffsets as Int32Array;
      const bytes = (data.values as Uint8Array).subarray(o[i]!, o[i + 1]!);
      return data.typeId === Type.Utf8 ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString('hex');
    }
    case Type.List:
    case Type.Map: {
      const o = data.valueOffsets as Int32Array;
      const child = data.children[0]!;
      const out: unknown[] = [];
      for (let k = o[i]!; k < o[i + 1]!; k++) {
        out.push(data.typeId === Type.Map ? [plainValue(child.children[0]!, k), plainValue(child.children[1]!, k)] : plainValue(child, k));
      }
      return out;
    }
    case Type.Struct: {
      const out: Record<string, unknown> = {};
      (t as Struct).children.forEach((f, k) => (out[f.name] = plainValue(data.children[k]!, i)));
      return out;
    }
    default:
      throw new Error(`plainValue: unhandled type ${String(t)}`);
  }
}

/** Canonical multiset order for row comparison. */
export function sortRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => [JSON.stringify(r), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}
