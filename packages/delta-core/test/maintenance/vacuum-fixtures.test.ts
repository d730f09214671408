/**
 * VACUUM on copies of Spark-written tables with deletion vectors, change data and column mapping.
 * What remains must be what Spark keeps: every live data file and deletion-vector file (computed
 * here by an independent replay of the JSON log), hidden files, and nothing else outside
 * `_delta_log`; and the table must read the same rows (the Spark-written expected rows where the
 * fixture has them). LITE must find the same files except those the log never names.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { afterAll, expect, it } from 'vitest';
import { uuidDeletionVectorPath } from '../../src/deletion-vectors/load.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import type { DeltaTable } from '../../src/table/delta-table.js';
import { decodeOnce } from '../../src/log/paths.js';
import { describeFixtures, golden, goldenExpected, kernel } from '../fixtures.js';
import { canonicalRows } from '../table/canonical.js';
import { DAY, copyTable, localTable, removeTemps, replayJsonLog, shiftedClock, treeOf } from './vacuum-helpers.js';

const reader = createParquetHandler(new LocalFileSystemStore(), { workers: 0 });
const tables: DeltaTable[] = [];
afterAll(async () => {
  for (const t of tables) await t.close();
  await reader.close();
  removeTemps();
});

/** Rows of the latest version, canonical. */
async function rows(table: DeltaTable): Promise<string[]> {
  return canonicalRows(await (await table.snapshot()).scan().toTable());
}

async function expectedRows(name: string): Promise<string[]> {
  const dir = goldenExpected(name);
  const batches = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.parquet')).sort()) for await (const b of reader.readBatches({ path: `${dir}/${f}` })) batches.push(b);
  return canonicalRows(new Table(batches));
}

/** The files (not directories) outside `_delta_log` that the independent replay says Spark keeps. */
function sparkKeeps(root: string): string[] {
  const { live } = replayJsonLog(root);
  const keep = new Set<string>();
  for (const f of live.values()) {
    keep.add(decodeOnce(f.path));
    if (f.dv?.storageType === 'u') keep.add(uuidDeletionVectorPath('', f.dv.pathOrInlineDv).slice(1));
  }
  const hidden = treeOf(root).filter((p) => !p.startsWith('_delta_log') && /(^|\/)[._][^/]*$/.test(p) && !/(^|\/)_change_data/.test(p));
  return [...keep, ...hidden].sort();
}

/** Files (not directories) outside `_delta_log` now on disk. */
function filesOnDisk(root: string): string[] {
  return treeOf(root).filter((p) => !p.startsWith('_delta_log') && lstatSync(join(root, p)).isFile());
}

/** Files the JSON log never names (by add, remove or cdc, or as a deletion vector of one). */
function unnamedByLog(root: string): string[] {
  const { named } = replayJsonLog(root);
  const dvs = new Set<string>();
  for (const f of readdirSync(join(root, '_delta_log')).filter((x) => x.endsWith('.json'))) {
    const text = readFileSync(join(root, '_delta_log', f), 'utf8');
    for (const m of text.matchAll(/"storageType":"u","pathOrInlineDv":"((?:[^"\\]|\\.)*)"/g)) dvs.add(uuidDeletionVectorPath('', JSON.parse(`"${m[1]}"`) as string).slice(1));
  }
  const namedPaths = new Set([...named].map(decodeOnce));
  return filesOnDisk(root).filter((p) => !namedPaths.has(p) && !dvs.has(p) && !/(^|\/)[._][^/]*$/.test(p.replace(/^_change_data\//, '')));
}

const CASES: readonly { name: string; path: () => string; expected?: string }[] = [
  { name: 'kernel cdf-table-with-cdc-and-dvs (DVs, change data, OPTIMIZE)', path: () => kernel('cdf-table-with-cdc-and-dvs') },
  { name: 'golden dv-with-columnmapping (DVs, column mapping, partitions, checkpoint)', path: () => golden('dv-with-columnmapping'), expected: 'dv-with-columnmapping' },
  { name: 'golden basic-with-inserts-deletes-checkpoint', path: () => golden('basic-with-inserts-deletes-checkpoint'), expected: 'basic-with-inserts-deletes-checkpoint' },
  { name: 'golden time-travel-partition-changes-a (hidden .crc files)', path: () => golden('time-travel-partition-changes-a') },
  { name: 'kernel table-with-dv-small', path: () => kernel('table-with-dv-small') },
  { name: 'golden basic-with-vacuum-protocol-check-feature', path: () => golden('basic-with-vacuum-protocol-check-feature'), expected: 'basic-with-vacuum-protocol-check-feature' },
];

describeFixtures('VACUUM on copies of Spark-written tables', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const root = copyTable(c.path());
      // 30 days ahead with the default 7-day retention: every tombstone in these logs has expired.
      const table = localTable(root, shiftedClock(30 * DAY));
      tables.push(table);
      const before = await rows(table);
      if (c.expected) expect(before).toEqual(await expectedRows(c.expected));
      const onDisk = filesOnDisk(root);

      const dry = await table.vacuum({ dryRun: true });
      expect(filesOnDisk(root)).toEqual(onDisk); // a dry run deletes nothing
      const liteDry = await table.vacuum({ dryRun: true, mode: 'lite' });
      const unnamed = new Set(unnamedByLog(root).map((p) => join(root, p)));
      const isFile = (p: string) => onDisk.includes(p.slice(root.length + 1));
      expect(liteDry.paths).toEqual(dry.paths.filter((p) => isFile(p) && !unnamed.has(p)));

      const r = await table.vacuum();
      expect(r.paths).toEqual(dry.paths);
      expect(filesOnDisk(root)).toEqual(sparkKeeps(root));
      expect(await rows(table)).toEqual(before);
      // A second run finds only the directories the first one emptied, then nothing.
      const again = await table.vacuum();
      expect(again.paths.every((p) => !filesOnDisk(root).includes(p.slice(root.length + 1)))).toBe(true);
      expect((await table.vacuum({ dryRun: true })).paths).toEqual([]);
      expect(await rows(table)).toEqual(before);
    });
  }
});
