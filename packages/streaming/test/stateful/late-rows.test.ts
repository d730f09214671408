/**
 * Beyond Spark: rows dropped as late go to a side sink with the reason, instead of only being
 * counted in numRowsDroppedByWatermark: a callback (`onLateRows`, at least once) and/or a Delta
 * table (`lateRowsPath`, exactly once per operator and batch by an app transaction).
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { col, count, expr, memoryStream, read, window, type LateRowsInfo, type Row } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { StatefulRun, values } from './harness.js';

function windowed(slide?: string) {
  const input = memoryStream('value INT');
  const df = input
    .toDF()
    .withColumn('eventTime', expr('timestamp_seconds(value)'))
    .withWatermark('eventTime', '10 seconds')
    .groupBy(slide ? window(col('eventTime'), '10 seconds', slide) : window(col('eventTime'), '5 seconds'))
    .agg(count('*').alias('count'))
    .select(expr('CAST(window.start AS LONG)').alias('start'), col('count'));
  return { input, df };
}

describe('late rows to a side sink', () => {
  it('onLateRows: a windowed aggregation hands its late input rows with the reason, operator, batch id and watermark', async () => {
    const { input, df } = windowed();
    const late: { rows: Row[]; info: LateRowsInfo }[] = [];
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, writer: (w) => w.onLateRows((rows, info) => void late.push({ rows, info })) }).start();
    try {
      await run.step(() => input.addData(values(10, 11, 12, 13, 14, 15)));
      await run.step(() => input.addData(values(25))); // watermark 15 s
      expect(late).toEqual([]);
      // Batches: 0, no-data 1, 2, no-data 3 (watermark 15 s), then 4.
      const s = await run.step(() => input.addData(values(10, 11, 26)));
      expect(s.dropped).toEqual([1]); // one late group, two late rows
      expect(late).toHaveLength(1);
      const { rows, info } = late[0]!;
      expect(info).toMatchObject({ operator: 'stateStoreSave', operatorId: 0, batchId: 4, watermarkMs: 15000, watermark: '1970-01-01T00:00:15.000Z' });
      expect(rows.map((r) => r.value)).toEqual([10, 11]);
      expect(rows[0]).toMatchObject({
        _late_operator: 'stateStoreSave',
        _late_operator_id: 0,
        _late_batch_id: 4n,
        _late_watermark: '1970-01-01T00:00:15.000000Z',
        _late_event_time: '1970-01-01T00:00:15.000000Z',
        value: 10,
        eventTime: '1970-01-01T00:00:10.000000Z',
      });
      expect(rows[0]!._late_reason).toBe("late: window [1970-01-01T00:00:10.000Z, 1970-01-01T00:00:15.000Z) of 'window' ends at or before the watermark 1970-01-01T00:00:15.000Z; its aggregate was already final");
    } finally {
      await run.stop();
    }
  });

  it('sliding windows: a row is reported for each window it was late for, and still counted in the others', async () => {
    const { input, df } = windowed('5 seconds');
    const late: Row[] = [];
    const run = await new StatefulRun(df, { mode: 'update', checkpoint: `${tempDir()}/chk`, map: (r) => [Number(r.start), Number(r.count)], writer: (w) => w.onLateRows((rows) => void late.push(...rows)) }).start();
    try {
      await run.step(() => input.addData(values(24))); // watermark 14 s
      // 9 is in [0,10) (late: ends at 10) and [5,15) (open until 15).
      const s = await run.step(() => input.addData(values(9)));
      expect(s.rows).toEqual([[5, 1]]);
      expect(late.map((r) => [r.value, r._late_event_time])).toEqual([[9, '1970-01-01T00:00:10.000000Z']]);
    } finally {
      await run.stop();
    }
  });

  it('onLateRows with dropDuplicates: each late row with its event time', async () => {
    const input = memoryStream('id INT, s INT');
    const df = input.toDF().withColumn('ts', expr('timestamp_seconds(s)')).withWatermark('ts', '5 seconds').dropDuplicates(['id']);
    const late: { rows: Row[]; info: LateRowsInfo }[] = [];
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: `${tempDir()}/chk`, map: (r) => r.id, writer: (w) => w.onLateRows((rows, info) => void late.push({ rows, info })) }).start();
    try {
      await run.step(() => input.addData({ id: 1, s: 20 }));
      expect((await run.step(() => input.addData({ id: 2, s: 14 }, { id: 3, s: 15 }, { id: 4, s: 16 }))).rows).toEqual([4]);
      expect(late).toHaveLength(1);
      // Batches: 0, no-data 1 (watermark 15 s), 2.
      expect(late[0]!.info).toMatchObject({ operator: 'dedupe', batchId: 2, watermarkMs: 15000 });
      expect(late[0]!.rows.map((r) => [r.id, r._late_reason])).toEqual([
        [2, "late: event time 'ts' 1970-01-01T00:00:14.000Z is at or before the watermark 1970-01-01T00:00:15.000Z"],
        [3, "late: event time 'ts' 1970-01-01T00:00:15.000Z is at or before the watermark 1970-01-01T00:00:15.000Z"],
      ]);
    } finally {
      await run.stop();
    }
  });

  it('lateRowsPath: a Delta table gets each batch of late rows exactly once, even when the batch runs again after a crash', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const lateTable = `${dir}/late`;
    const { input, df } = windowed();
    const calls: number[] = [];
    const run = await new StatefulRun(df, { mode: 'append', checkpoint: chk, options: { lateRowsPath: lateTable }, map: (r) => [Number(r.start), Number(r.count)], writer: (w) => w.onLateRows((_rows, info) => void calls.push(info.batchId)) }).start();
    try {
      await run.step(() => input.addData(values(10, 11, 12, 13, 14, 15)));
      await run.step(() => input.addData(values(25)));
      // Batch 4 (after 0, no-data 1, 2, no-data 3) drops 10 and 11; 24 leaves the watermark where it is.
      await run.step(() => input.addData(values(10, 11, 24)));
      await run.stop();
      // As Spark's "recovery" test: forget the last commit so batch 4 runs again on restart.
      rmSync(`${chk}/commits/4`);
      await run.start();
      await run.step(() => input.addData(values(12, 40)));
    } finally {
      await run.stop();
    }
    // At least once for the callback (batch 4 twice), exactly once in the table.
    expect(calls).toEqual([4, 4, 5]);
    const rows = await read.format('delta').load(lateTable).collect();
    const seen = rows.map((r) => [Number(r._late_batch_id), Number(r.value)]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    expect(seen).toEqual([[4, 10], [4, 11], [5, 12]]);
    expect(Object.keys(rows[0]!)).toEqual(['_late_operator', '_late_operator_id', '_late_batch_id', '_late_watermark', '_late_event_time', '_late_reason', 'value', 'eventTime']);
  });
});
