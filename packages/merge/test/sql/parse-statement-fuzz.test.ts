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
const KEYWORDS = new Set(
  ('and or not is in as on set when then else end case null true false from where using into matched by source target insert values update delete merge with schema evolution interval date x r div like between all any some distinct escape ilike rlike regexp current_date current_timestamp current_user session_user exists select ' +
    'optimize zorder full vacuum lite retain hours dry run restore table to for version timestamp of describe desc detail history limit alter add column columns rename drop change type comment first after sync identity default tblproperties unset if constraint check cluster none').split(' '),
);
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

/** Valid DML statements: clause groups in Spark's order (a group's unconditional clause, if any, last). */
const dmlText = fc.oneof(
  fc.tuple(table, alias, fc.option(expr, { nil: undefined })).map(([t, a, w]) => `DELETE FROM ${t}${a}${w ? ` WHERE ${w}` : ''}`),
  fc.tuple(table, alias, assignments, fc.option(expr, { nil: undefined })).map(([t, a, s, w]) => `UPDATE ${t}${a} SET ${s}${w ? ` WHERE ${w}` : ''}`),
  fc
    .tuple(fc.boolean(), table, alias, source, salias, expr, fc.array(matchedClause, { maxLength: 3 }), fc.array(notMatchedClause, { maxLength: 2 }), fc.array(bySourceClause, { maxLength: 2 }))
    .filter(([, , , , , , m, n, b]) => m.length + n.length + b.length > 0)
    .map(([evolve, t, a, s, sa, on, m, n, b]) =>
      [`MERGE ${evolve ? 'WITH SCHEMA EVOLUTION ' : ''}INTO ${t}${a} USING ${s}${sa} ON ${on}`, ...onlyLastUnconditional(m), ...onlyLastUnconditional(n), ...onlyLastUnconditional(b)].join('\n'),
    ),
);

// ---- maintenance statements ----
const pathTable = fc.oneof(table, fc.constantFrom("'/data/t'", "'/a' '/b'", '"rel/t"'));
const columnPath = fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const columnList = (parens: 'optional' | 'required') =>
  fc.tuple(fc.array(columnPath, { minLength: 1, maxLength: 3 }), parens === 'required' ? fc.constant(true) : fc.boolean()).map(([cols, p]) => (p ? `(${cols.join(', ')})` : cols.join(', ')));
const sqlType = fc.constantFrom('INT', 'bigint', 'STRING', 'DECIMAL(10,2)', 'ARRAY<STRING>', 'MAP<STRING, INT>', "STRUCT<a: INT NOT NULL COMMENT 'c', b: ARRAY<DOUBLE>>", 'TIMESTAMP_NTZ', 'VARCHAR(5)', 'struct<x:int>');
const str = fc.constantFrom("'c'", "'it''s'", "'a\\\\b'", "'x y'", "''", '"dq"', "'\\''");
const position = fc.constantFrom('', ' FIRST', ' AFTER a', ' after `odd name`');
const optimize = fc
  .tuple(pathTable, fc.boolean(), fc.option(expr, { nil: undefined }), fc.option(columnList('optional'), { nil: undefined }))
  .map(([t, full, w, z]) => `OPTIMIZE ${t}${full ? ' FULL' : ''}${w ? ` WHERE ${w}` : ''}${z ? ` ZORDER BY ${z}` : ''}`);
const vacuum = fc
  .tuple(pathTable, fc.shuffledSubarray([fc.constantFrom('LITE', 'FULL'), fc.constantFrom('RETAIN 168 HOURS', 'retain 0.5 hours', 'RETAIN -1 HOURS', 'RETAIN 1e2 HOURS'), fc.constant('DRY RUN')]))
  .chain(([t, clauses]) => fc.tuple(fc.constant(t), fc.tuple(...clauses)))
  .map(([t, clauses]) => [`VACUUM ${t}`, ...clauses].join(' '));
const restore = fc
  .tuple(table, fc.constantFrom('', 'TABLE '), fc.constantFrom('', ' TO'), fc.constantFrom('VERSION AS OF 3', 'FOR SYSTEM_VERSION AS OF 0', "VERSION AS OF '12'", "TIMESTAMP AS OF '2024-01-31'", "FOR SYSTEM_TIME AS OF '2024-01-31 12:00:00.5+01:00'"))
  .map(([t, kw, to, target]) => `RESTORE ${kw}${t}${to} ${target}`);
const describeStatement = fc
  .tuple(fc.constantFrom('DESCRIBE', 'desc'), pathTable, fc.constantFrom('DETAIL', 'HISTORY', 'HISTORY+'), fc.nat(1000))
  .map(([d, t, what, n]) => (what === 'HISTORY+' ? `${d} HISTORY ${t} LIMIT ${n}` : `${d} ${what} ${t}`));
const columnDefinition = fc
  .tuple(columnPath, sqlType, fc.shuffledSubarray([fc.constant(' NOT NULL'), str.map((c) => ` COMMENT ${c}`), position]))
  .chain(([c, ty, parts]) => fc.tuple(fc.constant(`${c} ${ty}`), fc.tuple(...parts)))
  .map(([head, parts]) => head + parts.join(''));
const sparkAction = fc.oneof(sqlType.map((t) => `TYPE ${t}`), str.map((c) => `COMMENT ${c}`), fc.constantFrom('FIRST', 'AFTER x', 'SET NOT NULL', 'DROP NOT NULL'));
const property = fc.tuple(fc.constantFrom("'delta.appendOnly'", 'delta.logRetentionDuration', "'k'", 'a.b.c', '"dq"'), fc.constantFrom(" = 'true'", ' = true', ' FALSE', ' = 1.5', " 'x'", ' == 10'));
const alterAction = fc.oneof(
  fc.tuple(fc.constantFrom('COLUMN', 'COLUMNS'), fc.uniqueArray(columnDefinition, { minLength: 1, maxLength: 3, selector: (d) => d.split(' ')[0]!.toLowerCase() }), fc.boolean()).map(([kw, defs, p]) => `ADD ${kw} ${p ? `(${defs.join(', ')})` : defs.join(', ')}`),
  fc.tuple(columnPath, name).map(([c, n]) => `RENAME COLUMN ${c} TO ${n}`),
  fc.tuple(fc.constantFrom('COLUMN', 'COLUMNS'), fc.constantFrom('', ' IF EXISTS'), columnList('optional')).map(([kw, ie, cols]) => `DROP ${kw}${ie} ${cols}`),
  fc
    .tuple(fc.constantFrom('ALTER', 'CHANGE', 'ALTER COLUMN', 'CHANGE COLUMN'), fc.uniqueArray(fc.tuple(name, sparkAction), { minLength: 1, maxLength: 3, selector: ([n]) => n.toLowerCase() }))
    .map(([verb, changes]) => `${verb} ${changes.map(([c, a]) => `${c} ${a}`).join(', ')}`),
  fc.tuple(name, sqlType, fc.option(str, { nil: undefined }), position).map(([n, t, c, pos]) => `CHANGE COLUMN s.${n} ${n} ${t}${c ? ` COMMENT ${c}` : ''}${pos}`),
  fc.uniqueArray(property, { minLength: 1, maxLength: 3, selector: ([k]) => k.replace(/['"]/g, '') }).map((props) => `SET TBLPROPERTIES (${props.map(([k, v]) => k + v).join(', ')})`),
  fc.tuple(fc.constantFrom('', ' IF EXISTS'), fc.uniqueArray(property.map(([k]) => k), { minLength: 1, maxLength: 3, selector: (k) => k.replace(/['"]/g, '') })).map(([ie, keys]) => `UNSET TBLPROPERTIES${ie} (${keys.join(', ')})`),
  fc.tuple(name, expr).map(([n, c]) => `ADD CONSTRAINT ${n} CHECK (${c})`),
  fc.tuple(fc.constantFrom('', ' IF EXISTS'), name).map(([ie, n]) => `DROP CONSTRAINT${ie} ${n}`),
  fc.oneof(columnList('required'), fc.constant('NONE')).map((c) => `CLUSTER BY ${c}`),
);
const alterTable = fc.tuple(table, alterAction).map(([t, a]) => `ALTER TABLE ${t} ${a}`);
const maintenanceText = fc.oneof(optimize, vacuum, restore, describeStatement, alterTable);

/** Gives every clause but the last a condition, as Spark requires. */
function onlyLastUnconditional(clauses: string[]): string[] {
  return clauses.map((c, i) => (i < clauses.length - 1 && !/ AND /.test(c.split(' THEN ')[0]!) ? c.replace(/ THEN /, ' AND k = 1 THEN ') : c));
}

/** Valid statements of every kind. */
const statementText = fc.oneof(dmlText, maintenanceText);

const VOCABULARY = ['DELETE', 'FROM', 'UPDATE', 'SET', 'MERGE', 'INTO', 'USING', 'ON', 'WHEN', 'MATCHED', 'NOT', 'BY', 'SOURCE', 'TARGET', 'THEN', 'INSERT', 'VALUES', 'AND', 'WHERE', 'AS', 'WITH', 'SCHEMA', 'EVOLUTION', '*', '(', ')', ',', '=', '.', ';', 'delta', 'parquet', '`/t`', 't', 's', 'a', '1', "'x'", 'SELECT', '`', "'",
  'OPTIMIZE', 'ZORDER', 'FULL', 'VACUUM', 'LITE', 'RETAIN', '168', 'HOURS', 'DRY', 'RUN', 'RESTORE', 'TABLE', 'TO', 'VERSION', 'TIMESTAMP', 'OF', "'2024-01-01'", 'DESCRIBE', 'DETAIL', 'HISTORY', 'LIMIT',
  'ALTER', 'ADD', 'COLUMN', 'COLUMNS', 'RENAME', 'DROP', 'CHANGE', 'TYPE', 'INT', 'STRUCT<a: INT>', 'COMMENT', 'FIRST', 'AFTER', 'NULL', 'TBLPROPERTIES', 'UNSET', 'IF', 'EXISTS', 'CONSTRAINT', 'CHECK', 'CLUSTER', 'NONE', '-', "'/p'"];

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

  it('deeply nested types in a statement fail with a PARSE_ERROR', () => {
    const deep = 'ARRAY<'.repeat(5000) + 'INT' + '>'.repeat(5000);
    for (const text of [`ALTER TABLE delta.\`/t\` ADD COLUMN a ${deep}`, `ALTER TABLE delta.\`/t\` ALTER COLUMN a TYPE ${deep}`]) {
      let error: unknown;
      try {
        parseStatement(text);
      } catch (e) {
        error = e;
      }
      expect(isDeltaError(error, 'PARSE_ERROR')).toBe(true);
      expect((error as Error).message).toMatch(/the type nests deeper than 500 levels/);
    }
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
    for (const text of [
      `DELETE FROM delta.\`/t\` WHERE ${deep}`,
      `UPDATE delta.\`/t\` SET a = ${deep}`,
      `MERGE INTO delta.\`/t\` USING delta.\`/s\` ON ${deep} WHEN MATCHED THEN DELETE`,
      `OPTIMIZE delta.\`/t\` WHERE ${deep}`,
      `ALTER TABLE delta.\`/t\` ADD CONSTRAINT c CHECK (${deep})`,
    ]) {
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
