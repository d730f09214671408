/**
 * Shapes record batches read from data files into the table's logical Arrow shape.
 *
 * A data file may differ from the table schema in many legal ways: physical column names (column
 * mapping), missing columns (schema evolution), narrower types (type widening), timestamp units
 * other than microseconds, legacy list/map field names, decimals stored as plain integers. The
 * output is exactly `deltaToArrowSchema(target)` (see `schema/arrow.ts` for the canonical shapes).
 *
 * Cost: buffers are reused wherever the physical layout already matches (renames, list/map
 * renormalisation, time zone changes, same-scale decimals are zero-copy); only real value
 * conversions (unit changes, integer/float/decimal widening) allocate a new value buffer.
 */
import { Data, DateUnit, RecordBatch, Struct, TimeUnit, Type, util } from 'apache-arrow';
import type { DataType as ArrowType, Date_, Decimal, Dictionary, FixedSizeBinary, FixedSizeList, Field, Int, List, Map_, Schema, Timestamp } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import { deltaToArrowSchema } from './arrow.js';
import { fixedOffsets, narrowOffsets, nullData, retype, unscaledToDecimal128, withValues } from './arrow-data.js';
import { matchFileFields } from './column-mapping.js';
import type { ColumnMappingMode } from './column-mapping.js';
import { formatDataType } from './json.js';
import { isIntegerType, typeChangesOf, widenData } from './type-widening.js';
import type { DataType, DecimalType, PrimitiveType, StructField, StructType } from './types.js';

export interface ConformOptions {
  /** How file columns are matched to table fields (at every nesting level). */
  readonly columnMapping: ColumnMappingMode;
  /**
   * Nanosecond timestamps carry digits microseconds cannot hold: `truncate` (default, floors to
   * the microsecond as Spark does for INT96) or `error` (PRECISION_LOSS; for writers).
   */
  readonly subMicrosecond?: 'truncate' | 'error';
  /** The data file, named in error messages. */
  readonly filePath?: string;
}

const schemaCache = new WeakMap<StructType, Schema>();

/** The Arrow schema {@link conformBatch} produces for `target` (cached per schema object). */
export function conformedSchema(target: StructType): Schema {
  let schema = schemaCache.get(target);
  if (schema === undefined) {
    schema = deltaToArrowSchema(target);
    schemaCache.set(target, schema);
  }
  return schema;
}

/**
 * Returns `batch` reshaped to the logical projection `target`: columns in `target` order with
 * logical names, types and nullability of the table; columns absent from the file are all null;
 * file columns not in `target` are dropped. Throws SCHEMA_MISMATCH when a file column cannot be
 * read as its table type, UNSUPPORTED_READER_FEATURE for shredded variants.
 */
export function conformBatch(batch: RecordBatch, target: StructType, options: ConformOptions): RecordBatch {
  const schema = conformedSchema(target);
  const ctx: Ctx = { mode: options.columnMapping, subMicros: options.subMicrosecond ?? 'truncate', file: options.filePath };
  const children = conformChildren(batch.schema.fields, batch.data.children, batch.numRows, target.fields, schema.fields, ctx, '', ctx.mode);
  const data = new Data(new Struct(schema.fields), 0, batch.numRows, 0, undefined, children);
  return new RecordBatch(schema, data as Data<Struct>);
}

/**
 * The physical shape of a batch already in the logical shape of `schema` (as `conformBatch`
 * returns): physical names at every level and `PARQUET:field_id` from the column ids, ready to be
 * written as a data file. Zero-copy: only Arrow types change, every buffer is shared.
 */
export function toPhysicalBatch(batch: RecordBatch, schema: StructType, mode: ColumnMappingMode): RecordBatch {
  const physical = deltaToArrowSchema(schema, { physical: true, columnMappingMode: mode });
  const children = physical.fields.map((f, i) => {
    const child = batch.data.children[i];
    if (child === undefined) throw new DeltaError('INVALID_ARGUMENT', `The batch has ${batch.numCols} columns but the schema has ${physical.fields.length}; conform it to the schema first.`);
    return retypeDeep(child, f.type as ArrowType);
  });
  return new RecordBatch(physical, new Data(new Struct(physical.fields), 0, batch.numRows, 0, undefined, children) as Data<Struct>);
}

/** `data` with `type` (same layout, other field names/metadata), children retyped recursively. */
function retypeDeep(data: Data, type: ArrowType): Data {
  const kids = type.children ?? [];
  const children = data.children.map((c, i) => retypeDeep(c, (kids[i]?.type ?? c.type) as ArrowType));
  return data.clone(type, data.offset, data.length, data.nullCount, undefined, children);
}

interface Ctx {
  readonly mode: ColumnMappingMode;
  readonly subMicros: 'truncate' | 'error';
  readonly file: string | undefined;
}

/** A recorded type change, relative to the current position (`path` [] = this position). */
interface Change {
  readonly from: DataType;
  readonly path: readonly string[];
}

interface At {
  readonly path: string;
  readonly changes: readonly Change[];
}

const descend = (at: At, part: string): At => ({
  path: `${at.path}.${part}`,
  changes: at.changes.filter((c) => c.path[0] === part).map((c) => ({ from: c.from, path: c.path.slice(1) })),
});

function conformChildren(
  srcFields: readonly Field[],
  srcChildren: readonly Data[],
  length: number,
  targetFields: readonly StructField[],
  arrowFields: readonly Field[],
  ctx: Ctx,
  parentPath: string,
  mode: ColumnMappingMode,
): Data[] {
  const match = matchFileFields(srcFields, targetFields, mode);
  return targetFields.map((f, i) => {
    const arrow = arrowFields[i]!.type as ArrowType;
    const j = match[i]!;
    const src = j < 0 ? undefined : srcChildren[j];
    if (src === undefined) return nullData(arrow, length);
    const changes = typeChangesOf(f).map((c) => ({ from: c.fromType, path: c.fieldPath === undefined ? [] : c.fieldPath.split('.') }));
    return conformData(src, f.type, arrow, { path: parentPath === '' ? f.name : `${parentPath}.${f.name}`, changes }, ctx, mode);
  });
}

function conformData(src: Data, target: DataType, arrow: ArrowType, at: At, ctx: Ctx, mode: ColumnMappingMode): Data {
  if (src.typeId === Type.Null) return nullData(arrow, src.length);
  switch (target.kind) {
    case 'struct':
      if (src.typeId !== Type.Struct) throw mismatch(src, target, at, ctx);
      return structData(src, target.fields, arrow as Struct, at, ctx, mode);
    case 'array':
      return listData(src, target.elementType, arrow as List, at, ctx, mode);
    case 'map':
      return mapData(src, target, arrow as Map_, at, ctx, mode);
    case 'primitive':
      if (target.name === 'void') return nullData(arrow, src.length);
      if (target.name === 'variant') return variantData(src, arrow as Struct, at, ctx);
      return atomicData(src, target, arrow, at, ctx);
    case 'decimal':
      return atomicData(src, target, arrow, at, ctx);
  }
}

function structData(src: Data, fields: readonly StructField[], arrow: Struct, at: At, ctx: Ctx, mode: ColumnMappingMode): Data {
  const srcFields = (src.type as Struct).children;
  const children = conformChildren(srcFields, src.children, src.length, fields, arrow.children, ctx, at.path, mode);
  return new Data(arrow, src.offset, src.length, src.nullCount, [undefined, undefined, src.nullBitmap] as never, children);
}

/** Offsets of a list-like source, as Int32 offsets indexed from row 0, or undefined when `src` is not list-like. */
function listOffsets(src: Data): Int32Array | undefined {
  switch (src.typeId) {
    case Type.List:
    case Type.Map:
      return src.valueOffsets as Int32Array;
    case Type.LargeList:
      return narrowOffsets(src.valueOffsets as unknown as BigInt64Array);
    case Type.FixedSizeList:
      return fixedOffsets(src.length, (src.type as FixedSizeList).listSize);
    default:
      return undefined;
  }
}

function listData(src: Data, element: DataType, arrow: List, at: At, ctx: Ctx, mode: ColumnMappingMode): Data {
  const offsets = listOffsets(src);
  const child = src.children[0];
  if (offsets === undefined || child === undefined || src.typeId === Type.Map) throw mismatch(src, { kind: 'array', elementType: element, containsNull: true }, at, ctx);
  const conformed = conformData(child, element, arrow.children[0]!.type as ArrowType, descend(at, 'element'), ctx, mode);
  return new Data(arrow, src.offset, src.length, src.nullCount, [offsets, undefined, src.nullBitmap] as never, [conformed]);
}

/** Maps arrive as Arrow maps, or as lists of two-field structs from files without the MAP annotation. */
function mapData(src: Data, target: Extract<DataType, { kind: 'map' }>, arrow: Map_, at: At, ctx: Ctx, mode: ColumnMappingMode): Data {
  const offsets = listOffsets(src);
  const entries = src.children[0];
  if (offsets === undefined || entries === undefined || entries.typeId !== Type.Struct || entries.children.length < 2) {
    throw mismatch(src, target, at, ctx);
  }
  const entriesType = arrow.children[0]!.type as Struct;
  const [keyField, valueField] = entriesType.children as [Field, Field];
  const key = conformData(entries.children[0]!, target.keyType, keyField.type as ArrowType, descend(at, 'key'), ctx, mode);
  const value = conformData(entries.children[1]!, target.valueType, valueField.type as ArrowType, descend(at, 'value'), ctx, mode);
  const conformedEntries = new Data(entriesType, entries.offset, entries.length, 0, undefined, [key, value]);
  return new Data(arrow, src.offset, src.length, src.nullCount, [offsets, undefined, src.nullBitmap] as never, [conformedEntries]);
}

const VARIANT_FIELDS: readonly StructField[] = [
  { name: 'value', type: { kind: 'primitive', name: 'binary' }, nullable: false, metadata: {} },
  { name: 'metadata', type: { kind: 'primitive', name: 'binary' }, nullable: false, metadata: {} },
];

function variantData(src: Data, arrow: Struct, at: At, ctx: Ctx): Data {
  if (src.typeId !== Type.Struct) throw mismatch(src, { kind: 'primitive', name: 'variant' }, at, ctx);
  if ((src.type as Struct).children.some((f) => f.name === 'typed_value')) {
    throw new DeltaError(
      'UNSUPPORTED_READER_FEATURE',
      `Column ${at.path}${fileLabel(ctx)} holds a shredded variant (a typed_value column), which deltakit does not read yet. ` +
        'Read the table with an engine that supports variant shredding, or rewrite it unshredded.',
      { details: { path: at.path, file: ctx.file, feature: 'variantShredding' } },
    );
  }
  return structData(src, VARIANT_FIELDS, arrow, at, ctx, 'none');
}

function atomicData(src: Data, target: PrimitiveType | DecimalType, arrow: ArrowType, at: At, ctx: Ctx): Data {
  if (sameAtomicType(src.type as ArrowType, arrow)) return src;
  const out = castAtomic(src, target, arrow, at, ctx);
  if (out === undefined) throw mismatch(src, target, at, ctx);
  return out;
}

/** Type equality for leaves; Arrow's `compareTypes` ignores decimal precision/scale and null-vs-undefined zones differ. */
function sameAtomicType(a: ArrowType, b: ArrowType): boolean {
  if (a.typeId !== b.typeId) return false;
  if (a.typeId === Type.Decimal) {
    const [x, y] = [a as Decimal, b as Decimal];
    return x.precision === y.precision && x.scale === y.scale && x.bitWidth === y.bitWidth;
  }
  if (a.typeId === Type.Timestamp) {
    const [x, y] = [a as Timestamp, b as Timestamp];
    return x.unit === y.unit && (x.timezone ?? null) === (y.timezone ?? null);
  }
  return util.compareTypes(a, b);
}

function castAtomic(src: Data, target: PrimitiveType | DecimalType, arrow: ArrowType, at: At, ctx: Ctx): Data | undefined {
  const t = src.type as ArrowType;
  if (t.typeId === Type.Dictionary) return atomicData(decodeDictionary(src, at, ctx), target, arrow, at, ctx);
  if (target.kind === 'decimal') {
    const fromInteger = at.changes.some((c) => c.path.length === 0 && isIntegerType(c.from));
    if (t.typeId === Type.Int && !fromInteger && (t as Int).bitWidth >= 32) {
      // An integer-stored decimal whose annotation the reader did not apply: the values are unscaled.
      return withValues(src, arrow, unscaledToDecimal128(src.values as Int32Array | BigInt64Array));
    }
    return widenData(src, target, arrow);
  }
  switch (target.name) {
    case 'string':
    case 'binary':
      return variableWidth(src, arrow);
    case 'timestamp':
    case 'timestamp_ntz':
      if (t.typeId === Type.Timestamp) return timestampToMicros(src, arrow, at, ctx);
      return widenData(src, target, arrow);
    case 'date':
      return t.typeId === Type.Date && (t as Date_).unit === DateUnit.MILLISECOND ? millisToDays(src, arrow) : undefined;
    case 'byte':
    case 'short':
      return t.typeId === Type.Int && (t as Int).bitWidth === 32 ? narrowInt32(src, target.name, arrow, at, ctx) : widenData(src, target, arrow);
    default:
      return widenData(src, target, arrow);
  }
}

/** String/binary from any offset-based or fixed-width byte layout (UTF-8 validity is not re-checked). */
function variableWidth(src: Data, arrow: ArrowType): Data | undefined {
  switch (src.typeId) {
    case Type.Utf8:
    case Type.Binary:
      return retype(src, arrow);
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return new Data(arrow, src.offset, src.length, src.nullCount, [narrowOffsets(src.valueOffsets as unknown as BigInt64Array), src.values, src.nullBitmap] as never);
    case Type.FixedSizeBinary: {
      const offsets = fixedOffsets(src.length, (src.type as FixedSizeBinary).byteWidth);
      return new Data(arrow, src.offset, src.length, src.nullCount, [offsets, src.values, src.nullBitmap] as never);
    }
    default:
      return undefined;
  }
}

const MICROS_PER_UNIT: Record<number, bigint> = { [TimeUnit.SECOND]: 1_000_000n, [TimeUnit.MILLISECOND]: 1000n };

/** Any timestamp unit to microseconds, with the table type's time zone (UTC or none). */
function timestampToMicros(src: Data, arrow: ArrowType, at: At, ctx: Ctx): Data {
  const unit = (src.type as Timestamp).unit;
  if (unit === TimeUnit.MICROSECOND) return retype(src, arrow);
  const values = src.values as BigInt64Array;
  const n = src.length;
  const out = new BigInt64Array(n);
  if (unit === TimeUnit.NANOSECOND) {
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      const rem = v % 1000n;
      if (rem !== 0n && ctx.subMicros === 'error' && src.getValid(i)) throw subMicrosecondLoss(at, ctx);
      out[i] = v / 1000n - (rem < 0n ? 1n : 0n);
    }
  } else {
    const factor = MICROS_PER_UNIT[unit]!;
    for (let i = 0; i < n; i++) out[i] = values[i]! * factor;
  }
  return withValues(src, arrow, out);
}

function millisToDays(src: Data, arrow: ArrowType): Data {
  const values = src.values as BigInt64Array;
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.floor(Number(values[i]!) / 86_400_000);
  return withValues(src, arrow, out);
}

/** INT32 storage of byte/short columns (files without the INT(8)/INT(16) annotation). */
function narrowInt32(src: Data, name: 'byte' | 'short', arrow: ArrowType, at: At, ctx: Ctx): Data {
  const values = src.values as Int32Array;
  const out = name === 'byte' ? new Int8Array(values) : new Int16Array(values);
  for (let i = 0; i < values.length; i++) {
    if (out[i] !== values[i] && src.getValid(i)) {
      throw new DeltaError(
        'SCHEMA_MISMATCH',
        `Column ${at.path}${fileLabel(ctx)} holds the value ${values[i]}, which does not fit the table type ${name}. The file does not match the table schema; rewrite it.`,
        { details: { path: at.path, file: ctx.file } },
      );
    }
  }
  return withValues(src, arrow, out);
}

/** Materialises a dictionary-encoded string, binary or fixed-width column. */
function decodeDictionary(src: Data, at: At, ctx: Ctx): Data {
  const dict = (src as Data<Dictionary>).dictionary;
  const values = dict?.data.length === 1 ? dict.data[0] : undefined;
  const indices = src.values as ArrayLike<number | bigint>;
  if (values === undefined) throw mismatch(src, { kind: 'primitive', name: 'string' }, at, ctx);
  if (values.typeId === Type.Utf8 || values.typeId === Type.Binary) {
    const vo = values.valueOffsets as Int32Array;
    const bytes = values.values as Uint8Array;
    const offsets = new Int32Array(src.length + 1);
    for (let i = 0; i < src.length; i++) {
      const k = Number(indices[i]!);
      offsets[i + 1] = offsets[i]! + (src.getValid(i) ? vo[k + 1]! - vo[k]! : 0);
    }
    const out = new Uint8Array(offsets[src.length]!);
    for (let i = 0; i < src.length; i++) {
      const k = Number(indices[i]!);
      if (offsets[i + 1]! > offsets[i]!) out.set(bytes.subarray(vo[k]!, vo[k + 1]!), offsets[i]!);
    }
    return new Data(values.type, src.offset, src.length, src.nullCount, [offsets, out, src.nullBitmap] as never);
  }
  if (values.stride === 1 && values.typeId !== Type.Bool) {
    const from = values.values as unknown as { length: number; [i: number]: number | bigint };
    const ArrayType = values.type.ArrayType as new (n: number) => { [i: number]: number | bigint } & ArrayBufferView;
    const out = new ArrayType(src.length);
    // Null rows may hold any index; their slot keeps the zero it was allocated with.
    for (let i = 0; i < src.length; i++) if (src.getValid(i)) out[i] = from[Number(indices[i]!)]!;
    return withValues(src, values.type, out);
  }
  throw mismatch(src, { kind: 'primitive', name: 'string' }, at, ctx);
}

function fileLabel(ctx: Ctx): string {
  return ctx.file === undefined ? '' : ` of data file ${ctx.file}`;
}

function mismatch(src: Data, target: DataType, at: At, ctx: Ctx): DeltaError {
  return new DeltaError(
    'SCHEMA_MISMATCH',
    `Column ${at.path}${fileLabel(ctx)} is stored as Arrow ${String(src.type)}, which cannot be read as the table type ${formatDataType(target)}. ` +
      'The file does not match the table schema (a non-conforming writer, or a type change the table does not record); rewrite the file or fix the schema.',
    { details: { path: at.path, file: ctx.file, fileType: String(src.type), tableType: formatDataType(target) } },
  );
}

function subMicrosecondLoss(at: At, ctx: Ctx): DeltaError {
  return new DeltaError(
    'PRECISION_LOSS',
    `Column ${at.path}${fileLabel(ctx)} holds nanosecond timestamps with digits below a microsecond, which Delta timestamps cannot store. ` +
      'Round or truncate the values to microseconds before writing.',
    { details: { path: at.path, file: ctx.file } },
  );
}
