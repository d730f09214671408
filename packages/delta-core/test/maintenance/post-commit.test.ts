import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { cleanUpExpiredLogs } from '../../src/maintenance/log-cleanup.js';
import { ManualClock, ROOT, append, createTable, fakeAdd, metadata, testEngine } from '../transaction/helpers.js';

const DAY = 86_400_000;

async function logNames(store: MemoryStore): Promise<string[]> {
  const out: string[] = [];
  for await (const m of store.list(`${ROOT}/_delta_log`)) out.push(m.path.slice(m.path.lastIndexOf('/') + 1));
  return out;
}

describe('checkpoints after commit', () => {
  it('writes a checkpoint every delta.checkpointInterval commits, readable as the same state', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine, { metadata: metadata({ configuration: { 'delta.checkpointInterval': '5' } }) });
    for (let i = 1; i <= 12; i++) await append(engine, [fakeAdd(`part=a/f${i}.parquet`)]);
    const names = await logNames(store);
    expect(names.filter((n) => n.includes('.checkpoint.'))).toEqual(['00000000000000000005.checkpoint.parquet', '00000000000000000010.checkpoint.parquet']);
    expect(names).toContain('_last_checkpoint');
    const hint = JSON.parse(new TextDecoder().decode(await store.get(`${ROOT}/_delta_log/_last_checkpoint`))) as { version: number; checksum?: string };
    expect(hint.version).toBe(10);
    expect(typeof hint.checksum).toBe('string');
    // Replaying from the checkpoint gives the state replaying every commit gives.
    const viaCheckpoint = await DeltaTable.forPath('memory://t', { engine }).snapshot();
    for (let v = 0; v <= 10; v++) if (v !== 10) await store.delete(`${ROOT}/_delta_log/${String(v).padStart(20, '0')}.json`);
    const fromCheckpointOnly = await DeltaTable.forPath('memory://t', { engine }).snapshot();
    expect(fromCheckpointOnly.addFiles.map((a) => a.path).sort()).toEqual(viaCheckpoint.addFiles.map((a) => a.path).sort());
    expect(fromCheckpointOnly.addFiles).toHaveLength(12);
  });

  it('a failing checkpoint write never fails the commit', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine, { metadata: metadata({ configuration: { 'delta.checkpointInterval': '2' } }) });
    const broken = { ...engine, parquet: { ...engine.parquet, writeTable: () => Promise.reject(new Error('disk full')) } };
    await append(broken, [fakeAdd('part=a/x.parquet')]);
    const version = await append(broken, [fakeAdd('part=a/y.parquet')]);
    expect(version).toBe(2);
    expect((await logNames(store)).some((n) => n.includes('checkpoint'))).toBe(false);
    expect((await DeltaTable.forPath('memory://t', { engine }).snapshot()).addFiles).toHaveLength(2);
  });
});

describe('expired log cleanup', () => {
  it('deletes only what lies behind a checkpoint older than the retention window', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = new MemoryStore({ clock });
    const engine = testEngine(store, clock);
    await createTable(engine, { metadata: metadata({ configuration: { 'delta.checkpointInterval': '10', 'delta.logRetentionDuration': 'interval 2 days' } }) });
    for (let i = 1; i <= 10; i++) await append(engine, [fakeAdd(`part=a/old${i}.parquet`)]); // checkpoint at 10, day 0
    clock.now += 3 * DAY;
    for (let i = 11; i <= 19; i++) await append(engine, [fakeAdd(`part=a/new${i}.parquet`)]);
    const before = await logNames(store);
    expect(before).toContain('00000000000000000000.json');
    // the commit at 20 checkpoints again, and cleanup removes versions before 10 (older than 2 days)
    await append(engine, [fakeAdd('part=a/new20.parquet')]);
    const after = await logNames(store);
    expect(after).not.toContain('00000000000000000000.json');
    expect(after).not.toContain('00000000000000000009.json');
    expect(after).toContain('00000000000000000010.json');
    expect(after).toContain('00000000000000000010.checkpoint.parquet');
    const table = DeltaTable.forPath('memory://t', { engine });
    expect((await table.snapshot()).addFiles).toHaveLength(20);
    expect((await table.snapshot({ version: 10 })).addFiles).toHaveLength(10);
    await expect(table.snapshot({ version: 5 })).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' });
  });

  it('deletes nothing inside the retention window or without a checkpoint', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine);
    for (let i = 1; i <= 3; i++) await append(engine, [fakeAdd(`part=a/f${i}.parquet`)]);
    const res = await cleanUpExpiredLogs(engine, ROOT, metadata({ configuration: { 'delta.logRetentionDuration': 'interval 0 days' } }));
    expect(res.deleted).toEqual([]);
    expect(await logNames(store)).toHaveLength(4);
  });
});
