import { Dictionary, Field, Float16, Int32, Int64, LargeUtf8, List, Schema, Struct, TimeUnit, Timestamp, Type, Uint32, Utf8 } from 'apache-arrow';
import type { DataType as ArrowType } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { arrowToDeltaSchema, arrowTypeToDelta, deltaToArrowSchema, deltaTypeToArrow } from '../../src/schema/arrow.js';
import { parseSchemaString } from '../../src/schema/json.js';
import type { DataType, StructType } from '../../src/schema/types.js';
import { describeFixtures, golden, kernel } from '../fixtures.js';
import { dataFiles, latestMetadata, useHandler } from './helpers.js';

const handler = useHandler();

/** Type text with nested field names, so list/map naming differences show. */
function typeText(t: ArrowType): string {
  const kids = t.children ?? [];
  return kids.length === 0 ? String(t) : `${String(t)}[${kids.map((c) => `${c.name}:${typeText(c.type)}`).join(',')}]`;
}

/** Delta types with nullability flags normalised (Arrow files say nothing of Delta nullability). */
function stripNullability(t: DataType): DataType {
  switch (t.kind) {
    case 'struct':
      return { kind: 'struct', fields: t.fields.map((f) => ({ name: f.name, type: stripNullability(f.type), nullable: true, metadata: {} })) };
    case 'array':
      return { kind: 'array', elementType: stripNullability(t.elementType), containsNull: true };
    case 'map':
      return { kind: 'map', keyType: stripNullability(t.keyType), valueType: stripNullability(t.valueType), valueContainsNull: true };
    default:
      return t;
  }
}

describeFixtures('Delta → Arrow on Spark tables', () => {
  it('gives the Arrow types a Spark data file of every type reads as', async () => {
    const schema = parseSchemaString(latestMetadata(golden('parquet-all-types')).schemaString);
    const file = await handler.readSchema({ path: dataFiles(golden('parquet-all-types'))[0]! });
    const mine = deltaToArrowSchema(schema);
    expect(mine.fields.map((f) => f.name)).toEqual(file.fields.map((f) => f.name));
    mine.fields.forEach((f, i) => expect(typeText(f.type), f.name).toBe(typeText(file.fields[i]!.type)));
  });

  it('gives physical names and field ids identical to the files of a column-mapped table', async () => {
    const meta = latestMetadata(golden('table-with-columnmapping-mode-name'));
    const schema = parseSchemaString(meta.schemaString);
    const physical = deltaToArrowSchema(schema, { physical: true, columnMappingMode: 'name' });
    const file = await handler.readSchema({ path: dataFiles(golden('table-with-columnmapping-mode-name'))[0]! });
    const describeFields = (fields: readonly Field[]): unknown =>
      fields.map((f) => [f.name, f.metadata.get('PARQUET:field_id'), describeFields(f.type.typeId === Type.Struct ? f.type.children : [])]);
    expect(describeFields(physical.fields)).toEqual(describeFields(file.fields));
    expectSameTypes(physical.fields, file.fields);
  });

  it('maps variant to the raw value/metadata struct Spark stores', async () => {
    const file = await handler.readSchema({ path: dataFiles(kernel('unshredded-variant'))[0]! });
    expect(typeText(deltaTypeToArrow({ kind: 'primitive', name: 'variant' }))).toBe(typeText(file.fields.find((f) => f.name === 'v')!.type));
  });

  it('round-trips every table schema through Arrow (metadata aside)', () => {
    for (const t of ['parquet-all-types', 'table-with-columnmapping-mode-name', 'data-reader-timestamp_ntz', 'basic-decimal-table']) {
      const schema = parseSchemaString(latestMetadata(golden(t)).schemaString);
      expect(stripNullability(arrowToDeltaSchema(deltaToArrowSchema(schema))), t).toEqual(stripNullability(schema));
    }
  });
});

/** Physical type text equal to the file's at every level too. */
function expectSameTypes(a: readonly Field[], b: readonly Field[]): void {
  a.forEach((f, i) => expect(typeText(f.type)).toBe(typeText(b[i]!.type)));
}

describe('Arrow → Delta for writers', () => {
  it('maps alternative layouts to their Delta type', () => {
    expect(arrowTypeToDelta(new LargeUtf8())).toEqual({ kind: 'primitive', name: 'string' });
    expect(arrowTypeToDelta(new Dictionary(new Utf8(), new Int32()))).toEqual({ kind: 'primitive', name: 'string' });
    expect(arrowTypeToDelta(new Timestamp(TimeUnit.MILLISECOND, 'America/New_York'))).toEqual({ kind: 'primitive', name: 'timestamp' });
    expect(arrowTypeToDelta(new Timestamp(TimeUnit.NANOSECOND))).toEqual({ kind: 'primitive', name: 'timestamp_ntz' });
    expect(arrowTypeToDelta(new List(new Field('item', new Int64(), false)))).toEqual({
      kind: 'array',
      elementType: { kind: 'primitive', name: 'long' },
      containsNull: false,
    });
  });

  it('keeps nullability and nesting of a schema', () => {
    const arrow = new Schema([new Field('s', new Struct([new Field('a', new Int32(), false)]), true)]);
    const expected: StructType = {
      kind: 'struct',
      fields: [{ name: 's', type: { kind: 'struct', fields: [{ name: 'a', type: { kind: 'primitive', name: 'integer' }, nullable: false, metadata: {} }] }, nullable: true, metadata: {} }],
    };
    expect(arrowToDeltaSchema(arrow)).toEqual(expected);
  });

  it('rejects types Delta cannot hold, naming the column', () => {
    for (const type of [new Uint32(), new Float16()]) {
      try {
        arrowToDeltaSchema(new Schema([new Field('s', new Struct([new Field('bad', type)]))]));
        throw new Error('expected a rejection');
      } catch (e) {
        expect(isDeltaError(e, 'INVALID_ARGUMENT')).toBe(true);
        expect((e as Error).message).toContain('s.bad');
      }
    }
  });
});
