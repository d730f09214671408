/**
 * Event-time watermarks, restated from Spark's EventTimeWatermarkSuite: per-batch event-time
 * stats, the global watermark over several inputs (per-operator watermarks kept across batches,
 * 0 until an input has data, min by default, `max` by `spark.sql.streaming.multipleWatermarkPolicy`,
 * the checkpoint's policy winning on restart), and no-data batches.
 */
import { describe, expect, it } from 'vitest';
import { col, count, expr, memoryStream, MemoryStream, sum, window, type DataFrame } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { StatefulRun, values } from './harness.js';

const POLICY = 'spark.sql.streaming.multipleWatermarkPolicy';
const at = (s: number) => new Date(s * 1000).toISOString();

describe('event-time watermark', () => {
  it('event-time stats and the watermark each batch; a window closes once the watermark passes its end', async () => {
    const input = memoryStream('value INT');
    const df = input.toDF().withColumn('eventTime', expr('timestamp_seconds(value)')).withWatermark('eventTime', '10 seconds').groupBy(window(col('eventTime'), '5 seconds')).agg(count('*').alias('count')).select(expr('CAST(window.start AS LONG)').alias('start'), col('count'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => [Number(r.start), Number(r.count)] }).start();
    const lastWithData = () => run.query.recentProgress.filter((p) => p.numInputRows > 0).at(-1)!.eventTime;
    try {
      expect((await run.step(() => input.addData(values(15)))).rows).toEqual([]);
      expect(lastWithData()).toEqual({ min: at(15), max: at(15), avg: at(15), watermark: at(0) });
      expect((await run.step(() => input.addData(values(10, 12, 14)))).rows).toEqual([]);
      expect(lastWithData()).toEqual({ min: at(10), max: at(14), avg: at(12), watermark: at(5) });
      expect((await run.step(() => input.addData(values(25)))).rows).toEqual([[10, 3]]);
      expect(lastWithData()).toEqual({ min: at(25), max: at(25), avg: at(25), watermark: at(5) });
    } finally {
      await run.stop();
    }
  });

  it('no-data batches: they run only when the watermark moved and there is state to evict or emit', async () => {
    const input = memoryStream('value INT');
    const df = input.toDF().withColumn('eventTime', expr('timestamp_seconds(value)')).withWatermark('eventTime', '10 seconds').groupBy(window(col('eventTime'), '5 seconds')).agg(count('*').alias('count')).select(expr('CAST(window.start AS LONG)').alias('start'), col('count'));
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => [Number(r.start), Number(r.count)] }).start();
    try {
      expect(await run.step(() => input.addData(values(10, 11, 12, 13, 14, 15)))).toMatchObject({ batchIds: [0, 1], noDataBatches: [1], rows: [] });
      // The watermark does not move (12 < 15): no no-data batch.
      expect(await run.step(() => input.addData(values(12)))).toMatchObject({ batchIds: [2], noDataBatches: [] });
      const s = await run.step(() => input.addData(values(25)));
      expect(s).toMatchObject({ batchIds: [3, 4], noDataBatches: [4], rows: [[10, 6]] });
      expect(run.batches.get(4)!).toHaveLength(1);
      // Nothing new: nothing runs.
      expect(await run.step()).toMatchObject({ batchIds: [] });
    } finally {
      await run.stop();
    }
  });

  describe('several inputs', () => {
    /** Spark's dfWithMultipleWatermarks: two inputs, delays 10 s and 15 s, unioned. */
    function twoInputs(secondDelay = '15 seconds'): { a: MemoryStream; b: MemoryStream; df: DataFrame } {
      const a = memoryStream('value INT');
      const b = memoryStream('value INT');
      const side = (s: MemoryStream, delay: string) => s.toDF().withColumn('eventTime', expr('timestamp_seconds(value)')).withWatermark('eventTime', delay).select(col('value'));
      return { a, b, df: side(a, '10 seconds').union(side(b, secondDelay)) };
    }

    it('min policy (default): the slowest input holds the watermark, each operator remembering its own; the global one never goes back and survives restarts', async () => {
      // Spark's "watermark with 2 streams": delays 10 s and 5 s.
      const { a, b, df } = twoInputs('5 seconds');
      const total = df.groupBy().agg(sum('value').alias('s'));
      const run = await new StatefulRun(total, { mode: 'complete', checkpoint: `${tempDir()}/chk` }).start();
      // Spark's getWatermarkAfterData: add the data, then a dummy row to `a` so a batch runs with the new watermark.
      const after = async (first: number[] = [], second: number[] = []) => {
        if (first.length) a.addData(values(...first));
        if (second.length) b.addData(values(...second));
        await run.query.processAllAvailable();
        a.addData(values(0));
        await run.query.processAllAvailable();
        return Date.parse(run.query.lastProgress!.eventTime.watermark!);
      };
      try {
        expect(await after([11])).toBe(0); // 0 until both inputs have data
        expect(await after([], [6])).toBe(1000);
        expect(await after([], [8])).toBe(1000); // a still at 1 s
        expect(await after([21])).toBe(3000);
        expect(await after([], [17, 28, 39])).toBe(11000);
        expect(await after([31])).toBe(21000);
        expect(await after([41])).toBe(31000);
        expect(await after([51])).toBe(34000);
        expect(await after([100], [100])).toBe(90000);
        expect(await after([120], [110])).toBe(105000);
        expect(await after([130], [125])).toBe(120000);
        expect(await after([100], [100])).toBe(120000);
        expect(await after([140], [100])).toBe(120000);
        expect(await after([100], [135])).toBe(130000);
        expect(await after([200], [190])).toBe(185000);
        await run.restart();
        expect(await after()).toBe(185000);
        // The operators' own watermarks start over after a restart: a being ahead before does not count.
        expect(await after([], [200])).toBe(185000);
        expect(await after([200])).toBe(190000);
      } finally {
        await run.stop();
      }
    });

    /** Spark's checkWatermark: add a row to `s`, run, read the last progress's watermark (s). */
    const watermarkAfterRow = async (run: StatefulRun, s: MemoryStream) => {
      await run.step(() => s.addData(values(1)));
      return Date.parse(run.query.lastProgress!.eventTime.watermark!) / 1000;
    };

    it('max policy: the fastest input sets the watermark; recorded in the checkpoint, it wins over the option on restart', async () => {
      const { a, b, df } = twoInputs();
      const chk = `${tempDir()}/chk`;
      const run = await new StatefulRun(df, { mode: 'append', checkpoint: chk, options: { [POLICY]: 'max' }, map: (r) => r.value }).start();
      try {
        a.addData(values(20));
        expect((await run.step(() => b.addData(values(30)))).rows).toEqual([20, 30]);
        expect(await watermarkAfterRow(run, a)).toBe(15); // max(20 - 10, 30 - 15)
        await run.stop();
        // Restarted asking for min: the checkpoint says max.
        const again = await new StatefulRun(df, { mode: 'append', checkpoint: chk, options: { [POLICY]: 'min' }, map: (r) => r.value }).start();
        try {
          expect(await watermarkAfterRow(again, a)).toBe(15);
          a.addData(values(120));
          expect((await again.step(() => b.addData(values(130)))).rows).toEqual([120, 130]);
          expect(await watermarkAfterRow(again, a)).toBe(115); // max(110, 115)
          expect((await again.step(() => a.addData(values(150)))).rows).toEqual([150]);
          expect(await watermarkAfterRow(again, a)).toBe(140); // advances with one input's data
        } finally {
          await again.stop();
        }
      } finally {
        await run.stop();
      }
    });

    it('min policy: does not advance while only one input has new data', async () => {
      const { a, b, df } = twoInputs();
      const chk = `${tempDir()}/chk`;
      const run = await new StatefulRun(df, { mode: 'append', checkpoint: chk, options: { [POLICY]: 'min' }, map: (r) => r.value }).start();
      try {
        a.addData(values(20));
        await run.step(() => b.addData(values(30)));
        expect(await watermarkAfterRow(run, a)).toBe(10);
        await run.restart();
        expect(await watermarkAfterRow(run, a)).toBe(10);
        a.addData(values(120));
        await run.step(() => b.addData(values(130)));
        expect(await watermarkAfterRow(run, b)).toBe(110);
        await run.step(() => b.addData(values(150)));
        expect(await watermarkAfterRow(run, b)).toBe(110);
      } finally {
        await run.stop();
      }
    });

    it("an invalid policy is refused at start: valid values are 'min' and 'max'", async () => {
      const { df } = twoInputs();
      for (const bad of ['', 'random']) {
        const e = await df.writeStream.option(POLICY, bad).option('checkpointLocation', `${tempDir()}/chk`).foreachBatch(() => {}).start().then((q) => q.stop(), (err: unknown) => err);
        expect(e).toMatchObject({ code: 'INVALID_ARGUMENT' });
        expect((e as Error).message).toContain("valid values are 'min' and 'max'");
      }
    });
  });
});
