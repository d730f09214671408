import { utimesSync } from 'node:fs';
import { DeltaTable } from '@deltakit/core';
import { describe, expect, it } from 'vitest';
import { readText, tempDir, logIds } from '../helpers.js';
import { append, deltaStream, runBatches, tableOf } from './delta-helpers.js';

describe('Delta streaming source: what it reads', () => {
  it('reads the initial snapshot, then each new version in order, with Delta’s offsets', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1, 2], [3]]);
    const seen: number[][] = [];
    const q = await deltaStream(src)
      .writeStream.option('checkpointLocation', `${dir}/chk`)
      .foreachBatch(async (df) => {
        seen.push((await df.collect()).map((r) => Number(r.id)).sort((a, b) => a - b));
      })
      .start();
    await q.processAllAvailable();
    await append(src, [4]);
    await q.processAllAvailable();
    await append(src, [5, 6]);
    await q.processAllAvailable();
    await q.stop();
    expect(seen).toEqual([[1, 2, 3], [4], [5, 6]]);
    const id = (await DeltaTable.forPath(src).snapshot()).metadata.id;
    // The snapshot of version 1 was read whole: the offset moved to version 2's base index, written as -1.
    expect(readText(`${dir}/chk/offsets/0`).split('\n')[2]).toBe(`{"sourceVersion":1,"reservoirId":"${id}","reservoirVersion":2,"index":-1,"isStartingVersion":false}`);
    expect(JSON.parse(readText(`${dir}/chk/offsets/2`).split('\n')[2]!)).toEqual({ sourceVersion: 1, reservoirId: id, reservoirVersion: 4, index: -1, isStartingVersion: false });
    expect(q.lastProgress?.sources[0]?.description).toBe(`DeltaSource[${src}]`);
  });

  it('startingVersion reads the commits from that version on, without the snapshot', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2], [3]]);
    expect((await runBatches(deltaStream(src, { startingVersion: '1' }), `${dir}/c1`)).ids()).toEqual([2, 3]);
    expect((await runBatches(deltaStream(src, { startingVersion: '0' }), `${dir}/c2`)).ids()).toEqual([1, 2, 3]);
  });

  it("startingVersion 'latest' reads only commits made after the start, also when the first batch is replayed", async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2]]);
    const seen: number[] = [];
    const start = () =>
      deltaStream(src, { startingVersion: 'latest' })
        .writeStream.option('checkpointLocation', `${dir}/chk`)
        .foreachBatch(async (df) => {
          seen.push(...(await df.collect()).map((r) => Number(r.id)));
        })
        .start();
    let q = await start();
    await q.processAllAvailable();
    expect(seen).toEqual([]);
    await append(src, [3]);
    await q.processAllAvailable();
    await q.stop();
    expect(seen).toEqual([3]);
    // Crash before commits/0: the replay reads the same range although the table has moved on.
    const { rmSync } = await import('node:fs');
    rmSync(`${dir}/chk/commits/0`);
    await append(src, [4]);
    seen.length = 0;
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    expect(seen).toEqual([3, 4]);
    expect(logIds(`${dir}/chk`, 'commits')).toEqual([0, 1]);
  });

  it('startingTimestamp starts at the first commit at or after it; after the latest commit it fails', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2], [3]]);
    const day = (d: number) => new Date(Date.UTC(2024, 0, d));
    for (let v = 0; v < 3; v++) utimesSync(`${src}/_delta_log/${String(v).padStart(20, '0')}.json`, day(v + 1), day(v + 1));
    expect((await runBatches(deltaStream(src, { startingTimestamp: '2024-01-02' }), `${dir}/c1`)).ids()).toEqual([2, 3]);
    expect((await runBatches(deltaStream(src, { startingTimestamp: '2024-01-01 12:00:00' }), `${dir}/c2`)).ids()).toEqual([2, 3]);
    expect((await runBatches(deltaStream(src, { startingTimestamp: '2023-06-01' }), `${dir}/c3`)).ids()).toEqual([1, 2, 3]);
    await expect(runBatches(deltaStream(src, { startingTimestamp: '2025-01-01' }), `${dir}/c4`)).rejects.toMatchObject({ details: { causeCode: 'TIMESTAMP_OUT_OF_RANGE' } });
    await expect(runBatches(deltaStream(src, { startingTimestamp: '2024-01-02', startingVersion: '1' }), `${dir}/c5`)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('OPTIMIZE commits (dataChange false) are skipped: no row is read twice', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2], [3]]);
    const seen: number[] = [];
    const q = await deltaStream(src)
      .writeStream.option('checkpointLocation', `${dir}/chk`)
      .foreachBatch(async (df) => {
        seen.push(...(await df.collect()).map((r) => Number(r.id)));
      })
      .start();
    await q.processAllAvailable();
    const metrics = await DeltaTable.forPath(src).optimize();
    expect(metrics.numFilesRemoved).toBe(3);
    await q.processAllAvailable();
    await append(src, [4]);
    await q.processAllAvailable();
    await q.stop();
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    // As in Delta, the OPTIMIZE version still moves the offset (an empty batch), but reads no row.
    expect(q.recentProgress.map((p) => p.numInputRows)).toEqual([3, 0, 1]);
  });
});

describe('Delta streaming source: rate limits and triggers', () => {
  it('maxFilesPerTrigger bounds each batch by files (the initial snapshot included)', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2], [3], [4], [5]]);
    const run = await runBatches(deltaStream(src, { maxFilesPerTrigger: '2' }), `${dir}/chk`);
    expect([...run.batches.values()].map((rows) => rows.map((r) => r.id))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('maxBytesPerTrigger is soft: each batch takes at least one file, and stops once the budget is used', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2], [3]]);
    const size = (await DeltaTable.forPath(src).snapshot()).addFiles[0]!.size;
    expect([...(await runBatches(deltaStream(src, { maxBytesPerTrigger: '1' }), `${dir}/c1`)).batches.values()].map((r) => r.length)).toEqual([1, 1, 1]);
    // A budget of just over one file admits a second one (there was capacity before taking it).
    expect([...(await runBatches(deltaStream(src, { maxBytesPerTrigger: String(size + 1) }), `${dir}/c2`)).batches.values()].map((r) => r.length)).toEqual([2, 1]);
    // With both limits, whichever is hit first ends the batch.
    expect([...(await runBatches(deltaStream(src, { maxBytesPerTrigger: '1mb', maxFilesPerTrigger: '1' }), `${dir}/c3`)).batches.values()].map((r) => r.length)).toEqual([1, 1, 1]);
  });

  it('Trigger.Once ignores the rate limits: one batch with everything', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2], [3]]);
    const run = await runBatches(deltaStream(src, { maxFilesPerTrigger: '1' }), `${dir}/chk`, { once: true });
    expect([...run.batches.values()].map((r) => r.length)).toEqual([3]);
  });

  it('Trigger.AvailableNow runs rate-limited batches up to what existed at start, not what arrives meanwhile', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2], [3]]);
    const run = await runBatches(deltaStream(src, { maxFilesPerTrigger: '1' }), `${dir}/chk`, { availableNow: true }, async (id) => {
      if (id === 0) await append(src, [99]);
    });
    expect([...run.batches.values()].map((r) => r.map((x) => x.id))).toEqual([[1], [2], [3]]);
    // The next run picks it up.
    expect((await runBatches(deltaStream(src, { maxFilesPerTrigger: '1' }), `${dir}/chk`)).ids()).toEqual([99]);
  });

  it('a restart replays the planned but uncommitted batch with the same rows', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1, 2], [3], [4, 5], [6]]);
    const first = await runBatches(deltaStream(src, { maxFilesPerTrigger: '1' }), `${dir}/chk`);
    expect(first.batches.size).toBe(4);
    const { rmSync } = await import('node:fs');
    rmSync(`${dir}/chk/commits/2`);
    rmSync(`${dir}/chk/commits/3`);
    rmSync(`${dir}/chk/offsets/3`);
    await append(src, [7]);
    const second = await runBatches(deltaStream(src, { maxFilesPerTrigger: '1' }), `${dir}/chk`);
    expect(second.batches.get(2)).toEqual(first.batches.get(2));
    expect(second.batches.get(3)!.map((r) => r.id)).toEqual([6]);
    expect(second.batches.get(4)!.map((r) => r.id)).toEqual([7]);
  });
});
