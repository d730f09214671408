/**
 * Input values (JSON parsed by `parseJsonExact`, or CSV cell text) → the exact value of a Delta
 * type, in the representation core's `rowsToBatch` stores:
 * byte/short/integer → number; long → bigint; float/double → number; boolean; string;
 * binary → Uint8Array (from base64 text); decimal(p,s) → `{unscaled, scale: s}`; date → days
 * since the epoch; timestamp/timestamp_ntz → bigint microseconds; array → array; map → [key,
 * value] pairs; struct → an object keyed by field name; null → null.
 * Nothing is rounded: a value that does not fit its type exactly is a {@link ValueError}.
 */
import { Buffer } from 'node:buffer';
import { type DeltaErrorCode } from '../errors.js';
import { parseDate, parseTimestampParts } from '../expr/datetime.js';
import { INT_RANGES, parseDecimal, rescaleDecimal, typeName, type DecimalValue } from '../expr/scalar.js';
import { type DataType, type StructType } from '../schema/types.js';
import { jsonKeys, JsonNumber, JsonSyntaxError, parseJsonExact, stringifyJsonExact } from '../util/json.js';

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

const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;

/** Options for parsing one JSON input line (JSON.parse's rule for repeated keys; source key order). */
export const JSON_LINE = { duplicateKeys: 'last', keyOrder: true } as const;

/** True for a parsed JSON object (not an array, number or null). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** A JSON value parsed with {@link JSON_LINE} as a value of `type`; `path` names the column in errors. */
export function convertJson(v: unknown, type: DataType, path: string): unknown {
  if (v === null) return null;
  switch (type.kind) {
    case 'struct':
      if (!isJsonObject(v)) throw mismatch(path, stringifyJsonExact(v), type);
      return convertStruct(v, type, path);
    case 'array':
      if (!Array.isArray(v)) throw mismatch(path, stringifyJsonExact(v), type);
      return v.map((x) => convertJson(x, type.elementType, `${path}[]`));
    case 'map': {
      if (!isJsonObject(v)) throw mismatch(path, stringifyJsonExact(v), type);
      return jsonKeys(v).map((k) => [convertText(k, type.keyType, `${path}.key`), convertJson(v[k], type.valueType, `${path}.value`)]);
    }
    case 'decimal':
      if (v instanceof JsonNumber || typeof v === 'string') return convertText(typeof v === 'string' ? v : v.text, type, path);
      throw mismatch(path, stringifyJsonExact(v), type);
    case 'primitive':
      return convertJsonPrimitive(v, type, path);
  }
}

function convertJsonPrimitive(v: unknown, type: Extract<DataType, { kind: 'primitive' }>, path: string): unknown {
  switch (type.name) {
    case 'string':
      return typeof v === 'string' ? v : stringifyJsonExact(v);
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
  throw mismatch(path, stringifyJsonExact(v), type);
}

/** A JSON object as a row of `type` (keyed by field name); unknown keys are SCHEMA_MISMATCH. */
export function convertStruct(v: Record<string, unknown>, type: StructType, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of jsonKeys(v)) {
    const k = fieldIndex(type, key);
    if (k < 0) {
      throw new ValueError(
        'SCHEMA_MISMATCH',
        `field "${path === '' ? key : `${path}.${key}`}" is not a column of the table (columns: ${type.fields.map((f) => f.name).join(', ')})`,
        'Pass --merge-schema to add the column, or remove the field from the input.',
      );
    }
    const f = type.fields[k]!;
    setField(out, f.name, convertJson(v[key], f.type, path === '' ? f.name : `${path}.${f.name}`));
  }
  return out;
}

/** Sets a field of a row object (a field named `__proto__` is data, not the prototype). */
export function setField(row: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
  else row[name] = value;
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
      const d = exactDecimal(s);
      if (d === undefined) throw mismatch(path, s, type);
      const unscaled = rescale(d, type.scale);
      if (unscaled === undefined) throw new ValueError('PRECISION_LOSS', `column ${path} is ${quote(s)}, which has more than ${type.scale} fraction digits for decimal(${type.precision},${type.scale}); values are never rounded silently`, 'Round the value in the input, or widen the column\'s scale.');
      if ((unscaled < 0n ? -unscaled : unscaled) >= 10n ** BigInt(type.precision)) {
        throw new ValueError('PARSE_ERROR', `column ${path} is ${quote(s)}, which needs more than ${type.precision} digits for decimal(${type.precision},${type.scale})`);
      }
      return { unscaled, scale: type.scale } satisfies DecimalValue;
    }
    case 'primitive':
      return convertTextPrimitive(s, type, path);
    default: {
      // Nested values in CSV cells are JSON text.
      let parsed: unknown;
      try {
        parsed = parseJsonExact(s, JSON_LINE);
      } catch (e) {
        if (e instanceof JsonSyntaxError) throw mismatch(path, s, type, ` (${e.reason}; nested values in CSV are JSON text)`);
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
      const d = exactDecimal(t);
      const n = d === undefined ? undefined : rescale(d, 0);
      if (n === undefined) throw mismatch(path, s, type);
      const [lo, hi] = type.name === 'long' ? LONG_RANGE : INT_RANGES[type.name]!;
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
      const t = s.trim();
      const days = DATE_RE.test(t) ? parseDate(t) : undefined;
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
/**
 * Decimal text (`-12.30`, `1e3`, `+.5`, no surrounding blanks) as an exact value, or undefined
 * when it is not a number or its exponent is beyond ±10000 (which would build huge numbers).
 */
export function exactDecimal(s: string): DecimalValue | undefined {
  const e = /[eE]([+-]?\d+)$/.exec(s);
  if ((e !== null && !(Math.abs(Number(e[1])) <= 10_000)) || s !== s.trim()) return undefined;
  return parseDecimal(s);
}

/** The unscaled value of `d` at `scale`, or undefined when that would drop non-zero digits. */
function rescale(d: DecimalValue, scale: number): bigint | undefined {
  const r = rescaleDecimal(d, scale);
  return 'exact' in r ? r.exact.unscaled : undefined;
}

const DATE_RE = /^[+-]?\d{4,6}-\d{2}-\d{2}$/;
const TIMESTAMP_RE = /^[+-]?\d{4,6}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * ISO-8601 text (`2024-01-31`, `2024-01-31T12:00:00.123456Z`, `2024-01-31 12:00:00+02:00`) as
 * microseconds since the epoch. For `timestamp`, zone-less text is UTC; for `timestamp_ntz` it is
 * the wall-clock time and a zone is refused. More than 6 fraction digits must be zeros.
 */
export function parseTimestampText(s: string, kind: 'timestamp' | 'timestamp_ntz', path: string): bigint {
  const m = TIMESTAMP_RE.exec(s);
  const fail = (why: string): ValueError => mismatch(path, s, { kind: 'primitive', name: kind }, why);
  if (m === null) throw fail(kind === 'timestamp' ? ' (use ISO 8601, e.g. 2024-01-31T12:00:00.123456Z)' : ' (use YYYY-MM-DD HH:MM:SS[.ffffff], without a zone)');
  const parts = parseTimestampParts(s);
  if (parts === undefined) throw fail(' (no such date or time)');
  if (!(m[1] ?? '').padEnd(9, '0').endsWith('000')) throw new ValueError('PRECISION_LOSS', `column ${path} is ${quote(s)}, which has sub-microsecond digits that Delta timestamps cannot hold`, 'Truncate the value to microseconds in the input.');
  if (m[2] !== undefined && kind === 'timestamp_ntz') throw fail(' (timestamp_ntz values are wall-clock times without a zone; drop the zone)');
  return parts.wallMicros - BigInt(parts.offsetSeconds ?? 0) * 1_000_000n;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

function mismatch(path: string, text: string, type: DataType, why = ''): ValueError {
  return new ValueError('PARSE_ERROR', `column ${path} is ${quote(text)}, which is not a valid ${typeName(type)} value${why}`);
}

function unsupported(path: string, name: string): ValueError {
  return new ValueError('UNSUPPORTED_OPERATION', `column ${path} has type ${name}, which the CLI cannot build from text input`, 'Write such tables from parquet input.');
}
