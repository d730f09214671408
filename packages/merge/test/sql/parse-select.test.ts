import { isDeltaError, type Expr } from '@deltakit/core';
import { describe, expect, it } from 'vitest';
import type { FromItem, Query, SelectCore, SelectStatement } from '../../src/sql/ast.js';
import { parseStatement } from '../../src/sql/parse.js';
import { printStatement } from '../../src/sql/print.js';

/** The statement without spans, for structural comparison. */
const strip = <T>(x: T): T => JSON.parse(JSON.stringify(x, (k, v) => (k === 'span' ? undefined : typeof v === 'bigint' ? `${v}n` : v))) as T;
const select = (text: string): SelectStatement => {
  const s = parseStatement(text);
  if (s.kind !== 'select') throw new Error(`not a select: ${s.kind}`);
  return s;
};
const core = (text: string): SelectCore => {
  const q = select(text).query;
  if (q.body.kind !== 'core') throw new Error('not a simple select');
  return q.body;
};
const col = (...path: string[]) => ({ kind: 'column', path });
const lit = (v: bigint | string) => ({ kind: 'literal', value: typeof v === 'bigint' ? `${v}n` : v });

function parseFailure(text: string): { message: string; position: number } {
  try {
    parseStatement(text);
  } catch (e) {
    if (!isDeltaError(e, 'PARSE_ERROR')) throw e;
    return { message: e.message, position: e.details['position'] as number };
  }
  throw new Error(`expected ${text} to fail`);
}

describe('SELECT parsing', () => {
  it('parses the select list: *, t.*, expressions with and without AS', () => {
    const c = strip(core('SELECT *, t.*, a, b AS x, c + 1 y, `weird name`, count(*) AS n FROM delta.`/tables/e` t'));
    expect(c.items).toEqual([
      { kind: 'star' },
      { kind: 'star', qualifier: 't' },
      { kind: 'expr', expr: col('a') },
      { kind: 'expr', expr: col('b'), alias: 'x' },
      { kind: 'expr', expr: { kind: 'arith', op: '+', left: col('c'), right: lit(1n) }, alias: 'y' },
      { kind: 'expr', expr: col('weird name') },
      { kind: 'expr', expr: { kind: 'call', name: 'count', args: [], star: true }, alias: 'n' },
    ]);
    expect(c.from).toEqual({ kind: 'table', table: { format: 'delta', path: '/tables/e' }, alias: 't' });
    expect(c.distinct).toBe(false);
  });

  it('parses every clause: DISTINCT, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT', () => {
    const s = strip(select("select distinct k, count(DISTINCT v) c from parquet.`data/x.parquet` where v > 1 and k <> 'z' group by k having count(*) > 2 order by c desc nulls first, k, 2 asc nulls last limit 10;"));
    const c = s.query.body as SelectCore;
    expect(c.distinct).toBe(true);
    expect(c.items[1]).toEqual({ kind: 'expr', expr: { kind: 'call', name: 'count', args: [col('v')], distinct: true }, alias: 'c' });
    expect(c.from).toEqual({ kind: 'table', table: { format: 'parquet', path: 'data/x.parquet' } });
    expect(c.where?.kind).toBe('and');
    expect(c.groupBy).toEqual([col('k')]);
    expect(c.having).toEqual({ kind: 'comparison', op: '>', left: { kind: 'call', name: 'count', args: [], star: true }, right: lit(2n) });
    expect(s.query.orderBy).toEqual([
      { expr: col('c'), ascending: false, nullsFirst: true },
      { expr: col('k'), ascending: true },
      { expr: lit(2n), ascending: true, nullsFirst: false },
    ]);
    expect(s.query.limit).toBe(10);
    expect(select('SELECT 1 LIMIT ALL').query.limit).toBeUndefined();
  });

  it('parses time travel, table_changes, file tables and subqueries in FROM', () => {
    const from = (text: string): FromItem => strip(core(text).from!);
    expect(from('SELECT * FROM delta.`/t` VERSION AS OF 3')).toEqual({ kind: 'table', table: { format: 'delta', path: '/t' }, timeTravel: { version: 3 } });
    expect(from("SELECT * FROM delta.`/t` FOR TIMESTAMP AS OF '2024-01-31 12:00:00' AS old")).toEqual({
      kind: 'table', table: { format: 'delta', path: '/t' }, timeTravel: { timestamp: '2024-01-31 12:00:00' }, alias: 'old',
    });
    expect(from("SELECT * FROM delta.`/t` FOR SYSTEM_VERSION AS OF '2' x")).toEqual({ kind: 'table', table: { format: 'delta', path: '/t' }, timeTravel: { version: 2 }, alias: 'x' });
    expect(from("SELECT * FROM table_changes('/t', 2, '2024-02-01') c")).toEqual({ kind: 'tableChanges', path: '/t', start: { version: 2 }, end: { timestamp: '2024-02-01' }, alias: 'c' });
    expect(from("SELECT * FROM TABLE_CHANGES('/t', 0)")).toEqual({ kind: 'tableChanges', path: '/t', start: { version: 0 } });
    expect(from('SELECT * FROM json.`a.jsonl` j, csv.`b.csv`')).toEqual({
      kind: 'join', type: 'cross', left: { kind: 'table', table: { format: 'json', path: 'a.jsonl' }, alias: 'j' }, right: { kind: 'table', table: { format: 'csv', path: 'b.csv' } },
    });
    const sub = from('SELECT s.k FROM (SELECT k FROM delta.`/t` LIMIT 5) AS s');
    expect(sub.kind).toBe('subquery');
    expect(sub.kind === 'subquery' && sub.alias).toBe('s');
    expect(sub.kind === 'subquery' && sub.query.limit).toBe(5);
  });

  it('parses every join type, with ON or USING', () => {
    const types = (text: string): string[] => {
      const out: string[] = [];
      let f = core(text).from!;
      while (f.kind === 'join') {
        out.unshift(f.type + (f.on ? ':on' : f.using ? `:using(${f.using.join(',')})` : ''));
        f = f.left;
      }
      return out;
    };
    const t = 'delta.`/a`';
    expect(types(`SELECT * FROM ${t} JOIN ${t} b ON a.id = b.id INNER JOIN ${t} c USING (id, k) LEFT JOIN ${t} d ON true LEFT OUTER JOIN ${t} e ON true`)).toEqual([
      'inner:on', 'inner:using(id,k)', 'left:on', 'left:on',
    ]);
    expect(types(`SELECT * FROM ${t} RIGHT JOIN ${t} b ON true FULL OUTER JOIN ${t} c ON true FULL JOIN ${t} d ON true CROSS JOIN ${t} e`)).toEqual(['right:on', 'full:on', 'full:on', 'cross']);
    expect(types(`SELECT * FROM ${t} LEFT SEMI JOIN ${t} b ON true LEFT ANTI JOIN ${t} c ON true SEMI JOIN ${t} d ON true ANTI JOIN ${t} e ON true`)).toEqual(['semi:on', 'anti:on', 'semi:on', 'anti:on']);
    expect(types(`SELECT * FROM ${t} JOIN ${t} b`)).toEqual(['cross']);
  });

  it('parses UNION [ALL | DISTINCT] with ORDER BY and LIMIT over the whole', () => {
    const q: Query = strip(select('SELECT a FROM delta.`/x` UNION ALL SELECT b FROM delta.`/y` UNION SELECT c FROM delta.`/z` ORDER BY a LIMIT 3').query);
    expect(q.body.kind).toBe('union');
    const u = q.body as Extract<Query['body'], { kind: 'union' }>;
    expect(u.all).toBe(false);
    expect(u.left.kind === 'union' && u.left.all).toBe(true);
    expect(q.orderBy).toHaveLength(1);
    expect(q.limit).toBe(3);
    const nested = select('(SELECT a FROM delta.`/x` LIMIT 1) UNION ALL (SELECT a FROM delta.`/y` ORDER BY a LIMIT 2)').query;
    expect(nested.body.kind).toBe('union');
  });

  it('keeps spans that point into the text', () => {
    const text = 'SELECT a + 1 AS x FROM delta.`/t` WHERE b > 2';
    const c = core(text);
    const where = c.where as Expr;
    expect(text.slice(where.span![0], where.span![1])).toBe('b > 2');
    expect(text.slice(c.items[0]!.span[0], c.items[0]!.span[1])).toBe('a + 1 AS x');
    expect(text.slice(c.from!.span[0], c.from!.span[1])).toBe('delta.`/t`');
  });

  it('prints queries that parse back to the same statement', () => {
    for (const text of [
      'SELECT DISTINCT t.*, a AS `x y`, count(DISTINCT b) FROM delta.`/t` VERSION AS OF 2 AS t WHERE (a > 1) GROUP BY a HAVING (count(*) > 1) ORDER BY a DESC NULLS LAST LIMIT 5',
      "SELECT * FROM delta.`/a` AS a LEFT JOIN parquet.`/b` AS b ON (a.id = b.id) FULL JOIN json.`/c` USING (id) LEFT ANTI JOIN table_changes('/d', 1, '2024-01-01') AS d ON true",
      "SELECT k FROM (SELECT k FROM delta.`/a` TIMESTAMP AS OF '2024-01-01 00:00:00' LIMIT 3) AS s UNION ALL SELECT 1 UNION DISTINCT (SELECT 2 ORDER BY 1 LIMIT 1) ORDER BY k",
    ]) {
      const s = parseStatement(text);
      const printed = printStatement(s);
      expect(strip(parseStatement(printed)), printed).toEqual(strip(s));
    }
  });

  it('refuses what it does not run, with a caret at the offending token', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['SELECT * FROM events', 'events', /'events' is a table name, but deltakit has no catalog/],
      ['SELECT * FROM parquet.`/p` VERSION AS OF 1', 'VERSION', /time travel .* applies to Delta tables only/],
      ['SELECT a FROM delta.`/t` EXCEPT SELECT a FROM delta.`/u`', 'EXCEPT', /EXCEPT is not supported/],
      ['SELECT a FROM delta.`/t` NATURAL JOIN delta.`/u`', 'NATURAL', /NATURAL joins are not supported/],
      ['SELECT a FROM delta.`/t` LEFT JOIN delta.`/u`', '', /expected ON <condition> or USING \(columns\) after the LEFT JOIN/],
      ['SELECT a FROM delta.`/t` CROSS JOIN delta.`/u` ON true', 'CROSS', /a CROSS JOIN takes no condition/],
      ['SELECT a FROM delta.`/t` LIMIT -1', '-', /expected the number of rows/],
      ["SELECT a FROM delta.`/t` TIMESTAMP AS OF 'yesterday'", "'yesterday'", /'yesterday' is not a timestamp/],
      ["SELECT a FROM table_changes('/t')", ')', /expected ',' and the first version/],
      ['SELECT a FROM delta.`/t` t(x)', '(', /column aliases .* are not supported/],
      ['SELECT a FROM (DELETE FROM delta.`/t`) s', 'DELETE', /expected SELECT after '\(' in FROM/],
      ['SELECT a FROM delta.`/t` GROUP BY ROLLUP(a)', 'ROLLUP', /ROLLUP is not supported/],
      ['SELECT a FROM delta.`/t` WHERE a IN (SELECT 1)', 'SELECT', /subqueries are not supported/],
      ['SELECT a, FROM delta.`/t`', 'FROM', /expected a column name, literal or \(, found the keyword FROM/],
      ['SELECT a FROM delta.`/t` LIMIT 1 OFFSET 2', 'OFFSET', /OFFSET is not supported/],
      ['SELECT a FROM delta.`/t`; SELECT 1', 'SELECT', /run one statement at a time/],
    ];
    for (const [text, at, message] of cases) {
      const f = parseFailure(text);
      expect(f.message, text).toMatch(message);
      expect(f.message, text).toMatch(/\^/);
      expect(f.position, text).toBe(at === '' ? text.length : text.lastIndexOf(at));
    }
  });
});
