/**
 * MERGE schema evolution (`withSchemaEvolution()`), as Delta's `ResolveDeltaMergeInto` computes
 * the post-evolution target schema: the source schema is filtered to the columns and nested
 * fields that MATCHED and NOT MATCHED clauses assign (all of them when a clause uses `*`), then
 * merged into the target schema. New top-level columns and new struct fields (also inside arrays
 * and maps) are appended, nullable; existing columns keep their type (values are cast to it).
 * NOT MATCHED BY SOURCE clauses cannot add columns: they never read the source.
 */
import type { DataType, StructField, StructType } from '@deltakit/core';

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** `source` reduced to the fields on an assigned path (or all, with a `*` clause), as Spark's `filterSchema`. */
export function filterSourceSchema(source: StructType, assigned: readonly (readonly string[])[], star: boolean): StructType {
  const isPrefix = (prefix: readonly string[], path: readonly string[]): boolean => prefix.length <= path.length && prefix.every((p, i) => same(p, path[i]!));
  const filter = (schema: StructType, base: readonly string[]): StructType => ({
    kind: 'struct',
    fields: schema.fields.flatMap((f): StructField[] => {
      const path = [...base, f.name];
      if (assigned.some((a) => a.length === path.length && isPrefix(a, path))) return [f];
      if (f.type.kind === 'struct' && (star || assigned.some((a) => isPrefix(path, a)))) return [{ ...f, type: filter(f.type, path) }];
      return star ? [f] : [];
    }),
  });
  return filter(source, []);
}

/** The target schema with the source's new columns and struct fields added (see the module comment). */
export function mergeSchemas(target: StructType, source: StructType): StructType {
  return mergeStruct(target, source);
}

function mergeStruct(target: StructType, source: StructType): StructType {
  const fields: StructField[] = target.fields.map((t) => {
    const s = source.fields.find((f) => same(f.name, t.name));
    if (s === undefined) return t;
    const type = mergeType(t.type, s.type);
    return type === t.type ? t : { ...t, type };
  });
  for (const s of source.fields) {
    if (!target.fields.some((t) => same(t.name, s.name))) fields.push({ name: s.name, type: nullableType(s.type), nullable: true, metadata: {} });
  }
  return { kind: 'struct', fields };
}

function mergeType(t: DataType, s: DataType): DataType {
  if (t.kind === 'struct' && s.kind === 'struct') {
    const merged = mergeStruct(t, s);
    return merged.fields.length === t.fields.length && merged.fields.every((f, i) => f === t.fields[i]) ? t : merged;
  }
  if (t.kind === 'array' && s.kind === 'array') {
    const e = mergeType(t.elementType, s.elementType);
    return e === t.elementType ? t : { ...t, elementType: e };
  }
  if (t.kind === 'map' && s.kind === 'map') {
    const k = mergeType(t.keyType, s.keyType);
    const v = mergeType(t.valueType, s.valueType);
    return k === t.keyType && v === t.valueType ? t : { ...t, keyType: k, valueType: v };
  }
  return t;
}

/** `t` with every nested field, element and value nullable (new columns must accept nulls). */
export function nullableType(t: DataType): DataType {
  switch (t.kind) {
    case 'struct':
      return { kind: 'struct', fields: t.fields.map((f) => ({ ...f, type: nullableType(f.type), nullable: true, metadata: {} })) };
    case 'array':
      return { ...t, elementType: nullableType(t.elementType), containsNull: true };
    case 'map':
      return { ...t, keyType: nullableType(t.keyType), valueType: nullableType(t.valueType), valueContainsNull: true };
    default:
      return t;
  }
}

/** Whether two schemas differ (names, types, nesting), ignoring field metadata. */
export function schemaChanged(before: StructType, after: StructType): boolean {
  const eq = (a: DataType, b: DataType): boolean => {
    if (a.kind !== b.kind) return false;
    if (a.kind === 'struct' && b.kind === 'struct') return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && eq(f.type, b.fields[i]!.type));
    if (a.kind === 'array' && b.kind === 'array') return eq(a.elementType, b.elementType);
    if (a.kind === 'map' && b.kind === 'map') return eq(a.keyType, b.keyType) && eq(a.valueType, b.valueType);
    return JSON.stringify(a) === JSON.stringify(b);
  };
  return !eq(before, after);
}
