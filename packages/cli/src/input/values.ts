/**
 * Input values (parsed JSON, or CSV cell text) → the exact value of a Delta type, in the
 * representation `arrow-build.ts` stores:
 * byte/short/integer → number; long → bigint; float/double → number; boolean; string;
 * binary → Uint8Array (from base64 text); decimal(p,s) → unscaled bigint; date → days since the
 * epoch; timestamp/timestamp_ntz → bigint microseconds; array → array; map → [key, value] pairs;
 * struct → field values in schema order; null → null.
 * Nothing is rounded: a value that does not fit its type exactly is a {@link ValueError}.
 */
import { Buffer } from 'node:buffer';
import type { DataType, DeltaErrorCode, StructType } from '@deltakit/core';
import { JsonNumber, jsonText, parseJsonLine, JsonSyntaxError, type JsonValue } from './json-line.js';

/** A value that cannot be stored in its column; the reader adds the file and line. */
export class ValueError extends Error {
  /**
   * @param message the problem, without a final period
   * @param fix what to do about it, as a sentence
   */
  constructor(
    readonly code: DeltaErrorCode,
    message: string,
    readonly fix = 'Fix the value in the input, or give the column a type that holds it.',
  ) {
    super(message);
  }
}

const INT_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = {
  byte: [-128n, 127n],
  short: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** A parsed JSON value as a value of `type`; `path` names the column in errors. */
export function convertJson(v: JsonValue, type: DataType, path: string): unknown {
  if (v === null) return null;
  switch (type.kind) {
    case 'struct':
      if (!(v instanceof Map)) throw mismatch(path, jsonText(v), type);
      return convertStruct(v, type, path);
    case 'array':
      if (!Array.isArray(v)) throw mismatch(path, jsonText(v), type);
      return v.map((x) => convertJson(x, type.elementType, `${path}[]`));
    case 'map': {
      if (!(v instanceof Map)) throw mismatch(path, jsonText(v), type);
      return [...v].map(([k, x]) => [convertText(k, type.keyType, `${path}.key`), convertJson(x, type.valueType, `${path}.value`)]);
    }
    case 'decimal':
      if (v instanceof JsonNumber || typeof v === 'string') return convertText(typeof v === 'string' ? v : v.text, type, path);
      throw mismatch(path, jsonText(v), type);
    case 'primitive':
      return convertJsonPrimitive(v, type, path);
  }
}

function convertJsonPrimitive(v: Exclude<JsonValue, null>, type: Extract<DataType, { kind: 'primitive' }>, path: string): unknown {
  switch (type.name) {
    case 'string':
      return typeof v === 'string' ? v : jsonText(v);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      if (v instanceof JsonNumber || typeof v === 'string') return convertText(typeof v === 'string' ? v : v.text, type, path);
      break;
    case 'binary':
    case 'date':
    case 'timestamp':
    case 'timestamp_ntz':
      if (typeof v === 'string') return convertText(v, type, path);
      break;
    case 'variant':
    case 'void':
      throw unsupported(path, type.name);
  }
  throw mismatch(path, jsonText(v), type);
}

/** A JSON object as the field values of `type`, in field order; unknown keys are SCHEMA_MISMATCH. */
export function convertStruct(v: Map<string, JsonValue>, type: StructType, path: string): unknown[] {
  const out: unknown[] = new Array<unknown>(type.fields.length).fill(null);
  for (const [key, x] of v) {
    const k = fieldIndex(type, key);
    if (k < 0) {
      throw new ValueError(
        'SCHEMA_MISMATCH',
        `field "${path === '' ? key : `${path}.${key}`}" is not a column of the table (columns: ${type.fields.map((f) => f.name).join(', ')})`,
        'Pass --merge-schema to add the column, or remove the field from the input.',
      );
    }
    const f = type.fields[k]!;
    out[k] = convertJson(x, f.type, path === '' ? f.name : `${path}.${f.name}`);
  }
  return out;
}

/** The index of the field named `name` (exact match first, then case-insensitive), or -1. */
export function fieldIndex(type: StructType, name: string): number {
  const exact = type.fields.findIndex((f) => f.name === name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  return type.fields.findIndex((f) => f.name.toLowerCase() === lower);
}

/** A value given as text (a CSV cell, a JSON string or map key) as a value of `type`. */
export function convertText(s: string, type: DataType, path: string): unknown {
  switch (type.kind) {
    case 'decimal': {
      const d = parseDecimalText(s);
      if (d === undefined) throw mismatch(path, s, type);
      const unscaled = rescale(d, type.scale);
      if (unscaled === undefined) throw new ValueError('PRECISION_LOSS', `column ${path} is ${quote(s)}, which has more than ${type.scale} fraction digits for decimal(${type.precision},${type.scale}); values are never rounded silently`, 'Round the value in the input, or widen the column\'s scale.');
      if ((unscaled < 0n ? -unscaled : unscaled) >= 10n ** BigInt(type.precision)) {
        throw new ValueError('PARSE_ERROR', `column ${path} is ${quote(s)}, which needs more than ${type.precision} digits for decimal(${type.precision},${type.scale})`);
      }
      return unscaled;
    }
    case 'primitive':
      return convertTextPrimitive(s, type, path);
    default: {
      // Nested values in CSV cells are JSON text.
      let parsed: JsonValue;
      try {
        parsed = parseJsonLine(s);
      } catch (e) {
        if (e instanceof JsonSyntaxError) throw mismatch(path, s, type, ` (${e.message}; nested values in CSV are JSON text)`);
        throw e;
      }
      return convertJson(parsed, type, path);
    }
  }
}

function convertTextPrimitive(s: string, type: Extract<DataType, { kind: 'primitive' }>, path: string): unknown {
  switch (type.name) {
    case 'string':
      return s;
    case 'byte':
    case 'short':
    case 'integer':
    case 'long': {
      const t = s.trim();
      const d = parseDecimalText(t);
      const n = d === undefined ? undefined : rescale(d, 0);
      if (n === undefined) throw mismatch(path, s, type);
      const [lo, hi] = INT_RANGE[type.name]!;
      if (n < lo || n > hi) throw new ValueError('PARSE_ERROR', `column ${path} is ${quote(s)}, which is out of range for ${type.name} (${lo}..${hi})`);
      return type.name === 'long' ? n : Number(n);
    }
    case 'float':
    case 'double': {
      const t = s.trim();
      const special = SPECIAL_FLOATS[t.toLowerCase()];
      if (special !== undefined) return special;
      if (!FLOAT_RE.test(t)) throw mismatch(path, s, type);
      const x = type.name === 'float' ? Math.fround(Number(t)) : Number(t);
      if (!Number.isFinite(x)) throw new ValueError('PARSE_ERROR', `column ${path} is ${quote(s)}, which is out of range for ${type.name}`);
      return x;
    }
    case 'boolean': {
      const t = s.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw mismatch(path, s, type);
    }
    case 'binary':
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw mismatch(path, s, type, ' (binary values are base64 text)');
      return new Uint8Array(Buffer.from(s, 'base64'));
    case 'date': {
      const days = parseDate(s.trim());
      if (days === undefined) throw mismatch(path, s, type, ' (dates are YYYY-MM-DD)');
      return days;
    }
    case 'timestamp':
    case 'timestamp_ntz':
      return parseTimestampText(s.trim(), type.name, path);
    case 'variant':
    case 'void':
      throw unsupported(path, type.name);
  }
}

const SPECIAL_FLOATS: Readonly<Record<string, number>> = {
  nan: Number.NaN,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
};
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** An exact decimal: `digits × 10^exponent`. */
interface ExactDecimal {
  digits: bigint;
  exponent: number;
}

/** Decimal text (`-12.30`, `1e3`, `+.5`) as an exact value, or undefined when it is not a number. */
export function parseDecimalText(s: string): ExactDecimal | undefined {
  const m = DECIMAL_RE.exec(s);
  if (m === null) return undefined;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return undefined;
  const exp = Number(m[4] ?? '0');
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) return undefined;
  const digits = BigInt(int + frac || '0');
  return { digits: m[1] === '-' ? -digits : digits, exponent: exp - frac.length };
}

/** The unscaled value of `d` at `scale`, or undefined when that would drop non-zero digits. */
function rescale(d: ExactDecimal, scale: number): bigint | undefined {
  const shift = d.exponent + scale;
  if (shift >= 0) return d.digits * 10n ** BigInt(shift);
  const div = 10n ** BigInt(-shift);
  return d.digits % div === 0n ? d.digits / div : undefined;
}

const DATE_RE = /^([+-]?\d{4,6})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Days since 1970-01-01 of a proleptic Gregorian date, or undefined for an invalid date. */
export function civilDays(y: number, m: number, d: number): number | undefined {
  if (m < 1 || m > 12 || d < 1) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  if (d > monthDays) return undefined;
  // Days from civil (H. Hinnant's algorithm): exact integer arithmetic for any year.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function parseDate(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  return m === null ? undefined : civilDays(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * ISO-8601 text (`2024-01-31`, `2024-01-31T12:00:00.123456Z`, `2024-01-31 12:00:00+02:00`) as
 * microseconds since the epoch. For `timestamp`, zone-less text is UTC; for `timestamp_ntz` it is
 * the wall-clock time and a zone is refused. More than 6 fraction digits must be zeros.
 */
export function parseTimestampText(s: string, kind: 'timestamp' | 'timestamp_ntz', path: string): bigint {
  const m = TIMESTAMP_RE.exec(s);
  const fail = (why: string): ValueError => mismatch(path, s, { kind: 'primitive', name: kind }, why);
  if (m === null) throw fail(kind === 'timestamp' ? ' (use ISO 8601, e.g. 2024-01-31T12:00:00.123456Z)' : ' (use YYYY-MM-DD HH:MM:SS[.ffffff], without a zone)');
  const days = civilDays(Number(m[1]), Number(m[2]), Number(m[3]));
  const [h, mi, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (days === undefined || h > 23 || mi > 59 || sec > 59) throw fail(' (no such date or time)');
  const frac = (m[7] ?? '').padEnd(9, '0');
  if (!frac.endsWith('000')) throw new ValueError('PRECISION_LOSS', `column ${path} is ${quote(s)}, which has sub-microsecond digits that Delta timestamps cannot hold`, 'Truncate the value to microseconds in the input.');
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined) {
    if (kind === 'timestamp_ntz') throw fail(' (timestamp_ntz values are wall-clock times without a zone; drop the zone)');
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (z !== null) offsetMinutes = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
  }
  const seconds = BigInt(days) * 86_400n + BigInt(h * 3600 + mi * 60 + sec - offsetMinutes * 60);
  return seconds * 1_000_000n + BigInt(frac.slice(0, 6));
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

function typeLabel(t: DataType): string {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    default:
      return t.kind;
  }
}

function mismatch(path: string, text: string, type: DataType, why = ''): ValueError {
  return new ValueError('PARSE_ERROR', `column ${path} is ${quote(text)}, which is not a valid ${typeLabel(type)} value${why}`);
}

function unsupported(path: string, name: string): ValueError {
  return new ValueError('UNSUPPORTED_OPERATION', `column ${path} has type ${name}, which the CLI cannot build from text input`, 'Write such tables from parquet input.');
}
