/**
 * OPTIMIZE on clustered tables (liquid clustering), after Delta Spark's
 * ClusteredTableClusteringSuite, IncrementalZCubeClusteringSuite and ClusteredTableDDLSuite
 * ("optimize clustered table ..."): which files are rewritten, how they are tagged, what is
 * committed, and that the rows stay the same (our reader and DuckDB).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DeletedRows } from '../../../src/deletion-vectors/deleted-rows.js';
import { DeletionVectorWriter } from '../../../src/deletion-vectors/write.js';
import type { AddFile } from '../../../src/log/actions.js';
import { zCubeOf, type ClusteringStats } from '../../../src/maintenance/clustering/zcube.js';
import { parseDdlSchema } from '../../../src/schema/ddl.js';
import type { DeltaTable } from '../../../src/table/delta-table.js';
import { failure } from '../../fixtures.js';
import { cleanup, commitActions, duckLiveRows, ourRows, tableAt, tempTable } from '../optimize/helpers.js';

afterAll(cleanup);

const schema = parseDdlSchema('col1 INT, col2 INT, name STRING');
const COLUMNS = ['col1', 'col2', 'name'];

/** Appends `files` files of `rows` rows each, with values spread over the whole range. */
async function addFiles(table: DeltaTable, files: number, rows = 50, seed = 0): Promise<void> {
  for (let f = 0; f < files; f++) {
    const batch = Array.from({ length: rows }, (_, i) => {
      const k = (seed * 7919 + f * 104729 + i * 15485863) % 10007;
      return { col1: k % 1000, col2: (k * 31) % 997, name: `n${k}` };
    });
    await table.write({ rows: batch, schema }, { mode: 'append' });
  }
}

async function clusteredTable(clusterBy = ['col1', 'col2'], properties: Record<string, string> = {}): Promise<DeltaTable> {
  const table = tempTable('deltakit-cluster-');
  await table.create({ schema, clusterBy, properties });
  return table;
}

const stats = (s: unknown) => s as ClusteringStats;
const cubeIds = (files: readonly AddFile[]) => new Set(files.map((f) => zCubeOf(f)?.id ?? 'none'));

describe('OPTIMIZE on a clustered table', () => {
  it('clusters unclustered files into one ZCube: tagged files, Spark-shaped commit, rows unchanged', async () => {
    const table = await clusteredTable();
    await addFiles(table, 4);
    const before = await table.snapshot();
    expect(before.addFiles.every((f) => f.clusteringProvider === undefined && zCubeOf(f) === undefined)).toBe(true);
    const expected = await ourRows(before, COLUMNS);

    const m = await table.optimize();
    const after = await tableAt(table.tableRoot).snapshot();
    expect(m.version).toBe(before.version + 1);
    expect(m.numFilesRemoved).toBe(4);
    expect(m.numFilesAdded).toBe(after.addFiles.length);
    expect(after.addFiles.every((f) => f.clusteringProvider === 'liquid' && f.dataChange === false)).toBe(true);
    expect(after.addFiles.every((f) => JSON.stringify(zCubeOf(f)?.columns) === '["col1","col2"]')).toBe(true);
    expect(cubeIds(after.addFiles).size).toBe(1);
    expect(stats(m.clusteringStats)).toEqual({
      inputZCubeFiles: { numFiles: 0, size: 0 },
      inputOtherFiles: { numFiles: 4, size: before.addFiles.reduce((s, f) => s + f.size, 0) },
      inputNumZCubes: 0,
      mergedFiles: { numFiles: 4, size: before.addFiles.reduce((s, f) => s + f.size, 0) },
      numOutputZCubes: 1,
    });
    expect(m.zOrderStats).toBeNull();
    expect([m.numBins, m.partitionsOptimized, m.totalConsideredFiles, m.totalFilesSkipped]).toEqual([1, 1, 4, 0]);

    expect(await ourRows(after, COLUMNS)).toEqual(expected);
    expect(await duckLiveRows(after, COLUMNS)).toEqual(expected);

    const actions = commitActions(table.tableRoot, m.version!);
    const info = actions.find((a) => a.kind === 'commitInfo')!;
    expect(info.kind === 'commitInfo' && info.commitInfo.operation).toBe('OPTIMIZE');
    expect(info.kind === 'commitInfo' && info.commitInfo.operationParameters).toEqual({ predicate: '[]', zOrderBy: '[]', clusterBy: '["col1","col2"]', auto: 'false', isFull: 'false' });
    const removes = actions.flatMap((a) => (a.kind === 'remove' ? [a.remove] : []));
    expect(removes.every((r) => r.dataChange === false)).toBe(true);
    const add = actions.find((a) => a.kind === 'add');
    expect(add?.kind === 'add' && add.add.clusteringProvider).toBe('liquid');
  });

  it('orders rows along the clustering columns: cut into several files, each covers a compact range', async () => {
    const table = await clusteredTable(['col1']);
    await addFiles(table, 8, 2000);
    const before = await table.snapshot();
    const total = before.addFiles.reduce((s, f) => s + f.size, 0);
    const m = await table.optimize({ targetFileSize: Math.ceil(total / 4) });
    const after = await table.snapshot();
    expect(m.numFilesAdded).toBeGreaterThanOrEqual(3);
    // One clustering column: files hold disjoint, consecutive col1 ranges.
    const ranges = (await after.files()).map((f) => [(f.stats!.minValues as { col1: number }).col1, (f.stats!.maxValues as { col1: number }).col1] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    expect(await ourRows(after, COLUMNS)).toEqual(await ourRows(before, COLUMNS));
  });

  it('is incremental: a second run is a no-op; new files merge with partial ZCubes and leave sealed ones alone', async () => {
    const table = await clusteredTable();
    await addFiles(table, 4);
    const first = await table.optimize();
    const files1 = (await table.snapshot()).addFiles;
    // One ZCube and nothing else: nothing to do, nothing committed.
    const again = await table.optimize();
    expect([again.numFilesRemoved, again.version]).toEqual([0, null]);
    expect(stats(again.clusteringStats)).toMatchObject({ inputZCubeFiles: { numFiles: files1.length }, inputNumZCubes: 1, mergedFiles: { numFiles: 0 }, numOutputZCubes: 0 });

    await addFiles(table, 4, 50, 1);
    // The first ZCube is sealed (minCubeSize 1 byte): only the new files are clustered, into a second ZCube.
    const m = await table.optimize({ minCubeSize: 1 });
    expect(m.numFilesRemoved).toBe(4);
    expect(stats(m.clusteringStats)).toMatchObject({ inputZCubeFiles: { numFiles: files1.length }, inputOtherFiles: { numFiles: 4 }, inputNumZCubes: 1, mergedFiles: { numFiles: 4 }, numOutputZCubes: 1 });
    const files2 = (await table.snapshot()).addFiles;
    expect(files2.filter((f) => files1.some((g) => g.path === f.path))).toHaveLength(files1.length);
    expect(cubeIds(files2).size).toBe(2);

    // With the default (100 GiB) both ZCubes are partial: they merge into one.
    const merged = await table.optimize();
    expect(stats(merged.clusteringStats)).toMatchObject({ inputNumZCubes: 2, mergedFiles: { numFiles: files2.length }, numOutputZCubes: 1 });
    const files3 = (await table.snapshot()).addFiles;
    expect(cubeIds(files3).size).toBe(1);
    expect(first.version! < merged.version!).toBe(true);
  });

  it('after CLUSTER BY changes, files clustered by the old columns are left alone; FULL reclusters them', async () => {
    const table = await clusteredTable();
    await addFiles(table, 4);
    await table.optimize();
    const old = (await table.snapshot()).addFiles;
    await table.clusterBy(['col2', 'col1']);
    const noop = await table.optimize();
    expect(noop.numFilesRemoved).toBe(0);
    expect(stats(noop.clusteringStats)).toMatchObject({ inputZCubeFiles: { numFiles: 0 }, inputOtherFiles: { numFiles: old.length } });

    await addFiles(table, 4, 50, 2);
    const m = await table.optimize();
    expect(m.numFilesRemoved).toBe(4); // only the new files
    expect(stats(m.clusteringStats)).toMatchObject({ inputOtherFiles: { numFiles: old.length + 4 }, mergedFiles: { numFiles: 4 } });
    const mid = (await table.snapshot()).addFiles;
    expect(old.every((f) => mid.some((g) => g.path === f.path))).toBe(true);

    const full = await table.optimize({ full: true, minCubeSize: 1 });
    expect(full.numFilesRemoved).toBe(old.length); // the sealed new-column ZCube stays
    const info = commitActions(table.tableRoot, full.version!).find((a) => a.kind === 'commitInfo');
    expect(info?.kind === 'commitInfo' && info.commitInfo.operationParameters?.isFull).toBe('true');
    const end = (await table.snapshot()).addFiles;
    expect(end.every((f) => JSON.stringify(zCubeOf(f)?.columns) === '["col2","col1"]')).toBe(true);
  });

  it('CLUSTER BY NONE: OPTIMIZE compacts as on any table (no clustering stats)', async () => {
    const table = await clusteredTable();
    await addFiles(table, 4);
    await table.clusterBy('none');
    const m = await table.optimize();
    expect(m.clusteringStats).toBeNull();
    expect([m.numFilesRemoved, m.numFilesAdded]).toEqual([4, 1]);
    expect((await table.snapshot()).addFiles[0]!.clusteringProvider).toBeUndefined();
  });

  it('refuses where, zOrderBy (also after CLUSTER BY NONE) and FULL on tables without clustering columns', async () => {
    const table = await clusteredTable(['col1']);
    await addFiles(table, 2);
    expect(await failure(table.optimize({ where: 'col1 > 0' }))).toMatchObject({ code: 'UNSUPPORTED_OPERATION', details: { errorClass: 'DELTA_CLUSTERING_WITH_PARTITION_PREDICATE' } });
    expect(await failure(table.optimize({ zOrderBy: ['col1'] }))).toMatchObject({ code: 'UNSUPPORTED_OPERATION', details: { errorClass: 'DELTA_CLUSTERING_WITH_ZORDER_BY' } });
    await table.clusterBy('none');
    expect(await failure(table.optimize({ zOrderBy: ['col1'] }))).toMatchObject({ details: { errorClass: 'DELTA_CLUSTERING_WITH_ZORDER_BY' } });
    expect(await failure(table.optimize({ full: true }))).toMatchObject({ code: 'UNSUPPORTED_OPERATION', details: { errorClass: 'DELTA_OPTIMIZE_FULL_NOT_SUPPORTED' } });
    const plain = tempTable();
    await plain.create({ schema });
    expect(await failure(plain.optimize({ full: true }))).toMatchObject({ details: { errorClass: 'DELTA_OPTIMIZE_FULL_NOT_SUPPORTED' } });
    expect((await table.snapshot()).addFiles).toHaveLength(2);
  });

  it('an empty clustered table: nothing to do', async () => {
    const table = await clusteredTable();
    const m = await table.optimize();
    expect([m.numFilesAdded, m.numFilesRemoved, m.version]).toEqual([0, 0, null]);
    expect(stats(m.clusteringStats).numOutputZCubes).toBe(0);
  });

  it('nested clustering columns under column mapping; deletion vectors are purged', async () => {
    const nested = parseDdlSchema('id BIGINT, s STRUCT<x: INT, y: STRING>');
    const table = tempTable('deltakit-cluster-');
    await table.create({ schema: nested, clusterBy: ['s.x', 'id'], properties: { 'delta.columnMapping.mode': 'name', 'delta.enableDeletionVectors': 'true' } });
    for (let f = 0; f < 3; f++) {
      const rows = Array.from({ length: 100 }, (_, i) => ({ id: BigInt(f * 100 + i), s: { x: (i * 37) % 100, y: `v${i}` } }));
      await table.write({ rows, schema: nested }, { mode: 'append' });
    }
    // Mark rows 0..9 of the first file deleted with a deletion vector written by hand.
    const snap = await table.snapshot();
    const target = snap.addFiles[0]!;
    const dvWriter = new DeletionVectorWriter(table.engine, snap.tableRoot);
    const dv = await dvWriter.write(DeletedRows.fromRows(Array.from({ length: 10 }, (_, i) => i)));
    await dvWriter.finish();
    const tx = await table.transaction({ operation: 'DELETE' });
    tx.readFiles([target]).removeFiles([{ path: target.path, dataChange: true, deletionTimestamp: 0 }]).addFiles([{ ...target, deletionVector: dv }]);
    await tx.commit();
    const before = await table.snapshot();
    const expected = await ourRows(before, ['id', 's']);
    expect(expected).toHaveLength(290);

    const m = await table.optimize();
    expect(m.deletionVectorStats).toEqual({ numDeletionVectorsRemoved: 1, numDeletionVectorRowsRemoved: 10 });
    const after = await table.snapshot();
    expect(after.addFiles.every((f) => f.deletionVector === undefined && f.clusteringProvider === 'liquid')).toBe(true);
    expect(after.addFiles.every((f) => JSON.stringify(zCubeOf(f)?.columns) === '["s.x","id"]')).toBe(true);
    expect(await ourRows(after, ['id', 's'])).toEqual(expected);
  });

  it('concurrent writers: appends and CLUSTER BY commit alongside; a concurrent delete of a clustered file fails OPTIMIZE', async () => {
    const { optimizeClusteredTable } = await import('../../../src/maintenance/clustering/optimize.js');
    const table = await clusteredTable();
    await addFiles(table, 3);
    const base = await table.snapshot();
    await addFiles(table, 1, 50, 9); // an append after OPTIMIZE read the table
    await table.clusterBy(['col2']); // and a change of clustering columns
    const m = (await optimizeClusteredTable(table.engine, base, {}))!;
    expect(m.version).toBe(base.version + 3);
    const after = await table.snapshot();
    // The appended file is untouched; the clustered files record the columns OPTIMIZE clustered by.
    expect(after.addFiles.filter((f) => f.clusteringProvider === undefined)).toHaveLength(1);
    expect(after.addFiles.filter((f) => JSON.stringify(zCubeOf(f)?.columns) === '["col1","col2"]').length).toBe(m.numFilesAdded);

    const base2 = await table.snapshot();
    const victim = base2.addFiles.find((f) => f.clusteringProvider === undefined)!;
    const tx = await table.transaction({ operation: 'DELETE' });
    tx.readFiles([victim]).removeFiles([{ path: victim.path, dataChange: true, deletionTimestamp: 0 }]);
    await tx.commit();
    expect(await failure(optimizeClusteredTable(table.engine, base2, {}))).toMatchObject({ code: 'CONCURRENT_DELETE_READ' });
    // Nothing of the failed run is left referenced.
    expect((await table.snapshot()).addFiles.some((f) => zCubeOf(f)?.columns[0] === 'col2')).toBe(false);
  });

  it('auto compaction on a clustered table clusters (as Spark\'s OptimizeExecutor does), recorded with auto: true', async () => {
    const table = await clusteredTable();
    await addFiles(table, 2);
    const r = await table.write({ rows: [{ col1: 1, col2: 2, name: 'x' }], schema }, { mode: 'append', autoCompact: { minNumFiles: 3 } });
    expect(r.autoCompaction?.compacted).toBe(true);
    expect(stats(r.autoCompaction!.metrics!.clusteringStats)).toMatchObject({ mergedFiles: { numFiles: 3 }, numOutputZCubes: 1 });
    const snap = await table.snapshot();
    expect(snap.addFiles.every((f) => f.clusteringProvider === 'liquid')).toBe(true);
    const info = commitActions(table.tableRoot, r.autoCompaction!.version!).find((a) => a.kind === 'commitInfo');
    expect(info?.kind === 'commitInfo' && info.commitInfo.operationParameters).toMatchObject({ auto: 'true', clusterBy: '["col1","col2"]' });
  });
});
