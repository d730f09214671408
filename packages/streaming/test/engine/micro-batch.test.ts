import { DeltaTable, isDeltaError } from '@deltakit/core';
import { describe, expect, it } from 'vitest';
import { col, expr, memoryStream, read, upper } from '../../src/index.js';
import { logIds, readText, tempDir } from '../helpers.js';

async function tableRows(path: string): Promise<Record<string, unknown>[]> {
  const rows = await read.format('delta').load(path).collect();
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

describe('micro-batch execution with a Delta sink', () => {
  it('writes offsets before and commits after each batch, in Spark’s file layout', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const s = memoryStream('id INT, name STRING');
    const q = await s.toDF().withColumn('u', upper(col('name'))).writeStream.format('delta').option('checkpointLocation', chk).start(`${dir}/t`);
    s.addData({ id: 1, name: 'a' }, { id: 2, name: 'b' });
    await q.processAllAvailable();
    s.addData({ id: 3, name: 'c' });
    await q.processAllAvailable();
    await q.stop();
    expect(logIds(chk, 'offsets')).toEqual([0, 1]);
    expect(logIds(chk, 'commits')).toEqual([0, 1]);
    const off = readText(`${chk}/offsets/1`).split('\n');
    expect(off[0]).toBe('v1');
    expect(Object.keys(JSON.parse(off[1]!))).toEqual(['batchWatermarkMs', 'batchTimestampMs', 'conf']);
    expect(off[2]).toBe('1');
    expect(readText(`${chk}/commits/0`)).toBe('v1\n{"nextBatchWatermarkMs":0}');
    expect(JSON.parse(readText(`${chk}/metadata`)).id).toBe(q.id);
    expect(await tableRows(`${dir}/t`)).toEqual([
      { id: 1, name: 'a', u: 'A' },
      { id: 2, name: 'b', u: 'B' },
      { id: 3, name: 'c', u: 'C' },
    ]);
    // Each batch is one commit carrying txn(queryId, batchId) and Spark's STREAMING UPDATE commitInfo.
    const history = await DeltaTable.forPath(`${dir}/t`).history();
    expect(history.map((h) => h.commitInfo?.operation)).toEqual(['STREAMING UPDATE', 'STREAMING UPDATE']);
    expect(history[0]!.commitInfo?.operationParameters).toMatchObject({ outputMode: 'Append', queryId: q.id });
    const snap = await DeltaTable.forPath(`${dir}/t`).snapshot();
    expect(snap.appTransactions.get(q.id)).toBe(1n);
  });

  it('re-runs a planned but uncommitted batch with the same offsets, and the sink skips what it already has', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const s = memoryStream('id INT');
    const start = () => s.toDF().writeStream.format('delta').option('checkpointLocation', chk).start(`${dir}/t`);
    let q = await start();
    s.addData({ id: 1 });
    await q.processAllAvailable();
    s.addData({ id: 2 });
    await q.processAllAvailable();
    await q.stop();
    // Simulate a crash after the Delta commit of batch 1 but before commits/1 was written.
    const { rmSync } = await import('node:fs');
    rmSync(`${chk}/commits/1`);
    s.addData({ id: 3 });
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    expect(await tableRows(`${dir}/t`)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    // Batch 1 was replayed with its planned offsets (only id 2), then batch 2 took id 3.
    expect(readText(`${chk}/offsets/1`).split('\n')[2]).toBe('1');
    expect(readText(`${chk}/offsets/2`).split('\n')[2]).toBe('2');
    expect(logIds(chk, 'commits')).toEqual([0, 1, 2]);
    expect((await DeltaTable.forPath(`${dir}/t`).history()).length).toBe(3);
  });

  it('keeps the query id across restarts and gives each run a new runId', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const q1 = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`);
    await q1.stop();
    const q2 = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`);
    await q2.stop();
    expect(q2.id).toBe(q1.id);
    expect(q2.runId).not.toBe(q1.runId);
  });

  it('a failing batch stops the query with a typed error naming the batch; a restart resumes from the last commit', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const s = memoryStream('id INT');
    let fail = true;
    const start = () =>
      s.toDF().writeStream.option('checkpointLocation', chk).foreachBatch(async (df, batchId) => {
        if (batchId === 1 && fail) throw new Error('boom');
        await df.write.mode('append').option('txnAppId', 'app').option('txnVersion', batchId).save(`${dir}/t`);
      }).start();
    let q = await start();
    s.addData({ id: 1 });
    await q.processAllAvailable();
    s.addData({ id: 2 });
    await expect(q.processAllAvailable()).rejects.toMatchObject({ code: 'STREAMING_QUERY_FAILED' });
    const err = q.exception()!;
    expect(isDeltaError(err, 'STREAMING_QUERY_FAILED')).toBe(true);
    expect(err.details.batchId).toBe(1);
    expect(err.message).toMatch(/batch 1: boom/);
    await expect(q.awaitTermination()).rejects.toBe(err);
    expect(q.isActive).toBe(false);
    expect(logIds(chk, 'commits')).toEqual([0]);
    fail = false;
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    expect(await tableRows(`${dir}/t`)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('refuses to start a second query on a running checkpoint', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const q = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`);
    await expect(s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`)).rejects.toMatchObject({ code: 'CONCURRENT_QUERY' });
    await q.stop();
  });

  it('refuses a restart with a different sink kind', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const q = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`);
    await q.stop();
    await expect(s.toDF().writeStream.format('memory').queryName('m1').option('checkpointLocation', `${dir}/chk`).start()).rejects.toMatchObject({ code: 'CHECKPOINT_INCOMPATIBLE' });
  });

  it('runs the same filter and projection in batch and streaming', async () => {
    const s = memoryStream('id INT, amount DOUBLE');
    const rows = [{ id: 1, amount: 2.5 }, { id: 2, amount: -1 }, { id: 3, amount: 10 }];
    const transform = (df: ReturnType<typeof s.toDF>) => df.filter('amount > 0').select(col('id'), expr('amount * 2').alias('double'));
    const q = await transform(s.toDF()).writeStream.format('memory').queryName('same-ops').start();
    s.addData(...rows);
    await q.processAllAvailable();
    await q.stop();
    const streamed = await read.table('same-ops').collect();
    expect(streamed).toEqual([{ id: 1, double: 5 }, { id: 3, double: 20 }]);
  });

  it('keeps at most minBatchesToRetain offsets and commits', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const s = memoryStream('id INT');
    const q = await s.toDF().writeStream.format('delta').option('checkpointLocation', chk).option('minBatchesToRetain', 2).start(`${dir}/t`);
    for (let i = 0; i < 5; i++) {
      s.addData({ id: i });
      await q.processAllAvailable();
    }
    await q.stop();
    expect(logIds(chk, 'offsets')).toEqual([2, 3, 4]);
    expect(logIds(chk, 'commits')).toEqual([2, 3, 4]);
    expect((await tableRows(`${dir}/t`)).length).toBe(5);
  });
});
