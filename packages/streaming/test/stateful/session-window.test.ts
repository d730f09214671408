import { describe, expect, it } from 'vitest';
import { col, count, expr, max, memoryStream, min, sessionWindow, type Column, type DataFrame, type Row } from '../../src/index.js';
import type { StreamingQuery } from '../../src/api/streaming-query.js';
import { tempDir } from '../helpers.js';

// Cases restated from Spark's StreamingSessionWindowSuite (read as a specification): lines are
// pre-split into words, one row per word (what explode(split(value, ' ')) yields).
type Out = [string, number, number, number, number];

function sessions(df: DataFrame, gap: string | Column = '10 seconds'): DataFrame {
  return df
    .withColumn('eventTime', expr('timestamp_seconds(ts)'))
    .withWatermark('eventTime', '30 seconds')
    .groupBy(sessionWindow(col('eventTime'), gap), 'sessionId')
    .agg(count('*').alias('numEvents'))
    .selectExpr('sessionId', 'CAST(session_window.start AS LONG) AS s', 'CAST(session_window.end AS LONG) AS e', 'CAST(session_window.end AS LONG) - CAST(session_window.start AS LONG) AS d', 'numEvents');
}

const words = (...lines: [string, number][]) => lines.flatMap(([line, ts]) => line.split(' ').map((w) => ({ sessionId: w, ts })));
const asTuple = (r: Row): Out => [r.sessionId as string, Number(r.s), Number(r.e), Number(r.d), Number(r.numEvents)];
const sorted = (rows: Out[]) => [...rows].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));

interface Metrics {
  numRowsTotal: number;
  numRowsUpdated: number;
  numRowsRemoved: number;
  numRowsDroppedByWatermark: number;
}

/** A query on a memory stream, restartable on its checkpoint; `step` adds data and returns the new rows and summed metrics. */
function harness(mode: 'append' | 'complete', options: Record<string, string> = {}, gap?: string | Column) {
  const chk = `${tempDir()}/chk`;
  const input = memoryStream('sessionId STRING, ts LONG');
  const batches: Out[][] = [];
  let q: StreamingQuery | undefined;
  let seenBatches = 0;
  let seenProgress = 0;
  return {
    async start() {
      let w = sessions(input.toDF(), gap).writeStream.outputMode(mode).option('checkpointLocation', chk);
      for (const [k, v] of Object.entries(options)) w = w.option(k, v);
      q = await w.foreachBatch(async (df) => void batches.push((await df.collect()).map(asTuple))).start();
      seenProgress = 0;
    },
    async stop() {
      await q!.stop();
    },
    /** Adds rows, processes all available, returns the rows of the batches that ran and their operator metrics (total: the last one's). */
    async step(rows: { sessionId: string; ts: number }[]): Promise<{ rows: Out[]; last: Out[]; metrics: Metrics }> {
      if (rows.length > 0) input.addData(...rows);
      await q!.processAllAvailable();
      const fresh = batches.slice(seenBatches);
      seenBatches = batches.length;
      const progress = q!.recentProgress.slice(seenProgress);
      seenProgress = q!.recentProgress.length;
      const ops = progress.map((p) => p.stateOperators[0]!);
      const metrics: Metrics = {
        numRowsTotal: ops.at(-1)?.numRowsTotal ?? -1,
        numRowsUpdated: ops.reduce((s, o) => s + o.numRowsUpdated, 0),
        numRowsRemoved: ops.reduce((s, o) => s + o.numRowsRemoved, 0),
        numRowsDroppedByWatermark: ops.reduce((s, o) => s + o.numRowsDroppedByWatermark, 0),
      };
      return { rows: sorted(fresh.flat()), last: sorted(fresh.at(-1) ?? []), metrics };
    },
  };
}

/** Reference sessions (gaps and islands, touching sessions merge): [id, start, end, count, min ts, max ts] per session. */
function sessionsOf(rows: readonly { sessionId: string; ts: number }[], gap: number): (string | number)[][] {
  const byId = new Map<string, number[]>();
  for (const r of rows) (byId.get(r.sessionId) ?? byId.set(r.sessionId, []).get(r.sessionId)!).push(r.ts);
  const out: (string | number)[][] = [];
  for (const [id, times] of byId) {
    times.sort((a, b) => a - b);
    let cur: (string | number)[] | undefined;
    for (const t of times) {
      if (cur === undefined || t > (cur[2] as number)) {
        cur = [id, t, t + gap, 0, t, t];
        out.push(cur);
      }
      cur[2] = Math.max(cur[2] as number, t + gap);
      cur[3] = (cur[3] as number) + 1;
      cur[5] = t;
    }
  }
  return out;
}

const m = (numRowsTotal: number, numRowsUpdated: number, numRowsRemoved: number, numRowsDroppedByWatermark = 0): Metrics => ({ numRowsTotal, numRowsUpdated, numRowsRemoved, numRowsDroppedByWatermark });

async function appendScenario(options: Record<string, string>, restartAfter?: number): Promise<void> {
  const h = harness('append', options);
  await h.start();
  const steps: [ReturnType<typeof words>, Out[], Metrics][] = [
    // watermark 11 after this batch (a no-data batch follows: nothing ends by 11)
    [words(['hello world spark streaming', 40], ['world hello structured streaming', 41]), [], m(5, 5, 0)],
    // placing new sessions before previous ones: both stored sessions of the key are written back
    [words(['spark streaming', 25]), [], m(7, 4, 0)],
    // late: the rows' sessions end at 10 <= watermark 11
    [words(['spark streaming', 0]), [], m(7, 0, 0, 2)],
    // concatenating previous sessions into one: [25,35] + [30,40] + [40,50] (touching) = [25,50]
    [words(['spark streaming', 30]), [], m(5, 2, 2)],
    // sessions after previous ones; watermark 30
    [words(['hello apache spark', 60]), [], m(8, 5, 0)],
    // watermark 60: the no-data batch emits and evicts the sessions ending by 60
    [
      words(['structured streaming', 90]),
      [
        ['spark', 25, 50, 25, 3],
        ['streaming', 25, 51, 26, 4],
        ['hello', 40, 51, 11, 2],
        ['world', 40, 51, 11, 2],
        ['structured', 41, 51, 10, 1],
      ],
      m(5, 4, 5),
    ],
  ];
  for (let i = 0; i < steps.length; i++) {
    const [rows, expected, metrics] = steps[i]!;
    const got = await h.step(rows);
    expect(got.rows, `rows after step ${i}`).toEqual(sorted(expected));
    expect(got.metrics, `metrics after step ${i}`).toEqual(metrics);
    if (i === restartAfter) {
      await h.stop();
      await h.start();
    }
  }
  await h.stop();
}

describe("streaming sessionWindow: Spark's SessionWindowStateStoreRestore/SaveExec", () => {
  it('append mode: sessions merge across batches, late rows are dropped and counted, a session is emitted once the watermark passes its end', async () => {
    await appendScenario({});
  });

  it('append mode on the lmdb state store, restarted from the checkpoint in the middle', async () => {
    await appendScenario({ 'spark.sql.streaming.stateStore.providerClass': 'lmdb' }, 2);
  });

  it('append mode restarted after each step gives the same rows and metrics', async () => {
    await appendScenario({}, 0);
    await appendScenario({}, 3);
  });

  it('complete mode: every session each batch, merged across batches', async () => {
    const h = harness('complete');
    await h.start();
    const base: Out[] = [
      ['hello', 40, 51, 11, 2],
      ['world', 40, 51, 11, 2],
      ['streaming', 40, 51, 11, 2],
      ['spark', 40, 50, 10, 1],
      ['structured', 41, 51, 10, 1],
    ];
    let got = await h.step(words(['hello world spark streaming', 40], ['world hello structured streaming', 41]));
    expect(got.last).toEqual(sorted(base));
    got = await h.step(words(['spark streaming', 25]));
    expect(got.last).toEqual(sorted([['spark', 25, 35, 10, 1], ['streaming', 25, 35, 10, 1], ...base]));
    expect(got.metrics).toEqual(m(7, 4, 0));
    const merged: Out[] = [
      ['spark', 25, 50, 25, 3],
      ['streaming', 25, 51, 26, 4],
      ['hello', 40, 51, 11, 2],
      ['world', 40, 51, 11, 2],
      ['structured', 41, 51, 10, 1],
    ];
    got = await h.step(words(['spark streaming', 30]));
    expect(got.last).toEqual(sorted(merged));
    expect(got.metrics).toEqual(m(5, 2, 2));
    await h.stop();
    await h.start();
    const later: Out[] = [['hello', 60, 70, 10, 1], ['apache', 60, 70, 10, 1], ['spark', 60, 70, 10, 1]];
    got = await h.step(words(['hello apache spark', 60]));
    expect(got.last).toEqual(sorted([...merged, ...later]));
    got = await h.step(words(['structured streaming', 90]));
    expect(got.last).toEqual(sorted([...merged, ...later, ['structured', 90, 100, 10, 1], ['streaming', 90, 100, 10, 1]]));
    expect(got.metrics.numRowsTotal).toBe(10);
    await h.stop();
  });

  it('a gap per row from an expression (SPARK-36465): zero and negative gaps drop the row', async () => {
    const gap = expr(`CASE WHEN sessionId = 'hello' THEN '1 second' WHEN sessionId = 'structured' THEN '0 second' WHEN sessionId = 'world' THEN '-10 seconds' ELSE '10 seconds' END`);
    const h = harness('append', {}, gap);
    await h.start();
    const steps: [ReturnType<typeof words>, Out[]][] = [
      [words(['hello world spark streaming', 40], ['world hello structured streaming', 41]), []],
      [words(['spark streaming', 25]), []],
      [words(['spark streaming', 0]), []],
      [words(['spark streaming', 30]), []],
      [words(['hello apache spark', 60]), []],
      [words(['structured streaming', 90]), [['spark', 25, 50, 25, 3], ['streaming', 25, 51, 26, 4], ['hello', 40, 42, 2, 2]]],
    ];
    for (const [i, [rows, expected]] of steps.entries()) {
      const got = await h.step(rows);
      expect(got.rows, `step ${i}`).toEqual(sorted(expected));
      if (i === 0) expect(got.metrics.numRowsTotal).toBe(3);
      if (i === 2) expect(got.metrics.numRowsDroppedByWatermark).toBe(2);
    }
    await h.stop();
  });

  it('min/max over a session built from several additions (session window with first/last function)', async () => {
    const chk = `${tempDir()}/chk`;
    const input = memoryStream('sessionId STRING, ts LONG');
    const out: Row[] = [];
    const q = await input
      .toDF()
      .withColumn('eventTime', expr('timestamp_seconds(ts)'))
      .withWatermark('eventTime', '30 seconds')
      .groupBy(sessionWindow('eventTime', '10 seconds').alias('session'), 'sessionId')
      .agg(min('eventTime').alias('minTime'), max('eventTime').alias('maxTime'))
      .selectExpr('sessionId', 'CAST(session.start AS LONG) AS s', 'CAST(session.end AS LONG) AS e', 'CAST(minTime AS LONG) AS mn', 'CAST(maxTime AS LONG) AS mx')
      .writeStream.outputMode('append')
      .option('checkpointLocation', chk)
      .foreachBatch(async (df) => void out.push(...(await df.collect())))
      .start();
    input.addData({ sessionId: 'a', ts: 41 });
    await q.processAllAvailable();
    input.addData({ sessionId: 'a', ts: 42 });
    input.addData({ sessionId: 'a', ts: 40 });
    await q.processAllAvailable();
    expect(out).toEqual([]);
    input.addData({ sessionId: 'b', ts: 100 });
    input.addData({ sessionId: 'b', ts: 101 });
    await q.processAllAvailable();
    await q.stop();
    expect(out.map((r) => [r.sessionId, Number(r.s), Number(r.e), Number(r.mn), Number(r.mx)])).toEqual([['a', 40, 52, 40, 42]]);
  });

  it('many keys over many batches (sessions read in one pass over the state): the emitted sessions are a reference sessionization of all rows', async () => {
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const chk = `${tempDir()}/chk`;
    const input = memoryStream('sessionId STRING, ts LONG');
    const query = (df: DataFrame) =>
      df
        .withColumn('eventTime', expr('timestamp_seconds(ts)'))
        .withWatermark('eventTime', '1 hour')
        .groupBy('sessionId', sessionWindow('eventTime', '45 seconds'))
        .agg(count('*').alias('numEvents'), min('ts').alias('first'), max('ts').alias('last'))
        .selectExpr('sessionId', 'CAST(session_window.start AS LONG) AS s', 'CAST(session_window.end AS LONG) AS e', 'numEvents', 'first', 'last');
    const out: Row[] = [];
    const q = await query(input.toDF()).writeStream.outputMode('append').option('checkpointLocation', chk).foreachBatch(async (df) => void out.push(...(await df.collect()))).start();
    const all: { sessionId: string; ts: number }[] = [];
    for (let b = 0; b < 8; b++) {
      // Each batch spans 30 minutes of event time, overlapping the previous one, never late for a 1 hour delay.
      const rows = Array.from({ length: 400 }, () => ({ sessionId: `u${Math.floor(rand() * 40)}`, ts: b * 900 + Math.floor(rand() * 1800) }));
      all.push(...rows);
      input.addData(...rows);
      await q.processAllAvailable();
    }
    input.addData({ sessionId: 'zz', ts: 100_000 });
    await q.processAllAvailable();
    const last = q.recentProgress.at(-1)!.stateOperators[0]!;
    await q.stop();
    const key = (r: Row) => `${r.sessionId as string}:${String(r.s)}`;
    const expected = sessionsOf(all, 45);
    expect(out.length).toBe(expected.length);
    expect(out.map((r) => [r.sessionId, Number(r.s), Number(r.e), Number(r.numEvents), Number(r.first), Number(r.last)]).sort()).toEqual(expected.sort());
    expect(out.map(key).length).toBe(new Set(out.map(key)).size);
    expect(last.numRowsTotal).toBe(1);
  });

  it("refuses at start what Spark refuses: update mode, a global session window, append without a watermark", async () => {
    const input = memoryStream('sessionId STRING, ts LONG');
    const start = (df: DataFrame, mode: 'append' | 'update' | 'complete') => df.writeStream.outputMode(mode).option('checkpointLocation', `${tempDir()}/chk`).foreachBatch(async () => {}).start();
    await expect(start(sessions(input.toDF()), 'update')).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringMatching(/Update output mode not supported for session window/) });
    const events = input.toDF().withColumn('eventTime', expr('timestamp_seconds(ts)')).withWatermark('eventTime', '10 seconds');
    await expect(start(events.groupBy(sessionWindow('eventTime', '5 seconds')).count(), 'append')).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringMatching(/Global aggregation with session window/) });
    await expect(start(events.groupBy(sessionWindow('eventTime', '5 seconds')).count(), 'complete')).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION' });
    const noWatermark = input.toDF().withColumn('eventTime', expr('timestamp_seconds(ts)')).groupBy(sessionWindow('eventTime', '5 seconds'), 'sessionId').count();
    await expect(start(noWatermark, 'append')).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringMatching(/Append output mode/) });
  });
});
