import { readdirSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { systemClock } from '../../src/engine.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { describeFixtures, golden } from '../fixtures.js';
import { resolveLogPath } from '../../src/log/paths.js';
import { CountingStore } from './helpers.js';

const engine = createDefaultEngine();
afterAll(() => engine.parquet.close());
const open = (name: string) => DeltaTable.forPath(golden(name), { engine });

describeFixtures('golden special cases', () => {
  it('checkpoint: loads from the version-10 checkpoint without reading older commits', async () => {
    const store = new CountingStore(new LocalFileSystemStore());
    const counted = { store, parquet: createParquetHandler(store, { workers: 0 }), clock: systemClock };
    const snap = await DeltaTable.forPath(golden('checkpoint'), { engine: counted }).snapshot();
    const commitsRead = store.readsMatching(/_delta_log\/\d{20}\.json$/).map((p) => Number(p.slice(-25, -5)));
    expect(snap.version).toBe(14);
    expect(store.readsMatching(/10\.checkpoint\.parquet$/)).toHaveLength(1);
    expect(Math.min(...commitsRead)).toBeGreaterThanOrEqual(10);
    // the same state as replaying every commit from version 0
    const full = await DeltaTable.forPath(golden('checkpoint'), { engine }).snapshot({ version: 9 });
    expect(full.version).toBe(9);
    expect((await snap.files()).length).toBeGreaterThan(0);
    await counted.parquet.close();
  });

  it('deltalog-commit-info: history carries every commitInfo field', async () => {
    const [entry] = await open('deltalog-commit-info').history();
    expect(entry!.version).toBe(0);
    expect(entry!.timestamp).toBeGreaterThan(0);
    expect(entry!.commitInfo).toMatchObject({
      timestamp: 1540415658000,
      userId: 'user_0',
      operation: 'WRITE',
      operationParameters: { test: 'test' },
      job: { jobId: 'job_id_0', jobName: 'job_name_0' },
      notebook: { notebookId: 'notebook_id_0' },
      clusterId: 'cluster_id_0',
      readVersion: -1,
      isBlindAppend: true,
      userMetadata: 'foo',
    });
    // its metaData has no schema: the snapshot opens, lists its file, and refuses to scan
    const snap = await open('deltalog-commit-info').snapshot();
    expect((await snap.files()).map((f) => f.path)).toEqual(['abc']);
    expect(() => snap.scan()).toThrow(expect.objectContaining({ code: 'INVALID_SCHEMA' }));
  });

  for (const name of ['canonicalized-paths-normal-a', 'canonicalized-paths-normal-b', 'canonicalized-paths-special-a', 'canonicalized-paths-special-b']) {
    it(`${name}: file:/x, file:///x and /x are one file, so the remove cancels the add`, async () => {
      const snap = await open(name).snapshot();
      expect(snap.version).toBe(1);
      expect(await snap.files()).toEqual([]);
    });
  }

  it('delete-re-add-same-file-different-transactions: a re-added path is live again', async () => {
    const snap = await open('delete-re-add-same-file-different-transactions').snapshot();
    expect((await snap.files()).map((f) => f.path).sort()).toEqual(['bar', 'foo']);
    const v1 = await open('delete-re-add-same-file-different-transactions').snapshot({ version: 1 });
    expect(await v1.files()).toEqual([]);
  });

  it('log-replay-special-characters-b: the path is decoded exactly once', async () => {
    const snap = await open('log-replay-special-characters-b').snapshot();
    const err = await snap.scan().toTable().then(() => undefined, (e: unknown) => e);
    // the log names "special p@#h" (decoded once); the fixture ships no data file
    expect(isDeltaError(err, 'FILE_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('/special p@#h');
  });

  it('data-reader-absolute-paths-escaped-chars: paths resolve; the log has no metaData so a snapshot is refused', async () => {
    // The log holds a protocol and two adds but no metaData, like the must-fail
    // deltalog-state-reconstruction-without-metadata, so it cannot be a snapshot. What the table
    // tests is path resolution: a relative path climbing out of the table, and %2D decoded once.
    const root = golden('data-reader-absolute-paths-escaped-chars');
    const err = await DeltaTable.forPath(root, { engine }).snapshot().then(() => undefined, (e: unknown) => e);
    expect(isDeltaError(err, 'MISSING_METADATA')).toBe(true);
    expect(resolveLogPath(root, 'bar%2Dbar.snappy.parquet')).toBe(`${root}/bar-bar.snappy.parquet`);
    expect(resolveLogPath(root, '..//Users/x/foo.snappy.parquet')).toBe(`${root.slice(0, root.lastIndexOf('/'))}/Users/x/foo.snappy.parquet`);
  });

  it('update-deleted-directory: a table whose only state is a checkpoint opens', async () => {
    const snap = await open('update-deleted-directory').snapshot();
    expect(snap.version).toBe(0);
    expect(snap.protocol.minReaderVersion).toBeGreaterThanOrEqual(1);
  });

  it('hive: every table in the folder opens and scans', async () => {
    const dirs = readdirSync(golden('hive')).sort();
    expect(dirs.length).toBeGreaterThan(5);
    for (const d of dirs) {
      const snap = await DeltaTable.forPath(`${golden('hive')}/${d}`, { engine }).snapshot();
      const files = await snap.files();
      const table = await snap.scan().toTable();
      const implied = files.reduce((s, f) => s + (f.numRecords ?? NaN), 0);
      if (!Number.isNaN(implied)) expect(table.numRows, d).toBe(implied);
    }
  });
});
