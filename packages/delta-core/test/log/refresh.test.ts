import { describe, expect, it } from 'vitest';
import { loadTableState, refreshTableState } from '../../src/log/load-table-state.js';
import type { TableState } from '../../src/log/replay.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { CountingStore } from '../table/helpers.js';
import { ROOT, append, begin, createTable, fakeAdd, fakeRemove, metadata, testEngine } from '../transaction/helpers.js';

/** Everything a state says, in a comparable form. */
function summary(s: TableState) {
  return {
    version: s.version,
    protocol: s.protocol,
    metadata: s.metadata,
    files: s.files.map((f) => f.path).sort(),
    tombstones: s.tombstones.map((r) => r.path).sort(),
    txns: [...s.txns].sort(),
    domains: [...s.domains.keys()].sort(),
  };
}

describe('refreshTableState', () => {
  it('replays only new commits and equals a full load', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine, { metadata: metadata({ configuration: { 'delta.checkpointInterval': '4' } }) });
    for (let i = 1; i <= 5; i++) await append(engine, [fakeAdd(`part=a/f${i}.parquet`)]);
    const before = await loadTableState(engine, ROOT);

    const first = (await loadTableState(engine, ROOT)).files.find((f) => f.path === 'part=a/f2.parquet')!;
    const txn = await begin(engine);
    txn.readWholeTable();
    txn.removeFiles([fakeRemove(first)]).addFiles([fakeAdd('part=b/g1.parquet')]).setAppTransaction('stream-1', 7n);
    await txn.commit();
    for (let i = 2; i <= 4; i++) await append(engine, [fakeAdd(`part=b/g${i}.parquet`)]); // crosses the checkpoint at 8

    const counting = new CountingStore(store);
    const refreshed = await refreshTableState({ ...engine, store: counting }, before);
    const commitsRead = counting.readsMatching(/\d{20}\.json$/).map((p) => Number(p.slice(-25, -5)));
    expect(commitsRead.sort((a, b) => a - b)).toEqual([6, 7, 8, 9]);
    expect(counting.readsMatching(/checkpoint/)).toEqual([]);
    // Tombstones may differ only by expired ones a checkpoint dropped (they matter to VACUUM alone).
    const full = await loadTableState(engine, ROOT);
    expect({ ...summary(refreshed), tombstones: [] }).toEqual({ ...summary(full), tombstones: [] });
    expect(summary(refreshed).tombstones).toEqual(expect.arrayContaining(summary(full).tombstones));
    expect(summary(refreshed).tombstones).toContain('part=a/f2.parquet');
    expect(refreshed.files.map((f) => f.path)).not.toContain('part=a/f2.parquet');
    expect(refreshed.txns.get('stream-1')).toBe(7n);
  });

  it('returns the same state when nothing was committed', async () => {
    const engine = testEngine();
    await createTable(engine);
    await append(engine, [fakeAdd('part=a/x.parquet')]);
    const state = await loadTableState(engine, ROOT);
    expect(await refreshTableState(engine, state)).toBe(state);
  });

  it('falls back to a full load when the log no longer continues from the old state', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine);
    for (let i = 1; i <= 3; i++) await append(engine, [fakeAdd(`part=a/f${i}.parquet`)]);
    const old = await loadTableState(engine, ROOT);
    for await (const m of store.list(ROOT, { recursive: true })) await store.delete(m.path);
    await createTable(engine);
    await append(engine, [fakeAdd('part=a/new.parquet')]);
    const refreshed = await refreshTableState(engine, old);
    expect(refreshed.version).toBe(1);
    expect(refreshed.files.map((f) => f.path)).toEqual(['part=a/new.parquet']);
  });

  it('DeltaTable follows its own and other writers’ commits', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine);
    const table = DeltaTable.forPath(`memory:/${ROOT}`, { engine });
    expect((await table.snapshot()).version).toBe(0);
    await append(engine, [fakeAdd('part=a/1.parquet')]); // another writer
    const snap = await table.snapshot();
    expect(snap.version).toBe(1);
    expect(snap.addFiles.map((f) => f.path)).toEqual(['part=a/1.parquet']);
    // time travel is unaffected by the cache
    expect((await table.snapshot({ version: 0 })).addFiles).toEqual([]);
  });
});
