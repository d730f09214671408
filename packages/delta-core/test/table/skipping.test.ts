import { afterAll, expect, it } from 'vitest';
import { systemClock } from '../../src/engine.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { parseJson } from '../../src/util/json.js';
import { describeFixtures, golden, kernel } from '../fixtures.js';
import { CountingStore, copyToMemory } from './helpers.js';

/**
 * Data skipping is checked by counting the data files the scan actually reads (through a store
 * wrapper), against file sets computed here independently from the log, and by comparing the
 * rows with the unfiltered scan filtered in plain JS.
 */
function countingEngine() {
  const store = new CountingStore(new LocalFileSystemStore());
  return { store, engine: { store, parquet: createParquetHandler(store, { workers: 0 }), clock: systemClock } };
}
const engines: Array<{ parquet: { close(): Promise<void> } }> = [];
afterAll(async () => Promise.all(engines.map((e) => e.parquet.close())));

async function scanWith(root: string, filter: string | undefined) {
  const { store, engine } = countingEngine();
  engines.push(engine);
  const snap = await DeltaTable.forPath(root, { engine }).snapshot();
  const rows = (await snap.scan(filter === undefined ? {} : { filter }).toTable()).toArray().map((r) => r.toJSON() as Record<string, unknown>);
  const dataReads = store.readsMatching(/\.parquet$/).filter((p) => !p.includes('_delta_log'));
  return { snap, rows, dataReads };
}

const key = (r: Record<string, unknown>) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

describeFixtures('data skipping', () => {
  it('partition pruning reads only the matching partition directories', async () => {
    const root = kernel('basic_partitioned');
    const all = await scanWith(root, undefined);
    const { snap, rows, dataReads } = await scanWith(root, "letter = 'a'");
    const expectedFiles = snap.addFiles.filter((a) => a.partitionValues.letter === 'a');
    expect(expectedFiles.length).toBeGreaterThan(0);
    expect(expectedFiles.length).toBeLessThan(snap.addFiles.length);
    expect(dataReads.length).toBe(expectedFiles.length);
    expect(dataReads.every((p) => p.includes('/letter=a/'))).toBe(true);
    expect(rows.map(key).sort()).toEqual(all.rows.filter((r) => r.letter === 'a').map(key).sort());
  });

  it('IS NULL on a partition column reads only the null partition', async () => {
    const root = kernel('basic_partitioned');
    const all = await scanWith(root, undefined);
    const { rows, dataReads } = await scanWith(root, 'letter IS NULL');
    expect(dataReads).toHaveLength(1);
    expect(dataReads[0]).toContain('__HIVE_DEFAULT_PARTITION__');
    expect(rows.map(key).sort()).toEqual(all.rows.filter((r) => r.letter === null).map(key).sort());
  });

  it('min/max statistics skip files on a data column', async () => {
    const root = golden('data-skipping-partition-and-data-column');
    const all = await scanWith(root, undefined);
    const { snap, rows, dataReads } = await scanWith(root, 'id >= 2');
    // files whose max(id) >= 2, computed from the raw stats JSON
    const mayMatch = snap.addFiles.filter((a) => {
      const s = parseJson(a.stats!) as { maxValues: { id: number } };
      return s.maxValues.id >= 2;
    });
    expect(mayMatch.length).toBeLessThan(snap.addFiles.length);
    expect(dataReads.length).toBe(mayMatch.length);
    expect(rows.map(key).sort()).toEqual(all.rows.filter((r) => Number(r.id) >= 2).map(key).sort());
  });

  it('a predicate no file can satisfy reads no data file', async () => {
    const { rows, dataReads } = await scanWith(golden('data-skipping-partition-and-data-column'), 'id > 1000000');
    expect(rows).toEqual([]);
    expect(dataReads).toEqual([]);
  });

  it('files without stats are never skipped', async () => {
    // Copy the table to memory and drop the stats of the version-0 file (id = 0).
    const store = await copyToMemory(golden('data-skipping-partition-and-data-column'));
    const v0 = '/mem/t/_delta_log/00000000000000000000.json';
    const text = new TextDecoder().decode(await store.get(v0));
    const stripped = text.split('\n').map((l) => (l.startsWith('{"add"') ? JSON.stringify({ add: { ...JSON.parse(l).add, stats: undefined } }) : l));
    await store.put(v0, new TextEncoder().encode(stripped.join('\n')));
    const counting = new CountingStore(store);
    const engine = { store: counting, parquet: createParquetHandler(counting, { workers: 0 }), clock: systemClock };
    engines.push(engine);
    const snap = await DeltaTable.forPath('memory://mem/t', { engine }).snapshot();
    const rows = (await snap.scan({ filter: 'id >= 2' }).toTable()).toArray().map((r) => r.toJSON());
    const statless = snap.addFiles.find((a) => a.stats === undefined)!;
    expect(statless).toBeDefined();
    expect(counting.readsMatching(/\.parquet$/).some((p) => p.endsWith(statless.path))).toBe(true);
    expect(rows.every((r) => Number(r.id) >= 2)).toBe(true);
  });
});
