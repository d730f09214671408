import type { Expr } from '@deltakit/core';
import { parseTimestampParts, type ExpressionParser } from '@deltakit/core/internal';
import type { ColumnName, DescribeDetailStatement, DescribeHistoryStatement, OptimizeStatement, RestoreStatement, RestoreTarget, VacuumStatement } from './ast.js';
import { atStatementEnd, columnName, deltaTable, expectStatementEnd, integerLiteral, isKeywords, list } from './parse-common.js';

/**
 * OPTIMIZE, VACUUM, RESTORE and DESCRIBE DETAIL / HISTORY as Delta's SQL grammar
 * (`DeltaSqlBase.g4`) writes them. Each function starts at the statement's first keyword and
 * stops at the end of the statement (the caller checks that nothing follows).
 */

/** Largest table version a JS number holds exactly. */
const MAX_VERSION = Number.MAX_SAFE_INTEGER;
/** DESCRIBE HISTORY's LIMIT is a Java int in Delta. */
const MAX_LIMIT = 2 ** 31 - 1;

/** `OPTIMIZE <table> [FULL] [WHERE <predicate>] [ZORDER BY (a, b) | ZORDER BY a, b]`. */
export function parseOptimize(p: ExpressionParser): OptimizeStatement {
  const start = p.advance().pos;
  const table = deltaTable(p, 'OPTIMIZE', { quotedPath: true });
  const full = p.acceptKeyword('FULL') !== undefined;
  let where: Expr | undefined;
  if (p.acceptKeyword('WHERE')) where = p.parseExpression();
  let zOrderBy: ColumnName[] = [];
  if (p.isKeyword('ZORDER')) {
    p.advance();
    p.expectKeyword('BY', 'BY after ZORDER');
    const parenthesized = p.isOp('(');
    zOrderBy = list(p, () => columnName(p, 'a column to Z-order by'), { parenthesized: 'optional', what: 'the Z-order columns' });
    if (p.isKeyword('WHERE')) throw p.error(p.token.pos, 'WHERE must come before ZORDER BY: write OPTIMIZE <table> WHERE <predicate> ZORDER BY <columns>');
    expectStatementEnd(p, parenthesized ? 'the end of the statement' : "',' or the end of the statement");
  } else {
    expectStatementEnd(p, where ? 'ZORDER BY or the end of the statement' : full ? 'WHERE, ZORDER BY or the end of the statement' : 'FULL, WHERE, ZORDER BY or the end of the statement');
  }
  return { kind: 'optimize', table, full, ...(where ? { where } : {}), zOrderBy, span: [start, p.lastEnd] };
}

/** `VACUUM <table>` then `LITE | FULL`, `RETAIN <n> HOURS`, `DRY RUN` in any order, each at most once. */
export function parseVacuum(p: ExpressionParser): VacuumStatement {
  const start = p.advance().pos;
  const table = deltaTable(p, 'VACUUM', { quotedPath: true });
  let mode: 'full' | 'lite' | undefined;
  let retentionHours: number | undefined;
  let dryRun = false;
  const seen = new Set<string>();
  const once = (clause: string, pos: number): void => {
    if (seen.has(clause)) throw p.error(pos, `found duplicate clauses: ${clause}; VACUUM takes each of LITE / FULL, RETAIN <n> HOURS and DRY RUN at most once`);
    seen.add(clause);
  };
  while (!atStatementEnd(p)) {
    const t = p.token;
    if (p.isKeyword('LITE') || p.isKeyword('FULL')) {
      once('LITE/FULL', t.pos);
      mode = p.advance().text.toLowerCase() as 'full' | 'lite';
    } else if (p.isKeyword('RETAIN')) {
      once('RETAIN', t.pos);
      p.advance();
      retentionHours = numberLiteral(p, 'the retention in hours (a number) after RETAIN', 'the retention');
      p.expectKeyword('HOURS', 'HOURS after the retention (VACUUM retains a number of hours)');
    } else if (p.isKeyword('DRY')) {
      once('DRY RUN', t.pos);
      p.advance();
      p.expectKeyword('RUN', 'RUN after DRY');
      dryRun = true;
    } else if (isKeywords(p, 'USING', 'INVENTORY')) {
      throw p.error(t.pos, 'VACUUM … USING INVENTORY is not supported: deltakit lists the files of the table directory itself; remove the USING INVENTORY clause');
    } else {
      p.fail(seen.size === 0 ? 'LITE, FULL, RETAIN <n> HOURS, DRY RUN or the end of the statement' : 'another VACUUM clause (LITE, FULL, RETAIN <n> HOURS, DRY RUN) or the end of the statement');
    }
  }
  return {
    kind: 'vacuum',
    table,
    ...(mode ? { mode } : {}),
    ...(retentionHours === undefined ? {} : { retentionHours }),
    dryRun,
    span: [start, p.lastEnd],
  };
}

/**
 * A numeric literal as Delta's `number` rule takes it: an optional `-`, then an integer, decimal
 * or exponent literal, with or without a type suffix (`L`, `S`, `Y`, `D`, `F`, `BD`); read as a
 * double, as Delta does.
 */
function numberLiteral(p: ExpressionParser, what: string, name: string): number {
  const minus = p.isOp('-') && p.peek().kind === 'number' ? p.advance() : undefined;
  const t = p.token;
  if (t.kind !== 'number') p.fail(what);
  p.advance();
  const value = Number(t.text.replace(/(BD|[LSYDF])$/i, ''));
  if (!Number.isFinite(value)) throw p.error(minus?.pos ?? t.pos, `${t.text} is out of range for ${name}`);
  return minus ? -value : value;
}

/**
 * `RESTORE [TABLE] <table> [TO] [FOR] (VERSION | SYSTEM_VERSION) AS OF <n>` or
 * `… [FOR] (TIMESTAMP | SYSTEM_TIME) AS OF '<timestamp>'` (Delta's `temporalClause`; the version
 * may also be written as a quoted integer, the timestamp only as a string).
 */
export function parseRestore(p: ExpressionParser): RestoreStatement {
  const start = p.advance().pos;
  // TABLE is optional; `TABLE.` would start a (refused) catalog name, not the keyword.
  if (p.isKeyword('TABLE') && !p.isOp('.', p.peek())) p.advance();
  const table = deltaTable(p, 'RESTORE', { quotedPath: false });
  const to = p.acceptKeyword('TO') !== undefined;
  const forToken = p.acceptKeyword('FOR');
  const kind = p.acceptKeyword('VERSION', 'SYSTEM_VERSION', 'TIMESTAMP', 'SYSTEM_TIME');
  if (kind === undefined) p.fail(forToken ? 'VERSION or TIMESTAMP after FOR' : `${to ? '' : 'TO, '}VERSION AS OF <version> or TIMESTAMP AS OF '<timestamp>' after the table of RESTORE`);
  p.expectKeyword('AS', `AS OF after ${kind}`);
  p.expectKeyword('OF', `OF after ${kind} AS`);
  const target: RestoreTarget = kind === 'VERSION' || kind === 'SYSTEM_VERSION' ? { version: restoreVersion(p) } : { timestamp: restoreTimestamp(p) };
  expectStatementEnd(p, 'the end of the statement');
  return { kind: 'restore', table, target, span: [start, p.lastEnd] };
}

function restoreVersion(p: ExpressionParser): number {
  const t = p.token;
  if (t.kind !== 'string') return integerLiteral(p, 'the version to restore (an integer)', 'a table version', MAX_VERSION);
  if (!/^[0-9]+$/.test(t.text)) throw p.error(t.pos, `expected the version to restore (an integer), found the string '${t.text}'`);
  const value = Number(t.text);
  if (value > MAX_VERSION) throw p.error(t.pos, `${t.text} is too large for a table version (at most ${MAX_VERSION})`);
  p.advance();
  return value;
}

/** The timestamp text as written, checked to be a timestamp (`yyyy-MM-dd[ HH:mm[:ss[.fraction]]][zone]`). */
function restoreTimestamp(p: ExpressionParser): string {
  const t = p.token;
  if (t.kind !== 'string') p.fail(`the timestamp to restore as a quoted string, e.g. '2024-01-31 12:00:00'`);
  if (parseTimestampParts(t.text) === undefined) {
    throw p.error(t.pos, `'${t.text}' is not a timestamp; write it as 'yyyy-MM-dd', 'yyyy-MM-dd HH:mm:ss[.ffffff]' or with a zone offset, e.g. '2024-01-31 12:00:00Z'`);
  }
  p.advance();
  return t.text;
}

/** `DESC[RIBE] DETAIL <table>` or `DESC[RIBE] HISTORY <table> [LIMIT n]`. */
export function parseDescribe(p: ExpressionParser): DescribeDetailStatement | DescribeHistoryStatement {
  const start = p.advance().pos;
  const what = p.acceptKeyword('DETAIL', 'HISTORY');
  if (what === undefined) {
    p.fail('DETAIL or HISTORY after DESCRIBE (DESCRIBE DETAIL <table> shows the table, DESCRIBE HISTORY <table> its commits)');
  }
  const table = deltaTable(p, `DESCRIBE ${what}`, { quotedPath: true });
  if (what === 'DETAIL') {
    expectStatementEnd(p, 'the end of the statement');
    return { kind: 'describeDetail', table, span: [start, p.lastEnd] };
  }
  let limit: number | undefined;
  if (p.acceptKeyword('LIMIT')) limit = integerLiteral(p, 'the number of commits to show (an integer) after LIMIT', 'the LIMIT of DESCRIBE HISTORY', MAX_LIMIT);
  expectStatementEnd(p, limit === undefined ? 'LIMIT or the end of the statement' : 'the end of the statement');
  return { kind: 'describeHistory', table, ...(limit === undefined ? {} : { limit }), span: [start, p.lastEnd] };
}
