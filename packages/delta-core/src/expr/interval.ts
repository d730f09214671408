/**
 * `date|timestamp ± INTERVAL …` (Spark's DateAddInterval / TimeAdd): the interval literal's months
 * and days move the wall-clock date in the session zone, its microseconds the instant. A date plus
 * an interval with a time part becomes a timestamp, as in Spark.
 */
import type { Expr, Span } from './ast.js';
import { addIntervalToTimestamp, addMonthsToDays } from './datetime.js';
import type { FunctionBindContext } from './functions/function.js';
import { rowwise } from './functions/kernels.js';
import { DATE, TIMESTAMP, isPrimitive, isString } from './type-rules.js';
import type { TypedExpr } from './typed.js';

interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint;
}

const intervalOf = (e: Expr): Interval | undefined =>
  e.kind === 'literal' && typeof e.value === 'object' && e.value !== null && 'type' in e.value && e.value.type === 'interval' ? e.value : undefined;

export function bindIntervalArithmetic(op: '+' | '-', left: Expr, right: Expr, bind: (e: Expr) => TypedExpr, ctx: FunctionBindContext): TypedExpr {
  const li = intervalOf(left);
  const ri = intervalOf(right);
  if (li && ri) ctx.error('Adding two INTERVAL literals is not supported; write one interval, e.g. INTERVAL 1 DAY 2 HOURS');
  if (li && op === '-') ctx.error('An INTERVAL cannot be subtracted from; write `ts - INTERVAL …`');
  const interval = (li ?? ri)!;
  const sign = op === '-' ? -1 : 1;
  const months = sign * interval.months;
  const days = sign * interval.days;
  const micros = BigInt(sign) * interval.micros;
  let target = bind(li ? right : left);
  const at: Span | undefined = target.span;
  if (isString(target.type)) target = ctx.cast(target, TIMESTAMP, 1);
  if (isPrimitive(target.type, 'date') && micros === 0n) {
    return call(DATE, 'date_add_interval', target, rowwise(DATE, ([d]) => addMonthsToDays(d as number, months) + days), at);
  }
  if (isPrimitive(target.type, 'date')) target = ctx.cast(target, TIMESTAMP, 1);
  if (!isPrimitive(target.type, 'timestamp', 'timestamp_ntz')) ctx.error('An INTERVAL can only be added to a date or timestamp');
  const type = target.type;
  const zone = isPrimitive(type, 'timestamp_ntz') ? 'UTC' : ctx.timeZone;
  return call(type, 'timestamp_add_interval', target, rowwise(type, ([t]) => addIntervalToTimestamp(t as bigint, months, days, micros, zone)), at);
}

function call(type: TypedExpr['type'], name: string, arg: TypedExpr, fn: ReturnType<typeof rowwise>, at: Span | undefined): TypedExpr {
  return { kind: 'call', type, name, fn, args: [arg], ...(at ? { span: at } : {}) };
}
