import { describe, expect, it } from 'vitest';
import { memoryStream, read, type GroupState, type Row } from '../../src/index.js';
import { tempDir } from '../helpers.js';

interface Counter {
  count: bigint;
  last: string;
}

/** Running count per key, emitted on every update; the state is dropped when a key says 'done'. */
function counting(key: Row, rows: readonly Row[], state: GroupState<Counter>): Row[] {
  if (state.hasTimedOut) {
    const s = state.get();
    state.remove();
    return [{ key: key.key, count: s.count, status: 'expired' }];
  }
  const prev = state.getOption() ?? { count: 0n, last: '' };
  const next = { count: prev.count + BigInt(rows.length), last: String(rows.at(-1)!.value) };
  if (next.last === 'done') {
    state.remove();
    return [{ key: key.key, count: next.count, status: 'removed' }];
  }
  state.update(next);
  return [{ key: key.key, count: next.count, status: 'active' }];
}

const OUT = 'key STRING, count BIGINT, status STRING';

describe('flatMapGroupsWithState', () => {
  it('keeps a value per key across batches and restarts, and removes it on request', async () => {
    const dir = tempDir();
    const s = memoryStream('key STRING, value STRING');
    const start = () =>
      s.toDF().groupBy('key').flatMapGroupsWithState(counting, { outputSchema: OUT, outputMode: 'update' })
        .writeStream.outputMode('update').format('memory').queryName('fmgws').option('checkpointLocation', `${dir}/chk`).start();
    let q = await start();
    s.addData({ key: 'a', value: 'x' }, { key: 'b', value: 'x' }, { key: 'a', value: 'y' });
    await q.processAllAvailable();
    expect(q.lastProgress!.stateOperators[0]).toMatchObject({ operatorName: 'flatMapGroupsWithState', numRowsTotal: 2, numRowsUpdated: 2 });
    await q.stop();
    q = await start();
    s.addData({ key: 'a', value: 'z' }, { key: 'b', value: 'done' });
    await q.processAllAvailable();
    await q.stop();
    expect(q.lastProgress!.stateOperators[0]).toMatchObject({ numRowsTotal: 1, numRowsUpdated: 1, numRowsRemoved: 1 });
    const rows = await read.table('fmgws').collect();
    expect(rows).toEqual([
      { key: 'a', count: 2n, status: 'active' },
      { key: 'b', count: 1n, status: 'active' },
      { key: 'a', count: 3n, status: 'active' },
      { key: 'b', count: 2n, status: 'removed' },
    ]);
  });

  it('fires processing-time timeouts in a batch without new data', async () => {
    const s = memoryStream('key STRING, value STRING');
    const q = await s.toDF().groupBy('key')
      .flatMapGroupsWithState<Counter>((key, rows, state) => {
        const out = counting(key, rows, state);
        if (state.exists) state.setTimeoutDuration('100 milliseconds');
        return out;
      }, { outputSchema: OUT, outputMode: 'update', timeout: 'ProcessingTimeTimeout' })
      .writeStream.outputMode('update').format('memory').queryName('fmgws-pt').start();
    s.addData({ key: 'a', value: 'x' });
    await q.processAllAvailable();
    await new Promise((r) => setTimeout(r, 250));
    await q.processAllAvailable();
    await q.stop();
    expect(await read.table('fmgws-pt').collect()).toEqual([
      { key: 'a', count: 1n, status: 'active' },
      { key: 'a', count: 1n, status: 'expired' },
    ]);
    expect(q.recentProgress.at(-1)!.numInputRows).toBe(0);
  });

  it('fires event-time timeouts when the watermark passes them (sessions closed after a gap)', async () => {
    const s = memoryStream('key STRING, ts TIMESTAMP');
    const q = await s.toDF().withWatermark('ts', '0 seconds').groupBy('key')
      .flatMapGroupsWithState<{ n: number; end: number }>((key, rows, state) => {
        if (state.hasTimedOut) {
          const v = state.get();
          state.remove();
          return [{ key: key.key, events: v.n }];
        }
        const v = state.getOption() ?? { n: 0, end: 0 };
        const end = Math.max(v.end, ...rows.map((r) => Date.parse(String(r.ts))));
        state.update({ n: v.n + rows.length, end });
        state.setTimeoutTimestamp(end, '10 seconds');
        return [];
      }, { outputSchema: 'key STRING, events INT', outputMode: 'append', timeout: 'EventTimeTimeout' })
      .writeStream.format('memory').queryName('fmgws-et').start();
    s.addData({ key: 'a', ts: new Date('2024-01-01T00:00:00Z') }, { key: 'a', ts: new Date('2024-01-01T00:00:05Z') });
    await q.processAllAvailable();
    s.addData({ key: 'b', ts: new Date('2024-01-01T00:00:12Z') });
    await q.processAllAvailable();
    expect(await read.table('fmgws-et').collect()).toEqual([]);
    // The watermark reaches 00:00:30, past a's timeout (00:00:15) and b's (00:00:22).
    s.addData({ key: 'c', ts: new Date('2024-01-01T00:00:30Z') });
    await q.processAllAvailable();
    await q.stop();
    expect((await read.table('fmgws-et').collect()).sort((x, y) => String(x.key).localeCompare(String(y.key)))).toEqual([{ key: 'a', events: 2 }, { key: 'b', events: 1 }]);
  });

  it('runs on batch DataFrames with a fresh state per key', async () => {
    const s = memoryStream('key STRING, value STRING');
    s.addData({ key: 'a', value: 'x' }, { key: 'a', value: 'y' }, { key: 'b', value: 'x' });
    const q = await s.toDF().writeStream.format('memory').queryName('fmgws-src').trigger({ once: true }).start();
    await q.awaitTermination();
    const rows = await read.table('fmgws-src').groupBy('key').flatMapGroupsWithState(counting, { outputSchema: OUT }).collect();
    expect(rows).toEqual([
      { key: 'a', count: 2n, status: 'active' },
      { key: 'b', count: 1n, status: 'active' },
    ]);
  });

  it('refuses what Spark refuses', async () => {
    const s = memoryStream('key STRING, ts TIMESTAMP');
    const g = s.toDF().groupBy('key');
    await expect(g.flatMapGroupsWithState(() => [], { outputSchema: OUT, timeout: 'EventTimeTimeout' }).writeStream.outputMode('update').format('memory').queryName('r1').start()).rejects.toMatchObject({ message: expect.stringMatching(/EventTimeTimeout.*watermark/) });
    await expect(g.flatMapGroupsWithState(() => [], { outputSchema: OUT, outputMode: 'update' }).writeStream.outputMode('append').format('memory').queryName('r2').start()).rejects.toMatchObject({ message: expect.stringMatching(/update mode/) });
  });
});

describe('sorting a stream', () => {
  it('sorts an aggregated result in complete mode, as Spark allows', async () => {
    const { count, col } = await import('../../src/index.js');
    const s = memoryStream('word STRING');
    const q = await s.toDF().groupBy('word').agg(count('*').alias('n')).orderBy(col('n').desc(), col('word'))
      .writeStream.outputMode('complete').format('memory').queryName('sorted-counts').start();
    s.addData({ word: 'b' }, { word: 'a' }, { word: 'b' }, { word: 'c' }, { word: 'c' }, { word: 'c' });
    await q.processAllAvailable();
    await q.stop();
    expect(await read.table('sorted-counts').collect()).toEqual([{ word: 'c', n: 3n }, { word: 'b', n: 2n }, { word: 'a', n: 1n }]);
    await expect(s.toDF().orderBy('word').writeStream.format('memory').queryName('unsorted').start()).rejects.toMatchObject({ message: expect.stringMatching(/Sorting.*complete output mode/) });
  });
});

describe('limit on a stream', () => {
  it('emits at most n rows over all batches and restarts in append mode', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const start = () => s.toDF().limit(3).writeStream.format('memory').queryName('limited').option('checkpointLocation', `${dir}/chk`).start();
    let q = await start();
    s.addData({ id: 1 }, { id: 2 });
    await q.processAllAvailable();
    await q.stop();
    q = await start();
    s.addData({ id: 3 }, { id: 4 });
    await q.processAllAvailable();
    s.addData({ id: 5 });
    await q.processAllAvailable();
    await q.stop();
    expect((await read.table('limited').collect()).map((r) => r.id)).toEqual([1, 2, 3]);
    await expect(s.toDF().limit(1).writeStream.outputMode('update').format('memory').queryName('lim-u').start()).rejects.toMatchObject({ message: expect.stringMatching(/Limit.*update/) });
  });
});
