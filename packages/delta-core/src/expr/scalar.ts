import type { DataType } from '../schema/types.js';
import { compareUtf8 } from '../storage/paths.js';

/**
 * Typed scalar values, one JS representation per Delta type:
 * - byte, short, integer, float, double: number (float values are exact float32 values);
 * - long: bigint; boolean: boolean; string: string; binary: Uint8Array;
 * - decimal(p,s): {@link DecimalValue} with `scale === s`;
 * - date: number of days since 1970-01-01;
 * - timestamp: bigint µs since the epoch (UTC); timestamp_ntz: bigint wall-clock µs;
 * - null for SQL NULL.
 */
export type Scalar = null | boolean | number | bigint | string | Uint8Array | DecimalValue;

/** An exact decimal: `unscaled × 10^-scale`. */
export interface DecimalValue {
  readonly unscaled: bigint;
  readonly scale: number;
}

export const isDecimalValue = (v: unknown): v is DecimalValue =>
  typeof v === 'object' && v !== null && typeof (v as DecimalValue).unscaled === 'bigint';

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses decimal text exactly (`-5.67800`, `1E+3`, `.5`) keeping its own scale (never negative),
 * or undefined when the text is not a decimal number.
 */
export function parseDecimal(text: string): DecimalValue | undefined {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp] = m;
  if (int === '' && frac === '') return undefined;
  let digits = int + frac;
  let scale = frac.length - Number(exp ?? 0);
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const unscaled = BigInt(digits === '' ? '0' : digits);
  return { unscaled: sign === '-' ? -unscaled : unscaled, scale };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/**
 * `value` at `scale`: exact when representable, else the two neighbours at that scale that
 * bracket it (`floor < value < ceil`).
 */
export function rescaleDecimal(
  value: DecimalValue,
  scale: number,
): { exact: DecimalValue } | { floor: DecimalValue; ceil: DecimalValue } {
  if (scale >= value.scale) return { exact: { unscaled: value.unscaled * pow10(scale - value.scale), scale } };
  const div = pow10(value.scale - scale);
  const q = value.unscaled / div;
  const r = value.unscaled % div;
  if (r === 0n) return { exact: { unscaled: q, scale } };
  const floor = r < 0n ? q - 1n : q;
  return { floor: { unscaled: floor, scale }, ceil: { unscaled: floor + 1n, scale } };
}

/** Compares two decimals of any scales exactly. */
export function compareDecimals(a: DecimalValue, b: DecimalValue): number {
  const s = Math.max(a.scale, b.scale);
  const x = a.unscaled * pow10(s - a.scale);
  const y = b.unscaled * pow10(s - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Decimal text with exactly `scale` fraction digits (`BigDecimal.toString` without exponent). */
export function formatDecimal(value: DecimalValue): string {
  const neg = value.unscaled < 0n;
  const digits = (neg ? -value.unscaled : value.unscaled).toString().padStart(value.scale + 1, '0');
  const body = value.scale === 0 ? digits : `${digits.slice(0, -value.scale)}.${digits.slice(-value.scale)}`;
  return neg ? '-' + body : body;
}

/** The JS number nearest to a decimal (for comparisons with floating columns). */
export const decimalToNumber = (v: DecimalValue): number => Number(formatDecimal(v));

/**
 * Spark's ordering of floating values: NaN equals NaN and is larger than every other value;
 * -0.0 equals 0.0.
 */
export function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an && bn ? 0 : an ? 1 : -1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Compares two non-null scalars of the same representation: numbers in Spark order, bigints,
 * strings in UTF-8 byte order, bytes unsigned lexicographically, decimals exactly, booleans with
 * false < true. Throws on mixed representations (binding prevents those).
 */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (isDecimalValue(a) && isDecimalValue(b)) return compareDecimals(a, b);
  throw new TypeError(`cannot compare ${describeScalar(a)} with ${describeScalar(b)}`);
}

/** Short text of a scalar for error messages. */
export function describeScalar(v: Scalar): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return `${v}L`;
  if (v instanceof Uint8Array) return `X'${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}'`;
  if (isDecimalValue(v)) return formatDecimal(v);
  return String(v);
}

/** The name of a data type as the schema spells it, for messages. */
export function typeName(t: DataType): string {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    default:
      return t.kind;
  }
}

/** Integral types held as JS numbers, with their ranges. */
export const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
};
