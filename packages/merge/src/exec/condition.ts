import type { Expr, Snapshot } from '@deltakit/core';
import * as core from '@deltakit/core';
import { bindExpression, bindPredicate, printExpr, type TypedExpr } from '@deltakit/core/internal';

/** SQL text or an expression tree, as DML statements accept conditions and values. */
export type ExprInput = string | Expr;

/** A DML condition parsed and bound over the target table. */
export interface BoundCondition {
  readonly expr: Expr;
  readonly bound: TypedExpr;
  /** The condition as SQL, as recorded in commitInfo's `predicate` parameter. */
  readonly sql: string;
}

/**
 * Parses SQL text with core's expression parser (`parseExpression` once it is available, else the
 * predicate parser), so the caller's text is what error carets point into.
 */
export function parseInput(input: ExprInput, timeZone: string, as: 'predicate' | 'expression'): Expr {
  if (typeof input !== 'string') return input;
  const parseExpression = (core as Record<string, unknown>)['parseExpression'] as ((s: string, o?: { timeZone?: string }) => Expr) | undefined;
  if (as === 'expression' && parseExpression !== undefined) return parseExpression(input, { timeZone });
  return core.parsePredicate(input, { timeZone });
}

/** Parses and binds a condition over `snapshot` (errors show the text with a caret). */
export function bindDmlCondition(snapshot: Snapshot, input: ExprInput, options: { timeZone: string; nowMicros: bigint }): BoundCondition {
  const expr = parseInput(input, options.timeZone, 'predicate');
  const bound = bindPredicate(expr, snapshot.schema, {
    partitionColumns: snapshot.partitionColumns,
    columnMappingMode: snapshot.columnMapping,
    timeZone: options.timeZone,
    currentTimestampMicros: options.nowMicros,
    ...(typeof input === 'string' ? { source: input } : {}),
  });
  return { expr, bound, sql: printExpr(expr) };
}

/** Binds a value expression over `snapshot` (e.g. an UPDATE assignment). */
export function bindDmlValue(snapshot: Snapshot, input: ExprInput, options: { timeZone: string; nowMicros: bigint }): { expr: Expr; bound: TypedExpr } {
  const expr = parseInput(input, options.timeZone, 'expression');
  const bound = bindExpression(expr, { schema: snapshot.schema, partitionColumns: snapshot.partitionColumns, columnMappingMode: snapshot.columnMapping }, {
    timeZone: options.timeZone,
    currentTimestampMicros: options.nowMicros,
    ...(typeof input === 'string' ? { source: input } : {}),
  });
  return { expr, bound };
}
