import { rmSync } from 'node:fs';
import { DeltaTable } from '@deltakit/core';
import { describe, expect, it } from 'vitest';
import { memoryStream, read, upsertBatch } from '../../src/index.js';
import { logIds, tempDir } from '../helpers.js';

describe('upsertBatch: the idempotent foreachBatch MERGE', () => {
  it('keeps the last row per key in arrival order, upserts, and skips a replayed batch', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const target = `${dir}/silver`;
    const s = memoryStream('order_id BIGINT, status STRING, amount INT');
    let calls = 0;
    const start = () =>
      s.toDF().writeStream.option('checkpointLocation', chk).foreachBatch(async (df, batchId) => {
        calls++;
        await upsertBatch(df, batchId, { path: target, keys: ['order_id'], appId: 'silver' });
      }).start();
    let q = await start();
    s.addData({ order_id: 1n, status: 'new', amount: 10 }, { order_id: 2n, status: 'new', amount: 20 }, { order_id: 1n, status: 'paid', amount: 11 });
    await q.processAllAvailable();
    s.addData({ order_id: 2n, status: 'shipped', amount: 20 }, { order_id: 3n, status: 'new', amount: 30 });
    await q.processAllAvailable();
    await q.stop();
    const versionBefore = (await DeltaTable.forPath(target).snapshot()).version;
    // A crash after the MERGE commit of batch 1 but before commits/1: the batch comes again.
    rmSync(`${chk}/commits/1`);
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    expect(calls).toBe(3);
    expect(logIds(chk, 'commits')).toEqual([0, 1]);
    expect((await DeltaTable.forPath(target).snapshot()).version).toBe(versionBefore);
    const rows = (await read.format('delta').load(target).collect()).sort((a, b) => Number(a.order_id) - Number(b.order_id));
    expect(rows).toEqual([
      { order_id: 1n, status: 'paid', amount: 11 },
      { order_id: 2n, status: 'shipped', amount: 20 },
      { order_id: 3n, status: 'new', amount: 30 },
    ]);
  });

  it('names a missing key column', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    s.addData({ id: 1 });
    let error: unknown;
    const q = await s.toDF().writeStream.option('checkpointLocation', `${dir}/chk`).foreachBatch(async (df, id) => {
      try {
        await upsertBatch(df, id, { path: `${dir}/t`, keys: ['nope'], appId: 'a' });
      } catch (e) {
        error = e;
      }
    }).start();
    await q.processAllAvailable();
    await q.stop();
    expect(error).toMatchObject({ code: 'COLUMN_NOT_FOUND', message: expect.stringMatching(/nope/) });
  });
});
