import type { DataType } from '../schema/types.js';
import { compareMixed } from './column-view.js';
import { compareNumbers, isDecimalValue, type DecimalValue, type Scalar } from './scalar.js';

/**
 * One value of any Delta type, as functions see a row (the evaluator's per-row form):
 * - atomic types as {@link Scalar} (strings as JS strings, longs/timestamps as bigint, decimals as
 *   `{unscaled, scale}` at the type's scale, dates as day numbers, binary as bytes);
 * - arrays as JS arrays; structs as {@link StructValue} (field values in schema order);
 *   maps as {@link MapValue} (parallel key and value arrays, keys unique and non-null);
 * - null for SQL NULL.
 */
export type Value = Scalar | readonly Value[] | StructValue | MapValue;

export interface StructValue {
  readonly kind: 'struct';
  readonly values: readonly Value[];
}

export interface MapValue {
  readonly kind: 'map';
  readonly keys: readonly Value[];
  readonly values: readonly Value[];
}

export const structValue = (values: readonly Value[]): StructValue => ({ kind: 'struct', values });
export const mapValue = (keys: readonly Value[], values: readonly Value[]): MapValue => ({ kind: 'map', keys, values });

export const isStructValue = (v: Value): v is StructValue => typeof v === 'object' && v !== null && !Array.isArray(v) && (v as StructValue).kind === 'struct';
export const isMapValue = (v: Value): v is MapValue => typeof v === 'object' && v !== null && !Array.isArray(v) && (v as MapValue).kind === 'map';
export const isArrayValue = (v: Value): v is readonly Value[] => Array.isArray(v);

/**
 * Spark's ordering of two non-null values of the same type: numbers with NaN largest and
 * -0 = 0, strings by UTF-8 bytes, binary unsigned, booleans false < true, arrays and structs
 * element-wise then by length. Maps are not ordered (Spark refuses to compare them).
 */
export function compareValues(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return compareSeq(a, b);
  if (isStructValue(a) && isStructValue(b)) return compareSeq(a.values, b.values);
  return compareMixed(a as Exclude<Scalar, null>, b as Exclude<Scalar, null>);
}

function compareSeq(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Equality as Spark's `=` on non-null values (NaN = NaN, -0 = 0, maps by entries in order). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (isMapValue(a) && isMapValue(b)) {
    return a.keys.length === b.keys.length && a.keys.every((k, i) => valuesEqual(k, b.keys[i]!) && nullableEqual(a.values[i]!, b.values[i]!));
  }
  return compareValues(a, b) === 0;
}

const nullableEqual = (a: Value, b: Value): boolean => (a === null || b === null ? a === b : valuesEqual(a, b));

/** A short, readable text of a value for error messages (`'abc'`, `12L`, `{1, 'x'}`). */
export function describeValue(v: Value, type?: DataType): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.length > 60 ? v.slice(0, 57) + '...' : v}'`;
  if (typeof v === 'bigint') {
    if (type?.kind === 'primitive' && (type.name === 'timestamp' || type.name === 'timestamp_ntz')) return `${type.name} ${v}µs`;
    return String(v);
  }
  if (v instanceof Uint8Array) return `X'${Array.from(v.subarray(0, 32), (b) => b.toString(16).padStart(2, '0')).join('')}${v.length > 32 ? '...' : ''}'`;
  if (isDecimalValue(v)) return decimalText(v);
  if (Array.isArray(v)) return `[${v.map((x) => describeValue(x)).join(', ')}]`;
  if (isStructValue(v)) return `{${v.values.map((x) => describeValue(x)).join(', ')}}`;
  if (isMapValue(v)) return `{${v.keys.map((k, i) => `${describeValue(k)} -> ${describeValue(v.values[i]!)}`).join(', ')}}`;
  return String(v);
}

function decimalText(v: DecimalValue): string {
  const neg = v.unscaled < 0n;
  const digits = (neg ? -v.unscaled : v.unscaled).toString().padStart(v.scale + 1, '0');
  const body = v.scale === 0 ? digits : `${digits.slice(0, -v.scale)}.${digits.slice(-v.scale)}`;
  return neg ? '-' + body : body;
}
