/**
 * Whether rows written under one schema of a table can be returned with the schema of the
 * change feed's end version (its read schema), following Delta Spark's rule for batch change-feed
 * reads (`isReadCompatible` with nullability tightening forbidden, plus its column-mapping check).
 *
 * Accepted (rows of the older schema are read into the end schema):
 * - identical schemas;
 * - columns (and nested struct fields) added in the end schema: older rows read null for them;
 * - nullability relaxed (NOT NULL at the older version, nullable at the end), also for array
 *   elements and map values;
 * - column mapping turned on from `none` to `name` without renames (physical names stay equal to
 *   the logical names).
 *
 * Refused (INCOMPATIBLE_SCHEMA_CHANGE), because older rows would be shown wrongly:
 * - a column dropped or renamed (by logical name, or by physical name / field id under column
 *   mapping, which also catches a drop followed by a re-add of the same name);
 * - any change of data type, including type widening (as in Spark without type-widening mode);
 * - nullability tightened (nullable at the older version, NOT NULL at the end): older rows may hold
 *   nulls the end schema forbids (the kernel fixture `table-with-cdf` versions 3 to 4);
 * - changed partition columns.
 * delta-kernel-rs is stricter (schemas must be equal); Spark's additive changes are kept because
 * they are exactly the ones `conformBatch` reads correctly.
 */
import type { DataType, StructField, StructType } from '@deltakit/core';
import { columnId, formatDataType, physicalName, type ColumnMappingMode } from '@deltakit/core/internal';

/** A schema with what is needed to compare it: its partition columns and column mapping mode. */
export interface VersionedSchema {
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  readonly columnMapping: ColumnMappingMode;
}

/** Why rows written with `older` cannot be read with `end`, or undefined when they can. */
export function readIncompatibility(older: VersionedSchema, end: VersionedSchema): string | undefined {
  const partsOld = older.partitionColumns.map((c) => c.toLowerCase());
  const partsNew = end.partitionColumns.map((c) => c.toLowerCase());
  if (partsOld.length !== partsNew.length || partsOld.some((c, i) => c !== partsNew[i])) {
    return `the partition columns changed from [${older.partitionColumns.join(', ')}] to [${end.partitionColumns.join(', ')}]`;
  }
  return structIncompatibility(older.schema, end.schema, '', { older: older.columnMapping, end: end.columnMapping });
}

interface Modes {
  readonly older: ColumnMappingMode;
  readonly end: ColumnMappingMode;
}

function structIncompatibility(older: StructType, end: StructType, path: string, modes: Modes): string | undefined {
  const byName = new Map(end.fields.map((f) => [f.name.toLowerCase(), f]));
  for (const f of older.fields) {
    const name = path + f.name;
    const g = byName.get(f.name.toLowerCase());
    if (g === undefined || g.name !== f.name) return `column ${name} was dropped or renamed${g === undefined ? '' : ` (to ${path + g.name})`}`;
    if (f.nullable && !g.nullable) return `column ${name} is nullable there but NOT NULL at the end version`;
    const mapping = mappingIncompatibility(f, g, name, modes);
    if (mapping !== undefined) return mapping;
    const inner = typeIncompatibility(f.type, g.type, name, modes);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** Under column mapping, the same logical column must keep its physical name (and field id). */
function mappingIncompatibility(f: StructField, g: StructField, name: string, modes: Modes): string | undefined {
  if (modes.older === 'none' && modes.end === 'none') return undefined;
  const before = physicalName(f, modes.older);
  const after = physicalName(g, modes.end);
  if (before !== after) return `column ${name} is stored as "${before}" there but as "${after}" at the end version (it was renamed, or dropped and added again)`;
  if (modes.older === 'id' && modes.end === 'id' && columnId(f) !== columnId(g)) {
    return `column ${name} has field id ${String(columnId(f))} there but ${String(columnId(g))} at the end version (it was dropped and added again)`;
  }
  return undefined;
}

function typeIncompatibility(older: DataType, end: DataType, name: string, modes: Modes): string | undefined {
  if (older.kind === 'struct' && end.kind === 'struct') return structIncompatibility(older, end, `${name}.`, modes);
  if (older.kind === 'array' && end.kind === 'array') {
    if (older.containsNull && !end.containsNull) return `the elements of ${name} may be null there but not at the end version`;
    return typeIncompatibility(older.elementType, end.elementType, `${name}.element`, modes);
  }
  if (older.kind === 'map' && end.kind === 'map') {
    if (older.valueContainsNull && !end.valueContainsNull) return `the values of ${name} may be null there but not at the end version`;
    return typeIncompatibility(older.keyType, end.keyType, `${name}.key`, modes) ?? typeIncompatibility(older.valueType, end.valueType, `${name}.value`, modes);
  }
  if (older.kind === 'primitive' && older.name === 'void') return undefined; // an all-null column reads as any type
  if (older.kind === 'primitive' && end.kind === 'primitive' && older.name === end.name) return undefined;
  if (older.kind === 'decimal' && end.kind === 'decimal' && older.precision === end.precision && older.scale === end.scale) return undefined;
  return `column ${name} changed type from ${formatDataType(older)} to ${formatDataType(end)}`;
}
