/**
 * `executeSql` with `appTransaction`: DELETE, UPDATE and MERGE statements record it and are
 * skipped on replay; maintenance statements refuse it.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { field, isDeltaError, primitive, struct, type DeltaError } from '@deltakit/core';
import { executeSql, type SqlOptions, type SqlResult } from '../../src/index.js';
import { cleanup, commitActions, makeTable, readRows, tempDir } from '../helpers.js';

afterAll(cleanup);

const schema = struct([field('id', primitive('long')), field('name', primitive('string')), field('part', primitive('string'))]);
const rows = Array.from({ length: 30 }, (_, i) => ({ id: BigInt(i), name: `n${i}`, part: ['a', 'b', 'c'][i % 3]! }));

const app = (version: bigint): SqlOptions => ({ appTransaction: { appId: 'sql-job', version } });

/** The table version a DML statement's result reports. */
function versionOf(result: SqlResult): number {
  if (!('version' in result) || typeof result.version !== 'number') throw new Error(`no version in ${result.operation}`);
  return result.version;
}

function latestVersion(root: string): number {
  return Math.max(...readdirSync(join(root, '_delta_log')).filter((f) => /^\d{20}\.json$/.test(f)).map((f) => Number(f.slice(0, 20))));
}

async function failure(p: Promise<unknown>): Promise<DeltaError> {
  try {
    await p;
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error('expected the statement to fail');
}

describe('executeSql with appTransaction', () => {
  it('DELETE and UPDATE record the txn and are skipped when replayed', async () => {
    const table = await makeTable(rows, schema, { partitionBy: ['part'] });
    const path = `delta.\`${table.tableRoot}\``;
    const update = `UPDATE ${path} SET name = concat(name, '+') WHERE part = 'a'`;
    const first = await executeSql(update, app(1n));
    expect(first).toMatchObject({ operation: 'UPDATE', skipped: false, numUpdatedRows: 10 });
    expect(commitActions(table.tableRoot, versionOf(first)).find((a) => 'txn' in a)?.txn).toMatchObject({ appId: 'sql-job', version: 1 });
    const once = await readRows(table);
    expect(await executeSql(update, app(1n))).toMatchObject({ operation: 'UPDATE', skipped: true, numUpdatedRows: 0, version: versionOf(first) });
    expect(await readRows(table)).toEqual(once);

    const del = `DELETE FROM ${path} WHERE id < 6`;
    expect(await executeSql(del, app(1n))).toMatchObject({ operation: 'DELETE', skipped: true, numDeletedRows: 0 });
    expect(await executeSql(del, app(2n))).toMatchObject({ operation: 'DELETE', skipped: false, numDeletedRows: 6 });
    expect((await table.snapshot()).appTransactions.get('sql-job')).toBe(2n);
  });

  it('a MERGE from a CSV source replayed with the same version is skipped; each key stays once', async () => {
    const table = await makeTable(rows.slice(0, 5), schema);
    const src = tempDir();
    writeFileSync(join(src, 'batch.csv'), 'id,name,part\n3,three,a\n4,four,b\n7,seven,c\n');
    const merge = `MERGE INTO delta.\`${table.tableRoot}\` t USING csv.\`${src}\` s ON t.id = s.id
      WHEN MATCHED THEN UPDATE SET name = concat(t.name, '|', s.name)
      WHEN NOT MATCHED THEN INSERT *`;
    const first = await executeSql(merge, app(10n));
    expect(first).toMatchObject({ operation: 'MERGE', skipped: false, numTargetRowsInserted: 1, numTargetRowsUpdated: 2 });
    const once = await readRows(table);
    const replay = await executeSql(merge, app(10n));
    expect(replay).toMatchObject({ operation: 'MERGE', skipped: true, numSourceRows: 0, version: versionOf(first) });
    expect(latestVersion(table.tableRoot)).toBe(versionOf(first));
    expect(await readRows(table)).toEqual(once);
    const ids = once.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(once.find((r) => r.id === 3n)?.name).toBe('n3|three');
  });

  it('maintenance statements and malformed application transactions fail with INVALID_ARGUMENT', async () => {
    const table = await makeTable(rows, schema, { files: 3 });
    const v0 = latestVersion(table.tableRoot);
    const optimize = await failure(executeSql(`OPTIMIZE delta.\`${table.tableRoot}\``, app(1n)));
    expect(optimize.code).toBe('INVALID_ARGUMENT');
    expect(optimize.message).toContain('DELETE, UPDATE and MERGE');
    const bad = await failure(executeSql(`DELETE FROM delta.\`${table.tableRoot}\``, { appTransaction: { appId: 'x', version: 1 as unknown as bigint } }));
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(latestVersion(table.tableRoot)).toBe(v0);
  });
});
