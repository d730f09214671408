import { DeltaError } from '../errors.js';
import type { DataType } from '../schema/types.js';
import type { LiteralValue } from './ast.js';
import { MICROS_PER_DAY, MICROS_PER_SECOND, parseDate, parseTimestamp, parseTimestampNtz, wallClockToUtcMicros, zoneOffsetSeconds } from './datetime.js';
import { parseDecimal, rescaleDecimal, typeName, type DecimalValue, type Scalar } from './scalar.js';

/**
 * A literal converted to a column's representation: exact, or — when the column's type cannot
 * hold it (1.5 for a long, 1.234 for decimal(5,2), NaN for a long) — the two representable
 * neighbours with floor < literal < ceil, so comparisons can be rewritten exactly.
 */
export type Coerced = { readonly exact: Scalar } | { readonly floor: Scalar; readonly ceil: Scalar };

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

/** Converts a literal for comparison with a column of `type` (named `column` in errors). */
export function coerceLiteral(lit: LiteralValue, type: DataType, column: string, timeZone: string): Coerced {
  if (lit === null) return { exact: null };
  const mismatch = (fix: string): DeltaError =>
    new DeltaError('INVALID_ARGUMENT', `Cannot compare column ${column} of type ${typeName(type)} with ${describe(lit)}. ${fix}`, {
      details: { column, type: typeName(type) },
    });
  if (type.kind === 'decimal') return toDecimal(lit, type.scale, mismatch);
  if (type.kind !== 'primitive') throw new DeltaError('UNSUPPORTED_OPERATION', `Column ${column} has type ${typeName(type)}; only primitive columns can be compared with values. Use IS NULL, or compare one of its fields.`);
  switch (type.name) {
    case 'byte':
    case 'short':
    case 'integer':
    case 'float':
    case 'double': {
      const n = toNumber(lit);
      if (n === undefined) throw mismatch(`Write a number, e.g. ${column} = 10.`);
      if (type.name === 'float' || type.name === 'double' || Number.isInteger(n)) return { exact: n };
      if (Number.isNaN(n)) return { floor: Infinity, ceil: Infinity };
      return { floor: Math.floor(n), ceil: Math.floor(n) + 1 };
    }
    case 'long':
      return toLong(lit, mismatch);
    case 'string':
      if (typeof lit === 'string') return { exact: lit };
      throw mismatch(`Quote the value as a string, e.g. ${column} = '${describeBare(lit)}'.`);
    case 'binary':
      if (typeof lit === 'string') return { exact: new TextEncoder().encode(lit) };
      if (typeof lit === 'object' && lit.type === 'binary') return { exact: lit.bytes };
      throw mismatch(`Write a binary literal, e.g. X'0102', or a string.`);
    case 'boolean':
      if (typeof lit === 'boolean') return { exact: lit };
      if (typeof lit === 'string' && /^(true|false)$/i.test(lit)) return { exact: lit.toLowerCase() === 'true' };
      throw mismatch('Write TRUE or FALSE.');
    case 'date':
      return toDate(lit, column, mismatch);
    case 'timestamp':
      return { exact: toTimestamp(lit, timeZone, false, mismatch) };
    case 'timestamp_ntz':
      return { exact: toTimestamp(lit, timeZone, true, mismatch) };
    case 'void':
    case 'variant':
      throw new DeltaError('UNSUPPORTED_OPERATION', `Column ${column} has type ${type.name}, which cannot be compared with values. Use IS NULL instead.`);
  }
}

function describe(lit: LiteralValue): string {
  if (typeof lit === 'string') return `the string '${lit}'`;
  if (typeof lit === 'object' && lit !== null) return `a ${lit.type} literal`;
  return `the value ${String(lit)}`;
}

function describeBare(lit: LiteralValue): string {
  if (typeof lit === 'object' && lit !== null) {
    if (lit.type === 'decimal') return lit.text;
    return lit.type;
  }
  return String(lit);
}

function toNumber(lit: LiteralValue): number | undefined {
  if (typeof lit === 'number') return lit;
  if (typeof lit === 'bigint') return Number(lit);
  if (typeof lit === 'object' && lit?.type === 'decimal') return Number(lit.text);
  if (typeof lit === 'string' && parseDecimal(lit)) return Number(lit.trim());
  return undefined;
}

function toExactDecimal(lit: LiteralValue): DecimalValue | 'nan' | 'inf' | '-inf' | undefined {
  if (typeof lit === 'bigint') return { unscaled: lit, scale: 0 };
  if (typeof lit === 'number') {
    if (Number.isNaN(lit)) return 'nan';
    if (!Number.isFinite(lit)) return lit > 0 ? 'inf' : '-inf';
    return parseDecimal(String(lit));
  }
  if (typeof lit === 'object' && lit?.type === 'decimal') return parseDecimal(lit.text);
  if (typeof lit === 'string') return parseDecimal(lit);
  return undefined;
}

function toLong(lit: LiteralValue, mismatch: (fix: string) => DeltaError): Coerced {
  const d = toExactDecimal(lit);
  if (d === undefined) throw mismatch('Write an integer, e.g. 10.');
  // Spark orders NaN above every number.
  if (d === 'nan' || d === 'inf') return { floor: LONG_MAX, ceil: LONG_MAX + 1n };
  if (d === '-inf') return { floor: LONG_MIN - 1n, ceil: LONG_MIN };
  const r = rescaleDecimal(d, 0);
  return 'exact' in r ? { exact: r.exact.unscaled } : { floor: r.floor.unscaled, ceil: r.ceil.unscaled };
}

function toDecimal(lit: LiteralValue, scale: number, mismatch: (fix: string) => DeltaError): Coerced {
  const d = toExactDecimal(lit);
  if (d === undefined) throw mismatch('Write a number, e.g. 12.50.');
  const huge = 10n ** 39n;
  if (d === 'nan' || d === 'inf') return { floor: { unscaled: huge, scale }, ceil: { unscaled: huge + 1n, scale } };
  if (d === '-inf') return { floor: { unscaled: -huge - 1n, scale }, ceil: { unscaled: -huge, scale } };
  const r = rescaleDecimal(d, scale);
  return 'exact' in r ? { exact: r.exact } : { floor: r.floor, ceil: r.ceil };
}

function toDate(lit: LiteralValue, column: string, mismatch: (fix: string) => DeltaError): Coerced {
  if (typeof lit === 'object' && lit?.type === 'date') return { exact: lit.days };
  if (typeof lit === 'string') {
    const d = parseDate(lit);
    if (d !== undefined) return { exact: d };
    throw mismatch(`Write the date as 'YYYY-MM-DD', e.g. ${column} = DATE '2020-01-31'.`);
  }
  if (typeof lit === 'object' && (lit?.type === 'timestamp' || lit?.type === 'timestamp_ntz')) {
    throw mismatch(`Compare a date column with a DATE literal, e.g. ${column} = DATE '2020-01-31'.`);
  }
  throw mismatch(`Write a date literal, e.g. ${column} = DATE '2020-01-31'.`);
}

function toTimestamp(lit: LiteralValue, timeZone: string, ntz: boolean, mismatch: (fix: string) => DeltaError): bigint {
  const example = ntz ? `TIMESTAMP_NTZ '2020-01-31 12:00:00'` : `TIMESTAMP '2020-01-31T12:00:00Z'`;
  if (typeof lit === 'string') {
    const t = ntz ? parseTimestampNtz(lit) : parseTimestamp(lit, timeZone);
    if (t === undefined) throw mismatch(`Write a timestamp such as ${example}.`);
    return t;
  }
  if (typeof lit !== 'object' || lit === null) throw mismatch(`Write a timestamp such as ${example}.`);
  switch (lit.type) {
    case 'timestamp':
      // Spark casts between timestamp and timestamp_ntz through the session zone.
      return ntz ? lit.micros + BigInt(zoneOffsetSeconds(Number(floorDiv(lit.micros, MICROS_PER_SECOND)), timeZone)) * MICROS_PER_SECOND : lit.micros;
    case 'timestamp_ntz':
      return ntz ? lit.micros : wallClockToUtcMicros(lit.micros, timeZone);
    case 'date': {
      const wall = BigInt(lit.days) * MICROS_PER_DAY;
      return ntz ? wall : wallClockToUtcMicros(wall, timeZone);
    }
    default:
      throw mismatch(`Write a timestamp such as ${example}.`);
  }
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));
