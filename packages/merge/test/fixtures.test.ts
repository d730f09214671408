import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { arith, col, lit, type AddFile } from '@deltakit/core';
import { cdcRows, checkLiveFilesInDuckDb, cleanup, commitActions, copyFixture, describeFixtures, duckAfter, duckAfterSelect, duckRows, feedRows, FIXTURES, readRows, sqlValue, tableAt } from './helpers.js';

afterAll(cleanup);

const expectedParquet = (name: string) => `read_parquet(${sqlValue(join(FIXTURES, 'golden', name, 'expected', '*.parquet'))})`;

describeFixtures('DML on copies of Spark-written tables', () => {
  it('golden dv-with-columnmapping (partitioned, column mapping, existing DVs): DELETE then UPDATE', async () => {
    const table = tableAt(copyFixture('golden/dv-with-columnmapping/delta'));
    const base = `SELECT part, col1, col2 FROM ${expectedParquet('dv-with-columnmapping')}`;
    expect(await readRows(table)).toEqual(await duckAfterSelect(base, 'SELECT 1'));
    const before = await table.snapshot();
    const del = await table.delete('col1 > 25 AND col1 < 40');
    expect(await readRows(table)).toEqual(await duckAfterSelect(base, 'DELETE FROM {t} WHERE col1 > 25 AND col1 < 40'));
    expect(del.numDeletionVectorsAdded + del.numDeletionVectorsUpdated).toBeGreaterThan(0);
    const updatedDvs = commitActions(table.tableRoot, del.version).filter((a) => 'add' in a && before.addFiles.some((f) => f.path === a.add!.path && f.deletionVector !== undefined));
    expect(updatedDvs.length, 'files that had a DV got a merged one').toBe(del.numDeletionVectorsUpdated);
    const upd = await table.update({ set: { col2: "'changed'", col1: arith('+', col('col1'), lit(1000n)) }, condition: 'part = 1 AND col1 < 30' });
    expect(upd.numUpdatedRows).toBeGreaterThan(0);
    expect(await readRows(table)).toEqual(
      await duckAfterSelect(base, "DELETE FROM {t} WHERE col1 > 25 AND col1 < 40; UPDATE {t} SET col2 = 'changed', col1 = col1 + 1000 WHERE part = 1 AND col1 < 30"),
    );
    await checkLiveFilesInDuckDb(table);
    // new data files use the physical column names
    const added = commitActions(table.tableRoot, upd.version).filter((a) => 'add' in a && (a.add as unknown as AddFile).deletionVector === undefined);
    const cols = await duckRows(`DESCRIBE SELECT * FROM read_parquet(${sqlValue(join(table.tableRoot, decodeURIComponent(String(added[0]!.add!.path))))}, hive_partitioning = false)`);
    expect(cols.map((c) => c.column_name)).toEqual(['col-9f0743fd-a52e-44a7-92e0-72a3d34231b1', 'col-ae46e8ed-607b-4b7c-8a13-44991fe0a2e4']);
  });

  it('kernel cdf-table-with-dv (CDF and DVs): UPDATE writes pre- and post-images, DELETE writes none', async () => {
    const table = tableAt(copyFixture('kernel/cdf-table-with-dv'));
    const pre = await readRows(table);
    const upd = await table.update({ set: { value: arith('+', col('value'), lit(100n)) }, condition: 'value > 5' });
    expect(await readRows(table)).toEqual(await duckAfter(pre, 'value INTEGER', 'UPDATE {t} SET value = value + 100 WHERE value > 5'));
    const feed = await cdcRows(table.tableRoot, upd.version);
    const img = (t: string) => feed.filter((r) => r._change_type === t).map((r) => r.value as number).sort((a, b) => a - b);
    const matched = pre.map((r) => r.value as number).filter((v) => v > 5).sort((a, b) => a - b);
    expect(img('update_preimage')).toEqual(matched);
    expect(img('update_postimage')).toEqual(matched.map((v) => v + 100));
    const mid = await readRows(table);
    const del = await table.delete('value < 3');
    expect(await readRows(table)).toEqual(await duckAfter(mid, 'value INTEGER', 'DELETE FROM {t} WHERE value < 3'));
    expect(commitActions(table.tableRoot, del.version).some((a) => 'cdc' in a)).toBe(false);
    // Without cdc files the reader derives the change from the new deletion vectors: exactly the deleted rows.
    const deleted = await feedRows(table, del.version);
    expect(deleted.map((r) => r._change_type)).toEqual(deleted.map(() => 'delete'));
    expect(deleted.map((r) => r.value as number).sort((a, b) => a - b)).toEqual(mid.map((r) => r.value as number).filter((v) => v < 3).sort((a, b) => a - b));
    expect(deleted.length).toBeGreaterThan(0);
    // and the UPDATE as @deltakit/cdf reads it from the cdc files: the same images
    const updFeed = await feedRows(table, upd.version);
    expect(updFeed.filter((r) => r._change_type === 'update_postimage').map((r) => r.value as number).sort((a, b) => a - b)).toEqual(img('update_postimage'));
    expect(updFeed.filter((r) => r._change_type === 'update_preimage')).toHaveLength(matched.length);
    await checkLiveFilesInDuckDb(table);
  });

  it('kernel cdf-column-mapping-name-mode-3-7 (CDF, column mapping, no DVs): UPDATE change files use physical names', async () => {
    const table = tableAt(copyFixture('kernel/cdf-column-mapping-name-mode-3-7'));
    const pre = await readRows(table);
    const snap = await table.snapshot();
    const del = await table.update({ set: { name: "'x'" }, condition: 'id < 3' });
    expect(await readRows(table)).toEqual(await duckAfter(pre, 'id BIGINT, name VARCHAR, value INTEGER', "UPDATE {t} SET name = 'x' WHERE id < 3"));
    const cdc = commitActions(table.tableRoot, del.version).filter((a) => 'cdc' in a);
    expect(cdc.length).toBeGreaterThan(0);
    const physical = snap.schema.fields.map((f) => f.metadata['delta.columnMapping.physicalName'] as string);
    const rows = await cdcRows(table.tableRoot, del.version);
    expect(Object.keys(rows[0]!).sort()).toEqual([...physical, '_change_type'].sort());
    const ids = pre.map((r) => r.id as bigint).filter((id) => id < 3n);
    expect(rows.map((r) => r[physical[0]!] as bigint).sort()).toEqual([...ids, ...ids].sort());
    await checkLiveFilesInDuckDb(table);
  });

  it('kernel cdf-table-partitioned (CDF, partitioned, no DVs): partition DELETE removes whole files, data DELETE rewrites with change rows', async () => {
    const table = tableAt(copyFixture('kernel/cdf-table-partitioned'));
    const pre = await readRows(table);
    const columns = 'id BIGINT, text VARCHAR, part BIGINT';
    const first = await table.delete('part = 0');
    expect(commitActions(table.tableRoot, first.version).some((a) => 'cdc' in a)).toBe(false);
    expect(first.numCopiedRows).toBe(0);
    const mid = await readRows(table);
    expect(mid).toEqual(await duckAfter(pre, columns, 'DELETE FROM {t} WHERE part = 0'));
    const second = await table.delete('id > 7');
    expect(await readRows(table)).toEqual(await duckAfter(mid, columns, 'DELETE FROM {t} WHERE id > 7'));
    const feed = await cdcRows(table.tableRoot, second.version, { part: 'BIGINT' });
    expect(feed.map((r) => r.id).sort()).toEqual(mid.filter((r) => (r.id as bigint) > 7n).map((r) => r.id).sort());
    await checkLiveFilesInDuckDb(table);
  });

  it('kernel basic_partitioned (writer version 2): DELETE and UPDATE of the partition column', async () => {
    const table = tableAt(copyFixture('kernel/basic_partitioned'));
    const pre = await readRows(table);
    const columns = 'letter VARCHAR, number BIGINT, a_float DOUBLE';
    await table.update({ set: { letter: "'z'" }, condition: 'number > 3' });
    const mid = await readRows(table);
    expect(mid).toEqual(await duckAfter(pre, columns, "UPDATE {t} SET letter = 'z' WHERE number > 3"));
    await table.delete("letter = 'a' OR number = 2");
    expect(await readRows(table)).toEqual(await duckAfter(mid, columns, "DELETE FROM {t} WHERE letter = 'a' OR number = 2"));
    await checkLiveFilesInDuckDb(table);
  });
});
