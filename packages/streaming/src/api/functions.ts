/**
 * Aggregate and time-window functions (PySpark's `count`, `sum`, `window`, ...). They build
 * columns that `groupBy(...).agg(...)` plans as operators; outside an aggregation they are an
 * error, as in Spark.
 */
import { Column, columnArg, toExpr, type AggregateFunction, type ColumnLike } from './column.js';

function aggregate(fn: AggregateFunction, c: string | Column, distinct = false): Column {
  const arg = c === '*' ? '*' : columnArg(c).expr;
  return new Column({ kind: 'aggregate', fn, arg, distinct });
}

/** `count(*)` with `count('*')`, else the non-null values of a column. */
export const count = (c: string | Column): Column => aggregate('count', c);
export const countDistinct = (c: string | Column): Column => aggregate('count', c, true);
export const sum = (c: string | Column): Column => aggregate('sum', c);
export const avg = (c: string | Column): Column => aggregate('avg', c);
export const mean = (c: string | Column): Column => aggregate('mean', c);
export const min = (c: string | Column): Column => aggregate('min', c);
export const max = (c: string | Column): Column => aggregate('max', c);
export const first = (c: string | Column): Column => aggregate('first', c);
export const last = (c: string | Column): Column => aggregate('last', c);
export const collectList = (c: string | Column): Column => aggregate('collect_list', c);
export const collectSet = (c: string | Column): Column => aggregate('collect_set', c);
/** HyperLogLog++ as Spark's (relative standard deviation 0.05; see operators/aggregates/hll.ts). */
export const approxCountDistinct = (c: string | Column): Column => aggregate('approx_count_distinct', c);
/** Sample standard deviation (`stddev_samp`); null for fewer than two values. */
export const stddev = (c: string | Column): Column => aggregate('stddev', c);
export const stddevSamp = (c: string | Column): Column => aggregate('stddev_samp', c);
export const stddevPop = (c: string | Column): Column => aggregate('stddev_pop', c);
/** Sample variance (`var_samp`); null for fewer than two values. */
export const variance = (c: string | Column): Column => aggregate('variance', c);
export const varSamp = (c: string | Column): Column => aggregate('var_samp', c);
export const varPop = (c: string | Column): Column => aggregate('var_pop', c);

/**
 * Tumbling (`window(ts, '10 minutes')`) or sliding (`window(ts, '10 minutes', '5 minutes')`)
 * event-time windows, half-open `[start, end)`; the column is named `window` unless aliased.
 */
export function window(timeColumn: string | Column, windowDuration: string, slideDuration?: string, startTime?: string): Column {
  return new Column(
    {
      kind: 'window',
      timeColumn: columnArg(timeColumn).expr,
      windowDuration,
      ...(slideDuration === undefined ? {} : { slideDuration }),
      ...(startTime === undefined ? {} : { startTime }),
    },
    'window',
  );
}

/** Session windows closed after `gap` without events; the column is named `session_window`. */
export function sessionWindow(timeColumn: string | Column, gap: string | Column): Column {
  return new Column({ kind: 'sessionWindow', timeColumn: columnArg(timeColumn).expr, gap: typeof gap === 'string' ? gap : gap.expr }, 'session_window');
}

/** `CASE WHEN cond THEN value ... ELSE otherwise END`, built as PySpark's `when(...).when(...).otherwise(...)`. */
export class WhenBuilder extends Column {
  readonly #branches: readonly { condition: ColumnLike; value: ColumnLike }[];
  constructor(branches: readonly { condition: ColumnLike; value: ColumnLike }[], otherwise?: ColumnLike) {
    super({
      kind: 'expr',
      expr: {
        kind: 'case',
        branches: branches.map((b) => ({ when: toExpr(b.condition), then: toExpr(b.value) })),
        ...(otherwise === undefined ? {} : { otherwise: toExpr(otherwise) }),
      },
    });
    this.#branches = branches;
  }
  when(condition: ColumnLike, value: ColumnLike): WhenBuilder {
    return new WhenBuilder([...this.#branches, { condition, value }]);
  }
  otherwise(value: ColumnLike): Column {
    return new WhenBuilder(this.#branches, value);
  }
}

export function when(condition: ColumnLike, value: ColumnLike): WhenBuilder {
  return new WhenBuilder([{ condition, value }]);
}
