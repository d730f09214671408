import { makeData, RecordBatch, Schema, Field, Int64, Float64, Struct, type Data } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/engine.js';
import { isDeltaError } from '../../../src/errors.js';
import { createParquetHandler } from '../../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../../src/storage/local-store.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { field, primitive, struct } from '../../../src/schema/types.js';
import { failure } from '../../fixtures.js';
import { CountingStore } from '../../table/helpers.js';
import { cleanup, commitActions, ourRows, tableAt, tempTable } from './helpers.js';

afterAll(cleanup);

/** A deterministic generator of 30-bit values. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 2;
  };
}

const XY = new Schema([new Field('id', new Int64(), true), new Field('x', new Int64(), true), new Field('y', new Int64(), true), new Field('v', new Float64(), true)]);

/** `n` rows with random `x` and `y` (0 .. 2^30), in batches of 2^16 rows. */
function* randomRows(n: number, seed: number): Generator<RecordBatch> {
  const next = lcg(seed);
  for (let start = 0; start < n; start += 1 << 16) {
    const m = Math.min(1 << 16, n - start);
    const id = new BigInt64Array(m);
    const x = new BigInt64Array(m);
    const y = new BigInt64Array(m);
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      id[i] = BigInt(start + i);
      x[i] = BigInt(next());
      y[i] = BigInt(next());
      v[i] = (start + i) / 7;
    }
    const children: Data[] = [...[id, x, y].map((a) => makeData({ type: new Int64(), length: m, nullCount: 0, data: a })), makeData({ type: new Float64(), length: m, nullCount: 0, data: v })];
    yield new RecordBatch(XY, makeData({ type: new Struct(XY.fields), length: m, nullCount: 0, children }));
  }
}

/** Data files a scan with `filter` reads (counted through the store), and its rows. */
async function filesRead(root: string, filter: string): Promise<{ files: number; rows: string[] }> {
  const store = new CountingStore(new LocalFileSystemStore());
  const engine = { store, parquet: createParquetHandler(store, { workers: 0 }), clock: systemClock };
  try {
    const snap = await DeltaTable.forPath(root, { engine }).snapshot();
    const t = await snap.scan({ filter, columns: ['id'] }).toTable();
    const ids = Array.from(t.getChild('id')!.toArray() as BigInt64Array, (x) => String(x)).sort();
    const files = store.readsMatching(/\.parquet$/).filter((p) => !p.includes('_delta_log')).length;
    return { files, rows: ids };
  } finally {
    await engine.parquet.close();
  }
}

describe('OPTIMIZE ZORDER BY', () => {
  it('1M random rows: point and range queries on each Z-order column read far fewer files afterwards; rows unchanged', async () => {
    const table = tempTable();
    const N = 1_000_000;
    await table.write(randomRows(N, 7), { mode: 'errorIfExists', targetFileSize: 160 * 1024 });
    const before = await table.snapshot();
    const filesBefore = before.addFiles.length;
    expect(filesBefore).toBeGreaterThanOrEqual(50);
    const total = before.addFiles.reduce((s, a) => s + a.size, 0);

    // Queries: a point on an existing value, and a range covering 1% of the domain, on x and y.
    const probe = (await before.scan({ columns: ['x', 'y'], filter: 'id = 123456' }).toTable()).toArray()[0]!.toJSON() as { x: bigint; y: bigint };
    const span = 2 ** 30 / 100;
    const queries = {
      'x point': `x = ${probe.x}`,
      'x range 1%': `x >= ${500_000_000} AND x < ${500_000_000 + span}`,
      'y point': `y = ${probe.y}`,
      'y range 1%': `y >= ${200_000_000} AND y < ${200_000_000 + span}`,
    };
    const pre: Record<string, { files: number; rows: string[] }> = {};
    for (const [name, q] of Object.entries(queries)) pre[name] = await filesRead(table.tableRoot, q);

    const m = await tableAt(table.tableRoot).optimize({ zOrderBy: ['x', 'y'], targetFileSize: Math.ceil(total / 64) });
    const after = await table.snapshot();
    expect(m.numFilesRemoved).toBe(filesBefore);
    expect(m.numFilesAdded).toBe(after.addFiles.length);
    expect(m.zOrderStats).toEqual({
      strategyName: 'all',
      inputCubeFiles: { num: 0, size: 0 },
      inputOtherFiles: { num: filesBefore, size: total },
      inputNumCubes: 0,
      mergedFiles: { num: filesBefore, size: total },
      numOutputCubes: 1,
      mergedNumCubes: null,
    });
    const info = commitActions(table.tableRoot, after.version).find((a) => a.kind === 'commitInfo');
    expect(info?.kind === 'commitInfo' && info.commitInfo.operationParameters).toMatchObject({ zOrderBy: '["x","y"]' });
    expect((await after.scan({ columns: ['id'] }).toTable()).numRows).toBe(N);

    const lines: string[] = [];
    for (const [name, q] of Object.entries(queries)) {
      const post = await filesRead(table.tableRoot, q);
      expect(post.rows, name).toEqual(pre[name]!.rows);
      expect(pre[name]!.rows.length, name).toBeGreaterThan(0);
      lines.push(`${name}: ${pre[name]!.files}/${filesBefore} files before, ${post.files}/${after.addFiles.length} after (${post.rows.length} rows)`);
      // Random data: every file spans the domain before; after, a slab of the Z-curve.
      expect(pre[name]!.files, name).toBeGreaterThanOrEqual(filesBefore * 0.9);
      expect(post.files * 4, name).toBeLessThanOrEqual(pre[name]!.files);
    }
    console.log(`[z-order] ${N} rows, ${filesBefore} files → ${after.addFiles.length} files:\n  ${lines.join('\n  ')}`);
  }, 300_000);

  it('partitioned: every file of each partition is rewritten, even a lone one; a second run rewrites again (Spark)', async () => {
    const table = tempTable();
    const schema = struct([field('id', primitive('long')), field('a', primitive('integer')), field('b', primitive('string')), field('p', primitive('string'))]);
    await table.create({ schema, partitionBy: ['p'] });
    for (let k = 0; k < 4; k++) {
      const rows = Array.from({ length: 50 }, (_, i) => ({ id: BigInt(k * 100 + i), a: (i * 37) % 23, b: i % 5 === 0 ? null : `s${(i * 13) % 17}`, p: k === 3 ? 'lone' : `p${i % 2}` }));
      await table.write({ rows, schema }, { mode: 'append' });
    }
    const before = await table.snapshot();
    const expected = await ourRows(before, ['id', 'a', 'b', 'p']);
    const m = await table.optimize({ zOrderBy: ['a', 'b'] });
    const after = await table.snapshot();
    expect(after.addFiles).toHaveLength(3);
    expect(m).toMatchObject({ numFilesRemoved: before.addFiles.length, numFilesAdded: 3, partitionsOptimized: 3, numBins: 3, totalFilesSkipped: 0 });
    expect(m.zOrderStats?.numOutputCubes).toBe(3);
    expect(await ourRows(after, ['id', 'a', 'b', 'p'])).toEqual(expected);
    const again = await table.optimize({ zOrderBy: ['a', 'b'] });
    expect(again.numFilesRemoved).toBe(3);
  });

  it('within a file, rows follow the Z-curve: sorted by (a, b) ranges interleaved', async () => {
    const table = tempTable();
    const schema = struct([field('a', primitive('integer')), field('b', primitive('integer'))]);
    await table.create({ schema });
    // a, b in 0..3 each: with 4 ranges per column the ids are the values, so the Z-curve order is known.
    for (let k = 0; k < 2; k++) await table.write({ rows: Array.from({ length: 16 }, (_, i) => ({ a: (i * 3 + k) % 4, b: Math.floor(i / 4) })), schema }, { mode: 'append' });
    await table.optimize({ zOrderBy: ['a', 'b'] });
    const t = await (await table.snapshot()).scan().toTable();
    const seen = t.toArray().map((r) => {
      const { a, b } = r.toJSON() as { a: number; b: number };
      // Morton value: bit 1 of a, bit 1 of b, bit 0 of a, bit 0 of b.
      return (((a >> 1) & 1) << 3) | (((b >> 1) & 1) << 2) | ((a & 1) << 1) | (b & 1);
    });
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });

  it('nested fields and names with dots (backticks) can be Z-ordered', async () => {
    const table = tempTable();
    const schema = struct([field('id', primitive('long')), field('s', struct([field('c', primitive('integer')), field('d', primitive('string'))])), field('flat.a', primitive('long'))]);
    await table.create({ schema });
    for (let k = 0; k < 3; k++) {
      await table.write({ rows: Array.from({ length: 20 }, (_, i) => ({ id: BigInt(k * 20 + i), s: i % 4 === 0 ? null : { c: (i * 7) % 11, d: `d${i}` }, 'flat.a': BigInt(i % 3) })), schema }, { mode: 'append' });
    }
    const before = await ourRows(await table.snapshot(), ['id', 'flat.a']);
    expect((await table.optimize({ zOrderBy: ['s.c', '`flat.a`'] })).numFilesAdded).toBe(1);
    expect(await ourRows(await table.snapshot(), ['id', 'flat.a'])).toEqual(before);
    const info = commitActions(table.tableRoot, (await table.snapshot()).version).find((a) => a.kind === 'commitInfo');
    expect(info?.kind === 'commitInfo' && info.commitInfo.operationParameters?.zOrderBy).toBe('["s.c","`flat.a`"]');
  });

  it('refuses partition columns, unknown columns, columns without statistics and non-atomic columns, as Spark does', async () => {
    const table = tempTable();
    const schema = struct([field('id', primitive('long')), field('n', struct([field('p1', primitive('integer')), field('p2', primitive('integer'))])), field('arr', { kind: 'array', elementType: primitive('integer'), containsNull: true }), field('p', primitive('string'))]);
    await table.create({ schema, partitionBy: ['p'], properties: { 'delta.dataSkippingNumIndexedCols': '2' } });
    await table.write({ rows: [{ id: 1n, n: { p1: 1, p2: 2 }, arr: [1], p: 'a' }], schema }, { mode: 'append' });
    const v = (await table.snapshot()).version;
    const partition = await failure(table.optimize({ zOrderBy: ['id', 'p'] }));
    expect(isDeltaError(partition, 'INVALID_ARGUMENT')).toBe(true);
    expect(partition.message).toContain('p: it is a partition column');
    const missing = await failure(table.optimize({ zOrderBy: ['id', 'id3'] }));
    expect(isDeltaError(missing, 'COLUMN_NOT_FOUND')).toBe(true);
    expect(missing.message).toContain('id3');
    // Stats cover the first two leaves (id, n.p1): n.p2 has none.
    const noStats = await failure(table.optimize({ zOrderBy: ['n.p2', 'id'] }));
    expect(isDeltaError(noStats, 'INVALID_ARGUMENT')).toBe(true);
    expect(noStats.message).toContain('[n.p2]');
    expect(isDeltaError(await failure(table.optimize({ zOrderBy: ['arr'] })), 'UNSUPPORTED_OPERATION', 'INVALID_ARGUMENT')).toBe(true);
    expect(isDeltaError(await failure(table.optimize({ zOrderBy: ['id + 1'] })), 'INVALID_ARGUMENT')).toBe(true);
    expect((await table.snapshot()).version).toBe(v);
    expect((await table.optimize({ zOrderBy: ['n.p1'] })).numFilesRemoved).toBe(1);
  });

  it('ordered rewrites gather rows in several passes when the input exceeds the pass size, with the same result', async () => {
    const { rewriteFiles } = await import('../../../src/maintenance/optimize/rewrite.js');
    const { zOrder } = await import('../../../src/maintenance/optimize/zorder.js');
    const table = tempTable();
    await table.write(randomRows(20_000, 3), { mode: 'errorIfExists', targetFileSize: 16 * 1024 });
    const snap = await table.snapshot();
    expect(snap.addFiles.length).toBeGreaterThan(4);
    const order = zOrder([{ path: ['x'] }, { path: ['y'] }]);
    const one = await rewriteFiles(table.engine, snap, snap.addFiles, { targetFileSize: 1 << 30, order });
    const many = await rewriteFiles(table.engine, snap, snap.addFiles, { targetFileSize: 1 << 30, order, maxPassBytes: 10_000 });
    const read = async (adds: typeof one.adds) => {
      const out: string[] = [];
      const { readLiveRows } = await import('../../../src/maintenance/optimize/read-files.js');
      for await (const { batch } of readLiveRows(table.engine, snap, adds)) out.push(...Array.from(batch.getChild('id')!.toArray() as BigInt64Array, String));
      return out;
    };
    const a = await read(one.adds);
    expect(a).toHaveLength(20_000);
    expect(await read(many.adds)).toEqual(a);
    expect(one.removes.every((r) => r.dataChange === false) && one.adds.every((x) => x.dataChange === false)).toBe(true);
  });
});
