import { bindExpression } from '../../../src/expr/binder.js';
import { compileExpression } from '../../../src/expr/compile.js';
import type { Expr } from '../../../src/expr/ast.js';
import { formatDecimal, isDecimalValue } from '../../../src/expr/scalar.js';
import { isMapValue, isStructValue, type Value } from '../../../src/expr/value.js';
import type { StructType } from '../../../src/schema/types.js';
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
