/**
 * `window(col, duration[, slide[, startTime]])` used as a row expression (in `select` or
 * `withColumn`), as Spark's TimeWindowing rule rewrites it: a {@link TimeWindowNode} below the
 * projection adds the `struct<start, end>` of each row's window as a hidden column, which the
 * projection then names `window` (or the alias). Tumbling windows keep one row per input row;
 * sliding windows expand each row into every window holding it (Spark's Expand + Filter). Rows
 * with a null time are in no window and dropped, as Spark filters them. The window column
 * carries the time column's watermark (plan/event-time.ts) when the time is a watermarked column.
 */
import { DeltaError, struct, type DataType, type Expr, type StructField } from '@deltakit/core';
import { bindExpression, typeText } from '@deltakit/core/internal';
import type { ColumnNode } from '../api/column.js';
import { windowSpec, type WindowSpec } from './aggregate-analysis.js';

export interface TimeWindowParts {
  /** The time expression, cast to timestamp for dates and strings. */
  readonly time: Expr;
  readonly spec: WindowSpec;
  /** The window column's field (`struct<start, end>`), named `column`. */
  readonly field: StructField;
}

let nextWindowColumn = 0;

/** A fresh internal name for a window column (never visible: the projection renames it). */
export function windowColumnName(): string {
  return `__time_window_${nextWindowColumn++}`;
}

/** Binds a `window(...)` column node over a child schema. */
export function timeWindowParts(node: Extract<ColumnNode, { kind: 'window' }>, schema: Parameters<typeof bindExpression>[1], timeZone: string, column: string, nameOf: (e: Expr) => string): TimeWindowParts {
  const t = bindExpression(node.timeColumn, schema, { timeZone }).type as DataType;
  let time = node.timeColumn;
  let timeType: DataType = t;
  if (t.kind === 'primitive' && (t.name === 'date' || t.name === 'string')) {
    timeType = { kind: 'primitive', name: 'timestamp' };
    time = { kind: 'cast', arg: time, to: timeType };
  } else if (!(t.kind === 'primitive' && (t.name === 'timestamp' || t.name === 'timestamp_ntz'))) {
    throw new DeltaError('TYPE_MISMATCH', `window() needs a timestamp column, but ${nameOf(node.timeColumn)} is ${typeText(t)}.`);
  }
  const spec = windowSpec(node.windowDuration, node.slideDuration, node.startTime, timeType);
  const type = struct([
    { name: 'start', type: timeType, nullable: true, metadata: {} },
    { name: 'end', type: timeType, nullable: true, metadata: {} },
  ]);
  return { time, spec, field: { name: column, type, nullable: true, metadata: {} } };
}
