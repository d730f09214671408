/**
 * Whole nested values built with named_struct, struct, array and map in UPDATE and MERGE: the fix
 * the INSERT-of-a-nested-field error suggests ("Assign the whole column, e.g. named_struct(...)")
 * works, and the rows read back as DuckDB computes the same statements.
 */
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { field, isDeltaError, primitive, struct } from '@deltakit/core';
import { executeSql } from '../src/index.js';
import { cleanup, duckAfter, makeTable, readRows } from './helpers.js';

afterAll(cleanup);

const LONG = primitive('long');
const STRING = primitive('string');
const schema = struct([
  field('id', LONG),
  field('info', struct([field('city', STRING), field('zip', LONG)])),
  field('tags', { kind: 'array', elementType: STRING, containsNull: true }),
]);
const ROWS = [1n, 2n, 3n].map((id) => ({ id, info: { city: `c${id}`, zip: id * 100n }, tags: [`t${id}`] }));
const DUCK_COLUMNS = 'id BIGINT, info STRUCT(city VARCHAR, zip BIGINT)';

describe('nested values in DML', () => {
  it('UPDATE SET a struct column to named_struct(...) as DuckDB does, and an array column to array(...)', async () => {
    const flat = ROWS.map(({ tags: _t, ...r }) => r);
    const table = await makeTable(ROWS, schema);
    await executeSql(`UPDATE delta.\`${table.tableRoot}\` SET info = named_struct('city', upper(info.city), 'zip', id + 1), tags = array(tags[0], 'new') WHERE id >= 2`);
    const expected = await duckAfter(flat, DUCK_COLUMNS, "UPDATE {t} SET info = {'city': upper(info.city), 'zip': id + 1} WHERE id >= 2");
    const rows = await readRows(table);
    expect(rows.map(({ tags: _t, ...r }) => r)).toEqual(expected);
    expect(rows.map((r) => r['tags'])).toEqual([['t1'], ['t2', 'new'], ['t3', 'new']]);
  });

  it('an INSERT of a nested field is refused, and the suggested named_struct(...) inserts the whole struct', async () => {
    const table = await makeTable(ROWS, schema);
    const source = tableFromArrays({ id: BigInt64Array.from([7n]), city: ['Paris'] });
    const nested = await table
      .alias('t')
      .merge(source, 't.id = s.id', { sourceAlias: 's' })
      .whenNotMatchedInsert({ values: { id: 's.id', 'info.city': 's.city' } })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isDeltaError(nested) && nested.code).toBe('INVALID_ARGUMENT');
    expect((nested as Error).message).toContain('named_struct(...)');

    const m = await table
      .alias('t')
      .merge(source, 't.id = s.id', { sourceAlias: 's' })
      .whenNotMatchedInsert({ values: { id: 's.id', info: "named_struct('city', s.city, 'zip', 75000)", tags: "array('fr', s.city)" } })
      .execute();
    expect(m.numTargetRowsInserted).toBe(1);
    expect((await readRows(table)).find((r) => r['id'] === 7n)).toEqual({ id: 7n, info: { city: 'Paris', zip: 75000n }, tags: ['fr', 'Paris'] });
  });

  it('struct(...) names fields after the columns it reads, so it assigns a struct column by position', async () => {
    const table = await makeTable(ROWS, schema);
    const source = tableFromArrays({ id: BigInt64Array.from([1n]), city: ['Lyon'], zip: BigInt64Array.from([69000n]) });
    await table
      .alias('t')
      .merge(source, 't.id = s.id', { sourceAlias: 's' })
      .whenMatchedUpdate({ set: { info: 'struct(s.city, s.zip)' } })
      .execute();
    expect((await readRows(table)).find((r) => r['id'] === 1n)).toEqual({ id: 1n, info: { city: 'Lyon', zip: 69000n }, tags: ['t1'] });
  });
});
