/**
 * End-to-end: `deltakit sql "SELECT ..."` with the built CLI: rows in each format (JSON lines by
 * default when stdout is not a terminal), joins with files, time travel, GROUP BY against
 * DuckDB over the same parquet files, and the one-line errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DeltaTable, parseDdlSchema } from '@deltakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'deltakit-sql-select-'));
const root = join(dir, 'orders');
const t = `delta.\`${root}\``;

beforeAll(async () => {
  requireBuiltCli();
  const schema = parseDdlSchema('id BIGINT, country STRING, amount DOUBLE');
  const table = DeltaTable.forPath(root);
  const rows = Array.from({ length: 40 }, (_, i) => ({ id: BigInt(i), country: ['fr', 'de', 'us', 'it'][i % 4], amount: (i * 7) % 23 }));
  await table.write({ rows: rows.slice(0, 20), schema }, { mode: 'append' });
  await table.write({ rows: rows.slice(20), schema }, { mode: 'append' });
  await table.close();
  writeFileSync(join(dir, 'names.csv'), 'country,name\nfr,France\nde,Germany\nus,United States\n');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('deltakit sql SELECT', () => {
  it('prints rows as JSON lines by default, and as CSV or a table with --format', async () => {
    expect(jsonl(await ok('sql', `SELECT id, country FROM ${t} WHERE id < 3 ORDER BY id`))).toEqual([
      { id: 0, country: 'fr' },
      { id: 1, country: 'de' },
      { id: 2, country: 'us' },
    ]);
    expect(await ok('sql', `SELECT id, amount * 2 AS twice FROM ${t} WHERE id IN (1, 2) ORDER BY id DESC`, '--format', 'csv')).toBe('id,twice\n2,28\n1,14\n');
    const table = await ok('sql', `SELECT country, count(*) AS n FROM ${t} GROUP BY country ORDER BY country LIMIT 2`, '--format', 'table');
    expect(table.split('\n').slice(0, 4)).toEqual(['country | n ', '--------+---', 'de      | 10', 'fr      | 10']);
    // An empty result still names its columns.
    expect(await ok('sql', `SELECT id FROM ${t} WHERE id < 0`, '--format', 'csv')).toBe('id\n');
  });

  it('joins a Delta table with a CSV file, reads an older version, and agrees with DuckDB', async () => {
    const names = `csv.\`${join(dir, 'names.csv')}\``;
    expect(jsonl(await ok('sql', `SELECT c.name, count(*) AS orders FROM ${t} o LEFT JOIN ${names} c ON o.country = c.country GROUP BY c.name ORDER BY c.name NULLS FIRST`))).toEqual([
      { name: null, orders: 10 },
      { name: 'France', orders: 10 },
      { name: 'Germany', orders: 10 },
      { name: 'United States', orders: 10 },
    ]);
    expect(jsonl(await ok('sql', `SELECT count(*) AS n, max(id) AS top FROM ${t} VERSION AS OF 0`))).toEqual([{ n: 20, top: 19 }]);
    const query = (from: string) => `SELECT country, count(*) AS n, sum(amount) AS total, avg(amount) AS mean FROM ${from} WHERE amount > 5 GROUP BY country HAVING count(*) > 3 ORDER BY country`;
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const duck = (await conn.runAndReadAll(query(`read_parquet('${root}/*.parquet')`))).getRowObjectsJS().map((r) => ({ ...r, n: Number(r['n']) }));
    conn.closeSync();
    expect(jsonl(await ok('sql', query(t)))).toEqual(duck);
  });

  it('fails with one line naming the error', async () => {
    const missing = await cli('sql', `SELECT nope FROM ${t}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(ERROR_LINE);
    expect(missing.stderr).toMatch(/^deltakit: COLUMN_NOT_FOUND: Column nope does not exist; the columns here are id, country, amount/);
    const parse = await cli('sql', `SELECT id FROM ${t} GROUP id`);
    expect(parse.stderr).toMatch(/^deltakit: PARSE_ERROR: /);
    const notSelect = await cli('sql', `VACUUM ${t} DRY RUN`, '--format', 'csv');
    expect(notSelect.stderr).toMatch(/--format applies to SELECT queries only/);
    expect(await ok('sql', '--help')).toMatch(/SELECT \[DISTINCT\][\s\S]*table_changes/);
  });
});
