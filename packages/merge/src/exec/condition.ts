import type { Expr, Snapshot } from '@deltakit/core';
import { parseExpression } from '@deltakit/core';
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
 * Parses SQL text with core's expression parser (trees pass through); nodes carry spans into the
 * text, so binding errors point into it with a caret.
 */
export function parseInput(input: ExprInput, timeZone: string): Expr {
  return typeof input === 'string' ? parseExpression(input, { timeZone }) : input;
}

/** Parses and binds a condition over `snapshot` (errors show the text with a caret). */
export function bindDmlCondition(snapshot: Snapshot, input: ExprInput, options: { timeZone: string; nowMicros: bigint }): BoundCondition {
  const expr = parseInput(input, options.timeZone);
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
  const expr = parseInput(input, options.timeZone);
  const bound = bindExpression(expr, { schema: snapshot.schema, partitionColumns: snapshot.partitionColumns, columnMappingMode: snapshot.columnMapping }, {
    timeZone: options.timeZone,
    currentTimestampMicros: options.nowMicros,
    ...(typeof input === 'string' ? { source: input } : {}),
  });
  return { expr, bound };
}
