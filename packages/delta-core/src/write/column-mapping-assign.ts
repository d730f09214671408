/**
 * Column mapping for writers (protocol-notes §8.4): every struct field at every nesting level
 * (inside arrays and maps too) gets a `delta.columnMapping.id` above the table's
 * `delta.columnMapping.maxColumnId` and a physical name. New columns get `col-<uuid>`; when
 * column mapping is enabled on an existing table its columns keep their current name as physical
 * name, so existing data files still resolve.
 */
import { randomUUID } from 'node:crypto';
import { COLUMN_ID_KEY, columnId, PHYSICAL_NAME_KEY } from '../schema/column-mapping.js';
import type { ColumnMappingMode } from '../schema/column-mapping.js';
import type { DataType, StructField, StructType } from '../schema/types.js';

export const MAX_COLUMN_ID_KEY = 'delta.columnMapping.maxColumnId';

export interface AssignedMapping {
  readonly schema: StructType;
  /** The highest id in use after assignment (store as `delta.columnMapping.maxColumnId`). */
  readonly maxColumnId: number;
}

/**
 * Assigns ids and physical names to the fields of `schema` that lack them. `maxColumnId` is the
 * table's current high-water mark (0 for a new table); ids already present are kept and raise it.
 * `physicalNames` chooses names for new fields: `uuid` (`col-<uuid>`, new columns) or `logical`
 * (the field's own name, when enabling column mapping on a table that already has data).
 */
export function assignColumnMapping(schema: StructType, maxColumnId: number, physicalNames: 'uuid' | 'logical' = 'uuid'): AssignedMapping {
  let max = Math.max(maxColumnId, highestId(schema));
  const assignType = (type: DataType): DataType => {
    switch (type.kind) {
      case 'struct':
        return { kind: 'struct', fields: type.fields.map(assignField) };
      case 'array':
        return { ...type, elementType: assignType(type.elementType) };
      case 'map':
        return { ...type, keyType: assignType(type.keyType), valueType: assignType(type.valueType) };
      default:
        return type;
    }
  };
  const assignField = (f: StructField): StructField => {
    const metadata: Record<string, unknown> = { ...f.metadata };
    if (columnId(f) === undefined) metadata[COLUMN_ID_KEY] = ++max;
    const phys = metadata[PHYSICAL_NAME_KEY];
    if (typeof phys !== 'string' || phys === '') metadata[PHYSICAL_NAME_KEY] = physicalNames === 'uuid' ? `col-${randomUUID()}` : f.name;
    return { ...f, type: assignType(f.type), metadata };
  };
  const out = assignType(schema) as StructType;
  return { schema: out, maxColumnId: max };
}

/** The highest `delta.columnMapping.id` in the schema (0 when none). */
export function highestId(type: DataType): number {
  switch (type.kind) {
    case 'struct':
      return type.fields.reduce((m, f) => Math.max(m, columnId(f) ?? 0, highestId(f.type)), 0);
    case 'array':
      return highestId(type.elementType);
    case 'map':
      return Math.max(highestId(type.keyType), highestId(type.valueType));
    default:
      return 0;
  }
}

/** The schema without column mapping annotations (for mode `none`). */
export function stripColumnMapping(type: StructType): StructType {
  const strip = (t: DataType): DataType => {
    switch (t.kind) {
      case 'struct':
        return {
          kind: 'struct',
          fields: t.fields.map((f) => {
            const { [COLUMN_ID_KEY]: _id, [PHYSICAL_NAME_KEY]: _name, ...rest } = f.metadata;
            return { ...f, type: strip(f.type), metadata: rest };
          }),
        };
      case 'array':
        return { ...t, elementType: strip(t.elementType) };
      case 'map':
        return { ...t, keyType: strip(t.keyType), valueType: strip(t.valueType) };
      default:
        return t;
    }
  };
  return strip(type) as StructType;
}

/**
 * Applies column mapping for `mode` to a schema about to be committed, updating
 * `delta.columnMapping.maxColumnId` in `configuration`. Mode `none` leaves the schema as it is.
 */
export function applyColumnMapping(
  schema: StructType,
  configuration: Record<string, string>,
  mode: ColumnMappingMode,
  physicalNames: 'uuid' | 'logical' = 'uuid',
): StructType {
  if (mode === 'none') return schema;
  const current = Number(configuration[MAX_COLUMN_ID_KEY] ?? '0');
  const assigned = assignColumnMapping(schema, Number.isInteger(current) ? current : 0, physicalNames);
  configuration[MAX_COLUMN_ID_KEY] = String(assigned.maxColumnId);
  return assigned.schema;
}
