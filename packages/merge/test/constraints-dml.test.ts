/**
 * DML against every kind of write rule on tables with the change data feed and deletion vectors
 * on: column invariants (`delta.invariants`), generated columns (`delta.generationExpression`),
 * NOT NULL columns and CHECK constraints through SQL. Each violating UPDATE or MERGE fails with
 * CONSTRAINT_VIOLATION (SCHEMA_MISMATCH for NOT NULL, as appends) naming the rule and showing an offending row, and leaves the table as it
 * was: same version, same rows, and no change feed for the failed statement.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { field, isDeltaError, primitive, struct, type DeltaError, type StructType } from '@deltakit/core';
import { tableChanges } from '@deltakit/cdf';
import { executeSql, type DeltaTable } from '../src/index.js';
import { cleanup, readRows, tableAt, tempDir } from './helpers.js';

afterAll(cleanup);

const INT = primitive('integer');
const LONG = primitive('long');
const invariant = (expression: string) => ({ 'delta.invariants': JSON.stringify({ expression: { expression } }) });
const PROPS = { 'delta.enableChangeDataFeed': 'true', 'delta.enableDeletionVectors': 'true' };

async function failure(p: Promise<unknown>): Promise<DeltaError> {
  try {
    await p;
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

/** A table of ids 1..4 with v = 10 * id, in one commit after the create. */
async function table(schema: StructType): Promise<DeltaTable> {
  const t = tableAt(tempDir());
  await t.create({ schema, properties: PROPS });
  const input = struct([field('id', LONG), field('v', INT)]);
  await t.write({ rows: [1, 2, 3, 4].map((i) => ({ id: BigInt(i), v: i * 10 })), schema: input }, { mode: 'append' });
  return t;
}

/** Runs each failing statement, then checks that the table and its change feed did not move. */
async function expectUntouched(t: DeltaTable, statements: Array<() => Promise<unknown>>, check: (e: DeltaError) => void): Promise<void> {
  const version = (await t.snapshot()).version;
  const before = await readRows(t);
  for (const run of statements) {
    const e = await failure(run());
    expect(e.code).toBe('CONSTRAINT_VIOLATION');
    check(e);
  }
  expect((await t.snapshot()).version).toBe(version);
  expect(await readRows(t)).toEqual(before);
  // The change feed ends at the last good commit: the appended rows only.
  const feed = await tableChanges(t, { startingVersion: 0 }).toTable();
  expect(feed.numRows).toBe(before.length);
  expect(new Set(feed.getChild('_change_type')!.toArray() as string[])).toEqual(new Set(['insert']));
}

const source = (ids: bigint[], vs: number[]) => tableFromArrays({ id: BigInt64Array.from(ids), v: Int32Array.from(vs) });

describe('DML and column invariants', () => {
  it('UPDATE and MERGE (update or insert) that break an invariant fail naming it and the row', async () => {
    const t = await table(struct([field('id', LONG), field('v', INT, true, invariant('v < 100'))]));
    await expectUntouched(
      t,
      [
        () => t.update({ set: { v: 'v * 10' }, condition: 'id = 4' }),
        () => t.alias('t').merge(source([2n], [500]), 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdateAll().execute(),
        () => t.alias('t').merge(source([9n], [900]), 't.id = s.id', { sourceAlias: 's' }).whenNotMatchedInsertAll().execute(),
      ],
      (e) => {
        expect(e.message).toContain('CHECK constraint EXPRESSION(v < 100) (v < 100) violated by row with values:');
        expect(e.message).toMatch(/ - v : (400|500|900)/);
        expect(e.details).toMatchObject({ kind: 'invariant', column: 'v' });
      },
    );
    // Within the invariant, the same statements commit.
    await t.update({ set: { v: 'v + 1' }, condition: 'id = 4' });
    expect((await readRows(t)).map((r) => r['v'])).toEqual([10, 20, 30, 41]);
  });

  it('a NULL written by UPDATE violates the invariant', async () => {
    const t = await table(struct([field('id', LONG), field('v', INT, true, invariant('v < 100'))]));
    await expectUntouched(t, [() => t.update({ set: { v: 'NULL' }, condition: 'id = 1' })], (e) => expect(e.message).toContain(' - v : null'));
  });
});

describe('DML and generated columns', () => {
  const schema = struct([field('id', LONG), field('v', INT), field('g', INT, true, { 'delta.generationExpression': 'v * 2 + 1' })]);

  it('a MERGE giving a generated column a value that disagrees with its expression fails; the table is untouched', async () => {
    const t = await table(schema);
    const wrong = tableFromArrays({ id: BigInt64Array.from([2n, 9n]), v: Int32Array.from([5, 7]), g: Int32Array.from([11, 99]) });
    await expectUntouched(
      t,
      [
        () => t.alias('t').merge(wrong, 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(),
        () => t.update({ set: { g: '0' }, condition: 'id = 3' }),
        () => executeSql(`UPDATE delta.\`${t.tableRoot}\` SET g = g + 1 WHERE id = 1`),
      ],
      (e) => {
        expect(e.message).toContain('CHECK constraint Generated Column (g <=> (v * 2 + 1)) violated by row with values:');
        expect(e.message).toMatch(/ - g : (99|0|22)/);
      },
    );
    // Values that agree with the expression are accepted.
    const right = tableFromArrays({ id: BigInt64Array.from([9n]), v: Int32Array.from([7]), g: Int32Array.from([15]) });
    await t.alias('t').merge(right, 't.id = s.id', { sourceAlias: 's' }).whenNotMatchedInsertAll().execute();
    expect((await readRows(t)).at(-1)).toEqual({ id: 9n, v: 7, g: 15 });
  });
});

describe('DML and NOT NULL columns, and CHECK constraints through SQL', () => {
  it('a MERGE inserting NULL into a NOT NULL column fails naming the column; nothing is committed', async () => {
    const t = await table(struct([field('id', LONG), field('v', INT, false)]));
    const nulls = tableFromArrays({ id: BigInt64Array.from([9n]), v: [null as number | null] });
    const version = (await t.snapshot()).version;
    const e = await failure(t.alias('t').merge(nulls, 't.id = s.id', { sourceAlias: 's' }).whenNotMatchedInsertAll().execute());
    // As for appends (and UPDATE, see update.test.ts): the column and the count of null rows.
    expect(e.code).toBe('SCHEMA_MISMATCH');
    expect(e.message).toContain('null values in non-nullable columns');
    expect(e.message).toContain('  - v: 1 row with null');
    expect((await t.snapshot()).version).toBe(version);
  });

  it('UPDATE and MERGE statements break a CHECK constraint added with ALTER TABLE; nothing is committed', async () => {
    const t = await table(struct([field('id', LONG), field('v', INT)]));
    const name = `delta.\`${t.tableRoot}\``;
    await executeSql(`ALTER TABLE ${name} ADD CONSTRAINT v_small CHECK (v <= 40)`);
    const src = join(tempDir(), 'src.jsonl');
    writeFileSync(src, '{"id": 1, "v": 15}\n{"id": 5, "v": 50}\n');
    await expectUntouched(
      t,
      [
        () => executeSql(`UPDATE ${name} SET v = v + 1 WHERE id = 4`),
        () => executeSql(`MERGE INTO ${name} t USING json.\`${src}\` s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *`),
      ],
      (e) => {
        expect(e.message).toContain('CHECK constraint v_small (v <= 40) violated by row with values:');
        expect(e.message).toMatch(/ - v : (41|50)/);
        expect(e.details).toMatchObject({ constraint: 'v_small' });
      },
    );
  });
});
