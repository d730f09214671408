/**
 * Generated columns (`delta.generationExpression`): created with `create`, computed on write when
 * the data lacks them, checked (null-safe equality) when it gives them. Cases and expected rows
 * follow Delta Spark's GeneratedColumnSuite (its default test table and the rows it asserts).
 */
import { describe, expect, it } from 'vitest';
import type { StructField } from '../../src/schema/types.js';
import { decimal, field, primitive, struct } from '../../src/schema/types.js';
import { readBack } from '../write/write-helpers.js';
import { memoryTable, rejection, rowsSorted, tableState } from './helpers.js';

const gen = (name: string, type: StructField['type'], expression: string, nullable = true): StructField => field(name, type, nullable, { 'delta.generationExpression': expression });
const LONG = primitive('long');
const INT = primitive('integer');
const STRING = primitive('string');
const DATE = primitive('date');
const TIMESTAMP = primitive('timestamp');

/** Spark's default generated-column test table (without its VOID column). */
const defaultSchema = struct([
  field('c1', LONG),
  gen('c2_g', LONG, 'c1 + 10'),
  field('c3_p', STRING),
  gen('c4_g_p', DATE, 'cast(c5 as date)'),
  field('c5', TIMESTAMP),
  field('c6', INT),
  gen('c7_g_p', INT, 'c6 * 10'),
  field('c8', DATE),
]);
const partitionBy = ['c3_p', 'c4_g_p', 'c7_g_p'];
const baseColumns = struct(defaultSchema.fields.filter((f) => !('delta.generationExpression' in f.metadata)));
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
/** The one row Spark's suite expects after appending (1, 'foo', '2020-10-11 12:30:30', 100, '2020-11-12'). */
const expectedRow = { c1: 1n, c2_g: 11n, c3_p: 'foo', c4_g_p: day('2020-10-11'), c5: Date.parse('2020-10-11T12:30:30Z'), c6: 100, c7_g_p: 1000, c8: day('2020-11-12') };
const baseRow = { c1: 1n, c3_p: 'foo', c5: '2020-10-11T12:30:30Z', c6: 100, c8: '2020-11-12' };

async function defaultTable() {
  const t = memoryTable();
  await t.table.create({ schema: defaultSchema, partitionBy });
  return t;
}

describe('generated columns', () => {
  it('create stores the expressions and upgrades the protocol to writer version 4', async () => {
    const { table } = await defaultTable();
    const snap = await table.snapshot();
    expect(snap.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 4 });
    expect(snap.schema.fields.map((f) => f.metadata['delta.generationExpression'] ?? null)).toEqual([null, 'c1 + 10', null, 'cast(c5 as date)', null, null, 'c6 * 10', null]);
    const withDv = memoryTable();
    await withDv.table.create({ schema: defaultSchema, properties: { 'delta.enableDeletionVectors': 'true' } });
    expect((await withDv.table.snapshot()).protocol.writerFeatures).toEqual(expect.arrayContaining(['generatedColumns', 'deletionVectors']));
  });

  it('an append without the generated columns computes them (partition columns included)', async () => {
    const { table, engine, root } = await defaultTable();
    await table.write({ rows: [baseRow], schema: baseColumns }, { mode: 'append' });
    expect(await rowsSorted(engine, root, 'c1')).toEqual([expectedRow]);
    const add = (await table.snapshot()).addFiles[0]!;
    expect(add.partitionValues).toEqual({ c3_p: 'foo', c4_g_p: '2020-10-11', c7_g_p: '1000' });
  });

  it('column order of the data does not matter', async () => {
    const { table, engine, root } = await defaultTable();
    const reordered = struct(['c5', 'c6', 'c8', 'c1', 'c3_p'].map((n) => baseColumns.fields.find((f) => f.name === n)!));
    await table.write({ rows: [baseRow], schema: reordered }, { mode: 'append' });
    expect(await rowsSorted(engine, root, 'c1')).toEqual([expectedRow]);
  });

  it('given values equal to the expressions are accepted, some or all of them', async () => {
    const { table, engine, root } = await defaultTable();
    await table.write({ rows: [{ ...baseRow, c2_g: 11n, c4_g_p: '2020-10-11', c7_g_p: 1000 }], schema: defaultSchema }, { mode: 'append' });
    const some = struct([...baseColumns.fields, defaultSchema.fields[3]!]);
    await table.write({ rows: [{ ...baseRow, c1: 2n, c4_g_p: '2020-10-11' }], schema: some }, { mode: 'append' });
    expect((await rowsSorted(engine, root, 'c1')).map((r) => [r.c1, r.c2_g, r.c7_g_p])).toEqual([
      [1n, 11n, 1000],
      [2n, 12n, 1000],
    ]);
  });

  it('a given value that differs is rejected as a Generated Column violation; nothing is written', async () => {
    const { table } = await defaultTable();
    await table.write({ rows: [baseRow], schema: baseColumns }, { mode: 'append' });
    const before = await tableState(table);
    const e = await rejection(table.write({ rows: [{ ...baseRow, c2_g: 12n, c4_g_p: '2020-10-11', c7_g_p: 1000 }], schema: defaultSchema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain('CHECK constraint Generated Column (c2_g <=> (c1 + 10)) violated by row with values:\n - c1 : 1\n - c2_g : 12');
    expect(e.details).toMatchObject({ kind: 'generated', column: 'c2_g' });
    const e2 = await rejection(table.write({ rows: [{ ...baseRow, c2_g: 11n, c4_g_p: '2020-10-12', c7_g_p: 1000 }], schema: defaultSchema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e2.message).toContain('CHECK constraint Generated Column (c4_g_p <=> (cast(c5 as date))) violated by row with values:\n - c4_g_p : 2020-10-12\n - c5 : 2020-10-11 12:30:30');
    expect(await tableState(table)).toEqual(before);
  });

  it('overwrite and dynamic partition overwrite compute the generated (partition) columns', async () => {
    const { table, engine, root } = await defaultTable();
    await table.write({ rows: [{ ...baseRow, c6: 7 }], schema: baseColumns }, { mode: 'append' });
    await table.write({ rows: [baseRow], schema: baseColumns }, { mode: 'overwrite', partitionOverwriteMode: 'dynamic' });
    expect((await rowsSorted(engine, root, 'c7_g_p')).map((r) => r.c7_g_p)).toEqual([70, 1000]);
    await table.write({ rows: [baseRow], schema: baseColumns }, { mode: 'overwrite' });
    expect(await rowsSorted(engine, root, 'c1')).toEqual([expectedRow]);
  });

  it('replaceWhere may select on a generated column the data does not give', async () => {
    const { table, engine, root } = await defaultTable();
    await table.write({ rows: [baseRow, { ...baseRow, c6: 2 }], schema: baseColumns }, { mode: 'append' });
    await table.write({ rows: [{ ...baseRow, c1: 5n, c6: 2 }], schema: baseColumns }, { mode: 'overwrite', replaceWhere: 'c7_g_p = 20' });
    expect((await rowsSorted(engine, root, 'c1')).map((r) => [r.c1, r.c7_g_p])).toEqual([
      [1n, 1000],
      [5n, 20],
    ]);
    await rejection(table.write({ rows: [{ ...baseRow, c6: 3 }], schema: baseColumns }, { mode: 'overwrite', replaceWhere: 'c7_g_p = 20' }), 'INVALID_WRITE');
  });

  it('the check is null-safe: NULL where the expression is NULL passes, a NULL or value where it is not fails', async () => {
    const schema = struct([field('c1', INT), gen('c2', INT, 'c1 + 1')]);
    const { table, engine, root } = memoryTable();
    await table.create({ schema });
    await table.write({ rows: [{ c1: 1, c2: 2 }], schema }, { mode: 'append' });
    await table.write({ rows: [{ c1: null, c2: null }], schema }, { mode: 'append' });
    const e1 = await rejection(table.write({ rows: [{ c1: 5, c2: null }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e1.message).toContain('CHECK constraint Generated Column (c2 <=> (c1 + 1)) violated by row with values:\n - c1 : 5\n - c2 : null');
    await rejection(table.write({ rows: [{ c1: null, c2: 5 }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(await rowsSorted(engine, root, 'c1')).toEqual([
      { c1: null, c2: null },
      { c1: 1, c2: 2 },
    ]);
  });

  it('a NOT NULL generated column may be omitted, and a NULL result is a NOT NULL violation', async () => {
    const schema = struct([field('base', INT), gen('gen', INT, 'base + 1', false)]);
    const { table, engine, root } = memoryTable();
    await table.create({ schema });
    const base = struct([field('base', INT)]);
    await table.write({ rows: [{ base: 1 }], schema: base }, { mode: 'append' });
    const e = await rejection(table.write({ rows: [{ base: null }], schema: base }, { mode: 'append' }), 'SCHEMA_MISMATCH');
    expect(e.message).toContain('gen: 1 row with null');
    expect(await rowsSorted(engine, root, 'base')).toEqual([{ base: 1, gen: 2 }]);
  });

  it('date and timestamp expressions: casts between timestamp, date and string', async () => {
    const schema = struct([
      field('ts', TIMESTAMP),
      gen('d', DATE, 'CAST(ts AS DATE)'),
      gen('midnight', TIMESTAMP, 'CAST(CAST(ts AS DATE) AS TIMESTAMP)'),
      gen('label', STRING, 'CAST(ts AS STRING)'),
      gen('late', primitive('boolean'), "ts >= TIMESTAMP '2024-06-01 12:00:00'"),
    ]);
    const { table, engine, root } = memoryTable();
    await table.create({ schema });
    const ts = struct([field('ts', TIMESTAMP)]);
    await table.write({ rows: [{ ts: '2024-06-01T23:59:59.5Z' }, { ts: '1969-12-31T23:00:00Z' }, { ts: null }], schema: ts }, { mode: 'append' });
    expect(await rowsSorted(engine, root, 'ts')).toEqual([
      { ts: null, d: null, midnight: null, label: null, late: null },
      { ts: Date.parse('1969-12-31T23:00:00Z'), d: day('1969-12-31'), midnight: Date.parse('1969-12-31T00:00:00Z'), label: '1969-12-31 23:00:00', late: false },
      { ts: Date.parse('2024-06-01T23:59:59.5Z'), d: day('2024-06-01'), midnight: Date.parse('2024-06-01T00:00:00Z'), label: '2024-06-01 23:59:59.5', late: true },
    ]);
  });

  it('decimal arithmetic keeps exact values', async () => {
    const schema = struct([field('price', decimal(10, 2)), field('qty', INT), gen('total', decimal(21, 2), 'price * qty')]);
    const { table, engine, root } = memoryTable();
    await table.create({ schema });
    await table.write({ rows: [{ price: '12345678.91', qty: 3 }, { price: '0.01', qty: -7 }], schema: struct(schema.fields.slice(0, 2)) }, { mode: 'append' });
    const t = await readBack(engine, root);
    const words = t.getChild('total')!.data[0]!.values as Uint32Array;
    const unscaled = (i: number) => BigInt.asIntN(128, [0, 1, 2, 3].reduce((acc, k) => acc | (BigInt(words[4 * i + k]!) << BigInt(32 * k)), 0n));
    const qty = Array.from(t.getChild('qty')!.toArray() as Int32Array);
    const byQty = new Map(qty.map((q, i) => [q, unscaled(i)] as const));
    expect(byQty).toEqual(new Map([[3, 3703703673n], [-7, -7n]]));
  });

  it('create refuses invalid generation expressions, as Delta Spark validates them', async () => {
    const create = (schema: ReturnType<typeof struct>) => memoryTable().table.create({ schema });
    const missing = await rejection(create(struct([field('a', INT), gen('b', INT, 'nope + 1')])), 'COLUMN_NOT_FOUND');
    expect(missing.message).toContain('The generation expression of column b (nope + 1) cannot be bound');
    const chained = await rejection(create(struct([field('a', INT), gen('b', INT, 'a + 1'), gen('c', INT, 'b + 1')])), 'INVALID_SCHEMA');
    expect(chained.message).toContain('reads a generated column');
    await rejection(create(struct([field('a', INT), gen('b', INT, 'b + 1')])), 'INVALID_SCHEMA');
    // the expression's type must be the column's (Spark's testTypeMismatch cases)
    for (const expression of ['CAST(a AS STRING)', 'CAST(a AS BIGINT)', 'CAST(a AS SMALLINT)']) {
      const e = await rejection(create(struct([field('a', INT), gen('g', INT, expression)])), 'TYPE_MISMATCH');
      expect(e.message).toContain('but the column has type integer');
    }
    for (const [expression, nullable] of [['a', true], ['a', false], ['5', false], ['CAST(NULL AS INT)', false], ['CAST(NULL AS INT)', true]] as const) {
      await create(struct([field('a', INT), gen('g', INT, expression, nullable)]));
    }
  });

  it('works under column mapping: expressions name logical columns, files hold physical names', async () => {
    const schema = struct([field('a b', INT), gen('twice', LONG, 'CAST(`a b` AS BIGINT) * 2')]);
    const { table, engine, root } = memoryTable();
    await table.create({ schema, properties: { 'delta.columnMapping.mode': 'name' } });
    expect((await table.snapshot()).protocol).toEqual({ minReaderVersion: 2, minWriterVersion: 5 });
    await table.write({ rows: [{ 'a b': 21 }], schema: struct([field('a b', INT)]) }, { mode: 'append' });
    expect(await rowsSorted(engine, root, 'twice')).toEqual([{ 'a b': 21, twice: 42n }]);
    await rejection(table.write({ rows: [{ 'a b': 1, twice: 3n }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
  });

  it('a boolean generated column works with predicate syntax', async () => {
    const schema = struct([field('n', INT), gen('big', primitive('boolean'), 'n > 10 AND n IS NOT NULL')]);
    const { table, engine, root } = memoryTable();
    await table.create({ schema });
    await table.write({ rows: [{ n: 5 }, { n: 50 }, { n: null }], schema: struct([field('n', INT)]) }, { mode: 'append' });
    expect((await rowsSorted(engine, root, 'n')).map((r) => r.big)).toEqual([false, false, true]);
  });
});
