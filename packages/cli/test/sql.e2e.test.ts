/**
 * End-to-end: `deltakit sql` with the built CLI on tables written here: the metrics JSON on
 * stdout, the table contents afterwards (read with `deltakit cat`), and the one-line errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable, field, primitive, struct } from '@deltakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'deltakit-sql-'));
const schema = struct([field('id', primitive('long')), field('v', primitive('string'))]);

beforeAll(() => requireBuiltCli());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function makeTable(name: string, properties: Record<string, string> = {}): Promise<string> {
  const root = join(dir, name);
  const table = DeltaTable.forPath(root);
  await table.create({ schema, properties });
  await table.write({ rows: Array.from({ length: 10 }, (_, i) => ({ id: BigInt(i), v: `v${i}` })), schema }, { mode: 'append' });
  await table.close();
  return root;
}

function writeRows(name: string, rows: readonly Record<string, unknown>[]): string {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

async function ids(root: string): Promise<string[]> {
  const out = await ok('cat', root, '--format', 'jsonl');
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: number; v: string })
    .sort((a, b) => a.id - b.id)
    .map((r) => `${r.id}:${r.v}`);
}

describe('deltakit sql', () => {
  it('runs the maintenance statements and prints each result as one JSON object', async () => {
    const root = await makeTable('maint');
    await ok('write', root, '--mode', 'append', '--input', writeRows('maint.jsonl', [{ id: 10, v: 'v10' }]));
    const t = `delta.\`${root}\``;
    const lines = async (...args: string[]): Promise<Record<string, unknown>> => {
      const out = await ok('sql', ...args);
      expect(out.trim().split('\n')).toHaveLength(1);
      return JSON.parse(out) as Record<string, unknown>;
    };
    expect(await lines(`OPTIMIZE ${t}`)).toMatchObject({ version: 3, numFilesRemoved: 2, numFilesAdded: 1 });
    expect(await lines(`VACUUM ${t} DRY RUN`)).toMatchObject({ dryRun: true, numFilesToDelete: 0 });
    expect(await lines(`ALTER TABLE ${t} ADD COLUMNS (score DOUBLE)`)).toMatchObject({ version: 4 });
    expect(await lines(`RESTORE TABLE ${t} TO VERSION AS OF 1`)).toMatchObject({ version: 5, restoredVersion: 1 });
    expect(await ids(root)).toEqual(Array.from({ length: 10 }, (_, i) => `${i}:v${i}`));
    const history = await lines(`DESCRIBE HISTORY ${t} LIMIT 2`);
    expect((history.history as { version: number; commitInfo: { operation: string } }[]).map((h) => [h.version, h.commitInfo.operation])).toEqual([
      [5, 'RESTORE'],
      [4, 'ADD COLUMNS'],
    ]);
    expect(await lines(`DESCRIBE DETAIL ${t}`)).toMatchObject({ format: 'delta', numFiles: 1 });
  });

  it('runs DELETE, UPDATE and MERGE and prints their metrics as one JSON object', async () => {
    const root = await makeTable('t', { 'delta.enableChangeDataFeed': 'true' });
    const del = JSON.parse(await ok('sql', `DELETE FROM delta.\`${root}\` WHERE id >= 7`));
    expect(del).toMatchObject({ version: 2, numDeletedRows: 3 });

    const upd = JSON.parse(await ok('sql', `UPDATE delta.\`${root}\` AS t SET t.v = upper(v) WHERE id % 2 = 0`));
    expect(upd).toMatchObject({ version: 3, numUpdatedRows: 4 });

    const src = join(dir, 'src.jsonl');
    writeFileSync(src, '{"id": 1, "v": "one"}\n{"id": 20, "v": "twenty"}\n');
    const out = await ok('sql', `MERGE INTO delta.\`${root}\` t USING json.\`${src}\` s ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(out)).toMatchObject({ version: 4, numSourceRows: 2, numTargetRowsUpdated: 1, numTargetRowsInserted: 1 });

    expect(await ids(root)).toEqual(['0:V0', '1:one', '2:V2', '3:v3', '4:V4', '5:v5', '6:V6', '20:twenty']);
    // The change feed of the UPDATE: pre- and post-images of the four updated rows.
    const feed = await ok('changes', root, '--from', '3', '--to', '3', '--format', 'jsonl');
    const types = feed.trim().split('\n').map((l) => (JSON.parse(l) as { _change_type: string })._change_type).sort();
    expect(types).toEqual([...Array(4).fill('update_postimage'), ...Array(4).fill('update_preimage')]);
  });

  it('fails with one line on stderr and leaves the table as it was', async () => {
    const root = await makeTable('u');
    const bad = await cli('sql', `DELETE FROM delta.\`${root}\` WHERE nope > 1`);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(ERROR_LINE);
    expect(bad.stderr).toMatch(/^deltakit: COLUMN_NOT_FOUND: /);
    const parse = await cli('sql', 'DELETE FROM events');
    expect(parse.stderr).toMatch(/^deltakit: PARSE_ERROR: /);
    const usage = await cli('sql');
    expect(usage.stderr).toMatch(/^deltakit: INVALID_ARGUMENT: missing the statement/);
    expect(await ids(root)).toHaveLength(10);
  });
});
