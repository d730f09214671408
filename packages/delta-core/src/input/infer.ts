/**
 * Schema inference for text inputs, in the spirit of Spark's JSON and CSV readers:
 * integers → long (beyond the long range: decimal(p,0) up to 38 digits, then double), other
 * numbers → double, booleans, strings (ISO dates and timestamps stay strings), objects → struct
 * (fields in order of first appearance), arrays → array. A column that is only ever null is a
 * string. Conflicting kinds widen: long + double → double, anything else → string (a string
 * column stores the other values' JSON text).
 */
import { type DataType, type StructField, type StructType } from '../schema/types.js';
import { jsonKeys, JsonNumber } from '../util/json.js';
import { exactDecimal } from './values.js';

/** An inferred type; `null` means only nulls (or nothing) were seen so far. */
export type Inferred =
  | { kind: 'null' }
  | { kind: 'long' }
  | { kind: 'decimal'; precision: number }
  | { kind: 'double' }
  | { kind: 'boolean' }
  | { kind: 'string' }
  | { kind: 'array'; element: Inferred }
  | { kind: 'struct'; fields: Map<string, Inferred> };

export const NULL_TYPE: Inferred = { kind: 'null' };
const LONG: Inferred = { kind: 'long' };
const DOUBLE: Inferred = { kind: 'double' };
const BOOLEAN: Inferred = { kind: 'boolean' };
const STRING: Inferred = { kind: 'string' };
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** The type of one JSON value parsed with `JSON_LINE` (objects' fields in source order). */
export function inferJson(v: unknown): Inferred {
  if (v === null) return NULL_TYPE;
  if (typeof v === 'boolean') return BOOLEAN;
  if (typeof v === 'string') return STRING;
  if (v instanceof JsonNumber) return v.isInteger ? integerType(v.text) : DOUBLE;
  if (Array.isArray(v)) return { kind: 'array', element: v.reduce<Inferred>((t, x) => mergeInferred(t, inferJson(x)), NULL_TYPE) };
  const fields = new Map<string, Inferred>();
  const o = v as Record<string, unknown>;
  for (const k of jsonKeys(o)) fields.set(k, mergeInferred(fields.get(k) ?? NULL_TYPE, inferJson(o[k])));
  return { kind: 'struct', fields };
}

/** The type of one CSV cell; `null` for an empty cell. */
export function inferCell(text: string | null): Inferred {
  if (text === null) return NULL_TYPE;
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) return integerType(t);
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) || /^[+-]?(?:nan|infinity)$/i.test(t)) return DOUBLE;
  if (/^(?:true|false)$/i.test(t)) return BOOLEAN;
  return STRING;
}

function integerType(text: string): Inferred {
  const d = exactDecimal(text);
  if (d === undefined) return DOUBLE;
  if (d.unscaled >= MIN_LONG && d.unscaled <= MAX_LONG) return LONG;
  const precision = (d.unscaled < 0n ? -d.unscaled : d.unscaled).toString().length;
  return precision <= 38 ? { kind: 'decimal', precision } : DOUBLE;
}

/** The narrowest type holding both. */
export function mergeInferred(a: Inferred, b: Inferred): Inferred {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'string' || b.kind === 'string') return STRING;
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields = new Map(a.fields);
    for (const [k, t] of b.fields) fields.set(k, mergeInferred(fields.get(k) ?? NULL_TYPE, t));
    return { kind: 'struct', fields };
  }
  if (a.kind === 'array' && b.kind === 'array') return { kind: 'array', element: mergeInferred(a.element, b.element) };
  if (a.kind === b.kind && a.kind !== 'decimal') return a;
  const numeric = (t: Inferred): boolean => t.kind === 'long' || t.kind === 'decimal' || t.kind === 'double';
  if (!numeric(a) || !numeric(b)) return STRING;
  if (a.kind === 'double' || b.kind === 'double') return DOUBLE;
  const precision = Math.max(a.kind === 'decimal' ? a.precision : 19, b.kind === 'decimal' ? b.precision : 19);
  return { kind: 'decimal', precision };
}

/** The Delta type of an inferred type (every field nullable; never-typed values are strings). */
export function toDeltaType(t: Inferred): DataType {
  switch (t.kind) {
    case 'null':
    case 'string':
      return { kind: 'primitive', name: 'string' };
    case 'long':
    case 'double':
    case 'boolean':
      return { kind: 'primitive', name: t.kind };
    case 'decimal':
      return { kind: 'decimal', precision: t.precision, scale: 0 };
    case 'array':
      return { kind: 'array', elementType: toDeltaType(t.element), containsNull: true };
    case 'struct':
      // A struct without fields cannot be stored in parquet; keep its JSON text instead.
      return t.fields.size === 0 ? { kind: 'primitive', name: 'string' } : toDeltaStruct(t.fields);
  }
}

/** The Delta struct of inferred fields, in their order. */
export function toDeltaStruct(fields: ReadonlyMap<string, Inferred>): StructType {
  const out: StructField[] = [...fields].map(([name, t]) => ({ name, type: toDeltaType(t), nullable: true, metadata: {} }));
  return { kind: 'struct', fields: out };
}

/**
 * The schema to convert input to when `--merge-schema` adds the input's new columns to `table`:
 * the table's fields with their types, then the input's new fields (nested struct fields too).
 */
export function mergeIntoTable(table: StructType, input: StructType): StructType {
  const fields: StructField[] = table.fields.map((f) => {
    const other = input.fields.find((g) => g.name.toLowerCase() === f.name.toLowerCase());
    return other !== undefined ? { ...f, type: mergeType(f.type, other.type) } : f;
  });
  for (const g of input.fields) {
    if (!table.fields.some((f) => f.name.toLowerCase() === g.name.toLowerCase())) fields.push(g);
  }
  return { kind: 'struct', fields };
}

function mergeType(table: DataType, input: DataType): DataType {
  if (table.kind === 'struct' && input.kind === 'struct') return mergeIntoTable(table, input);
  if (table.kind === 'array' && input.kind === 'array') return { ...table, elementType: mergeType(table.elementType, input.elementType) };
  if (table.kind === 'map' && input.kind === 'map') return { ...table, valueType: mergeType(table.valueType, input.valueType) };
  return table;
}
