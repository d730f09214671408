import { describe, expect, it } from 'vitest';
import { addListener, memoryStream, read, streams, type StreamingQueryListener } from '../../src/index.js';
import { logIds, tempDir } from '../helpers.js';

describe('triggers', () => {
  it('once: one batch over everything available, then the query ends by itself', async () => {
    const s = memoryStream('id INT');
    s.addData({ id: 1 });
    s.addData({ id: 2 }, { id: 3 });
    const q = await s.toDF().writeStream.format('memory').queryName('trigger-once').trigger({ once: true }).start();
    expect(await q.awaitTermination(10_000)).toBe(true);
    expect(q.isActive).toBe(false);
    expect(q.recentProgress.map((p) => p.numInputRows)).toEqual([3]);
    expect((await read.table('trigger-once').collect()).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('once with no data ends without a batch', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const q = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).trigger({ once: true }).start(`${dir}/t`);
    await q.awaitTermination();
    expect(q.recentProgress).toEqual([]);
    expect(logIds(`${dir}/chk`, 'offsets')).toEqual([]);
  });

  it('availableNow: processes what is there at start, then stops; a later run picks up the rest', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const start = () => s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).trigger({ availableNow: true }).start(`${dir}/t`);
    s.addData({ id: 1 });
    let q = await start();
    await q.awaitTermination();
    s.addData({ id: 2 });
    q = await start();
    await q.awaitTermination();
    expect(logIds(`${dir}/chk`, 'commits')).toEqual([0, 1]);
    expect((await read.format('delta').load(`${dir}/t`).collect()).map((r) => r.id).sort()).toEqual([1, 2]);
  });

  it('processingTime: batches start on multiples of the interval', async () => {
    const s = memoryStream('id INT');
    const q = await s.toDF().writeStream.format('memory').queryName('trigger-pt').trigger({ processingTime: '200 milliseconds' }).start();
    for (let i = 0; i < 3; i++) {
      s.addData({ id: i });
      await new Promise((r) => setTimeout(r, 250));
    }
    await q.processAllAvailable();
    await q.stop();
    const stamps = q.recentProgress.map((p) => Date.parse(p.timestamp));
    expect(stamps.length).toBeGreaterThanOrEqual(2);
    // The first trigger runs at once; later ones start at (or just after) a 200 ms boundary.
    for (const t of stamps.slice(1)) expect(t % 200).toBeLessThan(80);
  });

  it('refuses the continuous trigger with a typed error pointing at the default trigger', () => {
    const s = memoryStream('id INT');
    expect(() => s.toDF().writeStream.trigger({ continuous: '1 second' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_OPERATION', message: expect.stringMatching(/default trigger/) }));
  });

  it('default trigger: a new batch follows new data within a few polls', async () => {
    const s = memoryStream('id INT');
    const q = await s.toDF().writeStream.format('memory').queryName('trigger-default').start();
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = q.recentProgress.length;
      const t = performance.now();
      s.addData({ id: i });
      while (q.recentProgress.length === before) await new Promise((r) => setTimeout(r, 1));
      latencies.push(performance.now() - t);
    }
    await q.stop();
    latencies.sort((a, b) => a - b);
    expect(latencies[2]).toBeLessThan(200);
  });
});

describe('stopping', () => {
  it('stop() inside a batch leaves no commit record; the restart runs that batch again with the same rows', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const seen: number[][] = [];
    let release!: () => void;
    const entered = new Promise<void>((resolve) => {
      release = resolve;
    });
    let hold = true;
    const start = () =>
      s.toDF().writeStream.option('checkpointLocation', `${dir}/chk`).foreachBatch(async (df, id) => {
        const ids = (await df.collect()).map((r) => r.id as number);
        seen.push([id, ...ids]);
        if (hold) {
          release();
          await new Promise((r) => setTimeout(r, 100));
        }
      }).start();
    s.addData({ id: 7 }, { id: 8 });
    let q = await start();
    await entered;
    await q.stop();
    expect(logIds(`${dir}/chk`, 'offsets')).toEqual([0]);
    expect(logIds(`${dir}/chk`, 'commits')).toEqual([]);
    hold = false;
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    expect(seen).toEqual([[0, 7, 8], [0, 7, 8]]);
    expect(logIds(`${dir}/chk`, 'commits')).toEqual([0]);
  });

  it('an AbortSignal given to start stops the query', async () => {
    const s = memoryStream('id INT');
    const ac = new AbortController();
    const q = await s.toDF().writeStream.format('memory').queryName('abort-signal').start(undefined, { signal: ac.signal });
    ac.abort();
    expect(await q.awaitTermination(5000)).toBe(true);
    expect(q.isActive).toBe(false);
    expect(q.exception()).toBeNull();
  });
});

describe('listeners and progress', () => {
  it('reports started, progress, idle and terminated, and Spark-shaped progress', async () => {
    const events: string[] = [];
    const listener: StreamingQueryListener = {
      onQueryStarted: (e) => events.push(`started:${e.id === undefined ? '?' : 'id'}`),
      onQueryProgress: (e) => events.push(`progress:${e.progress.batchId}`),
      onQueryIdle: () => {
        if (events.at(-1) !== 'idle') events.push('idle');
      },
      onQueryTerminated: (e) => events.push(`terminated:${e.exception}`),
    };
    addListener(listener);
    const s = memoryStream('id INT');
    const q = await s.toDF().writeStream.format('memory').queryName('listened').start();
    s.addData({ id: 1 }, { id: 2 });
    await q.processAllAvailable();
    await q.stop();
    streams.removeListener(listener);
    expect(events[0]).toBe('started:id');
    expect(events).toContain('progress:0');
    expect(events).toContain('idle');
    expect(events.at(-1)).toBe('terminated:null');
    const p = q.lastProgress!;
    expect(Object.keys(p)).toEqual(['id', 'runId', 'name', 'timestamp', 'batchId', 'batchDuration', 'numInputRows', 'inputRowsPerSecond', 'processedRowsPerSecond', 'durationMs', 'eventTime', 'stateOperators', 'sources', 'sink', 'observedMetrics']);
    expect(p.name).toBe('listened');
    expect(p.numInputRows).toBe(2);
    expect(p.sources[0]).toMatchObject({ startOffset: null, endOffset: 0, numInputRows: 2 });
    expect(p.sink).toMatchObject({ description: 'MemorySink[listened]', numOutputRows: 2 });
    expect(Object.keys(p.durationMs)).toEqual(expect.arrayContaining(['latestOffset', 'walCommit', 'getBatch', 'queryPlanning', 'addBatch', 'commitOffsets', 'triggerExecution']));
    expect(q.status).toEqual({ message: 'Stopped', isDataAvailable: false, isTriggerActive: false });
  });
});
