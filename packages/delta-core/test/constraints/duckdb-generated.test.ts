/**
 * Generated values checked against DuckDB: a table on disk with generated columns is written from
 * seeded random rows without them; DuckDB reads the data files and computes the same expressions
 * from the base columns (functions both engines define the same way: integer arithmetic within
 * range, timestamp → date in UTC, decimal multiplication, comparisons). Then DuckDB's values,
 * given back as the generated columns of a second write, must all pass the equality check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StructField } from '../../src/schema/types.js';
import { decimal, field, primitive, struct } from '../../src/schema/types.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { duckRows, lit } from '../parquet/duckdb-oracle.js';

const dir = mkdtempSync(join(tmpdir(), 'deltakit-generated-'));
const engine = createDefaultEngine({ store: new LocalFileSystemStore(), workers: 0 });
afterAll(async () => {
  await engine.parquet.close();
  rmSync(dir, { recursive: true, force: true });
});

const gen = (name: string, type: StructField['type'], expression: string): StructField => field(name, type, true, { 'delta.generationExpression': expression });
const base = [field('id', primitive('long')), field('ts', primitive('timestamp')), field('price', decimal(10, 2)), field('qty', primitive('integer'))];
const generated = [
  gen('id3', primitive('long'), 'id * 3 + 7'),
  gen('d', primitive('date'), 'CAST(ts AS DATE)'),
  gen('total', decimal(21, 2), 'price * qty'),
  gen('expensive', primitive('boolean'), 'price * qty > 1000'),
];
const schema = struct([...base, ...generated]);

/** mulberry32, so the rows are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRows(n: number): Record<string, unknown>[] {
  const r = prng(20240601);
  const maybe = <T>(v: T): T | null => (r() < 0.05 ? null : v);
  return Array.from({ length: n }, (_, i) => ({
    id: maybe(BigInt(Math.floor((r() - 0.5) * 2 ** 50))),
    // from 1900 to 2100, including times just before and after midnight UTC
    ts: maybe(BigInt(Math.floor((r() - 0.35) * 200 * 365.25 * 86400)) * 1_000_000n + BigInt(i % 2 === 0 ? 0 : 999_999)),
    price: maybe(`${Math.floor(r() * 1e6)}.${String(Math.floor(r() * 100)).padStart(2, '0')}`),
    qty: maybe(Math.floor((r() - 0.5) * 2000)),
  }));
}

describe('generated values agree with DuckDB', () => {
  it('computed on write, and DuckDB values given back pass the check', async () => {
    const table = DeltaTable.forPath(dir, { engine });
    await table.create({ schema });
    const rows = randomRows(3000);
    await table.write({ rows, schema: struct(base) }, { mode: 'append' });

    const files = `${lit(join(dir, '*.parquet'))}`;
    const mismatches = await duckRows(`
      SELECT count(*) AS n FROM read_parquet(${files})
      WHERE id3 IS DISTINCT FROM id * 3 + 7
         OR d IS DISTINCT FROM CAST(DATE '1970-01-01' + CAST(floor(epoch_us(ts) / 86400000000.0) AS INTEGER) AS DATE)
         OR total IS DISTINCT FROM CAST(price * qty AS DECIMAL(21, 2))
         OR expensive IS DISTINCT FROM (price * qty > 1000)`);
    expect(mismatches).toEqual([{ n: 0n }]);
    const counted = await duckRows(`SELECT count(*) AS n, count(d) AS dates, count(total) AS totals FROM read_parquet(${files})`);
    expect(counted[0]!.n).toBe(3000n);
    expect(Number(counted[0]!.dates)).toBeGreaterThan(2700);
    expect(Number(counted[0]!.totals)).toBeGreaterThan(2500);

    // DuckDB's values as given generated columns: every row passes the null-safe equality check
    const fromDuck = await duckRows(`
      SELECT id, epoch_us(ts) AS ts, CAST(price AS VARCHAR) AS price, qty, id * 3 + 7 AS id3,
             CAST(floor(epoch_us(ts) / 86400000000.0) AS INTEGER) AS d,
             CAST(CAST(price * qty AS DECIMAL(21, 2)) AS VARCHAR) AS total, price * qty > 1000 AS expensive
      FROM read_parquet(${files})`);
    const given = fromDuck.map((x) => ({ ...x, ts: x.ts === null ? null : BigInt(x.ts as bigint) }));
    const r = await table.write({ rows: given, schema }, { mode: 'append' });
    expect(r.numOutputRows).toBe(3000);
  });
});
