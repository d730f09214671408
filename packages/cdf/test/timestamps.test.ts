/**
 * Timestamp bounds and `_commit_timestamp`, on in-memory tables whose commit times are set by a
 * controlled clock: resolution at the boundaries (Spark's rules), monotonized file times, and
 * in-commit timestamps (from table creation and enabled later).
 */
import { DeltaTable, MemoryStore, createDefaultEngine, field, primitive, struct, type Clock } from '@deltakit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableChanges, type TableChangesOptions } from '../src/index.js';
import { commitTimes, failure, tableRows } from './helpers.js';

const schema = struct([field('id', primitive('long'))]);
const CDF = { 'delta.enableChangeDataFeed': 'true' };

/** A table in memory, written at the given clock times (one commit per time after the create). */
async function memoryTable(name: string, times: readonly number[], properties: Record<string, string> = CDF) {
  let now = times[0]!;
  const clock: Clock = { nowMs: () => now };
  const store = new MemoryStore({ clock });
  const table = DeltaTable.forPath(`memory://${name}`, { engine: createDefaultEngine({ store, clock, workers: 0 }) });
  await table.create({ schema, properties });
  for (let v = 1; v < times.length; v++) {
    now = times[v]!;
    await table.write({ rows: [{ id: BigInt(v) }], schema }, { mode: 'append' });
  }
  const setTime = (version: number, ms: number) => store.setLastModified(`/${name}/_delta_log/${String(version).padStart(20, '0')}.json`, ms);
  const commitJson = async (version: number) => new TextDecoder().decode(await store.get(`/${name}/_delta_log/${String(version).padStart(20, '0')}.json`));
  return { table, store, setTime, commitJson, tick: (ms: number) => (now = ms) };
}

const rangeOf = async (table: DeltaTable, options: TableChangesOptions) => {
  const plan = await tableChanges(table, options).plan();
  return [plan.startVersion, plan.endVersion];
};

describe('timestamp bounds (commit file times 1000, 2000, 3000, 3000, 5000 ms)', () => {
  let table: DeltaTable;
  beforeAll(async () => {
    ({ table } = await memoryTable('ts', [1000, 2000, 3000, 3000, 5000]));
  });

  it('dates the commits as the history does: equal file times are made increasing', async () => {
    expect((await table.history()).map((h) => h.timestamp).reverse()).toEqual([1000, 2000, 3000, 3001, 5000]);
    expect((await tableChanges(table, { startingVersion: 0 }).plan()).commits).toEqual([
      { version: 0, timestamp: 1000 },
      { version: 1, timestamp: 2000 },
      { version: 2, timestamp: 3000 },
      { version: 3, timestamp: 3001 },
      { version: 4, timestamp: 5000 },
    ]);
  });

  it('a starting timestamp resolves to the first version committed at or after it', async () => {
    const start = async (ts: string | number | Date) => (await rangeOf(table, { startingTimestamp: ts }))[0];
    expect(await start(0)).toBe(0);
    expect(await start(1000)).toBe(0);
    expect(await start(1001)).toBe(1);
    expect(await start(2000)).toBe(1);
    expect(await start('1970-01-01T00:00:02.000500Z')).toBe(2); // 2000.5 ms: after version 1's 2000
    expect(await start('1970-01-01T00:00:03.001Z')).toBe(3);
    expect(await start(new Date(3002))).toBe(4);
    expect(await start('1970-01-01 00:00:05')).toBe(4); // no zone: UTC
    expect(await start('1970-01-01T01:00:05+01:00')).toBe(4);
  });

  it('a starting timestamp after the latest commit is TIMESTAMP_OUT_OF_RANGE, or an empty feed when allowed', async () => {
    const e = await failure(tableChanges(table, { startingTimestamp: 5001 }).plan());
    expect(e.code).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect(e.message).toContain('version 4');
    expect(e.message).toContain('allowOutOfRangeTimestamp');
    const empty = tableChanges(table, { startingTimestamp: 5001, allowOutOfRangeTimestamp: true });
    expect(await rangeOf(table, { startingTimestamp: 5001, allowOutOfRangeTimestamp: true })).toEqual([5, 4]);
    const t = await empty.toTable();
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', '_change_type', '_commit_version', '_commit_timestamp']);
  });

  it('an ending timestamp resolves to the last version committed at or before it', async () => {
    const end = async (ts: number) => (await rangeOf(table, { startingVersion: 0, endingTimestamp: ts }))[1];
    expect(await end(1000)).toBe(0);
    expect(await end(2999)).toBe(1);
    expect(await end(3000)).toBe(2);
    expect(await end(3001)).toBe(3);
    expect(await end(4999.9)).toBe(3);
    expect(await end(1e13)).toBe(4);
    const e = await failure(tableChanges(table, { startingVersion: 0, endingTimestamp: 999 }).plan());
    expect(e.code).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect(e.message).toContain('before the earliest available commit');
  });

  it('two timestamps between the same two commits give an empty feed; a start after the end is an error', async () => {
    expect(await rangeOf(table, { startingTimestamp: 2100, endingTimestamp: 2900 })).toEqual([2, 1]);
    expect((await tableChanges(table, { startingTimestamp: 2100, endingTimestamp: 2900 }).toTable()).numRows).toBe(0);
    expect(await rangeOf(table, { startingTimestamp: 2000, endingTimestamp: 3000 })).toEqual([1, 2]);
    const e = await failure(tableChanges(table, { startingTimestamp: 2900, endingTimestamp: 2100 }).plan());
    expect(e.code).toBe('INVALID_ARGUMENT');
    const e2 = await failure(tableChanges(table, { startingVersion: 3, endingTimestamp: 2500 }).plan());
    expect(e2.code).toBe('INVALID_ARGUMENT');
    expect(e2.message).toContain('starts at version 3, after its end version 1');
  });

  it('rows carry the monotonized commit time of their version', async () => {
    const t = await tableChanges(table, { startingTimestamp: 1500, endingTimestamp: 3001 }).toTable();
    expect(tableRows(t, ['id', '_change_type', '_commit_version'])).toEqual(['1 | "insert" | 1', '2 | "insert" | 2', '3 | "insert" | 3']);
    const byVersion = new Map(commitTimes(t).map((c) => [c.version, c.micros]));
    expect(byVersion).toEqual(
      new Map([
        [1n, 2_000_000n],
        [2n, 3_000_000n],
        [3n, 3_001_000n],
      ]),
    );
  });

  it('refuses malformed timestamps and bounds', async () => {
    for (const options of [
      { startingTimestamp: 'yesterday' },
      { startingTimestamp: '2024-02-30T00:00:00Z' },
      { startingTimestamp: Number.NaN },
      { startingTimestamp: new Date('nope') },
      { startingVersion: -1 },
      { startingVersion: 1.5 },
      { startingVersion: 0, startingTimestamp: 0 },
      { endingVersion: 3 },
      {},
    ] as TableChangesOptions[]) {
      let code: string | undefined;
      try {
        tableChanges(table, options);
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code, JSON.stringify(options)).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('in-commit timestamps', () => {
  it('are the commit timestamps of a table created with them, whatever the file times', async () => {
    const { table, setTime, commitJson } = await memoryTable('ict', [10_000, 20_000, 30_000], { ...CDF, 'delta.enableInCommitTimestamps': 'true' });
    for (let v = 0; v < 3; v++) setTime(v, 1_000_000 + 7 * v); // file times far from the in-commit timestamps
    const icts = await Promise.all([0, 1, 2].map(async (v) => Number(/"inCommitTimestamp":(\d+)/.exec(await commitJson(v))![1])));
    expect(icts).toEqual([10_000, 20_000, 30_000]);
    const t = await tableChanges(table, { startingVersion: 1 }).toTable();
    expect(commitTimes(t).map((c) => [c.version, c.micros])).toEqual([
      [1n, 20_000_000n],
      [2n, 30_000_000n],
    ]);
    expect((await table.history()).map((h) => h.timestamp).reverse()).toEqual(icts);
    // Timestamp bounds resolve against the in-commit timestamps too.
    expect(await rangeOf(table, { startingTimestamp: 19_999, endingTimestamp: 20_000 })).toEqual([1, 1]);
  });

  it('apply from the version that enables them; earlier versions keep their file times', async () => {
    const { table, setTime, tick } = await memoryTable('ict-later', [1000, 2000]); // v0, v1 without ICT
    tick(50_000);
    await table.setProperties({ 'delta.enableInCommitTimestamps': 'true' }); // v2
    tick(60_000);
    await table.write({ rows: [{ id: 3n }], schema }, { mode: 'append' }); // v3
    setTime(2, 9_000_000);
    setTime(3, 9_000_001);
    const plan = await tableChanges(table, { startingVersion: 0 }).plan();
    expect(plan.commits.map((c) => c.timestamp)).toEqual([1000, 2000, 50_000, 60_000]);
    expect((await table.history()).map((h) => h.timestamp).reverse()).toEqual([1000, 2000, 50_000, 60_000]);
    const t = await tableChanges(table, { startingVersion: 1 }).toTable();
    expect(commitTimes(t).map((c) => [c.version, c.micros])).toEqual([
      [1n, 2_000_000n],
      [3n, 60_000_000n],
    ]);
  });
});
