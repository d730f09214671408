/**
 * Application transactions (`appTransaction`, Delta's `txnAppId`/`txnVersion`) on DELETE, UPDATE
 * and MERGE: the first run commits `txn{appId, version}` with its changes, a replay with the same
 * or a lower version is skipped (no commit, data unchanged), a higher version runs, a statement
 * that changes nothing still records the `txn`, and two writers with the same appId conflict.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDefaultEngine, field, isDeltaError, LocalFileSystemStore, primitive, struct, type DeltaError, type Engine, type ObjectStore } from '@deltakit/core';
import { rowsToBatch } from '@deltakit/core/internal';
import { DeltaTable, type DeleteResult, type MergeMetrics, type UpdateResult } from '../src/index.js';
import { cleanup, commitActions, commitInfo, copyFixture, describeFixtures, makeTable, readRows, sortRows, tableAt } from './helpers.js';

afterAll(cleanup);

const schema = struct([field('id', primitive('long'), false), field('part', primitive('string')), field('n', primitive('integer'))]);
const ROWS = Array.from({ length: 40 }, (_, i) => ({ id: BigInt(i), part: i % 2 === 0 ? 'a' : 'b', n: 0 }));
const NOW = 1_700_000_000_000;

/** The table at `root` through an engine whose clock stands at NOW. */
function fixedClock(table: DeltaTable): DeltaTable {
  const e = createDefaultEngine({ workers: 0 });
  return table.withEngine({ store: e.store, parquet: e.parquet, clock: { nowMs: () => NOW } });
}

function latestVersion(root: string): number {
  const commits = readdirSync(join(root, '_delta_log')).filter((f) => /^\d{20}\.json$/.test(f));
  return Math.max(...commits.map((f) => Number(f.slice(0, 20))));
}

function txnOf(root: string, version: number): Record<string, unknown> | undefined {
  return commitActions(root, version).find((a) => 'txn' in a)?.txn;
}

async function recorded(table: DeltaTable, appId: string): Promise<bigint | undefined> {
  return (await table.snapshot()).appTransactions.get(appId);
}

async function failure(p: Promise<unknown>): Promise<DeltaError> {
  try {
    await p;
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error('expected the statement to fail');
}

/** Every numeric field of a skipped result is 0 (and `skipped` is true, `version` the current one). */
function expectSkipped(result: DeleteResult | UpdateResult | MergeMetrics, version: number): void {
  const { version: v, skipped, ...metrics } = result;
  expect(skipped).toBe(true);
  expect(v).toBe(version);
  expect(Object.values(metrics).every((m) => m === 0)).toBe(true);
}

const app = (version: bigint, appId = 'job') => ({ appTransaction: { appId, version } });

describe('DELETE with an application transaction', () => {
  it('records txn on the first run, skips replays of the same or a lower version, runs a higher one', async () => {
    const table = fixedClock(await makeTable(ROWS, schema, { partitionBy: ['part'] }));
    const v0 = (await table.snapshot()).version;
    const first = await table.delete('id >= 30', app(5n));
    expect(first).toMatchObject({ version: v0 + 1, skipped: false, numDeletedRows: 10 });
    expect(txnOf(table.tableRoot, v0 + 1)).toEqual({ appId: 'job', version: 5, lastUpdated: NOW });
    expect(commitInfo(table.tableRoot, v0 + 1).operation).toBe('DELETE');
    expect(await recorded(table, 'job')).toBe(5n);

    // Rows matching the condition arrive after the first run: a replay must not delete them.
    await table.write({ rows: [{ id: 35n, part: 'b', n: 1 }], schema }, { mode: 'append' });
    const before = await readRows(table);
    const v1 = latestVersion(table.tableRoot);
    for (const version of [5n, 4n, 0n]) expectSkipped(await table.delete('id >= 30', app(version)), v1);
    expect(latestVersion(table.tableRoot)).toBe(v1);
    expect(await readRows(table)).toEqual(before);

    const next = await table.delete('id >= 30', app(6n));
    expect(next).toMatchObject({ version: v1 + 1, skipped: false, numDeletedRows: 1 });
    expect(await recorded(table, 'job')).toBe(6n);
    expect(await readRows(table)).toEqual(sortRows(ROWS.filter((r) => r.id < 30n)));
  });

  it('a DELETE that matches nothing still commits the txn alone, so its replay is skipped', async () => {
    const table = fixedClock(await makeTable(ROWS, schema));
    const v0 = (await table.snapshot()).version;
    const result = await table.delete('id > 1000', app(1n));
    expect(result).toMatchObject({ version: v0 + 1, skipped: false, numDeletedRows: 0, numRemovedFiles: 0 });
    const actions = commitActions(table.tableRoot, v0 + 1).map((a) => Object.keys(a)[0]);
    expect(actions.sort()).toEqual(['commitInfo', 'txn']);
    expect(await recorded(table, 'job')).toBe(1n);
    expectSkipped(await table.delete('id > 1000', app(1n)), v0 + 1);
    // Without an application transaction an empty DELETE still commits nothing.
    expect(await table.delete('id > 1000')).toMatchObject({ version: v0 + 1, skipped: false });
    expect(latestVersion(table.tableRoot)).toBe(v0 + 1);
  });

  it('application ids are independent', async () => {
    const table = await makeTable(ROWS, schema);
    await table.delete('id = 1', app(3n, 'a'));
    const other = await table.delete('id = 2', app(1n, 'b'));
    expect(other).toMatchObject({ skipped: false, numDeletedRows: 1 });
    const snap = await table.snapshot();
    expect(new Map(snap.appTransactions)).toEqual(new Map([['a', 3n], ['b', 1n]]));
  });
});

describe('UPDATE with an application transaction', () => {
  it('applies a non-idempotent update once per version', async () => {
    const table = fixedClock(await makeTable(ROWS, schema, { properties: { 'delta.enableDeletionVectors': 'true' } }));
    const v0 = (await table.snapshot()).version;
    const set = { set: { n: 'n + 1' }, condition: 'id < 10' };
    expect(await table.update(set, app(1n))).toMatchObject({ version: v0 + 1, skipped: false, numUpdatedRows: 10 });
    expect(txnOf(table.tableRoot, v0 + 1)).toEqual({ appId: 'job', version: 1, lastUpdated: NOW });
    const once = await readRows(table);
    expectSkipped(await table.update(set, app(1n)), v0 + 1);
    expectSkipped(await table.update(set, app(0n)), v0 + 1);
    expect(latestVersion(table.tableRoot)).toBe(v0 + 1);
    expect(await readRows(table)).toEqual(once);

    expect(await table.update(set, app(2n))).toMatchObject({ version: v0 + 2, skipped: false, numUpdatedRows: 10 });
    const rows = await readRows(table);
    expect(rows.filter((r) => (r.id as bigint) < 10n).every((r) => r.n === 2)).toBe(true);
    expect(rows.filter((r) => (r.id as bigint) >= 10n).every((r) => r.n === 0)).toBe(true);
    expect(await recorded(table, 'job')).toBe(2n);
  });

  it('an UPDATE that matches nothing commits the txn alone', async () => {
    const table = await makeTable(ROWS, schema);
    const v0 = (await table.snapshot()).version;
    expect(await table.update({ set: { n: '7' }, condition: 'id < 0' }, app(9n))).toMatchObject({ version: v0 + 1, skipped: false, numUpdatedRows: 0 });
    expect(commitActions(table.tableRoot, v0 + 1).map((a) => Object.keys(a)[0]).sort()).toEqual(['commitInfo', 'txn']);
    expect(commitInfo(table.tableRoot, v0 + 1).operation).toBe('UPDATE');
    expect(await recorded(table, 'job')).toBe(9n);
  });
});

describe('MERGE with an application transaction (foreachBatch upsert)', () => {
  /** One micro-batch of a streaming upsert: counts each key's arrivals in `n`. */
  function upsert(table: DeltaTable, batchId: bigint, keys: readonly number[]): Promise<MergeMetrics> {
    const source = keys.map((k) => ({ id: BigInt(k), part: k % 2 === 0 ? 'a' : 'b', n: 1 }));
    return table
      .alias('t')
      .merge([rowsToBatch(source, schema)], 't.id = s.id', { sourceAlias: 's', appTransaction: { appId: 'query-1', version: batchId } })
      .whenMatchedUpdate({ set: { n: 't.n + s.n' } })
      .whenNotMatchedInsertAll()
      .execute();
  }

  it('a batch replayed after a crash (before the stream recorded it) leaves each key exactly once', async () => {
    const table = fixedClock(await makeTable([], schema, { partitionBy: ['part'] }));
    const v0 = (await table.snapshot()).version;
    const batches: number[][] = [
      [0, 1, 2, 3, 4],
      [3, 4, 5, 6],
      [6, 7, 0],
    ];
    expect(await upsert(table, 0n, batches[0]!)).toMatchObject({ version: v0 + 1, skipped: false, numTargetRowsInserted: 5 });
    expect(txnOf(table.tableRoot, v0 + 1)).toEqual({ appId: 'query-1', version: 0, lastUpdated: NOW });
    expect(await upsert(table, 1n, batches[1]!)).toMatchObject({ version: v0 + 2, skipped: false, numTargetRowsInserted: 2, numTargetRowsUpdated: 2 });
    // Crash: the stream did not record batch 1 as done, so on restart it runs batch 1 again.
    const afterOne = await readRows(table);
    expectSkipped(await upsert(table, 1n, batches[1]!), v0 + 2);
    expect(latestVersion(table.tableRoot)).toBe(v0 + 2);
    expect(await readRows(table)).toEqual(afterOne);
    expect(await upsert(table, 2n, batches[2]!)).toMatchObject({ version: v0 + 3, skipped: false, numTargetRowsInserted: 1, numTargetRowsUpdated: 2 });

    const rows = await readRows(table);
    const ids = rows.map((r) => Number(r.id));
    expect(new Set(ids).size).toBe(ids.length);
    const arrivals = new Map<number, number>();
    for (const k of batches.flat()) arrivals.set(k, (arrivals.get(k) ?? 0) + 1);
    expect(new Map(rows.map((r) => [Number(r.id), r.n]))).toEqual(arrivals);
    expect(await recorded(table, 'query-1')).toBe(2n);
  });

  it('a skipped MERGE does not read its source', async () => {
    const table = await makeTable(ROWS.slice(0, 4), schema);
    await upsert(table, 3n, [1]);
    let pulled = false;
    async function* source() {
      pulled = true;
      yield rowsToBatch([{ id: 1n, part: 'b', n: 1 }], schema);
    }
    const result = await table.alias('t').merge(source(), 't.id = s.id', { sourceAlias: 's', appTransaction: { appId: 'query-1', version: 3n } }).whenMatchedDelete().execute();
    expect(result.skipped).toBe(true);
    expect(pulled).toBe(false);
  });

  it('a MERGE that changes nothing commits the txn alone', async () => {
    const table = await makeTable(ROWS.slice(0, 4), schema);
    const v0 = (await table.snapshot()).version;
    const result = await table.alias('t').merge([rowsToBatch([{ id: 99n, part: 'a', n: 1 }], schema)], 't.id = s.id', { sourceAlias: 's', ...app(1n) }).whenMatchedDelete().execute();
    expect(result).toMatchObject({ version: v0 + 1, skipped: false, numTargetRowsDeleted: 0 });
    expect(commitActions(table.tableRoot, v0 + 1).map((a) => Object.keys(a)[0]).sort()).toEqual(['commitInfo', 'txn']);
    expect(commitInfo(table.tableRoot, v0 + 1).operation).toBe('MERGE');
  });
});

describe('invalid application transactions', () => {
  const bad: unknown[] = [{ appId: '', version: 1n }, { appId: 'job', version: 1 }, { appId: 7, version: 1n }, { version: 1n }, null];
  it.each(bad.map((b) => [JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)), b]))('%s fails with INVALID_ARGUMENT and commits nothing', async (_name, appTransaction) => {
    const table = await makeTable(ROWS.slice(0, 4), schema);
    const v0 = latestVersion(table.tableRoot);
    const options = { appTransaction } as unknown as { appTransaction: { appId: string; version: bigint } };
    for (const run of [
      () => table.delete('id = 1', options),
      () => table.update({ set: { n: '1' } }, options),
      () => table.alias('t').merge([rowsToBatch([{ id: 1n, part: 'a', n: 1 }], schema)], 't.id = s.id', { sourceAlias: 's', ...options }).whenMatchedDelete().execute(),
    ]) {
      const e = await failure(run());
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toContain('appTransaction needs a non-empty string appId and a bigint version');
    }
    expect(latestVersion(table.tableRoot)).toBe(v0);
  });
});

/** An engine whose first commit attempt first runs `other` (a whole concurrent statement). */
function racing(other: () => Promise<unknown>): Engine {
  const base = new LocalFileSystemStore();
  let fired = false;
  const store: ObjectStore = {
    list: (d, o) => base.list(d, o),
    get: (p) => base.get(p),
    getRange: (p, s, e) => base.getRange(p, s, e),
    head: (p) => base.head(p),
    put: (p, d) => base.put(p, d),
    delete: (p) => base.delete(p),
    isDirectory: (p) => base.isDirectory(p),
    putIfAbsent: async (p, d) => {
      if (!fired && /_delta_log\/\d{20}\.json$/.test(p)) {
        fired = true;
        await other();
      }
      return base.putIfAbsent(p, d);
    },
  };
  return createDefaultEngine({ store, workers: 0 });
}

describe('concurrent statements with the same application id', () => {
  async function setup() {
    const table = await makeTable(ROWS, schema, { partitionBy: ['part'] });
    const other = DeltaTable.forPath(table.tableRoot, { engine: createDefaultEngine({ workers: 0 }) });
    return { table, other };
  }

  it('the later DELETE fails with CONCURRENT_TRANSACTION even though the two touch different partitions', async () => {
    const { table, other } = await setup();
    const racer = table.withEngine(racing(() => other.delete("part = 'b' AND id > 30", app(1n))));
    const e = await failure(racer.delete("part = 'a' AND id > 30", app(2n)));
    expect(e.code).toBe('CONCURRENT_TRANSACTION');
    expect(e.details).toMatchObject({ appId: 'job' });
    expect(await recorded(table, 'job')).toBe(1n);
    expect((await readRows(table)).some((r) => r.part === 'a' && (r.id as bigint) > 30n)).toBe(true);
  });

  it('with different application ids both DELETEs commit', async () => {
    const { table, other } = await setup();
    const racer = table.withEngine(racing(() => other.delete("part = 'b' AND id > 30", app(1n, 'x'))));
    expect(await racer.delete("part = 'a' AND id > 30", app(1n, 'y'))).toMatchObject({ skipped: false, numDeletedRows: 4 });
    expect(new Map((await table.snapshot()).appTransactions)).toEqual(new Map([['x', 1n], ['y', 1n]]));
  });

  it('the later UPDATE fails with CONCURRENT_TRANSACTION', async () => {
    const { table, other } = await setup();
    const racer = table.withEngine(racing(() => other.update({ set: { n: '5' }, condition: "part = 'b'" }, app(1n))));
    expect((await failure(racer.update({ set: { n: '6' }, condition: "part = 'a'" }, app(1n)))).code).toBe('CONCURRENT_TRANSACTION');
    expect((await readRows(table)).filter((r) => r.part === 'a').every((r) => r.n === 0)).toBe(true);
  });

  it('two instances running the same MERGE batch: the later fails, and its retry is skipped', async () => {
    const { table, other } = await setup();
    const merge = (t: DeltaTable) =>
      t.alias('t').merge([rowsToBatch([{ id: 100n, part: 'a', n: 1 }], schema)], 't.id = s.id', { sourceAlias: 's', ...app(7n, 'query-1') }).whenNotMatchedInsertAll().execute();
    const racer = table.withEngine(racing(() => merge(other)));
    expect((await failure(merge(racer))).code).toBe('CONCURRENT_TRANSACTION');
    const v = latestVersion(table.tableRoot);
    expectSkipped(await merge(table), v);
    expect((await readRows(table)).filter((r) => r.id === 100n)).toHaveLength(1);
  });
});

describeFixtures('application transactions recorded by other writers (kernel fixtures)', () => {
  it.each(['kernel/app-txn-no-checkpoint', 'kernel/app-txn-checkpoint'])('%s: my-app at 3 skips versions <= 3 and runs 4', async (fixture) => {
    const table = tableAt(copyFixture(fixture));
    const snap = await table.snapshot();
    expect(snap.appTransactions.get('my-app')).toBe(3n);
    const before = await readRows(table);
    expectSkipped(await table.delete("id = 'A'", app(3n, 'my-app')), snap.version);
    expectSkipped(await table.update({ set: { value: 'value + 1' } }, app(2n, 'my-app2')), snap.version);
    expect(await readRows(table)).toEqual(before);
    const ran = await table.delete("id = 'A'", app(4n, 'my-app'));
    expect(ran).toMatchObject({ version: snap.version + 1, skipped: false });
    expect(ran.numDeletedRows).toBe(before.filter((r) => r.id === 'A').length);
    expect(await recorded(table, 'my-app')).toBe(4n);
    expect(await recorded(table, 'my-app2')).toBe(2n);
  });
});
