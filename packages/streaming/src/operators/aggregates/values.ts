/**
 * Values of any Delta type (core's evaluator `Value`) as JSON-safe partial state, as hash-key
 * text, and compared in Spark's order.
 *
 * State encoding by type: byte/short/integer/date/float/double → number (NaN, ±Infinity as
 * text); long/timestamp/timestamp_ntz → decimal text; decimal → unscaled decimal text; string →
 * string; boolean → boolean; binary → base64 text; array → array; struct → array of field states;
 * map → `[keys, values]`; null → null.
 */
import type { DataType } from '@deltakit/core';
import { compareValues, type Value } from '@deltakit/core/internal';
import { doubleFromState, doubleState, type PartialState } from './accumulator.js';

export function valueToState(v: Value, type: DataType): PartialState {
  if (v === null) return null;
  switch (type.kind) {
    case 'decimal':
      return (v as { unscaled: bigint }).unscaled.toString();
    case 'array':
      return (v as readonly Value[]).map((x) => valueToState(x, type.elementType));
    case 'struct':
      return type.fields.map((f, i) => valueToState((v as { values: readonly Value[] }).values[i] ?? null, f.type));
    case 'map': {
      const m = v as { keys: readonly Value[]; values: readonly Value[] };
      return [m.keys.map((k) => valueToState(k, type.keyType)), m.values.map((x) => valueToState(x, type.valueType))];
    }
    case 'primitive':
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number') return doubleState(v);
      if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      return v as PartialState;
  }
}

export function valueFromState(s: PartialState, type: DataType): Value {
  if (s === null) return null;
  switch (type.kind) {
    case 'decimal':
      return { unscaled: BigInt(s as string), scale: type.scale };
    case 'array':
      return (s as readonly PartialState[]).map((x) => valueFromState(x, type.elementType));
    case 'struct':
      return { kind: 'struct', values: type.fields.map((f, i) => valueFromState((s as readonly PartialState[])[i] ?? null, f.type)) };
    case 'map': {
      const [ks, vs] = s as readonly [readonly PartialState[], readonly PartialState[]];
      return { kind: 'map', keys: ks.map((k) => valueFromState(k, type.keyType)), values: vs.map((x) => valueFromState(x, type.valueType)) };
    }
    case 'primitive':
      switch (type.name) {
        case 'long':
        case 'timestamp':
        case 'timestamp_ntz':
          return BigInt(s as string);
        case 'binary':
          return new Uint8Array(Buffer.from(s as string, 'base64'));
        case 'byte':
        case 'short':
        case 'integer':
        case 'date':
        case 'float':
        case 'double':
          return doubleFromState(s);
        default:
          return s as Value;
      }
  }
}

/**
 * A text that is equal for two values exactly when Spark groups them together: NaN equals NaN,
 * -0.0 equals 0.0, null differs from every value. Prefixes keep types of one column apart from
 * the separators of the next.
 */
export function keyText(v: Value): string {
  if (v === null) return '\u0000';
  switch (typeof v) {
    case 'string':
      return 's' + v.length + ':' + v;
    case 'number':
      return 'n' + (v === 0 ? '0' : String(v));
    case 'bigint':
      return 'b' + v;
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      if (v instanceof Uint8Array) return 'x' + v.length + ':' + Buffer.from(v).toString('latin1');
      if (Array.isArray(v)) return '[' + v.map(keyText).join(',') + ']';
      if ('unscaled' in v) return 'd' + v.unscaled;
      if ('kind' in v && v.kind === 'struct') return '{' + v.values.map(keyText).join(',') + '}';
      if ('kind' in v && v.kind === 'map') return '<' + v.keys.map(keyText).join(',') + '|' + v.values.map(keyText).join(',') + '>';
      return String(v);
  }
}

/** Strings in Spark's order: by UTF-8 bytes, i.e. by code point (not by UTF-16 unit). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF: they sort after 0xE000-0xFFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Spark's order of two non-null values of one type (NaN largest, strings by UTF-8). */
export function compareAny(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  return compareValues(a, b);
}
