import { describe, expect, it } from 'vitest';
import type { StructType } from '../../src/schema/types.js';
import { rowsToBatch } from '../../src/write/rows-to-arrow.js';
import { createTable } from '../../src/write/create-table.js';
import { writeTable } from '../../src/write/write-operation.js';
import { duckRows, lit } from '../parquet/duckdb-oracle.js';
import { field, primitive, struct } from './schema-builders.js';
import { memoryEngine, readBack, rowsOf, snapshotOf } from './write-helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { DeltaTable } from '../../src/table/delta-table.js';

/**
 * The writer merges runs of small input batches into larger ones before encoding (fewer, larger
 * Arrow chunks encode much faster). Every value must survive the merge: nulls at any level,
 * strings, lists, maps and structs, batches of one row, and slices.
 */

const schema: StructType = struct([
  field('id', primitive('long')),
  field('s', primitive('string')),
  field('b', primitive('boolean')),
  field('d', { kind: 'decimal', precision: 20, scale: 3 }),
  field('tags', { kind: 'array', elementType: primitive('string'), containsNull: true }),
  field('m', { kind: 'map', keyType: primitive('string'), valueType: primitive('integer'), valueContainsNull: true }),
  field('st', struct([field('x', primitive('integer')), field('y', primitive('string'))])),
  field('p', primitive('string')),
]);

function row(i: number): Record<string, unknown> {
  return {
    id: BigInt(i),
    s: i % 5 === 0 ? null : `s-${i}-${'x'.repeat(i % 7)}`,
    b: i % 3 === 0 ? null : i % 2 === 0,
    d: i % 11 === 0 ? null : `${i}.${String(i % 1000).padStart(3, '0')}`,
    tags: i % 4 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 ? null : `t${k}`)),
    m: i % 6 === 0 ? null : new Map<string, number | null>([[`k${i % 2}`, i % 9 === 0 ? null : i]]),
    st: i % 8 === 0 ? null : { x: i % 10 === 0 ? null : i, y: `y${i}` },
    p: `p${i % 3}`,
  };
}

describe('small input batches', () => {
  it('thousands of tiny batches (1 to 9 rows) across partitions read back exactly, in few files with exact stats', async () => {
    const engine = memoryEngine();
    await createTable(engine, '/t', { schema, partitionBy: ['p'] });
    const all = Array.from({ length: 12_000 }, (_, i) => row(i));
    async function* batches() {
      for (let i = 0; i < all.length; ) {
        const n = 1 + (i % 9);
        yield rowsToBatch(all.slice(i, i + n), schema);
        i += n;
      }
    }
    await writeTable(engine, '/t', batches(), { mode: 'append' });
    const snap = await snapshotOf(engine, '/t');
    expect(snap.addFiles).toHaveLength(3);
    expect(snap.addFiles.reduce((s, a) => s + JSON.parse(a.stats!).numRecords, 0)).toBe(12_000);
    const key = (r: Record<string, unknown>) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v instanceof Map ? [...v] : v));
    const back = rowsOf(await readBack(engine, '/t')).map(key).sort();
    const expected = rowsOf(await (async () => {
      const e2 = memoryEngine();
      await createTable(e2, '/u', { schema, partitionBy: ['p'] });
      await writeTable(e2, '/u', { rows: all, schema }, { mode: 'append' }); // one large batch: no merging
      return readBack(e2, '/u');
    })()).map(key).sort();
    expect(back).toEqual(expected);
  });

  it('DuckDB reads the merged file with the same values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deltakit-small-batches-'));
    try {
      const engine = createDefaultEngine({ workers: 0 });
      const table = DeltaTable.forPath(dir, { engine });
      const flat = struct([field('id', primitive('long')), field('s', primitive('string')), field('v', primitive('double'))]);
      await table.create({ schema: flat });
      async function* batches() {
        for (let i = 0; i < 5000; i += 3) yield rowsToBatch([i, i + 1, i + 2].filter((k) => k < 5000).map((k) => ({ id: BigInt(k), s: k % 4 ? `v${k}` : null, v: k % 7 ? k / 8 : null })), flat);
      }
      await table.write(batches(), { mode: 'append' });
      const snap = await table.snapshot();
      expect(snap.addFiles).toHaveLength(1);
      const rows = await duckRows(`SELECT count(*) AS n, sum(id) AS sid, count(s) AS cs, sum(v) AS sv, max(s) AS ms FROM read_parquet(${lit(join(dir, snap.addFiles[0]!.path))})`);
      const ids = Array.from({ length: 5000 }, (_, k) => k);
      expect(rows[0]).toEqual({
        n: 5000n,
        sid: BigInt(ids.reduce((a, b) => a + b, 0)),
        cs: BigInt(ids.filter((k) => k % 4).length),
        sv: ids.filter((k) => k % 7).reduce((a, k) => a + k / 8, 0),
        ms: ids.filter((k) => k % 4).map((k) => `v${k}`).sort().pop(),
      });
      await table.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
