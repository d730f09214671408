/**
 * CAST with Spark's non-ANSI semantics (`Cast` in `EvalMode.LEGACY`): a value that does not
 * convert becomes null instead of an error; integral narrowing wraps as Java casts do; fractional
 * to integral truncates toward zero and saturates; decimal results round half up and overflow to
 * null; zone-dependent conversions (string/date/timestamp_ntz ↔ timestamp, timestamp → string)
 * use the session time zone; timestamps convert to and from numbers as seconds since the epoch.
 * Text forms are in expr/cast-text.ts and expr/datetime-text.ts.
 */
import type { DataType, DecimalType } from '../schema/types.js';
import { javaFloatingString } from '../schema/partition-values.js';
import { decimalToFloat32, formatSparkDayTime, formatSparkTimestamp, javaDecimalString, javaTrim, longToFloat32, parseJavaFloating, parseSparkIntegral, sparkDateString } from './cast-text.js';
import { MICROS_PER_DAY, MICROS_PER_SECOND, daysToMicros, floorDivBig, localDayTime, microsToDays, utcToWallMicros, wallClockToUtcMicros } from './datetime.js';
import { parseSparkDate, parseSparkTimestamp, parseSparkTimestampNtz, sparkTrim } from './datetime-text.js';
import { rowwise } from './functions/kernels.js';
import { isDecimalValue, parseDecimal, type DecimalValue } from './scalar.js';
import { isAtomic, isFractional, isIntegral, isNumeric, isPrimitive, isString, isVoid, sameType } from './type-rules.js';
import type { EvalContext } from './typed.js';
import { isMapValue, isStructValue, mapValue, structValue, type Value } from './value.js';
import { Vec } from './vector.js';

export { formatSparkTimestamp } from './cast-text.js';

const isDatetimeName = (t: DataType, ...names: ('date' | 'timestamp' | 'timestamp_ntz')[]): boolean => isPrimitive(t, ...names);

/** Whether Spark accepts `CAST(x AS to)` for a value of type `from` (non-ANSI `Cast.canCast`, nullability included). */
export function canCast(from: DataType, to: DataType): boolean {
  if (isVoid(from)) return true;
  if (from.kind === 'array' && to.kind === 'array') {
    return canCast(from.elementType, to.elementType) && (!(from.containsNull || forceNullable(from.elementType, to.elementType)) || to.containsNull);
  }
  if (from.kind === 'map' && to.kind === 'map') {
    return (
      canCast(from.keyType, to.keyType) &&
      !forceNullable(from.keyType, to.keyType) &&
      canCast(from.valueType, to.valueType) &&
      (!(from.valueContainsNull || forceNullable(from.valueType, to.valueType)) || to.valueContainsNull)
    );
  }
  if (from.kind === 'struct' && to.kind === 'struct') {
    return (
      from.fields.length === to.fields.length &&
      from.fields.every((f, i) => {
        const t = to.fields[i]!;
        return canCast(f.type, t.type) && (!(f.nullable || forceNullable(f.type, t.type)) || t.nullable);
      })
    );
  }
  if (isPrimitive(from, 'variant') || isPrimitive(to, 'variant')) return sameType(from, to);
  if (sameType(from, to) || isString(to)) return true;
  if (isString(from)) return isAtomic(to) && !isVoid(to);
  if (isPrimitive(to, 'binary')) return isIntegral(from);
  if (isPrimitive(to, 'boolean')) return isNumeric(from) || isDatetimeName(from, 'date', 'timestamp');
  if (isPrimitive(to, 'timestamp')) return isNumeric(from) || isPrimitive(from, 'boolean') || isDatetimeName(from, 'date', 'timestamp_ntz');
  if (isPrimitive(to, 'timestamp_ntz')) return isDatetimeName(from, 'date', 'timestamp');
  if (isPrimitive(to, 'date')) return isDatetimeName(from, 'timestamp', 'timestamp_ntz');
  if (isNumeric(to)) return isNumeric(from) || isPrimitive(from, 'boolean') || isDatetimeName(from, 'date', 'timestamp');
  return false;
}

/** Spark's `Cast.forceNullable`: whether casting non-null values may give null. */
function forceNullable(from: DataType, to: DataType): boolean {
  if (isVoid(from) || sameType(from, to)) return false;
  if (isString(from)) return !isPrimitive(to, 'binary');
  if (isString(to)) return false;
  if (isFractional(from) && isPrimitive(to, 'timestamp')) return true;
  if (isPrimitive(from, 'timestamp') && isPrimitive(to, 'date')) return false;
  if (isPrimitive(to, 'date')) return true;
  if (isPrimitive(from, 'date') && isPrimitive(to, 'timestamp')) return false;
  if (isPrimitive(from, 'date')) return true;
  if (to.kind === 'decimal' && !nullSafeToDecimal(from, to)) return true;
  return isFractional(from) && isIntegral(to);
}

const INTEGRAL_DIGITS: Readonly<Record<string, number>> = { byte: 3, short: 5, integer: 10, long: 20 };

/** Spark's `canNullSafeCastToDecimal`: every value of `from` fits `to`. */
function nullSafeToDecimal(from: DataType, to: DecimalType): boolean {
  if (isPrimitive(from, 'boolean')) return to.precision - to.scale >= 1;
  if (from.kind === 'decimal') return to.precision - to.scale > from.precision - from.scale;
  if (from.kind === 'primitive' && isIntegral(from)) return to.precision - to.scale >= INTEGRAL_DIGITS[from.name]!;
  return false;
}

/** `CAST(v AS to)` for a whole column. */
export function castVec(v: Vec, to: DataType, ctx: EvalContext): Vec {
  if (sameType(v.type, to)) return v.retype(to);
  const from = v.type;
  const fast = v.isConstant ? undefined : fastCast(v, from, to, ctx.length, ctx.timeZone);
  if (fast) return fast;
  return rowwise(to, ([x]) => castValue(x!, from, to, ctx.timeZone, ctx.nowMicros)).eval([v], ctx);
}

/** Casts between numeric stores that need no per-row boxing. */
function fastCast(v: Vec, from: DataType, to: DataType, n: number, timeZone: string): Vec | undefined {
  const valid = v.valid();
  const small = isPrimitive(from, 'byte', 'short', 'integer');
  if (small && isPrimitive(to, 'long')) {
    const s = v.i32();
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(s[i]!);
    return Vec.of(to, { kind: 'i64', values: out }, valid, n);
  }
  if (small && isPrimitive(to, 'double')) return Vec.of(to, { kind: 'f64', values: Float64Array.from(v.i32()) }, valid, n);
  if (small && isPrimitive(to, 'float')) return Vec.of(to, { kind: 'f64', values: Float64Array.from(Float32Array.from(v.i32())) }, valid, n);
  if (small && isPrimitive(to, 'byte', 'short', 'integer')) {
    // Java's narrowing keeps the low bits: a typed array of the target width does exactly that.
    const s = v.i32();
    const narrowed = isPrimitive(to, 'byte') ? Int32Array.from(Int8Array.from(s)) : isPrimitive(to, 'short') ? Int32Array.from(Int16Array.from(s)) : s;
    return Vec.of(to, { kind: 'i32', values: narrowed }, valid, n);
  }
  if (isPrimitive(from, 'float') && isPrimitive(to, 'double')) return Vec.of(to, { kind: 'f64', values: v.f64() }, valid, n);
  if (isPrimitive(from, 'double') && isPrimitive(to, 'float')) return Vec.of(to, { kind: 'f64', values: Float64Array.from(Float32Array.from(v.f64())) }, valid, n);
  if (isPrimitive(from, 'long') && isPrimitive(to, 'double')) return Vec.of(to, { kind: 'f64', values: Float64Array.from(v.i64(), Number) }, valid, n);
  if (isPrimitive(from, 'long') && isPrimitive(to, 'integer')) return Vec.of(to, { kind: 'i32', values: Int32Array.from(v.i64(), (x) => Number(BigInt.asIntN(32, x))) }, valid, n);
  if (isPrimitive(from, 'double', 'float') && isPrimitive(to, 'integer')) return Vec.of(to, { kind: 'i32', values: Int32Array.from(v.f64(), (x) => saturate(x, 'integer') as number) }, valid, n);
  if (isPrimitive(from, 'date') && isPrimitive(to, 'timestamp_ntz')) return Vec.of(to, { kind: 'i64', values: BigInt64Array.from(v.i32(), (d) => BigInt(d) * MICROS_PER_DAY) }, valid, n);
  // timestamp_ntz, or timestamp in UTC: the date is the floor of µs / 86,400,000,000.
  if ((isPrimitive(from, 'timestamp_ntz') || (isPrimitive(from, 'timestamp') && isUtc(timeZone))) && isPrimitive(to, 'date')) {
    return Vec.of(to, { kind: 'i32', values: daysOfMicros(v.i64()) }, valid, n);
  }
  return undefined;
}

const isUtc = (zone: string): boolean => zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Z' || zone === 'GMT' || zone === '+00:00';

const MICROS_PER_DAY_NUMBER = 86_400_000_000;

/** floor(µs / day) per value: exact double arithmetic below 2^53 µs, bigint beyond. */
function daysOfMicros(micros: BigInt64Array): Int32Array {
  const out = new Int32Array(micros.length);
  for (let i = 0; i < micros.length; i++) {
    const x = micros[i]!;
    const m = Number(x);
    if (m > -9007199254740991 && m < 9007199254740991) {
      let d = Math.trunc(m / MICROS_PER_DAY_NUMBER);
      let r = m - d * MICROS_PER_DAY_NUMBER; // exact: both terms are integers below 2^53
      while (r < 0) {
        d--;
        r += MICROS_PER_DAY_NUMBER;
      }
      while (r >= MICROS_PER_DAY_NUMBER) {
        d++;
        r -= MICROS_PER_DAY_NUMBER;
      }
      out[i] = d;
    } else {
      const q = x / MICROS_PER_DAY;
      out[i] = Number(x % MICROS_PER_DAY < 0n ? q - 1n : q);
    }
  }
  return out;
}

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

/**
 * `CAST(x AS to)` of one value of type `from`; null when the value does not convert. `nowMicros`
 * dates a time-only string cast to TIMESTAMP (null without it).
 */
export function castValue(x: Value, from: DataType, to: DataType, timeZone: string, nowMicros?: bigint): Value {
  if (x === null || sameType(from, to)) return x;
  if (isVoid(from)) return null;
  if (isString(to)) return castToString(x, from, timeZone);
  if (to.kind === 'decimal') return toDecimal(x, from, to.precision, to.scale);
  if (to.kind === 'primitive') {
    switch (to.name) {
      case 'boolean':
        return toBoolean(x, from);
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
        return toIntegral(x, from, to.name);
      case 'float':
      case 'double':
        return toFractional(x, from, to.name === 'float');
      case 'date':
        return toDate(x, from, timeZone);
      case 'timestamp':
        return toTimestamp(x, from, timeZone, nowMicros);
      case 'timestamp_ntz':
        return toTimestampNtz(x, from, timeZone);
      case 'binary':
        if (isString(from)) return UTF8_ENCODER.encode(x as string);
        return isIntegral(from) ? integralBytes(x, (from as { name: string }).name) : null;
      default:
        return null;
    }
  }
  if (to.kind === 'array' && from.kind === 'array') {
    return (x as readonly Value[]).map((e) => castValue(e, from.elementType, to.elementType, timeZone, nowMicros));
  }
  if (to.kind === 'map' && from.kind === 'map' && isMapValue(x)) {
    return mapValue(
      x.keys.map((k) => castValue(k, from.keyType, to.keyType, timeZone, nowMicros)),
      x.values.map((v) => castValue(v, from.valueType, to.valueType, timeZone, nowMicros)),
    );
  }
  if (to.kind === 'struct' && from.kind === 'struct' && isStructValue(x)) {
    return structValue(x.values.map((v, i) => castValue(v, from.fields[i]!.type, to.fields[i]!.type, timeZone, nowMicros)));
  }
  return null;
}

const TRUE_TEXT = new Set(['t', 'true', 'y', 'yes', '1']);
const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder();
const FALSE_TEXT = new Set(['f', 'false', 'n', 'no', '0']);

function toBoolean(x: Value, from: DataType): Value {
  if (isString(from)) {
    const s = sparkTrim(x as string).toLowerCase();
    return TRUE_TEXT.has(s) ? true : FALSE_TEXT.has(s) ? false : null;
  }
  if (isPrimitive(from, 'date')) return null;
  if (typeof x === 'number') return x !== 0;
  if (typeof x === 'bigint') return x !== 0n;
  if (isDecimalValue(x)) return x.unscaled !== 0n;
  return null;
}

type IntegralName = 'byte' | 'short' | 'integer' | 'long';
const BITS = { byte: 8, short: 16, integer: 32, long: 64 } as const;

function toIntegral(x: Value, from: DataType, to: IntegralName): Value {
  let n: bigint;
  if (typeof x === 'boolean') n = x ? 1n : 0n;
  else if (isString(from)) {
    // Spark parses into an int for byte, short and int, then range-checks: the result never wraps.
    const v = parseSparkIntegral(x as string, BITS[to]);
    return v === null ? null : to === 'long' ? v : Number(v);
  } else if (isPrimitive(from, 'date')) return null;
  else if (isPrimitive(from, 'timestamp')) n = floorDivBig(x as bigint, MICROS_PER_SECOND);
  else if (typeof x === 'number') {
    if (isFractional(from)) return saturate(x, to);
    n = BigInt(x);
  } else if (typeof x === 'bigint') n = x;
  else if (isDecimalValue(x)) n = x.unscaled / 10n ** BigInt(x.scale);
  else return null;
  return wrap(n, to);
}

/** Java's narrowing of an integer to the type: keep the low bits. */
function wrap(n: bigint, to: IntegralName): number | bigint {
  return to === 'long' ? BigInt.asIntN(64, n) : Number(BigInt.asIntN(BITS[to], n));
}

/** Java's double → int/long cast (NaN → 0, truncation, saturation), then narrowing for byte/short. */
function saturate(d: number, to: IntegralName): number | bigint {
  if (Number.isNaN(d)) return to === 'long' ? 0n : 0;
  const t = Math.trunc(d) + 0; // no -0 in integers
  if (to === 'long') return t >= 2 ** 63 ? LONG_MAX : t <= -(2 ** 63) ? LONG_MIN : BigInt(t);
  const i = t >= 2147483647 ? 2147483647 : t <= -2147483648 ? -2147483648 : t;
  return to === 'integer' ? i : wrap(BigInt(i), to);
}

function toFractional(x: Value, from: DataType, float: boolean): Value {
  if (isString(from)) return parseJavaFloating(x as string, float);
  if (isPrimitive(from, 'date')) return null;
  let d: number;
  if (typeof x === 'boolean') d = x ? 1 : 0;
  else if (typeof x === 'number') d = x;
  else if (isPrimitive(from, 'timestamp')) d = Number(x as bigint) / 1e6;
  else if (typeof x === 'bigint') return float ? longToFloat32(x) : Number(x);
  else if (isDecimalValue(x)) return float ? decimalToFloat32(x) : Number(`${x.unscaled}e${-x.scale}`);
  else return null;
  return float ? Math.fround(d) : d;
}

/** `unscaled × 10^-fromScale` at `scale`, rounding half up. */
function rescale(unscaled: bigint, fromScale: number, scale: number): bigint {
  const k = fromScale - scale;
  if (k <= 0) return unscaled * 10n ** BigInt(-k);
  const d = 10n ** BigInt(k);
  const q = unscaled / d;
  const r = unscaled % d;
  if ((r < 0n ? -r : r) * 2n >= d) return unscaled < 0n ? q - 1n : q + 1n;
  return q;
}

/** The decimal a double converts to in Spark: the digits of Java's `Double.toString`. */
const doubleDecimal = (d: number): DecimalValue | undefined => (Number.isFinite(d) ? parseDecimal(javaFloatingString(d, false)) : undefined);

function toDecimal(x: Value, from: DataType, precision: number, scale: number): Value {
  let d: DecimalValue | undefined;
  if (isDecimalValue(x)) d = x;
  else if (isString(from)) {
    d = parseDecimal(javaTrim(x as string));
    // Spark fails fast on more than 38 integral digits (they cannot fit).
    if (d && (d.unscaled < 0n ? -d.unscaled : d.unscaled).toString().length - d.scale > 38) return null;
  } else if (isPrimitive(from, 'date')) return null;
  else if (isPrimitive(from, 'timestamp')) d = doubleDecimal(Number(x as bigint) / 1e6);
  else if (typeof x === 'bigint') d = { unscaled: x, scale: 0 };
  else if (typeof x === 'boolean') d = { unscaled: x ? 1n : 0n, scale: 0 };
  // Spark widens a float to double first: 0.1f becomes 0.10000000149011612.
  else if (typeof x === 'number') d = isFractional(from) ? doubleDecimal(x) : { unscaled: BigInt(x), scale: 0 };
  if (!d) return null;
  const unscaled = rescale(d.unscaled, d.scale, scale);
  return (unscaled < 0n ? -unscaled : unscaled) < 10n ** BigInt(precision) ? { unscaled, scale } : null;
}

function toDate(x: Value, from: DataType, timeZone: string): Value {
  if (isString(from)) return parseSparkDate(x as string);
  if (isPrimitive(from, 'timestamp')) return microsToDays(x as bigint, timeZone);
  if (isPrimitive(from, 'timestamp_ntz')) return Number(floorDivBig(x as bigint, MICROS_PER_DAY));
  return null;
}

function toTimestamp(x: Value, from: DataType, timeZone: string, nowMicros: bigint | undefined): Value {
  if (isString(from)) return parseSparkTimestamp(x as string, timeZone, nowMicros);
  if (isPrimitive(from, 'date')) return daysToMicros(x as number, timeZone);
  if (isPrimitive(from, 'timestamp_ntz')) return wallClockToUtcMicros(x as bigint, timeZone);
  // Booleans are one microsecond (not second) since the epoch, as in Spark.
  if (typeof x === 'boolean') return x ? 1n : 0n;
  if (isDecimalValue(x)) return BigInt.asIntN(64, (x.unscaled * MICROS_PER_SECOND) / 10n ** BigInt(x.scale));
  if (typeof x === 'number' && isFractional(from)) return Number.isFinite(x) ? saturate(x * 1e6, 'long') : null;
  // Whole seconds saturate at the long range (Java's `TimeUnit.SECONDS.toMicros`).
  const s = typeof x === 'bigint' ? x : BigInt(x as number);
  const us = s * MICROS_PER_SECOND;
  return us > LONG_MAX ? LONG_MAX : us < LONG_MIN ? LONG_MIN : us;
}

function toTimestampNtz(x: Value, from: DataType, timeZone: string): Value {
  if (isString(from)) return parseSparkTimestampNtz(x as string);
  if (isPrimitive(from, 'date')) return BigInt(x as number) * MICROS_PER_DAY;
  if (isPrimitive(from, 'timestamp')) return utcToWallMicros(x as bigint, timeZone);
  return null;
}

/** Big-endian two's complement bytes of an integral value, its type's width (Spark's `NumberConverter.toBinary`). */
function integralBytes(x: Value, name: string): Uint8Array {
  const width = name === 'long' ? 8 : name === 'integer' ? 4 : name === 'short' ? 2 : 1;
  const out = new Uint8Array(width);
  let v = BigInt.asUintN(width * 8, BigInt(x as number | bigint));
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Spark's text of a value (`CAST(x AS STRING)`, non-ANSI). */
export function castToString(x: Value, from: DataType, timeZone: string): Value {
  if (x === null) return null;
  // Non-ANSI Spark prints decimals with Java's BigDecimal.toString (1.23E-7); ANSI mode prints them plain.
  if (from.kind === 'decimal') return javaDecimalString(x as DecimalValue);
  if (from.kind === 'primitive') {
    switch (from.name) {
      case 'string':
        return x;
      case 'float':
      case 'double':
        return javaFloatingString(x as number, from.name === 'float');
      case 'boolean':
        return x ? 'true' : 'false';
      case 'date':
        return sparkDateString(x as number);
      case 'timestamp': {
        const { days, micros } = localDayTime(x as bigint, timeZone);
        return formatSparkDayTime(days, micros);
      }
      case 'timestamp_ntz':
        return formatSparkTimestamp(x as bigint);
      case 'binary':
        return UTF8_DECODER.decode(x as Uint8Array);
      default:
        return String(x);
    }
  }
  const text = (v: Value, t: DataType): string => String(castToString(v, t, timeZone));
  if (from.kind === 'array') return `[${(x as readonly Value[]).map((e) => (e === null ? 'null' : text(e, from.elementType))).join(', ')}]`;
  if (from.kind === 'struct' && isStructValue(x)) return `{${x.values.map((e, i) => (e === null ? 'null' : text(e, from.fields[i]!.type))).join(', ')}}`;
  if (from.kind === 'map' && isMapValue(x)) {
    return `{${x.keys.map((k, i) => `${text(k, from.keyType)} -> ${x.values[i] === null ? 'null' : text(x.values[i]!, from.valueType)}`).join(', ')}}`;
  }
  return null;
}
