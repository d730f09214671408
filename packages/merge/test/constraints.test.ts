/**
 * DML on tables with CHECK constraints and generated columns: violating UPDATE and MERGE fail
 * naming the constraint and leave the table as it was; generated columns are recomputed when the
 * columns they read change, and computed for inserted rows.
 */
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { field, isDeltaError, primitive, struct, type DeltaError } from '@deltakit/core';
import type { DeltaTable } from '../src/index.js';
import { cleanup, readRows, sortRows, tableAt, tempDir } from './helpers.js';

afterAll(cleanup);

const INT = primitive('integer');
const LONG = primitive('long');
const base = struct([field('id', LONG), field('v', INT)]);
const withGenerated = struct([field('id', LONG), field('v', INT), field('g', INT, true, { 'delta.generationExpression': 'v * 2 + 1' })]);

async function failure(p: Promise<unknown>): Promise<DeltaError> {
  try {
    await p;
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

async function table(schema = base, properties: Record<string, string> = {}): Promise<DeltaTable> {
  const t = tableAt(tempDir());
  await t.create({ schema, properties });
  await t.write({ rows: [1, 2, 3, 4].map((i) => ({ id: BigInt(i), v: i * 10 })), schema: base }, { mode: 'append' });
  return t;
}

describe('DML and CHECK constraints', () => {
  for (const dv of [false, true]) {
    it(`UPDATE and MERGE that violate a constraint change nothing (deletion vectors ${dv ? 'on' : 'off'})`, async () => {
      const t = await table(base, dv ? { 'delta.enableDeletionVectors': 'true' } : {});
      await t.addConstraint('v_non_negative', 'v >= 0');
      const version = (await t.snapshot()).version;
      const before = await readRows(t);

      const update = await failure(t.update({ set: { v: 'v - 25' }, condition: 'id <= 2' }));
      expect(update.code).toBe('CONSTRAINT_VIOLATION');
      expect(update.message).toContain('CHECK constraint v_non_negative (v >= 0) violated by row with values:');
      expect(update.message).toMatch(/ - v : -15/);

      const source = tableFromArrays({ id: BigInt64Array.from([3n, 9n]), v: Int32Array.from([30, -1]) });
      const merge = await failure(t.alias('t').merge(source, 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute());
      expect(merge.code).toBe('CONSTRAINT_VIOLATION');
      expect(merge.message).toMatch(/ - v : -1/);

      expect((await t.snapshot()).version).toBe(version);
      expect(await readRows(t)).toEqual(before);

      // The same statements within the constraint commit.
      await t.update({ set: { v: 'v - 5' }, condition: 'id <= 2' });
      expect(await readRows(t)).toEqual(sortRows([5, 15, 30, 40].map((v, i) => ({ id: BigInt(i + 1), v }))));
    });
  }
});

describe('DML and generated columns', () => {
  it('UPDATE recomputes the generated column; MERGE computes it for inserts and updates', async () => {
    const t = await table(withGenerated);
    const g = (v: number) => v * 2 + 1;
    expect(await readRows(t)).toEqual(sortRows([1, 2, 3, 4].map((i) => ({ id: BigInt(i), v: i * 10, g: g(i * 10) }))));

    await t.update({ set: { v: 'v + 1' }, condition: 'id = 1' });
    const source = tableFromArrays({ id: BigInt64Array.from([2n, 7n]), v: Int32Array.from([200, 700]) });
    await t.alias('t').merge(source, 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdate({ set: { v: 's.v' } }).whenNotMatchedInsert({ values: { id: 's.id', v: 's.v' } }).execute();
    expect(await readRows(t)).toEqual(
      sortRows([
        { id: 1n, v: 11, g: g(11) },
        { id: 2n, v: 200, g: g(200) },
        { id: 3n, v: 30, g: g(30) },
        { id: 4n, v: 40, g: g(40) },
        { id: 7n, v: 700, g: g(700) },
      ]),
    );

    // An explicit value that disagrees with the expression is refused, as Spark refuses it.
    const wrong = await failure(t.update({ set: { g: '0' }, condition: 'id = 3' }));
    expect(wrong.code).toBe('CONSTRAINT_VIOLATION');
    expect(wrong.message).toContain('Generated Column');
  });
});
