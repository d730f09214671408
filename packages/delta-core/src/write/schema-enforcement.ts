/**
 * Schema enforcement for writes, as Delta Spark does it: the data's schema is compared with the
 * table's before anything is written, and every offending column is reported in ONE
 * SCHEMA_MISMATCH error with the way to fix it.
 *
 * Rules (names match case-insensitively, at every nesting level):
 * - a table column missing from the data is filled with nulls when nullable (computed when it is a
 *   generated column), an error otherwise;
 * - a data column missing from the table is an error, unless `mergeSchema` adds it (nullable);
 * - a narrower data type the table type holds exactly (int into long, float into double,
 *   decimal(5,2) into decimal(10,4), date into timestamp_ntz) is upcast silently;
 * - a wider data type is an error, unless `mergeSchema` is set, the table enables type widening
 *   (`delta.enableTypeWidening`) and the change is a supported widening: then the table type is
 *   widened and the change recorded in the field's `delta.typeChanges`;
 * - any other type difference is an error.
 * Null values in non-nullable columns are checked on the data (see {@link nullViolations}).
 */
import { Type } from 'apache-arrow';
import type { Data, RecordBatch } from 'apache-arrow';
import { GENERATION_EXPRESSION_KEY } from '../constraints/definitions.js';
import { DeltaError } from '../errors.js';
import { formatDataType, typeName } from '../schema/json.js';
import { isWideningSupported, TYPE_CHANGES_KEY } from '../schema/type-widening.js';
import type { DataType, DecimalType, PrimitiveType, StructField, StructType } from '../schema/types.js';

export interface ReconcileOptions {
  /** Add data columns the table lacks, and widen types when the table allows it. */
  readonly mergeSchema: boolean;
  /** The table sets `delta.enableTypeWidening=true`. */
  readonly typeWidening: boolean;
}

export interface ReconcileResult {
  /** The table schema after this write: unchanged, or with new columns / widened types. */
  readonly schema: StructType;
  readonly changed: boolean;
}

/** One offending column: its path, what is wrong, and which fix applies. */
export interface SchemaProblem {
  readonly path: string;
  readonly problem: string;
  readonly fix: 'mergeSchema' | 'cast' | 'provide' | 'overwriteSchema' | 'rename';
}

type Atomic = PrimitiveType | DecimalType;

const FIXES: Record<SchemaProblem['fix'], string> = {
  mergeSchema: 'pass mergeSchema: true to add the new columns to the table schema',
  cast: "cast the data to the table's column types; for a supported widening set the table property delta.enableTypeWidening=true and pass mergeSchema: true; or replace the schema with mode 'overwrite' and overwriteSchema: true",
  provide: 'provide the non-nullable columns in the data',
  overwriteSchema: "write with mode 'overwrite' and overwriteSchema: true to change the table's partitioning",
  rename: 'give every column a distinct name (names are case-insensitive)',
};

/**
 * Compares the data schema `input` with the table schema `table` (rules in the module comment)
 * and returns the table schema after the write. `extra` problems (partitioning) join the report.
 * Throws SCHEMA_MISMATCH listing every problem.
 */
export function reconcileSchema(table: StructType, input: StructType, options: ReconcileOptions, extra: readonly SchemaProblem[] = []): ReconcileResult {
  const problems: SchemaProblem[] = [...extra];
  const ctx = { options, problems, changed: false };
  const schema = reconcileStruct(table, input, '', ctx);
  if (problems.length > 0) throw schemaMismatchError(problems);
  return { schema, changed: ctx.changed };
}

/** The SCHEMA_MISMATCH error for a list of problems: one line per column, then the fixes. */
export function schemaMismatchError(problems: readonly SchemaProblem[]): DeltaError {
  const lines = problems.map((p) => `  - ${p.path}: ${p.problem}`);
  const fixes = [...new Set(problems.map((p) => p.fix))].map((f) => FIXES[f]);
  return new DeltaError(
    'SCHEMA_MISMATCH',
    `The data does not match the table schema; nothing was written. Offending columns:\n${lines.join('\n')}\nTo fix: ${fixes.join('; or ')}.`,
    { details: { problems: problems.map((p) => ({ path: p.path, problem: p.problem })) } },
  );
}

interface Ctx {
  readonly options: ReconcileOptions;
  readonly problems: SchemaProblem[];
  changed: boolean;
}

const join = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);

function reconcileStruct(table: StructType, input: StructType, path: string, ctx: Ctx): StructType {
  const byName = new Map<string, StructField>();
  for (const f of input.fields) {
    const key = f.name.toLowerCase();
    if (byName.has(key)) ctx.problems.push({ path: join(path, f.name), problem: 'appears more than once in the data', fix: 'rename' });
    byName.set(key, f);
  }
  const used = new Set<string>();
  const fields: StructField[] = table.fields.map((t) => {
    const key = t.name.toLowerCase();
    const i = byName.get(key);
    const p = join(path, t.name);
    if (i === undefined) {
      // A generated column the data lacks is computed (write/checks.ts); its nulls are checked then.
      const generated = path === '' && GENERATION_EXPRESSION_KEY in t.metadata;
      if (!t.nullable && !generated) ctx.problems.push({ path: p, problem: `is missing from the data and is not nullable (${formatDataType(t.type)} NOT NULL)`, fix: 'provide' });
      return t;
    }
    used.add(key);
    return reconcileField(t, i, p, ctx);
  });
  for (const f of input.fields) {
    if (used.has(f.name.toLowerCase())) continue;
    used.add(f.name.toLowerCase());
    const p = join(path, f.name);
    if (ctx.options.mergeSchema) {
      fields.push({ ...f, nullable: true, metadata: {} });
      ctx.changed = true;
    } else {
      ctx.problems.push({ path: p, problem: `is in the data (${formatDataType(f.type)}) but not in the table`, fix: 'mergeSchema' });
    }
  }
  return { kind: 'struct', fields };
}

function reconcileField(t: StructField, i: StructField, path: string, ctx: Ctx): StructField {
  const type = reconcileType(t.type, i.type, path, ctx);
  if (type === t.type || !isAtomic(t.type) || !isAtomic(type)) return type === t.type ? t : { ...t, type };
  // A widened atomic column records the change, as the typeWidening feature requires.
  const changes = Array.isArray(t.metadata[TYPE_CHANGES_KEY]) ? [...(t.metadata[TYPE_CHANGES_KEY] as unknown[])] : [];
  changes.push({ toType: typeName(type), fromType: typeName(t.type) });
  ctx.changed = true;
  return { ...t, type, metadata: { ...t.metadata, [TYPE_CHANGES_KEY]: changes } };
}

function reconcileType(t: DataType, i: DataType, path: string, ctx: Ctx): DataType {
  if (t.kind === 'struct' && i.kind === 'struct') return reconcileStruct(t, i, path, ctx);
  if (t.kind === 'array' && i.kind === 'array') {
    const element = reconcileNested(t.elementType, i.elementType, `${path}.element`, ctx);
    return element === t.elementType ? t : { ...t, elementType: element };
  }
  if (t.kind === 'map' && i.kind === 'map') {
    const key = reconcileNested(t.keyType, i.keyType, `${path}.key`, ctx);
    const value = reconcileNested(t.valueType, i.valueType, `${path}.value`, ctx);
    return key === t.keyType && value === t.valueType ? t : { ...t, keyType: key, valueType: value };
  }
  if (isAtomic(t) && isAtomic(i)) return reconcileAtomic(t, i, path, ctx);
  ctx.problems.push({ path, problem: `has type ${formatDataType(i)} in the data but ${formatDataType(t)} in the table`, fix: 'cast' });
  return t;
}

/** Inside arrays and maps only structs evolve; atomic element types must already fit. */
function reconcileNested(t: DataType, i: DataType, path: string, ctx: Ctx): DataType {
  if (isAtomic(t) && isAtomic(i) && !sameAtomic(t, i)) {
    if (!isSilentUpcast(i, t)) ctx.problems.push({ path, problem: `has type ${typeName(i)} in the data but ${typeName(t)} in the table`, fix: 'cast' });
    return t;
  }
  return reconcileType(t, i, path, ctx);
}

function reconcileAtomic(t: Atomic, i: Atomic, path: string, ctx: Ctx): Atomic {
  if (sameAtomic(t, i) || isSilentUpcast(i, t)) return t;
  const { mergeSchema, typeWidening } = ctx.options;
  if (mergeSchema && typeWidening && isWideningSupported(t, i)) {
    ctx.changed = true;
    return i;
  }
  const widenable = isWideningSupported(t, i);
  const why = widenable && !typeWidening ? ' (a widening the table allows only with delta.enableTypeWidening=true and mergeSchema)' : widenable ? ' (pass mergeSchema: true to widen the column)' : '';
  ctx.problems.push({ path, problem: `has type ${typeName(i)} in the data but ${typeName(t)} in the table${why}`, fix: 'cast' });
  return t;
}

/**
 * Data of type `from` stored into a column of type `to` without loss and without a schema change.
 * Integers into decimals are excluded: data files store those unscaled, so the cast would be
 * ambiguous; cast them in the data.
 */
function isSilentUpcast(from: Atomic, to: Atomic): boolean {
  if (to.kind === 'decimal' && from.kind !== 'decimal') return false;
  return isWideningSupported(from, to);
}

function isAtomic(t: DataType): t is Atomic {
  return t.kind === 'primitive' || t.kind === 'decimal';
}

function sameAtomic(a: Atomic, b: Atomic): boolean {
  return typeName(a) === typeName(b);
}

/** A non-nullable column holding nulls in the data. */
export interface NullViolation {
  readonly path: string;
  count: number;
  /** `row` for fields (one per row), `value` inside arrays and maps. */
  readonly unit: 'row' | 'value';
}

/**
 * Null values where `schema` forbids them in `batch` (a batch in the logical shape of `schema`):
 * non-nullable fields (counted in rows), array elements with `containsNull: false`, map values
 * with `valueContainsNull: false` and map keys (counted in values). Nested values count only
 * where every enclosing value is non-null. Adds to `into` (keyed by path) and returns it.
 */
export function nullViolations(batch: RecordBatch, schema: StructType, into: Map<string, NullViolation> = new Map()): Map<string, NullViolation> {
  const record = (path: string, nulls: number, unit: 'row' | 'value'): void => {
    if (nulls === 0) return;
    const v = into.get(path) ?? { path, count: 0, unit };
    v.count += nulls;
    into.set(path, v);
  };
  const visit = (type: DataType, d: Data, valid: Uint8Array | null, path: string, length: number, unit: 'row' | 'value'): void => {
    if (type.kind === 'struct' && d.typeId === Type.Struct) {
      type.fields.forEach((f, k) => {
        const c = d.children[k];
        if (c === undefined) return;
        const p = join(path, f.name);
        if (!f.nullable) record(p, countNulls(c, valid, length), unit);
        visit(f.type, c, validity(c, valid, length), p, length, unit);
      });
    } else if (type.kind === 'array' && (d.typeId === Type.List || d.typeId === Type.LargeList)) {
      const element = d.children[0]!;
      const inValid = expandToChildren(d, valid, length, element.length);
      const p = `${path}.element`;
      if (!type.containsNull) record(p, countNulls(element, inValid, element.length), 'value');
      visit(type.elementType, element, validity(element, inValid, element.length), p, element.length, 'value');
    } else if (type.kind === 'map' && d.typeId === Type.Map) {
      const entries = d.children[0]!;
      const inValid = expandToChildren(d, valid, length, entries.length);
      const [key, value] = [entries.children[0]!, entries.children[1]!];
      record(`${path}.key`, countNulls(key, inValid, entries.length), 'value');
      if (!type.valueContainsNull) record(`${path}.value`, countNulls(value, inValid, entries.length), 'value');
      visit(type.keyType, key, validity(key, inValid, entries.length), `${path}.key`, entries.length, 'value');
      visit(type.valueType, value, validity(value, inValid, entries.length), `${path}.value`, entries.length, 'value');
    }
  };
  visit(schema, batch.data, null, '', batch.numRows, 'row');
  return into;
}

/**
 * Which child rows of a list or map `d` belong to a valid parent row: arrow-js slices a list's
 * offsets with the list, while offsets index its (unsliced) child.
 */
function expandToChildren(d: Data, valid: Uint8Array | null, length: number, childLength: number): Uint8Array {
  const offsets = d.valueOffsets as ArrayLike<number | bigint>;
  const out = new Uint8Array(childLength);
  for (let i = 0; i < length; i++) {
    if (valid !== null && valid[i] !== 1) continue;
    out.fill(1, Number(offsets[i]), Number(offsets[i + 1]));
  }
  return out;
}

/** Null rows of `d` among rows whose parent is valid. */
function countNulls(d: Data, parentValid: Uint8Array | null, length: number): number {
  if (d.typeId === Type.Null) return parentValid === null ? length : parentValid.reduce((a, b) => a + b, 0);
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return 0;
  const bm = d.nullBitmap;
  let n = 0;
  for (let i = 0; i < length; i++) {
    const j = d.offset + i;
    if (((bm[j >> 3]! >> (j & 7)) & 1) === 0 && (parentValid === null || parentValid[i] === 1)) n++;
  }
  return n;
}

function validity(d: Data, parentValid: Uint8Array | null, length: number): Uint8Array | null {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return parentValid;
  const bm = d.nullBitmap;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const j = d.offset + i;
    out[i] = ((bm[j >> 3]! >> (j & 7)) & 1) & (parentValid === null ? 1 : parentValid[i]!);
  }
  return out;
}

/** The SCHEMA_MISMATCH error for null values in non-nullable columns. */
export function nullViolationError(violations: Iterable<NullViolation>): DeltaError {
  const list = [...violations];
  const lines = list.map((v) => `  - ${v.path}: ${v.count} ${v.unit}${v.count === 1 ? '' : 's'} with null`);
  return new DeltaError(
    'SCHEMA_MISMATCH',
    `The data has null values in non-nullable columns; nothing was committed:\n${lines.join('\n')}\nTo fix: fill in the values (or filter those rows out) before writing; a column's nullability can only be relaxed by replacing the schema (mode 'overwrite' with overwriteSchema: true).`,
    { details: { violations: list.map((v) => ({ path: v.path, count: v.count })) } },
  );
}
