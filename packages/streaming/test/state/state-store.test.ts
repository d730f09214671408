// The state store contract, run against both providers (memory and lmdb). Cases follow Spark's
// StateStoreSuite (versions, snapshots, maintenance/cleanup, re-committed versions, schema checks,
// corrupted files) read as specifications.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { field, isDeltaError, LocalFileSystemStore, primitive, struct, type StructType } from '@deltakit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateStoreProvider, type StateRow, type StateStoreOptions, type StateStoreProvider, type StateStoreProviderKind } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const keySchema = struct([field('user', primitive('string')), field('start', primitive('long'))]);
const valueSchema = struct([field('count', primitive('long')), field('sum', primitive('double'))]);

const open: StateStoreProvider[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});

async function provider(kind: StateStoreProviderKind, chk: string, options: StateStoreOptions = {}, schemas: { key?: StructType; value?: StructType; operatorId?: number; partition?: number } = {}): Promise<StateStoreProvider> {
  const p = await openStateStoreProvider({
    store: new LocalFileSystemStore(),
    checkpoint: chk,
    operatorId: schemas.operatorId ?? 0,
    partition: schemas.partition ?? 0,
    keySchema: schemas.key ?? keySchema,
    valueSchema: schemas.value ?? valueSchema,
    options: { provider: kind, ...options },
  });
  open.push(p);
  return p;
}

type Model = Map<string, StateRow>;
const k = (user: string, start: number): StateRow => [user, BigInt(start)];
const v = (count: number, sum = count / 2): StateRow => [BigInt(count), sum];
const id = (key: StateRow): string => `${String(key[0])}|${String(key[1])}`;

async function contents(p: StateStoreProvider, version: number): Promise<Model> {
  const s = await p.getStore(version);
  const out: Model = new Map();
  for (const e of s.iterator()) out.set(id(e.key), e.value);
  s.abort();
  return out;
}

/** Runs `batches` (each a list of puts and removes) from version 0, returning the model after each version. */
async function runBatches(p: StateStoreProvider, batches: [string, number, number | null][][]): Promise<Model[]> {
  const models: Model[] = [new Map()];
  for (let b = 0; b < batches.length; b++) {
    const s = await p.getStore(b);
    const m = new Map(models[b]!);
    for (const [user, start, count] of batches[b]!) {
      if (count === null) {
        s.remove(k(user, start));
        m.delete(id(k(user, start)));
      } else {
        s.put(k(user, start), v(count));
        m.set(id(k(user, start)), v(count));
      }
    }
    expect(await s.commit()).toBe(b + 1);
    models.push(m);
  }
  return models;
}

function randomBatches(n: number, seed = 7): [string, number, number | null][][] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, (_, b) => Array.from({ length: 20 }, () => [`u${Math.floor(rnd() * 8)}`, Math.floor(rnd() * 5), rnd() < 0.3 ? null : b * 100 + Math.floor(rnd() * 100)] as [string, number, number | null]));
}

const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('_')).sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b)) : []);

describe.each(['memory', 'lmdb'] as const)('state store (%s provider)', (kind) => {
  it('starts empty at version 0, reads its own writes, and commits version 1 as 1.delta', async () => {
    const chk = tempDir();
    const p = await provider(kind, chk);
    const s = await p.getStore(0);
    expect(s.version).toBe(0);
    expect(s.get(k('a', 1))).toBeUndefined();
    s.put(k('a', 1), v(1));
    s.put(k('b', 2), v(2));
    s.put(k('a', 1), v(3));
    s.remove(k('b', 2));
    s.remove(k('zz', 9));
    expect(s.get(k('a', 1))).toEqual(v(3));
    expect(s.get(k('b', 2))).toBeUndefined();
    expect(s.metrics().numKeys).toBe(1);
    expect(await s.commit()).toBe(1);
    expect(s.hasCommitted).toBe(true);
    expect(files(`${chk}/state/0/0`)).toEqual(['1.delta']);
    expect(readFileSync(`${chk}/state/0/0/1.delta`).subarray(0, 24).toString()).toBe('deltakit-state v1 delta\n');
    expect(readFileSync(`${chk}/state/0/0/_metadata/schema`, 'utf8').split('\n')[0]).toBe('v1');
    const s1 = await p.getStore(1);
    expect(s1.get(k('a', 1))).toEqual(v(3));
    expect(s1.metrics().numKeys).toBe(1);
    expect(() => s.put(k('x', 1), v(1))).toThrow(/no longer usable/);
  });

  it('loads every version exactly after a restart (puts and removes across versions)', async () => {
    const chk = tempDir();
    const p = await provider(kind, chk, { minDeltasForSnapshot: 1000 });
    const models = await runBatches(p, randomBatches(8));
    await p.close();
    const q = await provider(kind, chk, { minDeltasForSnapshot: 1000 });
    for (const version of [8, 3, 0, 5, 6, 7, 1]) expect(await contents(q, version)).toEqual(models[version]);
    expect(await q.latestVersion()).toBe(8);
  });

  it('rebuilds the same state from snapshots (in several parts) plus deltas', async () => {
    const chk = tempDir();
    const opts = { minDeltasForSnapshot: 3, snapshotPartBytes: 1024 };
    const p = await provider(kind, chk, opts);
    const bigBatches = randomBatches(7).map((b, i) => [...b, ...Array.from({ length: 60 }, (_, j) => [`bulk-${j}`, i, i * 1000 + j] as [string, number, number])]);
    const models = await runBatches(p, bigBatches);
    await p.flush();
    const names = files(`${chk}/state/0/0`);
    expect(names).toContain('3.snapshot');
    expect(names).toContain('6.snapshot');
    expect(names.filter((n) => n.startsWith('6.snapshot.')).length).toBeGreaterThan(1);
    expect(readFileSync(`${chk}/state/0/0/6.snapshot`, 'utf8')).toMatch(/^v1\n\{"version":6,"parts":\d+,"numKeys":\d+\}$/);
    await expect(p.getStore(7).then((s) => s.metrics().customMetrics.snapshotLastUploadedVersion)).resolves.toBe(6);
    // Without the deltas a snapshot covers, the snapshot alone must rebuild the state.
    for (const n of ['1.delta', '2.delta', '3.delta', '4.delta', '5.delta', '6.delta']) rmSync(`${chk}/state/0/0/${n}`);
    const q = await provider(kind, chk, opts);
    expect(await contents(q, 7)).toEqual(models[7]);
    expect(await contents(q, 6)).toEqual(models[6]);
    await expect(q.getStore(5)).rejects.toMatchObject({ code: 'CORRUPT_CHECKPOINT', message: expect.stringContaining('4.delta does not exist') });
  });

  it('cleans up files older than minBatchesToRetain but keeps every retained version loadable', async () => {
    const chk = tempDir();
    const opts = { minDeltasForSnapshot: 2, minBatchesToRetain: 3 };
    const p = await provider(kind, chk, opts);
    const models = await runBatches(p, randomBatches(12));
    await p.flush();
    const names = files(`${chk}/state/0/0`);
    // Latest 12, earliest retained 9: loading 9 needs 8.snapshot (+9.delta); older files go.
    expect(names.filter((n) => parseInt(n) < 8)).toEqual([]);
    expect(names).toContain('8.snapshot');
    const q = await provider(kind, chk, opts);
    for (const version of [9, 10, 11, 12]) expect(await contents(q, version)).toEqual(models[version]);
    expect((await p.getStore(12)).metrics().customMetrics.numFilesDeleted).toBeGreaterThan(0);
  });

  it('a re-run batch re-commits its version without applying it twice', async () => {
    const chk = tempDir();
    const p = await provider(kind, chk);
    const countBatch = async (version: number, users: string[]) => {
      const s = await p.getStore(version);
      for (const u of users) {
        const old = s.get(k(u, 0));
        s.put(k(u, 0), [(old?.[0] as bigint | undefined ?? 0n) + 1n, 0]);
      }
      return s.commit();
    };
    await countBatch(0, ['a', 'b']);
    await countBatch(1, ['a']);
    const deltaBefore = readFileSync(`${chk}/state/0/0/2.delta`);
    // Batch 1 runs again (its sink failed): it reads version 1, not version 2.
    expect(await countBatch(1, ['a'])).toBe(2);
    expect(readFileSync(`${chk}/state/0/0/2.delta`)).toEqual(deltaBefore);
    expect((await contents(p, 2)).get('a|0')).toEqual([2n, 0]);
    // The same after a restart (a new provider with nothing cached).
    const q = await provider(kind, chk);
    const s = await q.getStore(1);
    s.put(k('a', 0), [(s.get(k('a', 0))![0] as bigint) + 1n, 0]);
    await s.commit();
    expect((await contents(q, 2)).get('a|0')).toEqual([2n, 0]);
    await expect(q.getStore(2).then((x) => x.metrics().customMetrics.loadedMapCacheMissCount)).resolves.toBe(1);
  });

  it('a re-run with different changes replaces the delta and drops the snapshot derived from it', async () => {
    const chk = tempDir();
    const p = await provider(kind, chk, { minDeltasForSnapshot: 1 });
    await runBatches(p, [[['a', 0, 1], ['b', 0, 1]], [['c', 0, 3]]]);
    await p.flush();
    expect(files(`${chk}/state/0/0`)).toEqual(['1.delta', '1.snapshot', '1.snapshot.0', '2.delta', '2.snapshot', '2.snapshot.0']);
    const q = await provider(kind, chk, { minDeltasForSnapshot: 1 });
    const s = await q.getStore(0);
    s.put(k('a', 0), v(5));
    expect(await s.commit()).toBe(1);
    await q.flush();
    const r = await provider(kind, chk, { minDeltasForSnapshot: 1000 });
    expect(await contents(r, 1)).toEqual(new Map([['a|0', v(5)]]));
    await expect(r.getStore(2)).rejects.toMatchObject({ code: 'CORRUPT_CHECKPOINT' });
  });

  it('serves the previous version from memory (undo log) and aborts without a trace', async () => {
    const chk = tempDir();
    const p = await provider(kind, chk);
    const models = await runBatches(p, randomBatches(3));
    const s = await p.getStore(3);
    s.put(k('new', 1), v(1));
    s.abort();
    expect(await contents(p, 3)).toEqual(models[3]);
    expect(await contents(p, 2)).toEqual(models[2]);
    const m = (await p.getStore(2)).metrics().customMetrics;
    expect(m.loadedMapCacheMissCount).toBe(1); // only the first load of version 0
    expect(await contents(p, 1)).toEqual(models[1]); // beyond the cache: read from the checkpoint
    expect((await p.getStore(1)).metrics().customMetrics.loadedMapCacheMissCount).toBe(2);
    expect(await contents(p, 3)).toEqual(models[3]); // rolled forward from version 1 by deltas
  });

  it('iterates with pending changes and scans by key prefix', async () => {
    const chk = tempDir();
    const p = await provider(kind, chk);
    await runBatches(p, [[['u1', 30, 1], ['u1', 10, 2], ['u2', 5, 3], ['u10', 1, 4], ['u1', 20, 5]]]);
    const s = await p.getStore(1);
    s.put(k('u1', 40), v(6));
    s.remove(k('u1', 20));
    s.put(k('u1', 10), v(7));
    const scan = [...s.prefixScan(['u1'])].map((e) => [e.key[1], e.value[0]]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(scan).toEqual([[10n, 7n], [30n, 1n], [40n, 6n]]);
    expect([...s.iterator()].length).toBe(5);
    // Removing while iterating (watermark eviction) is allowed.
    for (const e of s.iterator()) if ((e.key[1] as bigint) < 10n) s.remove(e.key);
    expect([...s.iterator()].map((e) => id(e.key)).sort()).toEqual(['u1|10', 'u1|30', 'u1|40']);
    await s.commit();
    if (kind === 'lmdb') expect([...(await p.getStore(2)).prefixScan(['u1'])].map((e) => e.key[1])).toEqual([10n, 30n, 40n]);
  });

  it('records the state schema and rejects an incompatible one on restart', async () => {
    const chk = tempDir();
    await provider(kind, chk);
    // Spark's rule: names may change, nullability may tighten.
    const renamed = struct([field('who', primitive('string'), false), field('begin', primitive('long'))]);
    await expect(provider(kind, chk, {}, { key: renamed })).resolves.toBeDefined();
    const retyped = struct([field('user', primitive('string')), field('start', primitive('integer'))]);
    await expect(provider(kind, chk, {}, { key: retyped })).rejects.toMatchObject({ code: 'CHECKPOINT_INCOMPATIBLE', message: expect.stringMatching(/operator 0 .*key schema.*field 2 \(start\) was bigint|operator 0 .*key schema.*start/) });
    const extra = struct([...valueSchema.fields, field('max', primitive('long'))]);
    const err = await provider(kind, chk, {}, { value: extra }).catch((e: unknown) => e);
    expect(isDeltaError(err, 'CHECKPOINT_INCOMPATIBLE')).toBe(true);
    expect((err as Error).message).toContain('had 2 fields (count, sum), now 3 (count, sum, max)');
    // Non-nullable in the checkpoint cannot become nullable.
    const chk2 = tempDir();
    const strict = struct([field('user', primitive('string'), false), field('start', primitive('long'), false)]);
    await provider(kind, chk2, {}, { key: strict, operatorId: 3 });
    await expect(provider(kind, chk2, {}, { operatorId: 3 })).rejects.toMatchObject({ code: 'CHECKPOINT_INCOMPATIBLE', message: expect.stringContaining('non-nullable, now nullable') });
    // Each operator has its own schema.
    await expect(provider(kind, chk2, {}, { key: retyped, operatorId: 4 })).resolves.toBeDefined();
  });

  it('reports a corrupted, truncated or missing state file as CORRUPT_CHECKPOINT', async () => {
    const chk = tempDir();
    const p = await provider(kind, chk);
    await runBatches(p, randomBatches(3));
    await p.close();
    const dir = `${chk}/state/0/0`;
    const good = readFileSync(`${dir}/2.delta`);
    const cases: [string, Buffer, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 5), /cut short/],
      ['cut mid-record', good.subarray(0, 40), /cut short/],
      ['flipped byte', Buffer.concat([good.subarray(0, 30), Buffer.from([good[30]! ^ 0x40]), good.subarray(31)]), /checksum|record|cut short|unknown tag/],
      ['no header', Buffer.from('hello'), /header/],
    ];
    for (const [, bytes, why] of cases) {
      writeFileSync(`${dir}/2.delta`, bytes);
      const q = await provider(kind, chk);
      await expect(q.getStore(3)).rejects.toMatchObject({ code: 'CORRUPT_CHECKPOINT', message: why });
      // Version 1 does not need the damaged file.
      expect((await contents(q, 1)).size).toBeGreaterThan(0);
    }
    writeFileSync(`${dir}/2.delta`, Buffer.concat([Buffer.from('deltakit-state v9 delta\n'), good.subarray(24)]));
    await expect((await provider(kind, chk)).getStore(3)).rejects.toMatchObject({ code: 'CHECKPOINT_INCOMPATIBLE' });
    rmSync(`${dir}/2.delta`);
    await expect((await provider(kind, chk)).getStore(3)).rejects.toMatchObject({ code: 'CORRUPT_CHECKPOINT', message: expect.stringContaining('2.delta does not exist') });
  });

  it('keeps operators and partitions apart and rejects rows that do not match the schema', async () => {
    const chk = tempDir();
    const a = await provider(kind, chk, {}, { operatorId: 1, partition: 0 });
    const b = await provider(kind, chk, {}, { operatorId: 1, partition: 3 });
    await runBatches(a, [[['x', 1, 1]]]);
    await runBatches(b, [[['y', 1, 1]], [['z', 1, 1]]]);
    expect([...(await contents(a, 1)).keys()]).toEqual(['x|1']);
    expect([...(await contents(b, 2)).keys()].sort()).toEqual(['y|1', 'z|1']);
    expect(files(`${chk}/state/1/3`)).toEqual(['1.delta', '2.delta']);
    const s = await a.getStore(1);
    expect(() => s.put(['x'], v(1))).toThrow(/2 columns/);
    expect(() => s.put(['x', 'not a long'], v(1))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
