import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import type { StructType } from '../../src/schema/types.js';
import { createTable } from '../../src/write/create-table.js';
import { writeTable } from '../../src/write/write-operation.js';
import { field, primitive, struct } from './schema-builders.js';
import { memoryEngine, snapshotOf } from './write-helpers.js';

const ROOT = '/t';
const strict: StructType = struct([
  field('id', primitive('long'), false),
  field('tags', { kind: 'array', elementType: primitive('string'), containsNull: false }),
  field('scores', { kind: 'map', keyType: primitive('string'), valueType: primitive('integer'), valueContainsNull: false }),
  field('nested', { kind: 'array', elementType: struct([field('x', primitive('integer'), false)]), containsNull: true }),
]);
const loose: StructType = struct([
  field('id', primitive('long'), false),
  field('tags', { kind: 'array', elementType: primitive('string'), containsNull: true }),
  field('scores', { kind: 'map', keyType: primitive('string'), valueType: primitive('integer'), valueContainsNull: true }),
  field('nested', { kind: 'array', elementType: struct([field('x', primitive('integer'))]), containsNull: true }),
]);

describe('NOT NULL inside arrays, maps and their structs', () => {
  it('refuses null elements, map values and nested fields where the schema forbids them, writing nothing', async () => {
    const engine = memoryEngine();
    await createTable(engine, ROOT, { schema: strict });
    const rows = [
      { id: 1n, tags: ['a', null], scores: new Map([['k', 1]]), nested: [{ x: 1 }] },
      { id: 2n, tags: null, scores: new Map<string, number | null>([['k', null], ['j', null]]), nested: [null, { x: null }] },
    ];
    const e = await writeTable(engine, ROOT, { rows, schema: loose }, { mode: 'append' }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'SCHEMA_MISMATCH')).toBe(true);
    const msg = (e as Error).message;
    expect(msg).toContain('tags.element: 1 value with null');
    expect(msg).toContain('scores.value: 2 values with null');
    expect(msg).toContain('nested.element.x: 1 value with null'); // the null struct element itself is allowed
    const snap = await snapshotOf(engine, ROOT);
    expect(snap.version).toBe(0);
    expect(snap.addFiles).toHaveLength(0);
  });

  it('accepts the same shapes without nulls, and null lists and maps themselves', async () => {
    const engine = memoryEngine();
    await createTable(engine, ROOT, { schema: strict });
    const rows = [
      { id: 1n, tags: ['a', 'b'], scores: new Map([['k', 1]]), nested: [null, { x: 2 }] },
      { id: 2n, tags: null, scores: null, nested: null },
    ];
    const r = await writeTable(engine, ROOT, { rows, schema: loose }, { mode: 'append' });
    expect(r.numOutputRows).toBe(2);
  });
});
