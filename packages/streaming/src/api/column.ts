/**
 * `Column`: a named or unnamed expression of the shared expression tree (`@deltakit/core`'s
 * `Expr`), as PySpark's `Column`. Columns are immutable; every method returns a new one.
 * Aggregate and window columns carry their own node kind (see {@link ColumnNode}) because the
 * expression language evaluates row by row and they are planned as operators, not evaluated.
 */
import { DeltaError, parseExpression, type DataType, type Expr, type LiteralValue } from '@deltakit/core';
import { parseDdlType } from '@deltakit/core/internal';

/** What a column stands for: a row expression, or an aggregate/window planned as an operator. */
export type ColumnNode =
  | { readonly kind: 'expr'; readonly expr: Expr }
  | { readonly kind: 'aggregate'; readonly fn: AggregateFunction; readonly arg: Expr | '*'; readonly distinct: boolean }
  | { readonly kind: 'window'; readonly timeColumn: Expr; readonly windowDuration: string; readonly slideDuration?: string; readonly startTime?: string }
  | { readonly kind: 'sessionWindow'; readonly timeColumn: Expr; readonly gap: Expr | string };

export type AggregateFunction =
  | 'count' | 'sum' | 'avg' | 'mean' | 'min' | 'max' | 'first' | 'last' | 'collect_list' | 'collect_set' | 'approx_count_distinct'
  | 'stddev' | 'stddev_samp' | 'stddev_pop' | 'variance' | 'var_samp' | 'var_pop';

/** A value usable where a column is expected: a Column, or a literal. */
export type ColumnLike = Column | LiteralValue | Date;

export class Column {
  readonly node: ColumnNode;
  /** Output name given with `alias`; otherwise the name derives from the expression (Spark's rules). */
  readonly outputName: string | undefined;
  /** Sort direction, set by `asc()`/`desc()` for `orderBy`. */
  readonly sort: { readonly ascending: boolean; readonly nullsFirst: boolean } | undefined;

  constructor(node: ColumnNode, alias?: string, sort?: { ascending: boolean; nullsFirst: boolean }) {
    this.node = node;
    this.outputName = alias;
    this.sort = sort;
  }

  /** The row expression; throws for aggregate and window columns, which only `groupBy(...).agg` plans. */
  get expr(): Expr {
    if (this.node.kind === 'expr') return this.node.expr;
    throw new DeltaError('INVALID_ARGUMENT', `${describeNode(this.node)} is not a row expression: use it in groupBy(...).agg(...) (or groupBy(window(...)) for windows).`);
  }

  /** Renames the output column (PySpark `alias`; `as` and `name` are the same). */
  alias(name: string): Column {
    return new Column(this.node, name, this.sort);
  }
  as(name: string): Column {
    return this.alias(name);
  }
  name(name: string): Column {
    return this.alias(name);
  }

  plus(o: ColumnLike): Column { return this.#bin('arith', '+', o); }
  minus(o: ColumnLike): Column { return this.#bin('arith', '-', o); }
  multiply(o: ColumnLike): Column { return this.#bin('arith', '*', o); }
  divide(o: ColumnLike): Column { return this.#bin('arith', '/', o); }
  mod(o: ColumnLike): Column { return this.#bin('arith', '%', o); }
  eq(o: ColumnLike): Column { return this.#bin('comparison', '=', o); }
  eqNullSafe(o: ColumnLike): Column { return this.#bin('comparison', '<=>', o); }
  neq(o: ColumnLike): Column { return this.#bin('comparison', '!=', o); }
  lt(o: ColumnLike): Column { return this.#bin('comparison', '<', o); }
  leq(o: ColumnLike): Column { return this.#bin('comparison', '<=', o); }
  gt(o: ColumnLike): Column { return this.#bin('comparison', '>', o); }
  geq(o: ColumnLike): Column { return this.#bin('comparison', '>=', o); }
  and(o: ColumnLike): Column { return expr({ kind: 'and', args: [this.expr, toExpr(o)] }); }
  or(o: ColumnLike): Column { return expr({ kind: 'or', args: [this.expr, toExpr(o)] }); }
  not(): Column { return expr({ kind: 'not', arg: this.expr }); }
  negate(): Column { return expr({ kind: 'negate', arg: this.expr }); }
  isNull(): Column { return expr({ kind: 'isNull', arg: this.expr, negated: false }); }
  isNotNull(): Column { return expr({ kind: 'isNull', arg: this.expr, negated: true }); }
  isin(...values: ColumnLike[]): Column { return expr({ kind: 'in', arg: this.expr, list: values.map(toExpr), negated: false }); }
  between(low: ColumnLike, high: ColumnLike): Column { return this.geq(low).and(this.leq(high)); }
  like(pattern: string): Column { return expr({ kind: 'call', name: 'like', args: [this.expr, toExpr(pattern)] }); }
  rlike(pattern: string): Column { return expr({ kind: 'call', name: 'rlike', args: [this.expr, toExpr(pattern)] }); }
  startswith(s: ColumnLike): Column { return expr({ kind: 'call', name: 'startswith', args: [this.expr, toExpr(s)] }); }
  endswith(s: ColumnLike): Column { return expr({ kind: 'call', name: 'endswith', args: [this.expr, toExpr(s)] }); }
  contains(s: ColumnLike): Column { return expr({ kind: 'call', name: 'contains', args: [this.expr, toExpr(s)] }); }
  substr(pos: number, len: number): Column { return expr({ kind: 'call', name: 'substring', args: [this.expr, toExpr(pos), toExpr(len)] }); }
  /** CAST to a Delta/Spark type, given as DDL text (`'bigint'`, `'decimal(10,2)'`) or a DataType. */
  cast(to: string | DataType): Column {
    return expr({ kind: 'cast', arg: this.expr, to: typeof to === 'string' ? parseDdlType(to) : to });
  }
  getField(name: string): Column { return expr({ kind: 'field', arg: this.expr, name }); }
  getItem(key: ColumnLike): Column { return expr({ kind: 'subscript', arg: this.expr, index: toExpr(key) }); }
  asc(): Column { return new Column(this.node, this.outputName, { ascending: true, nullsFirst: true }); }
  desc(): Column { return new Column(this.node, this.outputName, { ascending: false, nullsFirst: false }); }
  ascNullsLast(): Column { return new Column(this.node, this.outputName, { ascending: true, nullsFirst: false }); }
  descNullsFirst(): Column { return new Column(this.node, this.outputName, { ascending: false, nullsFirst: true }); }

  toString(): string {
    return describeNode(this.node) + (this.outputName === undefined ? '' : ` AS ${this.outputName}`);
  }

  #bin(kind: 'arith' | 'comparison', op: string, o: ColumnLike): Column {
    return expr({ kind, op, left: this.expr, right: toExpr(o) } as Expr);
  }
}

/** A column over an expression tree. */
export function expr(e: Expr): Column;
/** A column parsed from SQL expression text (`expr("amount * 2")`). */
export function expr(sql: string): Column;
export function expr(e: Expr | string): Column {
  if (typeof e === 'string') {
    const parsed = parseExpression(e);
    return new Column({ kind: 'expr', expr: parsed });
  }
  return new Column({ kind: 'expr', expr: e });
}

/**
 * A column reference: `col('a')`, nested `col('a.b')`, a name with dots in backticks
 * (`col('`a.b`')`), or `col('*')` for every column.
 */
export function col(name: string): Column {
  if (name === '*') return new Column({ kind: 'expr', expr: { kind: 'column', path: ['*'] } });
  return new Column({ kind: 'expr', expr: { kind: 'column', path: splitColumnPath(name) } });
}

/** A literal column. */
export function lit(value: LiteralValue | Date | Column): Column {
  if (value instanceof Column) return value;
  return new Column({ kind: 'expr', expr: toExpr(value) });
}

/** `a.b.c` → ['a','b','c']; backticks quote a part (``` `` ``` is a literal backtick). */
export function splitColumnPath(name: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '`') {
      if (quoted && name[i + 1] === '`') {
        cur += '`';
        i++;
      } else quoted = !quoted;
    } else if (ch === '.' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  if (quoted || parts.some((p) => p === '')) {
    throw new DeltaError('INVALID_ARGUMENT', `'${name}' is not a valid column name: ${quoted ? 'a backtick is not closed' : 'it has an empty part'}. Write nested fields as a.b and quote names containing dots with backticks: \`a.b\`.`);
  }
  return parts;
}

/** A Column, a literal value or a Date as an expression (a string is a literal, as PySpark's `lit`). */
export function toExpr(v: ColumnLike): Expr {
  if (v instanceof Column) return v.expr;
  if (v instanceof Date) return { kind: 'literal', value: { type: 'timestamp', micros: BigInt(v.getTime()) * 1000n } };
  return { kind: 'literal', value: v };
}

/** A column argument that may be given by name (`'amount'`) or as a Column. */
export function columnArg(c: string | Column): Column {
  return typeof c === 'string' ? col(c) : c;
}

function describeNode(n: ColumnNode): string {
  switch (n.kind) {
    case 'expr':
      return 'column expression';
    case 'aggregate':
      return `aggregate ${n.fn}()`;
    case 'window':
      return 'window()';
    case 'sessionWindow':
      return 'session_window()';
  }
}
