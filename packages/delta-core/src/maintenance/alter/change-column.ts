/**
 * ALTER TABLE ALTER / CHANGE COLUMN for one column, as Delta Spark runs it: a comment
 * (`COMMENT '...'`), a wider type (`TYPE t`, type widening), or dropping NOT NULL. Each is one
 * `CHANGE COLUMN` metadata commit; the column keeps its other metadata (column mapping id and
 * physical name, so data files still resolve).
 *
 * Type changes follow `SchemaUtils.canChangeDataType`: struct, array and map columns cannot change
 * type as a whole (change their nested fields, `element`, `key` or `value`, instead); an atomic
 * type may only be widened, when the table enables type widening (`delta.enableTypeWidening`),
 * and only along the changes the protocol's type widening section lists. Each widening is recorded
 * in the `delta.typeChanges` metadata of the field that holds it (`fieldPath` naming the
 * `element` / `key` / `value` steps below the field), which readers use to widen older files.
 */
import type { Engine } from '../../engine.js';
import { DeltaError, isDeltaError } from '../../errors.js';
import { supportedReaderFeatures, supportedWriterFeatures } from '../../log/protocol-check.js';
import { parseDdlType } from '../../schema/ddl.js';
import { formatDataType, typeName } from '../../schema/json.js';
import { isWideningSupported, TYPE_CHANGES_KEY } from '../../schema/type-widening.js';
import type { DataType, DecimalType, PrimitiveType, StructField, StructType } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';
import { commitMetadataChange, type AlterOptions } from './commit.js';
import { refuseDependentRules } from './dependents.js';
import { editStruct, formatColumnPath, parseColumnPath, resolvePath, type ResolvedPath } from './paths.js';
import { fieldForLog } from './schema-checks.js';

type Atomic = PrimitiveType | DecimalType;

export interface ChangeColumnTypeOptions extends AlterOptions {
  /**
   * Loads the latest snapshot again. Tables with the `typeWidening-preview` feature record the
   * commit version in each type change, so a lost commit race is retried by replanning on the
   * latest snapshot instead of rebasing the same actions.
   */
  readonly reload?: () => Promise<Snapshot>;
}

/** Sets (replaces) the comment of a column, nested fields included. Returns the new version. */
export async function setColumnComment(engine: Engine, snapshot: Snapshot, column: string, comment: string, options: AlterOptions = {}): Promise<{ version: number }> {
  if (typeof comment !== 'string') throw new DeltaError('INVALID_ARGUMENT', `A column comment must be text, got ${typeof comment}.`);
  const path = parseColumnPath(column);
  const resolved = resolvePath(snapshot.schema, path);
  const target = structFieldAt(resolved, 'comment on', 'Comments belong to struct fields; set it on the map or array column itself');
  return changeField(engine, snapshot, resolved, { ...target, metadata: { ...target.metadata, comment } }, options);
}

/** Makes a NOT NULL column nullable (`ALTER COLUMN c DROP NOT NULL`). Returns the new version. */
export async function dropNotNull(engine: Engine, snapshot: Snapshot, column: string, options: AlterOptions = {}): Promise<{ version: number }> {
  const path = parseColumnPath(column);
  const resolved = resolvePath(snapshot.schema, path);
  const target = structFieldAt(resolved, 'change the nullability of', 'Delta does not support changing the nullability of array elements and map keys or values');
  return changeField(engine, snapshot, resolved, { ...target, nullable: true }, options);
}

/**
 * Changes the type of a column (nested fields, array elements and map keys / values included) to
 * a wider one, recording it in `delta.typeChanges`. `type` is a Delta type or Spark DDL text
 * (`BIGINT`, `DECIMAL(12,2)`). Returns the new version.
 */
export async function changeColumnType(engine: Engine, snapshot: Snapshot, column: string, type: DataType | string, options: ChangeColumnTypeOptions = {}): Promise<{ version: number }> {
  const to = typeof type === 'string' ? parseDdlType(type) : type;
  if (typeof to !== 'object' || to === null || typeof to.kind !== 'string') {
    throw new DeltaError('INVALID_ARGUMENT', `changeColumnType needs a data type (e.g. primitive('long')) or DDL text (e.g. "BIGINT"), got ${JSON.stringify(type)}.`);
  }
  const path = parseColumnPath(column);
  let snap = snapshot;
  for (let attempt = 0; ; attempt++) {
    const preview = supportsFeature(snap, 'typeWidening-preview');
    try {
      return await changeTypeOnce(engine, snap, path, to, { ...options, ...(preview ? { maxRetries: 0 } : {}) });
    } catch (e) {
      if (!preview || options.reload === undefined || !isDeltaError(e, 'MAX_COMMIT_RETRIES') || attempt >= 100) throw e;
      snap = await options.reload();
    }
  }
}

async function changeTypeOnce(engine: Engine, snapshot: Snapshot, path: readonly string[], to: DataType, options: AlterOptions & { maxRetries?: number }): Promise<{ version: number }> {
  const resolved = resolvePath(snapshot.schema, path);
  const from = resolved.type;
  const column = formatColumnPath(resolved.names);
  if (from.kind === 'struct' || from.kind === 'array' || from.kind === 'map') {
    if (sameType(from, to)) return changeAt(engine, snapshot, resolved, from, options);
    const nested = from.kind === 'struct' ? `its fields (${column}.${from.fields[0]?.name ?? 'field'})` : from.kind === 'array' ? `${column}.element` : `${column}.key or ${column}.value`;
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Cannot change column ${column} of the table at ${snapshot.tableRoot} from ${formatDataType(from)} to ${formatDataType(to)}: a ${from.kind} column cannot change type as a whole. Nothing was changed. Change the type of ${nested} instead.`,
      { details: { column, fromType: formatDataType(from), toType: formatDataType(to) } },
    );
  }
  if (sameType(from, to)) return changeAt(engine, snapshot, resolved, to, options);
  const isVoid = from.kind === 'primitive' && from.name === 'void';
  if (!isVoid) checkWidening(snapshot, column, from, to);
  refuseDependentRules(resolved.names, 'change the type of', snapshot.metadata, snapshot.schema, snapshot.protocol, snapshot.tableRoot);
  const record = isVoid ? undefined : { from: from as Atomic, to: to as Atomic, tableVersion: supportsFeature(snapshot, 'typeWidening-preview') ? snapshot.version + 1 : undefined };
  return changeAt(engine, snapshot, resolved, to, options, record);
}

interface TypeChangeRecord {
  readonly from: Atomic;
  readonly to: Atomic;
  /** Commit version, recorded for tables with the preview feature only (its readers use it). */
  readonly tableVersion: number | undefined;
}

/** Throws unless `from` → `to` is a widening this table allows (see the module doc). */
function checkWidening(snapshot: Snapshot, column: string, from: Atomic, to: DataType): void {
  const enabled = snapshot.properties['delta.enableTypeWidening']?.toLowerCase() === 'true' && (supportsFeature(snapshot, 'typeWidening') || supportsFeature(snapshot, 'typeWidening-preview'));
  const atomic = to.kind === 'primitive' || to.kind === 'decimal';
  const iceberg = icebergCompatible(snapshot.properties);
  const supported = atomic && isWritableWidening(from, to) && (!iceberg || icebergAllows(from, to));
  if (enabled && supported) return;
  const change = `from ${typeName(from)} to ${formatDataType(to)}`;
  const details = { column, fromType: typeName(from), toType: formatDataType(to), allowedChanges: ALLOWED_CHANGES };
  if (!enabled && supported) {
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Cannot change column ${column} of the table at ${snapshot.tableRoot} ${change}: the table does not enable type widening. Nothing was changed. Enable it first with setProperties({ 'delta.enableTypeWidening': 'true' }) (adds the typeWidening table feature), then retry.`,
      { details },
    );
  }
  throw new DeltaError(
    'UNSUPPORTED_OPERATION',
    `Cannot change column ${column} of the table at ${snapshot.tableRoot} ${change}: only widening type changes are allowed, and only on tables with delta.enableTypeWidening=true. The allowed changes are: ${ALLOWED_CHANGES.join('; ')}${iceberg ? ' (with Iceberg compatibility enabled only integer widenings, float to double, and decimal precision increases at the same scale)' : ''}. Nothing was changed. To store other values, add a new column and copy the data into it.`,
    { details },
  );
}

/** The widenings of the protocol's type widening section, as messages list them. */
export const ALLOWED_CHANGES: readonly string[] = [
  'byte → short → integer → long',
  'float → double',
  'byte, short, integer → double',
  'date → timestamp_ntz',
  'decimal(p,s) → decimal(p+k1,s+k2) with k1 ≥ k2 ≥ 0',
  'byte, short, integer → decimal(p,s) with p-s ≥ 10; long → decimal(p,s) with p-s ≥ 20',
];

/**
 * The widenings a writer may apply (the protocol's list). Readers also accept integer → decimal
 * changes with fewer integer digits, which preview writers recorded; writers may not make them.
 */
export function isWritableWidening(from: Atomic, to: Atomic): boolean {
  if (to.kind === 'primitive' && to.name === 'void') return false;
  if (from.kind === 'primitive' && to.kind === 'decimal' && ['byte', 'short', 'integer', 'long'].includes(from.name)) {
    return to.precision - to.scale >= (from.name === 'long' ? 20 : 10);
  }
  return isWideningSupported(from, to);
}

function icebergCompatible(props: Readonly<Record<string, string>>): boolean {
  const on = (k: string) => props[k]?.toLowerCase() === 'true';
  return on('delta.enableIcebergCompatV1') || on('delta.enableIcebergCompatV2') || on('delta.enableIcebergCompatV3');
}

/** Type promotions Iceberg readers support (Spark's `isTypeChangeSupportedByIceberg`). */
function icebergAllows(from: Atomic, to: Atomic): boolean {
  const ints = ['byte', 'short', 'integer', 'long'];
  if (from.kind === 'primitive' && to.kind === 'primitive') return (ints.includes(from.name) && ints.includes(to.name)) || (from.name === 'float' && to.name === 'double');
  return from.kind === 'decimal' && to.kind === 'decimal' && from.scale === to.scale && from.precision <= to.precision;
}

function supportsFeature(snapshot: Snapshot, feature: string): boolean {
  return supportedReaderFeatures(snapshot.protocol).has(feature) || supportedWriterFeatures(snapshot.protocol).has(feature);
}

function sameType(a: DataType, b: DataType): boolean {
  return JSON.stringify(stripNames(a)) === JSON.stringify(stripNames(b));
}

/** A type for comparison: struct fields by name (lower-cased), type and nullability; metadata ignored. */
function stripNames(t: DataType): unknown {
  switch (t.kind) {
    case 'struct':
      return { s: t.fields.map((f) => [f.name.toLowerCase(), stripNames(f.type), f.nullable]) };
    case 'array':
      return { a: stripNames(t.elementType), n: t.containsNull };
    case 'map':
      return { k: stripNames(t.keyType), v: stripNames(t.valueType), n: t.valueContainsNull };
    default:
      return formatDataType(t);
  }
}

/** The struct field a path ends at; element / key / value paths throw UNSUPPORTED_OPERATION. */
function structFieldAt(resolved: ResolvedPath, action: string, why: string): StructField {
  const last = resolved.steps[resolved.steps.length - 1];
  if (last === undefined) throw new DeltaError('INVALID_ARGUMENT', 'Name a column.');
  if (last.kind !== 'field') {
    throw new DeltaError('UNSUPPORTED_OPERATION', `Cannot ${action} ${formatColumnPath(resolved.names)}: ${why}. Nothing was changed.`, {
      details: { column: formatColumnPath(resolved.names) },
    });
  }
  return last.field;
}

/** Commits the field at the end of `resolved` replaced by `next`. */
async function changeField(engine: Engine, snapshot: Snapshot, resolved: ResolvedPath, next: StructField, options: AlterOptions): Promise<{ version: number }> {
  const parent = resolved.names.slice(0, -1);
  const index = (resolved.steps[resolved.steps.length - 1] as { index: number }).index;
  const schema = editStruct(snapshot.schema, parent, 'change a column', (s) => ({ kind: 'struct', fields: s.fields.map((f, i) => (i === index ? next : f)) }));
  return commitMetadataChange(engine, snapshot, { schema, operation: 'CHANGE COLUMN', operationParameters: { column: JSON.stringify(fieldForLog(parent, next)) } }, options);
}

/**
 * Commits the type at the end of `resolved` replaced by `to`, recording `record` in the
 * `delta.typeChanges` of the nearest struct field at or above the end of the path.
 */
async function changeAt(engine: Engine, snapshot: Snapshot, resolved: ResolvedPath, to: DataType, options: AlterOptions & { maxRetries?: number }, record?: TypeChangeRecord): Promise<{ version: number }> {
  let fieldDepth = resolved.steps.length - 1;
  while (fieldDepth >= 0 && resolved.steps[fieldDepth]!.kind !== 'field') fieldDepth--;
  if (fieldDepth < 0) throw new DeltaError('INVALID_ARGUMENT', `Column ${formatColumnPath(resolved.names)} does not name a column.`);
  const step = resolved.steps[fieldDepth] as { kind: 'field'; field: StructField; index: number };
  const below = resolved.names.slice(fieldDepth + 1);
  const field = step.field;
  const newType = replaceBelow(field.type, below, to);
  const changes = Array.isArray(field.metadata[TYPE_CHANGES_KEY]) ? [...(field.metadata[TYPE_CHANGES_KEY] as unknown[])] : [];
  if (record !== undefined) {
    changes.push({
      ...(record.tableVersion === undefined ? {} : { tableVersion: record.tableVersion }),
      fromType: typeName(record.from),
      toType: typeName(record.to),
      ...(below.length === 0 ? {} : { fieldPath: below.join('.') }),
    });
  }
  const next: StructField = { ...field, type: newType, metadata: changes.length === 0 ? field.metadata : { ...field.metadata, [TYPE_CHANGES_KEY]: changes } };
  const parent = resolved.names.slice(0, fieldDepth);
  const schema: StructType = editStruct(snapshot.schema, parent, 'change a column', (s) => ({ kind: 'struct', fields: s.fields.map((f, i) => (i === step.index ? next : f)) }));
  const logged: StructField = below.length === 0 ? { ...field, type: to } : { ...field, type: newType };
  return commitMetadataChange(engine, snapshot, { schema, operation: 'CHANGE COLUMN', operationParameters: { column: JSON.stringify(fieldForLog(parent, logged)) } }, options);
}

/** `type` with the type at the collection steps `below` (`element`, `key`, `value`) replaced by `to`. */
function replaceBelow(type: DataType, below: readonly string[], to: DataType): DataType {
  if (below.length === 0) return to;
  const [step, ...rest] = below;
  if (type.kind === 'array' && step === 'element') return { ...type, elementType: replaceBelow(type.elementType, rest, to) };
  if (type.kind === 'map' && step === 'key') return { ...type, keyType: replaceBelow(type.keyType, rest, to) };
  if (type.kind === 'map' && step === 'value') return { ...type, valueType: replaceBelow(type.valueType, rest, to) };
  throw new DeltaError('INTERNAL', `Unexpected path step ${String(step)} below a ${type.kind}.`);
}
