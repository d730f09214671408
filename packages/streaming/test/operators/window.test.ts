import { describe, expect, it } from 'vitest';
import { col, count, sum, window } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { expectRows, sql, table } from './duck.js';

// Cases from Spark's DataFrameTimeWindowingSuite (read as a specification).
const EVENTS = [
  { time: '2016-03-27T19:39:34Z', value: 1, id: 'a' },
  { time: '2016-03-27T19:39:56Z', value: 2, id: 'a' },
  { time: '2016-03-27T19:39:27Z', value: 4, id: 'b' },
];
const DDL = 'time TIMESTAMP, value INT, id STRING';
const short = (s: unknown) => (s as string).slice(11, 19);

async function windows(df: Awaited<ReturnType<typeof table>>, w: ReturnType<typeof window>, extra: string[] = []) {
  const rows = await df.groupBy(w, ...extra).agg(count('*').alias('counts')).orderBy(col('window.start'), ...extra).collect();
  return rows.map((r) => [short((r.window as { start: string }).start), short((r.window as { end: string }).end), Number(r.counts)]);
}

describe("window(): Spark's TimeWindowing", () => {
  it('tumbling windows are half-open [start, end), named window, typed struct<start, end>', async () => {
    const df = await table(`${tempDir()}/t`, 'w1', DDL, [...EVENTS, { time: '2016-03-27T19:39:30Z', value: 8, id: 'c' }, { time: null, value: 9, id: 'n' }]);
    expect(await windows(df, window('time', '10 seconds'))).toEqual([
      ['19:39:20', '19:39:30', 1],
      ['19:39:30', '19:39:40', 2],
      ['19:39:50', '19:40:00', 1],
    ]);
    const schema = await df.groupBy(window('time', '10 seconds')).agg(sum('value')).schema();
    expect(schema.fields[0]!.type).toMatchObject({ kind: 'struct', fields: [{ name: 'start', type: { name: 'timestamp' } }, { name: 'end', type: { name: 'timestamp' } }] });
  });

  it('tumbling windows with a start time offset, per id', async () => {
    const df = await table(`${tempDir()}/t`, 'w2', DDL, EVENTS);
    expect(await windows(df, window('time', '10 seconds', '10 seconds', '5 seconds'), ['id'])).toEqual([
      ['19:39:25', '19:39:35', 1],
      ['19:39:25', '19:39:35', 1],
      ['19:39:55', '19:40:05', 1],
    ]);
  });

  it('sliding windows: every window holding the time (10 s every 3 s: 4, 3 and 3 windows)', async () => {
    const df = await table(`${tempDir()}/t`, 'w3', DDL, EVENTS);
    expect(await windows(df, window('time', '10 seconds', '3 seconds', '0 second'))).toEqual([
      ['19:39:18', '19:39:28', 1],
      ['19:39:21', '19:39:31', 1],
      ['19:39:24', '19:39:34', 1],
      ['19:39:27', '19:39:37', 2],
      ['19:39:30', '19:39:40', 1],
      ['19:39:33', '19:39:43', 1],
      ['19:39:48', '19:39:58', 1],
      ['19:39:51', '19:40:01', 1],
      ['19:39:54', '19:40:04', 1],
    ]);
  });

  it('times before 1970 and a negative start offset land in the right window', async () => {
    const df = await table(`${tempDir()}/t`, 'w4', DDL, [{ time: '1969-12-31T23:59:55Z', value: 1, id: 'a' }, { time: '1969-12-31T23:59:50Z', value: 1, id: 'a' }]);
    expect(await windows(df, window('time', '10 seconds'))).toEqual([
      ['23:59:50', '00:00:00', 2],
    ]);
    expect(await windows(df, window('time', '10 seconds', '10 seconds', '-3 seconds'))).toEqual([
      ['23:59:47', '23:59:57', 2],
    ]);
  });

  it('tumbling windows over many rows match DuckDB time_bucket; sliding counts match a DuckDB range join', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ time: new Date(Date.UTC(2024, 0, 1) + ((i * 7_777_777) % 86_400_000)).toISOString(), value: i % 100, id: `i${i % 7}` }));
    const df = await table(`${tempDir()}/t`, 'w5', DDL, rows);
    const ours = (await df.groupBy(window('time', '17 minutes', '17 minutes', '2 minutes'), 'id').agg(count('*').alias('n'), sum('value').alias('s')).collect()).map((r) => ({ start: (r.window as { start: string }).start, id: r.id, n: r.n, s: r.s }));
    const theirs = await sql(`SELECT strftime(time_bucket(INTERVAL 17 MINUTES, time, TIMESTAMP '1970-01-01 00:02:00'), '%Y-%m-%dT%H:%M:%S.%fZ') "start", id, count(*) n, sum(value)::BIGINT s FROM w5 GROUP BY ALL`);
    expectRows(ours, theirs, ['start', 'id']);
    const sliding = (await df.groupBy(window('time', '10 minutes', '4 minutes')).agg(count('*').alias('n')).collect()).map((r) => ({ start: (r.window as { start: string }).start, n: r.n }));
    const expected = await sql(`WITH starts AS (SELECT DISTINCT make_timestamp(((epoch_us(time) // 240000000) - k) * 240000000) s FROM w5, range(0, 3) r(k))
      SELECT strftime(s, '%Y-%m-%dT%H:%M:%S.%fZ') "start", count(*) n FROM starts JOIN w5 ON time >= s AND time < s + INTERVAL 10 MINUTES GROUP BY s`);
    expectRows(sliding, expected, ['start']);
  });

  it('invalid windows are refused as Spark does', async () => {
    const df = await table(`${tempDir()}/t`, 'w6', DDL, EVENTS);
    await expect(df.groupBy(window('time', '10 seconds', '20 seconds')).count().schema()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(df.groupBy(window('time', '10 seconds', '5 seconds', '5 seconds')).count().schema()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(df.groupBy(window('value', '10 seconds')).count().schema()).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
  });
});
