/**
 * Streaming aggregation, batch by batch, restated from Spark's StreamingAggregationSuite,
 * EventTimeWatermarkSuite and MultiStatefulOperatorsSuite: the new rows of each step and the
 * stateOperators metrics, in every output mode, with a restart from the checkpoint in the middle
 * of each scenario, on both state store providers.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { approxCountDistinct, avg, col, collectList, count, expr, max, memoryStream, min, stddev, sum, window, type Row } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { StatefulRun, range, values } from './harness.js';

const PROVIDER = 'spark.sql.streaming.stateStore.providerClass';

/** value → eventTime = timestamp_seconds(value), watermark 10 s, 5 s windows, count; rows are [window start (s), count]. */
function windowedCounts(withWatermark = true) {
  const input = memoryStream('value INT');
  let df = input.toDF().withColumn('eventTime', expr('timestamp_seconds(value)'));
  if (withWatermark) df = df.withWatermark('eventTime', '10 seconds');
  const out = df.groupBy(window(col('eventTime'), '5 seconds')).agg(count('*').alias('count')).select(expr('CAST(window.start AS LONG)').alias('start'), col('count'));
  return { input, df: out };
}
const pair = (r: Row) => [Number(r.start), Number(r.count)];

describe.each(['memory', 'lmdb'])('streaming aggregation (%s provider)', (provider) => {
  it('update mode without watermark: the changed groups each batch; restart continues the counts', async () => {
    const input = memoryStream('value INT');
    const df = input.toDF().groupBy('value').agg(count('*').alias('count'));
    const run = await new StatefulRun(df, { mode: 'update', checkpoint: `${tempDir()}/chk`, options: { [PROVIDER]: provider }, map: (r) => [r.value, Number(r.count)] }).start();
    try {
      expect(await run.step(() => input.addData(values(3, 2)))).toMatchObject({ rows: [[2, 1], [3, 1]], total: [1 + 1], updated: [2] });
      expect(await run.step(() => input.addData(values(3, 2)))).toMatchObject({ rows: [[2, 2], [3, 2]], total: [2], updated: [2] });
      await run.restart();
      expect(await run.step(() => input.addData(values(3, 2, 1)))).toMatchObject({ rows: [[1, 1], [2, 3], [3, 3]], total: [3], updated: [3] });
      expect(await run.step(() => input.addData(values(4, 4, 4, 4)))).toMatchObject({ rows: [[4, 4]], total: [4], updated: [1], removed: [0] });
    } finally {
      await run.stop();
    }
  });

  it('complete mode: the whole result every batch, across a restart', async () => {
    const input = memoryStream('value INT');
    const df = input.toDF().groupBy('value').agg(count('*').alias('count'));
    const run = await new StatefulRun(df, { mode: 'complete', checkpoint: `${tempDir()}/chk`, options: { [PROVIDER]: provider }, map: (r) => [r.value, Number(r.count)] }).start();
    try {
      expect((await run.step(() => input.addData(values(3, 2)))).last).toEqual([[2, 1], [3, 1]]);
      expect(await run.step(() => input.addData(values(3, 2)))).toMatchObject({ last: [[2, 2], [3, 2]], total: [2], updated: [2] });
      await run.restart();
      expect((await run.step(() => input.addData(values(3, 2, 1)))).last).toEqual([[1, 1], [2, 3], [3, 3]]);
      expect(await run.step(() => input.addData(values(4, 4, 4, 4)))).toMatchObject({ last: [[1, 1], [2, 3], [3, 3], [4, 4]], total: [4], updated: [1] });
    } finally {
      await run.stop();
    }
  });

  it('append mode with watermark: a window is emitted once, by the no-data batch after the watermark passes its end; late rows are dropped (Spark "recovery")', async () => {
    const { input, df } = windowedCounts();
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, options: { [PROVIDER]: provider }, map: pair }).start();
    try {
      // Watermark 5 s after this batch: nothing closes.
      expect(await run.step(() => input.addData(values(10, 11, 12, 13, 14, 15)))).toMatchObject({ rows: [], total: [2], updated: [2], dropped: [0] });
      // Watermark 15 s: [10,15) is emitted by the no-data batch that follows.
      const s2 = await run.step(() => input.addData(values(25)));
      expect(s2).toMatchObject({ rows: [[10, 5]], total: [2], updated: [1], removed: [1], dropped: [0] });
      expect(s2.noDataBatches).toHaveLength(1);
      await run.restart();
      // 10 is late (its window ended at 15 <= watermark 15); watermark 20 closes [15,20).
      expect(await run.step(() => input.addData(values(10, 27, 30)))).toMatchObject({ rows: [[15, 1]], dropped: [1], total: [2] });
      await run.restart();
      // The watermark (20 s) survived the restart: 17 falls in [15,20), already closed.
      expect(await run.step(() => input.addData(values(17)))).toMatchObject({ rows: [], dropped: [1], updated: [0] });
      expect(await run.step(() => input.addData(values(40)))).toMatchObject({ rows: [[25, 2]], total: [2] });
    } finally {
      await run.stop();
    }
  });

  it('update mode with watermark: updated windows each batch, state evicted behind the watermark, late rows ignored', async () => {
    const { input, df } = windowedCounts();
    const run = await new StatefulRun(df, { mode: 'update', checkpoint: `${tempDir()}/chk`, options: { [PROVIDER]: provider }, map: pair }).start();
    try {
      expect(await run.step(() => input.addData(values(10, 11, 12, 13, 14, 15)))).toMatchObject({ rows: [[10, 5], [15, 1]], total: [2] });
      expect(await run.step(() => input.addData(values(25)))).toMatchObject({ rows: [[25, 1]], total: [2], removed: [1] });
      await run.restart();
      expect(await run.step(() => input.addData(values(10, 25)))).toMatchObject({ rows: [[25, 2]], total: [2], dropped: [1] });
      expect(await run.step(() => input.addData(values(10)))).toMatchObject({ rows: [], total: [2], dropped: [1] });
    } finally {
      await run.stop();
    }
  });
});

describe('streaming aggregation', () => {
  it('complete mode keeps every window and counts rows behind the watermark (no late dropping, no eviction)', async () => {
    const { input, df } = windowedCounts();
    const run = await new StatefulRun(df, { mode: 'complete', checkpoint: `${tempDir()}/chk`, map: pair }).start();
    try {
      expect((await run.step(() => input.addData(values(10, 11, 12)))).last).toEqual([[10, 3]]);
      expect((await run.step(() => input.addData(values(25)))).last).toEqual([[10, 3], [25, 1]]);
      expect((await run.step(() => input.addData(values(25)))).last).toEqual([[10, 3], [25, 2]]);
      await run.restart();
      expect(await run.step(() => input.addData(values(10)))).toMatchObject({ last: [[10, 4], [25, 2]], dropped: [0], removed: [0] });
      expect((await run.step(() => input.addData(values(25)))).last).toEqual([[10, 4], [25, 3]]);
    } finally {
      await run.stop();
    }
  });

  it('state metrics in append mode, batch by batch, including the no-data batches (Spark "state metrics - append mode")', async () => {
    const { input, df } = windowedCounts();
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: pair }).start();
    try {
      // Batch 0 (watermark 0), then a no-data batch 1 (watermark 5) that emits nothing.
      expect(await run.step(() => input.addData(values(15)))).toMatchObject({ rows: [], batchIds: [0, 1], noDataBatches: [1], total: [1], updated: [1] });
      expect(await run.step(() => input.addData(values(10, 12, 14)))).toMatchObject({ rows: [], batchIds: [2], total: [2], updated: [1] });
      // Batch 3 sees 25 (watermark still 5); the no-data batch 4 (watermark 15) emits [10,15).
      const s = await run.step(() => input.addData(values(25)));
      expect(s).toMatchObject({ rows: [[10, 3]], batchIds: [3, 4], noDataBatches: [4], total: [2], updated: [1], removed: [1] });
      const p4 = run.query.recentProgress.at(-1)!;
      expect(p4.stateOperators[0]).toMatchObject({ operatorName: 'stateStoreSave', numRowsUpdated: 0, numRowsTotal: 2, numRowsRemoved: 1 });
      expect(p4.eventTime.watermark).toBe('1970-01-01T00:00:15.000Z');
    } finally {
      await run.stop();
    }
  });

  it('groups on the raw event-time column close when the watermark passes them', async () => {
    const input = memoryStream('value INT');
    const df = input.toDF().withColumn('eventTime', expr('timestamp_seconds(value)')).withWatermark('eventTime', '10 seconds').groupBy('eventTime').agg(count('*').alias('count')).select(expr('CAST(eventTime AS LONG)').alias('t'), col('count'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => [Number(r.t), Number(r.count)] }).start();
    try {
      expect((await run.step(() => input.addData(values(10)))).rows).toEqual([]);
      expect((await run.step(() => input.addData(values(25)))).rows).toEqual([[10, 1]]);
    } finally {
      await run.stop();
    }
  });

  it('late partial aggregates are counted per group, as Spark counts them (10 late rows in 2 windows = 2)', async () => {
    const { input, df } = windowedCounts();
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: pair }).start();
    try {
      await run.step(() => input.addData(values(...range(10, 31))));
      // Watermark 21 s: [10,15) and [15,20) are closed; 10..19 are 10 late rows in 2 groups.
      expect(await run.step(() => input.addData(values(...range(10, 19))))).toMatchObject({ rows: [], dropped: [2], updated: [0] });
    } finally {
      await run.stop();
    }
  });

  it('sliding windows and startTime: Spark window boundaries, and lateness decided per window', async () => {
    const input = memoryStream('value INT');
    const base = input.toDF().withColumn('eventTime', expr('timestamp_seconds(value)'));
    const sliding = base.withWatermark('eventTime', '0 seconds').groupBy(window(col('eventTime'), '10 seconds', '5 seconds')).agg(count('*').alias('count'), sum('value').alias('sum'));
    const project = (df: typeof sliding) => df.select(expr('CAST(window.start AS LONG)').alias('start'), expr('CAST(window.end AS LONG)').alias('end'), col('count'), col('sum'));
    const run = await new StatefulRun(project(sliding), { mode: 'update', checkpoint: `${tempDir()}/chk`, map: (r) => [Number(r.start), Number(r.end), Number(r.count), Number(r.sum)] }).start();
    try {
      // 12 falls in [5,15) and [10,20); 20 in [15,25) and [20,30).
      expect((await run.step(() => input.addData(values(12, 20)))).rows).toEqual([[10, 20, 1, 12], [15, 25, 1, 20], [20, 30, 1, 20], [5, 15, 1, 12]]);
      // Watermark 20: 16 → [10,20) is closed (late), [15,25) is not.
      expect(await run.step(() => input.addData(values(16)))).toMatchObject({ rows: [[15, 25, 2, 36]], dropped: [1] });
    } finally {
      await run.stop();
    }
    const input2 = memoryStream('value INT');
    const shifted = input2.toDF().withColumn('eventTime', expr('timestamp_seconds(value)')).groupBy(window(col('eventTime'), '10 seconds', '10 seconds', '3 seconds')).agg(count('*').alias('count'));
    const run2 = await new StatefulRun(shifted.select(expr('CAST(window.start AS LONG)').alias('start'), col('count')), { mode: 'complete', checkpoint: `${tempDir()}/chk`, map: pair }).start();
    try {
      // startTime 3 s: windows [3,13), [13,23); -1 falls in [-7,3).
      expect((await run2.step(() => input2.addData(values(12, 13, 22, 23, -1)))).last).toEqual([[-7, 1], [13, 2], [23, 1], [3, 1]]);
    } finally {
      await run2.stop();
    }
  });

  it("count, sum, avg, min, max, collect_list, approx_count_distinct and stddev merge across batches and a restart, with Spark's types", async () => {
    const input = memoryStream('k STRING, v INT, d DOUBLE');
    const df = input
      .toDF()
      .groupBy('k')
      .agg(count('*').alias('n'), sum('v').alias('sv'), sum('d').alias('sd'), avg('v').alias('av'), min('v').alias('mn'), max('d').alias('mx'), collectList('v').alias('vs'), approxCountDistinct('v').alias('dv'), stddev('d').alias('sdev'));
    const fields = Object.fromEntries((await df.schema()).fields.map((f) => [f.name, f.type.kind === 'primitive' ? f.type.name : f.type.kind]));
    expect(fields).toEqual({ k: 'string', n: 'long', sv: 'long', sd: 'double', av: 'double', mn: 'integer', mx: 'double', vs: 'array', dv: 'long', sdev: 'double' });
    const run = await new StatefulRun(df, { mode: 'update', checkpoint: `${tempDir()}/chk`, map: (r) => ({ ...(r as object), vs: [...(r.vs as number[])].sort((a, b) => a - b), sdev: r.sdev === null ? null : Math.round((r.sdev as number) * 1e9) / 1e9 }) }).start();
    try {
      const s1 = await run.step(() => input.addData({ k: 'a', v: 1, d: 1.5 }, { k: 'a', v: 3, d: 2.5 }, { k: 'b', v: 7, d: 0 }));
      expect(s1.rows).toEqual([
        { k: 'a', n: 2n, sv: 4n, sd: 4, av: 2, mn: 1, mx: 2.5, vs: [1, 3], dv: 2n, sdev: 0.707106781 },
        { k: 'b', n: 1n, sv: 7n, sd: 0, av: 7, mn: 7, mx: 0, vs: [7], dv: 1n, sdev: null },
      ]);
      await run.restart();
      const s2 = await run.step(() => input.addData({ k: 'a', v: 3, d: 5 }, { k: 'a', v: -2, d: null }));
      expect(s2.rows).toEqual([{ k: 'a', n: 4n, sv: 5n, sd: 9, av: 1.25, mn: -2, mx: 5, vs: [-2, 1, 3, 3], dv: 3n, sdev: 1.802775638 }]);
    } finally {
      await run.stop();
    }
  });

  it('the state schema is recorded: restarting with other aggregates is CHECKPOINT_INCOMPATIBLE', async () => {
    const chk = `${tempDir()}/chk`;
    const input = memoryStream('value INT');
    const run = await new StatefulRun(input.toDF().groupBy('value').agg(count('*').alias('count')), { mode: 'update', checkpoint: chk }).start();
    await run.step(() => input.addData(values(1)));
    await run.stop();
    const changed = input.toDF().groupBy('value').agg(count('*').alias('count'), sum('value').alias('s'));
    const q = await changed.writeStream.outputMode('update').option('checkpointLocation', chk).foreachBatch(() => {}).start().catch((e: unknown) => e);
    // As in Spark, the check runs when the next batch is planned.
    input.addData(values(2));
    const error = q instanceof Error ? q : await (q as { processAllAvailable(): Promise<void> }).processAllAvailable().then(() => undefined, (e: unknown) => e);
    // The query fails (STREAMING_QUERY_FAILED, as Spark's StreamingQueryException) caused by the typed check.
    expect(error).toMatchObject({ code: 'STREAMING_QUERY_FAILED', cause: { code: 'CHECKPOINT_INCOMPATIBLE' } });
    expect((error as Error).message).toMatch(/different value schema/);
  });

  it("checkpoint layout: state/<op>/0/<v>.delta per batch, snapshots every minDeltasForSnapshot, versions beyond minBatchesToRetain removed", async () => {
    const chk = `${tempDir()}/chk`;
    const input = memoryStream('value INT');
    const run = await new StatefulRun(input.toDF().groupBy('value').agg(count('*').alias('count')), {
      mode: 'update',
      checkpoint: chk,
      options: { 'spark.sql.streaming.stateStore.minDeltasForSnapshot': 2, 'spark.sql.streaming.minBatchesToRetain': 3 },
    }).start();
    try {
      for (let i = 0; i < 8; i++) await run.step(() => input.addData(values(i % 3)));
    } finally {
      await run.stop();
    }
    const files = readdirSync(`${chk}/state/0/0`).sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
    const deltas = files.filter((f) => f.endsWith('.delta')).map((f) => parseInt(f));
    const snapshots = files.filter((f) => f.includes('.snapshot')).map((f) => parseInt(f));
    // 8 batches commit versions 1..8; versions 6..8 must stay loadable, so nothing before the newest snapshot at or below 6 is needed.
    expect(deltas.at(-1)).toBe(8);
    expect(snapshots.length).toBeGreaterThan(0);
    expect(Math.min(...deltas, ...snapshots)).toBeGreaterThanOrEqual(4);
    expect(deltas).not.toContain(1);
    expect(readdirSync(`${chk}/state/0`)).toEqual(['0']);
  });
});
