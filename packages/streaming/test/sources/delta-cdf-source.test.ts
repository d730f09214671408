import { DeltaTable, arrowToDeltaSchema } from '@deltakit/core';
import { tableChanges } from '@deltakit/cdf';
import { deleteFrom, updateTable } from '@deltakit/merge';
import { describe, expect, it } from 'vitest';
import { batchRows, type Row } from '../../src/api/rows.js';
import { tempDir } from '../helpers.js';
import { append, deltaStream, runBatches, tableOf } from './delta-helpers.js';

const CDF = { 'delta.enableChangeDataFeed': 'true' };

const key = (r: Row) => `${String(r._commit_version).padStart(4, '0')}|${String(r.id).padStart(4, '0')}|${String(r._change_type)}`;
const canonical = (rows: Row[]) => rows.map((r) => ({ ...r, _commit_timestamp: String(r._commit_timestamp) })).sort((a, b) => key(a).localeCompare(key(b)));

async function feed(path: string, startingVersion: number): Promise<Row[]> {
  const out: Row[] = [];
  const changes = tableChanges(DeltaTable.forPath(path), { startingVersion });
  for await (const b of changes) batchRows(b, arrowToDeltaSchema(b.schema), out);
  return out;
}

async function changesTable(dir: string): Promise<string> {
  const src = `${dir}/src`;
  await tableOf(src, [[1, 2], [3]], CDF);
  await updateTable(DeltaTable.forPath(src), { set: { v: "'u'" }, condition: 'id = 1' });
  await deleteFrom(DeltaTable.forPath(src), { condition: 'id = 3' });
  await append(src, [4, 5]);
  return src;
}

describe('Delta streaming source: readChangeFeed', () => {
  it('streams the change feed with _change_type, _commit_version, _commit_timestamp, equal to tableChanges', async () => {
    const dir = tempDir();
    const src = await changesTable(dir);
    const run = await runBatches(deltaStream(src, { readChangeFeed: 'true', startingVersion: '0' }), `${dir}/chk`);
    const got = [...run.batches.values()].flat();
    expect(Object.keys(got[0]!)).toEqual(['id', 'v', '_change_type', '_commit_version', '_commit_timestamp']);
    expect(canonical(got)).toEqual(canonical(await feed(src, 0)));
    expect(got.map((r) => r._change_type).sort()).toEqual(['delete', 'insert', 'insert', 'insert', 'insert', 'insert', 'update_postimage', 'update_preimage']);
  });

  it('without a starting version: the initial snapshot as inserts of its version, then the changes after it', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1, 2], [3]], CDF);
    const rows: Row[] = [];
    const q = await deltaStream(src, { readChangeFeed: 'true' })
      .writeStream.option('checkpointLocation', `${dir}/chk`)
      .foreachBatch(async (df) => {
        rows.push(...(await df.collect()));
      })
      .start();
    await q.processAllAvailable();
    const v = (await updateTable(DeltaTable.forPath(src), { set: { v: "'u'" }, condition: 'id = 3' })).version;
    await q.processAllAvailable();
    await q.stop();
    const history = await DeltaTable.forPath(src).history();
    const v1Time = history.find((h) => h.version === 1)!.timestamp;
    expect(rows.slice(0, 3).map((r) => [r.id, r._change_type, r._commit_version])).toEqual(
      expect.arrayContaining([
        [1, 'insert', 1n],
        [2, 'insert', 1n],
        [3, 'insert', 1n],
      ]),
    );
    expect(new Date(String(rows[0]!._commit_timestamp)).getTime()).toBe(v1Time);
    expect(canonical(rows.slice(3))).toEqual(canonical(await feed(src, v)));
  });

  it('rate limits admit whole commits (the first of a batch always), the snapshot file by file', async () => {
    const dir = tempDir();
    const src = await changesTable(dir);
    // One commit per batch at one file per trigger (a change-feed batch never ends inside a commit).
    const run = await runBatches(deltaStream(src, { readChangeFeed: 'true', startingVersion: '0', maxFilesPerTrigger: '1' }), `${dir}/chk`);
    const perBatch = [...run.batches.values()].map((rows) => [...new Set(rows.map((r) => Number(r._commit_version)))]);
    expect(perBatch).toEqual([[0], [1], [2], [3], [4]]);
    const snap = await runBatches(deltaStream(src, { readChangeFeed: 'true', maxFilesPerTrigger: '1' }), `${dir}/chk2`);
    expect([...snap.batches.values()].every((rows) => rows.length > 0)).toBe(true);
    expect([...snap.batches.values()].flat().map((r) => r._change_type).every((t) => t === 'insert')).toBe(true);
    expect([...snap.batches.values()].flat().map((r) => r.id).sort()).toEqual([1, 2, 4, 5]);
  });

  it('a restart replays an uncommitted change-feed batch with the same rows', async () => {
    const dir = tempDir();
    const src = await changesTable(dir);
    const opts = { readChangeFeed: 'true', startingVersion: '0', maxFilesPerTrigger: '1' };
    const first = await runBatches(deltaStream(src, opts), `${dir}/chk`);
    const { rmSync } = await import('node:fs');
    rmSync(`${dir}/chk/commits/4`);
    const second = await runBatches(deltaStream(src, opts), `${dir}/chk`);
    expect(canonical(second.batches.get(4)!)).toEqual(canonical(first.batches.get(4)!));
    expect([...second.batches.keys()]).toEqual([4]);
  });
});
