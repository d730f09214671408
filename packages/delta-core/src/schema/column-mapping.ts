/**
 * Column mapping (protocol §Column Mapping): logical column names in the schema versus physical
 * names and field ids in data files, partition values and statistics.
 *
 * Mode `none` resolves by logical name; `name` by `delta.columnMapping.physicalName`; `id` by
 * parquet field id (`delta.columnMapping.id`). In mode `none`, stale annotations left after a
 * downgrade are ignored. Callers gate the mode on the protocol (column mapping must be supported
 * by the table's protocol for the property to count).
 */
import type { Field } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import type { DataType, StructField, StructType } from './types.js';

export type ColumnMappingMode = 'none' | 'name' | 'id';

export const COLUMN_MAPPING_MODE_KEY = 'delta.columnMapping.mode';
export const PHYSICAL_NAME_KEY = 'delta.columnMapping.physicalName';
export const COLUMN_ID_KEY = 'delta.columnMapping.id';
/** Arrow field metadata key carrying a parquet field id (read and written by the parquet handler). */
export const PARQUET_FIELD_ID_KEY = 'PARQUET:field_id';

/**
 * The column mapping mode from `metaData.configuration` (absent means `none`; the value is
 * case-insensitive, as in Spark). An unknown mode throws UNSUPPORTED_READER_FEATURE.
 */
export function columnMappingMode(configuration: Readonly<Record<string, string>> | undefined): ColumnMappingMode {
  const raw = configuration?.[COLUMN_MAPPING_MODE_KEY];
  if (raw === undefined) return 'none';
  const mode = raw.toLowerCase();
  if (mode === 'none' || mode === 'name' || mode === 'id') return mode;
  throw new DeltaError(
    'UNSUPPORTED_READER_FEATURE',
    `The table property ${COLUMN_MAPPING_MODE_KEY} is "${raw}", which is not a column mapping mode deltakit knows (none, name, id). ` +
      'The table was written by a newer engine; read it with an engine that supports this mode.',
    { details: { property: COLUMN_MAPPING_MODE_KEY, value: raw } },
  );
}

/**
 * The name of `field` in data files, partition values and statistics. In modes `name` and `id`
 * the field must carry `delta.columnMapping.physicalName` (INVALID_SCHEMA otherwise).
 */
export function physicalName(field: StructField, mode: ColumnMappingMode): string {
  if (mode === 'none') return field.name;
  const name = field.metadata[PHYSICAL_NAME_KEY];
  if (typeof name !== 'string' || name === '') {
    throw new DeltaError(
      'INVALID_SCHEMA',
      `Column "${field.name}" has no ${PHYSICAL_NAME_KEY} although the table uses column mapping mode "${mode}". ` +
        'Every field needs a physical name in this mode; the table metadata is corrupt or was written by a non-conforming writer.',
      { details: { column: field.name, mode } },
    );
  }
  return name;
}

/** The column mapping id of `field` (`delta.columnMapping.id`), or undefined when absent. */
export function columnId(field: StructField): number | undefined {
  const raw = field.metadata[COLUMN_ID_KEY];
  if (raw === undefined) return undefined;
  const id = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
    throw new DeltaError(
      'INVALID_SCHEMA',
      `Column "${field.name}" has ${COLUMN_ID_KEY} ${String(raw)}, which is not a 32-bit non-negative integer. The table metadata is corrupt.`,
      { details: { column: field.name } },
    );
  }
  return id;
}

/**
 * The physical schema: every struct field (at every nesting level, inside arrays and maps too)
 * renamed to its physical name; metadata (with the column ids) kept. Identity in mode `none`.
 */
export function toPhysicalSchema(schema: StructType, mode: ColumnMappingMode): StructType {
  if (mode === 'none') return schema;
  return physicalType(schema, mode) as StructType;
}

function physicalType(type: DataType, mode: ColumnMappingMode): DataType {
  switch (type.kind) {
    case 'struct':
      return { kind: 'struct', fields: type.fields.map((f) => ({ ...f, name: physicalName(f, mode), type: physicalType(f.type, mode) })) };
    case 'array':
      return { ...type, elementType: physicalType(type.elementType, mode) };
    case 'map':
      return { ...type, keyType: physicalType(type.keyType, mode), valueType: physicalType(type.valueType, mode) };
    default:
      return type;
  }
}

/**
 * Checks the column mapping invariants of a schema in mode `name` or `id`: every field has a
 * physical name and an id, ids are unique across the schema, and sibling physical names are
 * unique. Throws INVALID_SCHEMA naming the first offending column.
 */
export function validateColumnMapping(schema: StructType, mode: ColumnMappingMode): void {
  if (mode === 'none') return;
  const ids = new Map<number, string>();
  const visit = (type: DataType, path: string): void => {
    if (type.kind === 'array') return visit(type.elementType, `${path}.element`);
    if (type.kind === 'map') {
      visit(type.keyType, `${path}.key`);
      return visit(type.valueType, `${path}.value`);
    }
    if (type.kind !== 'struct') return;
    const siblings = new Set<string>();
    for (const f of type.fields) {
      const fieldPath = path === '' ? f.name : `${path}.${f.name}`;
      const phys = physicalName(f, mode);
      const id = columnId(f);
      if (id === undefined) throw invalidMapping(fieldPath, `has no ${COLUMN_ID_KEY}`);
      const other = ids.get(id);
      if (other !== undefined) throw invalidMapping(fieldPath, `reuses column id ${id} of "${other}"`);
      ids.set(id, fieldPath);
      if (siblings.has(phys)) throw invalidMapping(fieldPath, `reuses the physical name "${phys}" of a sibling column`);
      siblings.add(phys);
      visit(f.type, fieldPath);
    }
  };
  visit(schema, '');
}

function invalidMapping(path: string, problem: string): DeltaError {
  return new DeltaError('INVALID_SCHEMA', `Column "${path}" ${problem}, which breaks the column mapping rules. The table metadata is corrupt.`, {
    details: { path },
  });
}

interface MappingNode {
  readonly logical: string;
  readonly physical: string;
  readonly type: DataType;
}

/**
 * Translates column paths between logical names (what users, filters and `partitionColumns` use)
 * and physical names (what data files, partition values and statistics use). Paths are arrays of
 * name parts; through arrays and maps the parts `element`, `key` and `value` pass unchanged.
 * Logical lookups are exact first, then case-insensitive (Delta names are case-insensitive).
 */
export class ColumnNameMapping {
  readonly mode: ColumnMappingMode;
  private readonly schema: StructType;

  constructor(schema: StructType, mode: ColumnMappingMode) {
    this.schema = schema;
    this.mode = mode;
  }

  /** The physical path of a logical column path; throws COLUMN_NOT_FOUND when a part does not resolve. */
  toPhysical(logicalPath: readonly string[]): string[] {
    return this.walk(logicalPath, 'logical').map((n) => n.physical);
  }

  /** The logical path of a physical path, or undefined when it names no column of the schema (a dropped column). */
  toLogical(physicalPath: readonly string[]): string[] | undefined {
    try {
      return this.walk(physicalPath, 'physical').map((n) => n.logical);
    } catch {
      return undefined;
    }
  }

  /** The schema field at a logical path (struct fields only), or undefined. */
  field(logicalPath: readonly string[]): StructField | undefined {
    let type: DataType = this.schema;
    let found: StructField | undefined;
    for (const part of logicalPath) {
      found = type.kind === 'struct' ? findField(type.fields, part, (f) => f.name) : undefined;
      if (found === undefined) return undefined;
      type = found.type;
    }
    return found;
  }

  private walk(path: readonly string[], by: 'logical' | 'physical'): MappingNode[] {
    const out: MappingNode[] = [];
    let type: DataType = this.schema;
    for (const part of path) {
      const node = this.step(type, part, by);
      if (node === undefined) {
        throw new DeltaError(
          'COLUMN_NOT_FOUND',
          `Column ${path.map((p) => `\`${p}\``).join('.')} does not exist in the table schema (no ${by} name "${part}"). Check the column name against the table schema.`,
          { details: { path: [...path] } },
        );
      }
      out.push(node);
      type = node.type;
    }
    return out;
  }

  private step(type: DataType, part: string, by: 'logical' | 'physical'): MappingNode | undefined {
    if (type.kind === 'array' && part === 'element') return { logical: part, physical: part, type: type.elementType };
    if (type.kind === 'map' && part === 'key') return { logical: part, physical: part, type: type.keyType };
    if (type.kind === 'map' && part === 'value') return { logical: part, physical: part, type: type.valueType };
    if (type.kind !== 'struct') return undefined;
    const key = by === 'logical' ? (f: StructField) => f.name : (f: StructField) => physicalName(f, this.mode);
    const f = findField(type.fields, part, key);
    return f && { logical: f.name, physical: physicalName(f, this.mode), type: f.type };
  }
}

/**
 * The `add.partitionValues` keys for the table's (logical) `partitionColumns`, in the same order.
 * Throws COLUMN_NOT_FOUND when a partition column is not a top-level schema field.
 */
export function physicalPartitionColumns(schema: StructType, partitionColumns: readonly string[], mode: ColumnMappingMode): string[] {
  const mapping = new ColumnNameMapping(schema, mode);
  return partitionColumns.map((c) => mapping.toPhysical([c])[0] as string);
}

/**
 * Resolves each target (table) field against the fields of a data file at one struct level:
 * returns, per target field, the index of the matching file field or -1 when the file lacks it.
 * Mode `none` matches logical names, `name` physical names, `id` the `PARQUET:field_id` of the
 * file field. In `id` mode a file level with no field ids at all falls back to physical names
 * (physical names are unique per table, so this cannot pick a wrong column).
 */
export function matchFileFields(fileFields: readonly Field[], targetFields: readonly StructField[], mode: ColumnMappingMode): number[] {
  if (mode === 'id' && fileFields.some((f) => f.metadata.has(PARQUET_FIELD_ID_KEY))) {
    const byId = new Map<number, number>();
    fileFields.forEach((f, i) => {
      const id = Number(f.metadata.get(PARQUET_FIELD_ID_KEY));
      if (Number.isInteger(id)) byId.set(id, i);
    });
    return targetFields.map((t) => {
      const id = columnId(t);
      return id === undefined ? -1 : (byId.get(id) ?? -1);
    });
  }
  const exact = new Map<string, number>();
  const folded = new Map<string, number>();
  fileFields.forEach((f, i) => {
    exact.set(f.name, i);
    const k = f.name.toLowerCase();
    folded.set(k, folded.has(k) ? -2 : i);
  });
  return targetFields.map((t) => {
    const name = physicalName(t, mode);
    const hit = exact.get(name) ?? folded.get(name.toLowerCase());
    return hit === undefined || hit < 0 ? -1 : hit;
  });
}

function findField<T>(fields: readonly T[], name: string, key: (f: T) => string): T | undefined {
  const exact = fields.find((f) => key(f) === name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  const matches = fields.filter((f) => key(f).toLowerCase() === lower);
  return matches.length === 1 ? matches[0] : undefined;
}
