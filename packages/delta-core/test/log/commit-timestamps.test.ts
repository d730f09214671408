import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { monotonize, readHistory, resolveVersionAtOrAfterTimestamp, resolveVersionAtTimestamp } from '../../src/log/commit-timestamps.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { deltaRs, describeFixtures, golden, failure } from '../fixtures.js';
import { localEngine, memoryEngine, METADATA, PROTOCOL, putCommit } from './helpers.js';


describe('monotonize', () => {
  it('makes each timestamp at least its predecessor + 1', () => {
    expect(monotonize([10, 5, 5, 20, 20])).toEqual([10, 11, 12, 20, 21]);
  });
});

describeFixtures('commit timestamps on fixture tables', () => {
  const engine = localEngine();

  it('uses in-commit timestamps when the table enables them', async () => {
    const root = deltaRs('cdc_ict_table');
    const icts = readdirSync(`${root}/_delta_log`)
      .filter((f) => /^\d{20}\.json$/.test(f))
      .sort()
      .map((f) => Number(/"inCommitTimestamp":(\d+)/.exec(readFileSync(`${root}/_delta_log/${f}`, 'utf8'))![1]));
    const history = await readHistory(engine, root);
    expect(history.map((h) => h.version)).toEqual([3, 2, 1, 0]);
    expect(history.map((h) => h.timestamp)).toEqual(icts.slice().reverse());
    expect(history[0]!.commitInfo?.inCommitTimestamp).toBe(icts[3]);
    expect(await resolveVersionAtTimestamp(engine, root, icts[2]!)).toBe(2);
    expect(await resolveVersionAtTimestamp(engine, root, icts[3]! + 60_000)).toBe(3);
    const e = await failure(resolveVersionAtTimestamp(engine, root, icts[0]! - 1));
    expect(e.code).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect(e.message).toContain('version 0');
  });

  it('uses file modification times for tables without in-commit timestamps', async () => {
    const root = golden('checkpoint');
    const history = await readHistory(engine, root, { limit: 3 });
    expect(history.map((h) => h.version)).toEqual([14, 13, 12]);
    const mtimes = [14, 13, 12].map((v) => Math.floor(statSync(`${root}/_delta_log/${String(v).padStart(20, '0')}.json`).mtimeMs));
    const mono = history.map((h) => h.timestamp);
    for (let i = 0; i < 3; i++) expect(mono[i]).toBeGreaterThanOrEqual(mtimes[i]!);
    expect(history[0]!.commitInfo).toBeDefined();
  });
});

describe('commit timestamps on synthetic logs', () => {
  const root = '/mem/t';

  async function table(mtimes: number[], config: Record<string, string> = {}, icts: Array<number | undefined> = []): Promise<MemoryStore> {
    const store = new MemoryStore();
    for (let v = 0; v < mtimes.length; v++) {
      const info = { commitInfo: { timestamp: mtimes[v], ...(icts[v] === undefined ? {} : { inCommitTimestamp: icts[v] }) } };
      const meta = { metaData: { ...METADATA.metaData, configuration: config } };
      await putCommit(store, root, v, v === 0 ? [info, PROTOCOL, meta] : v === mtimes.length - 1 ? [info, meta] : [info]);
      store.setLastModified(`${root}/_delta_log/${String(v).padStart(20, '0')}.json`, mtimes[v]!);
    }
    return store;
  }

  it('monotonizes file times and resolves the latest version at or before a time', async () => {
    const engine = memoryEngine(await table([1000, 2000, 1500, 3000]));
    const history = await readHistory(engine, root);
    expect(history.map((h) => [h.version, h.timestamp])).toEqual([
      [3, 3000],
      [2, 2001],
      [1, 2000],
      [0, 1000],
    ]);
    expect(await resolveVersionAtTimestamp(engine, root, 1999)).toBe(0);
    expect(await resolveVersionAtTimestamp(engine, root, 2000)).toBe(1);
    expect(await resolveVersionAtTimestamp(engine, root, 2001)).toBe(2);
    expect(await resolveVersionAtTimestamp(engine, root, 10_000)).toBe(3);
    const e = await failure(resolveVersionAtTimestamp(engine, root, 999));
    expect(e.code).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect(e.message).toContain('version 0');
  });

  it('resolves the earliest version at or after a time, as a change feed start', async () => {
    const engine = memoryEngine(await table([1000, 2000, 1500, 3000]));
    // Monotonized times: 1000, 2000, 2001, 3000.
    expect(await resolveVersionAtOrAfterTimestamp(engine, root, 0)).toBe(0);
    expect(await resolveVersionAtOrAfterTimestamp(engine, root, 1000)).toBe(0);
    expect(await resolveVersionAtOrAfterTimestamp(engine, root, 1001)).toBe(1);
    expect(await resolveVersionAtOrAfterTimestamp(engine, root, 2000)).toBe(1);
    expect(await resolveVersionAtOrAfterTimestamp(engine, root, 2000.5)).toBe(2);
    expect(await resolveVersionAtOrAfterTimestamp(engine, root, 3000)).toBe(3);
    const e = await failure(resolveVersionAtOrAfterTimestamp(engine, root, 3001));
    expect(e.code).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect(e.message).toContain('version 3');
    expect((e as unknown as { details: Record<string, unknown> }).details).toMatchObject({ latestVersion: 3, latestTimestampMs: 3000 });
  });

  it('switches to in-commit timestamps from the enablement version', async () => {
    const config = { 'delta.enableInCommitTimestamps': 'true', 'delta.inCommitTimestampEnablementVersion': '2' };
    const engine = memoryEngine(await table([1000, 2000, 50, 60], config, [undefined, undefined, 5000, 6000]));
    const history = await readHistory(engine, root);
    expect(history.map((h) => h.timestamp)).toEqual([6000, 5000, 2000, 1000]);
    expect(await resolveVersionAtTimestamp(engine, root, 5500)).toBe(2);
    expect(await resolveVersionAtTimestamp(engine, root, 4000)).toBe(1);
    expect(await resolveVersionAtOrAfterTimestamp(engine, root, 4000)).toBe(2);
    expect(await resolveVersionAtOrAfterTimestamp(engine, root, 5001)).toBe(3);
  });
});
