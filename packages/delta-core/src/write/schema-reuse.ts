/**
 * Carrying column mapping over when a write replaces the schema (overwriteSchema): a column that
 * keeps its name (at any nesting level) keeps its physical name and id, so the mapping stays
 * stable for readers; new columns get fresh ones later from `applyColumnMapping`.
 */
import { COLUMN_ID_KEY, PHYSICAL_NAME_KEY } from '../schema/column-mapping.js';
import type { ColumnMappingMode } from '../schema/column-mapping.js';
import type { DataType, StructType } from '../schema/types.js';

/** `input` with the column mapping annotations of same-named fields of `old` (mode `none`: unchanged). */
export function reuseColumnMapping(input: StructType, old: StructType, mode: ColumnMappingMode): StructType {
  if (mode === 'none') return input;
  return reuseType(input, old) as StructType;
}

function reuseType(t: DataType, old: DataType | undefined): DataType {
  switch (t.kind) {
    case 'struct': {
      const oldFields = old?.kind === 'struct' ? old.fields : [];
      return {
        kind: 'struct',
        fields: t.fields.map((f) => {
          const o = oldFields.find((x) => x.name.toLowerCase() === f.name.toLowerCase());
          const metadata: Record<string, unknown> = { ...f.metadata };
          delete metadata[COLUMN_ID_KEY];
          delete metadata[PHYSICAL_NAME_KEY];
          if (o !== undefined && o.metadata[COLUMN_ID_KEY] !== undefined && o.metadata[PHYSICAL_NAME_KEY] !== undefined) {
            metadata[COLUMN_ID_KEY] = o.metadata[COLUMN_ID_KEY];
            metadata[PHYSICAL_NAME_KEY] = o.metadata[PHYSICAL_NAME_KEY];
          }
          return { ...f, type: reuseType(f.type, o?.type), metadata };
        }),
      };
    }
    case 'array':
      return { ...t, elementType: reuseType(t.elementType, old?.kind === 'array' ? old.elementType : undefined) };
    case 'map':
      return {
        ...t,
        keyType: reuseType(t.keyType, old?.kind === 'map' ? old.keyType : undefined),
        valueType: reuseType(t.valueType, old?.kind === 'map' ? old.valueType : undefined),
      };
    default:
      return t;
  }
}
