import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { field, primitive, struct, type AddFile } from '@deltakit/core';
import { checkLiveFilesInDuckDb, cleanup, commitActions, commitInfo, copyFixture, describeFixtures, duckAfter, duckAfterSelect, duckRows, FIXTURES, makeTable, readRows, sqlValue, tableAt } from './helpers.js';

/**
 * OPTIMIZE (core's DeltaTable.optimize, inherited by @deltakit/merge's table) on tables changed by
 * real DML: deletion vectors written by DELETE are purged by compaction; Spark-written tables
 * with deletion vectors and column mapping; optimized writes and auto compaction after DML.
 */

afterAll(cleanup);

const schema = struct([field('id', primitive('long'), false), field('v', primitive('integer')), field('s', primitive('string')), field('p', primitive('string'))]);
const COLUMNS = 'id BIGINT, v INTEGER, s VARCHAR, p VARCHAR';
const rowsOf = (n: number, parts = 1) => Array.from({ length: n }, (_, i) => ({ id: BigInt(i), v: (i * 37) % 101, s: i % 9 === 0 ? null : `s${i % 13}`, p: `p${i % parts}` }));

describe('OPTIMIZE after DML', () => {
  it('purges deletion vectors written by DELETE: rows as DuckDB computes them, no DV left, Spark DV metrics', async () => {
    const data = rowsOf(600);
    const table = await makeTable(data, schema, { files: 20, properties: { 'delta.enableDeletionVectors': 'true' } });
    const del = await table.delete('v < 20 OR id % 50 = 7');
    expect(del.numDeletionVectorsAdded).toBeGreaterThan(5);
    const withDvs = (await table.snapshot()).addFiles.filter((a) => a.deletionVector !== undefined);
    const expected = await duckAfter(data, COLUMNS, 'DELETE FROM {t} WHERE v < 20 OR id % 50 = 7');
    expect(await readRows(table)).toEqual(expected);

    const m = await table.optimize();
    const snap = await table.snapshot();
    expect(snap.addFiles).toHaveLength(1);
    expect(snap.addFiles[0]!.deletionVector).toBeUndefined();
    expect(await readRows(table)).toEqual(expected);
    await checkLiveFilesInDuckDb(table);
    expect(m.deletionVectorStats).toEqual({ numDeletionVectorsRemoved: withDvs.length, numDeletionVectorRowsRemoved: withDvs.reduce((s, a) => s + a.deletionVector!.cardinality, 0) });
    expect(m.deletionVectorStats!.numDeletionVectorRowsRemoved).toBe(data.length - expected.length);
    const info = commitInfo(table.tableRoot, m.version!);
    expect((info.operationMetrics as Record<string, string>).numDeletionVectorsRemoved).toBe(String(withDvs.length));
    // The removes carry the deletion vectors of the files they remove (the file as it was live).
    const removes = commitActions(table.tableRoot, m.version!).filter((a) => 'remove' in a).map((a) => a.remove as unknown as { path: string; deletionVector?: unknown; dataChange: boolean });
    expect(removes.filter((r) => r.deletionVector !== undefined)).toHaveLength(withDvs.length);
    expect(removes.every((r) => r.dataChange === false)).toBe(true);
  });

  it('a large file with deleted rows is rewritten alone; maxDeletedRowsRatio sets how many deleted rows it takes', async () => {
    const data = rowsOf(2000);
    const table = await makeTable(data, schema, { files: 1, properties: { 'delta.enableDeletionVectors': 'true' } });
    await table.delete('id < 50'); // 2.5% of the file's rows
    const size = (await table.snapshot()).addFiles[0]!.size;
    // Not small (target below its size), and 2.5% deleted is under a 5% ratio: nothing to do.
    expect((await table.optimize({ targetFileSize: size - 1, maxDeletedRowsRatio: 0.05 })).version).toBeNull();
    // Any deleted row (the default): the file is rewritten on its own and its DV purged.
    const m = await table.optimize({ targetFileSize: size - 1 });
    expect(m).toMatchObject({ numFilesRemoved: 1, numFilesAdded: 1, numBins: 1 });
    const snap = await table.snapshot();
    expect(snap.addFiles[0]!.deletionVector).toBeUndefined();
    expect(await readRows(table)).toEqual(await duckAfter(data, COLUMNS, 'DELETE FROM {t} WHERE id < 50'));
  });

  it('optimized writes: an UPDATE rewriting 12 files of a partition writes one file instead of twelve', async () => {
    const counts: number[] = [];
    for (const optimizeWrite of [false, true]) {
      const data = rowsOf(240);
      const table = await makeTable(data, schema, { files: 12, properties: optimizeWrite ? { 'delta.autoOptimize.optimizeWrite': 'true' } : {} });
      const r = await table.update({ set: { s: "'x'" }, condition: 'id % 10 = 0' });
      expect(r.numUpdatedRows).toBe(24);
      counts.push(commitActions(table.tableRoot, r.version).filter((a) => 'add' in a).length);
      expect(await readRows(table)).toEqual(await duckAfter(data, COLUMNS, "UPDATE {t} SET s = 'x' WHERE id % 10 = 0"));
    }
    expect(counts).toEqual([12, 1]);
  });

  it('auto compaction also runs after DML that writes files (a copy-on-write DELETE here)', async () => {
    const data = rowsOf(50);
    const table = await makeTable(data, schema, { files: 50, properties: { 'delta.autoOptimize.autoCompact': 'true' } });
    // makeTable's 50 appends: the 50th write already compacted the partition.
    const history = await table.history();
    expect(history.filter((h) => h.commitInfo?.operation === 'OPTIMIZE' && h.commitInfo?.operationParameters?.auto === 'true')).toHaveLength(1);
    expect((await table.snapshot()).addFiles).toHaveLength(1);
    const more = Array.from({ length: 98 }, (_, i) => ({ id: BigInt(100 + i), v: 1, s: null, p: 'p0' }));
    for (let i = 0; i < 49; i++) await table.write({ rows: more.slice(2 * i, 2 * i + 2), schema }, { mode: 'append', autoCompact: false });
    // Rewrites the file holding ids 100 and 101: the partition then holds 50 small files.
    const del = await table.delete('id = 100');
    expect(del.numAddedFiles).toBe(1);
    expect((await table.history({ limit: 2 })).map((h) => h.commitInfo?.operation)).toEqual(['OPTIMIZE', 'DELETE']);
    expect((await table.snapshot()).addFiles).toHaveLength(1);
    const expected = await duckAfter([...data, ...more], COLUMNS, 'DELETE FROM {t} WHERE id = 100');
    expect(await readRows(table)).toEqual(expected);
  });
});

const expectedParquet = (name: string) => `read_parquet(${sqlValue(join(FIXTURES, 'golden', name, 'expected', '*.parquet'))})`;

describeFixtures('OPTIMIZE on copies of Spark-written tables with deletion vectors', () => {
  it('golden dv-with-columnmapping (partitioned, column mapping name, DVs): one file per partition, no DV, rows as Spark expects', async () => {
    const table = tableAt(copyFixture('golden/dv-with-columnmapping/delta'));
    const expected = await duckAfterSelect(`SELECT part, col1, col2 FROM ${expectedParquet('dv-with-columnmapping')}`, 'SELECT 1');
    const before = await table.snapshot();
    expect(await readRows(table)).toEqual(expected);
    const partitions = new Set(before.addFiles.map((a) => JSON.stringify(a.partitionValues)));
    const dvFiles = before.addFiles.filter((a) => a.deletionVector !== undefined);
    expect(dvFiles.length).toBeGreaterThan(0);

    const m = await table.optimize();
    const after = await tableAt(table.tableRoot).snapshot();
    expect(await readRows(tableAt(table.tableRoot))).toEqual(expected);
    expect(after.addFiles.every((a) => a.deletionVector === undefined)).toBe(true);
    // Partitions with several files, or one file with a DV, become one file each.
    const byPartition = new Map<string, AddFile[]>();
    for (const a of before.addFiles) byPartition.set(JSON.stringify(a.partitionValues), [...(byPartition.get(JSON.stringify(a.partitionValues)) ?? []), a]);
    expect(new Set(after.addFiles.map((a) => JSON.stringify(a.partitionValues)))).toEqual(partitions);
    expect(after.addFiles).toHaveLength(partitions.size);
    expect(m.numFilesRemoved).toBe([...byPartition.values()].filter((fs) => fs.length > 1 || fs[0]!.deletionVector !== undefined).flat().length);
    expect(m.deletionVectorStats?.numDeletionVectorsRemoved).toBe(dvFiles.length);
    await checkLiveFilesInDuckDb(table);
    const file = join(table.tableRoot, decodeURIComponent(after.addFiles[0]!.path));
    const cols = await duckRows(`DESCRIBE SELECT * FROM read_parquet(${sqlValue(file)}, hive_partitioning = false)`);
    expect(cols.map((c) => c.column_name)).toEqual(['col-9f0743fd-a52e-44a7-92e0-72a3d34231b1', 'col-ae46e8ed-607b-4b7c-8a13-44991fe0a2e4']);
    // The log reads back and a second OPTIMIZE has nothing to do.
    expect((await tableAt(table.tableRoot).optimize()).version).toBeNull();
  });

  it('kernel table-with-dv-small (one Databricks-written file with a DV): rewritten alone, deleted rows gone', async () => {
    const table = tableAt(copyFixture('kernel/table-with-dv-small'));
    const before = await readRows(table);
    expect(before).toHaveLength(8);
    const m = await table.optimize();
    expect(m).toMatchObject({ numFilesRemoved: 1, numFilesAdded: 1, deletionVectorStats: { numDeletionVectorsRemoved: 1, numDeletionVectorRowsRemoved: 2 } });
    expect(await readRows(table)).toEqual(before);
    const [{ n }] = (await duckRows(`SELECT count(*) AS n FROM read_parquet(${sqlValue(join(table.tableRoot, decodeURIComponent((await table.snapshot()).addFiles[0]!.path)))})`)) as [{ n: bigint }];
    expect(Number(n)).toBe(8);
  });
});
