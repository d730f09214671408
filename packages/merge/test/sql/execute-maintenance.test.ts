import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { field, isDeltaError, primitive, struct, type DeltaError } from '@deltakit/core';
import { DeltaTable, executeSql } from '../../src/index.js';
import { cleanup, commitInfo, makeTable, readRows } from '../helpers.js';

afterAll(cleanup);

const schema = struct([field('id', primitive('long')), field('name', primitive('string')), field('part', primitive('string'))]);
const rows = Array.from({ length: 60 }, (_, i) => ({ id: BigInt(i), name: `n${i}`, part: ['a', 'b', 'c'][i % 3]! }));
const at = (t: DeltaTable): string => `delta.\`${t.tableRoot}\``;

async function failure(p: Promise<unknown>): Promise<DeltaError> {
  try {
    await p;
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error('expected the statement to fail');
}

/** A fresh handle, so nothing cached from before a statement is read. */
const fresh = (t: DeltaTable): DeltaTable => DeltaTable.forPath(t.tableRoot);

describe('executeSql: OPTIMIZE', () => {
  it('compacts only the partitions the WHERE clause names, rows unchanged, recorded as Spark records it', async () => {
    const table = await makeTable(rows, schema, { partitionBy: ['part'], files: 4 });
    const before = await readRows(table);
    const result = await executeSql(`OPTIMIZE ${at(table)} WHERE part = 'a'`);
    expect(result).toMatchObject({ operation: 'OPTIMIZE', numFilesRemoved: 4, numFilesAdded: 1, partitionsOptimized: 1 });
    const snap = await fresh(table).snapshot();
    expect(snap.addFiles.filter((f) => f.partitionValues.part === 'a')).toHaveLength(1);
    expect(snap.addFiles.filter((f) => f.partitionValues.part === 'b')).toHaveLength(4);
    expect(await readRows(fresh(table))).toEqual(before);
    const info = commitInfo(table.tableRoot, snap.version) as { operation: string; operationParameters: Record<string, string>; operationMetrics: Record<string, string> };
    expect(info.operation).toBe('OPTIMIZE');
    expect(JSON.parse(info.operationParameters.predicate!)).toEqual(["(part = 'a')"]);
    expect(info.operationMetrics).toMatchObject({ numRemovedFiles: '4', numAddedFiles: '1' });
  });

  it('ZORDER BY rewrites every file of the table and records the columns', async () => {
    const table = await makeTable(rows, schema, { files: 3 });
    const result = await executeSql(`OPTIMIZE ${at(table)} ZORDER BY (id, name)`);
    expect(result).toMatchObject({ operation: 'OPTIMIZE', numFilesRemoved: 3, numFilesAdded: 1 });
    const info = commitInfo(table.tableRoot, result.operation === 'OPTIMIZE' ? result.version! : -1) as { operationParameters: Record<string, string> };
    expect(JSON.parse(info.operationParameters.zOrderBy!)).toEqual(['id', 'name']);
    expect(await readRows(fresh(table))).toHaveLength(rows.length);
  });

  it('a WHERE clause on a data column is refused with a caret into the statement text', async () => {
    const table = await makeTable(rows, schema, { partitionBy: ['part'], files: 2 });
    const error = await failure(executeSql(`OPTIMIZE ${at(table)} WHERE name = 'n1'`));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/name/);
    expect((await fresh(table).snapshot()).version).toBe(2);
  });
});

describe('executeSql: VACUUM', () => {
  it('DRY RUN lists an old untracked file, VACUUM deletes it and keeps the table readable', async () => {
    const table = await makeTable(rows, schema, { files: 2 });
    const stray = join(table.tableRoot, 'part-00000-stray.snappy.parquet');
    writeFileSync(stray, 'not a data file of the table');
    const old = new Date(Date.now() - 30 * 86_400_000);
    utimesSync(stray, old, old);
    const dry = await executeSql(`VACUUM ${at(table)} DRY RUN`);
    expect(dry).toMatchObject({ operation: 'VACUUM', dryRun: true, numFilesToDelete: 1, numDeletedFiles: 0 });
    expect(readdirSync(table.tableRoot)).toContain('part-00000-stray.snappy.parquet');
    const run = await executeSql(`VACUUM ${at(table)} RETAIN 168 HOURS`);
    expect(run).toMatchObject({ operation: 'VACUUM', dryRun: false, numDeletedFiles: 1, mode: 'full' });
    expect(readdirSync(table.tableRoot)).not.toContain('part-00000-stray.snappy.parquet');
    expect(await readRows(fresh(table))).toHaveLength(rows.length);
  });

  it('RETAIN 0 HOURS is refused as Spark refuses it, deleting nothing', async () => {
    const table = await makeTable(rows, schema, { files: 2 });
    await executeSql(`DELETE FROM ${at(table)} WHERE id < 10`);
    const files = readdirSync(table.tableRoot).length;
    expect((await failure(executeSql(`VACUUM ${at(table)} RETAIN 0 HOURS`))).code).toBe('RETENTION_TOO_SHORT');
    expect(readdirSync(table.tableRoot)).toHaveLength(files);
  });

  it('LITE reads the log only', async () => {
    const table = await makeTable(rows, schema, { files: 2 });
    expect(await executeSql(`VACUUM ${at(table)} LITE DRY RUN`)).toMatchObject({ operation: 'VACUUM', mode: 'lite', numFilesToDelete: 0 });
  });
});

describe('executeSql: RESTORE', () => {
  it('TO VERSION AS OF brings back the rows of that version in a new commit', async () => {
    const table = await makeTable(rows, schema, { files: 2 });
    const v2 = await readRows(table, 2);
    await executeSql(`DELETE FROM ${at(table)} WHERE id % 2 = 0`);
    const result = await executeSql(`RESTORE TABLE ${at(table)} TO VERSION AS OF 2`);
    expect(result).toMatchObject({ operation: 'RESTORE', restoredVersion: 2, version: 4 });
    expect(await readRows(fresh(table))).toEqual(v2);
    expect(commitInfo(table.tableRoot, 4)).toMatchObject({ operation: 'RESTORE', operationParameters: { version: '2' } });
  });

  it('TIMESTAMP AS OF reads a zone-less timestamp in the session time zone', async () => {
    const table = await makeTable(rows, schema, { files: 3 });
    // Commit times (file modification times): v1 at t0, v2 at t0 + 3 h, v3 at t0 + 6 h.
    const t0 = Math.floor((Date.now() - 10 * 3_600_000) / 3_600_000) * 3_600_000;
    const log = join(table.tableRoot, '_delta_log');
    [t0 - 3_600_000, t0, t0 + 3 * 3_600_000, t0 + 6 * 3_600_000].forEach((ms, v) => utimesSync(join(log, `${String(v).padStart(20, '0')}.json`), new Date(ms), new Date(ms)));
    // t0 + 1 h written as Tokyo wall-clock time (UTC+9, no daylight saving): version 1.
    const tokyo = new Date(t0 + 3_600_000 + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const v1 = await readRows(table, 1);
    const result = await executeSql(`RESTORE ${at(table)} TO TIMESTAMP AS OF '${tokyo}'`, { timeZone: 'Asia/Tokyo' });
    expect(result).toMatchObject({ operation: 'RESTORE', restoredVersion: 1 });
    expect(await readRows(fresh(table))).toEqual(v1);
    expect((await failure(executeSql(`RESTORE ${at(table)} TO TIMESTAMP AS OF 'yesterday-ish'`))).code).toBe('PARSE_ERROR');
  });
});

describe('executeSql: ALTER TABLE', () => {
  it('adds, comments, renames and drops columns, then reads the rows with the new schema', async () => {
    const table = await makeTable(rows.slice(0, 6), schema);
    expect(await executeSql(`ALTER TABLE ${at(table)} ADD COLUMNS (score DOUBLE COMMENT 'points' AFTER id, tags ARRAY<STRING>)`)).toMatchObject({ operation: 'ADD COLUMNS', version: 2 });
    let snap = await fresh(table).snapshot();
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['id', 'score', 'name', 'part', 'tags']);
    expect(snap.schema.fields[1]!.metadata).toMatchObject({ comment: 'points' });
    await executeSql(`ALTER TABLE ${at(table)} ALTER COLUMN name COMMENT 'the name'`);
    await executeSql(`ALTER TABLE ${at(table)} SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'team' = 'ops')`);
    expect(await executeSql(`ALTER TABLE ${at(table)} RENAME COLUMN name TO label`)).toMatchObject({ operation: 'RENAME COLUMN' });
    expect(await executeSql(`ALTER TABLE ${at(table)} DROP COLUMN IF EXISTS (tags, nope)`)).toMatchObject({ operation: 'DROP COLUMNS' });
    snap = await fresh(table).snapshot();
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['id', 'score', 'label', 'part']);
    expect(snap.schema.fields[2]!.metadata).toMatchObject({ comment: 'the name' });
    expect(snap.properties).toMatchObject({ 'delta.columnMapping.mode': 'name', team: 'ops' });
    const read = await readRows(fresh(table));
    expect(read.map((r) => r.label)).toEqual(rows.slice(0, 6).map((r) => r.name));
    expect(read.every((r) => r.score === null)).toBe(true);
    await executeSql(`ALTER TABLE ${at(table)} UNSET TBLPROPERTIES ('team')`);
    expect((await fresh(table).snapshot()).properties.team).toBeUndefined();
    expect((await failure(executeSql(`ALTER TABLE ${at(table)} UNSET TBLPROPERTIES ('team')`))).code).toBe('INVALID_ARGUMENT');
    await executeSql(`ALTER TABLE ${at(table)} UNSET TBLPROPERTIES IF EXISTS ('team')`);
  });

  it('ADD CONSTRAINT checks existing rows, is enforced on writes, and DROP CONSTRAINT removes it', async () => {
    const table = await makeTable(rows, schema);
    const bad = await failure(executeSql(`ALTER TABLE ${at(table)} ADD CONSTRAINT big CHECK (id > 10)`));
    expect(bad.code).toBe('CONSTRAINT_VIOLATION');
    expect(await executeSql(`ALTER TABLE ${at(table)} ADD CONSTRAINT nonneg CHECK (id >= 0 AND length(name) > 1)`)).toMatchObject({ operation: 'ADD CONSTRAINT', version: 2 });
    expect((await fresh(table).snapshot()).properties['delta.constraints.nonneg']).toBeDefined();
    const write = await failure(executeSql(`UPDATE ${at(table)} SET id = -1 WHERE id = 3`));
    expect(write.code).toBe('CONSTRAINT_VIOLATION');
    expect(await executeSql(`ALTER TABLE ${at(table)} DROP CONSTRAINT nonneg`)).toMatchObject({ operation: 'DROP CONSTRAINT', version: 3 });
    await executeSql(`ALTER TABLE ${at(table)} DROP CONSTRAINT IF EXISTS nonneg`);
    expect((await failure(executeSql(`ALTER TABLE ${at(table)} DROP CONSTRAINT nonneg`))).code).toBe('INVALID_ARGUMENT');
  });

  it('CLUSTER BY makes the table clustered and DESCRIBE DETAIL reports the columns', async () => {
    const table = await makeTable(rows, schema, { files: 2 });
    expect(await executeSql(`ALTER TABLE ${at(table)} CLUSTER BY (part, id)`)).toMatchObject({ operation: 'CLUSTER BY' });
    const detail = await executeSql(`DESCRIBE DETAIL ${at(table)}`);
    expect(detail).toMatchObject({ operation: 'DESCRIBE DETAIL', format: 'delta', clusteringColumns: ['part', 'id'], numFiles: 2 });
    await executeSql(`ALTER TABLE ${at(table)} CLUSTER BY NONE`);
    expect(await executeSql(`DESCRIBE DETAIL ${at(table)}`)).toMatchObject({ clusteringColumns: [] });
  });
});

describe('executeSql: DESCRIBE', () => {
  it('DESCRIBE HISTORY lists the newest commits first, LIMIT bounding them', async () => {
    const table = await makeTable(rows, schema, { files: 2 });
    await executeSql(`OPTIMIZE ${at(table)}`);
    const all = await executeSql(`DESCRIBE HISTORY ${at(table)}`);
    if (all.operation !== 'DESCRIBE HISTORY') throw new Error('expected a history');
    expect(all.history.map((h) => [h.version, h.commitInfo?.operation])).toEqual([
      [3, 'OPTIMIZE'],
      [2, 'WRITE'],
      [1, 'WRITE'],
      [0, 'CREATE TABLE'],
    ]);
    const two = await executeSql(`DESC HISTORY '${table.tableRoot}' LIMIT 2`);
    expect(two.operation === 'DESCRIBE HISTORY' && two.history.map((h) => h.version)).toEqual([3, 2]);
  });

  it('a path that is not a Delta table fails with TABLE_NOT_FOUND', async () => {
    const table = await makeTable(rows.slice(0, 1), schema);
    const error = await failure(executeSql(`DESCRIBE DETAIL delta.\`${join(table.tableRoot, 'missing')}\``));
    expect(error.code).toBe('TABLE_NOT_FOUND');
  });
});
