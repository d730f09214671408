import { describe, expect, it } from 'vitest';
import { arith, call, col, lit, type Expr } from '../../../src/expr/ast.js';
import { DATE, INT, LONG, STRING, TIMESTAMP } from '../../../src/expr/type-rules.js';
import type { Value } from '../../../src/expr/value.js';
import { field, struct } from '../../../src/schema/types.js';
import { duckRows } from '../../parquet/duckdb-oracle.js';
import { epochDays, evalRows } from './datetime-helpers.js';

/**
 * Date and time functions against DuckDB (with ICU time zones) over generated inputs, where both
 * define the function the same way: date fields, ISO weeks, last_day, truncation, day and month
 * arithmetic, datediff, make_date, make_timestamp, epoch conversions, zone fields and truncation of
 * timestamps in a session zone, and date_format vs strftime for the letters that map one to one.
 *
 * Not compared, because DuckDB differs: negative epoch milliseconds (DuckDB truncates, Spark rounds
 * down); wall-clock results in a DST overlap (ICU picks the later offset, java.time keeps the
 * earlier or current one; deltakit follows java.time, tested in datetime.test.ts); `+ INTERVAL n
 * HOURS` of a day or more (Spark 3.5 moves the wall-clock date by whole days first); zone names
 * ('z': ICU's short names and Java's differ outside the Americas).
 */

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIN_DAY = epochDays(1, 1, 1);
const MAX_DAY = epochDays(9999, 12, 31);
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

describe('dates against DuckDB', () => {
  const rnd = random(7);
  const rows = Array.from({ length: 2000 }, (_, i) => {
    // Spread over years 1-9999, with a share of month ends, leap days and year boundaries.
    const base = i % 4 === 0 ? epochDays(1 + Math.floor(rnd() * 9998), 1 + Math.floor(rnd() * 12), 1) - Math.floor(rnd() * 3) : MIN_DAY + 200 + Math.floor(rnd() * (MAX_DAY - MIN_DAY - 400));
    return { d: base, n: Math.floor(rnd() * 240) - 120, e: base + Math.floor(rnd() * 2000) - 1000 };
  });
  const schema = struct([field('d', DATE), field('n', INT), field('e', DATE)]);

  it('agrees on fields, weeks, last_day, truncation, day and month arithmetic and datediff', async () => {
    const values = rows.map((r) => `(${r.d}, ${r.n}, ${r.e})`).join(',');
    const epoch = "DATE '1970-01-01'";
    const duck = await duckRows(`
      SELECT year(x) AS year, quarter(x) AS quarter, month(x) AS month, day(x) AS day, dayofweek(x) + 1 AS dayofweek,
             isodow(x) - 1 AS weekday, dayofyear(x) AS dayofyear, week(x) AS weekofyear, isoyear(x) AS isoyear,
             (last_day(x) - ${epoch}) AS last_day,
             (CAST(date_trunc('week', x) AS DATE) - ${epoch}) AS tweek, (CAST(date_trunc('month', x) AS DATE) - ${epoch}) AS tmonth,
             (CAST(date_trunc('quarter', x) AS DATE) - ${epoch}) AS tquarter, (CAST(date_trunc('year', x) AS DATE) - ${epoch}) AS tyear,
             ((x + n) - ${epoch}) AS plus, ((x - n) - ${epoch}) AS minus, (CAST(x + INTERVAL (n) MONTH AS DATE) - ${epoch}) AS months,
             date_diff('day', y, x) AS diff, (make_date(year(x), month(x), day(x)) - ${epoch}) AS made
      FROM (SELECT ${epoch} + d AS x, n, ${epoch} + e AS y FROM (VALUES ${values}) v(d, n, e))`);
    const ours = (e: Expr): Value[] => evalRows(e, schema, rows);
    const cols: [string, Expr][] = [
      ['year', call('year', col('d'))],
      ['quarter', call('quarter', col('d'))],
      ['month', call('month', col('d'))],
      ['day', call('dayofmonth', col('d'))],
      ['dayofweek', call('dayofweek', col('d'))],
      ['weekday', call('weekday', col('d'))],
      ['dayofyear', call('dayofyear', col('d'))],
      ['weekofyear', call('weekofyear', col('d'))],
      ['isoyear', call('date_part', lit('YEAROFWEEK'), col('d'))],
      ['last_day', call('last_day', col('d'))],
      ['tweek', call('trunc', col('d'), lit('WEEK'))],
      ['tmonth', call('trunc', col('d'), lit('MM'))],
      ['tquarter', call('trunc', col('d'), lit('QUARTER'))],
      ['tyear', call('trunc', col('d'), lit('YEAR'))],
      ['plus', call('date_add', col('d'), col('n'))],
      ['minus', call('date_sub', col('d'), col('n'))],
      ['months', call('add_months', col('d'), col('n'))],
      ['diff', call('datediff', col('d'), col('e'))],
      ['made', call('make_date', call('year', col('d')), call('month', col('d')), call('day', col('d')))],
    ];
    for (const [name, e] of cols) {
      expect(ours(e), name).toEqual(duck.map((r) => num(r[name])));
    }
  });
});

const intl = new Map<string, Intl.DateTimeFormat>();

/** Whether the wall-clock time of `micros` in `zone` is near a DST fall-back (by Intl): ICU and java.time resolve those differently. */
function nearOverlap(micros: bigint, zone: string): boolean {
  let f = intl.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    intl.set(zone, f);
  }
  const format = f;
  const offset = (ms: number): number => {
    const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!) - Math.floor(ms / 1000) * 1000;
  };
  const ms = Number(micros / 1000n);
  return offset(ms - 86_400_000) > offset(ms + 86_400_000) || offset(ms - 86_400_000 * 2) > offset(ms);
}

describe('timestamps in a session zone against DuckDB', () => {
  const zones = ['UTC', 'America/Los_Angeles', 'Europe/London', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Kathmandu', 'America/St_Johns'];
  const rnd = random(11);
  // From 1970: ICU versions disagree on some zones' earlier history (tzdata merged zones since 2022).
  const lo = 0;
  const hi = 2114380800; // 2037
  const instants = Array.from({ length: 600 }, () => BigInt(lo + Math.floor(rnd() * (hi - lo))) * 1_000_000n + BigInt(Math.floor(rnd() * 1e6)));
  const months = instants.map(() => Math.floor(rnd() * 48) - 24);
  const rows = instants.map((t, i) => ({ t, n: months[i]! }));
  const schema = struct([field('t', TIMESTAMP), field('n', INT)]);

  it.each(zones)('agrees on hour/minute/second, local date, truncation and calendar arithmetic in %s', async (zone) => {
    const values = rows.map((r) => `(${r.t}, ${r.n})`).join(',');
    const duck = await duckRows(`SET TimeZone='${zone}';
      SELECT hour(x) AS hour, minute(x) AS minute, second(x) AS second, (x::DATE - DATE '1970-01-01') AS day,
             epoch_us(date_trunc('year', x)) AS year, epoch_us(date_trunc('quarter', x)) AS quarter, epoch_us(date_trunc('month', x)) AS month,
             epoch_us(date_trunc('week', x)) AS week, epoch_us(date_trunc('day', x)) AS dayt, epoch_us(date_trunc('hour', x)) AS hourt,
             epoch_us(date_trunc('minute', x)) AS minutet, epoch_us(date_trunc('second', x)) AS secondt, epoch_us(date_trunc('millisecond', x)) AS millit,
             epoch_us(x + INTERVAL (n) MONTH) AS plusmonths, epoch_us(x + INTERVAL (n) DAY) AS plusdays, epoch_us(x + INTERVAL (n) MINUTE) AS plusminutes
      FROM (SELECT (to_timestamp(t // 1000000) + INTERVAL (t % 1000000) MICROSECOND) AS x, n FROM (VALUES ${values}) v(t, n))`);
    const ours = (e: Expr): Value[] => evalRows(e, schema, rows, zone);
    const plain: [string, Expr, boolean][] = [
      ['hour', call('hour', col('t')), false],
      ['minute', call('minute', col('t')), false],
      ['second', call('second', col('t')), false],
      ['day', call('to_date', col('t')), false],
      ['year', call('date_trunc', lit('YEAR'), col('t')), true],
      ['quarter', call('date_trunc', lit('QUARTER'), col('t')), true],
      ['month', call('date_trunc', lit('MONTH'), col('t')), true],
      ['week', call('date_trunc', lit('WEEK'), col('t')), true],
      ['dayt', call('date_trunc', lit('DAY'), col('t')), true],
      ['hourt', call('date_trunc', lit('HOUR'), col('t')), true],
      ['minutet', call('date_trunc', lit('MINUTE'), col('t')), true],
      ['secondt', call('date_trunc', lit('SECOND'), col('t')), false],
      ['millit', call('date_trunc', lit('MILLISECOND'), col('t')), false],
    ];
    for (const [name, e, wall] of plain) {
      const got = ours(e);
      duck.forEach((r, i) => {
        const want = r[name] as bigint | number;
        if (wall && nearOverlap(BigInt(want), zone)) return;
        expect(got[i], `${name} of ${rows[i]!.t} in ${zone}`).toEqual(typeof got[i] === 'bigint' ? BigInt(want) : Number(want));
      });
    }
    // Calendar arithmetic: group rows by n so each query adds one interval literal n times its unit.
    for (const [name, unit] of [['plusmonths', 'months'], ['plusdays', 'days'], ['plusminutes', 'micros']] as const) {
      const byN = new Map<number, number[]>();
      rows.forEach((r, i) => byN.set(r.n, [...(byN.get(r.n) ?? []), i]));
      for (const [n, idx] of byN) {
        const step = { months: unit === 'months' ? n : 0, days: unit === 'days' ? n : 0, micros: unit === 'micros' ? 60_000_000n * BigInt(n) : 0n };
        const e = arith('+', col('t'), lit({ type: 'interval', ...step }));
        const sub = idx.map((i) => rows[i]!);
        const got = evalRows(e, schema, sub, zone);
        idx.forEach((i, k) => {
          const want = BigInt(duck[i]![name] as bigint);
          if (unit !== 'micros' && nearOverlap(want, zone)) return;
          expect(got[k], `${name} ${n} of ${rows[i]!.t} in ${zone}`).toBe(want);
        });
      }
    }
  });

  it('agrees with strftime for the pattern letters that map one to one', async () => {
    const pairs: [string, string][] = [
      ['yyyy', '%Y'], ['MM', '%m'], ['dd', '%d'], ['HH', '%H'], ['mm', '%M'], ['ss', '%S'], ['SSSSSS', '%f'], ['SSS', '%g'], ['DDD', '%j'],
      ['MMM', '%b'], ['MMMM', '%B'], ['EEE', '%a'], ['EEEE', '%A'], ['a', '%p'], ['hh', '%I'], ['yy', '%y'], ['M', '%-m'], ['d', '%-d'],
      ['H', '%-H'], ['h', '%-I'], ['m', '%-M'], ['s', '%-S'], ['D', '%-j'],
    ];
    const pattern = pairs.map(([p]) => p).join('|');
    const strftime = pairs.map(([, s]) => s).join('|');
    for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata']) {
      const wide = rows.map((r, i) => ({ t: i % 3 === 0 ? r.t * 40n : r.t, n: r.n }));
      const duck = await duckRows(`SET TimeZone='${zone}';
        SELECT strftime((to_timestamp(t // 1000000) + INTERVAL (t % 1000000) MICROSECOND), '${strftime}') AS s FROM (VALUES ${wide.map((r) => `(${r.t})`).join(',')}) v(t)`);
      const got = evalRows(call('date_format', col('t'), lit(pattern)), schema, wide, zone);
      expect(got, zone).toEqual(duck.map((r) => r['s']));
    }
  });
});

describe('epoch conversions and constructors against DuckDB', () => {
  it('agrees on unix_*, timestamp_*, date_from_unix_date and make_timestamp', async () => {
    const rnd = random(3);
    const micros = Array.from({ length: 500 }, () => BigInt(Math.floor(rnd() * 4e17)) - 10n ** 17n);
    const schema = struct([field('us', LONG), field('t', TIMESTAMP), field('days', INT)]);
    const rows = micros.map((us) => ({ us, t: us < 0n ? -us : us, days: Number(us / 86_400_000_000n) }));
    const duck = await duckRows(`SET TimeZone='UTC';
      SELECT epoch_us(make_timestamp(us)) AS micros, epoch_ms(make_timestamp(t)) AS millis, epoch_us(make_timestamp(t)) // 1000000 AS secs_trunc,
             epoch_us(epoch_ms(us // 1000)) AS from_ms, epoch_us(to_timestamp(us // 1000000)) AS from_s, (DATE '1970-01-01' + days::INTEGER) - DATE '1970-01-01' AS from_days
      FROM (VALUES ${rows.map((r) => `(${r.us}, ${r.t}, ${r.days})`).join(',')}) v(us, t, days)`);
    const ours = (e: Expr): Value[] => evalRows(e, schema, rows);
    expect(ours(call('unix_micros', call('timestamp_micros', col('us'))))).toEqual(duck.map((r) => r['micros']));
    expect(ours(call('unix_millis', col('t')))).toEqual(duck.map((r) => r['millis']));
    // Non-negative timestamps: DuckDB's truncation and Spark's floor agree.
    expect(ours(call('unix_seconds', col('t')))).toEqual(duck.map((r) => r['secs_trunc']));
    const floorDiv = (a: bigint, b: bigint): bigint => (a % b !== 0n && a < 0n ? a / b - 1n : a / b);
    expect(ours(call('timestamp_millis', call('unix_millis', call('timestamp_micros', col('us')))))).toEqual(rows.map((r) => floorDiv(r.us, 1000n) * 1000n));
    expect(ours(call('timestamp_millis', arith('div', col('us'), lit(1000n))))).toEqual(duck.map((r) => r['from_ms']));
    expect(ours(call('timestamp_seconds', arith('div', col('us'), lit(1000000n))))).toEqual(duck.map((r) => r['from_s']));
    expect(ours(call('unix_date', call('date_from_unix_date', col('days'))))).toEqual(duck.map((r) => Number(r['from_days'])));
  });

  it('agrees on make_timestamp with a zone and from_utc_timestamp / to_utc_timestamp', async () => {
    const rnd = random(5);
    const fields = Array.from({ length: 300 }, () => ({ y: 1950 + Math.floor(rnd() * 80), mo: 1 + Math.floor(rnd() * 12), d: 1 + Math.floor(rnd() * 28), h: Math.floor(rnd() * 24), mi: Math.floor(rnd() * 60), s: Math.floor(rnd() * 60_000_000) / 1e6 }));
    const zone = 'America/New_York';
    const duck = await duckRows(`SET TimeZone='UTC';
      SELECT epoch_us(make_timestamptz(y, mo, d, h, mi, s, '${zone}')) AS made, epoch_us(timezone('${zone}', make_timestamp(y, mo, d, h, mi, s))) AS to_utc,
             epoch_us(timezone('${zone}', make_timestamp(y, mo, d, h, mi, s)::TIMESTAMPTZ)) AS from_utc
      FROM (VALUES ${fields.map((f) => `(${f.y}, ${f.mo}, ${f.d}, ${f.h}, ${f.mi}, ${f.s})`).join(',')}) v(y, mo, d, h, mi, s)`);
    const schema = struct([field('y', INT), field('mo', INT), field('d', INT), field('h', INT), field('mi', INT), field('s', STRING)]);
    const rows = fields.map((f) => ({ ...f, s: f.s.toFixed(6) }));
    const made = evalRows(call('make_timestamp', col('y'), col('mo'), col('d'), col('h'), col('mi'), col('s'), lit(zone)), schema, rows);
    const utcWall = call('make_timestamp', col('y'), col('mo'), col('d'), col('h'), col('mi'), col('s'));
    const toUtc = evalRows(call('to_utc_timestamp', utcWall, lit(zone)), schema, rows);
    const fromUtc = evalRows(call('from_utc_timestamp', utcWall, lit(zone)), schema, rows);
    duck.forEach((r, i) => {
      if (!nearOverlap(BigInt(r['made'] as bigint), zone)) {
        expect(made[i], JSON.stringify(fields[i])).toBe(r['made']);
        expect(toUtc[i]).toBe(r['to_utc']);
      }
      expect(fromUtc[i]).toBe(r['from_utc']);
    });
  });
});

