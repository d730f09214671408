/**
 * Column invariants (`delta.invariants` field metadata), enforced on writes like CHECK
 * constraints. Cases follow Delta Spark's InvariantEnforcementSuite: the schemas, expressions,
 * rows and the message fragments it asserts.
 */
import { describe, expect, it } from 'vitest';
import type { StructType } from '../../src/schema/types.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { array } from '../write/schema-builders.js';
import { memoryTable, rejection, rowsSorted, tableState } from './helpers.js';

const invariant = (expression: string) => ({ 'delta.invariants': JSON.stringify({ expression: { expression } }) });
const STRING = primitive('string');
const INT = primitive('integer');

async function tableWithSchema(schema: StructType) {
  const t = memoryTable();
  await t.table.create({ schema });
  return t;
}

describe('column invariants', () => {
  it('a top-level invariant rejects a violating row, naming the expression and the value', async () => {
    const schema = struct([field('key', STRING), field('value', INT, true, invariant('value < 3'))]);
    const { table } = await tableWithSchema(schema);
    const before = await tableState(table);
    const e = await rejection(table.write({ rows: [{ key: 'a', value: 1 }, { key: null, value: 5 }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain('CHECK constraint EXPRESSION(value < 3) (value < 3) violated by row with values:\n - value : 5');
    expect(e.details).toMatchObject({ kind: 'invariant', column: 'value', values: { value: '5' } });
    expect(await tableState(table)).toEqual(before);
  });

  it('a nested invariant names the field by its full path', async () => {
    const schema = struct([field('top', struct([field('key', STRING), field('value', INT, true, invariant('top.value < 3'))]))]);
    const { table } = await tableWithSchema(schema);
    const e = await rejection(table.write({ rows: [{ top: { key: 'a', value: 1 } }, { top: { key: null, value: 5 } }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain(' - top.value : 5');
    expect(e.details.column).toBe('top.value');
  });

  it('a NULL or missing field violates the invariant', async () => {
    const schema = struct([field('key', STRING), field('value', INT, true, invariant('value < 3'))]);
    const { table } = await tableWithSchema(schema);
    const keys = struct([field('key', STRING)]);
    const e1 = await rejection(table.write({ rows: [{ key: 'a' }, { key: 'b' }], schema: keys }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e1.message).toContain(' - value : null');
    const e2 = await rejection(table.write({ rows: [{ key: 'a', value: 1 }, { key: 'b', value: null }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e2.message).toContain(' - value : null');
  });

  it('a NULL nested field, or a missing one, violates a nested invariant', async () => {
    const schema = struct([field('top', struct([field('key', STRING), field('value', INT, true, invariant('top.value < 3'))]))]);
    const { table } = await tableWithSchema(schema);
    const e1 = await rejection(table.write({ rows: [{ top: { key: 'a', value: 1 } }, { top: { key: 'b', value: null } }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e1.message).toContain(' - top.value : null');
    const narrower = struct([field('top', struct([field('key', STRING)]))]);
    const e2 = await rejection(table.write({ rows: [{ top: { key: 'a' } }, { top: { key: 'b' } }], schema: narrower }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e2.message).toContain(' - top.value : null');
  });

  it('an invariant allowing NULL accepts missing and NULL values, top-level and nested', async () => {
    const flat = struct([field('key', STRING), field('value', INT, true, invariant('value is null or value < 3'))]);
    const a = await tableWithSchema(flat);
    await a.table.write({ rows: [{ key: 'a' }, { key: 'b' }], schema: struct([field('key', STRING)]) }, { mode: 'append' });
    await a.table.write({ rows: [{ key: 'a', value: 1 }, { key: 'b', value: null }], schema: flat }, { mode: 'append' });
    expect((await rowsSorted(a.engine, a.root, 'key')).map((r) => r.value)).toEqual([null, 1, null, null]);

    const nested = struct([field('top', struct([field('key', STRING), field('value', INT, true, invariant('top.value is null or top.value < 3'))]))]);
    const b = await tableWithSchema(nested);
    await b.table.write({ rows: [{ top: { key: 'a', value: 1 } }, { top: { key: 'b', value: null } }], schema: nested }, { mode: 'append' });
    await b.table.write({ rows: [{ top: { key: 'a' } }, { top: null }], schema: struct([field('top', struct([field('key', STRING)]))]) }, { mode: 'append' });
    expect((await b.table.snapshot()).addFiles).toHaveLength(2);
  });

  it('complex expressions: AND, and IN over a string column', async () => {
    const and = struct([field('key', STRING), field('value', INT, true, invariant('value < 3 AND value > 0'))]);
    const a = await tableWithSchema(and);
    const values = struct([field('value', INT)]);
    await a.table.write({ rows: [{ value: 1 }, { value: 2 }], schema: values }, { mode: 'append' });
    await rejection(a.table.write({ rows: [{ value: 1 }, { value: 4 }], schema: values }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    await rejection(a.table.write({ rows: [{ value: -1 }, { value: 2 }], schema: values }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');

    const inSet = struct([field('key', STRING, true, invariant("key in ('a', 'b', 'c')")), field('value', INT)]);
    const b = await tableWithSchema(inSet);
    const keys = struct([field('key', STRING)]);
    await b.table.write({ rows: [{ key: 'a' }, { key: 'b' }], schema: keys }, { mode: 'append' });
    const e = await rejection(b.table.write({ rows: [{ key: 'a' }, { key: 'd' }], schema: keys }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.details.values).toEqual({ key: 'd' });
    await rejection(b.table.write({ rows: [{ key: 'e' }], schema: keys }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect((await rowsSorted(b.engine, b.root, 'key')).map((r) => r.key)).toEqual(['a', 'b']);
  });

  it('fields inside arrays are not checked (Delta Spark enforces invariants through structs only)', async () => {
    const schema = struct([field('items', array(struct([field('x', INT, true, invariant('x > 0'))])))]);
    const { table, engine, root } = await tableWithSchema(schema);
    await table.write({ rows: [{ items: [{ x: -1 }] }], schema }, { mode: 'append' });
    expect(await rowsSorted(engine, root, 'items')).toHaveLength(1);
  });

  it('the protocol lists the invariants feature; an unrecognized invariant is refused at create', async () => {
    const schema = struct([field('value', INT, true, invariant('value > 0'))]);
    const a = memoryTable();
    await a.table.create({ schema, properties: { 'delta.enableDeletionVectors': 'true' } });
    expect((await a.table.snapshot()).protocol.writerFeatures).toContain('invariants');
    const b = memoryTable();
    const bad = struct([field('value', INT, true, { 'delta.invariants': '{"other":1}' })]);
    const e = await rejection(b.table.create({ schema: bad }), 'INVALID_SCHEMA');
    expect(e.message).toContain('Column value has a delta.invariants value this library does not recognize');
    const c = memoryTable();
    await rejection(c.table.create({ schema: struct([field('value', INT, true, invariant('value +'))]) }), 'PARSE_ERROR');
  });
});
