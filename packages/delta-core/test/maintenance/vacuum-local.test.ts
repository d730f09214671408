/**
 * VACUUM on the local file system: what it must never touch (files outside the root, links out of
 * it, `_delta_log`, hidden names), the partition-directory exception, empty directories, and
 * paths with special characters. Cases follow Delta's DeltaVacuumSuite.
 */
import { mkdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeltaTable } from '../../src/table/delta-table.js';
import type { AddFile, RemoveFile } from '../../src/log/actions.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { DAY, SCHEMA, existsSync, localTable, removeTemps, shiftedClock, tempDir, treeOf, uuidDv } from './vacuum-helpers.js';

afterAll(removeTemps);

/** Writes a small file at `root/rel`, dated `ageDays` days ago (real time). */
function plant(root: string, rel: string, ageDays = 0, text = 'x'): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  const t = (Date.now() - ageDays * DAY) / 1000;
  utimesSync(p, t, t);
  return p;
}

const add = (path: string, partitionValues: Record<string, string | null> = {}): AddFile => ({ path, partitionValues, size: 1, modificationTime: 0, dataChange: true });
const remove = (path: string, at = 0): RemoveFile => ({ path, deletionTimestamp: at, dataChange: true });

async function commit(table: DeltaTable, adds: AddFile[], removes: RemoveFile[] = []): Promise<void> {
  const txn = await table.transaction({ operation: 'WRITE' });
  await txn.addFiles(adds).removeFiles(removes).commit();
}

/** Every file of `_delta_log` with its bytes. */
function logContents(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of treeOf(join(root, '_delta_log'))) out.set(rel, readFileSync(join(root, '_delta_log', rel), 'latin1'));
  return out;
}

/** The clock 30 days ahead: with the default 7-day retention, everything on disk is old. */
const LATER = shiftedClock(30 * DAY);

describe('what VACUUM never touches', () => {
  for (const mode of ['full', 'lite'] as const) {
    it(`${mode}: files outside the root, links out of it (to a directory and to a file), and _delta_log`, async () => {
      const base = tempDir();
      const root = join(base, 'table');
      const outsideFile = plant(base, 'outside/secret.parquet', 60, 'secret');
      const outsideInner = plant(base, 'outside/dir/inner.parquet', 60, 'inner');
      const outsideDv = plant(base, 'outside/deletion_vector_55555555-5555-4555-8555-555555555555.bin', 60, 'dv');
      const table = localTable(root, LATER);
      await table.create({ schema: SCHEMA });
      plant(root, 'kept.parquet', 60);
      plant(root, 'gone.parquet', 60);
      symlinkSync(join(base, 'outside/dir'), join(root, 'link-dir'));
      symlinkSync(outsideFile, join(root, 'link-file.parquet'));
      mkdirSync(join(root, 'sub'));
      symlinkSync(outsideFile, join(root, 'sub/link2.parquet'));
      // The log itself names outside files, paths through the links, and the log directory.
      await commit(table, [add('kept.parquet'), add('gone.parquet'), add(outsideFile), add('link-dir/inner.parquet'), add('link-file.parquet')]);
      await commit(table, [], [remove('gone.parquet'), remove(`file://${outsideFile}`), remove('link-dir/inner.parquet'), remove('link-file.parquet'), remove('sub/link2.parquet'), remove('../outside/secret.parquet'), remove('_delta_log/00000000000000000000.json'),
        // a deletion vector whose (unnormalized) prefix climbs out of the root
        { ...remove('kept.parquet'), deletionVector: uuidDv('55555555-5555-4555-8555-555555555555', '../outside') }]);
      const logBefore = logContents(root);

      const r = await table.vacuum({ mode });
      expect(r.paths).toEqual([join(root, 'gone.parquet')]);
      expect(readFileSync(outsideFile, 'utf8')).toBe('secret');
      expect(readFileSync(outsideInner, 'utf8')).toBe('inner');
      expect(readFileSync(outsideDv, 'utf8')).toBe('dv');
      expect(readlinkSync(join(root, 'link-dir'))).toBe(join(base, 'outside/dir'));
      expect(readlinkSync(join(root, 'link-file.parquet'))).toBe(outsideFile);
      expect(readlinkSync(join(root, 'sub/link2.parquet'))).toBe(outsideFile);
      expect(existsSync(join(root, 'kept.parquet'))).toBe(true);
      // _delta_log only gained the VACUUM commits and _last_vacuum_info.
      const logAfter = logContents(root);
      for (const [name, bytes] of logBefore) expect(logAfter.get(name)).toBe(bytes);
      expect([...logAfter.keys()].filter((k) => !logBefore.has(k)).sort()).toEqual(['00000000000000000003.json', '00000000000000000004.json', '_last_vacuum_info']);
    });
  }

  it('hidden files and directories stay (Spark: "invisible files and dirs"); _change_data and _delta_index are cleaned', async () => {
    const root = join(tempDir(), 'table');
    const table = localTable(root, LATER);
    await table.create({ schema: SCHEMA });
    plant(root, 'file1.txt', 60);
    await commit(table, [add('file1.txt')]);
    for (const rel of ['_hidden_dir/000001.text', '.hidden.txt', '_SUCCESS', 'sub/.part-1.parquet.crc', 'sub/_tmp/x.parquet', '.dot/y.parquet']) plant(root, rel, 60);
    plant(root, '_change_data/cdc-1.parquet', 60);
    plant(root, '_delta_index/idx.bin', 60);
    const r = await table.vacuum();
    expect(r.paths.map((p) => p.slice(root.length + 1))).toEqual(['_change_data/cdc-1.parquet', '_delta_index/idx.bin']);
    for (const rel of ['file1.txt', '_hidden_dir/000001.text', '.hidden.txt', '_SUCCESS', 'sub/.part-1.parquet.crc', 'sub/_tmp/x.parquet', '.dot/y.parquet']) {
      expect(existsSync(join(root, rel))).toBe(true);
    }
  });

  it('UniForm tables keep the Iceberg "metadata" directory', async () => {
    const root = join(tempDir(), 'table');
    const table = localTable(root, LATER);
    await table.create({ schema: SCHEMA, properties: { 'delta.universalFormat.enabledFormats': 'iceberg' } }).catch(async () => {
      // Fall back when the writer refuses UniForm's requirements: the rule only reads the property.
      await table.create({ schema: SCHEMA, properties: { 'delta.universalFormat.enabledFormats': 'iceberg', 'delta.feature.icebergCompatV2': 'supported' } });
    });
    plant(root, 'metadata/v1.metadata.json', 60);
    plant(root, 'data/old.parquet', 60);
    const r = await table.vacuum({ dryRun: true });
    expect(r.paths).toEqual([join(root, 'data/old.parquet')]);
  });
});

describe('partition directories and empty directories', () => {
  it('cleans inside partition directories whose column starts with "_" (Spark: "partition column name starting with underscore")', async () => {
    const root = join(tempDir(), 'table');
    const table = localTable(root, LATER);
    await table.create({ schema: struct([field('_underscore_col_', primitive('integer')), field('n', primitive('integer'))]), partitionBy: ['_underscore_col_'] });
    plant(root, 'file1.txt', 60);
    plant(root, '_underscore_col_=10/test.txt', 60);
    await commit(table, [add('file1.txt', { _underscore_col_: '10' }), add('_underscore_col_=10/test.txt', { _underscore_col_: '10' })]);
    await commit(table, [], [remove('_underscore_col_=10/test.txt')]);
    const r = await table.vacuum();
    expect(r.paths).toEqual([join(root, '_underscore_col_=10/test.txt')]);
    expect(existsSync(join(root, 'file1.txt'))).toBe(true);
  });

  it('deletes empty directories, and a directory emptied by this run on the next one (Spark: "deleting directories", "correctness test")', async () => {
    const root = join(tempDir(), 'table');
    const table = localTable(root, LATER);
    await table.create({ schema: SCHEMA });
    plant(root, 'abc/def/file1.txt', 60);
    plant(root, 'abc/def/file2.txt', 60);
    plant(root, 'abc/x/file3.txt', 60);
    mkdirSync(join(root, 'ghi/jkl'), { recursive: true });
    mkdirSync(join(root, 'young'));
    plant(root, 'young/new.txt', -29); // younger than the retention (the clock runs 30 days ahead): stays, with its directory
    mkdirSync(join(root, 'with-hidden'));
    plant(root, 'with-hidden/.keep', 60);
    await commit(table, [add('abc/def/file1.txt'), add('abc/def/file2.txt'), add('abc/x/file3.txt')]);
    await commit(table, [], [remove('abc/x/file3.txt')]);

    const dry = await table.vacuum({ dryRun: true });
    expect(dry.paths.map((p) => p.slice(root.length + 1))).toEqual(['abc/x/file3.txt', 'ghi/jkl', 'ghi']);
    const first = await table.vacuum();
    expect(first.paths).toEqual(dry.paths);
    expect(first.numDeletedFiles).toBe(3);
    expect(first.numVacuumedDirectories).toBe(8); // abc, abc/def, abc/x, ghi, ghi/jkl, young, with-hidden, + the root
    expect(existsSync(join(root, 'abc/x'))).toBe(true);
    const second = await table.vacuum();
    expect(second.paths).toEqual([join(root, 'abc/x')]);
    expect(treeOf(root).filter((p) => !p.startsWith('_delta_log'))).toEqual(['abc', 'abc/def', 'abc/def/file1.txt', 'abc/def/file2.txt', 'with-hidden', 'with-hidden/.keep', 'young', 'young/new.txt']);
  });

  it('handles special characters in paths (Spark: "deleting files with special characters in path")', async () => {
    const root = join(tempDir(), 'table');
    const table = localTable(root, LATER);
    await table.create({ schema: SCHEMA });
    plant(root, 'abc def/#1/file1.txt', 60);
    plant(root, 'abc def/#1/file2.txt', 60);
    plant(root, 'p=a%3Ab/f%20x.parquet', 60);
    // Log paths are URIs: a space is %20, '%' itself is %25.
    await commit(table, [add('abc%20def/%231/file1.txt'), add('p=a%253Ab/f%2520x.parquet')]);
    const r = await table.vacuum();
    expect(r.paths).toEqual([join(root, 'abc def/#1/file2.txt')]);
    expect(existsSync(join(root, 'abc def/#1/file1.txt'))).toBe(true);
    expect(existsSync(join(root, 'p=a%3Ab/f%20x.parquet'))).toBe(true);
  });

  it('a table that does not exist is an error, and nothing is deleted', async () => {
    const root = join(tempDir(), 'not-a-table');
    plant(root, 'file1.txt', 60);
    const e = await localTable(root, LATER)
      .vacuum()
      .then(
        () => undefined,
        (x: unknown) => x as { code?: string },
      );
    expect(e?.code).toBe('TABLE_NOT_FOUND');
    expect(existsSync(join(root, 'file1.txt'))).toBe(true);
  });
});
