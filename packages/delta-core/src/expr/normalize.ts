/**
 * Normal forms of comparisons, so evaluation can take its fast path and data skipping can read
 * statistics: a column compared with a value is written `column op literal`, in the column's own
 * type, whenever the coercion Spark applies to the column is an exact widening (int → long,
 * int → decimal, float → double, ...). A value the column's type cannot hold exactly is replaced
 * by its two neighbours (`intCol > 1.5` ⇒ `intCol >= 2`), which gives the same result row by row.
 */
import type { DataType, DecimalType } from '../schema/types.js';
import type { ComparisonOp, Span } from './ast.js';
import { isDecimalValue, rescaleDecimal, type DecimalValue } from './scalar.js';
import { BOOLEAN, decimalForIntegral, isIntegral, isPrimitive, sameType } from './type-rules.js';
import type { TypedColumn, TypedExpr } from './typed.js';
import type { Value } from './value.js';

const FLIP: Record<ComparisonOp, ComparisonOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=', '<=>': '<=>' };

const span = (s: Span | undefined): { span?: Span } => (s === undefined ? {} : { span: s });

/** `left op right` (both of one type) in normal form. */
export function normalizeComparison(op: ComparisonOp, left: TypedExpr, right: TypedExpr, at: Span | undefined): TypedExpr {
  if (left.kind === 'literal' && right.kind !== 'literal') return normalizeComparison(FLIP[op], right, left, at);
  const plain: TypedExpr = { kind: 'comparison', type: BOOLEAN, op, left, right, ...span(at) };
  if (right.kind !== 'literal') return plain;
  const col = widenedColumn(left);
  if (!col) return plain;
  const value = right.value;
  if (value === null) {
    if (op === '<=>') return { kind: 'isNull', type: BOOLEAN, arg: col, negated: false, ...span(at) };
    return { kind: 'literal', type: BOOLEAN, value: null, ...span(at) };
  }
  if (col === left) return plain;
  const narrowed = narrow(value, left.type, col.type);
  if (narrowed === undefined) return plain;
  const cmp = (o: ComparisonOp, v: Value): TypedExpr => ({ kind: 'comparison', type: BOOLEAN, op: o, left: col, right: { kind: 'literal', type: col.type, value: v }, ...span(at) });
  if ('exact' in narrowed) return cmp(op, narrowed.exact);
  const { floor, ceil } = narrowed;
  switch (op) {
    case '>':
    case '>=':
      return cmp('>=', ceil);
    case '<':
    case '<=':
      return cmp('<=', floor);
    case '=':
      return { kind: 'and', type: BOOLEAN, args: [cmp('>=', ceil), cmp('<=', floor)], ...span(at) };
    case '!=':
      return { kind: 'or', type: BOOLEAN, args: [cmp('<=', floor), cmp('>=', ceil)], ...span(at) };
    case '<=>':
      return { kind: 'literal', type: BOOLEAN, value: false, ...span(at) };
  }
}

/** `arg [NOT] IN (list)` (all of one type) in normal form. */
export function normalizeIn(arg: TypedExpr, list: readonly TypedExpr[], negated: boolean, at: Span | undefined): TypedExpr {
  const plain: TypedExpr = { kind: 'in', type: BOOLEAN, arg, list, negated, ...span(at) };
  const col = widenedColumn(arg);
  if (!col || col === arg || !list.every((x) => x.kind === 'literal')) return plain;
  const items: TypedExpr[] = [];
  for (const x of list as readonly Extract<TypedExpr, { kind: 'literal' }>[]) {
    if (x.value === null) {
      items.push({ kind: 'literal', type: col.type, value: null });
      continue;
    }
    const n = narrow(x.value, arg.type, col.type);
    if (n === undefined) return plain;
    if ('exact' in n) items.push({ kind: 'literal', type: col.type, value: n.exact }); // an inexact value never equals a row: dropped
  }
  return { kind: 'in', type: BOOLEAN, arg: col, list: items, negated, ...span(at) };
}

/** The column under `e` when `e` is a column or an exactly widening cast of one. */
function widenedColumn(e: TypedExpr): TypedColumn | undefined {
  if (e.kind === 'column') return e;
  if (e.kind === 'cast' && e.arg.kind === 'column' && exactWidening(e.arg.type, e.type)) return e.arg;
  return undefined;
}

/** Whether every value of `from` converts to `to` exactly and order-preservingly. */
export function exactWidening(from: DataType, to: DataType): boolean {
  if (sameType(from, to)) return true;
  if (isIntegral(from)) {
    if (isIntegral(to)) return rank(to) >= rank(from);
    if (to.kind === 'decimal') {
      const d = decimalForIntegral(from)!;
      return to.precision - to.scale >= d.precision;
    }
    if (isPrimitive(to, 'double')) return !isPrimitive(from, 'long');
    if (isPrimitive(to, 'float')) return isPrimitive(from, 'byte', 'short');
    return false;
  }
  if (isPrimitive(from, 'float')) return isPrimitive(to, 'double');
  if (from.kind === 'decimal' && to.kind === 'decimal') return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
  return false;
}

const rank = (t: DataType): number => ['byte', 'short', 'integer', 'long'].indexOf((t as { name: string }).name);

type Narrowed = { exact: Value } | { floor: Value; ceil: Value };

/** A value of the wider type `from` in the column type `to`, exactly or as its two neighbours. */
function narrow(v: Value, from: DataType, to: DataType): Narrowed | undefined {
  if (isPrimitive(to, 'float', 'double')) return typeof v === 'number' ? { exact: v } : undefined;
  const d = asDecimal(v, from);
  if (d === undefined) return undefined;
  if (to.kind === 'decimal') {
    const r = rescaleDecimal(d, (to as DecimalType).scale);
    return 'exact' in r ? { exact: r.exact } : { floor: r.floor, ceil: r.ceil };
  }
  if (!isIntegral(to)) return undefined;
  const r = rescaleDecimal(d, 0);
  const long = isPrimitive(to, 'long');
  const conv = (x: DecimalValue): Value => (long ? x.unscaled : Number(x.unscaled));
  return 'exact' in r ? { exact: conv(r.exact) } : { floor: conv(r.floor), ceil: conv(r.ceil) };
}

function asDecimal(v: Value, from: DataType): DecimalValue | undefined {
  if (isDecimalValue(v)) return v;
  if (typeof v === 'bigint') return { unscaled: v, scale: 0 };
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (Number.isInteger(v)) return { unscaled: BigInt(v), scale: 0 };
    if (isPrimitive(from, 'double', 'float')) {
      // The exact binary value of the double, as a decimal (a double is a dyadic rational).
      const [mant, exp] = frexpExact(v);
      return exp >= 0 ? { unscaled: mant * 2n ** BigInt(exp), scale: 0 } : { unscaled: mant * 5n ** BigInt(-exp), scale: -exp };
    }
  }
  return undefined;
}

/** `v = mant · 2^exp` exactly, for finite `v`. */
function frexpExact(v: number): [bigint, number] {
  let exp = 0;
  let m = v;
  while (!Number.isInteger(m)) {
    m *= 2;
    exp--;
  }
  return [BigInt(m), exp];
}
