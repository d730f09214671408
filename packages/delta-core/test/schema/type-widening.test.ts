import { describe, expect, it } from 'vitest';
import { parseSchemaString, parseTypeName } from '../../src/schema/json.js';
import { isWideningSupported, typeChangesOf, validateTypeChanges } from '../../src/schema/type-widening.js';
import type { StructType } from '../../src/schema/types.js';
import { describeFixtures, kernel } from '../fixtures.js';
import { latestMetadata } from './helpers.js';

const ok = (from: string, to: string) => isWideningSupported(parseTypeName(from), parseTypeName(to));

describeFixtures('type widening on a Spark table', () => {
  it('accepts every change Spark recorded in the type-widening table', () => {
    const schema = parseSchemaString(latestMetadata(kernel('type-widening')).schemaString);
    const changes = schema.fields.flatMap((f) => typeChangesOf(f).map((c) => ({ field: f, change: c })));
    expect(changes.length).toBe(schema.fields.length);
    for (const { field, change } of changes) {
      expect(isWideningSupported(change.fromType, change.toType), field.name).toBe(true);
      expect(change.toType).toEqual(field.type);
    }
    expect(() => validateTypeChanges(schema)).not.toThrow();
  });
});

describe('type widening rules', () => {
  it('allows the protocol widenings', () => {
    for (const [from, to] of [
      ['byte', 'short'],
      ['byte', 'long'],
      ['short', 'integer'],
      ['integer', 'long'],
      ['float', 'double'],
      ['integer', 'double'],
      ['date', 'timestamp_ntz'],
      ['decimal(10,2)', 'decimal(12,4)'],
      ['decimal(10,2)', 'decimal(20,2)'],
      ['integer', 'decimal(10,0)'],
      ['long', 'decimal(21,1)'],
      ['byte', 'decimal(4,1)'],
    ]) {
      expect(ok(from!, to!), `${from} -> ${to}`).toBe(true);
    }
  });

  it('refuses narrowings and unrelated changes', () => {
    for (const [from, to] of [
      ['long', 'integer'],
      ['double', 'float'],
      ['long', 'double'],
      ['decimal(10,2)', 'decimal(10,3)'],
      ['decimal(10,2)', 'decimal(12,1)'],
      ['integer', 'decimal(9,0)'],
      ['long', 'decimal(20,1)'],
      ['date', 'timestamp'],
      ['string', 'binary'],
      ['timestamp', 'timestamp_ntz'],
    ]) {
      expect(ok(from!, to!), `${from} -> ${to}`).toBe(false);
    }
  });

  it('fails reading a table that records an unsupported change, nested ones included', () => {
    const schema: StructType = {
      kind: 'struct',
      fields: [
        {
          name: 's',
          type: {
            kind: 'struct',
            fields: [
              {
                name: 'arr',
                type: { kind: 'array', elementType: { kind: 'primitive', name: 'integer' }, containsNull: true },
                nullable: true,
                metadata: { 'delta.typeChanges': [{ fromType: 'long', toType: 'integer', fieldPath: 'element' }] },
              },
            ],
          },
          nullable: true,
          metadata: {},
        },
      ],
    };
    expect(() => validateTypeChanges(schema)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_READER_FEATURE', details: expect.objectContaining({ path: 's.arr' }) }) as Error);
  });

  it('rejects malformed typeChanges metadata', () => {
    const bad = { name: 'c', type: { kind: 'primitive', name: 'long' }, nullable: true, metadata: { 'delta.typeChanges': { fromType: 'integer' } } } as const;
    expect(() => typeChangesOf(bad)).toThrow(expect.objectContaining({ code: 'INVALID_SCHEMA' }) as Error);
  });
});
