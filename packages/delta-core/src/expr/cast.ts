/**
 * CAST with Spark's non-ANSI semantics: a value that does not convert becomes null instead of an
 * error; integral narrowing wraps as Java casts do; fractional to integral truncates toward zero
 * and saturates; decimal results round half up and overflow to null; zone-dependent conversions
 * (string/date ↔ timestamp, timestamp → string) use the session time zone; timestamps convert to
 * and from numbers as seconds since the epoch.
 */
import type { DataType } from '../schema/types.js';
import { javaFloatingString } from '../schema/partition-values.js';
import { MICROS_PER_DAY, MICROS_PER_SECOND, civilFromDays, formatDate, parseDate, parseTimestamp, parseTimestampNtz, wallClockToUtcMicros, zoneOffsetSeconds } from './datetime.js';
import { divHalfUp, fitsPrecision, roundHalfUp } from './functions/arithmetic.js';
import { rowwise } from './functions/kernels.js';
import { formatDecimal, isDecimalValue, parseDecimal, type DecimalValue } from './scalar.js';
import { isAtomic, isNumeric, isPrimitive, isString, isVoid, sameType } from './type-rules.js';
import type { EvalContext } from './typed.js';
import { isMapValue, isStructValue, mapValue, structValue, type Value } from './value.js';
import { Vec } from './vector.js';

/** Whether Spark accepts `CAST(x AS to)` for a value of type `from` (non-ANSI `Cast.canCast`). */
export function canCast(from: DataType, to: DataType): boolean {
  if (sameType(from, to) || isVoid(from)) return true;
  if (isString(to)) return true;
  if (isString(from)) return isAtomic(to);
  if (isPrimitive(to, 'boolean')) return isNumeric(from) || isPrimitive(from, 'timestamp', 'date');
  if (isNumeric(to)) return isNumeric(from) || isPrimitive(from, 'boolean', 'timestamp', 'date');
  if (isPrimitive(to, 'date')) return isPrimitive(from, 'timestamp', 'timestamp_ntz');
  if (isPrimitive(to, 'timestamp', 'timestamp_ntz')) return isNumeric(from) || isPrimitive(from, 'boolean', 'date', 'timestamp', 'timestamp_ntz');
  if (isPrimitive(to, 'binary')) return isPrimitive(from, 'byte', 'short', 'integer', 'long');
  if (from.kind === 'array' && to.kind === 'array') return canCast(from.elementType, to.elementType);
  if (from.kind === 'map' && to.kind === 'map') return canCast(from.keyType, to.keyType) && canCast(from.valueType, to.valueType);
  if (from.kind === 'struct' && to.kind === 'struct') return from.fields.length === to.fields.length && from.fields.every((f, i) => canCast(f.type, to.fields[i]!.type));
  return false;
}

/** `CAST(v AS to)` for a whole column. */
export function castVec(v: Vec, to: DataType, ctx: EvalContext): Vec {
  if (sameType(v.type, to)) return v.retype(to);
  const from = v.type;
  const fast = fastCast(v, from, to, ctx.length);
  if (fast) return fast;
  return rowwise(to, ([x]) => castValue(x!, from, to, ctx.timeZone)).eval([v], ctx);
}

/** Widening casts between numeric stores, without per-row boxing. */
function fastCast(v: Vec, from: DataType, to: DataType, n: number): Vec | undefined {
  if (v.isConstant) return undefined;
  const valid = v.valid();
  if (isPrimitive(from, 'byte', 'short', 'integer') && isPrimitive(to, 'long')) {
    const s = v.i32();
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(s[i]!);
    return Vec.of(to, { kind: 'i64', values: out }, valid, n);
  }
  if (isPrimitive(from, 'byte', 'short', 'integer') && isPrimitive(to, 'double', 'float')) return Vec.of(to, { kind: 'f64', values: Float64Array.from(v.i32()) }, valid, n);
  if (isPrimitive(from, 'byte', 'short') && isPrimitive(to, 'short', 'integer')) return Vec.of(to, { kind: 'i32', values: v.i32() }, valid, n);
  if (isPrimitive(from, 'float') && isPrimitive(to, 'double')) return Vec.of(to, { kind: 'f64', values: v.f64() }, valid, n);
  if (isPrimitive(from, 'long') && isPrimitive(to, 'double')) return Vec.of(to, { kind: 'f64', values: Float64Array.from(v.i64(), Number) }, valid, n);
  return undefined;
}

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

/** `CAST(x AS to)` of one non-null value of type `from`; null when the value does not convert. */
export function castValue(x: Value, from: DataType, to: DataType, timeZone: string): Value {
  if (x === null || sameType(from, to)) return x;
  if (isVoid(from)) return null;
  if (isString(to)) return castToString(x, from, timeZone);
  if (to.kind === 'decimal') return toDecimal(x, from, to.precision, to.scale, timeZone);
  if (to.kind === 'primitive') {
    switch (to.name) {
      case 'boolean':
        return toBoolean(x, from);
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
        return toIntegral(x, from, to.name, timeZone);
      case 'float':
      case 'double': {
        const d = toDouble(x, from);
        return d === null ? null : to.name === 'float' ? Math.fround(d) : d;
      }
      case 'date':
        return toDate(x, from, timeZone);
      case 'timestamp':
      case 'timestamp_ntz':
        return toTimestamp(x, from, to.name === 'timestamp_ntz', timeZone);
      case 'binary':
        if (isString(from)) return new TextEncoder().encode(x as string);
        if (from.kind === 'primitive' && ['byte', 'short', 'integer', 'long'].includes(from.name)) return integralBytes(x, from.name);
        return null;
      default:
        return null;
    }
  }
  if (to.kind === 'array' && from.kind === 'array') return (x as readonly Value[]).map((e) => castValue(e, from.elementType, to.elementType, timeZone));
  if (to.kind === 'map' && from.kind === 'map' && isMapValue(x)) {
    return mapValue(
      x.keys.map((k) => castValue(k, from.keyType, to.keyType, timeZone)),
      x.values.map((v) => castValue(v, from.valueType, to.valueType, timeZone)),
    );
  }
  if (to.kind === 'struct' && from.kind === 'struct' && isStructValue(x)) {
    return structValue(x.values.map((v, i) => castValue(v, from.fields[i]!.type, to.fields[i]!.type, timeZone)));
  }
  return null;
}

function toBoolean(x: Value, from: DataType): Value {
  if (isString(from)) {
    const s = (x as string).trim().toLowerCase();
    if (['t', 'true', 'y', 'yes', '1'].includes(s)) return true;
    if (['f', 'false', 'n', 'no', '0'].includes(s)) return false;
    return null;
  }
  if (typeof x === 'number') return x !== 0;
  if (typeof x === 'bigint') return x !== 0n;
  if (isDecimalValue(x)) return x.unscaled !== 0n;
  return null;
}

const RANGES = { byte: [-128, 127], short: [-32768, 32767], integer: [-2147483648, 2147483647] } as const;

function toIntegral(x: Value, from: DataType, to: 'byte' | 'short' | 'integer' | 'long', timeZone: string): Value {
  let n: bigint;
  if (typeof x === 'boolean') n = x ? 1n : 0n;
  else if (isString(from)) {
    const d = parseDecimal((x as string).trim());
    if (!d) return null;
    n = d.unscaled / 10n ** BigInt(d.scale);
    const [lo, hi] = to === 'long' ? [LONG_MIN, LONG_MAX] : [BigInt(RANGES[to][0]), BigInt(RANGES[to][1])];
    return n < lo || n > hi ? null : to === 'long' ? n : Number(n);
  } else if (isPrimitive(from, 'timestamp', 'timestamp_ntz')) n = floorDiv(x as bigint, MICROS_PER_SECOND);
  else if (isPrimitive(from, 'date')) return null;
  else if (typeof x === 'number') {
    if (isPrimitive(from, 'float', 'double')) return saturate(x, to);
    n = BigInt(x);
  } else if (typeof x === 'bigint') n = x;
  else if (isDecimalValue(x)) n = x.unscaled / 10n ** BigInt(x.scale);
  else return null;
  void timeZone;
  return wrap(n, to);
}

/** Java's narrowing of a long to the type: keep the low bits. */
function wrap(n: bigint, to: 'byte' | 'short' | 'integer' | 'long'): number | bigint {
  switch (to) {
    case 'long':
      return BigInt.asIntN(64, n);
    case 'integer':
      return Number(BigInt.asIntN(32, n));
    case 'short':
      return Number(BigInt.asIntN(16, n));
    case 'byte':
      return Number(BigInt.asIntN(8, n));
  }
}

/** Java's double → int/long cast (NaN → 0, saturating), then narrowing for byte/short. */
function saturate(d: number, to: 'byte' | 'short' | 'integer' | 'long'): number | bigint {
  if (Number.isNaN(d)) return to === 'long' ? 0n : 0;
  const t = Math.trunc(d);
  if (to === 'long') {
    if (t >= 2 ** 63) return LONG_MAX;
    if (t <= -(2 ** 63)) return LONG_MIN;
    return BigInt(t);
  }
  const i = t >= 2147483647 ? 2147483647 : t <= -2147483648 ? -2147483648 : t;
  return to === 'integer' ? i : wrap(BigInt(i), to);
}

function toDouble(x: Value, from: DataType): number | null {
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return isPrimitive(from, 'timestamp', 'timestamp_ntz') ? Number(x) / 1e6 : Number(x);
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (isDecimalValue(x)) return Number(formatDecimal(x));
  if (isString(from)) return parseJavaDouble(x as string);
  return null;
}

/** Java's `Double.parseDouble` on trimmed text, plus Spark's case-insensitive inf/nan spellings. */
export function parseJavaDouble(text: string): number | null {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  if (['inf', '+inf', 'infinity', '+infinity'].includes(lower)) return Infinity;
  if (['-inf', '-infinity'].includes(lower)) return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(s)) return null;
  return Number(s.replace(/[dDfF]$/, ''));
}

function toDecimal(x: Value, from: DataType, precision: number, scale: number, timeZone: string): Value {
  let d: DecimalValue | undefined;
  if (isDecimalValue(x)) d = x;
  else if (typeof x === 'bigint') d = isPrimitive(from, 'timestamp', 'timestamp_ntz') ? { unscaled: x, scale: 6 } : { unscaled: x, scale: 0 };
  else if (typeof x === 'boolean') d = { unscaled: x ? 1n : 0n, scale: 0 };
  else if (typeof x === 'number') {
    if (!Number.isFinite(x)) return null;
    d = isPrimitive(from, 'float', 'double') ? parseDecimal(javaFloatingString(x, isPrimitive(from, 'float'))) : { unscaled: BigInt(x), scale: 0 };
  } else if (isString(from)) d = parseDecimal((x as string).trim());
  void timeZone;
  if (!d) return null;
  const unscaled = roundHalfUp(d.unscaled, d.scale - scale);
  return fitsPrecision(unscaled, precision) ? { unscaled, scale } : null;
}

function toDate(x: Value, from: DataType, timeZone: string): Value {
  if (isString(from)) return parseDate(leadingDate(x as string)) ?? null;
  if (isPrimitive(from, 'timestamp')) {
    const micros = x as bigint;
    const offset = BigInt(zoneOffsetSeconds(Number(floorDiv(micros, MICROS_PER_SECOND)), timeZone)) * MICROS_PER_SECOND;
    return Number(floorDiv(micros + offset, MICROS_PER_DAY));
  }
  if (isPrimitive(from, 'timestamp_ntz')) return Number(floorDiv(x as bigint, MICROS_PER_DAY));
  return null;
}

/** Spark's date text: `yyyy[-m[m][-d[d]]]` optionally followed by `T…` or ` …` (ignored). */
function leadingDate(s: string): string {
  const t = s.trim();
  const m = /^([+-]?\d{4,})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?$/.exec(t);
  if (!m) return '\u0000';
  return `${m[1]}-${(m[2] ?? '1').padStart(2, '0')}-${(m[3] ?? '1').padStart(2, '0')}`;
}

function toTimestamp(x: Value, from: DataType, ntz: boolean, timeZone: string): Value {
  if (isString(from)) return (ntz ? parseTimestampNtz((x as string).trim()) : parseTimestamp((x as string).trim(), timeZone)) ?? null;
  if (isPrimitive(from, 'date')) {
    const wall = BigInt(x as number) * MICROS_PER_DAY;
    return ntz ? wall : wallClockToUtcMicros(wall, timeZone);
  }
  if (isPrimitive(from, 'timestamp', 'timestamp_ntz')) {
    const micros = x as bigint;
    if (ntz) return micros + BigInt(zoneOffsetSeconds(Number(floorDiv(micros, MICROS_PER_SECOND)), timeZone)) * MICROS_PER_SECOND;
    return wallClockToUtcMicros(micros, timeZone);
  }
  if (typeof x === 'boolean') return x ? 1_000_000n : 0n;
  if (typeof x === 'bigint') return BigInt.asIntN(64, x * MICROS_PER_SECOND);
  if (typeof x === 'number') {
    if (isPrimitive(from, 'float', 'double')) return Number.isFinite(x) ? BigInt(Math.trunc(x * 1e6)) : null;
    return BigInt(x) * MICROS_PER_SECOND;
  }
  if (isDecimalValue(x)) return divHalfUp(x.unscaled * MICROS_PER_SECOND, 10n ** BigInt(x.scale));
  return null;
}

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

/** Spark's text of a value (CAST(x AS STRING)). */
export function castToString(x: Value, from: DataType, timeZone: string): Value {
  if (x === null) return null;
  if (from.kind === 'decimal') return formatDecimal(x as DecimalValue);
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
        return formatDate(x as number);
      case 'timestamp':
      case 'timestamp_ntz': {
        const micros = x as bigint;
        const offset = from.name === 'timestamp' ? BigInt(zoneOffsetSeconds(Number(floorDiv(micros, MICROS_PER_SECOND)), timeZone)) * MICROS_PER_SECOND : 0n;
        return formatSparkTimestamp(micros + offset);
      }
      case 'binary':
        return new TextDecoder().decode(x as Uint8Array);
      default:
        return String(x);
    }
  }
  if (from.kind === 'array') return `[${(x as readonly Value[]).map((e) => (e === null ? 'null' : castToString(e, from.elementType, timeZone))).join(', ')}]`;
  if (from.kind === 'struct' && isStructValue(x)) return `{${x.values.map((e, i) => (e === null ? 'null' : castToString(e, from.fields[i]!.type, timeZone))).join(', ')}}`;
  if (from.kind === 'map' && isMapValue(x)) {
    return `{${x.keys.map((k, i) => `${castToString(k, from.keyType, timeZone)} -> ${x.values[i] === null ? 'null' : castToString(x.values[i]!, from.valueType, timeZone)}`).join(', ')}}`;
  }
  return null;
}

/** `yyyy-MM-dd HH:mm:ss[.f…]` of wall-clock µs, fraction without trailing zeros (Spark's timestamp text). */
export function formatSparkTimestamp(wallMicros: bigint): string {
  const days = floorDiv(wallMicros, MICROS_PER_DAY);
  const rest = wallMicros - days * MICROS_PER_DAY;
  const { year, month, day } = civilFromDays(Number(days));
  const secs = Number(rest / MICROS_PER_SECOND);
  const frac = Number(rest % MICROS_PER_SECOND);
  const p = (v: number, w: number): string => String(v).padStart(w, '0');
  const y = year < 0 ? '-' + p(-year, 4) : p(year, 4);
  const base = `${y}-${p(month, 2)}-${p(day, 2)} ${p(Math.floor(secs / 3600), 2)}:${p(Math.floor((secs % 3600) / 60), 2)}:${p(secs % 60, 2)}`;
  return frac === 0 ? base : `${base}.${p(frac, 6).replace(/0+$/, '')}`;
}

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};
