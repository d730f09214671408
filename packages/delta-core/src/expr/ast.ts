/**
 * The one expression AST shared by every package: scan filters, conflict-check predicates,
 * DELETE / UPDATE / MERGE conditions and assignments, constraints and generated columns. Nodes
 * are plain immutable objects; parse SQL text into them with `parseExpression`, resolve them
 * against a schema with `bindExpression` (expr/binder.ts), which types every node.
 *
 * Traverse with {@link visitExpr}: a visitor is a record with one handler per node kind, so a new
 * kind that some visitor does not handle is a compile error.
 *
 * `span` (optional on every node) is the node's `[start, end)` offsets in the source text it was
 * parsed from; binding errors use it to point at the offending part with a caret.
 */
import type { DataType } from '../schema/types.js';

/**
 * Literal values before binding:
 * - integers are bigint (exact; typed INT when they fit 32 bits, BIGINT when 64, else DECIMAL),
 * - `{ decimal }` is exact decimal text (`1.50` is DECIMAL(3,2)), JS numbers are DOUBLE (`1e3`),
 * - dates, timestamps and binary carry their type so comparisons know the domain,
 * - `typed` is a value already in the representation of `dataType` (see expr/scalar.ts `Scalar`,
 *   e.g. `10L` → `{ dataType: long, value: 10n }`, `1.5F` → float),
 * - `interval` is a calendar interval (`INTERVAL 10 MINUTES`): months, days and microseconds kept
 *   apart as Spark's CalendarInterval does, because months and days have no fixed length.
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
  | { readonly type: 'binary'; readonly bytes: Uint8Array }
  | { readonly type: 'typed'; readonly dataType: DataType; readonly value: unknown }
  | { readonly type: 'interval'; readonly months: number; readonly days: number; readonly micros: bigint };

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '<=>';

/** `div` is integral division (result BIGINT); `%` is the remainder with the dividend's sign. */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | 'div';

/** `[start, end)` offsets into the parsed source. */
export type Span = readonly [number, number];

export interface CaseBranch {
  readonly when: Expr;
  readonly then: Expr;
}

export type Expr =
  | { readonly kind: 'literal'; readonly value: LiteralValue; readonly span?: Span }
  /**
   * A column reference; `path` has one entry per name part as written (`t.a.b` → `['t','a','b']`).
   * The binder decides whether a leading part is a relation alias or a column.
   */
  | { readonly kind: 'column'; readonly path: readonly string[]; readonly span?: Span }
  | { readonly kind: 'comparison'; readonly op: ComparisonOp; readonly left: Expr; readonly right: Expr; readonly span?: Span }
  | { readonly kind: 'and'; readonly args: readonly Expr[]; readonly span?: Span }
  | { readonly kind: 'or'; readonly args: readonly Expr[]; readonly span?: Span }
  | { readonly kind: 'not'; readonly arg: Expr; readonly span?: Span }
  | { readonly kind: 'isNull'; readonly arg: Expr; readonly negated: boolean; readonly span?: Span }
  | { readonly kind: 'in'; readonly arg: Expr; readonly list: readonly Expr[]; readonly negated: boolean; readonly span?: Span }
  | { readonly kind: 'arith'; readonly op: ArithmeticOp; readonly left: Expr; readonly right: Expr; readonly span?: Span }
  | { readonly kind: 'negate'; readonly arg: Expr; readonly span?: Span }
  /**
   * A function call by name (lower case), including the SQL forms the parser maps to functions:
   * `LIKE` → `like(arg, pattern[, escape])`, `RLIKE`/`REGEXP` → `rlike`, `IF` → `if`,
   * `COALESCE`, `NULLIF`, `NVL`, string concatenation `||` → `concat`, `EXTRACT(f FROM x)` → the
   * field's function. `star` is true for `f(*)`; `distinct` for an aggregate's `f(DISTINCT x)`
   * (parsed everywhere, only aggregate queries accept it; the binder refuses it).
   */
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly star?: boolean; readonly distinct?: boolean; readonly span?: Span }
  /** `CAST(arg AS type)`; `TRY_CAST` has `mode: 'try'` (same result as Spark's non-ANSI CAST). */
  | { readonly kind: 'cast'; readonly arg: Expr; readonly to: DataType; readonly mode?: 'cast' | 'try'; readonly span?: Span }
  /** `CASE [operand] WHEN … THEN … [ELSE …] END`; with an operand each `when` is compared to it. */
  | { readonly kind: 'case'; readonly operand?: Expr; readonly branches: readonly CaseBranch[]; readonly otherwise?: Expr; readonly span?: Span }
  /** Field `name` of a struct-valued expression (`from_json(j, 'a INT').a`, `arr[0].b`). */
  | { readonly kind: 'field'; readonly arg: Expr; readonly name: string; readonly span?: Span }
  /** `arg[index]`: array element (0-based, as Spark's `[]`) or map value by key. */
  | { readonly kind: 'subscript'; readonly arg: Expr; readonly index: Expr; readonly span?: Span };

export type ExprKind = Expr['kind'];

export type ExprVisitor<R> = { readonly [K in ExprKind]: (e: Extract<Expr, { kind: K }>) => R };

export function visitExpr<R>(e: Expr, visitor: ExprVisitor<R>): R {
  return (visitor[e.kind] as (e: Expr) => R)(e);
}

/** The direct children of a node, in source order. */
export function childrenOf(e: Expr): readonly Expr[] {
  return visitExpr<readonly Expr[]>(e, {
    literal: () => [],
    column: () => [],
    comparison: (c) => [c.left, c.right],
    and: (a) => a.args,
    or: (o) => o.args,
    not: (n) => [n.arg],
    isNull: (n) => [n.arg],
    in: (i) => [i.arg, ...i.list],
    arith: (a) => [a.left, a.right],
    negate: (n) => [n.arg],
    call: (c) => c.args,
    cast: (c) => [c.arg],
    case: (c) => [...(c.operand ? [c.operand] : []), ...c.branches.flatMap((b) => [b.when, b.then]), ...(c.otherwise ? [c.otherwise] : [])],
    field: (f) => [f.arg],
    subscript: (s) => [s.arg, s.index],
  });
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
export const arith = (op: ArithmeticOp, left: Expr, right: Expr): Expr => ({ kind: 'arith', op, left, right });
export const negate = (arg: Expr): Expr => ({ kind: 'negate', arg });
export const call = (name: string, ...args: Expr[]): Expr => ({ kind: 'call', name: name.toLowerCase(), args });
export const cast = (arg: Expr, to: DataType): Expr => ({ kind: 'cast', arg, to });
export const caseWhen = (branches: CaseBranch[], otherwise?: Expr, operand?: Expr): Expr => ({
  kind: 'case',
  branches,
  ...(otherwise === undefined ? {} : { otherwise }),
  ...(operand === undefined ? {} : { operand }),
});
export const fieldOf = (arg: Expr, name: string): Expr => ({ kind: 'field', arg, name });
export const subscript = (arg: Expr, index: Expr): Expr => ({ kind: 'subscript', arg, index });

/** The column paths an expression references, each once, in first-seen order. */
export function referencedColumns(e: Expr): string[][] {
  const seen = new Map<string, string[]>();
  const walk = (x: Expr): void => {
    if (x.kind === 'column') seen.set(JSON.stringify(x.path), [...x.path]);
    else childrenOf(x).forEach(walk);
  };
  walk(e);
  return [...seen.values()];
}

/** A copy of `e` with `f` applied bottom-up to every node (children first). */
export function transformExpr(e: Expr, f: (node: Expr) => Expr): Expr {
  const rec = (x: Expr): Expr => f(mapChildren(x, rec));
  return rec(e);
}

/** `e` with each direct child replaced by `g(child)` (same node when nothing changes). */
export function mapChildren(e: Expr, g: (child: Expr) => Expr): Expr {
  return visitExpr<Expr>(e, {
    literal: (x) => x,
    column: (x) => x,
    comparison: (x) => ({ ...x, left: g(x.left), right: g(x.right) }),
    and: (x) => ({ ...x, args: x.args.map(g) }),
    or: (x) => ({ ...x, args: x.args.map(g) }),
    not: (x) => ({ ...x, arg: g(x.arg) }),
    isNull: (x) => ({ ...x, arg: g(x.arg) }),
    in: (x) => ({ ...x, arg: g(x.arg), list: x.list.map(g) }),
    arith: (x) => ({ ...x, left: g(x.left), right: g(x.right) }),
    negate: (x) => ({ ...x, arg: g(x.arg) }),
    call: (x) => ({ ...x, args: x.args.map(g) }),
    cast: (x) => ({ ...x, arg: g(x.arg) }),
    case: (x) => ({
      ...x,
      ...(x.operand ? { operand: g(x.operand) } : {}),
      branches: x.branches.map((b) => ({ when: g(b.when), then: g(b.then) })),
      ...(x.otherwise ? { otherwise: g(x.otherwise) } : {}),
    }),
    field: (x) => ({ ...x, arg: g(x.arg) }),
    subscript: (x) => ({ ...x, arg: g(x.arg), index: g(x.index) }),
  });
}
