/**
 * Small helpers shared by MERGE planning: parsing user expressions, printing conditions as Spark
 * records them, resolving assignment keys, and prefixing errors with the clause they come from.
 */
import { DeltaError, isDeltaError, parseExpression, parsePredicate, type Expr, type StructType } from '@deltakit/core';
import { printExpr } from '@deltakit/core/internal';
import type { ExprInput } from './clauses.js';

/** A relation schema without columns (the side a clause may not read). */
export const EMPTY_STRUCT: StructType = { kind: 'struct', fields: [] };

/** Parses SQL text with core's expression parser (errors point into the text with a caret). */
export function parseInput(input: ExprInput, timeZone: string): { expr: Expr; source?: string } {
  if (typeof input !== 'string') return { expr: input };
  return { expr: parseExpression(input, { timeZone }), source: input };
}


/** SQL text of a condition, parenthesized as Spark's `Expression.sql`. */
export function printCondition(e: Expr): string {
  const text = printExpr(e);
  return text.startsWith('(') ? text : `(${text})`;
}

/** A `set`/`values` key as name parts, without a leading target alias. */
export function targetPath(key: string, alias: string | undefined, schema: StructType, timeZone: string): string[] {
  let path: string[];
  try {
    const e = parsePredicate(key, { timeZone });
    if (e.kind !== 'column') throw new Error('not a column');
    path = [...e.path];
  } catch (cause) {
    throw new DeltaError('INVALID_ARGUMENT', `"${key}" is not a target column name. Keys of set/values name target columns: \`name\`, a nested field \`a.b\`, or a back-quoted name for names with special characters.`, { cause });
  }
  if (path.length > 1 && alias !== undefined && path[0]!.toLowerCase() === alias.toLowerCase() && schema.fields.some((f) => f.name.toLowerCase() === path[1]!.toLowerCase())) {
    path = path.slice(1);
  }
  return path;
}

/** Re-throws a DeltaError with `prefix` (which clause) in front of its message, same code and details. */
export function inContext(e: unknown, prefix: string): DeltaError {
  if (!isDeltaError(e)) return new DeltaError('INTERNAL', `${prefix}: ${String(e)}`, { cause: e });
  return new DeltaError(e.code, `${prefix}: ${e.message}`, { cause: e, details: e.details });
}
