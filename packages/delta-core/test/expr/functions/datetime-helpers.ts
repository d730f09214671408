import { expect } from 'vitest';
import { cast, lit, type Expr, type LiteralValue } from '../../../src/expr/ast.js';
import { bindExpression } from '../../../src/expr/binder.js';
import { compileExpression } from '../../../src/expr/compile.js';
import type { Value } from '../../../src/expr/value.js';
import type { DataType, StructType } from '../../../src/schema/types.js';
import { struct } from '../../../src/schema/types.js';
import { rowsToBatch } from '../../../src/write/rows-to-arrow.js';

/** The statement clock used by tests: 2023-11-14T22:13:20.123456Z. */
export const NOW = 1_700_000_000_123_456n;

/** Binds an expression without columns; it must fold into a literal, whose value is returned. */
export function fold(e: Expr, timeZone = 'UTC', now = NOW): Value {
  const t = bindExpression(e, struct([]), { timeZone, currentTimestampMicros: now });
  expect(t.kind, 'a constant expression folds into a literal').toBe('literal');
  return (t as { value: Value }).value;
}

/** Evaluates an expression over rows (a column per schema field), through the compiled evaluator. */
export function evalRows(e: Expr, schema: StructType, rows: readonly Record<string, unknown>[], timeZone = 'UTC', now = NOW): Value[] {
  const t = bindExpression(e, schema, { timeZone, currentTimestampMicros: now });
  return compileExpression(t, { timeZone, nowMicros: now }).evaluate(rowsToBatch(rows, schema)).toValues();
}

/** A literal of a given Delta type, holding a value in the evaluator's representation. */
export const typed = (dataType: DataType, value: unknown): Expr => lit({ type: 'typed', dataType, value });

/** `CAST(value AS to)`, folded. */
export const castOf = (value: LiteralValue | Expr, to: DataType, timeZone = 'UTC'): Value =>
  fold(cast(isExpr(value) ? value : lit(value), to), timeZone);

const isExpr = (v: unknown): v is Expr => typeof v === 'object' && v !== null && 'kind' in v;

/** Days since 1970-01-01 of a proleptic Gregorian date, computed with `Date`. */
export function epochDays(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / 86_400_000);
}

/** µs since the epoch of a UTC wall-clock time, computed with `Date` (`fraction` in µs). */
export function utcMicros(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, fraction = 0): bigint {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return BigInt(d.getTime()) * 1000n + BigInt(fraction);
}

/** The wall-clock fields of an instant in an IANA zone, read with `Intl` (independent of deltakit's zone code). */
export function intlWall(micros: bigint, timeZone: string): string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(new Date(Number(micros / 1000n))).map((x) => [x.type, x.value]));
  return `${String(p['year']).padStart(4, '0')}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}:${p['second']}`;
}
