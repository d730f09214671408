/**
 * The protocol's schema serialization (`metaData.schemaString`): parse into the typed model of
 * `schema/types.ts` and print back. Printing what was parsed reproduces Spark's text exactly: keys
 * in Spark's order, decimals without spaces, field metadata untouched.
 */
import { DeltaError } from '../errors.js';
import { parseJson, stringifyJson } from '../util/json.js';
import type { ArrayType, DataType, DecimalType, MapType, PrimitiveType, PrimitiveTypeName, StructField, StructType } from './types.js';

const PRIMITIVE_NAMES: ReadonlySet<string> = new Set<PrimitiveTypeName>([
  'string',
  'long',
  'integer',
  'short',
  'byte',
  'float',
  'double',
  'boolean',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
  'variant',
  'void',
]);

const DECIMAL_RE = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;
/** Types from draft protocol features (geospatial, intervals) that deltakit does not read. */
const UNSUPPORTED_TYPE_RE = /^(geometry|geography|interval)\b/;

/** Maximum decimal precision in Delta (and Spark). */
export const MAX_DECIMAL_PRECISION = 38;

/**
 * Parses a `schemaString`. Throws INVALID_SCHEMA naming the offending field path when the text is
 * not JSON, the top level is not a struct, or any type, flag or name is malformed; throws
 * UNSUPPORTED_READER_FEATURE for draft types (geometry, geography, interval).
 */
export function parseSchemaString(text: string): StructType {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (e) {
    throw invalid('<root>', `the schema string is not valid JSON (${e instanceof Error ? e.message : String(e)})`, e);
  }
  return parseSchemaJson(json);
}

/** Like {@link parseSchemaString} for an already-parsed JSON value. The top level must be a struct. */
export function parseSchemaJson(json: unknown): StructType {
  const type = parseDataType(json, '');
  if (type.kind !== 'struct') throw invalid('<root>', `the top level of a table schema must be a struct, found ${describe(json)}`);
  return type;
}

/**
 * Parses one serialized data type: a primitive name (`"long"`, `"decimal(10,2)"`), or an object
 * for struct, array, map or `{"type":"variant"}`. `path` names the position for error messages.
 */
export function parseDataType(json: unknown, path = ''): DataType {
  if (typeof json === 'string') return parseTypeName(json, path);
  if (!isObject(json)) throw invalid(path, `a data type must be a type name or an object, found ${describe(json)}`);
  switch (json['type']) {
    case 'struct':
      return parseStruct(json, path);
    case 'array':
      return parseArray(json, path);
    case 'map':
      return parseMap(json, path);
    case 'variant':
      return { kind: 'primitive', name: 'variant' };
    default:
      throw invalid(path, `unknown complex type ${describe(json['type'])}; expected "struct", "array", "map" or "variant"`);
  }
}

/**
 * Parses a primitive type name as written in schemas and in `delta.typeChanges`:
 * `"integer"`, `"timestamp_ntz"`, `"decimal(10,2)"` (spaces around the numbers allowed).
 */
export function parseTypeName(name: string, path = ''): PrimitiveType | DecimalType {
  if (PRIMITIVE_NAMES.has(name)) return { kind: 'primitive', name: name as PrimitiveTypeName };
  const m = DECIMAL_RE.exec(name);
  if (m) {
    const precision = Number(m[1]);
    const scale = Number(m[2]);
    if (!(precision >= 1 && precision <= MAX_DECIMAL_PRECISION) || scale > precision) {
      throw invalid(path, `"${name}" is not a valid decimal: precision must be 1..${MAX_DECIMAL_PRECISION} and scale 0..precision`);
    }
    return { kind: 'decimal', precision, scale };
  }
  if (UNSUPPORTED_TYPE_RE.test(name)) {
    throw new DeltaError(
      'UNSUPPORTED_READER_FEATURE',
      `Column ${pathLabel(path)} has type "${name}", which belongs to a draft Delta feature deltakit does not support. ` +
        'Read the table with an engine that supports it, or drop the column.',
      { details: { path: pathLabel(path), type: name } },
    );
  }
  throw invalid(path, `unknown type name "${name}"`);
}

function parseStruct(json: Record<string, unknown>, path: string): StructType {
  const fields = json['fields'];
  if (!Array.isArray(fields)) throw invalid(path, `a struct needs a "fields" array, found ${describe(fields)}`);
  const seen = new Map<string, string>();
  const parsed = fields.map((f: unknown, i) => {
    const field = parseField(f, path, i);
    const key = field.name.toLowerCase();
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw invalid(join(path, field.name), `field names must be unique case-insensitively, but "${previous}" and "${field.name}" collide`);
    }
    seen.set(key, field.name);
    return field;
  });
  return { kind: 'struct', fields: parsed };
}

function parseField(json: unknown, parent: string, index: number): StructField {
  if (!isObject(json)) throw invalid(join(parent, `[${index}]`), `a struct field must be an object, found ${describe(json)}`);
  const name = json['name'];
  if (typeof name !== 'string') throw invalid(join(parent, `[${index}]`), `a struct field needs a string "name", found ${describe(name)}`);
  const path = join(parent, name);
  const nullable = json['nullable'];
  if (typeof nullable !== 'boolean') throw invalid(path, `"nullable" must be true or false, found ${describe(nullable)}`);
  const metadata = json['metadata'] ?? {};
  if (!isObject(metadata)) throw invalid(path, `"metadata" must be an object, found ${describe(metadata)}`);
  if (!('type' in json)) throw invalid(path, 'the field has no "type"');
  return { name, type: parseDataType(json['type'], path), nullable, metadata };
}

function parseArray(json: Record<string, unknown>, path: string): ArrayType {
  const containsNull = json['containsNull'];
  if (typeof containsNull !== 'boolean') throw invalid(path, `an array needs "containsNull" true or false, found ${describe(containsNull)}`);
  if (!('elementType' in json)) throw invalid(path, 'an array needs an "elementType"');
  return { kind: 'array', elementType: parseDataType(json['elementType'], join(path, 'element')), containsNull };
}

function parseMap(json: Record<string, unknown>, path: string): MapType {
  const valueContainsNull = json['valueContainsNull'];
  if (typeof valueContainsNull !== 'boolean') {
    throw invalid(path, `a map needs "valueContainsNull" true or false, found ${describe(valueContainsNull)}`);
  }
  if (!('keyType' in json) || !('valueType' in json)) throw invalid(path, 'a map needs "keyType" and "valueType"');
  return {
    kind: 'map',
    keyType: parseDataType(json['keyType'], join(path, 'key')),
    valueType: parseDataType(json['valueType'], join(path, 'value')),
    valueContainsNull,
  };
}

/** The JSON value of a schema, with Spark's key order. Metadata values are returned as stored. */
export function schemaToJson(schema: StructType): Record<string, unknown> {
  return dataTypeToJson(schema) as Record<string, unknown>;
}

/** The `schemaString` text of a schema (compact JSON, as Spark writes it). */
export function schemaToString(schema: StructType): string {
  return stringifyJson(schemaToJson(schema));
}

/** The JSON value of one data type: a string for primitives and decimals, an object otherwise. */
export function dataTypeToJson(type: DataType): unknown {
  switch (type.kind) {
    case 'primitive':
    case 'decimal':
      return typeName(type);
    case 'array':
      return { type: 'array', elementType: dataTypeToJson(type.elementType), containsNull: type.containsNull };
    case 'map':
      return {
        type: 'map',
        keyType: dataTypeToJson(type.keyType),
        valueType: dataTypeToJson(type.valueType),
        valueContainsNull: type.valueContainsNull,
      };
    case 'struct':
      return {
        type: 'struct',
        fields: type.fields.map((f) => ({ name: f.name, type: dataTypeToJson(f.type), nullable: f.nullable, metadata: f.metadata })),
      };
  }
}

/** The type name of a primitive or decimal type as the protocol writes it (`"decimal(10,2)"`). */
export function typeName(type: PrimitiveType | DecimalType): string {
  return type.kind === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.name;
}

/** A short human-readable rendering of any type, for error messages (`array<struct<a:long>>`). */
export function formatDataType(type: DataType): string {
  switch (type.kind) {
    case 'primitive':
    case 'decimal':
      return typeName(type);
    case 'array':
      return `array<${formatDataType(type.elementType)}>`;
    case 'map':
      return `map<${formatDataType(type.keyType)},${formatDataType(type.valueType)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${formatDataType(f.type)}`).join(',')}>`;
  }
}

function invalid(path: string, problem: string, cause?: unknown): DeltaError {
  const where = pathLabel(path);
  return new DeltaError(
    'INVALID_SCHEMA',
    `Invalid table schema at ${where}: ${problem}. The schema must follow the Delta schema serialization format; fix the writer that produced it.`,
    { cause, details: { path: where } },
  );
}

const join = (parent: string, name: string) => (parent === '' ? name : `${parent}.${name}`);
const pathLabel = (path: string) => (path === '' ? '<root>' : path);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = stringifyJson(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
