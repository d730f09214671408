/**
 * `orderBy` / `sort` for batch DataFrames: reads every batch, evaluates the sort keys once over
 * the concatenated rows and orders row indices (stable) in Spark's order: ascending puts nulls
 * first and descending last unless told otherwise, NaN is the largest double, strings compare by
 * UTF-8 bytes. Typed comparisons for numbers, longs and strings; others by evaluator values.
 */
import { deltaToArrowSchema } from '@deltakit/core';
import { bindExpression, compileExpression, concatBatches, takeRows, type Vec } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import type { Analyzed, SortOrder } from '../plan/analyze.js';
import { compareAny, compareStrings } from './aggregates/values.js';
import { OUTPUT_BATCH_ROWS } from './aggregate.js';
import type { ExecContext } from './context.js';

type SortNode = Extract<Analyzed, { kind: 'sort' }>;
type Cmp = (a: number, b: number) => number;

export async function* sort(node: SortNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext): AsyncGenerator<RecordBatch> {
  const bindOptions = { timeZone: ctx.timeZone, currentTimestampMicros: ctx.nowMicros };
  const keys = node.orders.map((o) => compileExpression(bindExpression(o.expr, node.child.schema, bindOptions), { timeZone: ctx.timeZone, nowMicros: ctx.nowMicros }));
  const batches: RecordBatch[] = [];
  for await (const b of input) if (b.numRows > 0) batches.push(b);
  if (batches.length === 0) return;
  const all = batches.length === 1 ? batches[0]! : concatBatches(deltaToArrowSchema(node.child.schema), batches);
  const n = all.numRows;
  const cmps = keys.map((k, i) => comparator(k.evaluate(all), node.orders[i]!));
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    for (const c of cmps) {
      const x = c(a, b);
      if (x !== 0) return x;
    }
    return 0;
  });
  const sorted = takeRows(all, Int32Array.from(order));
  for (let start = 0; start < n; start += OUTPUT_BATCH_ROWS) yield n <= OUTPUT_BATCH_ROWS ? sorted : sorted.slice(start, Math.min(n, start + OUTPUT_BATCH_ROWS));
}

/** Compares rows a and b of one key column in the order's direction, nulls placed as asked. */
export function comparator(v: Vec, order: SortOrder): Cmp {
  const valid = v.valid();
  const dir = order.ascending ? 1 : -1;
  const nullSide = order.nullsFirst ? -1 : 1;
  const kind = v.store().kind;
  let values: Cmp;
  if (kind === 'i32' || kind === 'f64') {
    const x = kind === 'i32' ? v.i32() : v.f64();
    values = (a, b) => {
      const p = x[a]!;
      const q = x[b]!;
      return p < q ? -1 : p > q ? 1 : p === q ? 0 : p !== p ? (q !== q ? 0 : 1) : -1;
    };
  } else if (kind === 'i64') {
    const x = v.i64();
    values = (a, b) => (x[a]! < x[b]! ? -1 : x[a]! > x[b]! ? 1 : 0);
  } else if (kind === 'str') {
    const x = v.str();
    values = (a, b) => compareStrings(x[a]!, x[b]!);
  } else {
    values = (a, b) => compareAny(v.get(a), v.get(b));
  }
  if (valid === null) return dir === 1 ? values : (a, b) => -values(a, b);
  return (a, b) => {
    const na = valid[a] === 0;
    const nb = valid[b] === 0;
    if (na || nb) return na && nb ? 0 : na ? nullSide : -nullSide;
    return dir * values(a, b);
  };
}
