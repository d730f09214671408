/**
 * Test helpers: the same rows as a Delta table (read back with deltakit) and in DuckDB (over the
 * table's parquet files), and row comparison with a tolerance for doubles.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DeltaTable, type StructType } from '@deltakit/core';
import { parseDdlSchema } from '@deltakit/core';
import { expect } from 'vitest';
import { read, type DataFrame, type Row } from '../../src/index.js';

let conn: DuckDBConnection | undefined;

export async function duck(): Promise<DuckDBConnection> {
  if (conn === undefined) {
    conn = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
  }
  return conn;
}

/** Writes `rows` as a Delta table at `dir`, registers DuckDB view `name` over its files, returns the DataFrame. */
export async function table(dir: string, name: string, ddl: string, rows: readonly object[]): Promise<DataFrame> {
  const schema: StructType = parseDdlSchema(ddl);
  await DeltaTable.forPath(dir).write({ rows, schema });
  const c = await duck();
  const cols = schema.fields.map((f) => `"${f.name}"`).join(', ');
  await c.run(`CREATE OR REPLACE VIEW ${name} AS SELECT ${cols} FROM read_parquet('${dir.replaceAll("'", "''")}/*.parquet')`);
  return read.format('delta').load(dir);
}

/** DuckDB's rows as plain objects (BIGINT/HUGEINT as bigint). */
export async function sql(text: string): Promise<Row[]> {
  const reader = await (await duck()).runAndReadAll(text);
  return reader.getRowObjectsJS() as Row[];
}

const norm = (v: unknown): unknown => {
  if (typeof v === 'bigint') return `${v}`;
  if (Array.isArray(v)) return v.map(norm);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
};

/** A stable text of a row's key columns, to sort both sides the same way. */
const keyOf = (r: Row, keys: readonly string[]) => JSON.stringify(keys.map((k) => norm(r[k])));

/**
 * Asserts the rows are equal as multisets (ordered by `keys`), doubles within a relative 1e-9
 * (NaN equals NaN), longs compared as decimal text, decimals as numbers when `loose` lists them.
 */
export function expectRows(actual: readonly Row[], expected: readonly Row[], keys: readonly string[], loose: readonly string[] = []): void {
  expect(actual.length).toBe(expected.length);
  const a = [...actual].sort((x, y) => (keyOf(x, keys) < keyOf(y, keys) ? -1 : 1));
  const e = [...expected].sort((x, y) => (keyOf(x, keys) < keyOf(y, keys) ? -1 : 1));
  for (let i = 0; i < a.length; i++) {
    for (const col of Object.keys(e[i]!)) {
      const x = loose.includes(col) && typeof a[i]![col] === 'string' ? Number(a[i]![col]) : norm(a[i]![col]);
      const y = loose.includes(col) && e[i]![col] !== null ? Number(e[i]![col]) : norm(e[i]![col]);
      if (typeof x === 'number' && typeof y === 'number') {
        if (Number.isNaN(y)) expect(x, `${col} of ${keyOf(e[i]!, keys)}`).toBeNaN();
        else expect(Math.abs(x - y), `${col} of ${keyOf(e[i]!, keys)}: ${x} vs ${y}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y)));
      } else expect(x, `${col} of ${keyOf(e[i]!, keys)}`).toEqual(y);
    }
  }
}

/** A deterministic pseudo-random generator (LCG), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
