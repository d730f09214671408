import type { Span } from '@deltakit/core';
import type { ExpressionParser } from '@deltakit/core/internal';
import type { ColumnName, TableFormat, TableRef } from './ast.js';

/** Grammar pieces every statement parser shares: table references, column names, list shapes. */

const FORMATS: ReadonlySet<string> = new Set<TableFormat>(['delta', 'parquet', 'json', 'csv']);

/** The current token as messages show it. */
export const describe = (p: ExpressionParser): string => {
  const t = p.token;
  return t.kind === 'eof' ? 'end of input' : `'${p.source.slice(t.pos, t.end)}'`;
};

/** True at the end of a statement (the end of input or its `;`). */
export const atStatementEnd = (p: ExpressionParser): boolean => p.token.kind === 'eof' || p.isOp(';');

/** Fails unless the statement ends here; `expected` names what else could have come. */
export function expectStatementEnd(p: ExpressionParser, expected: string): void {
  if (!atStatementEnd(p)) p.fail(expected);
}

/** The current token is the unquoted keyword `word` and the one after it is the keyword `next`. */
export const isKeywords = (p: ExpressionParser, word: string, next: string): boolean => p.isKeyword(word) && p.isKeyword(next, p.peek());

/**
 * ``delta.`/path` `` (the target of every statement), or a MERGE source in any of the formats.
 * Relative paths are accepted (resolved against the working directory when run), unlike Spark,
 * which reads a relative `delta.x` as a catalog name: a command line wants them.
 */
export function tableRef(p: ExpressionParser, role: 'target' | 'source', statement: string): TableRef {
  const t = p.token;
  if (p.isOp('(')) {
    throw p.error(t.pos, role === 'source'
      ? 'a subquery as the MERGE source is not supported; write the source rows to a Delta table or to parquet, json or csv files and name them as delta.`/path` (or parquet.`/path`, json.`/path`, csv.`/path`)'
      : `the table of ${statement} must be a Delta table named by its path: delta.\`/path/to/table\``);
  }
  const first = p.expectName(`a table written as delta.\`/path/to/table\``);
  if (!p.isOp('.')) {
    throw p.error(t.pos, `'${first.name}' is a table name, but deltakit has no catalog of table names: name the table by its path, as delta.\`/path/to/table\``);
  }
  const format = first.name.toLowerCase();
  if (!FORMATS.has(format)) {
    throw p.error(t.pos, `'${p.source.slice(t.pos, p.peek().end)}' is not a path table: write delta.\`/path/to/table\`${role === 'source' ? ' (a MERGE source may also be parquet.`/path`, json.`/path` or csv.`/path`)' : ''}; deltakit has no catalog of table names`);
  }
  p.advance();
  const pathToken = p.token;
  if (pathToken.kind !== 'ident' || !pathToken.quoted) {
    const written = pathToken.kind === 'eof' ? '' : p.source.slice(pathToken.pos, pathToken.end);
    throw p.error(pathToken.pos, `expected the table path in back-quotes after ${format}., found ${describe(p)}; write ${format}.\`${pathToken.kind === 'string' ? pathToken.text : written || '/path/to/table'}\``);
  }
  p.advance();
  const path = pathToken.text;
  const span: Span = [t.pos, pathToken.end];
  if (p.isOp('.')) throw p.error(p.token.pos, `expected one path after ${format}., found more name parts; write the whole path in one pair of back-quotes`);
  if (path.trim() === '') throw p.error(pathToken.pos, 'the table path is empty');
  if (role === 'target' && format !== 'delta') throw p.error(t.pos, `the table of ${statement} must be a Delta table: write delta.\`${path}\`, not ${format}.\`…\``);
  return { format: format as TableFormat, path, span };
}

/**
 * The Delta table of a maintenance statement. With `quotedPath` (Delta's grammar for OPTIMIZE,
 * VACUUM and DESCRIBE) the table may also be a quoted path, `'/path/to/table'`; adjacent strings
 * join (`'/path/to' '/table'`), as in Delta.
 */
export function deltaTable(p: ExpressionParser, statement: string, options: { quotedPath: boolean }): TableRef {
  const t = p.token;
  if (t.kind !== 'string') return tableRef(p, 'target', statement);
  if (!options.quotedPath) throw p.error(t.pos, `expected the table written as delta.\`${t.text || '/path/to/table'}\` after ${statement}, found a quoted string (only OPTIMIZE, VACUUM and DESCRIBE take a quoted path)`);
  let path = '';
  while (p.token.kind === 'string') path += p.advance().text;
  if (path.trim() === '') throw p.error(t.pos, 'the table path is empty');
  return { format: 'delta', path, span: [t.pos, p.lastEnd] };
}

export function columnName(p: ExpressionParser, what: string): ColumnName {
  const { parts, span } = p.parseMultipartName(what);
  return { path: parts, span };
}

/** One name (Spark's `identifier`): a plain or back-quoted name, no dotted path. */
export function singleName(p: ExpressionParser, what: string, why: string): { name: string; span: Span } {
  const { parts, span } = p.parseMultipartName(what);
  if (parts.length > 1) throw p.error(span[0], `expected ${what}, found the path '${p.source.slice(span[0], span[1])}'; ${why}`);
  return { name: parts[0]!, span };
}

/**
 * `item, item, …`, in parentheses when the list starts with `(` and `parenthesized` allows it
 * (`'optional'`), or must (`'required'`). `what` names the items, `close` what may follow an item
 * inside the parentheses (default: `',' or ')' after the column`).
 */
export function list<T>(p: ExpressionParser, item: () => T, options: { parenthesized: 'optional' | 'required'; what: string; close?: string }): T[] {
  const open = options.parenthesized === 'required' ? (p.expectOp('(', `'(' and ${options.what}`), true) : p.acceptOp('(');
  const items: T[] = [];
  do items.push(item());
  while (p.acceptOp(','));
  if (open) p.expectOp(')', options.close ?? "',' or ')' after the column");
  return items;
}

/**
 * An unsigned integer literal (no suffix, no sign) at most `max`, for versions and limits; `what`
 * says what is expected, `name` names the value in the error for a too large one.
 */
export function integerLiteral(p: ExpressionParser, what: string, name: string, max: number): number {
  const t = p.token;
  if (t.kind !== 'number' || !/^[0-9]+$/.test(t.text)) p.fail(what);
  const value = Number(t.text);
  if (value > max) throw p.error(t.pos, `${t.text} is too large for ${name} (at most ${max})`);
  p.advance();
  return value;
}

/** A string literal's value. */
export function stringLiteral(p: ExpressionParser, what: string): { value: string; span: Span } {
  const t = p.token;
  if (t.kind !== 'string') p.fail(what);
  p.advance();
  return { value: t.text, span: [t.pos, t.end] };
}

/** Two column paths overlap when one is the other or one of its nested fields (names compare case-insensitively). */
export function samePathOrNested(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i]!.toLowerCase() !== b[i]!.toLowerCase()) return false;
  return true;
}
