/**
 * RESTORE: one commit that brings back exactly the files (with deletion vectors) of an earlier
 * version, its metadata, and a protocol never downgraded; Spark's metrics; missing files named
 * before anything is committed; the retention rule; conflicts. Cases follow Delta's
 * RestoreTableSuiteBase; Spark-written multi-version tables are checked against DuckDB reading the
 * files an independent replay of the log says the version had.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import type { AddFile, Protocol } from '../../src/log/actions.js';
import { decodeOnce, fileActionKey } from '../../src/log/paths.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { Transaction } from '../../src/transaction/transaction.js';
import { canonicalRows } from '../table/canonical.js';
import { describeFixtures, failure, golden } from '../fixtures.js';
import { duckRows, lit } from '../parquet/duckdb-oracle.js';
import { FaultyStore } from '../transaction/helpers.js';
import { DAY, HOUR, SCHEMA, T0, WEEK, addOf, appendIds, copyTable, localTable, memoryTable, readIds, removeOf, removeTemps, replayJsonLog, shiftedClock, uuidDv } from './vacuum-helpers.js';

const opened: DeltaTable[] = [];
afterAll(async () => {
  for (const t of opened) await t.close();
  removeTemps();
});

const keyOf = (root: string, a: AddFile) => fileActionKey(root, a.path, a.deletionVector);
const fileKeys = async (table: DeltaTable, version?: number) => (await table.snapshot(version === undefined ? {} : { version })).addFiles.map((a) => keyOf(table.tableRoot, a)).sort();
const rowsAt = async (table: DeltaTable, version?: number) => canonicalRows(await (await table.snapshot(version === undefined ? {} : { version })).scan().toTable());

/** The JSON-log replay of `root` up to `version` (inclusive): live file paths and sizes. */
function filesAtVersion(root: string, version: number): Map<string, number> {
  const out = new Map<string, number>();
  const log = join(root, '_delta_log');
  for (const f of readdirSync(log).filter((x) => /^\d{20}\.json$/.test(x)).sort()) {
    if (Number(f.slice(0, 20)) > version) break;
    for (const line of readFileSync(join(log, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = JSON.parse(line) as { add?: { path: string; size: number }; remove?: { path: string } };
      if (a.add) out.set(a.add.path, a.add.size);
      if (a.remove) out.delete(a.remove.path);
    }
  }
  return out;
}

describeFixtures('RESTORE on a copy of a Spark-written multi-version table', () => {
  it('golden basic-with-inserts-deletes-checkpoint: every version restores to what DuckDB reads from its files', async () => {
    const root = copyTable(golden('basic-with-inserts-deletes-checkpoint'));
    const table = localTable(root, shiftedClock(0));
    opened.push(table);
    for (const target of [0, 4, 7, 10, 12]) {
      const latest = (await table.snapshot()).version;
      const expectedFiles = filesAtVersion(root, target);
      const current = new Map((await table.snapshot()).addFiles.map((a) => [a.path, a.size]));
      const m = await table.restore({ version: target }, { enforceRetention: false });
      expect(m.version).toBe(latest + 1);
      expect(m.restoredVersion).toBe(target);
      expect(m.numOfFilesAfterRestore).toBe(expectedFiles.size);
      expect(m.tableSizeAfterRestore).toBe([...expectedFiles.values()].reduce((a, b) => a + b, 0));
      expect(m.numRestoredFiles).toBe([...expectedFiles.keys()].filter((p) => !current.has(p)).length);
      expect(m.numRemovedFiles).toBe([...current.keys()].filter((p) => !expectedFiles.has(p)).length);
      expect(m.restoredFilesSize).toBe([...expectedFiles].filter(([p]) => !current.has(p)).reduce((a, [, s]) => a + s, 0));
      expect(m.removedFilesSize).toBe([...current].filter(([p]) => !expectedFiles.has(p)).reduce((a, [, s]) => a + s, 0));
      expect((await table.snapshot()).addFiles.map((a) => a.path).sort()).toEqual([...expectedFiles.keys()].sort());
      const duck = await duckRows(`SELECT id FROM read_parquet([${[...expectedFiles.keys()].map((p) => lit(join(root, decodeOnce(p)))).join(', ')}]) ORDER BY id`);
      expect(await readIds(table)).toEqual(duck.map((r) => Number(r.id)));
    }
  });

  it('golden dv-with-columnmapping: restores files with their deletion vectors (read equals time travel)', async () => {
    const root = copyTable(golden('dv-with-columnmapping'));
    const table = localTable(root, shiftedClock(0));
    opened.push(table);
    const { live } = replayJsonLog(root);
    expect([...live.values()].some((f) => f.dv !== undefined)).toBe(true);
    for (const target of [0, 3, 8, 13]) {
      const expected = await rowsAt(table, target);
      const expectedKeys = await fileKeys(table, target);
      await table.restore({ version: target }, { enforceRetention: false });
      expect(await fileKeys(table)).toEqual(expectedKeys);
      expect(await rowsAt(table)).toEqual(expected);
    }
  });
});

describe('RESTORE on our own tables', () => {
  it('restores a version, then restores the restore back (Spark: "restore a restore back to pre-restore version")', async () => {
    const { table } = memoryTable();
    await table.create({ schema: SCHEMA });
    await appendIds(table, [1, 2, 3]); // v1
    await appendIds(table, [4, 5, 6]); // v2
    await appendIds(table, [7, 8, 9]); // v3
    const m = await table.restore({ version: 1 });
    expect(m).toMatchObject({ version: 4, restoredVersion: 1, numOfFilesAfterRestore: 1, numRemovedFiles: 2, numRestoredFiles: 0, restoredFilesSize: 0 });
    expect(await readIds(table)).toEqual([1, 2, 3]);
    const back = await table.restore({ version: 3 });
    expect(back).toMatchObject({ version: 5, numRestoredFiles: 2, numRemovedFiles: 0 });
    expect(await readIds(table)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await appendIds(table, [10]); // v6
    await table.restore({ version: 4 }); // a restored version (Spark: "restore to a restored version")
    expect(await readIds(table)).toEqual([1, 2, 3]);
    const info = (await table.history({ limit: 1 }))[0]!.commitInfo!;
    expect(info).toMatchObject({ operation: 'RESTORE', operationParameters: { version: '4' }, isolationLevel: 'Serializable', isBlindAppend: false });
    expect(info.operationMetrics).toMatchObject({ numOfFilesAfterRestore: '1', numRemovedFiles: '3', numRestoredFiles: '0' });
  });

  it('removes with dataChange and a deletion time from the clock, and re-adds the old add actions unchanged', async () => {
    const { table, clock, store } = memoryTable();
    await table.create({ schema: SCHEMA });
    await appendIds(table, [1]); // v1
    const v1Adds = (await table.snapshot()).addFiles;
    await appendIds(table, [2], 'overwrite'); // v2
    const v2Adds = (await table.snapshot()).addFiles;
    clock.now = T0 + DAY;
    await table.restore({ version: 1 });
    const text = new TextDecoder().decode(await store.get('/t/_delta_log/00000000000000000003.json'));
    const actions = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    const adds = actions.filter((a) => a.add).map((a) => a.add!);
    const removes = actions.filter((a) => a.remove).map((a) => a.remove!);
    expect(adds).toEqual([{ ...JSON.parse(JSON.stringify(v1Adds[0])), dataChange: true }]);
    expect(removes).toHaveLength(1);
    expect(removes[0]).toMatchObject({ path: v2Adds[0]!.path, dataChange: true, deletionTimestamp: T0 + DAY, extendedFileMetadata: true, size: v2Adds[0]!.size });
  });

  it('brings back the schema and properties of the version, and never downgrades the protocol (Spark: "restore downgrade protocol")', async () => {
    const { table } = memoryTable();
    await table.create({ schema: SCHEMA, properties: { 'my.prop': 'old' } }); // v0, protocol (1,2)
    await appendIds(table, [1]); // v1
    const before = await table.snapshot();
    const wide = struct([field('id', primitive('long')), field('name', primitive('string'))]);
    await table.write({ rows: [{ id: 2n, name: 'b' }], schema: wide }, { mode: 'append', mergeSchema: true }); // v2
    await table.setProperties({ 'delta.enableDeletionVectors': 'true', 'my.prop': 'new' }); // v3
    const upgraded = await table.snapshot();
    expect(upgraded.protocol.minReaderVersion).toBe(3);
    await table.restore({ version: 1 });
    const after = await table.snapshot();
    expect(after.schema).toEqual(before.schema);
    expect(after.properties).toEqual({ 'my.prop': 'old' });
    expect(after.metadata).toEqual(before.metadata);
    // The merge of (1,2) and the upgraded protocol is the upgraded one plus what (1,2) implies.
    const expected: Protocol = { ...upgraded.protocol, writerFeatures: [...new Set([...(upgraded.protocol.writerFeatures ?? []), 'appendOnly', 'invariants'])] };
    expect(normalize(after.protocol)).toEqual(normalize(expected));
    expect(await rowsAt(table)).toEqual(await rowsAt(table, 1));
    // Restoring the wider version brings the column back, with its values.
    await table.restore({ version: 3 });
    expect((await table.snapshot()).schema).toEqual(upgraded.schema);
    expect(await rowsAt(table)).toEqual(await rowsAt(table, 3));
  });

  it('restores by timestamp (the version committed at or before it) and records the timestamp', async () => {
    const { table, clock } = memoryTable();
    await table.create({ schema: SCHEMA }); // v0 at T0
    clock.now = T0 + 1000;
    await appendIds(table, [1]); // v1
    clock.now = T0 + 2000;
    await appendIds(table, [2]); // v2
    const m = await table.restore({ timestamp: new Date(T0 + 1500) });
    expect(m.restoredVersion).toBe(1);
    expect((await table.history({ limit: 1 }))[0]!.commitInfo!.operationParameters).toEqual({ timestamp: new Date(T0 + 1500).toISOString() });
    expect(await readIds(table)).toEqual([1]);
  });

  it('refuses the latest version, a missing version, and malformed targets', async () => {
    const { table } = memoryTable();
    await table.create({ schema: SCHEMA });
    await appendIds(table, [1]);
    expect(isDeltaError(await failure(table.restore({ version: 1 })), 'INVALID_ARGUMENT')).toBe(true);
    expect(isDeltaError(await failure(table.restore({ version: 7 })), 'VERSION_NOT_FOUND')).toBe(true);
    expect(isDeltaError(await failure(table.restore({} as never)), 'INVALID_ARGUMENT')).toBe(true);
    expect(isDeltaError(await failure(table.restore({ version: 0, timestamp: 1 } as never)), 'INVALID_ARGUMENT')).toBe(true);
    expect(isDeltaError(await failure(table.restore({ version: -1 })), 'INVALID_ARGUMENT')).toBe(true);
    expect((await table.history()).length).toBe(2);
  });

  it('refuses a version older than delta.deletedFileRetentionDuration unless told otherwise (Spark enforces it for RESTORE)', async () => {
    const { table, clock } = memoryTable();
    await table.create({ schema: SCHEMA }); // v0 at T0
    await appendIds(table, [1]); // v1 at T0
    clock.now = T0 + DAY;
    await appendIds(table, [2]); // v2 at T0 + 1 day
    clock.now = T0 + DAY + WEEK; // v2 is exactly at the boundary, v1 beyond it
    const e = await failure(table.restore({ version: 1 }));
    expect(isDeltaError(e, 'VERSION_BEYOND_RETENTION')).toBe(true);
    expect(e.message).toContain('168 hours');
    await appendIds(table, [3]); // v3
    await expect(table.restore({ version: 2 })).resolves.toMatchObject({ restoredVersion: 2 });
    await expect(table.restore({ version: 1 }, { enforceRetention: false })).resolves.toMatchObject({ restoredVersion: 1 });
    expect(await readIds(table)).toEqual([1]);
  });
});

describe('RESTORE after VACUUM', () => {
  it('names the data files VACUUM deleted and commits nothing', async () => {
    const { table, clock } = memoryTable();
    await table.create({ schema: SCHEMA });
    await appendIds(table, [1]); // v1
    const gone = (await table.snapshot()).addFiles[0]!.path;
    await appendIds(table, [2], 'overwrite'); // v2
    clock.now = T0 + 2 * HOUR;
    await table.vacuum({ retentionHours: 0, enforceRetention: false }); // v3, v4
    const e = await failure(table.restore({ version: 1 }));
    expect(isDeltaError(e, 'RESTORE_FILES_MISSING')).toBe(true);
    expect(e.message).toContain(`/t/${gone}`);
    expect((e as unknown as { details: { missingFiles: string[] } }).details.missingFiles).toEqual([`/t/${gone}`]);
    expect((await table.snapshot()).version).toBe(4);
    expect(await readIds(table)).toEqual([2]);
  });

  it('names a missing deletion-vector file too', async () => {
    const { table, store } = memoryTable();
    await table.create({ schema: SCHEMA });
    const dv = uuidDv('44444444-4444-4444-8444-444444444444');
    const withDv = addOf('f.parquet', { deletionVector: dv });
    await store.put('/t/f.parquet', new Uint8Array([1]));
    await store.put('/t/deletion_vector_44444444-4444-4444-8444-444444444444.bin', new Uint8Array([1]));
    const txn1 = await table.transaction({ operation: 'WRITE' });
    await txn1.addFiles([withDv]).commit(); // v1: f with its DV
    const txn2 = await table.transaction({ operation: 'DELETE' });
    await txn2.removeFiles([removeOf(withDv, T0)]).addFiles([addOf('f.parquet')]).commit(); // v2: f without it
    await store.delete('/t/deletion_vector_44444444-4444-4444-8444-444444444444.bin');
    const e = await failure(table.restore({ version: 1 }));
    expect(isDeltaError(e, 'RESTORE_FILES_MISSING')).toBe(true);
    expect((e as unknown as { details: { missingFiles: string[] } }).details.missingFiles).toEqual(['/t/deletion_vector_44444444-4444-4444-8444-444444444444.bin']);
  });
});

describe('RESTORE and concurrent writers', () => {
  it('a concurrent append makes RESTORE fail with a conflict (it reads the whole table)', async () => {
    const env = memoryTable();
    const faulty = new FaultyStore(env.store);
    const table = DeltaTable.forPath('memory://t', { engine: { ...env.engine, store: faulty } });
    await table.create({ schema: SCHEMA });
    await appendIds(table, [1]);
    await appendIds(table, [2]);
    faulty.faults.push(async (path, data) => {
      await appendIds(env.table, [99]); // another writer wins the race
      return env.store.putIfAbsent(path, data);
    });
    const e = await failure(table.restore({ version: 1 }));
    expect(isDeltaError(e, 'CONCURRENT_APPEND')).toBe(true);
    expect(await readIds(env.table)).toEqual([1, 2, 99]);
  });

  it('restores the delta.clustering domain of the version when the table has one (as Spark does)', async () => {
    const { table, engine } = memoryTable();
    const create = Transaction.begin(engine, null, { operation: 'CREATE TABLE', tableRoot: '/t' });
    create.updateProtocol({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['domainMetadata', 'clustering'] });
    create.updateMetadata({ id: 'c', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] }), partitionColumns: [], configuration: {} });
    create.setFeatureDomainMetadata('delta.clustering', '{"clusteringColumns":[["id"]]}');
    await create.commit(); // v0
    await appendIds(table, [1]); // v1
    const recluster = await table.transaction({ operation: 'CLUSTER BY' });
    await recluster.setFeatureDomainMetadata('delta.clustering', '{"clusteringColumns":[]}').commit(); // v2
    await table.restore({ version: 1 });
    expect((await table.snapshot()).domainMetadata.get('delta.clustering')).toBe('{"clusteringColumns":[["id"]]}');
  });
});

/** A protocol with its feature lists sorted, for comparing as sets. */
function normalize(p: Protocol): Protocol {
  return { ...p, ...(p.readerFeatures ? { readerFeatures: [...p.readerFeatures].sort() } : {}), ...(p.writerFeatures ? { writerFeatures: [...p.writerFeatures].sort() } : {}) };
}
