import { beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { isDeltaError, type DeltaErrorCode } from '../../src/errors.js';
import { cmp, col, lit } from '../../src/expr/ast.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import type { Transaction } from '../../src/transaction/transaction.js';
import { append, begin, commitActions, createTable, fakeAdd, fakeRemove, metadata, rawCommit, snapshotOf, testEngine } from './helpers.js';

/**
 * Every conflict rule, both ways, with real commits in a MemoryStore: two transactions start from
 * the same snapshot, the "winner" commits first, then the current transaction commits.
 */

const partIs = (v: string) => cmp('=', col('part'), lit(v));

async function expectConflict(tx: Transaction, code: DeltaErrorCode): Promise<void> {
  const err = await tx.commit().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDeltaError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
  if (isDeltaError(err)) {
    expect(err.message).toMatch(/fix: /);
    expect(typeof err.details.winningVersion).toBe('number');
  }
}

async function expectCommits(tx: Transaction, version: number): Promise<void> {
  const r = await tx.commit();
  expect(r.version).toBe(version);
  expect(r.attempts).toBe(2);
}

let engine: Engine;
let store: MemoryStore;
const a1 = fakeAdd('part=a/a1.parquet', 'a');
const b1 = fakeAdd('part=b/b1.parquet', 'b');

beforeEach(async () => {
  store = new MemoryStore();
  engine = testEngine(store);
  await createTable(engine);
  await append(engine, [a1, b1]); // version 1
});

/** A DML-like transaction: read files matching part = `p`, remove one and add its rewrite. */
async function dmlOn(p: string, options: Parameters<typeof begin>[1] = {}): Promise<Transaction> {
  const tx = await begin(engine, { operation: 'DELETE', ...options });
  const victim = p === 'a' ? a1 : b1;
  tx.readPredicate(partIs(p)).readFiles([victim]);
  return tx.removeFiles([fakeRemove(victim)]).addFiles([fakeAdd(`part=${p}/rewritten-${p}.parquet`, p)]);
}

describe('blind appends', () => {
  it('two blind appends from one snapshot both commit; the second rebases to the next version', async () => {
    const t1 = await begin(engine);
    const t2 = await begin(engine);
    t1.addFiles([fakeAdd('part=a/x.parquet')]);
    t2.addFiles([fakeAdd('part=a/y.parquet')]);
    expect((await t2.commit()).version).toBe(2);
    await expectCommits(t1, 3);
    const info = (await commitActions(store, 3)).find((a) => a.kind === 'commitInfo');
    expect(info?.kind === 'commitInfo' && info.commitInfo.readVersion).toBe(1);
    expect((await snapshotOf(engine)).addFiles.map((f) => f.path).sort()).toEqual(['part=a/a1.parquet', 'part=a/x.parquet', 'part=a/y.parquet', 'part=b/b1.parquet']);
  });

  it('do not conflict with a reader of the same partition under WriteSerializable', async () => {
    const t = await dmlOn('a');
    await append(engine, [fakeAdd('part=a/new.parquet')]);
    await expectCommits(t, 3);
  });

  it('conflict with a reader of the same partition under Serializable', async () => {
    const t = await dmlOn('a', { isolationLevel: 'Serializable' });
    await append(engine, [fakeAdd('part=a/new.parquet')]);
    await expectConflict(t, 'CONCURRENT_APPEND');
  });

  it('conflict under the table property delta.isolationLevel=Serializable even when WriteSerializable is asked', async () => {
    const up = await begin(engine, { operation: 'SET TBLPROPERTIES' });
    await up.updateMetadata(metadata({ configuration: { 'delta.isolationLevel': 'Serializable' } })).commit();
    const t = await dmlOn('a', { isolationLevel: 'WriteSerializable' });
    await append(engine, [fakeAdd('part=a/new.parquet')]);
    await expectConflict(t, 'CONCURRENT_APPEND');
  });

  it('conflict with a reader of the whole table under Serializable only', async () => {
    const ser = (await begin(engine, { isolationLevel: 'Serializable' })).readWholeTable().addFiles([fakeAdd('part=c/c.parquet', 'c')]);
    const ws = (await begin(engine)).readWholeTable().addFiles([fakeAdd('part=c/d.parquet', 'c')]);
    await append(engine, [fakeAdd('part=b/new.parquet', 'b')]);
    await expectConflict(ser, 'CONCURRENT_APPEND');
    await expectCommits(ws, 3);
  });
});

describe('concurrent append (non-blind winner)', () => {
  it('conflicts when the winner adds into the partition the current transaction read', async () => {
    const t = await dmlOn('a');
    const w = await dmlOn('a');
    await w.commit();
    await expectConflict(t, 'CONCURRENT_APPEND');
  });

  it('does not conflict across disjoint partitions', async () => {
    const t = await dmlOn('a');
    const w = await dmlOn('b');
    await w.commit();
    await expectCommits(t, 3);
    const live = (await snapshotOf(engine)).addFiles.map((f) => f.path).sort();
    expect(live).toEqual(['part=a/rewritten-a.parquet', 'part=b/rewritten-b.parquet']);
  });

  it('conflicts with a whole-table reader', async () => {
    const t = (await begin(engine)).readWholeTable().addFiles([fakeAdd('part=c/c.parquet', 'c')]);
    await (await dmlOn('b')).commit();
    await expectConflict(t, 'CONCURRENT_APPEND');
  });

  it('a transaction that only read files (no predicate) is not affected by appends', async () => {
    const t = (await begin(engine)).readFiles([a1]).addFiles([fakeAdd('part=a/z.parquet')]);
    await (await dmlOn('b')).commit();
    await expectCommits(t, 3);
  });
});

describe('compaction (dataChange=false) is downgraded to snapshot isolation', () => {
  async function compactA(): Promise<Transaction> {
    const tx = await begin(engine, { operation: 'OPTIMIZE', isolationLevel: 'Serializable' });
    tx.readPredicate(partIs('a')).readFiles([a1]);
    return tx.removeFiles([fakeRemove(a1, false)]).addFiles([fakeAdd('part=a/compacted.parquet', 'a', { dataChange: false })]);
  }

  it('does not conflict with appends into the partition it compacts, even under Serializable', async () => {
    const t = await compactA();
    await append(engine, [fakeAdd('part=a/new.parquet')]);
    const r = await t.commit();
    expect(r.version).toBe(3);
    expect(r.commitInfo.isolationLevel).toBe('SnapshotIsolation');
  });

  it('still conflicts when the winner deleted a file it compacts', async () => {
    const t = await compactA();
    await (await dmlOn('a')).commit();
    await expectConflict(t, 'CONCURRENT_DELETE_READ');
  });

  it('an append is not invalidated by a concurrent compaction', async () => {
    const t = (await begin(engine)).addFiles([fakeAdd('part=a/new.parquet')]);
    await (await compactA()).commit();
    await expectCommits(t, 3);
  });
});

describe('delete vs read', () => {
  it('conflicts when the winner removed a file the current transaction read', async () => {
    const t = (await begin(engine)).readFiles([a1]).addFiles([fakeAdd('part=a/derived.parquet')]);
    const w = (await begin(engine, { operation: 'DELETE' })).removeFiles([fakeRemove(a1)]);
    await w.commit();
    await expectConflict(t, 'CONCURRENT_DELETE_READ');
  });

  it('does not conflict when the winner removed a file the current transaction did not read', async () => {
    const t = (await begin(engine)).readFiles([a1]).addFiles([fakeAdd('part=a/derived.parquet')]);
    await (await begin(engine, { operation: 'DELETE' })).removeFiles([fakeRemove(b1)]).commit();
    await expectCommits(t, 3);
  });

  it('a whole-table reader conflicts with any data-changing remove, not with dataChange=false removes', async () => {
    const t1 = (await begin(engine)).readWholeTable().addFiles([fakeAdd('part=c/1.parquet', 'c')]);
    // A remove-only commit with dataChange=false (no adds, so the append check has nothing to see).
    await (await begin(engine, { operation: 'REORG' })).removeFiles([fakeRemove(b1, false)]).commit();
    await expectCommits(t1, 3);
    const t2 = (await begin(engine)).readWholeTable().addFiles([fakeAdd('part=c/2.parquet', 'c')]);
    await (await begin(engine, { operation: 'DELETE' })).removeFiles([fakeRemove(a1)]).commit();
    await expectConflict(t2, 'CONCURRENT_DELETE_READ');
  });
});

describe('delete vs delete', () => {
  it('conflicts when both remove the same file', async () => {
    const t = (await begin(engine, { operation: 'DELETE' })).removeFiles([fakeRemove(a1)]);
    await (await begin(engine, { operation: 'DELETE' })).removeFiles([fakeRemove(a1)]).commit();
    await expectConflict(t, 'CONCURRENT_DELETE_DELETE');
  });

  it('does not conflict when they remove different files', async () => {
    const t = (await begin(engine, { operation: 'DELETE' })).removeFiles([fakeRemove(a1)]);
    await (await begin(engine, { operation: 'DELETE' })).removeFiles([fakeRemove(b1)]).commit();
    await expectCommits(t, 3);
    expect((await snapshotOf(engine)).addFiles).toEqual([]);
  });
});

describe('metadata and protocol', () => {
  it('a winner that changes metadata conflicts even with a blind append', async () => {
    const t = (await begin(engine)).addFiles([fakeAdd('part=a/x.parquet')]);
    await (await begin(engine, { operation: 'SET TBLPROPERTIES' })).updateMetadata(metadata({ configuration: { 'delta.logRetentionDuration': 'interval 7 days' } })).commit();
    await expectConflict(t, 'METADATA_CHANGED');
  });

  it('a supported protocol upgrade does not conflict with an append; both changing the protocol does', async () => {
    const append1 = (await begin(engine)).addFiles([fakeAdd('part=a/x.parquet')]);
    const upgrade = (await begin(engine, { operation: 'UPGRADE PROTOCOL' })).updateProtocol({ minReaderVersion: 1, minWriterVersion: 3 });
    await (await begin(engine, { operation: 'UPGRADE PROTOCOL' })).updateProtocol({ minReaderVersion: 1, minWriterVersion: 4 }).commit();
    await expectCommits(append1, 3);
    await expectConflict(upgrade, 'PROTOCOL_CHANGED');
  });

  it('a winner upgrading to a protocol this library cannot write conflicts', async () => {
    const t = (await begin(engine)).addFiles([fakeAdd('part=a/x.parquet')]);
    await rawCommit(store, 2, [
      { kind: 'commitInfo', commitInfo: { operation: 'UPGRADE PROTOCOL', isBlindAppend: false } },
      { kind: 'protocol', protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [], writerFeatures: ['domainMetadata', 'rowTracking'] } },
    ]);
    await expectConflict(t, 'PROTOCOL_CHANGED');
  });
});

describe('domain metadata and application transactions', () => {
  beforeEach(async () => {
    await (await begin(engine, { operation: 'UPGRADE PROTOCOL' })).updateProtocol({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'invariants', 'domainMetadata'] }).commit(); // v2
  });

  it('writing the same domain conflicts; different domains do not', async () => {
    const same = (await begin(engine)).setDomainMetadata('app.owner', '{"v":1}');
    const other = (await begin(engine)).setDomainMetadata('app.other', '{"v":1}');
    await (await begin(engine)).setDomainMetadata('app.owner', '{"v":2}').commit();
    await expectConflict(same, 'CONCURRENT_TRANSACTION');
    await expectCommits(other, 4);
    expect((await snapshotOf(engine)).domainMetadata).toEqual(new Map([['app.owner', '{"v":2}'], ['app.other', '{"v":1}']]));
  });

  it('a winner recording a txn for an appId the current transaction read conflicts; other appIds do not', async () => {
    const reader = await begin(engine, { operation: 'STREAMING UPDATE' });
    expect(reader.appTransactionVersion('query-1')).toBeUndefined();
    reader.setAppTransaction('query-1', 0n).addFiles([fakeAdd('part=a/s0.parquet')]);
    const unrelated = (await begin(engine, { operation: 'STREAMING UPDATE' })).setAppTransaction('query-2', 0n).addFiles([fakeAdd('part=a/q2.parquet')]);
    await (await begin(engine, { operation: 'STREAMING UPDATE' })).setAppTransaction('query-1', 0n).addFiles([fakeAdd('part=a/dup.parquet')]).commit();
    await expectConflict(reader, 'CONCURRENT_TRANSACTION');
    await expectCommits(unrelated, 4);
    const snap = await snapshotOf(engine);
    expect(snap.appTransactions.get('query-1')).toBe(0n);
    expect(snap.appTransactions.get('query-2')).toBe(0n);
  });

  it('refuses domains reserved for table features', async () => {
    const tx = await begin(engine);
    expect(() => tx.setDomainMetadata('delta.rowTracking', '{}')).toThrow(/reserved/);
  });
});

describe('creating a table', () => {
  it('a concurrent creation makes the loser fail with TABLE_ALREADY_EXISTS (no rebase)', async () => {
    const e = testEngine(new MemoryStore());
    await createTable(e, { root: '/new' });
    const err = await createTable(e, { root: '/new' }).catch((x: unknown) => x);
    expect(isDeltaError(err, 'TABLE_ALREADY_EXISTS')).toBe(true);
    expect((await e.store.get('/new/_delta_log/00000000000000000000.json')).length).toBeGreaterThan(0);
  });
});
