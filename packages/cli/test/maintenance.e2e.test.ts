/**
 * End-to-end: `deltakit vacuum` and `deltakit restore` with the built CLI on a table written
 * here: one JSON object on stdout, the table afterwards (read with `deltakit cat`), and the
 * one-line errors (retention check, missing files after VACUUM, usage).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable, field, primitive, struct } from '@deltakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'deltakit-maint-'));
const schema = struct([field('id', primitive('long'))]);

beforeAll(() => requireBuiltCli());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ids(root: string): Promise<number[]> {
  const out = await ok('cat', root, '--format', 'jsonl');
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { id: number }).id)
    .sort((a, b) => a - b);
}

async function fails(...args: string[]): Promise<{ code: string; line: string; status: number }> {
  const r = await cli(...args);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(ERROR_LINE);
  return { code: ERROR_LINE.exec(r.stderr)![1]!, line: r.stderr, status: r.code };
}

describe('deltakit restore and vacuum', () => {
  it('restores, refuses a short retention, vacuums with --force-retention, and names the vacuumed files', async () => {
    const root = join(dir, 't');
    const table = DeltaTable.forPath(root);
    await table.create({ schema }); // v0
    await table.write({ rows: [{ id: 1n }, { id: 2n }], schema }, { mode: 'append' }); // v1
    await table.write({ rows: [{ id: 3n }], schema }, { mode: 'overwrite' }); // v2
    await table.write({ rows: [{ id: 4n }], schema }, { mode: 'append' }); // v3
    const v2Files = (await table.snapshot({ version: 3 })).addFiles.map((a) => join(root, a.path)).sort();
    await table.close();

    const restored = JSON.parse(await ok('restore', root, '--version', '1'));
    expect(restored).toMatchObject({ table: root, restoredVersion: 1, version: 4, numOfFilesAfterRestore: 1, numRemovedFiles: 2, numRestoredFiles: 1 });
    expect(await ids(root)).toEqual([1, 2]);

    const dry = JSON.parse(await ok('vacuum', root, '--dry-run'));
    expect(dry).toMatchObject({ table: root, mode: 'full', dryRun: true, paths: [], numFilesToDelete: 0 });

    const short = await fails('vacuum', root, '--retain-hours', '0');
    expect(short.code).toBe('RETENTION_TOO_SHORT');
    expect(short.line).toContain('--force-retention');

    const lite = JSON.parse(await ok('vacuum', root, '--retain-hours', '0', '--force-retention', '--lite', '--dry-run'));
    expect(lite.paths).toEqual(v2Files);
    const done = JSON.parse(await ok('vacuum', root, '--retain-hours', '0', '--force-retention'));
    expect(done).toMatchObject({ mode: 'full', dryRun: false, paths: v2Files, numDeletedFiles: 2, startVersion: 5, endVersion: 6 });
    for (const f of v2Files) expect(existsSync(f)).toBe(false);
    expect(await ids(root)).toEqual([1, 2]);

    const missing = await fails('restore', root, '--version', '3');
    expect(missing.code).toBe('RESTORE_FILES_MISSING');
    for (const f of v2Files) expect(missing.line).toContain(f);
    expect(missing.status).toBe(1);
  });

  it('reports usage errors with status 2', async () => {
    const root = join(dir, 'u');
    const table = DeltaTable.forPath(root);
    await table.create({ schema });
    await table.write({ rows: [{ id: 1n }], schema }, { mode: 'append' });
    await table.close();
    for (const args of [['restore', root], ['restore', root, '--version', '0', '--timestamp', '2024-01-01T00:00:00Z'], ['vacuum', root, '--retain-hours', 'soon'], ['vacuum', root, '--bogus']]) {
      const r = await fails(...args);
      expect(r.code).toBe('INVALID_ARGUMENT');
      expect(r.status).toBe(2);
    }
    expect(await ok('vacuum', '--help')).toContain('--force-retention');
    expect(await ok('restore', '--help')).toContain('--timestamp');
    // A time after the last commit names the latest version, which RESTORE cannot go back to.
    const latest = await fails('restore', root, '--timestamp', new Date(Date.now() + 60_000).toISOString());
    expect(latest.code).toBe('INVALID_ARGUMENT');
    expect(latest.line).toContain('latest version');
    const early = await fails('restore', root, '--timestamp', '2000-01-01T00:00:00Z');
    expect(early.code).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect(early.status).toBe(1);
  });
});
