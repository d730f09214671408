/**
 * Conversions between datetimes, text and numbers with Spark 3.5's non-ANSI semantics:
 * `date_format`, `to_date`, `to_timestamp[_ltz|_ntz]`, `unix_timestamp`, `from_unixtime`, epoch
 * conversions, `make_date`, `make_timestamp[_ltz|_ntz]`, `from_utc_timestamp`,
 * `to_utc_timestamp`, `convert_timezone`. Patterns follow datetime-format.ts; text that does not
 * parse gives null (Spark 4's CORRECTED parser policy; Spark 3.5's default EXCEPTION policy raises
 * instead when its legacy parser would have accepted the text).
 */
import { DeltaError, isDeltaError } from '../../errors.js';
import type { DataType } from '../../schema/types.js';
import { MICROS_PER_DAY, MICROS_PER_SECOND, daysFromCivil, daysInMonth, daysToMicros, floorDivBig, microsToDays, utcToWallMicros, wallClockToUtcMicros } from '../datetime.js';
import { isDecimalValue } from '../scalar.js';
import { DATE, INT, LONG, STRING, TIMESTAMP, TIMESTAMP_NTZ, decimalType, isFractional, isIntegral, isNumeric, isPrimitive, isString, isVoid } from '../type-rules.js';
import type { EvalContext, TypedExpr } from '../typed.js';
import type { Value } from '../value.js';
import { Vec } from '../vector.js';
import { exactArg, implicitArg, typeName, unaryKernel, zoneArgument } from './datetime-args.js';
import { DEFAULT_TIMESTAMP_PATTERN, compilePattern, type DatetimePattern } from './datetime-format.js';
import type { BoundCall, FunctionBindContext, FunctionDef } from './function.js';
import { rowwise, usingClock } from './kernels.js';

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

const def = (name: string, arity: [number, number], signature: string, bind: FunctionDef['bind'], aliases?: string[]): FunctionDef => ({
  name,
  arity,
  signature,
  bind,
  ...(aliases ? { aliases } : {}),
});

const literal = (type: DataType, value: Value): TypedExpr => ({ kind: 'literal', type, value });

/**
 * The pattern of a format argument: compiled once when constant. An invalid pattern fails (as in
 * Spark) only when a row is formatted or parsed with it, with INVALID_ARGUMENT naming the function.
 */
function patternSource(arg: TypedExpr | undefined, parsing: boolean, fn: string): (fmt: Value) => DatetimePattern {
  const compile = (fmt: string): DatetimePattern => {
    try {
      return compilePattern(fmt, { parsing });
    } catch (e) {
      if (!isDeltaError(e)) throw e;
      throw new DeltaError('INVALID_ARGUMENT', `${fn}: ${e.message}`, { cause: e, details: { function: fn, pattern: fmt } });
    }
  };
  if (arg === undefined) {
    const p = compile(DEFAULT_TIMESTAMP_PATTERN);
    return () => p;
  }
  if (arg.kind === 'literal' && typeof arg.value === 'string') {
    let p: DatetimePattern | undefined;
    let error: unknown;
    try {
      p = compile(arg.value);
    } catch (e) {
      error = e;
    }
    return () => {
      if (p) return p;
      throw error;
    };
  }
  const cache = new Map<string, DatetimePattern>();
  return (fmt) => {
    let p = cache.get(fmt as string);
    if (!p) {
      p = compile(fmt as string);
      if (cache.size > 64) cache.clear();
      cache.set(fmt as string, p);
    }
    return p;
  };
}

/** The format argument: a string (other atomic types are cast implicitly), or Spark's default pattern when absent. */
const formatArg = (args: readonly TypedExpr[], i: number, ctx: FunctionBindContext): TypedExpr =>
  args[i] ? implicitArg(args[i]!, STRING, i + 1, ctx) : literal(STRING, DEFAULT_TIMESTAMP_PATTERN);

/** `date_format(ts, fmt)`, `from_unixtime(seconds, fmt)`. */
function bindFormat(args: readonly TypedExpr[], ctx: FunctionBindContext, seconds: boolean): BoundCall {
  const value = seconds ? implicitArg(args[0]!, LONG, 1, ctx) : implicitArg(args[0]!, TIMESTAMP, 1, ctx);
  const fmt = formatArg(args, 1, ctx);
  const pattern = patternSource(fmt, false, ctx.name);
  return {
    type: STRING,
    args: [value, fmt],
    fn: rowwise(STRING, ([v, f], c) => pattern(f!).format(seconds ? BigInt.asIntN(64, (v as bigint) * MICROS_PER_SECOND) : (v as bigint), c.timeZone)),
  };
}

/** The input of to_date/to_timestamp: string, date, timestamp, timestamp_ntz (and numbers when `numeric`); other atomic types become strings. */
function parseInput(arg: TypedExpr, ctx: FunctionBindContext, numeric: boolean): TypedExpr {
  if (isString(arg.type) || isPrimitive(arg.type, 'date', 'timestamp', 'timestamp_ntz') || (numeric && isNumeric(arg.type))) return arg;
  return implicitArg(arg, STRING, 1, ctx);
}

/**
 * Spark's `GetTimestamp`: a string parsed with the pattern in the session zone (or as wall-clock
 * time for `ntz`), a date at the start of its day in the session zone, a timestamp or
 * timestamp_ntz as its µs. Null when the text does not parse.
 */
function getTimestamp(v: Value, type: DataType, pattern: () => DatetimePattern, ctx: EvalContext, ntz: boolean): bigint | null {
  // Spark reads a date in the session zone even for TIMESTAMP_NTZ results.
  if (isPrimitive(type, 'date')) return daysToMicros(v as number, ctx.timeZone);
  if (isPrimitive(type, 'timestamp', 'timestamp_ntz')) return v as bigint;
  return ntz ? pattern().parseLocal(v as string) : pattern().parse(v as string, ctx.timeZone);
}

/** `to_date(x[, fmt])`. */
function bindToDate(args: readonly TypedExpr[], ctx: FunctionBindContext): BoundCall {
  const x = parseInput(args[0]!, ctx, false);
  if (args.length === 1) return { type: DATE, args: [ctx.cast(x, DATE, 1)], fn: { eval: (v) => v[0]! } };
  const fmt = implicitArg(args[1]!, STRING, 2, ctx);
  const pattern = patternSource(fmt, true, ctx.name);
  const type = x.type;
  return {
    type: DATE,
    args: [x, fmt],
    fn: rowwise(DATE, ([v, f], c) => {
      const t = getTimestamp(v!, type, () => pattern(f!), c, false);
      return t === null ? null : microsToDays(t, c.timeZone);
    }),
  };
}

/** `to_timestamp(x[, fmt])` (TIMESTAMP) and `to_timestamp_ntz(x[, fmt])`. */
function bindToTimestamp(args: readonly TypedExpr[], ctx: FunctionBindContext, ntz: boolean): BoundCall {
  const type = ntz ? TIMESTAMP_NTZ : TIMESTAMP;
  const x = parseInput(args[0]!, ctx, !ntz && args.length === 1);
  if (args.length === 1) return { type, args: [ctx.cast(x, type, 1)], fn: { eval: (v) => v[0]! } };
  const fmt = implicitArg(args[1]!, STRING, 2, ctx);
  const pattern = patternSource(fmt, true, ctx.name);
  const from = x.type;
  return { type, args: [x, fmt], fn: rowwise(type, ([v, f], c) => getTimestamp(v!, from, () => pattern(f!), c, ntz)) };
}

/** `unix_timestamp(x[, fmt])` / `to_unix_timestamp`: seconds (truncated toward zero, as Java's long division). */
function bindUnixTimestamp(args: readonly TypedExpr[], ctx: FunctionBindContext): BoundCall {
  if (args.length === 0) {
    return { type: LONG, args: [], fn: usingClock({ eval: (_a, c) => Vec.constant(LONG, c.nowMicros / MICROS_PER_SECOND, c.length) }) };
  }
  const x = exactArg(args[0]!, [STRING, DATE, TIMESTAMP, TIMESTAMP_NTZ], 1, ctx);
  const fmt = args[1] ? exactArg(args[1], [STRING], 2, ctx) : literal(STRING, DEFAULT_TIMESTAMP_PATTERN);
  const pattern = patternSource(fmt, true, ctx.name);
  const type = x.type;
  // The format is ignored (even when null) unless the input is a string.
  const fn = rowwise(
    LONG,
    ([v, f], c) => {
      if (v === null || v === undefined || (isString(type) && f === null)) return null;
      const t = getTimestamp(v, type, () => pattern(f!), c, false);
      return t === null ? null : t / MICROS_PER_SECOND;
    },
    { nullSafe: true },
  );
  return { type: LONG, args: [x, fmt], fn };
}

const overflow = (fn: string, value: Value): DeltaError =>
  new DeltaError('INVALID_ARGUMENT', `${fn}: ${String(isDecimalValue(value) ? `${value.unscaled}e-${value.scale}` : value)} is out of the timestamp range (64-bit microseconds since the epoch). Use a smaller value.`, {
    details: { function: fn, value: String(value) },
  });

/** Seconds, milliseconds or microseconds since the epoch × `scale` as µs; overflow is an error even in non-ANSI Spark. */
function exactMicros(v: bigint, scale: bigint, fn: string): bigint {
  const r = v * scale;
  if (r < LONG_MIN || r > LONG_MAX) throw overflow(fn, v);
  return r;
}

function bindTimestampSeconds(args: readonly TypedExpr[], ctx: FunctionBindContext): BoundCall {
  let x = args[0]!;
  if (isVoid(x.type)) x = ctx.cast(x, LONG, 1);
  if (!isNumeric(x.type)) ctx.error(`Argument 1 of ${ctx.name} must be numeric (seconds), not ${typeName(x.type)}`);
  const type = x.type;
  const fn = ctx.name;
  return {
    type: TIMESTAMP,
    args: [x],
    fn: rowwise(TIMESTAMP, ([v]) => {
      if (isFractional(type)) {
        const d = v as number;
        if (!Number.isFinite(d)) return null;
        const us = d * 1e6;
        return us >= 2 ** 63 ? LONG_MAX : us <= -(2 ** 63) ? LONG_MIN : BigInt(Math.trunc(us));
      }
      if (isDecimalValue(v)) {
        // BigDecimal.longValueExact: a fraction of a microsecond is an error too.
        const scaled = v.unscaled * MICROS_PER_SECOND;
        const div = 10n ** BigInt(v.scale);
        if (scaled % div !== 0n) throw new DeltaError('INVALID_ARGUMENT', `${fn}: ${v.unscaled}e-${v.scale} seconds is not a whole number of microseconds. Round it to 6 decimals first.`, { details: { function: fn } });
        const r = scaled / div;
        if (r < LONG_MIN || r > LONG_MAX) throw overflow(fn, v);
        return r;
      }
      return exactMicros(BigInt(v as number | bigint), MICROS_PER_SECOND, fn);
    }),
  };
}

const integralToTimestamp = (name: string, scale: bigint): FunctionDef =>
  def(name, [1, 1], `${name}(n)`, (args, ctx) => {
    let x = args[0]!;
    if (isVoid(x.type)) x = ctx.cast(x, LONG, 1);
    if (!isIntegral(x.type)) ctx.error(`Argument 1 of ${name} must be an integral number, not ${typeName(x.type)}`);
    return { type: TIMESTAMP, args: [x], fn: rowwise(TIMESTAMP, ([v]) => exactMicros(BigInt(v as number | bigint), scale, name)) };
  });

const timestampToLong = (name: string, scale: bigint): FunctionDef =>
  def(name, [1, 1], `${name}(timestamp)`, (args, ctx) => ({
    type: LONG,
    args: [exactArg(args[0]!, [TIMESTAMP], 1, ctx)],
    fn: unaryKernel<bigint>(LONG, (t) => floorDivBig(t, scale)),
  }));

/** Days since the epoch of a valid date, else null (`LocalDate.of` failing). */
function makeDate(y: number, m: number, d: number): number | null {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  const days = daysFromCivil(y, m, d);
  return days < -2147483648 || days > 2147483647 ? null : days;
}

/** `make_timestamp(year, month, day, hour, min, sec[, timezone])` as TIMESTAMP or (`ntz`) TIMESTAMP_NTZ. */
function bindMakeTimestamp(args: readonly TypedExpr[], ctx: FunctionBindContext, ntz: boolean): BoundCall {
  const type = ntz ? TIMESTAMP_NTZ : TIMESTAMP;
  const a = args.slice(0, 5).map((x, i) => implicitArg(x, INT, i + 1, ctx));
  a.push(implicitArg(args[5]!, decimalType(16, 6), 6, ctx));
  if (args[6]) a.push(implicitArg(args[6], STRING, 7, ctx));
  const fn = ctx.name;
  return {
    type,
    args: a,
    fn: rowwise(type, (v, c) => {
      const [y, mo, d, h, mi] = v as number[];
      const sec = v[5] as { unscaled: bigint };
      const zone = v[6] === undefined ? c.timeZone : zoneArgument(v[6] as string, fn);
      const seconds = Number(floorDivBig(sec.unscaled, MICROS_PER_SECOND));
      const micros = Number(sec.unscaled - BigInt(seconds) * MICROS_PER_SECOND);
      // 60 seconds (without a fraction) is the next minute, as PostgreSQL allows.
      if (seconds === 60 && micros !== 0) return null;
      if (h! < 0 || h! > 23 || mi! < 0 || mi! > 59 || seconds < 0 || seconds > 60) return null;
      const days = makeDate(y!, mo!, d!);
      if (days === null) return null;
      const wall = BigInt(days) * MICROS_PER_DAY + BigInt(h! * 3600 + mi! * 60 + seconds) * MICROS_PER_SECOND + BigInt(micros);
      return ntz ? wall : wallClockToUtcMicros(wall, zone);
    }),
  };
}

/** `from_utc_timestamp` (`toUtc` false) and `to_utc_timestamp`. */
const utcShift = (name: string, toUtc: boolean): FunctionDef =>
  def(name, [2, 2], `${name}(timestamp, timezone)`, (args, ctx) => ({
    type: TIMESTAMP,
    args: [implicitArg(args[0]!, TIMESTAMP, 1, ctx), implicitArg(args[1]!, STRING, 2, ctx)],
    fn: rowwise(TIMESTAMP, ([t, z]) => {
      const zone = zoneArgument(z as string, name);
      return toUtc ? wallClockToUtcMicros(t as bigint, zone) : utcToWallMicros(t as bigint, zone);
    }),
  }));

export const DATETIME_CONVERT_FUNCTIONS: readonly FunctionDef[] = [
  def('date_format', [2, 2], 'date_format(timestamp, fmt)', (args, ctx) => bindFormat(args, ctx, false)),
  def('from_unixtime', [1, 2], 'from_unixtime(unix_time[, fmt])', (args, ctx) => bindFormat(args, ctx, true)),
  def('to_date', [1, 2], 'to_date(date_str[, fmt])', bindToDate),
  def('to_timestamp', [1, 2], 'to_timestamp(timestamp_str[, fmt])', (args, ctx) => bindToTimestamp(args, ctx, false), ['to_timestamp_ltz', 'try_to_timestamp']),
  def('to_timestamp_ntz', [1, 2], 'to_timestamp_ntz(timestamp_str[, fmt])', (args, ctx) => bindToTimestamp(args, ctx, true)),
  def('unix_timestamp', [0, 2], 'unix_timestamp([timeExp[, fmt]])', bindUnixTimestamp),
  def('to_unix_timestamp', [1, 2], 'to_unix_timestamp(timeExp[, fmt])', bindUnixTimestamp),
  def('timestamp_seconds', [1, 1], 'timestamp_seconds(seconds)', bindTimestampSeconds),
  integralToTimestamp('timestamp_millis', 1000n),
  integralToTimestamp('timestamp_micros', 1n),
  timestampToLong('unix_seconds', MICROS_PER_SECOND),
  timestampToLong('unix_millis', 1000n),
  timestampToLong('unix_micros', 1n),
  def('unix_date', [1, 1], 'unix_date(date)', (args, ctx) => ({ type: INT, args: [exactArg(args[0]!, [DATE], 1, ctx)], fn: { eval: (v) => v[0]!.retype(INT) } })),
  def('date_from_unix_date', [1, 1], 'date_from_unix_date(days)', (args, ctx) => ({ type: DATE, args: [implicitArg(args[0]!, INT, 1, ctx)], fn: { eval: (v) => v[0]!.retype(DATE) } })),
  def('make_date', [3, 3], 'make_date(year, month, day)', (args, ctx) => ({
    type: DATE,
    args: args.map((x, i) => implicitArg(x, INT, i + 1, ctx)),
    fn: rowwise(DATE, ([y, m, d]) => makeDate(y as number, m as number, d as number)),
  })),
  def('make_timestamp', [6, 7], 'make_timestamp(year, month, day, hour, min, sec[, timezone])', (args, ctx) => bindMakeTimestamp(args, ctx, false), ['make_timestamp_ltz']),
  def('make_timestamp_ntz', [6, 6], 'make_timestamp_ntz(year, month, day, hour, min, sec)', (args, ctx) => bindMakeTimestamp(args, ctx, true)),
  utcShift('from_utc_timestamp', false),
  utcShift('to_utc_timestamp', true),
  def('convert_timezone', [2, 3], 'convert_timezone([sourceTz, ]targetTz, sourceTs)', (args, ctx) => {
    const source = args.length === 3 ? implicitArg(args[0]!, STRING, 1, ctx) : literal(STRING, ctx.timeZone);
    const target = implicitArg(args[args.length - 2]!, STRING, args.length - 1, ctx);
    const ts = implicitArg(args[args.length - 1]!, TIMESTAMP_NTZ, args.length, ctx);
    return {
      type: TIMESTAMP_NTZ,
      args: [source, target, ts],
      fn: rowwise(TIMESTAMP_NTZ, ([s, t, w]) => utcToWallMicros(wallClockToUtcMicros(w as bigint, zoneArgument(s as string, 'convert_timezone')), zoneArgument(t as string, 'convert_timezone'))),
    };
  }),
];

