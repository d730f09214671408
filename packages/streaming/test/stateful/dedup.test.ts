/**
 * Streaming deduplication, restated from Spark's StreamingDeduplicationSuite and
 * StreamingDeduplicationWithinWatermarkSuite: new rows and state metrics per step, restart in
 * the middle, both providers.
 */
import { describe, expect, it } from 'vitest';
import { col, count, expr, memoryStream, sum, window } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { StatefulRun, range, values } from './harness.js';

const PROVIDER = 'spark.sql.streaming.stateStore.providerClass';
const secs = (r: { t?: unknown }) => Number(r.t);

describe.each(['memory', 'lmdb'])('streaming dropDuplicates (%s provider)', (provider) => {
  it('all columns: the first occurrence only, keys kept forever without a watermark', async () => {
    const input = memoryStream('value STRING');
    const run = await new StatefulRun(input.toDF().dropDuplicates(), { mode: 'append', checkpoint: `${tempDir()}/chk`, options: { [PROVIDER]: provider }, map: (r) => r.value }).start();
    try {
      expect(await run.step(() => input.addData({ value: 'a' }))).toMatchObject({ rows: ['a'], total: [1], updated: [1] });
      expect(await run.step(() => input.addData({ value: 'a' }))).toMatchObject({ rows: [], total: [1], updated: [0] });
      await run.restart();
      expect(await run.step(() => input.addData({ value: 'a' }, { value: 'b' }))).toMatchObject({ rows: ['b'], total: [2], updated: [1] });
      expect(run.query.lastProgress!.stateOperators[0]!.operatorName).toBe('dedupe');
    } finally {
      await run.stop();
    }
  });

  it('with a watermark on a key column: late rows dropped and counted, keys evicted by the no-data batch', async () => {
    const input = memoryStream('value INT');
    const df = input.toDF().withColumn('eventTime', expr('timestamp_seconds(value)')).withWatermark('eventTime', '10 seconds').dropDuplicates().select(expr('CAST(eventTime AS LONG)').alias('t'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, options: { [PROVIDER]: provider }, map: secs }).start();
    try {
      const fiveTimes = [1, 2, 3, 4, 5].flatMap(() => range(10, 15));
      expect(await run.step(() => input.addData(values(...fiveTimes)))).toMatchObject({ rows: range(10, 15), total: [6], updated: [6], removed: [0] });
      // Watermark 15 s: the no-data batch evicts 10..15.
      expect(await run.step(() => input.addData(values(25)))).toMatchObject({ rows: [25], total: [1], updated: [1], removed: [6] });
      await run.restart();
      expect(await run.step(() => input.addData(values(10)))).toMatchObject({ rows: [], total: [1], updated: [0], dropped: [1] });
      expect(await run.step(() => input.addData(values(45)))).toMatchObject({ rows: [45], total: [1], updated: [1] });
    } finally {
      await run.stop();
    }
  });
});

describe('streaming dropDuplicates', () => {
  it('some columns: the first row of each key', async () => {
    const input = memoryStream('k STRING, v INT');
    const run = await new StatefulRun(input.toDF().dropDuplicates(['k']), { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => [r.k, r.v] }).start();
    try {
      expect(await run.step(() => input.addData({ k: 'a', v: 1 }))).toMatchObject({ rows: [['a', 1]], total: [1] });
      expect(await run.step(() => input.addData({ k: 'a', v: 2 }))).toMatchObject({ rows: [], total: [1], dropped: [0] });
      expect(await run.step(() => input.addData({ k: 'b', v: 1 }))).toMatchObject({ rows: [['b', 1]], total: [2], updated: [1] });
    } finally {
      await run.stop();
    }
  });

  it('custom metric numDroppedDuplicateRows: duplicates dropped per batch, late rows not included (SPARK-35880)', async () => {
    const input = memoryStream('k STRING, v INT');
    const run = await new StatefulRun(input.toDF().dropDuplicates(['k']), { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => [r.k, r.v] }).start();
    const add = (...p: [string, number][]) => () => input.addData(p.map(([k, v]) => ({ k, v })));
    try {
      expect((await run.step(add(['a', 1]))).custom('numDroppedDuplicateRows')).toEqual([0]);
      expect((await run.step(add(['a', 2], ['b', 3]))).custom('numDroppedDuplicateRows')).toEqual([1]);
      expect((await run.step(add(['a', 5], ['b', 2], ['c', 9]))).custom('numDroppedDuplicateRows')).toEqual([2]);
    } finally {
      await run.stop();
    }
    const input2 = memoryStream('value INT');
    const df = input2.toDF().withColumn('eventTime', expr('timestamp_seconds(value)')).withWatermark('eventTime', '10 seconds').dropDuplicates();
    const run2 = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk` }).start();
    try {
      const dropped = async (...v: number[]) => (await run2.step(() => input2.addData(values(...v)))).custom('numDroppedDuplicateRows');
      expect(await dropped(...[1, 2, 3, 4, 5].flatMap(() => range(10, 15)))).toEqual([24]);
      expect(await dropped(14)).toEqual([1]);
      expect(await dropped(25)).toEqual([0]);
      expect(await dropped(10)).toEqual([0]); // late, not a duplicate
      expect(await dropped(26, 26)).toEqual([1]);
    } finally {
      await run2.stop();
    }
  });

  it('two deduplications: operator ids downstream first, as Spark numbers them', async () => {
    const input = memoryStream('k STRING, v INT');
    const run = await new StatefulRun(input.toDF().dropDuplicates().dropDuplicates(['k']), { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => [r.k, r.v] }).start();
    try {
      expect(await run.step(() => input.addData({ k: 'a', v: 1 }))).toMatchObject({ rows: [['a', 1]], total: [1, 1], updated: [1, 1] });
      expect(await run.step(() => input.addData({ k: 'a', v: 2 }))).toMatchObject({ rows: [], total: [1, 2], updated: [0, 1] });
      expect(await run.step(() => input.addData({ k: 'b', v: 1 }))).toMatchObject({ rows: [['b', 1]], total: [2, 3], updated: [1, 1] });
    } finally {
      await run.stop();
    }
  });

  it('the watermark filters by the event-time key wherever it is among the keys (SPARK-19841)', async () => {
    const input = memoryStream('time INT, id INT');
    const df = input.toDF().withColumn('time', expr('timestamp_seconds(time)')).withWatermark('time', '1 second').dropDuplicates(['id', 'time']).select(col('id'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => r.id }).start();
    const rows = (...p: [number, number][]) => p.map(([time, id]) => ({ time, id }));
    try {
      expect((await run.step(() => input.addData(rows([1, 1], [1, 1], [1, 2])))).rows).toEqual([1, 2]);
      expect((await run.step(() => input.addData(rows([1, 1], [2, 3], [2, 4])))).rows).toEqual([3, 4]);
      expect((await run.step(() => input.addData(rows([1, 0], [1, 1], [3, 5], [3, 6])))).rows).toEqual([5, 6]);
      expect((await run.step(() => input.addData(rows([1, 0], [4, 7])))).rows).toEqual([7]);
    } finally {
      await run.stop();
    }
  });

  it('an event-time column that is not a key: no eviction (SPARK-21546), but rows behind the watermark are still dropped as late', async () => {
    const input = memoryStream('id INT, time INT');
    const df = input.toDF().withColumn('time', expr('timestamp_seconds(time)')).withWatermark('time', '1 second').dropDuplicates(['id']).select(col('id'), expr('CAST(time AS LONG)').alias('t'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => [r.id, Number(r.t)] }).start();
    try {
      expect((await run.step(() => input.addData({ id: 1, time: 1 }, { id: 1, time: 2 }, { id: 2, time: 2 }))).rows).toEqual([[1, 1], [2, 2]]);
      // Watermark 9 s after this batch; the keys stay (no event time among them).
      expect(await run.step(() => input.addData({ id: 3, time: 10 }))).toMatchObject({ rows: [[3, 10]], total: [3], removed: [0] });
      expect(await run.step(() => input.addData({ id: 4, time: 5 }, { id: 5, time: 11 }))).toMatchObject({ rows: [[5, 11]], total: [4], dropped: [1] });
    } finally {
      await run.stop();
    }
  });

  it('deduplication then a windowed aggregation in append mode (two stateful operators, one global watermark)', async () => {
    const input = memoryStream('value INT');
    const df = input
      .toDF()
      .withColumn('eventTime', expr('timestamp_seconds(value)'))
      .withWatermark('eventTime', '10 seconds')
      .dropDuplicates()
      .groupBy(window(col('eventTime'), '5 seconds'))
      .agg(count('*').alias('count'))
      .select(expr('CAST(window.start AS LONG)').alias('start'), col('count'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => [Number(r.start), Number(r.count)] }).start();
    try {
      const fiveTimes = [1, 2, 3, 4, 5].flatMap(() => range(10, 15));
      expect(await run.step(() => input.addData(values(...fiveTimes)))).toMatchObject({ rows: [], total: [2, 6], updated: [2, 6] });
      expect(await run.step(() => input.addData(values(25)))).toMatchObject({ rows: [[10, 5]], total: [2, 1], updated: [1, 1] });
      await run.restart();
      expect(await run.step(() => input.addData(values(10)))).toMatchObject({ rows: [], total: [2, 1], updated: [0, 0], dropped: [0, 1] });
      expect(await run.step(() => input.addData(values(40)))).toMatchObject({ rows: [[15, 1], [25, 1]], total: [1, 1], updated: [1, 1] });
    } finally {
      await run.stop();
    }
  });

  it('deduplication then aggregation in update and complete modes', async () => {
    for (const mode of ['update', 'complete'] as const) {
      const input = memoryStream('str STRING, num INT');
      const df = input.toDF().dropDuplicates().groupBy('str').agg(sum('num').alias('s'));
      const run = await new StatefulRun(df, { mode, checkpoint: `${tempDir()}/chk`, map: (r) => [r.str, Number(r.s)] }).start();
      try {
        expect(await run.step(() => input.addData({ str: 'a', num: 1 }))).toMatchObject({ last: [['a', 1]], total: [1, 1], updated: [1, 1] });
        expect(await run.step(() => input.addData({ str: 'a', num: 1 }))).toMatchObject({ last: mode === 'update' ? [] : [['a', 1]], total: [1, 1], updated: [0, 0] });
        await run.restart();
        expect(await run.step(() => input.addData({ str: 'a', num: 2 }))).toMatchObject({ last: [['a', 3]], total: [1, 2], updated: [1, 1] });
        expect(await run.step(() => input.addData({ str: 'b', num: 1 }))).toMatchObject({ last: mode === 'update' ? [['b', 1]] : [['a', 3], ['b', 1]], total: [2, 3] });
      } finally {
        await run.stop();
      }
    }
  });
});

describe.each(['memory', 'lmdb'])('streaming dropDuplicatesWithinWatermark (%s provider)', (provider) => {
  it('all columns: keys live until the watermark passes event time + delay', async () => {
    const input = memoryStream('value INT');
    const df = input.toDF().withColumn('eventTime', expr('timestamp_seconds(value)')).withWatermark('eventTime', '10 seconds').dropDuplicatesWithinWatermark().select(expr('CAST(eventTime AS LONG)').alias('t'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, options: { [PROVIDER]: provider }, map: secs }).start();
    try {
      expect(await run.step(() => input.addData(values(...[1, 2, 3, 4, 5].flatMap(() => range(10, 15)))))).toMatchObject({ rows: range(10, 15), total: [6], updated: [6] });
      expect(await run.step(() => input.addData(values(...range(13, 17))))).toMatchObject({ rows: [16, 17], total: [8], updated: [2] });
      await run.restart();
      expect(await run.step(() => input.addData(values(5)))).toMatchObject({ rows: [], total: [8], updated: [0], dropped: [1] });
      expect(await run.step(() => input.addData(values(35)))).toMatchObject({ rows: [35], total: [3], updated: [1] });
      expect(await run.step(() => input.addData(values(55)))).toMatchObject({ rows: [55], total: [1], updated: [1] });
      expect(run.query.lastProgress!.stateOperators[0]!.operatorName).toBe('dedupeWithinWatermark');
    } finally {
      await run.stop();
    }
  });

  it('a subset of columns without the event time: a key expires at first event time + delay', async () => {
    const input = memoryStream('k STRING, s INT');
    const df = input.toDF().withColumn('eventTime', expr('timestamp_seconds(s)')).withWatermark('eventTime', '2 seconds').dropDuplicatesWithinWatermark(['k']).select(col('k'), expr('CAST(eventTime AS LONG)').alias('t'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, options: { [PROVIDER]: provider }, map: (r) => [r.k, Number(r.t)] }).start();
    const add = (...p: [string, number][]) => () => input.addData(p.map(([k, s]) => ({ k, s })));
    try {
      expect(await run.step(add(['a', 17]))).toMatchObject({ rows: [['a', 17]], total: [1], updated: [1] });
      expect(await run.step(add(['a', 16]))).toMatchObject({ rows: [], total: [1], updated: [0] });
      expect(await run.step(add(['a', 13]))).toMatchObject({ rows: [], total: [1], updated: [0], dropped: [1] });
      await run.restart();
      expect(await run.step(add(['b', 22], ['c', 21]))).toMatchObject({ rows: [['b', 22], ['c', 21]], total: [2], updated: [2] });
      expect(await run.step(add(['a', 21]))).toMatchObject({ rows: [['a', 21]], total: [3], updated: [1] });
      expect(await run.step(add(['d', 25]))).toMatchObject({ rows: [['d', 25]], total: [2], updated: [1] });
    } finally {
      await run.stop();
    }
  });
});
