/**
 * Spark's type rules for expressions (non-ANSI mode, Spark 3.x defaults): numeric widening,
 * common types for comparisons, CASE/COALESCE/IN, and the result types of decimal arithmetic.
 * Pure functions of types; the binder applies them by inserting casts.
 */
import type { DataType, DecimalType, PrimitiveTypeName } from '../schema/types.js';

export const MAX_PRECISION = 38;
/** Spark's `DecimalType.MINIMUM_ADJUSTED_SCALE`: scale kept when a result's precision is capped. */
const MINIMUM_ADJUSTED_SCALE = 6;

export const BOOLEAN: DataType = { kind: 'primitive', name: 'boolean' };
export const STRING: DataType = { kind: 'primitive', name: 'string' };
export const BINARY: DataType = { kind: 'primitive', name: 'binary' };
export const LONG: DataType = { kind: 'primitive', name: 'long' };
export const INT: DataType = { kind: 'primitive', name: 'integer' };
export const SHORT: DataType = { kind: 'primitive', name: 'short' };
export const BYTE: DataType = { kind: 'primitive', name: 'byte' };
export const DOUBLE: DataType = { kind: 'primitive', name: 'double' };
export const FLOAT: DataType = { kind: 'primitive', name: 'float' };
export const DATE: DataType = { kind: 'primitive', name: 'date' };
export const TIMESTAMP: DataType = { kind: 'primitive', name: 'timestamp' };
export const TIMESTAMP_NTZ: DataType = { kind: 'primitive', name: 'timestamp_ntz' };
/** The type of a NULL literal before coercion (Spark's NullType). */
export const VOID: DataType = { kind: 'primitive', name: 'void' };

export const decimalType = (precision: number, scale: number): DecimalType => ({ kind: 'decimal', precision, scale });

const NUMERIC_PRECEDENCE: readonly PrimitiveTypeName[] = ['byte', 'short', 'integer', 'long', 'float', 'double'];

export const isPrimitive = (t: DataType, ...names: PrimitiveTypeName[]): boolean => t.kind === 'primitive' && names.includes(t.name);
export const isIntegral = (t: DataType): boolean => isPrimitive(t, 'byte', 'short', 'integer', 'long');
export const isFractional = (t: DataType): boolean => isPrimitive(t, 'float', 'double');
export const isNumeric = (t: DataType): boolean => t.kind === 'decimal' || isIntegral(t) || isFractional(t);
export const isString = (t: DataType): boolean => isPrimitive(t, 'string');
export const isVoid = (t: DataType): boolean => isPrimitive(t, 'void');
export const isDatetime = (t: DataType): boolean => isPrimitive(t, 'date', 'timestamp', 'timestamp_ntz');
/** Types with no nested fields (Spark's AtomicType, plus void). */
export const isAtomic = (t: DataType): boolean => t.kind === 'primitive' || t.kind === 'decimal';

/** Type equality ignoring nullability flags and field metadata. */
export function sameType(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'primitive':
      return a.name === (b as typeof a).name;
    case 'decimal':
      return a.precision === (b as typeof a).precision && a.scale === (b as typeof a).scale;
    case 'array':
      return sameType(a.elementType, (b as typeof a).elementType);
    case 'map':
      return sameType(a.keyType, (b as typeof a).keyType) && sameType(a.valueType, (b as typeof a).valueType);
    case 'struct': {
      const bf = (b as typeof a).fields;
      return a.fields.length === bf.length && a.fields.every((f, i) => f.name.toLowerCase() === bf[i]!.name.toLowerCase() && sameType(f.type, bf[i]!.type));
    }
  }
}

/** The decimal type that holds every value of an integral type exactly (Spark's `DecimalType.forType`). */
export function decimalForIntegral(t: DataType): DecimalType | undefined {
  if (t.kind === 'decimal') return t;
  if (t.kind !== 'primitive') return undefined;
  switch (t.name) {
    case 'byte':
      return decimalType(3, 0);
    case 'short':
      return decimalType(5, 0);
    case 'integer':
      return decimalType(10, 0);
    case 'long':
      return decimalType(20, 0);
    case 'float':
      return decimalType(14, 7);
    case 'double':
      return decimalType(30, 15);
    default:
      return undefined;
  }
}

/** Caps a decimal result type at precision 38 keeping at least 6 fraction digits (allowPrecisionLoss). */
export function adjustPrecisionScale(precision: number, scale: number): DecimalType {
  if (precision <= MAX_PRECISION) return decimalType(precision, scale);
  const intDigits = precision - scale;
  const minScale = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
  const adjustedScale = Math.max(MAX_PRECISION - intDigits, minScale);
  return decimalType(MAX_PRECISION, adjustedScale);
}

/** Spark's `DecimalPrecision.widerDecimalType`, bounded at precision 38. */
export function widerDecimal(a: DecimalType, b: DecimalType): DecimalType {
  const scale = Math.max(a.scale, b.scale);
  const range = Math.max(a.precision - a.scale, b.precision - b.scale);
  return boundedDecimal(range + scale, scale);
}

function boundedDecimal(precision: number, scale: number): DecimalType {
  return decimalType(Math.min(precision, MAX_PRECISION), Math.min(scale, MAX_PRECISION));
}

const isWiderThan = (d: DecimalType, t: DataType): boolean => {
  const other = decimalForIntegral(t);
  if (!other || !isIntegral(t)) return false;
  return d.precision - d.scale >= other.precision - other.scale && d.scale >= other.scale;
};

/** Spark's `findTightestCommonType`: a common type without precision loss, or undefined. */
export function tightestCommonType(a: DataType, b: DataType): DataType | undefined {
  if (sameType(a, b)) return a;
  if (isVoid(a)) return b;
  if (isVoid(b)) return a;
  if (isIntegral(a) && b.kind === 'decimal' && isWiderThan(b, a)) return b;
  if (a.kind === 'decimal' && isIntegral(b) && isWiderThan(a, b)) return a;
  if (isNumeric(a) && isNumeric(b) && a.kind !== 'decimal' && b.kind !== 'decimal') {
    const ia = NUMERIC_PRECEDENCE.indexOf((a as { name: PrimitiveTypeName }).name);
    const ib = NUMERIC_PRECEDENCE.indexOf((b as { name: PrimitiveTypeName }).name);
    return ia >= ib ? a : b;
  }
  if ((isPrimitive(a, 'timestamp') && isPrimitive(b, 'date')) || (isPrimitive(a, 'date') && isPrimitive(b, 'timestamp'))) return TIMESTAMP;
  if ((isPrimitive(a, 'timestamp_ntz') && isPrimitive(b, 'date')) || (isPrimitive(a, 'date') && isPrimitive(b, 'timestamp_ntz'))) return TIMESTAMP_NTZ;
  if ((isPrimitive(a, 'timestamp_ntz') && isPrimitive(b, 'timestamp')) || (isPrimitive(a, 'timestamp') && isPrimitive(b, 'timestamp_ntz'))) return TIMESTAMP;
  return complexCommonType(a, b, tightestCommonType);
}

function widerTypeForDecimal(a: DataType, b: DataType): DataType | undefined {
  if (a.kind === 'decimal' && b.kind === 'decimal') return widerDecimal(a, b);
  if (isIntegral(a) && b.kind === 'decimal') return widerDecimal(decimalForIntegral(a)!, b);
  if (a.kind === 'decimal' && isIntegral(b)) return widerDecimal(a, decimalForIntegral(b)!);
  if ((isFractional(a) && b.kind === 'decimal') || (a.kind === 'decimal' && isFractional(b))) return DOUBLE;
  return undefined;
}

function stringPromotion(a: DataType, b: DataType): DataType | undefined {
  const promotable = (t: DataType): boolean => isAtomic(t) && !isPrimitive(t, 'binary', 'boolean');
  if (isString(a) && promotable(b)) return STRING;
  if (isString(b) && promotable(a)) return STRING;
  return undefined;
}

/** Spark's `findWiderTypeForTwo`: allows decimal/double widening and promotion to string. */
export function widerType(a: DataType, b: DataType): DataType | undefined {
  return tightestCommonType(a, b) ?? widerTypeForDecimal(a, b) ?? stringPromotion(a, b) ?? complexCommonType(a, b, widerType);
}

/** Spark's `findWiderTypeWithoutStringPromotionForTwo` (used by COALESCE-like functions in some places). */
export function widerTypeWithoutStringPromotion(a: DataType, b: DataType): DataType | undefined {
  return tightestCommonType(a, b) ?? widerTypeForDecimal(a, b) ?? complexCommonType(a, b, widerTypeWithoutStringPromotion);
}

/** The wider common type of many types (strings first, as Spark does for associativity), or undefined. */
export function widerCommonType(types: readonly DataType[]): DataType | undefined {
  const strings = types.filter((t) => isString(t) || (t.kind === 'array' && isString(t.elementType)));
  const others = types.filter((t) => !strings.includes(t));
  let acc: DataType | undefined = VOID;
  for (const t of [...strings, ...others]) {
    if (acc === undefined) return undefined;
    acc = widerType(acc, t);
  }
  return acc;
}

/** Spark's `findWiderTypeWithoutStringPromotion` over many types (GREATEST / LEAST), or undefined. */
export function widerCommonTypeWithoutStringPromotion(types: readonly DataType[]): DataType | undefined {
  let acc: DataType | undefined = VOID;
  for (const t of types) {
    if (acc === undefined) return undefined;
    acc = widerTypeWithoutStringPromotion(acc, t);
  }
  return acc;
}

function complexCommonType(a: DataType, b: DataType, f: (x: DataType, y: DataType) => DataType | undefined): DataType | undefined {
  if (a.kind === 'array' && b.kind === 'array') {
    const e = f(a.elementType, b.elementType);
    return e && { kind: 'array', elementType: e, containsNull: a.containsNull || b.containsNull };
  }
  if (a.kind === 'map' && b.kind === 'map') {
    const k = f(a.keyType, b.keyType);
    const v = f(a.valueType, b.valueType);
    return k && v && { kind: 'map', keyType: k, valueType: v, valueContainsNull: a.valueContainsNull || b.valueContainsNull };
  }
  if (a.kind === 'struct' && b.kind === 'struct' && a.fields.length === b.fields.length) {
    const fields = [];
    for (let i = 0; i < a.fields.length; i++) {
      const fa = a.fields[i]!;
      const fb = b.fields[i]!;
      if (fa.name.toLowerCase() !== fb.name.toLowerCase()) return undefined;
      const t = f(fa.type, fb.type);
      if (!t) return undefined;
      fields.push({ name: fa.name, type: t, nullable: fa.nullable || fb.nullable, metadata: {} });
    }
    return { kind: 'struct', fields };
  }
  return undefined;
}

/**
 * The type both sides of a binary comparison are cast to (Spark's `findCommonTypeForBinaryComparison`
 * then the tightest/wider common type), or undefined when they cannot be compared.
 */
export function comparisonType(a: DataType, b: DataType): DataType | undefined {
  if (sameType(a, b)) return a;
  const s = isString(a) ? b : isString(b) ? a : undefined;
  if (s !== undefined && (isString(a) || isString(b))) {
    if (isPrimitive(s, 'date')) return DATE;
    if (isPrimitive(s, 'timestamp')) return TIMESTAMP;
    if (isPrimitive(s, 'timestamp_ntz')) return TIMESTAMP_NTZ;
    if (isVoid(s)) return STRING;
    if (s.kind === 'decimal') return DOUBLE;
    if (isAtomic(s) && !isString(s)) return s;
  }
  if ((isPrimitive(a, 'timestamp') && isPrimitive(b, 'date')) || (isPrimitive(a, 'date') && isPrimitive(b, 'timestamp'))) return TIMESTAMP;
  return tightestCommonType(a, b) ?? widerTypeForDecimal(a, b) ?? complexCommonType(a, b, comparisonType);
}

/** Result type of `a op b` for decimal operands (Spark's DecimalPrecision with allowPrecisionLoss). */
export function decimalArithmeticType(op: '+' | '-' | '*' | '/' | '%', a: DecimalType, b: DecimalType): DecimalType {
  const [p1, s1, p2, s2] = [a.precision, a.scale, b.precision, b.scale];
  switch (op) {
    case '+':
    case '-': {
      const scale = Math.max(s1, s2);
      return adjustPrecisionScale(Math.max(p1 - s1, p2 - s2) + scale + 1, scale);
    }
    case '*':
      return adjustPrecisionScale(p1 + p2 + 1, s1 + s2);
    case '/': {
      const scale = Math.max(MINIMUM_ADJUSTED_SCALE, s1 + p2 + 1);
      return adjustPrecisionScale(p1 - s1 + s2 + scale, scale);
    }
    case '%': {
      const scale = Math.max(s1, s2);
      return adjustPrecisionScale(Math.min(p1 - s1, p2 - s2) + scale, scale);
    }
  }
}

/** The smallest decimal type that holds an integral literal exactly (Spark's `DecimalType.fromLiteral`). */
export function decimalForLiteral(value: bigint): DecimalType {
  const digits = (value < 0n ? -value : value).toString().length;
  return decimalType(Math.max(digits, 1), 0);
}

/**
 * Whether Spark inserts an implicit cast from `from` to `to` for a function argument
 * (ImplicitTypeCasts): numeric widening, strings to numbers/dates/timestamps/binary, dates and
 * timestamps to each other and to strings, integral to decimal, anything atomic to string, and
 * arrays and maps element by element.
 */
export function canImplicitCast(from: DataType, to: DataType): boolean {
  if (sameType(from, to) || isVoid(from)) return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if (isString(from)) return isNumeric(to) || isDatetime(to) || isPrimitive(to, 'binary');
  if (isString(to)) return isAtomic(from);
  if (isDatetime(from) && isDatetime(to)) return true;
  if (from.kind === 'array' && to.kind === 'array') return canImplicitCast(from.elementType, to.elementType);
  if (from.kind === 'map' && to.kind === 'map') return canImplicitCast(from.keyType, to.keyType) && canImplicitCast(from.valueType, to.valueType);
  return false;
}
