import { describe, expect, it } from 'vitest';
import { loadTableState } from '../../src/log/load-table-state.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { ManualClock, ROOT, append, begin, createTable, fakeAdd, metadata, testEngine } from '../transaction/helpers.js';

const DAY = 86_400_000;

describe('delta.setTransactionRetentionDuration', () => {
  it('expires app transactions older than the retention from snapshots and checkpoints', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = new MemoryStore({ clock });
    const engine = testEngine(store, clock);
    await createTable(engine, {
      metadata: metadata({ configuration: { 'delta.setTransactionRetentionDuration': 'interval 1 days', 'delta.checkpointInterval': '3' } }),
    });
    const old = await begin(engine);
    old.setAppTransaction('old-stream', 5n).addFiles([fakeAdd('part=a/1.parquet')]);
    await old.commit(); // v1, lastUpdated = day 0
    clock.now += 2 * DAY;
    const fresh = await begin(engine);
    fresh.setAppTransaction('new-stream', 9n).addFiles([fakeAdd('part=a/2.parquet')]);
    await fresh.commit(); // v2

    const table = DeltaTable.forPath(`memory:/${ROOT}`, { engine });
    const snap = await table.snapshot();
    expect([...snap.appTransactions]).toEqual([['new-stream', 9n]]);
    // the raw state still knows the expired one until a checkpoint drops it
    expect((await loadTableState(engine, ROOT)).setTransactions.get('old-stream')?.version).toBe(5n);

    await append(engine, [fakeAdd('part=a/3.parquet')]); // v3: checkpoint
    for (const v of [0, 1, 2]) await store.delete(`${ROOT}/_delta_log/${String(v).padStart(20, '0')}.json`);
    const fromCheckpoint = await loadTableState(engine, ROOT);
    expect([...fromCheckpoint.setTransactions.keys()]).toEqual(['new-stream']);
    expect(fromCheckpoint.setTransactions.get('new-stream')?.lastUpdated).toBe(clock.now);
  });

  it('never expires without the property', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = testEngine(new MemoryStore({ clock }), clock);
    await createTable(engine);
    const t = await begin(engine);
    t.setAppTransaction('s', 1n).addFiles([fakeAdd('part=a/1.parquet')]);
    await t.commit();
    clock.now += 400 * DAY;
    expect([...(await DeltaTable.forPath(`memory:/${ROOT}`, { engine }).snapshot()).appTransactions]).toEqual([['s', 1n]]);
  });
});
