/**
 * Delta types ↔ Apache Arrow types.
 *
 * Canonical Arrow shapes produced here (and by `conform.ts`):
 * - list child field `element`; map as `Map<entries: Struct<key (not null), value>>` (the names
 *   parquet readers produce for standard files, so conforming them is free);
 * - `timestamp` → `Timestamp<MICROSECOND, "UTC">`, `timestamp_ntz` → `Timestamp<MICROSECOND>`;
 * - `decimal(p,s)` → `Decimal128(p, s)`; `date` → `Date32<DAY>`; `void` → `Null`;
 * - `variant` → `Struct<value: Binary not null, metadata: Binary not null>`: the raw unshredded
 *   encoding exactly as stored in parquet (value first, as Spark writes it). Decoding variant
 *   bytes is left to callers.
 */
import { Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, Map_, Null, Precision, Schema, Struct, TimeUnit, Timestamp, Type, Utf8 } from 'apache-arrow';
import type { DataType as ArrowType, Dictionary, FixedSizeList, Float, Int, LargeList } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import { columnId, PARQUET_FIELD_ID_KEY, physicalName } from './column-mapping.js';
import type { ColumnMappingMode } from './column-mapping.js';
import { MAX_DECIMAL_PRECISION } from './json.js';
import type { DataType, PrimitiveTypeName, StructField, StructType } from './types.js';

/** Arrow name of a list's child field. */
export const LIST_ELEMENT_NAME = 'element';
/** Arrow name of a map's entries struct (children `key`, `value`). */
export const MAP_ENTRIES_NAME = 'entries';

export interface DeltaToArrowOptions {
  /**
   * Use physical names (column mapping) and attach `PARQUET:field_id` from
   * `delta.columnMapping.id`: the shape of data files to write. Default false (logical names).
   */
  readonly physical?: boolean;
  /** Column mapping mode of the table; consulted only when `physical` is true. Default `none`. */
  readonly columnMappingMode?: ColumnMappingMode;
}

/** The Arrow schema of a Delta schema; nullability follows the Delta schema. */
export function deltaToArrowSchema(schema: StructType, options: DeltaToArrowOptions = {}): Schema {
  const mode = options.physical ? (options.columnMappingMode ?? 'none') : undefined;
  return new Schema(schema.fields.map((f) => fieldToArrow(f, mode)));
}

/** The Arrow field of one Delta struct field (logical names unless `mode` is given). */
export function deltaFieldToArrow(field: StructField, options: DeltaToArrowOptions = {}): Field {
  return fieldToArrow(field, options.physical ? (options.columnMappingMode ?? 'none') : undefined);
}

/** The Arrow type of a Delta type, with logical field names in nested structs. */
export function deltaTypeToArrow(type: DataType): ArrowType {
  return typeToArrow(type, undefined);
}

function fieldToArrow(field: StructField, mode: ColumnMappingMode | undefined): Field {
  if (mode === undefined || mode === 'none') return new Field(field.name, typeToArrow(field.type, mode), field.nullable);
  const id = columnId(field);
  const metadata = new Map<string, string>(id === undefined ? [] : [[PARQUET_FIELD_ID_KEY, String(id)]]);
  return new Field(physicalName(field, mode), typeToArrow(field.type, mode), field.nullable, metadata);
}

function typeToArrow(type: DataType, mode: ColumnMappingMode | undefined): ArrowType {
  switch (type.kind) {
    case 'primitive':
      return primitiveToArrow(type.name);
    case 'decimal':
      return new Decimal(type.scale, type.precision, 128);
    case 'array':
      return new List(new Field(LIST_ELEMENT_NAME, typeToArrow(type.elementType, mode), type.containsNull));
    case 'map': {
      const key = new Field('key', typeToArrow(type.keyType, mode), false);
      const value = new Field('value', typeToArrow(type.valueType, mode), type.valueContainsNull);
      const entries = new Struct([key, value]) as Struct<{ key: ArrowType; value: ArrowType }>;
      return new Map_(new Field(MAP_ENTRIES_NAME, entries, false), false);
    }
    case 'struct':
      return new Struct(type.fields.map((f) => fieldToArrow(f, mode)));
  }
}

function primitiveToArrow(name: PrimitiveTypeName): ArrowType {
  switch (name) {
    case 'string':
      return new Utf8();
    case 'long':
      return new Int64();
    case 'integer':
      return new Int32();
    case 'short':
      return new Int16();
    case 'byte':
      return new Int8();
    case 'float':
      return new Float32();
    case 'double':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'binary':
      return new Binary();
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case 'timestamp_ntz':
      return new Timestamp(TimeUnit.MICROSECOND);
    case 'void':
      return new Null();
    case 'variant':
      return variantArrowType();
  }
}

/** The Arrow type used for `variant`: the raw unshredded parquet encoding. */
export function variantArrowType(): Struct {
  return new Struct([new Field('value', new Binary(), false), new Field('metadata', new Binary(), false)]);
}

/**
 * The Delta schema for Arrow data a user wants to write. Mapping, chosen so every value is
 * representable exactly in the Delta type (`conformBatch` then casts the data):
 * - Int8/16/32/64 → byte/short/integer/long; Float32/64 → float/double; Bool → boolean;
 * - Utf8, LargeUtf8, Utf8View, Dictionary<…, string> → string; Binary, LargeBinary, BinaryView,
 *   FixedSizeBinary → binary;
 * - Date32/Date64 → date; Timestamp of any unit with a time zone → timestamp, without → timestamp_ntz;
 * - Decimal128 (precision ≤ 38) → decimal; Null → void;
 * - List, LargeList, FixedSizeList → array; Map → map; Struct → struct.
 * Rejected with INVALID_ARGUMENT (cast them first): unsigned integers (Spark would widen them,
 * which silently changes the column type), Float16, Decimal256, time of day, duration, interval,
 * union.
 */
export function arrowToDeltaSchema(schema: Schema): StructType {
  return { kind: 'struct', fields: schema.fields.map((f) => arrowFieldToDelta(f, f.name)) };
}

/** The Delta type of an Arrow type (see {@link arrowToDeltaSchema} for the mapping). */
export function arrowTypeToDelta(type: ArrowType, path = '<value>'): DataType {
  switch (type.typeId) {
    case Type.Int:
      return intToDelta(type as Int, path);
    case Type.Float: {
      const p = (type as Float).precision;
      if (p === Precision.HALF) throw unsupported(path, type, 'cast Float16 columns to Float32');
      return { kind: 'primitive', name: p === Precision.SINGLE ? 'float' : 'double' };
    }
    case Type.Bool:
      return { kind: 'primitive', name: 'boolean' };
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return { kind: 'primitive', name: 'string' };
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
    case Type.FixedSizeBinary:
      return { kind: 'primitive', name: 'binary' };
    case Type.Date:
      return { kind: 'primitive', name: 'date' };
    case Type.Timestamp:
      return { kind: 'primitive', name: (type as Timestamp).timezone ? 'timestamp' : 'timestamp_ntz' };
    case Type.Decimal:
      return decimalToDelta(type as Decimal, path);
    case Type.Null:
      return { kind: 'primitive', name: 'void' };
    case Type.Dictionary:
      return arrowTypeToDelta((type as Dictionary).dictionary, path);
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const child = (type as List | LargeList | FixedSizeList).children[0] as Field;
      return { kind: 'array', elementType: arrowTypeToDelta(child.type, `${path}.element`), containsNull: child.nullable };
    }
    case Type.Map: {
      const [key, value] = ((type as Map_).children[0] as Field<Struct>).type.children as [Field, Field];
      return {
        kind: 'map',
        keyType: arrowTypeToDelta(key.type, `${path}.key`),
        valueType: arrowTypeToDelta(value.type, `${path}.value`),
        valueContainsNull: value.nullable,
      };
    }
    case Type.Struct:
      return { kind: 'struct', fields: (type as Struct).children.map((c) => arrowFieldToDelta(c, `${path}.${c.name}`)) };
    default:
      throw unsupported(path, type, 'cast the column to a type Delta supports');
  }
}

function arrowFieldToDelta(field: Field, path: string): StructField {
  return { name: field.name, type: arrowTypeToDelta(field.type, path), nullable: field.nullable, metadata: {} };
}

function intToDelta(type: Int, path: string): DataType {
  if (!type.isSigned) throw unsupported(path, type, 'cast unsigned integers to a signed type wide enough for their values');
  const names: Record<number, PrimitiveTypeName> = { 8: 'byte', 16: 'short', 32: 'integer', 64: 'long' };
  return { kind: 'primitive', name: names[type.bitWidth] ?? 'long' };
}

function decimalToDelta(type: Decimal, path: string): DataType {
  if (type.bitWidth !== 128 || type.precision > MAX_DECIMAL_PRECISION) {
    throw unsupported(path, type, `cast to Decimal128 with precision at most ${MAX_DECIMAL_PRECISION}`);
  }
  return { kind: 'decimal', precision: type.precision, scale: type.scale };
}

function unsupported(path: string, type: ArrowType, fix: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `Column ${path} has Arrow type ${String(type)}, which has no Delta equivalent. To write it, ${fix}.`, {
    details: { path, arrowType: String(type) },
  });
}
