/**
 * Small shared rules of schema changes: names parquet cannot store without column mapping, and
 * fields as Delta Spark records them in `commitInfo.operationParameters`.
 */
import { DeltaError } from '../../errors.js';
import { formatDataType } from '../../schema/json.js';
import type { StructField } from '../../schema/types.js';
import { allFields, formatColumnPath } from './paths.js';

/** Characters parquet column names may not contain (Spark's `checkFieldNames`). */
const INVALID_NAME_CHARS = /[ ,;{}()\n\t=]/;

/**
 * Without column mapping, column names are parquet names, so they may not contain
 * ` ,;{}()\n\t=` (Spark's `checkSchemaFieldNames`). Throws INVALID_ARGUMENT naming the offending
 * columns and the fix (enable column mapping, which stores data under physical names).
 */
export function refuseInvalidNames(fields: readonly StructField[], tableRoot: string): void {
  const names: string[] = [];
  for (const f of fields) {
    if (INVALID_NAME_CHARS.test(f.name)) names.push(f.name);
    for (const nested of allFields(f.type, [f.name])) if (INVALID_NAME_CHARS.test(nested.field.name)) names.push(formatColumnPath(nested.path));
  }
  if (names.length === 0) return;
  throw new DeltaError(
    'INVALID_ARGUMENT',
    `Column name${names.length > 1 ? 's' : ''} ${names.map((n) => JSON.stringify(n)).join(', ')} contain${names.length > 1 ? '' : 's'} characters parquet column names cannot hold (space , ; { } ( ) newline tab =), and the table at ${tableRoot} stores columns under their own names. Nothing was changed. Rename the column, or enable column mapping first (enableColumnMapping('name')), which stores data under generated physical names.`,
    { details: { columns: names } },
  );
}

/** A field as Spark's `structFieldToMap` records it: full name, type name, nullability, metadata. */
export function fieldForLog(parent: readonly string[], f: StructField): Record<string, unknown> {
  return { name: formatColumnPath([...parent, f.name]), type: typeNameForLog(f), nullable: f.nullable, metadata: f.metadata };
}

/** Spark's `DataType.typeName`: `struct`, `array`, `map`, or the atomic type's name. */
function typeNameForLog(f: StructField): string {
  const t = f.type;
  return t.kind === 'struct' || t.kind === 'array' || t.kind === 'map' ? t.kind : formatDataType(t);
}
