/**
 * The one expression AST shared by every package: filters for scans, predicates for conflict
 * checks, and (later) MERGE/UPDATE/DELETE expressions. Nodes are plain immutable objects.
 *
 * Traverse with {@link visitExpr}: a visitor is a record with one handler per node kind, so a new
 * kind that some visitor does not handle is a compile error.
 */

/**
 * Literal values before they are bound to a column type:
 * - integers are bigint (exact 64-bit), non-integral numbers are `{ decimal: "1.50" }` when written
 *   as decimal text and JS numbers only when the source was floating (e.g. `1e3`),
 * - dates, timestamps and binary carry their type so comparisons know the domain.
 */
export type LiteralValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | { readonly type: 'decimal'; readonly text: string }
  | { readonly type: 'date'; readonly days: number }
  | { readonly type: 'timestamp'; readonly micros: bigint }
  | { readonly type: 'timestamp_ntz'; readonly micros: bigint }
  | { readonly type: 'binary'; readonly bytes: Uint8Array };

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '<=>';

export type Expr =
  | { readonly kind: 'literal'; readonly value: LiteralValue }
  /** A column reference; `path` has one entry per nesting level of a struct. */
  | { readonly kind: 'column'; readonly path: readonly string[] }
  | { readonly kind: 'comparison'; readonly op: ComparisonOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'and'; readonly args: readonly Expr[] }
  | { readonly kind: 'or'; readonly args: readonly Expr[] }
  | { readonly kind: 'not'; readonly arg: Expr }
  | { readonly kind: 'isNull'; readonly arg: Expr; readonly negated: boolean }
  | { readonly kind: 'in'; readonly arg: Expr; readonly list: readonly Expr[]; readonly negated: boolean };

export type ExprKind = Expr['kind'];

export type ExprVisitor<R> = { readonly [K in ExprKind]: (e: Extract<Expr, { kind: K }>) => R };

export function visitExpr<R>(e: Expr, visitor: ExprVisitor<R>): R {
  return (visitor[e.kind] as (e: Expr) => R)(e);
}

/** Builders, so callers never spell node objects by hand. */
export const col = (...path: string[]): Expr => ({ kind: 'column', path });
export const lit = (value: LiteralValue): Expr => ({ kind: 'literal', value });
export const cmp = (op: ComparisonOp, left: Expr, right: Expr): Expr => ({ kind: 'comparison', op, left, right });
export const and = (...args: Expr[]): Expr => ({ kind: 'and', args });
export const or = (...args: Expr[]): Expr => ({ kind: 'or', args });
export const not = (arg: Expr): Expr => ({ kind: 'not', arg });
export const isNull = (arg: Expr): Expr => ({ kind: 'isNull', arg, negated: false });
export const isNotNull = (arg: Expr): Expr => ({ kind: 'isNull', arg, negated: true });
export const inList = (arg: Expr, list: Expr[], negated = false): Expr => ({ kind: 'in', arg, list, negated });

/** The column paths an expression references, each once, in first-seen order. */
export function referencedColumns(e: Expr): string[][] {
  const seen = new Map<string, string[]>();
  const walk = (x: Expr): void =>
    visitExpr(x, {
      literal: () => undefined,
      column: (c) => void seen.set(JSON.stringify(c.path), [...c.path]),
      comparison: (c) => (walk(c.left), walk(c.right)),
      and: (a) => a.args.forEach(walk),
      or: (o) => o.args.forEach(walk),
      not: (n) => walk(n.arg),
      isNull: (n) => walk(n.arg),
      in: (i) => (walk(i.arg), i.list.forEach(walk)),
    });
  walk(e);
  return [...seen.values()];
}
