/**
 * ALTER TABLE ADD COLUMNS, as Delta Spark runs it: each new column goes at the end of its struct,
 * first (`FIRST`), or after a sibling (`AFTER col`, which may be a column added earlier in the
 * same list); a column may be added inside a struct (`s.d`), including structs in arrays
 * (`a.element.x`) and maps (`m.key.x`, `m.value.x`). New columns must be nullable (Spark refuses
 * NOT NULL, at any nesting level, because existing rows have no value). Existing data files lack
 * the columns, so they read as null there. On column-mapped tables the new fields get fresh ids
 * and `col-<uuid>` physical names, and `delta.columnMapping.maxColumnId` grows.
 */
import type { Engine } from '../../engine.js';
import { DeltaError } from '../../errors.js';
import { GENERATION_EXPRESSION_KEY, INVARIANTS_KEY } from '../../constraints/definitions.js';
import { COLUMN_ID_KEY, PHYSICAL_NAME_KEY, columnMappingMode } from '../../schema/column-mapping.js';
import { parseDdlColumnSpecs, type DdlColumnPosition } from '../../schema/ddl.js';
import { formatDataType } from '../../schema/json.js';
import type { DataType, StructField, StructType } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';
import { commitMetadataChange, type AlterOptions } from './commit.js';
import { editStruct, findFieldIndex, formatColumnPath, toPath, type ColumnRef } from './paths.js';
import { fieldForLog, refuseInvalidNames } from './schema-checks.js';

/** A column to add: a field, optionally placed first or after a sibling, optionally inside a struct. */
export type AddColumnSpec = StructField & {
  /** Place the column after this sibling (a name in the same struct). */
  readonly after?: string;
  /** Place the column first in its struct. */
  readonly first?: boolean;
  /** The struct to add the column into, as a column path (`s`, `a.element`) or its name parts; the top level when absent. */
  readonly parent?: ColumnRef;
};

interface NormalizedSpec {
  readonly parent: readonly string[];
  readonly field: StructField;
  readonly position?: DdlColumnPosition;
}

/** Metadata keys a new column may not carry: rules its existing (null) rows never obeyed, or ids of another table. */
const REFUSED_KEYS = [GENERATION_EXPRESSION_KEY, INVARIANTS_KEY, 'CURRENT_DEFAULT', 'EXISTS_DEFAULT'];

/** Adds columns (see the module doc). `columns` are fields or Spark DDL text. Returns the new version. */
export async function addColumns(engine: Engine, snapshot: Snapshot, columns: readonly AddColumnSpec[] | string, options: AlterOptions = {}): Promise<{ version: number }> {
  const specs = normalize(columns);
  if (specs.length === 0) throw new DeltaError('INVALID_ARGUMENT', 'addColumns needs at least one column to add. Pass fields or DDL text such as "c INT, s.d STRING AFTER a".');
  for (const s of specs) refuseNotNull(s.field, [...s.parent, s.field.name]);
  let schema = snapshot.schema;
  for (const s of specs) schema = addOne(schema, s);
  if (columnMappingMode(snapshot.metadata.configuration) === 'none') refuseInvalidNames(specs.map((s) => s.field), snapshot.tableRoot);
  return commitMetadataChange(
    engine,
    snapshot,
    {
      schema,
      operation: 'ADD COLUMNS',
      operationParameters: {
        columns: JSON.stringify(specs.map((s) => ({ column: fieldForLog(s.parent, s.field), ...(s.position === undefined ? {} : { position: positionText(s.position) }) }))),
      },
    },
    options,
  );
}

/** Spark's `ColumnPosition.toString`: `FIRST` or `AFTER <name>`. */
function positionText(p: DdlColumnPosition): string {
  return 'first' in p ? 'FIRST' : `AFTER ${p.after}`;
}

function normalize(columns: readonly AddColumnSpec[] | string): NormalizedSpec[] {
  if (typeof columns === 'string') {
    return parseDdlColumnSpecs(columns).map((c) => ({
      parent: c.path.slice(0, -1),
      field: clean(c.field),
      ...(c.position === undefined ? {} : { position: c.position }),
    }));
  }
  if (!Array.isArray(columns)) throw new DeltaError('INVALID_ARGUMENT', `addColumns takes an array of fields or DDL text, got ${typeof columns}.`);
  return columns.map((c: AddColumnSpec) => {
    if (typeof c !== 'object' || c === null || typeof c.name !== 'string' || c.name === '' || typeof c.type !== 'object') {
      throw new DeltaError('INVALID_ARGUMENT', `Every column to add needs a non-empty name and a type (e.g. field('c', primitive('integer'))), got ${JSON.stringify(c)}.`);
    }
    if (c.first === true && c.after !== undefined) {
      throw new DeltaError('INVALID_ARGUMENT', `Column ${c.name} is given both first and after "${c.after}". Pick one position.`);
    }
    const { after, first, parent, ...rest } = c;
    const field: StructField = { name: rest.name, type: rest.type, nullable: rest.nullable ?? true, metadata: rest.metadata ?? {} };
    const position: DdlColumnPosition | undefined = first === true ? { first: true } : after !== undefined ? { after } : undefined;
    return { parent: parent === undefined ? [] : toPath(parent), field: clean(field), ...(position === undefined ? {} : { position }) };
  });
}

/** The field without column mapping annotations (fresh ones are assigned) and refused rule metadata. */
function clean(f: StructField): StructField {
  const refused = REFUSED_KEYS.find((k) => k in f.metadata) ?? Object.keys(f.metadata).find((k) => k.startsWith('delta.identity.'));
  if (refused !== undefined) {
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Column ${f.name} cannot be added with metadata "${refused}": the rows already in the table have no value for it, so a rule or default on it cannot hold for them. Nothing was changed. Add the column without it.`,
      { details: { column: f.name, key: refused } },
    );
  }
  const { [COLUMN_ID_KEY]: _id, [PHYSICAL_NAME_KEY]: _name, ...metadata } = f.metadata;
  return { ...f, type: cleanType(f.type), metadata };
}

function cleanType(t: DataType): DataType {
  switch (t.kind) {
    case 'struct':
      return { kind: 'struct', fields: t.fields.map(clean) };
    case 'array':
      return { ...t, elementType: cleanType(t.elementType) };
    case 'map':
      return { ...t, keyType: cleanType(t.keyType), valueType: cleanType(t.valueType) };
    default:
      return t;
  }
}

/** Spark refuses NOT NULL anywhere in the added columns (existing rows would violate it). */
function refuseNotNull(f: StructField, path: readonly string[]): void {
  if (!f.nullable) {
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Column ${formatColumnPath(path)} cannot be added as NOT NULL: the rows already in the table have no value for it (Delta Spark refuses NOT NULL in ALTER TABLE ADD COLUMNS too). Nothing was changed. Add it as nullable; to enforce values from now on, add a CHECK constraint (addConstraint) such as "${path[path.length - 1]} IS NOT NULL" once every row has one.`,
      { details: { column: formatColumnPath(path) } },
    );
  }
  const visit = (t: DataType, at: readonly string[]): void => {
    if (t.kind === 'struct') for (const c of t.fields) refuseNotNull(c, [...at, c.name]);
    else if (t.kind === 'array') visit(t.elementType, [...at, 'element']);
    else if (t.kind === 'map') {
      visit(t.keyType, [...at, 'key']);
      visit(t.valueType, [...at, 'value']);
    }
  };
  visit(f.type, path);
}

function addOne(schema: StructType, spec: NormalizedSpec): StructType {
  return editStruct(schema, spec.parent, `add column ${spec.field.name}`, (struct, names) => {
    const where = names.length === 0 ? 'the table' : formatColumnPath(names);
    const lower = spec.field.name.toLowerCase();
    const existing = struct.fields.find((f) => f.name.toLowerCase() === lower);
    if (existing !== undefined) {
      throw new DeltaError(
        'INVALID_ARGUMENT',
        `Cannot add column ${formatColumnPath([...names, spec.field.name])}: ${where} already has a column "${existing.name}" (${formatDataType(existing.type)}); names are case-insensitive. Nothing was changed. Choose another name.`,
        { details: { column: formatColumnPath([...names, spec.field.name]) } },
      );
    }
    refuseDuplicateNested(spec.field.type, [...names, spec.field.name]);
    let index = struct.fields.length;
    if (spec.position !== undefined && 'first' in spec.position) index = 0;
    else if (spec.position !== undefined) {
      const after = findFieldIndex(struct.fields, spec.position.after);
      if (after < 0) {
        throw new DeltaError(
          'COLUMN_NOT_FOUND',
          `Cannot add column ${formatColumnPath([...names, spec.field.name])} after "${spec.position.after}": ${where} has no such column (it has ${struct.fields.map((f) => f.name).join(', ')}). Nothing was changed. Name an existing column of the same struct.`,
          { details: { column: spec.position.after } },
        );
      }
      index = after + 1;
    }
    const fields = [...struct.fields];
    fields.splice(index, 0, spec.field);
    return { kind: 'struct', fields };
  });
}

function refuseDuplicateNested(t: DataType, path: readonly string[]): void {
  if (t.kind === 'array') return refuseDuplicateNested(t.elementType, [...path, 'element']);
  if (t.kind === 'map') {
    refuseDuplicateNested(t.keyType, [...path, 'key']);
    return refuseDuplicateNested(t.valueType, [...path, 'value']);
  }
  if (t.kind !== 'struct') return;
  const seen = new Set<string>();
  for (const f of t.fields) {
    const k = f.name.toLowerCase();
    if (seen.has(k)) throw new DeltaError('INVALID_ARGUMENT', `Column ${formatColumnPath([...path, f.name])} is defined twice (names are case-insensitive). Nothing was changed. Give every field a distinct name.`);
    seen.add(k);
    refuseDuplicateNested(f.type, [...path, f.name]);
  }
}
