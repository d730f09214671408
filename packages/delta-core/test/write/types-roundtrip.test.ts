import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { columnView, scalarAt } from '../../src/expr/column-view.js';
import { formatDecimal, isDecimalValue, parseDecimal, type Scalar } from '../../src/expr/scalar.js';
import { resolveLogPath } from '../../src/log/paths.js';
import type { StructType } from '../../src/schema/types.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { parseJsonExact, JsonNumber } from '../../src/util/json.js';
import { writeTable } from '../../src/write/write-operation.js';
import { duckRows, lit } from '../parquet/duckdb-oracle.js';
import { array, decimal, field, map, primitive, struct } from './schema-builders.js';
import { rowsOf } from './write-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'deltakit-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const engine = createDefaultEngine({ store: new LocalFileSystemStore(), workers: 0 });
afterAll(() => engine.parquet.close());

const schema: StructType = struct([
  field('b', primitive('byte')),
  field('s', primitive('short')),
  field('i', primitive('integer')),
  field('l', primitive('long')),
  field('f', primitive('float')),
  field('d', primitive('double')),
  field('dec9', decimal(9, 2)),
  field('dec18', decimal(18, 4)),
  field('dec38', decimal(38, 10)),
  field('str', primitive('string')),
  field('bin', primitive('binary')),
  field('bool', primitive('boolean')),
  field('date', primitive('date')),
  field('ts', primitive('timestamp')),
  field('ntz', primitive('timestamp_ntz')),
  field('arr', array(primitive('integer'))),
  field('m', map(primitive('string'), primitive('long'))),
  field('st', struct([field('a', primitive('integer')), field('inner', struct([field('c', primitive('double'))]))])),
  field('arrst', array(struct([field('x', primitive('long'))]))),
  field('p', primitive('string')),
]);

const BIG = 2n ** 62n + 7n;
const rows = [
  {
    b: -128, s: -32768, i: -2147483648, l: -(2n ** 63n), f: -1.5, d: -1e300, dec9: '-9999999.99', dec18: '-12345678901234.5678', dec38: '-9999999999999999999999999999.9999999999',
    str: 'alpha', bin: Uint8Array.from([0, 1, 255]), bool: true, date: '0001-01-01', ts: '0001-01-01T00:00:00.000001Z', ntz: '1969-12-31 23:59:59.999999',
    arr: [1, null, 3], m: new Map([['k', 1n]]), st: { a: 1, inner: { c: 0.25 } }, arrst: [{ x: BIG }], p: 'x',
  },
  {
    b: 127, s: 32767, i: 2147483647, l: 2n ** 63n - 1n, f: 3.25, d: Math.PI, dec9: '0.01', dec18: '99999999999999.9999', dec38: '1234567890123456789012345678.0123456789',
    str: 'ünïcödé ✓ 𝄞', bin: new Uint8Array(0), bool: false, date: '9999-12-31', ts: new Date('3000-06-15T12:34:56.789Z'), ntz: 1_000_000n,
    arr: [], m: { a: 2n, b: null }, st: { a: null, inner: null }, arrst: [], p: null,
  },
  {
    b: 0, s: 0, i: 0, l: BIG, f: 0, d: -0.5, dec9: 12.5, dec18: 3n, dec38: '0.0000000001',
    str: '', bin: Uint8Array.from([42]), bool: null, date: new Date(Date.UTC(1969, 6, 20)), ts: -1n, ntz: '2262-04-12 00:00:00',
    arr: null, m: null, st: null, arrst: null, p: 'x',
  },
  {
    b: null, s: null, i: null, l: null, f: null, d: null, dec9: null, dec18: null, dec38: null,
    str: null, bin: null, bool: null, date: null, ts: '2300-01-01T00:00:00Z', ntz: null,
    arr: [null], m: {}, st: { a: 7, inner: { c: null } }, arrst: [{ x: null }], p: 'y',
  },
];

/** Exact JS scalars of an atomic column (timestamps as bigint µs, decimals as text, strings decoded). */
function exactColumn(t: Table, name: string): unknown[] {
  const out: unknown[] = [];
  for (const batch of t.batches) {
    const v = columnView(batch, [name]);
    for (let i = 0; i < batch.numRows; i++) {
      if (v.valid !== null && !v.valid[i]) {
        out.push(null);
        continue;
      }
      const x: Scalar = scalarAt(v, i);
      out.push(isDecimalValue(x) ? formatDecimal(x) : x instanceof Uint8Array && (name === 'str' || name === 'p') ? new TextDecoder().decode(x) : x instanceof Uint8Array ? Array.from(x) : x);
    }
  }
  return out;
}

describe('round trip of every Delta type', () => {
  const root = join(dir, 'types');
  let table: Table;

  it('writes and reads back every value exactly', async () => {
    const r = await writeTable(engine, root, { rows, schema }, { partitionBy: ['p'] });
    expect(r.numOutputRows).toBe(4);
    expect(r.numFiles).toBe(3); // partitions x, y and null
    const snap = await DeltaTable.forPath(root, { engine }).snapshot();
    expect(snap.protocol.readerFeatures).toEqual(['timestampNtz']);
    expect(Object.values(snap.addFiles.map((a) => a.partitionValues.p)).sort()).toEqual(['x', 'y', null].sort());
    expect(snap.addFiles.find((a) => a.partitionValues.p === null)!.path).toMatch(/^p=__HIVE_DEFAULT_PARTITION__\//);
    table = await snap.scan().toTable();
    // order rows by their l value (nulls last) to compare with the input
    const order = [0, 1, 2, 3];
    const ls = exactColumn(table, 'l');
    const index = rows.map((r) => ls.findIndex((x) => x === r.l));
    expect(new Set(index).size).toBe(4);
    const col = (name: string) => {
      const all = exactColumn(table, name);
      return order.map((k) => all[index[k]!]);
    };
    expect(col('b')).toEqual([-128, 127, 0, null]);
    expect(col('s')).toEqual([-32768, 32767, 0, null]);
    expect(col('i')).toEqual([-2147483648, 2147483647, 0, null]);
    expect(col('l')).toEqual([-(2n ** 63n), 2n ** 63n - 1n, BIG, null]);
    expect(col('f')).toEqual([-1.5, 3.25, 0, null]);
    expect(col('d')).toEqual([-1e300, Math.PI, -0.5, null]);
    expect(col('dec9')).toEqual(['-9999999.99', '0.01', '12.50', null]);
    expect(col('dec18')).toEqual(['-12345678901234.5678', '99999999999999.9999', '3.0000', null]);
    expect(col('dec38')).toEqual(['-9999999999999999999999999999.9999999999', '1234567890123456789012345678.0123456789', '0.0000000001', null]);
    expect(col('str')).toEqual(['alpha', 'ünïcödé ✓ 𝄞', '', null]);
    expect(col('bin')).toEqual([[0, 1, 255], [], [42], null]);
    expect(col('bool')).toEqual([true, false, null, null]);
    expect(col('date')).toEqual([-719162, 2932896, -165, null]);
    expect(col('ts')).toEqual([-62135596799999999n, BigInt(Date.UTC(3000, 5, 15, 12, 34, 56, 789)) * 1000n, -1n, BigInt(Date.UTC(2300, 0, 1)) * 1000n]);
    expect(col('ntz')).toEqual([-1n, 1_000_000n, BigInt(Date.UTC(2262, 3, 12)) * 1000n, null]);
    expect(col('p')).toEqual(['x', null, 'x', 'y']);
    const plainRows = rowsOf(table);
    const nested = order.map((k) => {
      const r = plainRows[index[k]!]!;
      return { arr: r.arr, m: r.m, st: r.st, arrst: r.arrst };
    });
    expect(nested).toEqual([
      { arr: [1, null, 3], m: { k: 1n }, st: { a: 1, inner: { c: 0.25 } }, arrst: [{ x: BIG }] },
      { arr: [], m: { a: 2n, b: null }, st: { a: null, inner: null }, arrst: [] },
      { arr: null, m: null, st: null, arrst: null },
      { arr: [null], m: {}, st: { a: 7, inner: { c: null } }, arrst: [{ x: null }] },
    ]);
  });

  it('DuckDB reads the same rows from the files in the log', async () => {
    const snap = await DeltaTable.forPath(root, { engine }).snapshot();
    const files = snap.addFiles.map((a) => lit(resolveLogPath(root, a.path)));
    const duck = await duckRows(
      `select l, dec38::VARCHAR as dec38, epoch_us(ts) as ts, epoch_us(ntz) as ntz, str, date::VARCHAR as date, d from read_parquet([${files.join(',')}]) order by l nulls last`,
    );
    const ours = exactColumn(table, 'l').map((l, k) => ({
      l,
      dec38: exactColumn(table, 'dec38')[k],
      ts: exactColumn(table, 'ts')[k],
      ntz: exactColumn(table, 'ntz')[k],
      str: exactColumn(table, 'str')[k],
      d: exactColumn(table, 'd')[k],
    }));
    ours.sort((a, b) => (a.l === null ? 1 : b.l === null ? -1 : (a.l as bigint) < (b.l as bigint) ? -1 : 1));
    expect(duck.map((r) => ({ l: r.l, dec38: r.dec38, ts: r.ts, ntz: r.ntz, str: r.str, d: r.d }))).toEqual(ours);
    expect(duck.map((r) => r.date)).toEqual(['0001-01-01', '1969-07-20', '9999-12-31', null]);
    const nested = await duckRows(`select to_json(arr)::VARCHAR as arr, to_json(st)::VARCHAR as st, to_json(m)::VARCHAR as m from read_parquet([${files.join(',')}]) order by l nulls last`);
    expect(nested).toEqual([
      { arr: '[1,null,3]', st: '{"a":1,"inner":{"c":0.25}}', m: '{"k":1}' },
      { arr: null, st: null, m: null },
      { arr: '[]', st: '{"a":null,"inner":null}', m: '{"a":2,"b":null}' },
      { arr: '[null]', st: '{"a":7,"inner":{"c":null}}', m: '{}' },
    ]);
  });

  it("DuckDB's min, max and null count per column equal add.stats", async () => {
    const snap = await DeltaTable.forPath(root, { engine }).snapshot();
    const atomic = ['b', 's', 'i', 'l', 'f', 'd', 'dec9', 'dec18', 'dec38', 'str', 'date', 'ts', 'ntz'];
    let compared = 0;
    for (const add of snap.addFiles) {
      const stats = parseJsonExact(add.stats!) as Record<string, Record<string, unknown>>;
      const file = lit(resolveLogPath(root, add.path));
      const sel = atomic.map((c) => {
        const conv = c.startsWith('dec') || c === 'date' ? '::VARCHAR' : '';
        const v = c === 'ts' || c === 'ntz' ? (x: string) => `epoch_us(${x}(${c}))` : (x: string) => `${x}(${c})${conv}`;
        return `${v('min')} as "min_${c}", ${v('max')} as "max_${c}", count(*) - count(${c}) as "nulls_${c}"`;
      });
      const nested = `count(*) - count(arr) as nulls_arr, count(*) - count(m) as nulls_m, count(*) - count(st.a) as nulls_st_a, count(*) - count(st.inner.c) as nulls_st_c, count(*) as n`;
      const [duck] = await duckRows(`select ${sel.join(', ')}, ${nested} from read_parquet(${file})`);
      expect(Number(stats.numRecords)).toBe(Number(duck!.n));
      for (const c of atomic) {
        expect(Number((stats.nullCount as Record<string, unknown>)[c])).toBe(Number(duck![`nulls_${c}`]));
        const min = (stats.minValues as Record<string, unknown>)[c];
        const max = (stats.maxValues as Record<string, unknown>)[c];
        const dmin = duck![`min_${c}`];
        const dmax = duck![`max_${c}`];
        if (dmin === null) {
          expect(min).toBeUndefined();
          continue;
        }
        expect(norm(c, min)).toEqual(norm(c, dmin));
        expect(norm(c, max)).toEqual(norm(c, dmax));
        compared++;
      }
      const nc = stats.nullCount as Record<string, Record<string, Record<string, unknown>>>;
      expect(Number(nc.arr)).toBe(Number(duck!.nulls_arr));
      expect(Number(nc.m)).toBe(Number(duck!.nulls_m));
      expect(Number(nc.st!.a)).toBe(Number(duck!.nulls_st_a));
      expect(Number(nc.st!.inner!.c)).toBe(Number(duck!.nulls_st_c));
    }
    expect(compared).toBeGreaterThan(20);
  });
});

/** Comparable form of a stats value or a DuckDB value for column `c`. */
function norm(c: string, v: unknown): unknown {
  const text = v instanceof JsonNumber ? v.text : v;
  if (c.startsWith('dec')) {
    const d = parseDecimal(String(text))!;
    return formatDecimal({ unscaled: d.unscaled * 10n ** BigInt(10 - d.scale), scale: 10 });
  }
  // stats hold milliseconds floored (Spark formats the instant); DuckDB gives exact microseconds
  if (c === 'ts' || c === 'ntz') return typeof text === 'string' ? Date.parse(c === 'ntz' ? text + 'Z' : text) : Number(floorDiv(BigInt(text as bigint), 1000n));
  if (typeof text === 'string' && c !== 'str' && c !== 'date') return Number(text);
  if (typeof text === 'bigint') return Number(text);
  return text;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}
