import { describe, expect, it } from 'vitest';
import { parseStats, statsColumns, type StatsColumn } from '../../src/schema/stats.js';
import { toPhysicalSchema } from '../../src/schema/column-mapping.js';
import { decimal, primitive, struct, field } from '../../src/schema/types.js';
import { deltaRs, describeFixtures, golden, kernel } from '../fixtures.js';
import { loadTable } from './helpers.js';

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe('parseStats', () => {
  const cols: StatsColumn[] = [
    { path: ['id'], type: primitive('long') },
    { path: ['s', 'd'], type: decimal(38, 5) },
    { path: ['ts'], type: primitive('timestamp') },
    { path: ['f'], type: primitive('float') },
    { path: ['i'], type: primitive('integer') },
  ];

  it('reads exact longs and decimals, widens truncated timestamp maxima, and defaults tightBounds', () => {
    const s = parseStats(
      {
        stats:
          '{"numRecords":3,"minValues":{"id":-9223372036854775808,"s":{"d":-5.67800},"ts":"2020-01-01T00:00:00.000-08:00","f":0.1,"i":1},' +
          '"maxValues":{"id":9223372036854775807,"s":{"d":12345678901234567890123.45678},"ts":"2020-01-01T00:00:01.123Z","f":0.1,"i":2},' +
          '"nullCount":{"id":0,"s":{"d":1},"ts":2,"f":0,"i":0}}',
      },
      cols,
    )!;
    expect(s.numRecords).toBe(3);
    expect(s.tightBounds).toBe(true);
    expect(s.columns[0]).toEqual({ min: -(2n ** 63n), max: 2n ** 63n - 1n, nullCount: 0 });
    expect(s.columns[1]).toEqual({ min: { unscaled: -567800n, scale: 5 }, max: { unscaled: 1234567890123456789012345678n, scale: 5 }, nullCount: 1 });
    expect(s.columns[2]).toEqual({ min: micros('2020-01-01T08:00:00Z'), max: micros('2020-01-01T00:00:01.123Z') + 999n, nullCount: 2 });
    expect(s.columns[3]!.max).toBe(Math.fround(0.1));
  });

  it('treats ill-typed or malformed stats as missing instead of failing', () => {
    const s = parseStats({ stats: '{"numRecords":2,"minValues":{"id":"abc","i":1.5,"ts":12},"maxValues":{"id":{"x":1}},"nullCount":{"id":-1},"tightBounds":false}' }, cols)!;
    expect(s.tightBounds).toBe(false);
    expect(s.columns[0]).toBeUndefined();
    expect(s.columns[4]).toBeUndefined();
    expect(parseStats({ stats: '{"numRecords":' }, cols)).toBeUndefined();
    expect(parseStats({}, cols)).toBeUndefined();
    expect(parseStats({ stats: '[1]' }, cols)).toBeUndefined();
  });

  it('accepts already-parsed stats_parsed structs with µs timestamps and bigint counts', () => {
    const s = parseStats(
      { statsParsed: { numRecords: 5n, minValues: { id: 3n, ts: 1_000_000n }, maxValues: { id: 7n, ts: 2_000_000n }, nullCount: { id: 0n } } },
      cols,
    )!;
    expect(s.numRecords).toBe(5);
    expect(s.columns[0]).toEqual({ min: 3n, max: 7n, nullCount: 0 });
    expect(s.columns[2]).toEqual({ min: 1_000_000n, max: 2_000_999n });
  });

  it('lists stats leaves of nested schemas', () => {
    const schema = struct([field('a', primitive('integer')), field('s', struct([field('x', primitive('string')), field('l', primitive('long'))]))]);
    expect(statsColumns(schema).map((c) => c.path)).toEqual([['a'], ['s', 'x'], ['s', 'l']]);
  });
});

describeFixtures('stats of real tables', () => {
  it('golden data-skipping-basic-stats-all-types: every type, with the writer offset', () => {
    const t = loadTable(golden('data-skipping-basic-stats-all-types'));
    const cols = statsColumns(t.schema);
    const parsed = t.adds.map((a) => parseStats(a, cols)!);
    const withValues = parsed.find((p) => p.columns.some((c) => c?.min !== undefined))!;
    const byName = (n: string) => withValues.columns[cols.findIndex((c) => c.path[0] === n)]!;
    expect(byName('as_long')).toEqual({ min: 0n, max: 0n, nullCount: 0 });
    expect(byName('as_string')).toEqual({ min: '0', max: '0', nullCount: 0 });
    expect(byName('as_date').min).toBe(Date.UTC(2000, 0, 1) / 86_400_000);
    expect(byName('as_timestamp')).toEqual({ min: micros('2000-01-01T08:00:00Z'), max: micros('2000-01-01T08:00:00Z') + 999n, nullCount: 0 });
    expect(byName('as_big_decimal').min).toEqual({ unscaled: 0n, scale: 0 });
  });

  it('kernel stats-writing-all-types: physical (column-mapped) names, ntz without offset, nested structs', () => {
    const t = loadTable(kernel('stats-writing-all-types/delta'));
    const physical = toPhysicalSchema(t.schema, 'name');
    const cols = statsColumns(physical);
    const logical = statsColumns(t.schema).map((c) => c.path.join('.'));
    const idx = (name: string) => logical.indexOf(name);
    const first = t.adds.map((a) => parseStats(a, cols)!).find((s) => s.numRecords === 4)!;
    expect(first.columns[idx('long_col')]).toMatchObject({ min: 10000n, max: 50000n });
    expect(first.columns[idx('timestamp_col')]).toMatchObject({ min: micros('2023-06-15T12:30:00Z'), max: micros('2024-12-25T00:00:00Z') + 999n });
    expect(first.columns[idx('timestamp_ntz_col')]).toMatchObject({ min: micros('2023-06-15T12:30:00Z'), max: micros('2024-12-25T00:00:00Z') + 999n });
    expect(first.columns[idx('decimal_col')]).toMatchObject({ min: { unscaled: 12345n, scale: 2 }, max: { unscaled: 99999n, scale: 2 } });
    expect(first.columns[idx('float_col')]).toMatchObject({ min: 1.5, max: Math.fround(3.14) });
    const nested = logical.findIndex((n) => n.startsWith('struct_col.') || n.includes('.'));
    expect(nested).toBeGreaterThanOrEqual(0);
    expect(first.columns[nested]?.min).toBeDefined();
  });

  it('kernel timestamp-truncation-stats: maxima cover the truncated microseconds', () => {
    const t = loadTable(kernel('timestamp-truncation-stats'));
    const cols = statsColumns(t.schema);
    const maxes = t.adds.map((a) => parseStats(a, cols)!.columns[1]!.max).sort();
    expect(maxes).toEqual([2_000_999n, 4_000_999n, 8_000_999n]);
    expect(maxes[0]).toBe(micros('1970-01-01T00:00:02Z') + 999n);
  });

  it('delta-rs delta-stats-optional: trailing-zero decimals stay exact; files without stats have none', () => {
    const t = loadTable(deltaRs('delta-stats-optional'));
    const cols = statsColumns(t.schema);
    const dec = cols.findIndex((c) => c.path[0] === 'decimal');
    const parsed = t.adds.map((a) => parseStats(a, cols));
    const withStats = parsed.filter((p) => p !== undefined);
    expect(withStats.length).toBeGreaterThan(0);
    expect(parsed.some((p) => p === undefined)).toBe(true);
    const decType = cols[dec]!.type as { scale: number };
    expect(withStats[0]!.columns[dec]!.min).toEqual({ unscaled: -5678n * 10n ** BigInt(decType.scale - 3), scale: decType.scale });
  });
});
