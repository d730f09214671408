/**
 * VACUUM retention with an injected clock (MemoryStore: every modification time is the clock's):
 * the exact boundaries for untracked files and tombstones, the table property and the argument,
 * Spark's retention check, dry runs, the VACUUM START / END commits, and time travel afterwards.
 */
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { Transaction } from '../../src/transaction/transaction.js';
import type { DeltaTable } from '../../src/table/delta-table.js';
import { failure } from '../fixtures.js';
import { DAY, HOUR, SCHEMA, T0, WEEK, addOf, appendIds, memoryTable, readIds, removeOf, uuidDv } from './vacuum-helpers.js';
import type { AddFile, RemoveFile } from '../../src/log/actions.js';
import type { MemoryStore } from '../../src/storage/memory-store.js';

async function commit(table: DeltaTable, adds: AddFile[], removes: RemoveFile[] = []): Promise<number> {
  const txn = await table.transaction({ operation: 'WRITE' });
  return (await txn.addFiles(adds).removeFiles(removes).commit()).version;
}

/** A file of 3 bytes at `rel` with modification time `mtime`. */
async function plant(store: MemoryStore, rel: string, mtime: number): Promise<void> {
  await store.put(`/t/${rel}`, new Uint8Array([1, 2, 3]));
  store.setLastModified(`/t/${rel}`, mtime);
}

async function exists(store: MemoryStore, rel: string): Promise<boolean> {
  try {
    await store.head(`/t/${rel}`);
    return true;
  } catch {
    return false;
  }
}

async function newTable(properties: Record<string, string> = {}) {
  const env = memoryTable();
  await env.table.create({ schema: SCHEMA, properties });
  return env;
}

describe('retention boundaries (default 7 days)', () => {
  it('deletes an untracked file older than the cutoff and keeps one exactly at it', async () => {
    const { table, store, clock } = await newTable();
    clock.now = T0 + 30 * DAY;
    const cutoff = clock.now - WEEK;
    await plant(store, 'at-cutoff.parquet', cutoff);
    await plant(store, 'just-before.parquet', cutoff - 1);
    await plant(store, 'young.parquet', clock.now);
    const r = await table.vacuum();
    expect(r.minRetainedTimestamp).toBe(cutoff);
    expect(r.paths).toEqual(['/t/just-before.parquet']);
    expect(await exists(store, 'just-before.parquet')).toBe(false);
    expect(await exists(store, 'at-cutoff.parquet')).toBe(true);
    expect(await exists(store, 'young.parquet')).toBe(true);
  });

  it('keeps a removed file while its tombstone is inside the window, and deletes it one millisecond later', async () => {
    const { table, store, clock } = await newTable();
    const old = addOf('old.parquet');
    await plant(store, 'old.parquet', T0);
    await commit(table, [old]);
    const removedAt = T0 + 2 * DAY;
    clock.now = removedAt;
    await commit(table, [], [removeOf(old, removedAt)]);
    clock.now = removedAt + WEEK; // cutoff == deletionTimestamp: still needed
    expect((await table.vacuum({ dryRun: true })).paths).toEqual([]);
    clock.now = removedAt + WEEK + 1;
    expect((await table.vacuum({ dryRun: true })).paths).toEqual(['/t/old.parquet']);
  });

  it('treats a tombstone without deletionTimestamp as expired, and never deletes live files however old', async () => {
    const { table, store, clock } = await newTable();
    const a = addOf('a.parquet');
    const b = addOf('b.parquet');
    await plant(store, 'a.parquet', T0);
    await plant(store, 'b.parquet', T0);
    await commit(table, [a, b]);
    await commit(table, [], [removeOf(a, undefined)]);
    clock.now = T0 + HOUR;
    const r = await table.vacuum({ retentionHours: 0, enforceRetention: false });
    expect(r.paths).toEqual(['/t/a.parquet']);
    expect(await exists(store, 'b.parquet')).toBe(true);
  });

  it('deletion-vector files follow the tombstones and live files that name them', async () => {
    const { table, store, clock } = await newTable();
    const dv1 = uuidDv('11111111-1111-4111-8111-111111111111');
    const dv2 = uuidDv('22222222-2222-4222-8222-222222222222', 'ab');
    const dvGone = uuidDv('33333333-3333-4333-8333-333333333333');
    await plant(store, 'f.parquet', T0);
    await plant(store, 'g.parquet', T0);
    await plant(store, 'deletion_vector_11111111-1111-4111-8111-111111111111.bin', T0);
    await plant(store, 'ab/deletion_vector_22222222-2222-4222-8222-222222222222.bin', T0);
    await plant(store, 'deletion_vector_33333333-3333-4333-8333-333333333333.bin', T0);
    const f = addOf('f.parquet', { deletionVector: dvGone });
    await commit(table, [f, addOf('g.parquet')]);
    clock.now = T0 + DAY;
    // f's DV is replaced by dv1 (tombstone of f+dvGone), g gets dv2 in a prefix directory.
    await commit(table, [addOf('f.parquet', { deletionVector: dv1 }), addOf('g.parquet', { deletionVector: dv2 })], [removeOf(f, T0 + DAY), removeOf(addOf('g.parquet'), T0 + DAY)]);
    clock.now = T0 + DAY + WEEK - 1; // tombstones still inside the window
    expect((await table.vacuum({ dryRun: true })).paths).toEqual([]);
    clock.now = T0 + DAY + WEEK + 1;
    const r = await table.vacuum();
    expect(r.paths).toEqual(['/t/deletion_vector_33333333-3333-4333-8333-333333333333.bin']);
    expect(await exists(store, 'deletion_vector_11111111-1111-4111-8111-111111111111.bin')).toBe(true);
    expect(await exists(store, 'ab/deletion_vector_22222222-2222-4222-8222-222222222222.bin')).toBe(true);
    expect(await exists(store, 'f.parquet')).toBe(true);
  });

  it('change-data files go once older than the window (the state never references them)', async () => {
    const { table, store, clock } = await newTable();
    await plant(store, '_change_data/cdc-1.parquet', T0);
    await plant(store, '_change_data/part=x/cdc-2.parquet', T0 + DAY);
    const txn = await table.transaction({ operation: 'DELETE' });
    txn.addCdcFiles([{ path: '_change_data/cdc-1.parquet', partitionValues: {}, size: 3, dataChange: false }]);
    await txn.commit();
    clock.now = T0 + WEEK + 1;
    expect((await table.vacuum({ dryRun: true })).paths).toEqual(['/t/_change_data/cdc-1.parquet']);
    clock.now = T0 + DAY + WEEK + 1;
    expect((await table.vacuum({ dryRun: true })).paths).toEqual(['/t/_change_data/cdc-1.parquet', '/t/_change_data/part=x/cdc-2.parquet']);
  });
});

describe('retention settings', () => {
  it('reads delta.deletedFileRetentionDuration in Spark interval syntax', async () => {
    const { table, store, clock } = await newTable({ 'delta.deletedFileRetentionDuration': 'interval 1 day 12 hours' });
    clock.now = T0 + 10 * DAY;
    await plant(store, 'x.parquet', clock.now - 36 * HOUR);
    await plant(store, 'y.parquet', clock.now - 36 * HOUR - 1);
    const r = await table.vacuum({ dryRun: true });
    expect(r.defaultRetentionMillis).toBe(36 * HOUR);
    expect(r.paths).toEqual(['/t/y.parquet']);
  });

  it('refuses a malformed or month-based retention property', async () => {
    for (const value of ['interval 1 month', '1day', 'interval -1 day', 'interval 1.5 hours']) {
      const { table } = await newTable({ 'delta.deletedFileRetentionDuration': value });
      const e = await failure(table.vacuum({ dryRun: true }));
      expect(isDeltaError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect(e.message).toContain('delta.deletedFileRetentionDuration');
    }
  });

  it('refuses a retention shorter than the table\'s unless the check is disabled (Spark: "168 hours")', async () => {
    const { table, store, clock } = await newTable();
    clock.now = T0 + 2 * DAY;
    await plant(store, 'x.parquet', T0);
    const e = await failure(table.vacuum({ retentionHours: 24 }));
    expect(isDeltaError(e, 'RETENTION_TOO_SHORT')).toBe(true);
    expect(e.message).toContain('168 hours');
    expect(e.message).toContain('enforceRetention: false');
    expect(e.message).toContain('retentionDurationCheck.enabled');
    expect(await exists(store, 'x.parquet')).toBe(true);
    expect((await table.history()).length).toBe(1); // nothing committed
    const r = await table.vacuum({ retentionHours: 24, enforceRetention: false });
    expect(r.paths).toEqual(['/t/x.parquet']);
    expect(r.retentionMillis).toBe(24 * HOUR);
  });

  it('accepts a longer retention, rounds hours half up as Spark does, and refuses a negative one', async () => {
    const { table, store, clock } = await newTable();
    clock.now = T0 + 20 * DAY;
    await plant(store, 'x.parquet', clock.now - 200 * HOUR - 1);
    expect((await table.vacuum({ retentionHours: 200, dryRun: true })).paths).toEqual(['/t/x.parquet']);
    expect((await table.vacuum({ retentionHours: 0.4, enforceRetention: false, dryRun: true })).retentionMillis).toBe(0);
    expect((await table.vacuum({ retentionHours: 0.5, enforceRetention: false, dryRun: true })).retentionMillis).toBe(HOUR);
    const e = await failure(table.vacuum({ retentionHours: -2, enforceRetention: false }));
    expect(isDeltaError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect(e.message).toMatch(/less than 0/);
  });
});

describe('dry run and the VACUUM commits', () => {
  it('a dry run lists, counts and sizes without deleting or committing', async () => {
    const { table, store, clock } = await newTable();
    clock.now = T0 + 30 * DAY;
    await plant(store, 'a.parquet', T0);
    await plant(store, 'sub/b.parquet', T0);
    const r = await table.vacuum({ dryRun: true });
    expect(r).toMatchObject({ dryRun: true, numFilesToDelete: 2, sizeOfDataToDelete: 6, numDeletedFiles: 0, tableVersion: 0 });
    expect(r.paths).toEqual(['/t/a.parquet', '/t/sub/b.parquet']);
    expect(r.startVersion).toBeUndefined();
    expect(await exists(store, 'a.parquet')).toBe(true);
    expect(await exists(store, 'sub/b.parquet')).toBe(true);
    expect((await table.history()).length).toBe(1);
  });

  it('records VACUUM START and VACUUM END with Spark\'s parameters and metrics', async () => {
    const { table, store, clock } = await newTable();
    clock.now = T0 + 30 * DAY;
    await plant(store, 'a.parquet', T0);
    const r = await table.vacuum({ retentionHours: 200 });
    expect(r).toMatchObject({ startVersion: 1, endVersion: 2, numDeletedFiles: 1, numFilesToDelete: 1 });
    const [end, start] = await table.history({ limit: 2 });
    expect(start!.commitInfo).toMatchObject({
      operation: 'VACUUM START',
      operationParameters: { retentionCheckEnabled: 'true', defaultRetentionMillis: String(WEEK), specifiedRetentionMillis: String(200 * HOUR) },
      operationMetrics: { numFilesToDelete: '1', sizeOfDataToDelete: '3' },
      isBlindAppend: true,
    });
    expect(end!.commitInfo).toMatchObject({
      operation: 'VACUUM END',
      operationParameters: { status: 'COMPLETED' },
      operationMetrics: { numDeletedFiles: '1', numVacuumedDirectories: '1' },
    });
    expect(start!.timestamp).toBe(clock.now); // commit times from the engine's clock
    // The commits carry no file actions: the state is unchanged.
    expect((await table.snapshot()).addFiles).toEqual((await table.snapshot({ version: 0 })).addFiles);
  });

  it('an aborted VACUUM records VACUUM END as FAILED and throws CANCELLED', async () => {
    const { table, store, clock } = await newTable();
    clock.now = T0 + 30 * DAY;
    for (let i = 0; i < 40; i++) await plant(store, `f${i}.parquet`, T0);
    const controller = new AbortController();
    const original = store.delete.bind(store);
    let deletes = 0;
    store.delete = async (path: string) => {
      if (++deletes === 5) controller.abort();
      return original(path);
    };
    const e = await failure(table.vacuum({ signal: controller.signal }));
    expect(isDeltaError(e, 'CANCELLED')).toBe(true);
    const [end] = await table.history({ limit: 1 });
    expect(end!.commitInfo).toMatchObject({ operation: 'VACUUM END', operationParameters: { status: 'FAILED' } });
    expect(end!.commitInfo!.operationMetrics).toBeUndefined();
  });

  it('rejects an unknown mode', async () => {
    const { table } = await newTable();
    const e = await failure(table.vacuum({ mode: 'fast' as never }));
    expect(isDeltaError(e, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('time travel after VACUUM', () => {
  it('every version whose files the window protects reads as before; older ones lose their files', async () => {
    const { table, clock } = await newTable(); // v0 at T0
    await appendIds(table, [1, 2, 3]); // v1 at T0
    clock.now = T0 + DAY;
    await appendIds(table, [4, 5]); // v2
    clock.now = T0 + 2 * DAY;
    await appendIds(table, [6, 7], 'overwrite'); // v3: removes v1's and v2's files at T0+2d
    clock.now = T0 + 3 * DAY;
    await appendIds(table, [8]); // v4
    clock.now = T0 + 4 * DAY;
    await appendIds(table, [9], 'overwrite'); // v5: removes v3's and v4's files at T0+4d
    const before = new Map<number, number[]>();
    for (let v = 1; v <= 5; v++) before.set(v, await readIds(table, v));
    // Cutoff T0+3d: the tombstones of v3 (T0+2d) expired, those of v5 (T0+4d) did not. Versions
    // 3..5 only need files that are live or tombstoned by v5; versions 1 and 2 need v3's victims.
    clock.now = T0 + 3 * DAY + WEEK;
    const r = await table.vacuum();
    expect(r.numDeletedFiles).toBe(2);
    for (let v = 3; v <= 5; v++) expect(await readIds(table, v)).toEqual(before.get(v));
    expect(await readIds(table)).toEqual([9]);
    for (const v of [1, 2]) expect(isDeltaError(await failure(readIds(table, v)), 'FILE_NOT_FOUND')).toBe(true);
  });
});

describe('protocol check', () => {
  it('runs the full writer protocol check first, also for dry runs (vacuumProtocolCheck)', async () => {
    const { table, store, clock } = memoryTable();
    const txn = Transaction.begin(table.engine, null, { operation: 'CREATE TABLE', tableRoot: '/t' });
    txn.updateProtocol({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['vacuumProtocolCheck'], writerFeatures: ['vacuumProtocolCheck'] });
    txn.updateMetadata({ id: 'x', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify({ type: 'struct', fields: [] }), partitionColumns: [], configuration: {} });
    await txn.commit();
    clock.now = T0 + 30 * DAY;
    await plant(store, 'x.parquet', T0);
    expect((await table.vacuum({ dryRun: true })).paths).toEqual(['/t/x.parquet']);
    // Another writer adds a writer feature this library does not implement.
    const raw = `{"commitInfo":{"timestamp":${clock.now},"operation":"SET TBLPROPERTIES"}}\n{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["vacuumProtocolCheck"],"writerFeatures":["vacuumProtocolCheck","futureFeature"]}}\n`;
    await store.putIfAbsent('/t/_delta_log/00000000000000000001.json', new TextEncoder().encode(raw));
    for (const dryRun of [true, false]) {
      const e = await failure(table.vacuum({ dryRun }));
      expect(isDeltaError(e, 'UNSUPPORTED_WRITER_FEATURE')).toBe(true);
      expect(e.message).toContain('futureFeature');
    }
    expect(await exists(store, 'x.parquet')).toBe(true);
  });
});
