import { describe, expect, it } from 'vitest';
import { approxCountDistinct, avg, col, collectList, collectSet, count, countDistinct, expr, first, last, lit, max, mean, min, stddev, stddevPop, sum, variance, varPop } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { expectRows, rng, sql, table } from './duck.js';

const DDL = 'id BIGINT, k STRING, g INT, v INT, l BIGINT, d DOUBLE, dec DECIMAL(10,2), ts TIMESTAMP';

/** Rows with nulls in every column, NaN and -0.0 doubles, big longs, decimals with cents. */
function generate(n: number, seed = 7): object[] {
  const r = rng(seed);
  const rows: object[] = [];
  for (let i = 0; i < n; i++) {
    const nul = () => r() < 0.1;
    const x = r();
    rows.push({
      id: BigInt(i),
      k: nul() ? null : `k${Math.floor(r() * 40)}${r() < 0.05 ? 'é𝄞' : ''}`,
      g: nul() ? null : Math.floor(r() * 5),
      v: nul() ? null : Math.floor((r() - 0.5) * 2_000_000),
      l: nul() ? null : BigInt(Math.floor((r() - 0.5) * 2 ** 14)) * 2n ** 40n + BigInt(i),
      d: nul() ? null : x < 0.01 ? NaN : x < 0.02 ? -0 : (r() - 0.5) * 1e6,
      dec: nul() ? null : (Math.floor((r() - 0.5) * 1e9) / 100).toFixed(2),
      ts: nul() ? null : new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 86_400_000)).toISOString(),
    });
  }
  return rows;
}

describe('groupBy().agg() matches DuckDB', () => {
  it('every aggregate by one string key, with nulls, NaN, decimals and big longs', async () => {
    const df = await table(`${tempDir()}/t`, 't1', DDL, generate(5000));
    const ours = await df
      .groupBy('k')
      .agg(
        count('*').alias('n'), count('v').alias('nv'), sum('v').alias('sv'), sum('l').alias('sl'), sum('d').alias('sd'), sum('dec').alias('sdec'),
        avg('v').alias('av'), mean('d').alias('ad'), avg('dec').alias('adec'), min('v').alias('minv'), max('d').alias('maxd'), min('d').alias('mind'),
        max('k').alias('maxk'), min('ts').alias('mints'), max('dec').alias('maxdec'), countDistinct('g').alias('cdg'),
        stddev('v').alias('sdv'), stddevPop('v').alias('sdpv'), variance('dec').alias('vard'), varPop('v').alias('vpv'),
        first('id').alias('fid'), last('id').alias('lid'), collectList('g').alias('cl'), collectSet('g').alias('cs'),
      )
      .collect();
    const theirs = await sql(`SELECT k, count(*) n, count(v) nv, sum(v)::BIGINT sv, sum(l)::BIGINT sl, sum(d) sd, sum(dec)::VARCHAR sdec,
      avg(v) av, avg(d) ad, avg(dec) adec, min(v) minv, max(d) maxd, min(d) mind, max(k) maxk,
      strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%fZ') mints, max(dec)::VARCHAR maxdec, count(DISTINCT g) cdg,
      stddev_samp(v) sdv, stddev_pop(v) sdpv, var_samp(dec::DOUBLE) vard, var_pop(v) vpv, first(id) fid, last(id) lid,
      list(g ORDER BY id) FILTER (WHERE g IS NOT NULL) cl, list(DISTINCT g ORDER BY g) FILTER (WHERE g IS NOT NULL) cs FROM t1 GROUP BY k`);
    for (const row of ours) row.cs = [...(row.cs as number[])].sort((a, b) => a - b);
    for (const row of theirs) {
      row.cl ??= [];
      row.cs ??= [];
    }
    expectRows(ours, theirs, ['k'], ['adec']);
    const schema = await df.groupBy('k').agg(sum('v'), sum('dec'), avg('dec'), avg('v'), count('v'), collectList('g'), min('dec'), sum('d')).schema();
    expect(schema.fields.map((f) => `${f.name}: ${JSON.stringify(f.type)}`)).toEqual([
      'k: {"kind":"primitive","name":"string"}',
      'sum(v): {"kind":"primitive","name":"long"}',
      'sum(dec): {"kind":"decimal","precision":20,"scale":2}',
      'avg(dec): {"kind":"decimal","precision":14,"scale":6}',
      'avg(v): {"kind":"primitive","name":"double"}',
      'count(v): {"kind":"primitive","name":"long"}',
      'collect_list(g): {"kind":"array","elementType":{"kind":"primitive","name":"integer"},"containsNull":false}',
      'min(dec): {"kind":"decimal","precision":10,"scale":2}',
      'sum(d): {"kind":"primitive","name":"double"}',
    ]);
  });

  it('several keys, expression keys and aggregate expressions in SQL text', async () => {
    const df = await table(`${tempDir()}/t`, 't2', DDL, generate(4000, 11));
    const ours = await df.groupBy(col('g'), expr('v % 3').alias('m'), 'k').agg(expr('sum(v) * 2').alias('s2'), expr('count(*)').alias('n'), expr('max(d) - min(d)').alias('rg'), expr('g + count(v)').alias('gc')).collect();
    const theirs = await sql('SELECT g, v % 3 m, k, sum(v) * 2 s2, count(*) n, max(d) - min(d) rg, g + count(v) gc FROM t2 GROUP BY g, v % 3, k');
    expectRows(ours, theirs, ['g', 'm', 'k']);
    expect((await df.groupBy('g').count().schema()).fields.map((f) => f.name)).toEqual(['g', 'count']);
  });

  it('global aggregates: one row even over empty input (count 0, the others null); grouped empty input has no rows', async () => {
    const df = await table(`${tempDir()}/t`, 't3', DDL, generate(100));
    const empty = df.filter(lit(false));
    expect(await empty.groupBy().agg(count('*').alias('n'), count('v').alias('nv'), sum('v').alias('s'), avg('d').alias('a'), max('k').alias('m'), collectList('v').alias('c'), approxCountDistinct('k').alias('h'), countDistinct('k').alias('cd'), stddev('v').alias('sd')).collect()).toEqual([
      { n: 0n, nv: 0n, s: null, a: null, m: null, c: [], h: 0n, cd: 0n, sd: null },
    ]);
    expect(await empty.groupBy('k').agg(count('*')).collect()).toEqual([]);
    const all = await df.groupBy().agg(count('*').alias('n'), sum('l').alias('s')).collect();
    expectRows(all, await sql('SELECT count(*) n, sum(l)::BIGINT s FROM t3'), []);
  });

  it('100k groups', async () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => ({ id: BigInt(i), k: `key-${(i * 7919) % 100_000}`, v: i % 1000, d: i / 7 }));
    const df = await table(`${tempDir()}/t`, 't4', 'id BIGINT, k STRING, v INT, d DOUBLE', rows);
    const ours = await df.groupBy('k').agg(count('*').alias('n'), sum('v').alias('s'), avg('d').alias('a'), max('id').alias('m')).collect();
    expect(ours.length).toBe(100_000);
    expectRows(ours, await sql('SELECT k, count(*) n, sum(v)::BIGINT s, avg(d) a, max(id) m FROM t4 GROUP BY k'), ['k']);
    const byLong = await df.groupBy(expr('id % 100000').alias('b')).agg(count('*').alias('n')).collect();
    expectRows(byLong, await sql('SELECT id % 100000 b, count(*) n FROM t4 GROUP BY b'), ['b']);
  });

  it("sum of longs wraps on overflow (Spark's non-ANSI long addition); avg of decimals rounds half up at scale s+4", async () => {
    const max = 2n ** 63n - 1n;
    const df = await table(`${tempDir()}/t`, 't5', 'l BIGINT, dec DECIMAL(4,2)', [{ l: max, dec: '0.01' }, { l: 10n, dec: '0.02' }, { l: null, dec: '0.02' }]);
    const [row] = await df.groupBy().agg(sum('l').alias('s'), avg('dec').alias('a'), sum('dec').alias('sd')).collect();
    expect(row).toEqual({ s: BigInt.asIntN(64, max + 10n), a: '0.016667', sd: '0.05' });
  });

  it('approx_count_distinct is HyperLogLog++ within 5% of the exact count', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => ({ g: i % 3, x: BigInt((i * 2654435761) % 20_000), s: `s${i % 5000}` }));
    const df = await table(`${tempDir()}/t`, 't6', 'g INT, x BIGINT, s STRING', rows);
    const ours = await df.groupBy('g').agg(approxCountDistinct('x').alias('ax'), approxCountDistinct('s').alias('as'), countDistinct('x').alias('cx')).collect();
    const exact = await sql('SELECT g, count(DISTINCT x) cx, count(DISTINCT s) cs FROM t6 GROUP BY g');
    for (const e of exact) {
      const o = ours.find((r) => r.g === e.g)!;
      expect(o.cx).toBe(e.cx);
      expect(Math.abs(Number(o.ax) - Number(e.cx)) / Number(e.cx)).toBeLessThan(0.05);
      expect(Math.abs(Number(o.as) - Number(e.cs)) / Number(e.cs)).toBeLessThan(0.05);
    }
    const small = await df.filter(col('x').lt(10n)).groupBy().agg(approxCountDistinct('x').alias('a')).collect();
    expect(small).toEqual([{ a: 10n }]);
  });

  it('a non-aggregate, non-key output and nested aggregates are refused at analysis', async () => {
    const df = await table(`${tempDir()}/t`, 't7', DDL, generate(10));
    await expect(df.groupBy('k').agg(expr('v + 1')).schema()).rejects.toMatchObject({ code: 'COLUMN_NOT_FOUND' });
    await expect(df.groupBy('k').agg(expr('sum(max(v))')).schema()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(df.groupBy('k').agg(sum('ts')).schema()).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
  });
});
