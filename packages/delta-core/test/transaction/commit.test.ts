import { beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { isDeltaError } from '../../src/errors.js';
import { commitPath } from '../../src/log/log-path.js';
import { parseActionLines } from '../../src/log/parse-actions.js';
import { serializeCommit } from '../../src/log/serialize-actions.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { Transaction } from '../../src/transaction/transaction.js';
import {
  FaultyStore,
  ManualClock,
  PROTOCOL_1_2,
  ROOT,
  append,
  begin,
  commitActions,
  commitLines,
  commitVersions,
  createTable,
  fakeAdd,
  fakeRemove,
  ioError,
  metadata,
  snapshotOf,
  testEngine,
} from './helpers.js';

describe('commit file content', () => {
  it('version 0 has commitInfo first (no readVersion), then protocol and metaData', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store, new ManualClock(1_700_000_000_123));
    const tx = Transaction.begin(engine, null, { operation: 'CREATE TABLE', tableRoot: ROOT, operationParameters: { partitionBy: ['part'], isManaged: false, description: undefined } });
    const r = await tx.updateProtocol(PROTOCOL_1_2).updateMetadata(metadata()).commit();
    expect(r).toMatchObject({ version: 0, attempts: 1 });
    const lines = (await commitLines(store, 0)).map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    expect(lines.map((l) => Object.keys(l)[0])).toEqual(['commitInfo', 'protocol', 'metaData']);
    const ci = lines[0]!.commitInfo!;
    expect(ci).toEqual({
      timestamp: 1_700_000_000_123,
      operation: 'CREATE TABLE',
      operationParameters: { partitionBy: '["part"]', isManaged: 'false' },
      isolationLevel: 'WriteSerializable',
      isBlindAppend: true,
      engineInfo: 'deltakit/0.1.0',
      txnId: tx.txnId,
    });
    expect(tx.txnId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('orders actions commitInfo, protocol, metaData, txn, domainMetadata, remove, add and writes metrics as strings', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine, { protocol: { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['domainMetadata'] } });
    const first = fakeAdd('part=a/1.parquet');
    await append(engine, [first]);
    const tx = await begin(engine, { operation: 'MERGE', operationParameters: { predicate: ['id = 1'] }, engineInfo: 'my-app/2.0' });
    tx.readWholeTable()
      .addFiles([fakeAdd('part=a/2.parquet')])
      .removeFiles([fakeRemove(first)])
      .setDomainMetadata('app.x', '{}')
      .setAppTransaction('q', 7n)
      .updateMetadata(metadata({ description: 'd' }))
      .updateProtocol({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['domainMetadata', 'appendOnly'] })
      .operationMetrics({ numTargetRowsDeleted: 1, numOutputRows: 10n, executionTimeMs: '5' });
    const r = await tx.commit();
    const actions = await commitActions(store, r.version);
    expect(actions.map((a) => a.kind)).toEqual(['commitInfo', 'protocol', 'metaData', 'txn', 'domainMetadata', 'remove', 'add']);
    expect(r.commitInfo).toMatchObject({
      readVersion: 1,
      isBlindAppend: false,
      engineInfo: 'my-app/2.0',
      operationParameters: { predicate: '["id = 1"]' },
      operationMetrics: { numTargetRowsDeleted: '1', numOutputRows: '10', executionTimeMs: '5' },
    });
    const snap = await snapshotOf(engine);
    expect(snap.version).toBe(2);
    expect(snap.appTransactions.get('q')).toBe(7n);
    expect(snap.metadata.description).toBe('d');
    expect(snap.addFiles.map((f) => f.path)).toEqual(['part=a/2.parquet']);
  });

  it('refuses a table creation without protocol or metadata, and a second commit', async () => {
    const engine = testEngine();
    const tx = Transaction.begin(engine, null, { operation: 'CREATE TABLE', tableRoot: ROOT });
    await expect(tx.updateMetadata(metadata()).commit()).rejects.toMatchObject({ code: 'INVALID_WRITE' });
    expect(() => Transaction.begin(engine, null, { operation: 'CREATE TABLE' })).toThrow(/tableRoot/);
    const ok = Transaction.begin(engine, null, { operation: 'CREATE TABLE', tableRoot: ROOT }).updateProtocol(PROTOCOL_1_2).updateMetadata(metadata());
    await ok.commit();
    await expect(ok.commit()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses the same file added twice in one commit', async () => {
    const engine = testEngine();
    await createTable(engine);
    const tx = (await begin(engine)).addFiles([fakeAdd('x.parquet'), fakeAdd('x.parquet')]);
    await expect(tx.commit()).rejects.toMatchObject({ code: 'INVALID_WRITE' });
    expect(await commitVersions(engine.store)).toEqual([0]);
  });
});

describe('appendOnly tables', () => {
  let engine: Engine;
  beforeEach(async () => {
    engine = testEngine();
    await createTable(engine, { metadata: metadata({ configuration: { 'delta.appendOnly': 'true' } }) });
    await append(engine, [fakeAdd('part=a/1.parquet'), fakeAdd('part=a/2.parquet')]);
  });

  it('refuses removes with dataChange=true', async () => {
    const tx = await begin(engine, { operation: 'DELETE' });
    const snap = await snapshotOf(engine);
    expect(() => tx.removeFiles([fakeRemove(snap.addFiles[0]!)])).toThrow(expect.objectContaining({ code: 'APPEND_ONLY_VIOLATION' }));
    expect(await commitVersions(engine.store)).toEqual([0, 1]);
  });

  it('allows rearranging files with dataChange=false', async () => {
    const snap = await snapshotOf(engine);
    const tx = Transaction.begin(engine, snap, { operation: 'OPTIMIZE' });
    tx.removeFiles(snap.addFiles.map((f) => fakeRemove(f, false))).addFiles([fakeAdd('part=a/compacted.parquet', 'a', { dataChange: false })]);
    expect((await tx.commit()).version).toBe(2);
    expect((await snapshotOf(engine)).addFiles.map((f) => f.path)).toEqual(['part=a/compacted.parquet']);
  });

  it('checks the removes staged before a metadata update that turns appendOnly on', async () => {
    const e = testEngine();
    await createTable(e);
    await append(e, [fakeAdd('part=a/1.parquet')]);
    const snap = await snapshotOf(e);
    const tx = Transaction.begin(e, snap, { operation: 'DELETE' }).removeFiles([fakeRemove(snap.addFiles[0]!)]);
    tx.updateMetadata(metadata({ configuration: { 'delta.appendOnly': 'true' } }));
    await expect(tx.commit()).rejects.toMatchObject({ code: 'APPEND_ONLY_VIOLATION' });
  });
});

describe('commit races and unknown commit state', () => {
  let store: FaultyStore;
  let engine: Engine;
  beforeEach(async () => {
    store = new FaultyStore();
    engine = testEngine(store);
    await createTable(engine);
  });

  /** A commit by another writer (different txnId) in the serialized form of a blind append. */
  const foreignCommit = (path: string) =>
    serializeCommit([
      { kind: 'commitInfo', commitInfo: { timestamp: 1, operation: 'WRITE', isBlindAppend: true, txnId: 'someone-else' } },
      { kind: 'add', add: fakeAdd(path) },
    ]);

  it('a put that wrote the file and then failed is recognized as our own commit, written once', async () => {
    store.faults.push(async (path, data) => {
      await store.inner.putIfAbsent(path, data);
      throw ioError();
    });
    const tx = (await begin(engine)).addFiles([fakeAdd('part=a/mine.parquet')]);
    const r = await tx.commit();
    expect(r).toMatchObject({ version: 1, attempts: 1 });
    expect(r.commitInfo.txnId).toBe(tx.txnId);
    expect(store.putCalls).toBe(2); // create + this one: no second write
    expect(await commitVersions(store)).toEqual([0, 1]);
    expect((await snapshotOf(engine)).addFiles.map((f) => f.path)).toEqual(['part=a/mine.parquet']);
  });

  it('a failed put that left another writer\'s commit is an ordinary lost race', async () => {
    store.faults.push(async (path) => {
      await store.inner.putIfAbsent(path, foreignCommit('part=a/theirs.parquet'));
      throw ioError();
    });
    const tx = (await begin(engine)).addFiles([fakeAdd('part=a/mine.parquet')]);
    const r = await tx.commit();
    expect(r).toMatchObject({ version: 2, attempts: 2 });
    expect((await snapshotOf(engine)).addFiles.map((f) => f.path).sort()).toEqual(['part=a/mine.parquet', 'part=a/theirs.parquet']);
  });

  it('a failed put that wrote nothing is retried at the same version', async () => {
    store.faults.push(async () => {
      throw ioError();
    });
    const r = await (await begin(engine)).addFiles([fakeAdd('part=a/mine.parquet')]).commit();
    expect(r).toMatchObject({ version: 1, attempts: 2 });
  });

  it('our write landing late (seen on the retry as an existing file) is still recognized', async () => {
    let pending: { path: string; data: Uint8Array } | undefined;
    store.faults.push(async (path, data) => {
      pending = { path, data };
      throw ioError();
    });
    store.faults.push(async (path, data) => {
      await store.inner.putIfAbsent(pending!.path, pending!.data); // the first request completes now
      return store.inner.putIfAbsent(path, data);
    });
    const tx = (await begin(engine)).addFiles([fakeAdd('part=a/mine.parquet')]);
    const r = await tx.commit();
    expect(r).toMatchObject({ version: 1, attempts: 2 });
    expect(await commitVersions(store)).toEqual([0, 1]);
  });

  it('reports COMMIT_STATE_UNKNOWN when the file cannot be read back', async () => {
    store.faults.push(async (path, data) => {
      await store.inner.putIfAbsent(path, data);
      throw ioError();
    });
    store.getFault = async (path) => {
      if (path.endsWith('01.json')) throw Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' });
      return store.inner.get(path);
    };
    const tx = (await begin(engine)).addFiles([fakeAdd('part=a/mine.parquet')]);
    const err = await tx.commit().catch((e: unknown) => e);
    expect(isDeltaError(err, 'COMMIT_STATE_UNKNOWN')).toBe(true);
    expect(isDeltaError(err) && err.details.txnId).toBe(tx.txnId);
    expect(isDeltaError(err) && err.message).toContain(tx.txnId);
  });

  it('reports COMMIT_STATE_UNKNOWN when existence cannot be checked', async () => {
    store.faults.push(async () => {
      throw ioError();
    });
    store.headFault = async () => {
      throw ioError();
    };
    const err = await (await begin(engine)).addFiles([fakeAdd('part=a/mine.parquet')]).commit().catch((e: unknown) => e);
    expect(isDeltaError(err, 'COMMIT_STATE_UNKNOWN')).toBe(true);
  });

  it('gives up with MAX_COMMIT_RETRIES after maxRetries lost races', async () => {
    const tx = (await begin(engine, { maxRetries: 1 })).addFiles([fakeAdd('part=a/mine.parquet')]);
    await append(engine, [fakeAdd('part=a/w1.parquet')]); // version 1: the first attempt loses
    // tx's first put (version 1) is real; its retry at version 2 finds another writer got there first.
    store.faults.push((path, data) => store.inner.putIfAbsent(path, data));
    store.faults.push(async (path) => {
      await store.inner.putIfAbsent(path, foreignCommit('part=a/x.parquet'));
      return { created: false };
    });
    const err = await tx.commit().catch((e: unknown) => e);
    expect(isDeltaError(err, 'MAX_COMMIT_RETRIES')).toBe(true);
    expect(await commitVersions(store)).toEqual([0, 1, 2]);
  });

  it('stops with CANCELLED when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await (await begin(engine, { signal: ac.signal })).addFiles([fakeAdd('part=a/m.parquet')]).commit().catch((e: unknown) => e);
    expect(isDeltaError(err, 'CANCELLED')).toBe(true);
    expect(await commitVersions(store)).toEqual([0]);
  });
});

describe('in-commit timestamps', () => {
  const ictProtocol = { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['inCommitTimestamp'] };
  const ictOf = async (store: MemoryStore | FaultyStore, v: number) => {
    const ci = (await commitActions(store, v)).find((a) => a.kind === 'commitInfo');
    return ci?.kind === 'commitInfo' ? ci.commitInfo.inCommitTimestamp : undefined;
  };

  it('are strictly increasing even when the clock goes backwards, also across a rebase', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(5_000);
    const engine = testEngine(store, clock);
    await createTable(engine, { protocol: ictProtocol, metadata: metadata({ configuration: { 'delta.enableInCommitTimestamps': 'true' } }) });
    expect(await ictOf(store, 0)).toBe(5_000);
    clock.now = 4_000;
    await append(engine, [fakeAdd('part=a/1.parquet')]);
    expect(await ictOf(store, 1)).toBe(5_001);
    clock.now = 9_000;
    const slow = (await begin(engine)).addFiles([fakeAdd('part=a/slow.parquet')]);
    clock.now = 20_000;
    await append(engine, [fakeAdd('part=a/2.parquet')]); // version 2 at 20000
    clock.now = 10_000;
    const r = await slow.commit();
    expect(r.version).toBe(3);
    expect(r.commitInfo.inCommitTimestamp).toBe(20_001);
    expect(await ictOf(store, 3)).toBe(20_001);
    const lines = await commitLines(store, 3);
    expect(lines[0]).toMatch(/^\{"commitInfo":\{"inCommitTimestamp":20001,/);
  });

  it('enabling them on an existing table starts after the previous commit and records the enablement', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(1_000);
    const engine = testEngine(store, clock);
    await createTable(engine);
    store.setLastModified(commitPath(ROOT, 0), 50_000); // file time after the (skewed) clock
    const tx = await begin(engine, { operation: 'SET TBLPROPERTIES' });
    tx.updateProtocol(ictProtocol).updateMetadata(metadata({ configuration: { 'delta.enableInCommitTimestamps': 'true' } }));
    const r = await tx.commit();
    expect(r.commitInfo.inCommitTimestamp).toBe(50_001);
    const md = (await snapshotOf(engine)).metadata.configuration;
    expect(md['delta.inCommitTimestampEnablementVersion']).toBe('1');
    expect(md['delta.inCommitTimestampEnablementTimestamp']).toBe('50001');
  });

  it('are not written when the table does not enable them', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine);
    await append(engine, [fakeAdd('part=a/1.parquet')]);
    expect(await ictOf(store, 1)).toBeUndefined();
    expect(parseActionLines(await store.get(commitPath(ROOT, 1)), 'x')[0]?.kind).toBe('commitInfo');
  });
});
