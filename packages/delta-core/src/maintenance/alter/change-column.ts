/**
 * ALTER TABLE ALTER / CHANGE COLUMN, as Delta Spark runs it (`AlterTableChangeColumnDeltaCommand`):
 * per column a comment (`COMMENT '...'`), a wider type (`TYPE t`, type widening), DROP NOT NULL,
 * or a new place in its struct (`FIRST`, `AFTER c`); several columns in one commit
 * (`CHANGE COLUMNS`), one column as `CHANGE COLUMN`. Columns keep their other metadata (column
 * mapping id and physical name, so data files still resolve). SET NOT NULL is refused, as Delta
 * refuses tightening nullability.
 *
 * Type changes follow `SchemaUtils.canChangeDataType`: struct, array and map columns cannot change
 * type as a whole (change their nested fields, `element`, `key` or `value`, instead); an atomic
 * type may only be widened (see `widening-rules.ts`). Each widening is recorded in the
 * `delta.typeChanges` metadata of the nearest struct field at or above it (`fieldPath` naming the
 * `element` / `key` / `value` steps below that field), which readers use to widen older files.
 */
import type { Engine } from '../../engine.js';
import { DeltaError, isDeltaError } from '../../errors.js';
import { parseDdlType } from '../../schema/ddl.js';
import { formatDataType, typeName } from '../../schema/json.js';
import { TYPE_CHANGES_KEY } from '../../schema/type-widening.js';
import type { DataType, StructField, StructType } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';
import { commitMetadataChange, type AlterOptions } from './commit.js';
import { refuseDependentRules } from './dependents.js';
import { editStruct, findFieldIndex, formatColumnPath, isPrefixOf, resolvePath, toPath, type ColumnRef, type ResolvedPath } from './paths.js';
import { fieldForLog } from './schema-checks.js';
import { checkWidening, sameType, supportsFeature, type Atomic } from './widening-rules.js';

/** Where a column goes within its struct. */
export type ColumnPosition = { readonly first: true } | { readonly after: string };

/** The changes to one column (at least one of them). */
export interface ColumnChangeSpec {
  /** The column: a path (`s.a`, `` `a.b` ``, `arr.element`) or its name parts. */
  readonly column: ColumnRef;
  /** A wider type (Delta type or Spark DDL text such as `BIGINT`). */
  readonly type?: DataType | string;
  readonly comment?: string;
  /** `true` drops NOT NULL; `false` (SET NOT NULL) is refused unless the column already is NOT NULL. */
  readonly nullable?: boolean;
  readonly position?: ColumnPosition;
}

export interface AlterColumnsOptions extends AlterOptions {
  /**
   * Loads the latest snapshot again. Tables with the `typeWidening-preview` feature record the
   * commit version in each type change, so a lost commit race is retried by replanning on the
   * latest snapshot instead of rebasing the same actions.
   */
  readonly reload?: () => Promise<Snapshot>;
}

interface Normalized {
  readonly path: readonly string[];
  readonly type?: DataType;
  readonly comment?: string;
  readonly nullable?: boolean;
  readonly position?: ColumnPosition;
}

/** Applies column changes in one commit (see the module doc). Returns the new version. */
export async function alterColumns(engine: Engine, snapshot: Snapshot, changes: readonly ColumnChangeSpec[], options: AlterColumnsOptions = {}): Promise<{ version: number }> {
  const specs = normalize(changes);
  let snap = snapshot;
  for (let attempt = 0; ; attempt++) {
    const preview = specs.some((s) => s.type !== undefined) && supportsFeature(snap, 'typeWidening-preview');
    try {
      const { schema, logged } = plan(snap, specs);
      const operationParameters =
        logged.length === 1 ? { column: JSON.stringify(logged[0]!.column), ...(logged[0]!.position === undefined ? {} : { position: logged[0]!.position }) } : { columns: JSON.stringify(logged.map((l) => ({ ...l.column, ...(l.position === undefined ? {} : { position: l.position }) }))) };
      return await commitMetadataChange(engine, snap, { schema, operation: logged.length === 1 ? 'CHANGE COLUMN' : 'CHANGE COLUMNS', operationParameters }, { ...options, ...(preview ? { maxRetries: 0 } : {}) });
    } catch (e) {
      if (!preview || options.reload === undefined || !isDeltaError(e, 'MAX_COMMIT_RETRIES') || attempt >= 100) throw e;
      snap = await options.reload();
    }
  }
}

/** Sets (replaces) the comment of a column, nested fields included. Returns the new version. */
export function setColumnComment(engine: Engine, snapshot: Snapshot, column: ColumnRef, comment: string, options: AlterOptions = {}): Promise<{ version: number }> {
  if (typeof comment !== 'string') throw new DeltaError('INVALID_ARGUMENT', `A column comment must be text, got ${typeof comment}.`);
  return alterColumns(engine, snapshot, [{ column, comment }], options);
}

/** Makes a NOT NULL column nullable (`ALTER COLUMN c DROP NOT NULL`). Returns the new version. */
export function dropNotNull(engine: Engine, snapshot: Snapshot, column: ColumnRef, options: AlterOptions = {}): Promise<{ version: number }> {
  return alterColumns(engine, snapshot, [{ column, nullable: true }], options);
}

/**
 * Changes the type of a column (nested fields, array elements and map keys / values included) to
 * a wider one, recording it in `delta.typeChanges`. Returns the new version.
 */
export function changeColumnType(engine: Engine, snapshot: Snapshot, column: ColumnRef, type: DataType | string, options: AlterColumnsOptions = {}): Promise<{ version: number }> {
  return alterColumns(engine, snapshot, [{ column, type }], options);
}

function normalize(changes: readonly ColumnChangeSpec[]): Normalized[] {
  if (!Array.isArray(changes) || changes.length === 0) throw new DeltaError('INVALID_ARGUMENT', 'alterColumns needs at least one column change, e.g. [{ column: "a", comment: "..." }].');
  const out = changes.map((c: ColumnChangeSpec): Normalized => {
    const path = toPath(c.column);
    if (c.type === undefined && c.comment === undefined && c.nullable === undefined && c.position === undefined) {
      throw new DeltaError('INVALID_ARGUMENT', `The change to column ${formatColumnPath(path)} changes nothing: give a type, comment, nullable or position.`);
    }
    if (c.comment !== undefined && typeof c.comment !== 'string') throw new DeltaError('INVALID_ARGUMENT', `A column comment must be text, got ${typeof c.comment}.`);
    const type = typeof c.type === 'string' ? parseDdlType(c.type) : c.type;
    if (type !== undefined && (typeof type !== 'object' || type === null || typeof type.kind !== 'string')) {
      throw new DeltaError('INVALID_ARGUMENT', `A column type must be a data type (e.g. primitive('long')) or DDL text (e.g. "BIGINT"), got ${JSON.stringify(c.type)}.`);
    }
    return { path, ...(type === undefined ? {} : { type }), ...(c.comment === undefined ? {} : { comment: c.comment }), ...(c.nullable === undefined ? {} : { nullable: c.nullable }), ...(c.position === undefined ? {} : { position: c.position }) };
  });
  out.forEach((a, i) =>
    out.slice(i + 1).forEach((b) => {
      if (isPrefixOf(a.path, b.path) || isPrefixOf(b.path, a.path)) {
        throw new DeltaError('INVALID_ARGUMENT', `Columns ${formatColumnPath(a.path)} and ${formatColumnPath(b.path)} are changed in the same ALTER COLUMN; change a column (or a column and its nested fields) once per statement.`);
      }
    }),
  );
  return out;
}

interface Logged {
  readonly column: Record<string, unknown>;
  readonly position?: string;
}

/** The schema after the changes, and each change as Spark logs it. */
function plan(snapshot: Snapshot, specs: readonly Normalized[]): { schema: StructType; logged: Logged[] } {
  let schema = snapshot.schema;
  const logged: Logged[] = [];
  for (const spec of specs) {
    const before = resolvePath(schema, spec.path);
    if (spec.type !== undefined) schema = changeType(snapshot, schema, before, spec.type);
    const resolved = resolvePath(schema, spec.path);
    const last = resolved.steps[resolved.steps.length - 1]!;
    const column = formatColumnPath(resolved.names);
    if (last.kind !== 'field') {
      if (spec.comment !== undefined) throw unsupported(`Cannot set a comment on ${column}: comments belong to struct fields; set it on the ${resolved.names[resolved.names.length - 2]} column itself`, column);
      if (spec.nullable !== undefined) throw unsupported(`Cannot change the nullability of ${column}: Delta does not change the nullability of array elements and map keys or values`, column);
      if (spec.position !== undefined) throw unsupported(`Cannot move ${column}: array elements and map keys and values have no position`, column);
      logged.push({ column: { name: column, type: typeForLog(resolved.type), nullable: containsNull(resolved), metadata: {} } });
      continue;
    }
    const original = (before.steps[before.steps.length - 1] as { field: StructField }).field;
    if (spec.nullable === false && last.field.nullable) {
      throw unsupported(`Cannot change column ${column} to NOT NULL: Delta does not tighten the nullability of an existing column (rows already written may hold nulls)`, column, 'Add a CHECK constraint instead (addConstraint, e.g. "c IS NOT NULL"), which checks the existing rows');
    }
    let next: StructField = last.field;
    if (spec.comment !== undefined) next = { ...next, metadata: { ...next.metadata, comment: spec.comment } };
    if (spec.nullable === true) next = { ...next, nullable: true };
    const parent = resolved.names.slice(0, -1);
    schema = editStruct(schema, parent, 'change a column', (s, at) => place(s.fields.map((f, i) => (i === last.index ? next : f)), next, last.index, spec.position, at));
    const forLog: StructField = { ...original, type: next.type, nullable: next.nullable, metadata: spec.comment === undefined ? original.metadata : { ...original.metadata, comment: spec.comment } };
    logged.push({ column: fieldForLog(parent, forLog), ...(spec.position === undefined ? {} : { position: 'first' in spec.position ? 'FIRST' : `AFTER ${spec.position.after}` }) });
  }
  return { schema, logged };
}

/** The struct's fields with `field` (at `index`) moved to `position` (Spark's `reorderFieldList`). */
function place(fields: StructField[], field: StructField, index: number, position: ColumnPosition | undefined, at: readonly string[]): StructType {
  if (position === undefined) return { kind: 'struct', fields };
  const rest = fields.filter((_, i) => i !== index);
  if ('first' in position) return { kind: 'struct', fields: [field, ...rest] };
  if (position.after.toLowerCase() === field.name.toLowerCase()) return { kind: 'struct', fields };
  const after = findFieldIndex(rest, position.after);
  if (after < 0) {
    throw new DeltaError('COLUMN_NOT_FOUND', `Cannot move column ${formatColumnPath([...at, field.name])} after "${position.after}": ${at.length === 0 ? 'the table' : formatColumnPath(at)} has no such column. Nothing was changed. Name a column of the same struct.`, {
      details: { column: position.after },
    });
  }
  return { kind: 'struct', fields: [...rest.slice(0, after + 1), field, ...rest.slice(after + 1)] };
}

/** `schema` with the type at the end of `resolved` changed to `to` (checked, and recorded when it widens). */
function changeType(snapshot: Snapshot, schema: StructType, resolved: ResolvedPath, to: DataType): StructType {
  const from = resolved.type;
  const column = formatColumnPath(resolved.names);
  if (sameType(from, to)) return schema;
  if (from.kind === 'struct' || from.kind === 'array' || from.kind === 'map') {
    const nested = from.kind === 'struct' ? `its fields (${column}.${from.fields[0]?.name ?? 'field'})` : from.kind === 'array' ? `${column}.element` : `${column}.key or ${column}.value`;
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Cannot change column ${column} of the table at ${snapshot.tableRoot} from ${formatDataType(from)} to ${formatDataType(to)}: a ${from.kind} column cannot change type as a whole. Nothing was changed. Change the type of ${nested} instead.`,
      { details: { column, fromType: formatDataType(from), toType: formatDataType(to) } },
    );
  }
  // A void column holds no data, so any type fits it and nothing is recorded.
  const isVoid = from.kind === 'primitive' && from.name === 'void';
  if (!isVoid) checkWidening(snapshot, column, from, to);
  refuseDependentRules(resolved.names, 'change the type of', snapshot.metadata, snapshot.schema, snapshot.protocol, snapshot.tableRoot);
  let depth = resolved.steps.length - 1;
  while (resolved.steps[depth]!.kind !== 'field') depth--;
  const step = resolved.steps[depth] as { field: StructField; index: number };
  const below = resolved.names.slice(depth + 1);
  const field = step.field;
  const changes = Array.isArray(field.metadata[TYPE_CHANGES_KEY]) ? [...(field.metadata[TYPE_CHANGES_KEY] as unknown[])] : [];
  if (!isVoid) {
    const tableVersion = supportsFeature(snapshot, 'typeWidening-preview') ? snapshot.version + 1 : undefined;
    changes.push({ ...(tableVersion === undefined ? {} : { tableVersion }), fromType: typeName(from as Atomic), toType: typeName(to as Atomic), ...(below.length === 0 ? {} : { fieldPath: below.join('.') }) });
  }
  const next: StructField = { ...field, type: replaceBelow(field.type, below, to), metadata: changes.length === 0 ? field.metadata : { ...field.metadata, [TYPE_CHANGES_KEY]: changes } };
  return editStruct(schema, resolved.names.slice(0, depth), 'change a column', (s) => ({ kind: 'struct', fields: s.fields.map((f, i) => (i === step.index ? next : f)) }));
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

/** Whether the array element or map value at the end of a collection path may be null (map keys never). */
function containsNull(resolved: ResolvedPath): boolean {
  const step = resolved.steps[resolved.steps.length - 1]!;
  const parent = resolved.steps.length >= 2 ? resolved.steps[resolved.steps.length - 2]! : undefined;
  const container = parent === undefined ? undefined : parent.kind === 'field' ? parent.field.type : parent.type;
  if (step.kind === 'element' && container?.kind === 'array') return container.containsNull;
  if (step.kind === 'value' && container?.kind === 'map') return container.valueContainsNull;
  return false;
}

function typeForLog(t: DataType): string {
  return t.kind === 'struct' || t.kind === 'array' || t.kind === 'map' ? t.kind : formatDataType(t);
}

function unsupported(problem: string, column: string, fix?: string): DeltaError {
  return new DeltaError('UNSUPPORTED_OPERATION', `${problem}. Nothing was changed.${fix === undefined ? '' : ` ${fix}.`}`, { details: { column } });
}
