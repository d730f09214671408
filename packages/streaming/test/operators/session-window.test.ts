import { describe, expect, it } from 'vitest';
import { col, count, expr, max, min, sessionWindow, sum, window, type Row } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { expectRows, rng, sql, table } from './duck.js';

// Cases from Spark's DataFrameSessionWindowingSuite (read as a specification).
const DDL = 'time TIMESTAMP, value INT, id STRING';
const hms = (s: unknown) => (s as string).slice(11, 19);
const at = (t: string) => `2016-03-27T${t}Z`;

type Session = { start: string; end: string };
const flat = (rows: readonly Row[], ...extra: string[]) =>
  rows.map((r) => [hms((r.session_window as Session).start), hms((r.session_window as Session).end), ...extra.map((c) => (typeof r[c] === 'bigint' ? Number(r[c]) : r[c]))]);

describe("sessionWindow(): Spark's SessionWindowing and MergingSessionsExec (batch)", () => {
  it('a single record opens [time, time + gap); the column is named session_window, typed struct<start, end>', async () => {
    const df = await table(`${tempDir()}/t`, 's1', DDL, [{ time: at('19:39:30'), value: 1, id: 'a' }]);
    const out = df.groupBy(sessionWindow('time', '10 seconds')).agg(count('*').alias('counts'));
    expect(flat(await out.collect(), 'counts')).toEqual([['19:39:30', '19:39:40', 1]]);
    const schema = await out.schema();
    expect(schema.fields[0]).toMatchObject({ name: 'session_window', type: { kind: 'struct', fields: [{ name: 'start', type: { name: 'timestamp' } }, { name: 'end', type: { name: 'timestamp' } }] } });
  });

  it('sessions per key: events within the gap merge and extend the end', async () => {
    const df = await table(`${tempDir()}/t`, 's2', DDL, [
      { time: at('19:39:34'), value: 1, id: 'a' },
      { time: at('19:39:39'), value: 1, id: 'a' },
      { time: at('19:39:56'), value: 2, id: 'a' },
      { time: at('19:40:04'), value: 2, id: 'a' },
      { time: at('19:39:27'), value: 4, id: 'b' },
    ]);
    const rows = await df.groupBy(sessionWindow('time', '10 seconds'), 'id').agg(count('*').alias('counts'), sum('value').alias('sum')).orderBy(col('session_window.start')).collect();
    expect(flat(rows, 'id', 'counts', 'sum')).toEqual([
      ['19:39:27', '19:39:37', 'b', 1, 4],
      ['19:39:34', '19:39:49', 'a', 2, 2],
      ['19:39:56', '19:40:14', 'a', 2, 4],
    ]);
    // Without other keys every row takes part in one sequence of sessions.
    const global = await df.groupBy(sessionWindow('time', '10 seconds')).agg(count('*').alias('counts')).orderBy(col('session_window.start')).collect();
    expect(flat(global, 'counts')).toEqual([
      ['19:39:27', '19:39:49', 3],
      ['19:39:56', '19:40:14', 2],
    ]);
  });

  it('keys overlapping in time keep separate sessions; a session touching the next one (start = end) merges', async () => {
    const df = await table(`${tempDir()}/t`, 's3', DDL, [
      { time: at('19:39:34'), value: 1, id: 'a' },
      { time: at('19:39:39'), value: 1, id: 'b' },
      { time: at('19:39:40'), value: 2, id: 'a' },
      { time: at('19:39:45'), value: 2, id: 'b' },
      { time: at('19:39:27'), value: 4, id: 'b' },
      { time: at('19:40:00'), value: 8, id: 'c' },
      { time: at('19:40:10'), value: 8, id: 'c' },
    ]);
    const rows = await df.groupBy(sessionWindow('time', '10 seconds'), 'id').agg(count('*').alias('counts'), sum('value').alias('sum')).orderBy(col('session_window.start')).collect();
    expect(flat(rows, 'id', 'counts', 'sum')).toEqual([
      ['19:39:27', '19:39:37', 'b', 1, 4],
      ['19:39:34', '19:39:50', 'a', 2, 3],
      ['19:39:39', '19:39:55', 'b', 2, 3],
      ['19:40:00', '19:40:20', 'c', 2, 16],
    ]);
  });

  it('null times are in no session', async () => {
    const df = await table(`${tempDir()}/t`, 's4', DDL, [
      { time: '2016-03-27T09:00:05Z', value: 1, id: 'a' },
      { time: '2016-03-27T09:00:32Z', value: 2, id: 'a' },
      { time: null, value: 3, id: 'a' },
      { time: null, value: 4, id: 'a' },
    ]);
    const rows = await df.groupBy(sessionWindow('time', '10 seconds')).agg(sum('value').alias('v')).orderBy(col('session_window.start')).collect();
    expect(flat(rows, 'v')).toEqual([
      ['09:00:05', '09:00:15', 1],
      ['09:00:32', '09:00:42', 2],
    ]);
  });

  it('a gap per row from an expression; zero, negative, null and invalid gaps drop the row', async () => {
    const df = await table(`${tempDir()}/t`, 's5', 'time TIMESTAMP, value INT, duration STRING', [
      { time: at('19:39:34'), value: 1, duration: '10 seconds' },
      { time: at('19:39:56'), value: 2, duration: '20 seconds' },
      { time: at('19:39:27'), value: 4, duration: '30 seconds' },
    ]);
    const q = (gap: string) => df.groupBy(sessionWindow('time', expr(gap)), 'value').count().orderBy(col('session_window.start')).collect();
    expect(flat(await q('duration'), 'value')).toEqual([
      ['19:39:27', '19:39:57', 4],
      ['19:39:34', '19:39:44', 1],
      ['19:39:56', '19:40:16', 2],
    ]);
    expect(flat(await q(`CASE WHEN value = 1 THEN '2 seconds' WHEN value = 2 THEN 'invalid gap duration' ELSE '20 seconds' END`), 'value')).toEqual([
      ['19:39:27', '19:39:47', 4],
      ['19:39:34', '19:39:36', 1],
    ]);
    const filtered = await df.groupBy(sessionWindow(col('time'), expr(`CASE WHEN value = 1 THEN '0 seconds' WHEN value = 2 THEN '-10 seconds' ELSE '5 seconds' END`))).agg(count('*').alias('counts')).collect();
    expect(flat(filtered, 'counts')).toEqual([['19:39:27', '19:39:32', 1]]);
    const nulls = await df.groupBy(sessionWindow('time', expr(`CASE WHEN value = 1 THEN NULL ELSE '1 minute' END`))).agg(count('*').alias('counts')).collect();
    expect(flat(nulls, 'counts')).toEqual([['19:39:27', '19:40:56', 2]]);
    // An invalid constant gap is a null interval in Spark: no row is in a session.
    expect(await df.groupBy(sessionWindow('time', 'x sec')).count().collect()).toEqual([]);
    // An interval literal is a constant gap too.
    expect(flat(await df.groupBy(sessionWindow('time', expr('INTERVAL 30 SECONDS'))).count().collect(), 'count')).toEqual([['19:39:27', '19:40:26', 3]]);
  });

  it('timestamp_ntz time columns give timestamp_ntz sessions; dates are cast to timestamps', async () => {
    const ntz = await table(`${tempDir()}/t`, 's6', 'time TIMESTAMP_NTZ, value INT', [
      { time: '2016-03-27T19:39:30', value: 1 },
      { time: '2016-03-27T19:39:25', value: 2 },
    ]);
    const out = ntz.groupBy(sessionWindow('time', '10 seconds')).agg(count('*').alias('counts'));
    expect((await out.schema()).fields[0]!.type).toMatchObject({ kind: 'struct', fields: [{ name: 'start', type: { name: 'timestamp_ntz' } }, { name: 'end', type: { name: 'timestamp_ntz' } }] });
    const [row] = await out.collect();
    expect([(row!.session_window as Session).start.slice(0, 19), (row!.session_window as Session).end.slice(0, 19), row!.counts]).toEqual(['2016-03-27T19:39:25', '2016-03-27T19:39:40', 2n]);
    const dates = await table(`${tempDir()}/t`, 's7', 'day DATE, value INT', [
      { day: '2024-01-01', value: 1 },
      { day: '2024-01-02', value: 2 },
      { day: '2024-01-05', value: 4 },
    ]);
    const byDay = await dates.groupBy(sessionWindow('day', '1 day')).agg(sum('value').alias('v')).orderBy(col('session_window.start')).collect();
    expect(byDay.map((r) => [(r.session_window as Session).start.slice(0, 10), (r.session_window as Session).end.slice(0, 10), r.v])).toEqual([
      ['2024-01-01', '2024-01-03', 3n],
      ['2024-01-05', '2024-01-06', 4n],
    ]);
  });

  it('refuses what Spark refuses: two windows in one groupBy, a gap that is not a duration', async () => {
    const df = await table(`${tempDir()}/t`, 's8', DDL, [{ time: at('19:39:30'), value: 1, id: 'a' }]);
    await expect(df.groupBy(sessionWindow('time', '10 seconds'), sessionWindow('time', '15 seconds')).count().schema()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(df.groupBy(sessionWindow('time', '10 seconds'), window('time', '15 seconds')).count().schema()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(df.groupBy(sessionWindow('time', expr('1.0'))).count().schema()).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
    await expect(df.groupBy(sessionWindow('value', '10 seconds')).count().schema()).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
  });

  it('many rows: the same sessions and aggregates as a DuckDB gaps-and-islands query (constant and per-row gaps)', async () => {
    const rand = rng(7);
    const gaps: [string | null, number][] = [['30 seconds', 30e6], ['2 minutes', 120e6], ['0 seconds', 0], ['-5 seconds', -5e6], [null, 0], ['bogus', 0], ['1 minute 30 seconds', 90e6]];
    const base = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 6000 }, (_, i) => {
      const [gap, gapUs] = gaps[Math.floor(rand() * gaps.length)]!;
      const time = rand() < 0.02 ? null : new Date(base + Math.floor(rand() * 7_200_000)).toISOString();
      return { time, value: Math.floor(rand() * 1000) - 100, id: rand() < 0.03 ? null : `u${i % 23}`, gap, gap_us: gapUs };
    });
    const df = await table(`${tempDir()}/t`, 's9', 'time TIMESTAMP, value INT, id STRING, gap STRING, gap_us BIGINT', rows);
    const islands = (gapUs: string) => sql(`WITH e AS (SELECT id, epoch_us(time) t, epoch_us(time) + ${gapUs} e, value FROM s9 WHERE time IS NOT NULL AND ${gapUs} > 0),
      p AS (SELECT *, max(e) OVER (PARTITION BY id ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) pe FROM e),
      s AS (SELECT *, sum(CASE WHEN pe IS NULL OR t > pe THEN 1 ELSE 0 END) OVER (PARTITION BY id ORDER BY t ROWS UNBOUNDED PRECEDING) sid FROM p)
      SELECT id, strftime(make_timestamp(min(t)), '%Y-%m-%dT%H:%M:%S.%fZ') "start", strftime(make_timestamp(max(e)), '%Y-%m-%dT%H:%M:%S.%fZ') "end",
        count(*) n, sum(value)::BIGINT s, min(value) mn, max(value) mx FROM s GROUP BY id, sid`);
    const ours = async (gap: string | ReturnType<typeof expr>) =>
      (await df.groupBy('id', sessionWindow('time', gap)).agg(count('*').alias('n'), sum('value').alias('s'), min('value').alias('mn'), max('value').alias('mx')).collect()).map((r) => ({
        id: r.id,
        start: (r.session_window as Session).start,
        end: (r.session_window as Session).end,
        n: r.n,
        s: r.s,
        mn: r.mn,
        mx: r.mx,
      }));
    const constant = await ours('45 seconds');
    expect(constant.length).toBeGreaterThan(500);
    expectRows(constant, await islands('45000000'), ['id', 'start']);
    const perRow = await ours(expr('gap'));
    expect(perRow.length).toBeGreaterThan(500);
    expectRows(perRow, await islands('gap_us'), ['id', 'start']);
  });
});
