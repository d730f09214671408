import type { Expr, Snapshot } from '@deltakit/core';
import { parseExpression, transformExpr } from '@deltakit/core';
import { bindCondition, bindExpression, printExpr, type Relation, type TypedExpr } from '@deltakit/core/internal';

/** SQL text or an expression tree, as DML statements accept conditions and values. */
export type ExprInput = string | Expr;

/** A DML condition parsed and bound over the target table. */
export interface BoundCondition {
  /** The condition with the target alias removed from column names (bindable over the table alone). */
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
export function bindDmlCondition(snapshot: Snapshot, input: ExprInput, options: DmlBindOptions): BoundCondition {
  const expr = parseInput(input, options.timeZone);
  const bound = bindCondition(expr, targetRelation(snapshot, options.alias), {
    timeZone: options.timeZone,
    currentTimestampMicros: options.nowMicros,
    ...(typeof input === 'string' ? { source: input } : {}),
  });
  const plain = withoutAlias(expr, snapshot, options.alias);
  return { expr: plain, bound, sql: printExpr(plain) };
}

/**
 * `expr` with the target alias removed from qualified column names (`t.id` → `id`), as the binder
 * resolved them: what the transaction's read predicate and commitInfo's `predicate` need.
 */
function withoutAlias(expr: Expr, snapshot: Snapshot, alias: string | undefined): Expr {
  if (alias === undefined) return expr;
  const a = alias.toLowerCase();
  const isField = (name: string) => snapshot.schema.fields.some((f) => f.name.toLowerCase() === name.toLowerCase());
  return transformExpr(expr, (node) =>
    node.kind === 'column' && node.path.length > 1 && node.path[0]!.toLowerCase() === a && isField(node.path[1]!) ? { ...node, path: node.path.slice(1) } : node,
  );
}

/** How DML binds its expressions: the session zone, the statement clock and the table's alias. */
export interface DmlBindOptions {
  readonly timeZone: string;
  readonly nowMicros: bigint;
  /** The target's alias (`DELETE FROM t AS x WHERE x.id = 1`), when it has one. */
  readonly alias?: string | undefined;
}

/** The target table as the one relation DELETE and UPDATE expressions see. */
function targetRelation(snapshot: Snapshot, alias: string | undefined): Relation {
  return {
    schema: snapshot.schema,
    partitionColumns: snapshot.partitionColumns,
    columnMappingMode: snapshot.columnMapping,
    ...(alias === undefined ? {} : { alias }),
  };
}

/** Binds a value expression over `snapshot` (e.g. an UPDATE assignment). */
export function bindDmlValue(snapshot: Snapshot, input: ExprInput, options: DmlBindOptions): { expr: Expr; bound: TypedExpr } {
  const expr = parseInput(input, options.timeZone);
  const bound = bindExpression(expr, targetRelation(snapshot, options.alias), {
    timeZone: options.timeZone,
    currentTimestampMicros: options.nowMicros,
    ...(typeof input === 'string' ? { source: input } : {}),
  });
  return { expr, bound };
}
