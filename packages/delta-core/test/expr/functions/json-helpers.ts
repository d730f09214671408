import { expect } from 'vitest';
import { call, col, lit, type LiteralValue } from '../../../src/expr/ast.js';
import { bindExpression } from '../../../src/expr/binder.js';
import { compileExpression } from '../../../src/expr/compile.js';
import type { Expr } from '../../../src/expr/ast.js';
import { formatDecimal, isDecimalValue } from '../../../src/expr/scalar.js';
import { isMapValue, isStructValue, type Value } from '../../../src/expr/value.js';
import { field, primitive, struct, type DataType, type StructType } from '../../../src/schema/types.js';
import { map } from '../../write/schema-builders.js';
import { rowsToBatch } from '../../../src/write/rows-to-arrow.js';

/** Evaluates `expr` over `rows` of `schema` (bound and compiled in `timeZone`), one value per row. */
export function evaluate(expr: Expr, schema: StructType, rows: readonly Record<string, unknown>[], timeZone = 'UTC'): Value[] {
  const typed = bindExpression(expr, schema, { timeZone });
  return compileExpression(typed, { timeZone }).evaluate(rowsToBatch(rows, schema)).toValues();
}

/** The type of a bound expression. */
export function typeOf(expr: Expr, schema: StructType, timeZone = 'UTC') {
  return bindExpression(expr, schema, { timeZone }).type;
}

/**
 * A value in a plain form for assertions: structs as arrays of field values, maps as arrays of
 * [key, value] pairs, decimals as their text, bytes as arrays of numbers.
 */
export function plain(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return [...v];
  if (isDecimalValue(v)) return formatDecimal(v);
  if (Array.isArray(v)) return v.map(plain);
  if (isStructValue(v)) return v.values.map(plain);
  if (isMapValue(v)) return v.keys.map((k, i) => [plain(k), plain(v.values[i]!)]);
  return v;
}

export const STR = struct([field('j', primitive('string')), field('p', primitive('string'))]);
export const str = (s: string): Expr => lit(s);
export const typed = (dataType: DataType, value: unknown): Expr => lit({ type: 'typed', dataType, value } as LiteralValue);
export const options = (entries: Record<string, string>): Expr =>
  typed(map(primitive('string'), primitive('string')), { kind: 'map', keys: Object.keys(entries), values: Object.values(entries) });

/** get_json_object over a column of documents with a constant path, and with the path as a column. */
export function getJson(docs: readonly (string | null)[], path: string): unknown[] {
  const rows = docs.map((j) => ({ j, p: path }));
  const constant = evaluate(call('get_json_object', col('j'), str(path)), STR, rows);
  const perRow = evaluate(call('get_json_object', col('j'), col('p')), STR, rows);
  expect(perRow).toEqual(constant);
  return constant;
}
export const getOne = (doc: string | null, path: string): unknown => getJson([doc], path)[0];

