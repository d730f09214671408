import { existsSync, readdirSync, statSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { resolveLogPath } from '../../src/log/paths.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import type { Snapshot } from '../../src/table/snapshot.js';
import { FIXTURES, HAVE_FIXTURES, describeFixtures } from '../fixtures.js';

/** Tables whose protocol we must refuse, with the code and the feature/version named. */
const UNSUPPORTED: Record<string, [string, string]> = {
  'kernel/table-with-geo': ['UNSUPPORTED_READER_FEATURE', 'geospatial'],
  'delta-rs/simple_table_features': ['UNSUPPORTED_READER_VERSION', '5'],
  'delta-rs/spark-shredded-variant-preview-delta': ['UNSUPPORTED_READER_FEATURE', 'variantShredding-preview'],
};
/** Directories that hold no readable log: a lone .crc file, or nothing at all. */
const NOT_TABLES = new Set(['kernel/crc-malformed', 'delta-rs/checkpoints_tombstones']);

const engine = createDefaultEngine();
afterAll(() => engine.parquet.close());

/** Every table directory under kernel/ and delta-rs/ (tables may sit in `delta/` or in sub-folders). */
function tableDirs(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const group of ['kernel', 'delta-rs']) {
    for (const name of readdirSync(`${FIXTURES}/${group}`).sort()) {
      const dir = `${FIXTURES}/${group}/${name}`;
      if (!statSync(dir).isDirectory()) continue;
      if (existsSync(`${dir}/delta/_delta_log`)) out.push([`${group}/${name}`, `${dir}/delta`]);
      else if (existsSync(`${dir}/_delta_log`) || readdirSync(dir).length === 0) out.push([`${group}/${name}`, dir]);
      else for (const sub of readdirSync(dir).sort()) if (existsSync(`${dir}/${sub}/_delta_log`)) out.push([`${group}/${name}/${sub}`, `${dir}/${sub}`]);
    }
  }
  return out;
}

async function countRows(snap: Snapshot): Promise<number> {
  let rows = 0;
  for await (const b of snap.scan().batches()) rows += b.numRows;
  return rows;
}

/** Rows the log implies: numRecords minus deleted rows, when every file has numRecords. */
async function impliedRows(snap: Snapshot): Promise<number | undefined> {
  const files = await snap.files();
  if (!files.every((f) => f.numRecords !== undefined)) return undefined;
  return files.reduce((s, f) => s + f.numRecords! - (f.deletionVector?.cardinality ?? 0), 0);
}

function dataFilesPresent(snap: Snapshot): boolean {
  return snap.addFiles.every((a) => existsSync(resolveLogPath(snap.tableRoot, a.path)));
}

/** Opens `version` and checks its rows; returns false when the version's log was cleaned up. */
async function checkVersion(dir: string, version: number | undefined): Promise<boolean> {
  let snap: Snapshot;
  try {
    snap = await DeltaTable.forPath(dir, { engine }).snapshot(version === undefined ? {} : { version });
  } catch (e) {
    if (version !== undefined && isDeltaError(e, 'VERSION_NOT_FOUND')) return false;
    throw e;
  }
  if (version !== undefined) expect(snap.version).toBe(version);
  if (snap.metadata.schemaString === '') {
    // Some writers (Databricks DLT) commit a first metaData without a schema: list, never read.
    expect(() => snap.scan()).toThrow(expect.objectContaining({ code: 'INVALID_SCHEMA' }));
    return true;
  }
  if (!dataFilesPresent(snap)) {
    // Log-only fixtures: the snapshot opens and lists files; reading data names the missing file.
    if (snap.addFiles.length > 0) {
      const err = await countRows(snap).then(() => undefined, (e: unknown) => e);
      expect(isDeltaError(err, 'FILE_NOT_FOUND'), String(err)).toBe(true);
    }
    return true;
  }
  const rows = await countRows(snap);
  const implied = await impliedRows(snap);
  if (implied !== undefined) expect(rows).toBe(implied);
  return true;
}

describeFixtures('kernel/ and delta-rs/ tables', () => {
  for (const [name, dir] of HAVE_FIXTURES ? tableDirs() : []) {
    const unsupported = UNSUPPORTED[name];
    if (unsupported) {
      it(`${name} is refused with ${unsupported[0]}`, async () => {
        const err = await DeltaTable.forPath(dir, { engine }).snapshot().then(() => undefined, (e: unknown) => e);
        expect(isDeltaError(err, unsupported[0] as never), String(err)).toBe(true);
        expect((err as Error).message).toContain(unsupported[1]);
      });
      continue;
    }
    if (NOT_TABLES.has(name)) {
      it(`${name} is not a table`, async () => {
        const err = await DeltaTable.forPath(dir, { engine }).snapshot().then(() => undefined, (e: unknown) => e);
        expect(isDeltaError(err, 'TABLE_NOT_FOUND'), String(err)).toBe(true);
      });
      continue;
    }
    it(`${name}: opens, scans, and time travels to every version`, async () => {
      const latest = await DeltaTable.forPath(dir, { engine }).snapshot();
      await checkVersion(dir, undefined);
      const available: boolean[] = [];
      for (let v = 0; v < latest.version; v++) available.push(await checkVersion(dir, v));
      // Versions whose commits were cleaned up can only be a prefix of the history.
      const firstOk = available.indexOf(true);
      if (firstOk >= 0) expect(available.slice(firstOk).every(Boolean)).toBe(true);
    });
  }
});
