import { Field, Int32, Int64 } from 'apache-arrow';
import type { Struct } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import {
  ColumnNameMapping,
  columnMappingMode,
  matchFileFields,
  physicalPartitionColumns,
  toPhysicalSchema,
  validateColumnMapping,
} from '../../src/schema/column-mapping.js';
import { parseSchemaString } from '../../src/schema/json.js';
import type { StructField, StructType } from '../../src/schema/types.js';
import { describeFixtures, golden, kernel } from '../fixtures.js';
import { dataFiles, latestMetadata, logActions, useHandler } from './helpers.js';

const handler = useHandler();

function table(dir: string) {
  const meta = latestMetadata(dir);
  return { meta, schema: parseSchemaString(meta.schemaString), mode: columnMappingMode(meta.configuration) };
}

const field = (name: string, id: number | undefined, physical: string | undefined): StructField => ({
  name,
  type: { kind: 'primitive', name: 'long' },
  nullable: true,
  metadata: {
    ...(id === undefined ? {} : { 'delta.columnMapping.id': id }),
    ...(physical === undefined ? {} : { 'delta.columnMapping.physicalName': physical }),
  },
});

describeFixtures('column mapping on Spark tables', () => {
  it('reads the mode from the table configuration', () => {
    expect(table(golden('table-with-columnmapping-mode-name')).mode).toBe('name');
    expect(table(golden('data-skipping-basic-stats-all-types-columnmapping-id')).mode).toBe('id');
    expect(table(golden('parquet-all-types')).mode).toBe('none');
  });

  it('validates the annotations of every column-mapped fixture schema', () => {
    for (const dir of [
      golden('table-with-columnmapping-mode-name'),
      golden('data-skipping-basic-stats-all-types-columnmapping-id'),
      golden('data-reader-timestamp_ntz-name-mode'),
      golden('dv-with-columnmapping'),
      kernel('cdf-column-mapping-id-mode'),
    ]) {
      const { schema, mode } = table(dir);
      expect(mode).not.toBe('none');
      expect(() => validateColumnMapping(schema, mode), dir).not.toThrow();
    }
  });

  it('maps nested logical paths to the physical names found in the data file', async () => {
    const dir = golden('table-with-columnmapping-mode-name');
    const { schema, mode } = table(dir);
    const file = await handler.readSchema({ path: dataFiles(dir)[0]! });
    const mapping = new ColumnNameMapping(schema, mode);
    const fileStruct = file.fields.find((f) => f.metadata.get('PARQUET:field_id') === '13')!;
    const ac = (fileStruct.type as Struct).children.find((c) => c.metadata.get('PARQUET:field_id') === '15')!;
    const aca = (ac.type as Struct).children[0]!;
    expect(mapping.toPhysical(['nested_struct', 'ac', 'aca'])).toEqual([fileStruct.name, ac.name, aca.name]);
    expect(mapping.toLogical([fileStruct.name, ac.name, aca.name])).toEqual(['nested_struct', 'ac', 'aca']);
    // Case-insensitive logical lookup; array/map parts pass through.
    expect(mapping.toPhysical(['NESTED_STRUCT', 'AC'])).toEqual([fileStruct.name, ac.name]);
    const arrayOfStructs = file.fields.find((f) => f.metadata.get('PARQUET:field_id') === '19')!;
    const ab = ((arrayOfStructs.type.children[0]!.type as Struct).children[0] as Field).name;
    expect(mapping.toPhysical(['array_of_structs', 'element', 'ab'])).toEqual([arrayOfStructs.name, 'element', ab]);
    expect(mapping.toLogical(['col-dropped'])).toBeUndefined();
    expect(() => mapping.toPhysical(['nested_struct', 'nope'])).toThrow(expect.objectContaining({ code: 'COLUMN_NOT_FOUND' }) as Error);
  });

  it('gives the partitionValues keys the log uses', () => {
    const dir = golden('data-reader-timestamp_ntz-name-mode');
    const { meta, schema, mode } = table(dir);
    const keys = physicalPartitionColumns(schema, meta.partitionColumns, mode);
    const adds = logActions(dir).flatMap((a) => (a['add'] ? [a['add'] as { partitionValues: Record<string, string> }] : []));
    expect(adds.length).toBeGreaterThan(0);
    for (const add of adds) expect(Object.keys(add.partitionValues)).toEqual(keys);
    expect(keys[0]).toMatch(/^col-/);
  });

  it('renames every nesting level for the physical schema and keeps ids', () => {
    const { schema, mode } = table(golden('table-with-columnmapping-mode-name'));
    const physical = toPhysicalSchema(schema, mode);
    const names: string[] = [];
    const visit = (s: StructType) =>
      s.fields.forEach((f) => {
        names.push(f.name);
        if (f.type.kind === 'struct') visit(f.type);
      });
    visit(physical);
    expect(names.every((n) => n.startsWith('col-'))).toBe(true);
    expect(physical.fields[0]!.metadata['delta.columnMapping.id']).toBe(schema.fields[0]!.metadata['delta.columnMapping.id']);
  });
});

describe('column mapping rules', () => {
  it('parses modes case-insensitively and rejects unknown ones', () => {
    expect(columnMappingMode(undefined)).toBe('none');
    expect(columnMappingMode({ 'delta.columnMapping.mode': 'NAME' })).toBe('name');
    expect(() => columnMappingMode({ 'delta.columnMapping.mode': 'magic' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_READER_FEATURE' }) as Error);
  });

  it('ignores stale annotations in mode none', () => {
    const schema: StructType = { kind: 'struct', fields: [field('a', 1, 'col-a')] };
    expect(new ColumnNameMapping(schema, 'none').toPhysical(['a'])).toEqual(['a']);
  });

  it('rejects duplicated ids, sibling physical names and missing annotations', () => {
    const cases: StructField[][] = [
      [field('a', 1, 'p1'), field('b', 1, 'p2')],
      [field('a', 1, 'p1'), field('b', 2, 'p1')],
      [field('a', undefined, 'p1')],
      [field('a', 1, undefined)],
    ];
    for (const fields of cases) {
      try {
        validateColumnMapping({ kind: 'struct', fields }, 'id');
        throw new Error('expected a rejection');
      } catch (e) {
        expect(isDeltaError(e, 'INVALID_SCHEMA')).toBe(true);
      }
    }
  });

  it('matches file fields by field id in id mode, by physical name otherwise', () => {
    const withId = (name: string, id: number) => new Field(name, new Int64(), true, new Map([['PARQUET:field_id', String(id)]]));
    const file = [withId('x', 2), withId('y', 1), new Field('z', new Int32())];
    const targets = [field('first', 1, 'x'), field('second', 2, 'y'), field('third', 3, 'z')];
    expect(matchFileFields(file, targets, 'id')).toEqual([1, 0, -1]);
    expect(matchFileFields(file, targets, 'name')).toEqual([0, 1, 2]);
    // A file without any field ids falls back to physical names in id mode.
    expect(matchFileFields([new Field('y', new Int64())], targets, 'id')).toEqual([-1, 0, -1]);
    expect(matchFileFields([new Field('FIRST', new Int64())], targets, 'none')).toEqual([0, -1, -1]);
  });
});
