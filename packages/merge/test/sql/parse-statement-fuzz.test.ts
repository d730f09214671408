import fc from 'fast-check';
import { isDeltaError } from '@deltakit/core';
import { tokenize } from '@deltakit/core/internal';
import { describe, expect, it } from 'vitest';
import { parseStatement, printStatement, type Statement } from '../../src/index.js';
import { stripStatement } from './helpers.js';

/** Cases per property; raise DELTAKIT_FUZZ_RUNS for a longer search. */
const RUNS = Number(process.env['DELTAKIT_FUZZ_RUNS'] ?? 3000);
const TIME_LIMIT_MS = 50;

function parseOnce(text: string): number {
  const t0 = performance.now();
  try {
    parseStatement(text);
  } catch (e) {
    if (!isDeltaError(e, 'PARSE_ERROR')) throw new Error(`not a PARSE_ERROR for ${JSON.stringify(text)}: ${String(e)}`, { cause: e });
    const position = e.details['position'] as number;
    expect(position).toBeGreaterThanOrEqual(0);
    expect(position).toBeLessThanOrEqual(text.length);
  }
  return performance.now() - t0;
}

/** Only PARSE_ERRORs, and fast: a slow run is measured twice more (GC, busy machine) before failing. */
function expectTotalAndFast(text: string): void {
  const ms = parseOnce(text);
  if (text.length >= 2048 || ms < TIME_LIMIT_MS) return;
  const best = Math.min(ms, parseOnce(text), parseOnce(text));
  expect(best, `parsing took ${best.toFixed(1)} ms: ${JSON.stringify(text)}`).toBeLessThan(TIME_LIMIT_MS);
}

const name = fc.oneof(fc.constantFrom('a', 'id', 'v', 'date', 'value', 'key', 'x_1'), fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/).filter((n) => !KEYWORDS.has(n)), fc.constantFrom('`odd name`', '`a``b`'));
const KEYWORDS = new Set('and or not is in as on set when then else end case null true false from where using into matched by source target insert values update delete merge with schema evolution interval date x r div like between all any some distinct escape ilike rlike regexp current_date current_timestamp current_user session_user exists select'.split(' '));
const qualified = fc.tuple(fc.constantFrom('', 't.', 's.'), name).map(([q, n]) => q + n);
const expr = fc.oneof(
  qualified,
  fc.constantFrom('1', '-2.5', "'str'", 'NULL', 'TRUE', "DATE '2020-01-01'", 'INTERVAL 1 DAY', '10L'),
  fc.tuple(qualified, fc.constantFrom('=', '<>', '>', '<=>', '+', '*', '||'), qualified).map(([a, op, b]) => `${a} ${op} ${b}`),
  fc.tuple(qualified, qualified).map(([a, b]) => `${a} IS NOT NULL AND ${b} IN (1, 2)`),
  fc.tuple(qualified, qualified).map(([a, b]) => `CASE WHEN ${a} THEN ${b} ELSE coalesce(${a}, 0) END`),
  qualified.map((a) => `CAST(${a} AS DECIMAL(10,2))`),
);
const table = fc.constantFrom('delta.`/data/t`', 'DELTA.`s3://b/t`', '`delta`.`/x y`');
const source = fc.oneof(table, fc.constantFrom('parquet.`/in/p`', 'json.`rel/x.json`', 'csv.`/c`', 'delta.`updates`'));
const alias = fc.constantFrom('', ' t', ' AS t', ' AS `tgt`');
const salias = fc.constantFrom('', ' s', ' AS s');
const assignments = fc.array(fc.tuple(qualified, expr), { minLength: 1, maxLength: 3 }).map((l) => l.map(([c, v]) => `${c} = ${v}`).join(', '));
const cond = fc.option(expr.map((c) => ` AND ${c}`), { nil: '' });
const matchedClause = fc.tuple(cond, fc.oneof(fc.constant('DELETE'), fc.constant('UPDATE SET *'), assignments.map((a) => `UPDATE SET ${a}`))).map(([c, a]) => `WHEN MATCHED${c} THEN ${a}`);
const notMatchedClause = fc
  .tuple(cond, fc.constantFrom('', ' BY TARGET'), fc.oneof(fc.constant('INSERT *'), fc.array(fc.tuple(name, expr), { minLength: 1, maxLength: 3 }).map((l) => `INSERT (${l.map(([c]) => c).join(', ')}) VALUES (${l.map(([, v]) => v).join(', ')})`)))
  .map(([c, by, a]) => `WHEN NOT MATCHED${by}${c} THEN ${a}`);
const bySourceClause = fc.tuple(cond, fc.oneof(fc.constant('DELETE'), assignments.map((a) => `UPDATE SET ${a}`))).map(([c, a]) => `WHEN NOT MATCHED BY SOURCE${c} THEN ${a}`);

/** Valid statements: clause groups in Spark's order (a group's unconditional clause, if any, last). */
const statementText = fc.oneof(
  fc.tuple(table, alias, fc.option(expr, { nil: undefined })).map(([t, a, w]) => `DELETE FROM ${t}${a}${w ? ` WHERE ${w}` : ''}`),
  fc.tuple(table, alias, assignments, fc.option(expr, { nil: undefined })).map(([t, a, s, w]) => `UPDATE ${t}${a} SET ${s}${w ? ` WHERE ${w}` : ''}`),
  fc
    .tuple(fc.boolean(), table, alias, source, salias, expr, fc.array(matchedClause, { maxLength: 3 }), fc.array(notMatchedClause, { maxLength: 2 }), fc.array(bySourceClause, { maxLength: 2 }))
    .filter(([, , , , , , m, n, b]) => m.length + n.length + b.length > 0)
    .map(([evolve, t, a, s, sa, on, m, n, b]) =>
      [`MERGE ${evolve ? 'WITH SCHEMA EVOLUTION ' : ''}INTO ${t}${a} USING ${s}${sa} ON ${on}`, ...onlyLastUnconditional(m), ...onlyLastUnconditional(n), ...onlyLastUnconditional(b)].join('\n'),
    ),
);

/** Gives every clause but the last a condition, as Spark requires. */
function onlyLastUnconditional(clauses: string[]): string[] {
  return clauses.map((c, i) => (i < clauses.length - 1 && !/ AND /.test(c.split(' THEN ')[0]!) ? c.replace(/ THEN /, ' AND k = 1 THEN ') : c));
}

const VOCABULARY = ['DELETE', 'FROM', 'UPDATE', 'SET', 'MERGE', 'INTO', 'USING', 'ON', 'WHEN', 'MATCHED', 'NOT', 'BY', 'SOURCE', 'TARGET', 'THEN', 'INSERT', 'VALUES', 'AND', 'WHERE', 'AS', 'WITH', 'SCHEMA', 'EVOLUTION', '*', '(', ')', ',', '=', '.', ';', 'delta', 'parquet', '`/t`', 't', 's', 'a', '1', "'x'", 'SELECT', '`', "'"];

describe('parseStatement fuzzing', () => {
  it('random strings: only PARSE_ERRORs, within the time bound', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme-ascii', maxLength: 300 })), expectTotalAndFast), { numRuns: RUNS });
  });

  it('token soup: only PARSE_ERRORs, within the time bound', () => {
    const soup = fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 40 }).map((t) => t.join(' '));
    fc.assert(fc.property(soup, expectTotalAndFast), { numRuns: RUNS });
  });

  it('mutated valid statements: only PARSE_ERRORs, within the time bound', () => {
    const mutated = fc.tuple(statementText, fc.constantFrom('delete', 'duplicate', 'swap', 'truncate'), fc.nat(), fc.nat()).map(([text, edit, i, j]) => {
      const tokens = tokenize(text)
        .filter((t) => t.kind !== 'eof')
        .map((t) => text.slice(t.pos, t.end));
      const at = i % tokens.length;
      const other = j % tokens.length;
      if (edit === 'truncate') return text.slice(0, i % (text.length + 1));
      if (edit === 'delete') tokens.splice(at, 1);
      else if (edit === 'duplicate') tokens.splice(at, 0, tokens[at]!);
      else [tokens[at], tokens[other]] = [tokens[other]!, tokens[at]!];
      return tokens.join(' ');
    });
    fc.assert(fc.property(mutated, expectTotalAndFast), { numRuns: RUNS });
  });

  it('valid statements parse, and print back to the same statement', () => {
    fc.assert(
      fc.property(statementText, (text) => {
        const parsed: Statement = parseStatement(text);
        expect(text.slice(parsed.span[0], parsed.span[1])).toBe(text.trim());
        expect(stripStatement(parseStatement(printStatement(parsed)))).toEqual(stripStatement(parsed));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses 10 000 nested parentheses in a statement with a PARSE_ERROR', () => {
    const deep = '('.repeat(10_000) + '1' + ')'.repeat(10_000);
    for (const text of [`DELETE FROM delta.\`/t\` WHERE ${deep}`, `UPDATE delta.\`/t\` SET a = ${deep}`, `MERGE INTO delta.\`/t\` USING delta.\`/s\` ON ${deep} WHEN MATCHED THEN DELETE`]) {
      let error: unknown;
      try {
        parseStatement(text);
      } catch (e) {
        error = e;
      }
      expect(isDeltaError(error, 'PARSE_ERROR')).toBe(true);
      expect((error as Error).message).toMatch(/nests more than 1000 levels/);
    }
  });
});
