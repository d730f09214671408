import {
  Binary,
  Bool,
  Decimal,
  Float64,
  Int32,
  Int64,
  Null,
  Timestamp,
  Utf8,
  makeData,
  type Data,
  type DataType as ArrowType,
} from 'apache-arrow';
import { DeltaError } from '../errors.js';
import {
  formatDate,
  formatTimestampNtz,
  formatTimestampUtc,
  parseDate,
  parseTimestamp,
  parseTimestampNtz,
  validateTimeZone,
} from '../expr/datetime.js';
import {
  INT_RANGES,
  formatDecimal,
  isDecimalValue,
  parseDecimal,
  rescaleDecimal,
  typeName,
  type DecimalValue,
  type Scalar,
} from '../expr/scalar.js';
import { deltaTypeToArrow } from './arrow.js';
import type { DataType } from './types.js';

/**
 * Partition values as the log stores them (strings in `add.partitionValues`), converted to typed
 * {@link Scalar}s and back, and materialized as constant Arrow columns for scans.
 */

export interface PartitionValueOptions {
  /**
   * IANA zone in which legacy zone-less timestamp values (`2021-09-08 11:11:11`) are read: the
   * session zone of the Spark writer. Default `UTC` (as delta-kernel). ISO values with an offset
   * are exact regardless.
   */
  readonly timeZone?: string;
  /** Column name for error messages. */
  readonly column?: string;
}

const INTEGER_RE = /^[+-]?\d+$/;
const INTEGRAL_FLOAT_RE = /^[+-]?\d+\.0*$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$|^[+-]?(NaN|Infinity)$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function corrupt(text: string, type: DataType, options: PartitionValueOptions, why = ''): DeltaError {
  const col = options.column === undefined ? '' : ` of column "${options.column}"`;
  return new DeltaError(
    'CORRUPT_LOG',
    `Partition value "${text}"${col} is not a valid ${typeName(type)}${why}. The add action's partitionValues do not match the table schema; the log was written incorrectly or the schema was changed without rewriting files.`,
    { details: { value: text, type: typeName(type), column: options.column } },
  );
}

/**
 * Parses one serialized partition value for a Delta type. JSON null, absent and `""` are null for
 * every type (the protocol cannot represent an empty string partition). Throws CORRUPT_LOG for
 * text that is not a value of the type.
 */
export function parsePartitionValue(text: string | null | undefined, type: DataType, options: PartitionValueOptions = {}): Scalar {
  if (text === null || text === undefined || text === '') return null;
  if (type.kind === 'decimal') return parseDecimalPartition(text, type.scale, type, options);
  if (type.kind !== 'primitive') {
    throw new DeltaError('INVALID_SCHEMA', `Partition column${options.column ? ` "${options.column}"` : ''} has type ${type.kind}; partition columns must be primitive. Fix the table schema.`);
  }
  const bad = (why?: string): DeltaError => corrupt(text, type, options, why);
  switch (type.name) {
    case 'string':
      return text;
    case 'binary':
      return encoder.encode(text);
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower === 'true';
      throw bad();
    }
    case 'byte':
    case 'short':
    case 'integer': {
      const n = parseIntegral(text);
      const [lo, hi] = INT_RANGES[type.name]!;
      if (n === undefined || n < BigInt(lo) || n > BigInt(hi)) throw bad(n === undefined ? '' : ' (out of range)');
      return Number(n);
    }
    case 'long': {
      const n = parseIntegral(text);
      if (n === undefined || n < -(2n ** 63n) || n >= 2n ** 63n) throw bad();
      return n;
    }
    case 'float':
    case 'double': {
      if (!FLOAT_RE.test(text)) throw bad();
      const n = Number(text.replace(/[dDfF]$/, ''));
      return type.name === 'float' ? Math.fround(n) : n;
    }
    case 'date': {
      const d = parseDate(text) ?? dateOfTimestampText(text);
      if (d === undefined) throw bad();
      return d;
    }
    case 'timestamp': {
      const tz = options.timeZone ?? 'UTC';
      validateTimeZone(tz);
      const t = parseTimestamp(text, tz);
      if (t === undefined) throw bad();
      return t;
    }
    case 'timestamp_ntz': {
      const t = parseTimestampNtz(text);
      if (t === undefined) throw bad();
      return t;
    }
    case 'void':
      return null;
    case 'variant':
      throw new DeltaError('INVALID_SCHEMA', `Partition column${options.column ? ` "${options.column}"` : ''} has type variant, which cannot be a partition column. Fix the table schema.`);
  }
}

/** Integers, also in the `2021.0` form foreign writers use for integral partitions. */
function parseIntegral(text: string): bigint | undefined {
  if (INTEGER_RE.test(text)) return BigInt(text);
  if (INTEGRAL_FLOAT_RE.test(text)) return BigInt(text.slice(0, text.indexOf('.')));
  return undefined;
}

function dateOfTimestampText(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?$/.exec(text);
  return m ? parseDate(m[1]!) : undefined;
}

function parseDecimalPartition(text: string, scale: number, type: DataType, options: PartitionValueOptions): DecimalValue {
  const d = parseDecimal(text);
  if (!d) throw corrupt(text, type, options);
  const r = rescaleDecimal(d, scale);
  if (!('exact' in r)) throw corrupt(text, type, options, ` (more than ${scale} fraction digits)`);
  return r.exact;
}

/** Parses every partition column of an add action. Keys of the result are the keys of `columns`. */
export function parsePartitionValues(
  values: Readonly<Record<string, string | null>>,
  columns: ReadonlyArray<{ readonly name: string; readonly type: DataType }>,
  options: Omit<PartitionValueOptions, 'column'> = {},
): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const c of columns) out[c.name] = parsePartitionValue(values[c.name], c.type, { ...options, column: c.name });
  return out;
}

/**
 * Serializes a typed value the way the protocol recommends writers do: ISO-8601 UTC with µs for
 * timestamps, `YYYY-MM-DD HH:mm:ss.ffffff` for timestamp_ntz, Java `toString` for floating
 * values, decimals with their full scale. Null serializes to null.
 */
export function serializePartitionValue(value: Scalar, type: DataType): string | null {
  if (value === null) return null;
  const wrong = (): DeltaError =>
    new DeltaError('INVALID_ARGUMENT', `Cannot write partition value ${String(value)} (${typeof value}) as ${typeName(type)}: the value's JS type does not match. Pass the representation documented for Scalar.`);
  if (type.kind === 'decimal') {
    if (!isDecimalValue(value)) throw wrong();
    const r = rescaleDecimal(value, type.scale);
    if (!('exact' in r)) throw wrong();
    return formatDecimal(r.exact);
  }
  if (type.kind !== 'primitive') throw wrong();
  switch (type.name) {
    case 'string':
      if (typeof value !== 'string') throw wrong();
      return value;
    case 'binary':
      if (!(value instanceof Uint8Array)) throw wrong();
      return decoder.decode(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return String(value);
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
      if (typeof value !== 'number' && typeof value !== 'bigint') throw wrong();
      return String(value);
    case 'float':
    case 'double':
      if (typeof value !== 'number') throw wrong();
      return javaFloatingString(value, type.name === 'float');
    case 'date':
      if (typeof value !== 'number') throw wrong();
      return formatDate(value);
    case 'timestamp':
      if (typeof value !== 'bigint') throw wrong();
      return formatTimestampUtc(value);
    case 'timestamp_ntz':
      if (typeof value !== 'bigint') throw wrong();
      return formatTimestampNtz(value);
    case 'void':
    case 'variant':
      throw wrong();
  }
}

/** Java's `Float/Double.toString`: `1.0`, `0.001`, `1.0E7`, `1.0E-4`, `NaN`, `Infinity`. */
export function javaFloatingString(v: number, isFloat: boolean): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const shortest = Number(isFloat ? shortestFloat32(v) : String(v));
  const [mantissa = '', expText = '0'] = Math.abs(shortest).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = v < 0 ? '-' : '';
  if (exp >= -3 && exp < 7) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const int = digits.padEnd(exp + 1, '0').slice(0, exp + 1);
    return `${sign}${int}.${digits.slice(exp + 1) || '0'}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exp}`;
}

function shortestFloat32(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

/** The Arrow type a partition column of this Delta type is materialized as (as in a data column). */
export function partitionArrowType(type: DataType): ArrowType {
  if (type.kind !== 'primitive' && type.kind !== 'decimal') throw new DeltaError('INVALID_SCHEMA', `Partition columns must be primitive, not ${type.kind}. Fix the table schema.`);
  if (type.kind === 'primitive' && type.name === 'variant') throw new DeltaError('INVALID_SCHEMA', 'A variant column cannot be a partition column. Fix the table schema.');
  return deltaTypeToArrow(type);
}

/**
 * An Arrow column of `length` copies of one partition value (all null when `value` is null),
 * built directly from typed buffers. Types as {@link partitionArrowType}.
 */
export function buildPartitionColumn(value: Scalar, type: DataType, length: number): Data {
  const arrowType = partitionArrowType(type);
  if (arrowType instanceof Null) return makeData({ type: arrowType, length });
  const isNull = value === null;
  const nullProps = isNull ? { nullCount: length, nullBitmap: new Uint8Array((length + 7) >> 3) } : { nullCount: 0 };
  const base = { length, ...nullProps };
  if (arrowType instanceof Utf8 || arrowType instanceof Binary) {
    const bytes = isNull ? new Uint8Array(0) : typeof value === 'string' ? encoder.encode(value) : (value as Uint8Array);
    if (bytes.length * length > 0x7fffffff) {
      throw new DeltaError('UNSUPPORTED_OPERATION', `Partition value of ${bytes.length} bytes repeated ${length} times exceeds 2 GiB in one Arrow column. Read with a smaller batch size.`);
    }
    const valueOffsets = new Int32Array(length + 1);
    for (let i = 1; i <= length; i++) valueOffsets[i] = i * bytes.length;
    const data = repeatBytes(bytes, length);
    return arrowType instanceof Utf8 ? makeData({ type: arrowType, ...base, valueOffsets, data }) : makeData({ type: arrowType as Binary, ...base, valueOffsets, data });
  }
  if (arrowType instanceof Bool) {
    const data = new Uint8Array((length + 7) >> 3).fill(value === true ? 0xff : 0);
    return makeData({ type: arrowType, ...base, data });
  }
  if (arrowType instanceof Decimal) {
    const data = new Uint32Array(length * 4);
    if (!isNull) fillDecimal(data, (value as DecimalValue).unscaled);
    return makeData({ type: arrowType, ...base, data });
  }
  if (arrowType instanceof Int64 || arrowType instanceof Timestamp) {
    const data = new BigInt64Array(length);
    if (!isNull) data.fill(value as bigint);
    return makeData({ type: arrowType as Int64, ...base, data });
  }
  const T = (arrowType as Int32 | Float64).ArrayType as unknown as new (n: number) => Int32Array;
  const data = new T(length);
  if (!isNull) data.fill(value as number);
  return makeData({ type: arrowType as Int32, ...base, data });
}

/** `bytes` repeated `times` times, by doubling copies (a per-copy loop costs a call per row). */
function repeatBytes(bytes: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(bytes.length * times);
  if (out.length === 0) return out;
  out.set(bytes, 0);
  for (let filled = bytes.length; filled < out.length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, out.length - filled));
  return out;
}

function fillDecimal(out: Uint32Array, unscaled: bigint): void {
  const twos = BigInt.asUintN(128, unscaled);
  const words = [0, 1, 2, 3].map((k) => Number((twos >> BigInt(32 * k)) & 0xffffffffn));
  for (let i = 0; i < out.length; i += 4) {
    out[i] = words[0]!;
    out[i + 1] = words[1]!;
    out[i + 2] = words[2]!;
    out[i + 3] = words[3]!;
  }
}
