/**
 * Type widening (table feature `typeWidening`): a column's type may change to a wider one without
 * rewriting data, so older data files hold narrower physical types. This module says which changes
 * are allowed, reads the `delta.typeChanges` history, and casts narrower file data up to the table
 * type.
 *
 * Allowed changes (spec and Delta 4.0):
 * - byte → short → integer → long;
 * - float → double; byte, short, integer → double;
 * - date → timestamp_ntz;
 * - decimal(p, s) → decimal(p + k1, s + k2) with k1 ≥ k2 ≥ 0;
 * - byte, short, integer, long → decimal(p, s) with p − s ≥ 3, 5, 10, 20 respectively (the
 *   integer's own digits: it is treated as decimal(3,0), decimal(5,0), decimal(10,0), decimal(20,0)).
 */
import { DateUnit, Float64, Int16, Int32, Int64, Type } from 'apache-arrow';
import type { Data, DataType as ArrowType, Date_, Decimal, Int } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import {
  decimal128AsSafeNumber,
  int32ToInt64,
  readDecimal128,
  withValues,
  writeDecimal128,
  writeDecimal128FromSafeNumber,
  writeInt64FromDouble,
  words64,
} from './arrow-data.js';
import { formatDataType, parseTypeName, typeName } from './json.js';
import type { DataType, DecimalType, PrimitiveType, StructField, StructType } from './types.js';

export const TYPE_CHANGES_KEY = 'delta.typeChanges';

/** One entry of a field's `delta.typeChanges` history. */
export interface TypeChange {
  readonly fromType: PrimitiveType | DecimalType;
  readonly toType: PrimitiveType | DecimalType;
  /** Position below the field: `element`, `key`, `value`, `element.element`…; absent for the field itself. */
  readonly fieldPath?: string;
}

type Atomic = PrimitiveType | DecimalType;

const INTEGER_DIGITS: Readonly<Record<string, number>> = { byte: 3, short: 5, integer: 10, long: 20 };
const INTEGER_RANK: Readonly<Record<string, number>> = { byte: 0, short: 1, integer: 2, long: 3 };

/** True when a column of type `from` may be widened to `to` (identical types included). */
export function isWideningSupported(from: Atomic, to: Atomic): boolean {
  if (from.kind === 'decimal') {
    if (to.kind !== 'decimal') return false;
    const k1 = to.precision - from.precision;
    const k2 = to.scale - from.scale;
    return k2 >= 0 && k1 >= k2;
  }
  const fromRank = INTEGER_RANK[from.name];
  if (to.kind === 'decimal') {
    const digits = INTEGER_DIGITS[from.name];
    return digits !== undefined && to.precision - to.scale >= digits;
  }
  if (from.name === to.name) return true;
  if (fromRank !== undefined) {
    const toRank = INTEGER_RANK[to.name];
    if (toRank !== undefined) return toRank > fromRank;
    return to.name === 'double' && fromRank <= 2;
  }
  if (from.name === 'float') return to.name === 'double';
  if (from.name === 'date') return to.name === 'timestamp_ntz';
  return false;
}

/**
 * The parsed `delta.typeChanges` of a field ([] when absent). Preview tables add `tableVersion`,
 * which is ignored. Malformed entries throw INVALID_SCHEMA.
 */
export function typeChangesOf(field: StructField): TypeChange[] {
  const raw = field.metadata[TYPE_CHANGES_KEY];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw malformed(field, 'it is not an array');
  return raw.map((entry: unknown): TypeChange => {
    if (typeof entry !== 'object' || entry === null) throw malformed(field, 'an entry is not an object');
    const { fromType, toType, fieldPath } = entry as Record<string, unknown>;
    if (typeof fromType !== 'string' || typeof toType !== 'string') throw malformed(field, 'an entry lacks string fromType/toType');
    if (fieldPath !== undefined && typeof fieldPath !== 'string') throw malformed(field, 'fieldPath is not a string');
    const from = parseTypeName(fromType, field.name);
    const to = parseTypeName(toType, field.name);
    return fieldPath === undefined ? { fromType: from, toType: to } : { fromType: from, toType: to, fieldPath };
  });
}

/**
 * Checks every recorded type change in the schema (nested fields included) is one this reader can
 * apply; throws UNSUPPORTED_READER_FEATURE naming the column and change otherwise, as the protocol
 * requires readers to do.
 */
export function validateTypeChanges(schema: StructType): void {
  const visit = (type: DataType, path: string): void => {
    if (type.kind === 'array') return visit(type.elementType, path);
    if (type.kind === 'map') {
      visit(type.keyType, path);
      return visit(type.valueType, path);
    }
    if (type.kind !== 'struct') return;
    for (const f of type.fields) {
      const fieldPath = path === '' ? f.name : `${path}.${f.name}`;
      for (const change of typeChangesOf(f)) {
        if (!isWideningSupported(change.fromType, change.toType)) {
          throw new DeltaError(
            'UNSUPPORTED_READER_FEATURE',
            `Column ${fieldPath} records a type change from ${typeName(change.fromType)} to ${typeName(change.toType)}, which deltakit cannot apply when reading older files. ` +
              'Rewrite the table data with the new type (e.g. REORG TABLE ... APPLY (UPGRADE) in Spark) or read it with an engine that supports this change.',
            { details: { path: fieldPath, fromType: typeName(change.fromType), toType: typeName(change.toType) } },
          );
        }
      }
      visit(f.type, fieldPath);
    }
  };
  visit(schema, '');
}

/**
 * Casts numeric or date data read from a file to a wider table type. Covers the integer, float,
 * decimal and date widenings above; returns undefined when `src` is not a narrower form of
 * `target` (the caller reports the mismatch). An integer source for a decimal target is treated
 * as an integer value (scaled by 10^scale), which is how files written before an
 * integer → decimal change store it.
 */
export function widenData(src: Data, target: Atomic, targetArrow: ArrowType): Data | undefined {
  const t = src.type as ArrowType;
  if (target.kind === 'decimal') {
    if (t.typeId === Type.Decimal) return rescaleDecimal(src, t as Decimal, target, targetArrow);
    if (t.typeId === Type.Int && (t as Int).isSigned) return integerToDecimal(src, target, targetArrow);
    return undefined;
  }
  switch (target.name) {
    case 'short':
    case 'integer':
    case 'long':
      return t.typeId === Type.Int && (t as Int).isSigned ? widenInteger(src, (t as Int).bitWidth, target.name) : undefined;
    case 'double':
      if (t.typeId === Type.Float || (t.typeId === Type.Int && (t as Int).isSigned && (t as Int).bitWidth <= 32)) {
        return withValues(src, new Float64(), new Float64Array(src.values as ArrayLike<number>));
      }
      return undefined;
    case 'timestamp_ntz':
      return t.typeId === Type.Date && (t as Date_).unit === DateUnit.DAY ? dateToTimestamp(src, targetArrow) : undefined;
    default:
      return undefined;
  }
}

function widenInteger(src: Data, bitWidth: number, to: 'short' | 'integer' | 'long'): Data | undefined {
  const target = { short: 16, integer: 32, long: 64 }[to];
  if (bitWidth >= target) return undefined;
  const values = src.values as Int8Array | Int16Array | Int32Array;
  if (to === 'long') return withValues(src, new Int64(), int32ToInt64(values));
  return withValues(src, to === 'short' ? new Int16() : new Int32(), to === 'short' ? new Int16Array(values) : new Int32Array(values));
}

const MICROS_PER_DAY = 86_400_000_000;

function dateToTimestamp(src: Data, targetArrow: ArrowType): Data {
  const days = src.values as Int32Array;
  const out = new BigInt64Array(days.length);
  const w = words64(out);
  // days · 86400e6 is exact in a double for every int32 day count (the product has ≥ 11 trailing zero bits).
  for (let i = 0; i < days.length; i++) writeInt64FromDouble(w, i, days[i]! * MICROS_PER_DAY);
  return withValues(src, targetArrow, out);
}

function integerToDecimal(src: Data, target: DecimalType, targetArrow: ArrowType): Data {
  const values = src.values as Int8Array | Int16Array | Int32Array | BigInt64Array;
  const out = new Uint32Array(src.length * 4);
  const factor = 10 ** target.scale;
  const bigFactor = 10n ** BigInt(target.scale);
  for (let i = 0; i < src.length; i++) {
    const v = values[i]!;
    const product = Number(v) * factor;
    if (target.scale <= 22 && typeof v === 'number' && Number.isSafeInteger(product)) writeDecimal128FromSafeNumber(out, i, product);
    else writeDecimal128(out, i, BigInt(v) * bigFactor);
  }
  return withValues(src, targetArrow, out);
}

function rescaleDecimal(src: Data, from: Decimal, target: DecimalType, targetArrow: ArrowType): Data | undefined {
  if (from.bitWidth !== 128 || target.scale < from.scale) return undefined;
  if (target.scale === from.scale) return withValues(src, targetArrow, src.values as Uint32Array);
  const words = src.values as Uint32Array;
  const out = new Uint32Array(src.length * 4);
  const k = target.scale - from.scale;
  const factor = 10 ** k;
  const bigFactor = 10n ** BigInt(k);
  for (let i = 0; i < src.length; i++) {
    // Doubles are exact while both the value and the product stay below 2^53 (and 10^k ≤ 10^22 is exact).
    const small = k <= 22 ? decimal128AsSafeNumber(words, i) : undefined;
    const product = small === undefined ? NaN : small * factor;
    if (Number.isSafeInteger(product)) writeDecimal128FromSafeNumber(out, i, product);
    else writeDecimal128(out, i, readDecimal128(words, i) * bigFactor);
  }
  return withValues(src, targetArrow, out);
}

/** True for byte, short, integer and long. */
export function isIntegerType(type: DataType): boolean {
  return type.kind === 'primitive' && INTEGER_RANK[type.name] !== undefined;
}

function malformed(field: StructField, problem: string): DeltaError {
  return new DeltaError(
    'INVALID_SCHEMA',
    `Column ${field.name} has malformed ${TYPE_CHANGES_KEY} metadata (${problem}). The table metadata is corrupt; it was written by a non-conforming writer.`,
    { details: { column: field.name, type: formatDataType(field.type) } },
  );
}

