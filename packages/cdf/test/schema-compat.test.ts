/** The read-compatibility rule for schema changes inside a change-feed range (Spark's batch CDF rule). */
import { field, primitive, struct, type DataType, type StructField } from '@deltakit/core';
import { describe, expect, it } from 'vitest';
import { readIncompatibility, type VersionedSchema } from '../src/schema-compat.js';

const long = primitive('long');
const str = primitive('string');
const at = (fields: StructField[], extra: Partial<VersionedSchema> = {}): VersionedSchema => ({ schema: struct(fields), partitionColumns: [], columnMapping: 'none', ...extra });
const mapped = (name: string, type: DataType, physical: string, id: number, nullable = true) =>
  field(name, type, nullable, { 'delta.columnMapping.physicalName': physical, 'delta.columnMapping.id': id });

describe('readIncompatibility', () => {
  it('accepts identical schemas, added columns and relaxed nullability', () => {
    expect(readIncompatibility(at([field('id', long)]), at([field('id', long)]))).toBeUndefined();
    expect(readIncompatibility(at([field('id', long)]), at([field('id', long), field('note', str, false)]))).toBeUndefined();
    expect(readIncompatibility(at([field('id', long, false)]), at([field('id', long, true)]))).toBeUndefined();
    const s1 = field('s', struct([field('a', long)]));
    const s2 = field('s', struct([field('a', long), field('b', str)]));
    expect(readIncompatibility(at([s1]), at([s2]))).toBeUndefined();
    expect(readIncompatibility(at([field('v', primitive('void'))]), at([field('v', long)]))).toBeUndefined();
  });

  it('refuses drops, renames, type changes (widening too) and tightened nullability', () => {
    expect(readIncompatibility(at([field('id', long), field('x', str)]), at([field('id', long)]))).toBe('column x was dropped or renamed');
    expect(readIncompatibility(at([field('id', long)]), at([field('ID', long)]))).toBe('column id was dropped or renamed (to ID)');
    expect(readIncompatibility(at([field('id', primitive('integer'))]), at([field('id', long)]))).toBe('column id changed type from integer to long');
    expect(readIncompatibility(at([field('id', long, true)]), at([field('id', long, false)]))).toBe('column id is nullable there but NOT NULL at the end version');
    const arr = (containsNull: boolean) => field('a', { kind: 'array', elementType: long, containsNull });
    expect(readIncompatibility(at([arr(true)]), at([arr(false)]))).toBe('the elements of a may be null there but not at the end version');
    expect(readIncompatibility(at([arr(false)]), at([arr(true)]))).toBeUndefined();
    const map = (valueContainsNull: boolean, valueType: DataType = long) => field('m', { kind: 'map', keyType: str, valueType, valueContainsNull });
    expect(readIncompatibility(at([map(true)]), at([map(false)]))).toBe('the values of m may be null there but not at the end version');
    expect(readIncompatibility(at([map(true)]), at([map(true, str)]))).toBe('column m.value changed type from long to string');
    const nested = (t: DataType) => field('s', struct([field('a', t)]));
    expect(readIncompatibility(at([nested(long)]), at([nested(str)]))).toBe('column s.a changed type from long to string');
  });

  it('refuses changed partition columns', () => {
    const fields = [field('id', long), field('p', str)];
    expect(readIncompatibility(at(fields, { partitionColumns: [] }), at(fields, { partitionColumns: ['p'] }))).toBe('the partition columns changed from [] to [p]');
  });

  it('under column mapping, compares physical names and field ids', () => {
    const before = at([mapped('id', long, 'col-1', 1)], { columnMapping: 'name' });
    expect(readIncompatibility(before, at([mapped('id', long, 'col-1', 1), mapped('x', str, 'col-2', 2)], { columnMapping: 'name' }))).toBeUndefined();
    // RENAME COLUMN id TO key, then ADD COLUMN id: the logical name id now names another column.
    expect(readIncompatibility(before, at([mapped('key', long, 'col-1', 1), mapped('id', long, 'col-2', 2)], { columnMapping: 'name' }))).toContain('stored as "col-1" there but as "col-2"');
    const idMode = (id: number) => at([mapped('id', long, 'same', id)], { columnMapping: 'id' });
    expect(readIncompatibility(idMode(1), idMode(2))).toContain('field id 1 there but 2');
    // Turning column mapping on keeps the physical names equal to the logical ones: compatible.
    expect(readIncompatibility(at([field('id', long)]), at([mapped('id', long, 'id', 1)], { columnMapping: 'name' }))).toBeUndefined();
    // Turning it off again would read files by logical names that no longer match them.
    expect(readIncompatibility(before, at([field('id', long)]))).toContain('stored as "col-1" there but as "id"');
  });
});
