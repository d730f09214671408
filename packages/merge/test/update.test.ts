import { afterAll, describe, expect, it } from 'vitest';
import { arith, col, field, lit, primitive, struct, type Expr } from '@deltakit/core';
import type { AddFile } from '@deltakit/core';
import { cdcRows, cleanup, commitActions, commitInfo, duckAfter, feedRows, makeTable, readRows } from './helpers.js';
import { updateTable } from '../src/index.js';

afterAll(cleanup);

const schema = struct([
  field('id', primitive('long'), false),
  field('part', primitive('string')),
  field('value', primitive('integer')),
  field('name', primitive('string')),
  field('info', struct([field('city', primitive('string')), field('zip', primitive('integer'))])),
]);
const DUCK_COLUMNS = 'id BIGINT, part VARCHAR, value INTEGER, name VARCHAR, info STRUCT(city VARCHAR, zip INTEGER)';

const ROWS = Array.from({ length: 240 }, (_, i) => ({
  id: BigInt(i),
  part: ['a', 'b', 'c'][i % 3]!,
  value: i % 7 === 0 ? null : i % 100,
  name: `n${i}`,
  info: i % 11 === 0 ? null : { city: `c${i % 5}`, zip: i % 13 === 0 ? null : 1000 + i },
}));

interface Case {
  readonly name: string;
  readonly set: Record<string, string | Expr>;
  readonly condition?: string;
  /** The same statement for DuckDB. */
  readonly duck: string;
}

const CASES: Case[] = [
  { name: 'literal on a data condition', set: { name: "'x'" }, condition: 'value > 50', duck: "UPDATE {t} SET name = 'x' WHERE value > 50" },
  { name: 'arithmetic over the old values, cast long to int', set: { value: arith('*', col('id'), lit(2n)) }, condition: "part = 'b'", duck: "UPDATE {t} SET value = id * 2 WHERE part = 'b'" },
  { name: 'SQL text values and conditions', set: { value: 'value * 2 + 1', name: "CASE WHEN value > 30 THEN 'big' ELSE name END" }, condition: 'value BETWEEN 10 AND 60 AND id % 4 = 1', duck: "UPDATE {t} SET value = value * 2 + 1, name = CASE WHEN value > 30 THEN 'big' ELSE name END WHERE value BETWEEN 10 AND 60 AND id % 4 = 1" },
  { name: 'every row (no condition)', set: { value: lit(1n) }, duck: 'UPDATE {t} SET value = 1' },
  { name: 'null condition rows are not updated', set: { name: "'y'" }, condition: 'value <> 3', duck: "UPDATE {t} SET name = 'y' WHERE value <> 3" },
  { name: 'int assigned to a string column', set: { name: col('value') }, condition: 'id < 30', duck: 'UPDATE {t} SET name = value WHERE id < 30' },
  { name: 'string assigned to an int column', set: { value: "'12'" }, condition: 'id >= 200', duck: "UPDATE {t} SET value = '12' WHERE id >= 200" },
  { name: 'partition column (rows move)', set: { part: "'z'" }, condition: 'value < 10', duck: "UPDATE {t} SET part = 'z' WHERE value < 10" },
  { name: 'nested field', set: { 'info.city': "'Paris'" }, condition: 'id < 40', duck: "UPDATE {t} SET info = {'city': 'Paris', 'zip': info.zip} WHERE id < 40" },
  { name: 'two columns from each other', set: { value: col('info', 'zip'), name: col('part') }, condition: "part = 'c' AND value > 20", duck: 'UPDATE {t} SET value = info.zip, name = part WHERE part = \'c\' AND value > 20' },
  { name: 'no row matches: nothing committed', set: { name: "'q'" }, condition: 'value > 1000', duck: "UPDATE {t} SET name = 'q' WHERE value > 1000" },
];

describe.each([
  { variant: 'unpartitioned, rewrite', partitioned: false, dv: false },
  { variant: 'unpartitioned, deletion vectors', partitioned: false, dv: true },
  { variant: 'partitioned, rewrite', partitioned: true, dv: false },
  { variant: 'partitioned, deletion vectors', partitioned: true, dv: true },
])('UPDATE ($variant) on a CDF table, checked against DuckDB and the change feed', ({ partitioned, dv }) => {
  const properties: Record<string, string> = { 'delta.enableChangeDataFeed': 'true', ...(dv ? { 'delta.enableDeletionVectors': 'true' } : {}) };
  const create = () => makeTable(ROWS, schema, { properties, files: 3, ...(partitioned ? { partitionBy: ['part'] } : {}) });

  it.each(CASES)('$name', async (c) => {
    const table = await create();
    const before = await table.snapshot();
    const result = await table.update({ set: c.set, ...(c.condition === undefined ? {} : { condition: c.condition }) });
    const after = await readRows(table);
    const expected = await duckAfter(ROWS, DUCK_COLUMNS, c.duck);
    expect(after).toEqual(expected);
    const changedIds = changed(ROWS, expected);
    if (changedIds.size === 0 && !c.duck.includes('SET value = 1')) {
      expect(result.version).toBe(before.version);
      return;
    }
    expect(result.version).toBe(before.version + 1);
    const info = commitInfo(table.tableRoot, result.version);
    expect(info.operation).toBe('UPDATE');
    expect(JSON.parse((info.operationParameters as Record<string, string>).predicate!)).toHaveLength(c.condition === undefined ? 0 : 1);
    // the change feed: a pre- and a post-image for every updated row
    const feed = await cdcRows(table.tableRoot, result.version, { part: 'VARCHAR' });
    const pre = feed.filter((r) => r._change_type === 'update_preimage').map(({ _change_type: _t, ...r }) => r);
    const post = feed.filter((r) => r._change_type === 'update_postimage').map(({ _change_type: _t, ...r }) => r);
    expect(feed.length).toBe(pre.length + post.length);
    expect(pre.length).toBe(result.numUpdatedRows);
    const updatedIds = new Set(pre.map((r) => String(r.id)));
    expect(sortById(post)).toEqual(sortById(expected.filter((r) => updatedIds.has(String(r.id)))));
    expect(sortById(pre)).toEqual(sortById(ROWS.map((r) => ({ ...r })).filter((r) => updatedIds.has(String(r.id))).map(plainRow)));
    for (const id of changedIds) expect(updatedIds.has(id)).toBe(true);
    // @deltakit/cdf reads the same pre- and post-images
    const read = await feedRows(table, result.version);
    expect(read.filter((r) => r._change_type === 'update_preimage').length).toBe(pre.length);
    expect(sortById(read.filter((r) => r._change_type === 'update_postimage').map(({ _change_type: _t, ...r }) => r))).toEqual(sortById(post));
    for (const a of commitActions(table.tableRoot, result.version)) {
      if ('add' in a && (a.add as unknown as AddFile).deletionVector !== undefined) expect(dv).toBe(true);
    }
    if (!dv) expect(result.numDeletionVectorsAdded).toBe(0);
  });
});

describe('UPDATE errors', () => {
  it('refuses a value that does not convert to the column type, committing nothing', async () => {
    const table = await makeTable(ROWS, schema);
    const before = await table.snapshot();
    const e = await updateTable(table, { set: { value: "'abc'" }, condition: 'id = 5' }).catch((x: unknown) => x as { code: string; message: string });
    expect(e).toMatchObject({ code: 'INVALID_WRITE' });
    expect((e as { message: string }).message).toContain("'abc'");
    await expect(duckAfter(ROWS, DUCK_COLUMNS, "UPDATE {t} SET value = 'abc' WHERE id = 5")).rejects.toThrow();
    expect((await table.snapshot()).version).toBe(before.version);
  });

  it('refuses an out-of-range value (ANSI store assignment)', async () => {
    const table = await makeTable(ROWS, schema);
    const e = await table.update({ set: { value: arith('+', col('id'), lit(3_000_000_000n)) }, condition: 'id = 5' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'INVALID_WRITE' });
  });

  it('refuses a type Spark cannot store-assign', async () => {
    const table = await makeTable(ROWS, schema);
    await expect(table.update({ set: { value: col('info') } })).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
  });

  it('refuses null in a NOT NULL column, as appends do', async () => {
    const table = await makeTable(ROWS, schema);
    await expect(table.update({ set: { id: lit(null) }, condition: 'id < 3' })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringContaining('id') });
  });

  it('points at the offending part of SQL text with a caret', async () => {
    const table = await makeTable(ROWS, schema);
    const e = (await table.update({ set: { value: 'value + nope' } }).catch((x: unknown) => x)) as { code: string; message: string };
    expect(e.code).toBe('COLUMN_NOT_FOUND');
    expect(e.message).toContain('value + nope\n          ^^^^');
    const d = (await table.delete("id > 'x' AND valeu = 1").catch((x: unknown) => x)) as { code: string; message: string };
    expect(d.code).toBe('COLUMN_NOT_FOUND');
    expect(d.message).toContain("id > 'x' AND valeu = 1\n" + ' '.repeat(15) + '^^^^^');
  });

  it('names unknown and overlapping targets', async () => {
    const table = await makeTable(ROWS, schema);
    await expect(table.update({ set: { nope: "'x'" } })).rejects.toMatchObject({ code: 'COLUMN_NOT_FOUND' });
    await expect(table.update({ set: { 'info.nope': "'x'" } })).rejects.toMatchObject({ code: 'COLUMN_NOT_FOUND' });
    await expect(table.update({ set: { info: lit(null), 'info.city': "'x'" } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

function plainRow(r: Record<string, unknown>): Record<string, unknown> {
  return r;
}

function sortById<T extends Record<string, unknown>>(rows: T[]): T[] {
  return [...rows].sort((a, b) => Number(a.id as bigint) - Number(b.id as bigint));
}

/** Ids whose row differs between the input and DuckDB's result. */
function changed(before: readonly Record<string, unknown>[], after: readonly Record<string, unknown>[]): Set<string> {
  const text = (r: Record<string, unknown>) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  const byId = new Map(before.map((r) => [String(r.id), text(r)]));
  return new Set(after.filter((r) => byId.get(String(r.id)) !== text(r)).map((r) => String(r.id)));
}
