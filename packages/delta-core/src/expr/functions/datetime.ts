/**
 * Date and time functions with Spark 3.5's non-ANSI semantics: the statement clock
 * (`current_date`, `now`…, from `ctx.nowMicros`), date arithmetic, field extraction, truncation.
 * Conversions between text, numbers and datetimes are in datetime-convert.ts. Timestamps are read
 * in the session zone (`ctx.timeZone`), TIMESTAMP_NTZ as wall-clock values.
 */
import { DeltaError } from '../../errors.js';
import { MICROS_PER_SECOND, addIntervalToTimestamp, addMonthsToDays, civilFromDays, daysFromCivil, daysInMonth, daysToMicros, localDayTime, microsToDays, utcToWallMicros, wallClockToUtcMicros } from '../datetime.js';
import { sparkTrim } from '../datetime-text.js';
import { BOOLEAN, DATE, DOUBLE, INT, LONG, STRING, TIMESTAMP, TIMESTAMP_NTZ, decimalType, isPrimitive, isString, isVoid } from '../type-rules.js';
import type { EvalContext, TypedExpr } from '../typed.js';
import type { Value } from '../value.js';
import { Vec } from '../vector.js';
import { anyTimestampArg, dateArg, exactArg, implicitArg, unaryKernel, zoneFor } from './datetime-args.js';
import { DATETIME_CONVERT_FUNCTIONS } from './datetime-convert.js';
import type { BoundCall, FunctionBindContext, FunctionDef } from './function.js';
import { rowwise, usingClock } from './kernels.js';

// ---- calendar helpers -----------------------------------------------------------------------

/** ISO day of week of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export const isoDayOfWeek = (days: number): number => ((((days + 3) % 7) + 7) % 7) + 1;

export const dayOfYear = (days: number): number => days - daysFromCivil(civilFromDays(days).year, 1, 1) + 1;

/** ISO 8601 week-based year and week of a day number. */
export function isoWeek(days: number): { year: number; week: number } {
  const thursday = days - isoDayOfWeek(days) + 4;
  const year = civilFromDays(thursday).year;
  return { year, week: Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1 };
}

export const lastDayOfMonth = (days: number): number => {
  const { year, month, day } = civilFromDays(days);
  return days - day + daysInMonth(year, month);
};

/** Spark's truncation levels (`DateTimeUtils.parseTruncLevel`); date levels are 6 and up. */
const TRUNC_LEVELS: Readonly<Record<string, number>> = {
  MICROSECOND: 0,
  MILLISECOND: 1,
  SECOND: 2,
  MINUTE: 3,
  HOUR: 4,
  DAY: 5,
  DD: 5,
  WEEK: 6,
  MON: 7,
  MONTH: 7,
  MM: 7,
  QUARTER: 8,
  YEAR: 9,
  YYYY: 9,
  YY: 9,
};
const truncLevel = (fmt: Value): number => (typeof fmt === 'string' ? (TRUNC_LEVELS[fmt.toUpperCase()] ?? -1) : -1);

function truncDate(days: number, level: number): number {
  switch (level) {
    case 6:
      return days - isoDayOfWeek(days) + 1;
    case 7:
      return days - civilFromDays(days).day + 1;
    case 8: {
      const { year, month } = civilFromDays(days);
      return daysFromCivil(year, month - ((month - 1) % 3), 1);
    }
    default:
      return days - dayOfYear(days) + 1;
  }
}

/** Spark's `truncTimestamp`: sub-day units truncate the wall clock in `zone` (keeping the offset in an overlap). */
export function truncTimestamp(micros: bigint, level: number, zone: string): bigint {
  if (level === 0) return micros;
  if (level <= 2) {
    const unit = level === 1 ? 1000n : MICROS_PER_SECOND;
    return micros - (((micros % unit) + unit) % unit);
  }
  if (level <= 5) {
    const unit = level === 3 ? 60_000_000 : level === 4 ? 3_600_000_000 : 86_400_000_000;
    const local = localDayTime(micros, zone);
    const wall = BigInt(local.days) * 86_400_000_000n + BigInt(local.micros - (local.micros % unit));
    return wallClockToUtcMicros(wall, zone, local.offset);
  }
  return daysToMicros(truncDate(microsToDays(micros, zone), level), zone);
}

/** Spark's `monthsBetween`: whole months when the days of month match or both are month ends, else 31-day months. */
export function monthsBetween(micros1: bigint, micros2: bigint, roundOff: boolean, zone: string): number {
  const d1 = microsToDays(micros1, zone);
  const d2 = microsToDays(micros2, zone);
  const c1 = civilFromDays(d1);
  const c2 = civilFromDays(d2);
  const monthDiff = c1.year * 12 + c1.month - (c2.year * 12 + c2.month);
  if (c1.day === c2.day || (c1.day === daysInMonth(c1.year, c1.month) && c2.day === daysInMonth(c2.year, c2.month))) return monthDiff;
  const secondsInDay1 = Number((micros1 - daysToMicros(d1, zone)) / MICROS_PER_SECOND);
  const secondsInDay2 = Number((micros2 - daysToMicros(d2, zone)) / MICROS_PER_SECOND);
  const secondsDiff = (c1.day - c2.day) * 86400 + secondsInDay1 - secondsInDay2;
  const diff = monthDiff + secondsDiff / (31 * 86400);
  return roundOff ? Math.round(diff * 1e8) / 1e8 : diff;
}

/** Spark's day-of-week text (`SU`, `SUN`, `SUNDAY`…) as days after a Thursday, or -1. */
function dayOfWeekFromText(text: string): number {
  const names = [['TH', 'THU', 'THURSDAY'], ['FR', 'FRI', 'FRIDAY'], ['SA', 'SAT', 'SATURDAY'], ['SU', 'SUN', 'SUNDAY'], ['MO', 'MON', 'MONDAY'], ['TU', 'TUE', 'TUESDAY'], ['WE', 'WED', 'WEDNESDAY']];
  const t = text.toUpperCase();
  return names.findIndex((n) => n.includes(t));
}

// ---- definitions ----------------------------------------------------------------------------

const def = (name: string, arity: [number, number], signature: string, bind: FunctionDef['bind'], aliases?: string[]): FunctionDef => ({
  name,
  arity,
  signature,
  bind,
  ...(aliases ? { aliases } : {}),
});

const constantOf = (type: TypedExpr['type'], f: (ctx: EvalContext) => Value): BoundCall => ({
  type,
  args: [],
  fn: usingClock({ eval: (_args, ctx) => Vec.constant(type, f(ctx), ctx.length) }),
});

const CLOCK_FUNCTIONS: FunctionDef[] = [
  def('current_date', [0, 0], 'current_date()', () => constantOf(DATE, (ctx) => microsToDays(ctx.nowMicros, ctx.timeZone)), ['curdate']),
  def('current_timestamp', [0, 0], 'current_timestamp()', () => constantOf(TIMESTAMP, (ctx) => ctx.nowMicros)),
  def('now', [0, 0], 'now()', () => constantOf(TIMESTAMP, (ctx) => ctx.nowMicros)),
  def('localtimestamp', [0, 0], 'localtimestamp()', () => constantOf(TIMESTAMP_NTZ, (ctx) => utcToWallMicros(ctx.nowMicros, ctx.timeZone))),
  def('current_timezone', [0, 0], 'current_timezone()', (_args, ctx) => {
    const zone = ctx.timeZone;
    return { type: STRING, args: [], fn: { eval: (_a, c) => Vec.constant(STRING, zone, c.length) } };
  }),
];

/** The days argument of date_add/date_sub: tinyint, smallint or int; a constant string must be an integer. */
function daysArg(arg: TypedExpr, ctx: FunctionBindContext): TypedExpr {
  if (isPrimitive(arg.type, 'byte', 'short', 'integer')) return arg;
  if (isVoid(arg.type)) return ctx.cast(arg, INT, 2);
  if (isString(arg.type) && arg.kind === 'literal') {
    const text = sparkTrim(String(arg.value));
    if (!/^[+-]?\d+$/.test(text) || Math.abs(Number(text)) > 2147483647) {
      throw new DeltaError('INVALID_ARGUMENT', `The second argument of ${ctx.name} must be an integer, not '${String(arg.value)}'. Pass a number of days, e.g. ${ctx.name}(d, 1)`, {
        details: { function: ctx.name, value: arg.value },
      });
    }
    return { kind: 'literal', type: INT, value: Number(text) | 0 };
  }
  return ctx.error(`Argument 2 of ${ctx.name} must be tinyint, smallint or int (a number of days), not ${arg.type.kind === 'primitive' ? arg.type.name : arg.type.kind}. Cast it, e.g. CAST(n AS INT)`);
}

const dayShift = (sign: 1 | -1): FunctionDef['bind'] => (args, ctx) => ({
  type: DATE,
  args: [dateArg(args[0]!, 1, ctx), daysArg(args[1]!, ctx)],
  fn: rowwise(DATE, ([d, n]) => ((d as number) + sign * (n as number)) | 0),
});

const ARITHMETIC_FUNCTIONS: FunctionDef[] = [
  def('date_add', [2, 2], 'date_add(start_date, num_days)', dayShift(1), ['dateadd']),
  def('date_sub', [2, 2], 'date_sub(start_date, num_days)', dayShift(-1)),
  def('datediff', [2, 2], 'datediff(endDate, startDate)', (args, ctx) => ({
    type: INT,
    args: [dateArg(args[0]!, 1, ctx), dateArg(args[1]!, 2, ctx)],
    fn: rowwise(INT, ([a, b]) => ((a as number) - (b as number)) | 0),
  }), ['date_diff']),
  def('add_months', [2, 2], 'add_months(start_date, num_months)', (args, ctx) => ({
    type: DATE,
    args: [dateArg(args[0]!, 1, ctx), implicitArg(args[1]!, INT, 2, ctx)],
    fn: rowwise(DATE, ([d, m]) => addMonthsToDays(d as number, m as number)),
  })),
  def('months_between', [2, 3], 'months_between(timestamp1, timestamp2[, roundOff])', (args, ctx) => {
    const a = [implicitArg(args[0]!, TIMESTAMP, 1, ctx), implicitArg(args[1]!, TIMESTAMP, 2, ctx), args[2] ? exactArg(args[2], [BOOLEAN], 3, ctx) : ({ kind: 'literal', type: BOOLEAN, value: true } as TypedExpr)];
    return { type: DOUBLE, args: a, fn: rowwise(DOUBLE, ([t1, t2, r], c) => monthsBetween(t1 as bigint, t2 as bigint, r as boolean, c.timeZone)) };
  }),
  def('last_day', [1, 1], 'last_day(date)', (args, ctx) => ({ type: DATE, args: [dateArg(args[0]!, 1, ctx)], fn: unaryKernel<number>(DATE, lastDayOfMonth) })),
  def('next_day', [2, 2], 'next_day(start_date, day_of_week)', (args, ctx) => ({
    type: DATE,
    args: [dateArg(args[0]!, 1, ctx), implicitArg(args[1]!, STRING, 2, ctx)],
    fn: rowwise(DATE, ([d, w]) => {
      const dow = dayOfWeekFromText(w as string);
      const start = d as number;
      return dow < 0 ? null : start + 1 + ((((dow - 1 - start) % 7) + 7) % 7);
    }),
  })),
  def('date_trunc', [2, 2], 'date_trunc(fmt, ts)', (args, ctx) => {
    const a = [implicitArg(args[0]!, STRING, 1, ctx), implicitArg(args[1]!, TIMESTAMP, 2, ctx)];
    return {
      type: TIMESTAMP,
      args: a,
      fn: rowwise(TIMESTAMP, ([f, t], c) => {
        const level = truncLevel(f!);
        return level < 0 ? null : truncTimestamp(t as bigint, level, c.timeZone);
      }),
    };
  }),
  def('trunc', [2, 2], 'trunc(date, fmt)', (args, ctx) => ({
    type: DATE,
    args: [dateArg(args[0]!, 1, ctx), implicitArg(args[1]!, STRING, 2, ctx)],
    fn: rowwise(DATE, ([d, f]) => {
      const level = truncLevel(f!);
      return level < 6 ? null : truncDate(d as number, level);
    }),
  })),
];

// ---- fields ---------------------------------------------------------------------------------

const dateField = (name: string, f: (days: number) => number, aliases?: string[]): FunctionDef =>
  def(name, [1, 1], `${name}(date)`, (args, ctx) => ({ type: INT, args: [dateArg(args[0]!, 1, ctx)], fn: unaryKernel<number>(INT, f) }), aliases);

/** A field of the wall-clock time of a timestamp (session zone) or timestamp_ntz. */
const timeField = (name: string, f: (microsOfDay: number) => number): FunctionDef =>
  def(name, [1, 1], `${name}(timestamp)`, (args, ctx) => {
    const arg = anyTimestampArg(args[0]!, 1, ctx);
    const type = arg.type;
    return { type: INT, args: [arg], fn: unaryKernel<bigint>(INT, (t, c) => f(localDayTime(t, zoneFor(type, c)).micros)) };
  });

const year = (d: number): number => civilFromDays(d).year;
const month = (d: number): number => civilFromDays(d).month;
const FIELD_FUNCTIONS: FunctionDef[] = [
  dateField('year', year),
  dateField('quarter', (d) => Math.floor((month(d) - 1) / 3) + 1),
  dateField('month', month),
  dateField('day', (d) => civilFromDays(d).day, ['dayofmonth']),
  dateField('dayofweek', (d) => (isoDayOfWeek(d) % 7) + 1),
  dateField('weekday', (d) => isoDayOfWeek(d) - 1),
  dateField('dayofyear', dayOfYear),
  dateField('weekofyear', (d) => isoWeek(d).week),
  timeField('hour', (us) => Math.floor(us / 3_600_000_000)),
  timeField('minute', (us) => Math.floor(us / 60_000_000) % 60),
  timeField('second', (us) => Math.floor(us / 1_000_000) % 60),
];

/** `date_part(field, source)` / `extract`: the field function of Spark's `DatePart.parseExtractField`. */
function bindDatePart(args: readonly TypedExpr[], ctx: FunctionBindContext): BoundCall {
  const field = ctx.constant(args[0]!, 1);
  if (field === null) return { type: DOUBLE, args: [], fn: { eval: (_a, c) => Vec.constant(DOUBLE, null, c.length) } };
  if (typeof field !== 'string') return ctx.error(`The field of ${ctx.name} must be a string such as 'YEAR'`);
  const source = args[1]!;
  const upper = field.toUpperCase();
  const byDate = (f: (d: number) => number): BoundCall => ({ type: INT, args: [dateArg(source, 2, ctx)], fn: unaryKernel<number>(INT, f) });
  const byTime = (f: (us: number) => number): BoundCall => {
    const arg = anyTimestampArg(source, 2, ctx);
    return { type: INT, args: [arg], fn: unaryKernel<bigint>(INT, (t, c) => f(localDayTime(t, zoneFor(arg.type, c)).micros)) };
  };
  if (['YEAR', 'Y', 'YEARS', 'YR', 'YRS'].includes(upper)) return byDate(year);
  if (upper === 'YEAROFWEEK') return byDate((d) => isoWeek(d).year);
  if (['QUARTER', 'QTR'].includes(upper)) return byDate((d) => Math.floor((month(d) - 1) / 3) + 1);
  if (['MONTH', 'MON', 'MONS', 'MONTHS'].includes(upper)) return byDate(month);
  if (['WEEK', 'W', 'WEEKS'].includes(upper)) return byDate((d) => isoWeek(d).week);
  if (['DAY', 'D', 'DAYS'].includes(upper)) return byDate((d) => civilFromDays(d).day);
  if (['DAYOFWEEK', 'DOW'].includes(upper)) return byDate((d) => (isoDayOfWeek(d) % 7) + 1);
  if (['DAYOFWEEK_ISO', 'DOW_ISO'].includes(upper)) return byDate(isoDayOfWeek);
  if (upper === 'DOY') return byDate(dayOfYear);
  if (['HOUR', 'H', 'HOURS', 'HR', 'HRS'].includes(upper)) return byTime((us) => Math.floor(us / 3_600_000_000));
  if (['MINUTE', 'M', 'MIN', 'MINS', 'MINUTES'].includes(upper)) return byTime((us) => Math.floor(us / 60_000_000) % 60);
  if (['SECOND', 'S', 'SEC', 'SECONDS', 'SECS'].includes(upper)) {
    // Seconds with their fraction: DECIMAL(8,6).
    const arg = anyTimestampArg(source, 2, ctx);
    const type = decimalType(8, 6);
    return { type, args: [arg], fn: unaryKernel<bigint>(type, (t, c) => ({ unscaled: BigInt(localDayTime(t, zoneFor(arg.type, c)).micros % 60_000_000), scale: 6 })) };
  }
  return ctx.error(`${ctx.name}: '${field}' is not a date/time field. Use YEAR, YEAROFWEEK, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK, DAYOFWEEK_ISO, DOY, HOUR, MINUTE or SECOND`);
}

const PART_FUNCTIONS: FunctionDef[] = [def('date_part', [2, 2], 'date_part(field, source)', bindDatePart, ['datepart', 'extract'])];

// ---- timestampadd / timestampdiff -----------------------------------------------------------

const UNIT_MICROS: Readonly<Record<string, bigint>> = {
  MICROSECOND: 1n,
  MILLISECOND: 1000n,
  SECOND: MICROS_PER_SECOND,
  MINUTE: 60_000_000n,
  HOUR: 3_600_000_000n,
  DAY: 86_400_000_000n,
  DAYOFYEAR: 86_400_000_000n,
  WEEK: 604_800_000_000n,
};
const UNIT_MONTHS: Readonly<Record<string, bigint>> = { MONTH: 1n, QUARTER: 3n, YEAR: 12n };
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

/** The unit argument: a constant naming one of Spark's datetime units (upper-cased). */
function unitArg(arg: TypedExpr, ctx: FunctionBindContext): string {
  const unit = ctx.constant(arg, 1);
  const upper = typeof unit === 'string' ? unit.toUpperCase() : '';
  if (!(upper in UNIT_MICROS) && !(upper in UNIT_MONTHS)) {
    ctx.error(`${ctx.name}: ${String(unit)} is not a datetime unit. Use YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, MILLISECOND or MICROSECOND`);
  }
  return upper;
}

/** `timestampadd(unit, quantity, ts)`: months move the wall-clock date, the rest is a day-time interval (Spark's `timestampAdd`). */
function bindTimestampAdd(args: readonly TypedExpr[], ctx: FunctionBindContext): BoundCall {
  const unit = unitArg(args[0]!, ctx);
  let quantity = args[1]!;
  if (isVoid(quantity.type)) quantity = ctx.cast(quantity, INT, 2);
  if (!isPrimitive(quantity.type, 'byte', 'short', 'integer', 'long')) ctx.error(`Argument 2 of ${ctx.name} must be an integral number, not ${quantity.type.kind === 'primitive' ? quantity.type.name : quantity.type.kind}`);
  const ts = anyTimestampArg(args[2]!, 3, ctx);
  const type = ts.type;
  const fn = ctx.name;
  return {
    type,
    args: [quantity, ts],
    fn: rowwise(type, ([q, t], c) => {
      const n = BigInt(q as number | bigint);
      const zone = zoneFor(type, c);
      const months = UNIT_MONTHS[unit];
      const r = months !== undefined ? addIntervalToTimestamp(t as bigint, Number(n * months), 0, 0n, zone) : addIntervalToTimestamp(t as bigint, 0, 0, n * UNIT_MICROS[unit]!, zone);
      if (r < LONG_MIN || r > LONG_MAX || (months !== undefined && (n * months > 2147483647n || n * months < -2147483648n))) {
        throw new DeltaError('INVALID_ARGUMENT', `${fn}: adding ${n} ${unit} to ${String(t)} µs overflows the timestamp range. Use a smaller quantity.`, { details: { function: fn } });
      }
      return r;
    }),
  };
}

/** Months from one date to another counting only complete months (java.time's `LocalDate.until(…, MONTHS)`). */
function monthsUntil(from: number, to: number): bigint {
  const a = civilFromDays(from);
  const b = civilFromDays(to);
  const packed = (c: { year: number; month: number; day: number }): bigint => BigInt(c.year * 12 + c.month - 1) * 32n + BigInt(c.day);
  return (packed(b) - packed(a)) / 32n;
}

/** `timestampdiff(unit, start, end)`: complete units between the wall-clock times in the session zone (`ChronoUnit.between`). */
function bindTimestampDiff(args: readonly TypedExpr[], ctx: FunctionBindContext): BoundCall {
  const unit = unitArg(args[0]!, ctx);
  let start = anyTimestampArg(args[1]!, 2, ctx);
  let end = anyTimestampArg(args[2]!, 3, ctx);
  if (!isPrimitive(start.type, 'timestamp_ntz') || !isPrimitive(end.type, 'timestamp_ntz')) {
    start = implicitArg(start, TIMESTAMP, 2, ctx);
    end = implicitArg(end, TIMESTAMP, 3, ctx);
  }
  const type = start.type;
  return {
    type: LONG,
    args: [start, end],
    fn: rowwise(LONG, ([a, b], c) => {
      const zone = zoneFor(type, c);
      const s = localDayTime(a as bigint, zone);
      const e = localDayTime(b as bigint, zone);
      const months = UNIT_MONTHS[unit];
      if (months === undefined && unit !== 'DAY' && unit !== 'DAYOFYEAR' && unit !== 'WEEK') {
        return (BigInt(e.days - s.days) * 86_400_000_000n + BigInt(e.micros - s.micros)) / UNIT_MICROS[unit]!;
      }
      // Date-based units count whole days: an end earlier in its day than the start does not complete the last one.
      let endDay = e.days;
      if (e.days > s.days && e.micros < s.micros) endDay--;
      else if (e.days < s.days && e.micros > s.micros) endDay++;
      if (months !== undefined) return monthsUntil(s.days, endDay) / months;
      return BigInt(endDay - s.days) / (unit === 'WEEK' ? 7n : 1n);
    }),
  };
}

const UNIT_FUNCTIONS: FunctionDef[] = [
  def('timestampadd', [3, 3], 'timestampadd(unit, quantity, timestamp)', bindTimestampAdd),
  def('timestampdiff', [3, 3], 'timestampdiff(unit, startTimestamp, endTimestamp)', bindTimestampDiff),
];


/** Every date and time function. */
export const DATETIME_FUNCTIONS: readonly FunctionDef[] = [...CLOCK_FUNCTIONS, ...ARITHMETIC_FUNCTIONS, ...FIELD_FUNCTIONS, ...PART_FUNCTIONS, ...UNIT_FUNCTIONS, ...DATETIME_CONVERT_FUNCTIONS];
