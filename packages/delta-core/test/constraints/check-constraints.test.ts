/**
 * CHECK constraints end to end: ALTER TABLE ADD / DROP CONSTRAINT and enforcement on every write.
 * Cases follow Delta Spark's CheckConstraintsSuite and InvariantEnforcementSuite (the table of
 * (num, text) rows 1..6 / 'a'..'f', the constraint texts, the expected message fragments).
 */
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { field, primitive, struct } from '../../src/schema/types.js';
import { rowsToBatch } from '../../src/write/rows-to-arrow.js';
import { commitInfoOf, memoryTable, rejection, rowsSorted, tableState } from './helpers.js';

const schema = struct([field('num', primitive('integer')), field('text', primitive('string'))]);
const letters = 'abcdef';
const sixRows = [1, 2, 3, 4, 5, 6].map((num) => ({ num, text: letters[num - 1]! }));

async function withTestTable() {
  const t = memoryTable();
  await t.table.write({ rows: sixRows, schema });
  return t;
}

describe('writes to a table with CHECK constraints', () => {
  it('a violating append is rejected naming the constraint and showing the row; the table is untouched', async () => {
    const { table, engine, root } = await withTestTable();
    await table.addConstraint('lessThan10', "num < 10 and text < 'g'");
    await table.write({ rows: [{ num: 5, text: 'a' }], schema }, { mode: 'append' });
    const before = await tableState(table);
    const e = await rejection(table.write({ rows: [{ num: 7, text: 'b' }, { num: 11, text: 'a' }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain("CHECK constraint lessthan10 (num < 10 and text < 'g') violated by row with values:\n - num : 11\n - text : a");
    expect(e.details).toMatchObject({ constraint: 'lessthan10', expression: "num < 10 and text < 'g'", kind: 'check', values: { num: '11', text: 'a' } });
    expect(await tableState(table)).toEqual(before);
    expect((await rowsSorted(engine, root, 'num')).map((r) => r.num)).toEqual([1, 2, 3, 4, 5, 5, 6]);
  });

  it('NULL fails a constraint, as in Delta (unlike SQL CHECK); IS NULL lets it through', async () => {
    const { table } = await withTestTable();
    await table.addConstraint('numLimit', 'num < 10');
    const e = await rejection(table.write({ rows: [{ num: null, text: 'x' }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain('CHECK constraint numlimit (num < 10) violated by row with values:\n - num : null');
    // a column missing from the data is NULL as well
    const onlyText = struct([field('text', primitive('string'))]);
    await rejection(table.write({ rows: [{ text: 'y' }], schema: onlyText }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    await table.dropConstraint('numLimit');
    await table.addConstraint('numNullOrSmall', 'num IS NULL OR num < 10');
    const r = await table.write({ rows: [{ num: null, text: 'x' }], schema }, { mode: 'append' });
    expect(r.numOutputRows).toBe(1);
  });

  it('the first violating row of a later batch stops the write and nothing is committed', async () => {
    const { table } = await withTestTable();
    await table.addConstraint('positive', 'num > 0');
    const before = await tableState(table);
    const good = rowsToBatch(
      Array.from({ length: 10 }, (_, i) => ({ num: i + 1, text: "t" })),
      schema,
    );
    const bad = rowsToBatch([{ num: 3, text: 'u' }, { num: -4, text: 'v' }, { num: -5, text: 'w' }], schema);
    const e = await rejection(table.write([good, bad], { mode: 'append', targetFileSize: 1 }), 'CONSTRAINT_VIOLATION');
    expect(e.details.values).toEqual({ num: '-4' });
    expect(await tableState(table)).toEqual(before);
  });

  it('overwrite and replaceWhere check the new rows too', async () => {
    const { table, engine, root } = await withTestTable();
    await table.addConstraint('small', 'num <= 6');
    const before = await tableState(table);
    await rejection(table.write({ rows: [{ num: 9, text: 'z' }], schema }, { mode: 'overwrite' }), 'CONSTRAINT_VIOLATION');
    await rejection(table.write({ rows: [{ num: 7, text: 'a' }], schema }, { mode: 'overwrite', replaceWhere: "text = 'a'" }), 'CONSTRAINT_VIOLATION');
    expect(await tableState(table)).toEqual(before);
    await table.write({ rows: [{ num: 6, text: 'a' }], schema }, { mode: 'overwrite', replaceWhere: "text = 'a'" });
    expect((await rowsSorted(engine, root, 'text')).map((r) => `${r.text}${r.num}`)).toEqual(['a6', 'b2', 'c3', 'd4', 'e5', 'f6']);
  });

  it('an implicit cast in the constraint is applied (num < \'10\' compares numbers)', async () => {
    const { table } = await withTestTable();
    await table.addConstraint('maxWithImplicitCast', "num < '10'");
    await table.write({ rows: [{ num: 9, text: 'data' }], schema }, { mode: 'append' });
    const e = await rejection(table.write({ rows: [{ num: 11, text: 'data' }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain("constraint maxwithimplicitcast (num < '10') violated by row");
  });

  it('a constraint on a nested field fails when the field or its parent is NULL', async () => {
    const nested = struct([field('id', primitive('integer')), field('s', struct([field('a', primitive('integer')), field('b', primitive('string'))]))]);
    const { table, engine, root } = memoryTable();
    await table.write({ rows: [{ id: 1, s: { a: 1, b: 'x' } }], schema: nested });
    await table.addConstraint('a0', 's.a < 100');
    for (const row of [{ id: 2, s: { a: null, b: 'y' } }, { id: 3, s: null }, { id: 4, s: { a: 100, b: 'z' } }]) {
      const e = await rejection(table.write({ rows: [row], schema: nested }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
      expect(e.message).toContain('CHECK constraint a0 (s.a < 100) violated by row with values:\n - s.a : ');
    }
    // IS NULL constraints accept a NULL parent
    await table.dropConstraint('a0');
    await table.addConstraint('aNullOrSmall', 's.a IS NULL OR s.a < 100');
    await table.write({ rows: [{ id: 3, s: null }], schema: nested }, { mode: 'append' });
    expect((await rowsSorted(engine, root, 'id')).map((r) => r.id)).toEqual([1, 3]);
  });

  it('a constraint given by create is validated, upgrades the protocol and is enforced', async () => {
    const { table } = memoryTable();
    await table.create({ schema: struct([field('id', primitive('integer')), field('value', primitive('string'))]), properties: { 'delta.constraints.positive_id': 'id > 0' } });
    const snap = await table.snapshot();
    expect(snap.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 3 });
    await table.write({ rows: [{ id: 1, value: 'a' }], schema: snap.schema }, { mode: 'append' });
    const e = await rejection(table.write({ rows: [{ id: 0, value: 'b' }], schema: snap.schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain('CHECK constraint positive_id (id > 0) violated by row with values:\n - id : 0');
  });

  it('create refuses a constraint over a missing column or of a non-boolean type, and creates nothing', async () => {
    const s = struct([field('id', primitive('integer')), field('value', primitive('string'))]);
    const a = memoryTable();
    const e1 = await rejection(a.table.create({ schema: s, properties: { 'delta.constraints.invalid': 'non_existent_column > 0' } }), 'COLUMN_NOT_FOUND');
    expect(e1.message).toContain('CHECK constraint invalid (non_existent_column > 0) cannot be bound');
    const e2 = await rejection(a.table.create({ schema: s, properties: { 'delta.constraints.nonbool': 'value' } }), 'TYPE_MISMATCH');
    expect(e2.message).toContain("CHECK constraint nonbool (value) should be a boolean expression");
    await rejection(a.table.snapshot(), 'TABLE_NOT_FOUND');
  });

  it('a write creating a table with a constraint property checks its own rows', async () => {
    const { table } = memoryTable();
    const e = await rejection(table.write({ rows: sixRows, schema }, { properties: { 'delta.constraints.few': 'num < 4' } }), 'CONSTRAINT_VIOLATION');
    expect(e.details.values).toEqual({ num: '4' });
    await rejection(table.snapshot(), 'TABLE_NOT_FOUND');
  });
});

describe('ADD CONSTRAINT and DROP CONSTRAINT', () => {
  it('round trip: lower-cased property, protocol (1,3), history, enforcement, and none after the drop', async () => {
    const { table, engine, root } = await withTestTable();
    const before = await table.snapshot();
    expect(before.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    const { version } = await table.addConstraint('lessThan10', 'num < 10');
    const snap = await table.snapshot();
    expect(snap.version).toBe(version);
    expect(snap.properties).toEqual({ 'delta.constraints.lessthan10': 'num < 10' });
    expect(snap.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 3 });
    expect(snap.metadata.id).toBe(before.metadata.id);
    expect(snap.metadata.schemaString).toBe(before.metadata.schemaString);
    const added = await commitInfoOf(engine, root, version);
    expect(added.operation).toBe('ADD CONSTRAINT');
    expect(added.operationParameters).toEqual({ name: 'lessThan10', expr: 'num < 10' });

    await rejection(table.write({ rows: [{ num: 11, text: 'a' }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    const dropped = await table.dropConstraint('LESSTHAN10');
    expect(dropped).toEqual({ version: version + 1, dropped: true });
    const dropInfo = await commitInfoOf(engine, root, dropped.version);
    expect(dropInfo.operation).toBe('DROP CONSTRAINT');
    expect(dropInfo.operationParameters).toEqual({ name: 'LESSTHAN10', expr: 'num < 10', existed: 'true' });
    const after = await table.snapshot();
    expect(after.properties).toEqual({});
    expect(after.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 3 });
    await table.write({ rows: [{ num: 11, text: 'a' }], schema }, { mode: 'append' });
    expect((await rowsSorted(engine, root, 'num')).map((r) => r.num)).toEqual([1, 2, 3, 4, 5, 6, 11]);
  });

  it('existing rows that violate the new constraint refuse it, with their count and an example', async () => {
    const { table } = await withTestTable();
    const before = await tableState(table);
    const e = await rejection(table.addConstraint('lessThan5', "num < 5 and text < 'd'"), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain("3 rows in the table at /t violate the new CHECK constraint lessthan5 (num < 5 and text < 'd')");
    expect(e.message).toContain('for example the row with values:\n - num : 4\n - text : d');
    expect(e.details).toMatchObject({ violatingRows: 3, values: { num: '4', text: 'd' } });
    expect(await tableState(table)).toEqual(before);
    expect((await table.snapshot()).properties).toEqual({});
  });

  it('existing NULLs violate a new constraint', async () => {
    const { table } = memoryTable();
    await table.write({ rows: Array.from({ length: 10 }, (_, i) => ({ num: i, text: null })), schema });
    await table.addConstraint('textNull', 'text IS NULL');
    const e = await rejection(table.addConstraint('textSmall', "text < 'z'"), 'CONSTRAINT_VIOLATION');
    expect(e.details.violatingRows).toBe(10);
    expect(e.details.values).toEqual({ text: 'null' });
  });

  it('a constant constraint is checked against the row count', async () => {
    const { table } = await withTestTable();
    const e = await rejection(table.addConstraint('never', 'false'), 'CONSTRAINT_VIOLATION');
    expect(e.details.violatingRows).toBe(6);
    await table.addConstraint('trivial', 'true');
    expect((await table.snapshot()).properties).toEqual({ 'delta.constraints.trivial': 'true' });
  });

  it('refuses a duplicate name (case-insensitively), a bad expression and a bad name; nothing is committed', async () => {
    const { table } = await withTestTable();
    await table.addConstraint('trivial', 'true');
    const before = await tableState(table);
    const dup = await rejection(table.addConstraint('TRIVIAL', 'num > 0'), 'INVALID_ARGUMENT');
    expect(dup.message).toContain("Constraint 'TRIVIAL' already exists");
    expect(dup.message).toContain(': true.');
    await rejection(table.addConstraint('c', 'does_not_exist > 0'), 'COLUMN_NOT_FOUND');
    const notBool = await rejection(table.addConstraint('integerVal', '3'), 'TYPE_MISMATCH');
    expect(notBool.message).toContain('CHECK constraint integerval (3) should be a boolean expression');
    const parse = await rejection(table.addConstraint('lessThan5', 'num <'), 'PARSE_ERROR');
    expect(parse.message).toContain('CHECK constraint lessthan5 (num <) cannot be parsed');
    await rejection(table.addConstraint('', 'true'), 'INVALID_ARGUMENT');
    await rejection(table.addConstraint(' padded ', 'true'), 'INVALID_ARGUMENT');
    expect(await tableState(table)).toEqual(before);
  });

  it('dropping a missing constraint fails unless ifExists, which commits nothing', async () => {
    const { table } = await withTestTable();
    const before = await tableState(table);
    const e = await rejection(table.dropConstraint('myConstraint'), 'INVALID_ARGUMENT');
    expect(e.message).toContain("Cannot drop constraint 'myConstraint'");
    expect(await table.dropConstraint('myConstraint', { ifExists: true })).toEqual({ version: before.version, dropped: false });
    expect(await tableState(table)).toEqual(before);
  });

  it('on a table-features protocol the checkConstraints feature is listed', async () => {
    const { table } = await withTestTable();
    await table.setProperties({ 'delta.enableDeletionVectors': 'true' });
    expect((await table.snapshot()).protocol.writerFeatures).not.toContain('checkConstraints');
    await table.addConstraint('positive', 'num > 0');
    const p = (await table.snapshot()).protocol;
    expect(p.minWriterVersion).toBe(7);
    expect(p.writerFeatures).toContain('checkConstraints');
    expect(p.writerFeatures).toContain('deletionVectors');
  });

  it('constraint properties cannot be set, changed or removed as plain properties', async () => {
    const { table } = await withTestTable();
    await table.addConstraint('positive', 'num > 0');
    const before = await tableState(table);
    const e = await rejection(table.setProperties({ 'delta.constraints.mychk': 'num > 1' }), 'INVALID_ARGUMENT');
    expect(e.message).toContain('addConstraint');
    await rejection(table.setProperties({ 'delta.constraints.positive': 'num > 100' }), 'INVALID_ARGUMENT');
    await rejection(table.write({ rows: [{ num: 1, text: 'a' }], schema }, { mode: 'append', properties: { 'delta.constraints.other': 'num > 1' } }), 'INVALID_ARGUMENT');
    expect(await tableState(table)).toEqual(before);
    // other properties still change, and the constraint stays
    await table.setProperties({ 'user.owner': 'me' });
    expect((await table.snapshot()).properties).toEqual({ 'delta.constraints.positive': 'num > 0', 'user.owner': 'me' });
  });

  it('takes an expression tree as well as SQL text', async () => {
    const { table } = await withTestTable();
    const { cmp, col, lit } = await import('../../src/expr/ast.js');
    await table.addConstraint('treeLimit', cmp('<', col('num'), lit(100n)));
    expect((await table.snapshot()).properties['delta.constraints.treelimit']).toBe('(num < 100)');
    await rejection(table.write(tableFromArrays({ num: Int32Array.from([100]), text: ['x'] }), { mode: 'append' }), 'CONSTRAINT_VIOLATION');
  });

  it('a write that began before a constraint was added fails at commit instead of landing unchecked rows', async () => {
    const { table, engine, root } = await withTestTable();
    const { DeltaTable } = await import('../../src/table/delta-table.js');
    const other = DeltaTable.forPath('memory://t', { engine });
    async function* stream() {
      yield rowsToBatch([{ num: 7, text: 'g' }], schema);
      // the constraint lands while this write is still consuming its input
      await other.addConstraint('small', 'num < 7');
      yield rowsToBatch([{ num: 8, text: 'h' }], schema);
    }
    await rejection(table.write(stream(), { mode: 'append' }), 'METADATA_CHANGED');
    expect((await table.snapshot()).properties).toEqual({ 'delta.constraints.small': 'num < 7' });
    expect((await rowsSorted(engine, root, 'num')).map((r) => r.num)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a constraint added concurrently with an append conflicts rather than missing its rows', async () => {
    const { table, engine } = await withTestTable();
    const stale = await table.snapshot();
    // another writer appends a violating row after the snapshot the constraint will check
    const { DeltaTable } = await import('../../src/table/delta-table.js');
    await DeltaTable.forPath('memory://t', { engine }).write({ rows: [{ num: 50, text: 'z' }], schema }, { mode: 'append' });
    const { addConstraint } = await import('../../src/constraints/alter.js');
    const e = await rejection(addConstraint(engine, stale, 'small', 'num < 10', { timeZone: 'UTC' }), 'CONCURRENT_APPEND');
    expect(e.message.length).toBeGreaterThan(0);
    expect((await table.snapshot()).properties).toEqual({});
  });
});

