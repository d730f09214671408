/**
 * `sql("SELECT ...")` against DuckDB on the same rows: the same query text runs on both, with
 * `{orders}` / `{customers}` standing for the Delta table (deltakit) and the view over its parquet
 * files (DuckDB).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDeltaError } from '@deltakit/core';
import { sql, type Row } from '../../src/index.js';
import { expectRows, rng, sql as duckSql, table } from '../operators/duck.js';

let paths: Record<string, string> = {};
const dir = mkdtempSync(join(tmpdir(), 'deltakit-sql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const random = rng(7);
  const statuses = ['open', 'shipped', 'returned', null];
  const orders = Array.from({ length: 300 }, (_, i) => ({
    id: BigInt(i),
    customer: i % 17 === 0 ? null : Math.floor(random() * 12),
    amount: Math.round(random() * 10000) / 100,
    status: statuses[Math.floor(random() * statuses.length)],
    qty: Math.floor(random() * 5),
  }));
  const customers = Array.from({ length: 10 }, (_, i) => ({ id: i + 2, name: `c${i + 2}`, country: ['fr', 'de', 'us'][i % 3] }));
  paths = { orders: join(dir, 'orders'), customers: join(dir, 'customers') };
  await table(paths.orders!, 'orders', 'id BIGINT, customer INT, amount DOUBLE, status STRING, qty INT', orders);
  await table(paths.customers!, 'customers', 'id INT, name STRING, country STRING', customers);
}, 60_000);

const ours = (q: string) => q.replace(/\{(\w+)\}/g, (_, name: string) => `delta.\`${paths[name]}\``);
const theirs = (q: string) => q.replace(/\{(\w+)\}/g, (_, name: string) => name);

/** Runs the query on both and compares the rows as multisets (ordered by `keys`), or in order with `ordered`. */
async function same(q: string, keys: readonly string[], options: { ordered?: boolean } = {}): Promise<Row[]> {
  const actual = await sql(ours(q)).collect();
  const expected = await duckSql(theirs(q));
  expect(actual.length, q).toBe(expected.length);
  if (options.ordered) {
    const norm = (rows: readonly Row[]) => rows.map((r) => JSON.stringify(Object.values(r), (_, v: unknown) => (typeof v === 'bigint' ? `${v}` : typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v)));
    expect(norm(actual), q).toEqual(norm(expected));
  }
  expectRows(actual, expected, keys);
  return actual;
}

describe('sql SELECT, compared with DuckDB', () => {
  it('projects, filters and aliases', async () => {
    await same("SELECT id, amount * 2 AS doubled, upper(status) AS s FROM {orders} WHERE amount > 50 AND status <> 'open'", ['id']);
    await same('SELECT o.id, o.customer AS c FROM {orders} AS o WHERE o.customer IS NULL OR o.qty = 0', ['id']);
    await same('SELECT * FROM {orders} WHERE id < 20', ['id']);
    await same('SELECT o.* FROM {orders} o WHERE o.id BETWEEN 5 AND 9', ['id']);
  });

  it('aggregates with GROUP BY and HAVING', async () => {
    await same('SELECT customer, count(*) AS n, sum(qty) AS q, avg(amount) AS a, min(amount) AS lo, max(status) AS hi FROM {orders} GROUP BY customer', ['customer']);
    await same('SELECT status, count(DISTINCT customer) AS customers FROM {orders} GROUP BY status', ['status']);
    await same('SELECT customer, count(*) AS n FROM {orders} GROUP BY customer HAVING count(*) > 25 AND customer IS NOT NULL', ['customer']);
    await same('SELECT customer % 3 AS bucket, sum(amount) / count(*) AS mean FROM {orders} WHERE qty > 0 GROUP BY customer % 3', ['bucket']);
    await same('SELECT count(*) AS n, sum(amount) AS total, count(status) AS with_status FROM {orders}', []);
    await same('SELECT status, qty, count(*) AS n FROM {orders} GROUP BY 1, 2 HAVING n > 10', ['status', 'qty']);
  });

  it('orders and limits', async () => {
    await same('SELECT id, amount FROM {orders} ORDER BY amount DESC, id LIMIT 7', ['id'], { ordered: true });
    await same('SELECT id, customer FROM {orders} ORDER BY customer ASC NULLS FIRST, id DESC LIMIT 30', ['id'], { ordered: true });
    await same('SELECT id FROM {orders} WHERE qty = 1 ORDER BY amount, id', ['id'], { ordered: true });
    await same('SELECT customer, sum(amount) AS total FROM {orders} WHERE customer IS NOT NULL GROUP BY customer ORDER BY total DESC LIMIT 3', ['customer'], { ordered: true });
    await same('SELECT customer, count(*) AS n FROM {orders} WHERE customer IS NOT NULL GROUP BY customer ORDER BY max(amount), 1', ['customer'], { ordered: true });
    await same('SELECT id, qty FROM {orders} ORDER BY 2 DESC, 1 LIMIT 5', ['id'], { ordered: true });
  });

  it('removes duplicates with DISTINCT', async () => {
    await same('SELECT DISTINCT status, qty FROM {orders}', ['status', 'qty']);
    await same('SELECT DISTINCT customer FROM {orders} WHERE customer > 5 ORDER BY customer', ['customer'], { ordered: true });
  });

  it('joins: inner, left, right, full, semi, anti, cross, USING', async () => {
    await same('SELECT o.id, c.name FROM {orders} o JOIN {customers} c ON o.customer = c.id WHERE o.amount > 20', ['id']);
    await same('SELECT o.id, c.name, c.country FROM {orders} o LEFT JOIN {customers} c ON o.customer = c.id', ['id']);
    await same("SELECT o.id AS oid, c.id AS cid, c.name FROM {orders} o RIGHT OUTER JOIN {customers} c ON o.customer = c.id AND o.status = 'open'", ['oid', 'cid']);
    await same('SELECT o.id AS oid, c.id AS cid FROM {orders} o FULL OUTER JOIN {customers} c ON o.customer = c.id AND o.qty = 4', ['oid', 'cid']);
    await same('SELECT c.id, c.name FROM {customers} c SEMI JOIN {orders} o ON o.customer = c.id AND o.qty = 4', ['id']);
    await same('SELECT c.id FROM {customers} c ANTI JOIN {orders} o ON o.customer = c.id AND o.amount > 90', ['id']);
    await same("SELECT c.name, d.name AS other FROM {customers} c CROSS JOIN {customers} d WHERE c.country = 'fr' AND d.country = 'de'", ['name', 'other']);
    await same('SELECT c.country, count(*) AS n, sum(o.amount) AS total FROM {orders} o JOIN {customers} c ON o.customer = c.id GROUP BY c.country ORDER BY c.country', ['country'], { ordered: true });
    await same('SELECT id, c.name, d.country FROM {customers} c JOIN {customers} d USING (id) WHERE id > 4', ['id']);
    await same('SELECT o.id AS oid, customer FROM {orders} o JOIN (SELECT id AS customer, name FROM {customers}) c USING (customer)', ['oid']);
    // A WHERE on the null side of an outer join stays above the join.
    await same("SELECT o.id, c.name FROM {orders} o LEFT JOIN {customers} c ON o.customer = c.id WHERE c.country = 'us' OR c.country IS NULL", ['id']);
  });

  it('subqueries in FROM and UNION', async () => {
    await same('SELECT s.customer, s.n FROM (SELECT customer, count(*) AS n FROM {orders} GROUP BY customer) s WHERE s.n > 20', ['customer']);
    await same('SELECT id FROM {orders} WHERE qty = 0 UNION ALL SELECT id FROM {customers}', ['id']);
    await same('SELECT status FROM {orders} UNION SELECT country FROM {customers}', ['status']);
  });

  it('resolves names as SQL does, with carets', async () => {
    const failure = async (q: string) => {
      try {
        await sql(ours(q)).collect();
      } catch (e) {
        if (isDeltaError(e)) return e;
        throw e;
      }
      throw new Error(`expected ${q} to fail`);
    };
    const ambiguous = await failure('SELECT id FROM {orders} o JOIN {customers} c ON o.customer = c.id');
    expect(ambiguous.code).toBe('AMBIGUOUS_REFERENCE');
    expect(ambiguous.message).toMatch(/Column id is ambiguous: it could be o\.id or c\.id[\s\S]*\n {2}SELECT id FROM[^\n]*\n {9}\^\^$/);
    const missing = await failure('SELECT o.nope FROM {orders} o');
    expect(missing.code).toBe('COLUMN_NOT_FOUND');
    expect(missing.message).toMatch(/Column o\.nope does not exist; the columns here are o\.id, o\.customer/);
    expect((await failure('SELECT status, amount FROM {orders} GROUP BY status')).message).toMatch(/Column amount is neither in GROUP BY nor inside an aggregate function/);
    expect((await failure('SELECT x.* FROM {orders} o')).code).toBe('COLUMN_NOT_FOUND');
    expect(() => sql('SELECT * FRM delta.`/x`')).toThrow(/PARSE_ERROR|expected/);
    expect(() => sql('DELETE FROM delta.`/x`')).toThrow(/sql\(\) runs SELECT queries/);
  });

  it('keeps duplicate output names, as Spark does', async () => {
    const df = sql(ours('SELECT o.id, c.id FROM {orders} o JOIN {customers} c ON o.customer = c.id WHERE o.id < 3'));
    expect(await df.columns()).toEqual(['id', 'id']);
    expect(await sql('SELECT 1 AS one, 1 + 1').collect()).toEqual([{ one: 1, '(1 + 1)': 2 }]);
  });
});
