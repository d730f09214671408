import type { DataType } from '../schema/types.js';
import type { ComparisonOp } from './ast.js';
import type { Scalar } from './scalar.js';

/**
 * A predicate resolved against a table schema ({@link bindPredicate}): column references carry
 * their field, type and physical path, and every literal has the representation of the column it
 * is compared with (see {@link Scalar}). Shapes are normalized so consumers handle few cases:
 * - comparisons have a column on the left; the right is a literal of the column's type or another
 *   column of a comparable type; a null literal only appears with `<=>`, never in `IN` lists;
 * - constant subexpressions are folded into `constant` nodes.
 */
export type BoundExpr =
  | BoundConstant
  | { readonly kind: 'comparison'; readonly op: ComparisonOp; readonly left: BoundColumn; readonly right: BoundColumn | BoundLiteral }
  | { readonly kind: 'and'; readonly args: readonly BoundExpr[] }
  | { readonly kind: 'or'; readonly args: readonly BoundExpr[] }
  | { readonly kind: 'not'; readonly arg: BoundExpr }
  | { readonly kind: 'isNull'; readonly arg: BoundColumn; readonly negated: boolean }
  /** `arg IN (values)`; `hasNull` when the list contained NULL (which makes non-matches null). */
  | { readonly kind: 'in'; readonly arg: BoundColumn; readonly values: readonly Exclude<Scalar, null>[]; readonly hasNull: boolean; readonly negated: boolean };

/** A constant truth value; null is SQL UNKNOWN. */
export interface BoundConstant {
  readonly kind: 'constant';
  readonly value: boolean | null;
}

export interface BoundColumn {
  readonly kind: 'column';
  /** Logical path as spelled in the schema (case resolved). */
  readonly path: readonly string[];
  /** Physical path: the names used in data files, stats and partition values. */
  readonly physicalPath: readonly string[];
  readonly type: DataType;
  /** True for a partition column: its value comes from the log, not the data file. */
  readonly partition: boolean;
}

export interface BoundLiteral {
  readonly kind: 'literal';
  readonly value: Scalar;
}

/** The distinct columns a bound predicate reads, in first-seen order. */
export function boundColumns(e: BoundExpr): BoundColumn[] {
  const seen = new Map<string, BoundColumn>();
  const add = (c: BoundColumn): void => {
    const key = JSON.stringify(c.path);
    if (!seen.has(key)) seen.set(key, c);
  };
  const walk = (x: BoundExpr): void => {
    switch (x.kind) {
      case 'constant':
        return;
      case 'comparison':
        add(x.left);
        if (x.right.kind === 'column') add(x.right);
        return;
      case 'and':
      case 'or':
        x.args.forEach(walk);
        return;
      case 'not':
        walk(x.arg);
        return;
      case 'isNull':
      case 'in':
        add(x.arg);
        return;
    }
  };
  walk(e);
  return [...seen.values()];
}
