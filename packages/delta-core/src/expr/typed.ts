import type { DataType } from '../schema/types.js';
import type { ComparisonOp, Span } from './ast.js';
import type { Value } from './value.js';
import type { Vec } from './vector.js';

/**
 * An expression resolved against a scope of relations (expr/binder.ts): every node has its Delta
 * result `type`, column references point at a relation and carry logical and physical paths,
 * implicit casts are explicit `cast` nodes, functions are resolved to kernels, and subtrees
 * without column references are folded into literals. Shapes the evaluator and data skipping rely
 * on:
 * - comparison and `in` operands have the same type (the comparison type);
 * - a comparison of a column with a value its type can hold exactly is written
 *   `column op literal` in the column's own type (no cast on the column), with the column first;
 * - boolean constants are `literal` nodes of type boolean (value true, false or null).
 */
export type TypedExpr =
  | TypedLiteral
  | TypedColumn
  | { readonly kind: 'comparison'; readonly type: DataType; readonly op: ComparisonOp; readonly left: TypedExpr; readonly right: TypedExpr; readonly span?: Span }
  | { readonly kind: 'and'; readonly type: DataType; readonly args: readonly TypedExpr[]; readonly span?: Span }
  | { readonly kind: 'or'; readonly type: DataType; readonly args: readonly TypedExpr[]; readonly span?: Span }
  | { readonly kind: 'not'; readonly type: DataType; readonly arg: TypedExpr; readonly span?: Span }
  | { readonly kind: 'isNull'; readonly type: DataType; readonly arg: TypedExpr; readonly negated: boolean; readonly span?: Span }
  /** `arg [NOT] IN (list)`; every list item has the type of `arg`. */
  | { readonly kind: 'in'; readonly type: DataType; readonly arg: TypedExpr; readonly list: readonly TypedExpr[]; readonly negated: boolean; readonly span?: Span }
  /** Searched CASE; every `then` and `otherwise` has the node's type; a missing ELSE is a null literal. */
  | { readonly kind: 'case'; readonly type: DataType; readonly branches: readonly { readonly when: TypedExpr; readonly then: TypedExpr }[]; readonly otherwise: TypedExpr; readonly span?: Span }
  /** Spark's non-ANSI CAST to `type` (invalid values become null); zone-dependent casts use the bound time zone. */
  | { readonly kind: 'cast'; readonly type: DataType; readonly arg: TypedExpr; readonly span?: Span }
  /** A resolved function (arithmetic, string, date, hash, JSON, element access...). */
  | { readonly kind: 'call'; readonly type: DataType; readonly name: string; readonly fn: BoundFunction; readonly args: readonly TypedExpr[]; readonly span?: Span }
  /** Field `index` of a struct value. */
  | { readonly kind: 'field'; readonly type: DataType; readonly arg: TypedExpr; readonly index: number; readonly name: string; readonly span?: Span };

export interface TypedLiteral {
  readonly kind: 'literal';
  readonly type: DataType;
  readonly value: Value;
  readonly span?: Span;
}

export interface TypedColumn {
  readonly kind: 'column';
  readonly type: DataType;
  /** Index of the relation in the bind scope (0 for a single table). */
  readonly relation: number;
  /** Logical path as spelled in the schema (case resolved), without the relation alias. */
  readonly path: readonly string[];
  /** Physical path: names in data files, statistics and partition values (column mapping). */
  readonly physicalPath: readonly string[];
  /** True for a top-level partition column: its value comes from the log, not the data file. */
  readonly partition: boolean;
  readonly nullable: boolean;
  readonly span?: Span;
}

/** What a kernel may read besides its arguments. Fixed for one evaluation of one batch. */
export interface EvalContext {
  /** Rows in the batch. */
  readonly length: number;
  /** IANA session time zone (Spark's `spark.sql.session.timeZone`). */
  readonly timeZone: string;
  /** `current_timestamp()` of this query, µs since the epoch: one value for the whole statement, as Spark. */
  readonly nowMicros: bigint;
}

/**
 * A function resolved for concrete argument types. `eval` gets one Vec per argument (each of the
 * argument's type, `length` rows) and returns a Vec of the bound result type with `length` rows.
 * Kernels are pure: no I/O, no clock (time comes from the context).
 */
export interface BoundFunction {
  readonly eval: (args: readonly Vec[], ctx: EvalContext) => Vec;
  /** False for functions whose result varies between calls with equal inputs (rand, uuid). */
  readonly deterministic?: boolean;
  /** True for functions that read `ctx.nowMicros` (folded per statement, not at bind time). */
  readonly usesClock?: boolean;
}

/** The distinct columns an expression reads, in first-seen order (keyed by relation and path). */
export function typedColumns(e: TypedExpr): TypedColumn[] {
  const seen = new Map<string, TypedColumn>();
  const walk = (x: TypedExpr): void => {
    if (x.kind === 'column') {
      const key = `${x.relation}:${JSON.stringify(x.path)}`;
      if (!seen.has(key)) seen.set(key, x);
      return;
    }
    for (const c of typedChildren(x)) walk(c);
  };
  walk(e);
  return [...seen.values()];
}

/** The direct children of a typed node. */
export function typedChildren(e: TypedExpr): readonly TypedExpr[] {
  switch (e.kind) {
    case 'literal':
    case 'column':
      return [];
    case 'comparison':
      return [e.left, e.right];
    case 'and':
    case 'or':
      return e.args;
    case 'not':
    case 'isNull':
    case 'cast':
    case 'field':
      return [e.arg];
    case 'in':
      return [e.arg, ...e.list];
    case 'case':
      return [...e.branches.flatMap((b) => [b.when, b.then]), e.otherwise];
    case 'call':
      return e.args;
  }
}

/** True when the expression reads no column (a constant, possibly depending on the clock). */
export function isConstantExpr(e: TypedExpr): boolean {
  if (e.kind === 'column') return false;
  if (e.kind === 'call' && e.fn.deterministic === false) return false;
  return typedChildren(e).every(isConstantExpr);
}
