/**
 * The effect of liquid clustering on reads: a table of 1,048,576 rows written in random order as
 * 64 files, clustered by two columns (a long and a string). Point and range queries on each clustering column are run
 * before and after OPTIMIZE; a store wrapper counts the data files each query opens, and every
 * answer is checked against a count computed from the generated values.
 */
import { tableFromArrays } from 'apache-arrow';
import { afterAll, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/storage/memory-store.js';
import type { ListOptions, ObjectMeta, ObjectStore, PutIfAbsentResult } from '../../../src/storage/object-store.js';
import { createDefaultEngine } from '../../../src/table/default-engine.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { zCubeOf } from '../../../src/maintenance/clustering/zcube.js';
import { parseDdlSchema } from '../../../src/schema/ddl.js';

/** Delegates to a store and records the data files (`.parquet` outside `_delta_log`) read. */
class CountingStore implements ObjectStore {
  readonly read = new Set<string>();
  constructor(readonly inner: ObjectStore) {}
  #note(path: string): void {
    if (path.endsWith('.parquet') && !path.includes('/_delta_log/')) this.read.add(path);
  }
  list(dir: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    return this.inner.list(dir, options);
  }
  get(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    this.#note(path);
    return this.inner.get(path, options);
  }
  getRange(path: string, start: number, end: number, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    this.#note(path);
    return this.inner.getRange(path, start, end, options);
  }
  head(path: string): Promise<ObjectMeta> {
    return this.inner.head(path);
  }
  put(path: string, data: Uint8Array): Promise<void> {
    return this.inner.put(path, data);
  }
  putIfAbsent(path: string, data: Uint8Array): Promise<PutIfAbsentResult> {
    return this.inner.putIfAbsent(path, data);
  }
  delete(path: string): Promise<void> {
    return this.inner.delete(path);
  }
  isDirectory(path: string): Promise<boolean> {
    return this.inner.isDirectory(path);
  }
}

const ROWS = 1 << 20;
const FILES = 64;
/** Queries of each kind (point and range, on each column). */
const QUERIES = 3;
const store = new CountingStore(new MemoryStore());
const engine = createDefaultEngine({ store, workers: 2 });
afterAll(() => engine.parquet.close());

/** Seeded generator (xorshift32), so the table and the queries are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

interface Query {
  readonly name: string;
  readonly filter: string;
  readonly expected: number;
}

it('clustering by (a, b) cuts the files point and range queries on a and on b read, with the same answers', async () => {
  // a: a random permutation of 0..ROWS-1 (unique keys); b: random strings `u-0000000` .. `u-9999999`.
  const rand = random(20240601);
  const a = new BigInt64Array(ROWS);
  const b = new Array<string>(ROWS);
  const order = Int32Array.from({ length: ROWS }, (_, i) => i);
  for (let i = ROWS - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let i = 0; i < ROWS; i++) {
    a[i] = BigInt(order[i]!);
    b[i] = `u-${String(Math.floor(rand() * 10_000_000)).padStart(7, '0')}`;
  }
  const payload = Int32Array.from({ length: ROWS }, (_, i) => i);

  const table = DeltaTable.forPath('memory://effect', { engine });
  await table.create({ schema: parseDdlSchema('a BIGINT, b STRING, payload INT'), clusterBy: ['a', 'b'] });
  const per = ROWS / FILES;
  for (let f = 0; f < FILES; f++) {
    const s = f * per;
    await table.write(tableFromArrays({ a: a.subarray(s, s + per), b: b.slice(s, s + per), payload: payload.subarray(s, s + per) }), { mode: 'append' });
  }

  // Queries, each answer counted from the generated arrays.
  const qrand = random(7);
  const queries: Query[] = [];
  const count = (pred: (i: number) => boolean): number => {
    let n = 0;
    for (let i = 0; i < ROWS; i++) if (pred(i)) n++;
    return n;
  };
  for (let q = 0; q < QUERIES; q++) {
    const va = BigInt(Math.floor(qrand() * ROWS));
    queries.push({ name: 'a = v', filter: `a = ${va}`, expected: count((i) => a[i] === va) });
    const lo = BigInt(Math.floor(qrand() * (ROWS * 0.99)));
    const hi = lo + BigInt(Math.floor(ROWS / 100));
    queries.push({ name: 'a BETWEEN (1%)', filter: `a BETWEEN ${lo} AND ${hi}`, expected: count((i) => a[i]! >= lo && a[i]! <= hi) });
    const vb = b[Math.floor(qrand() * ROWS)]!;
    queries.push({ name: 'b = v', filter: `b = '${vb}'`, expected: count((i) => b[i] === vb) });
    const blo = `u-${String(Math.floor(qrand() * 9_900_000)).padStart(7, '0')}`;
    const bhi = `u-${String(Number(blo.slice(2)) + 100_000).padStart(7, '0')}`;
    queries.push({ name: 'b BETWEEN (1%)', filter: `b BETWEEN '${blo}' AND '${bhi}'`, expected: count((i) => b[i]! >= blo && b[i]! <= bhi) });
  }

  /** Mean data files read per query kind; every answer must be exact. */
  const measure = async (): Promise<Record<string, number>> => {
    const snap = await table.snapshot();
    const sums: Record<string, number> = {};
    for (const q of queries) {
      store.read.clear();
      const result = await snap.scan({ columns: ['a'], filter: q.filter }).toTable();
      expect([q.filter, result.numRows]).toEqual([q.filter, q.expected]);
      sums[q.name] = (sums[q.name] ?? 0) + store.read.size / QUERIES;
    }
    return sums;
  };

  const before = await measure();
  const sizeBefore = (await table.snapshot()).addFiles.reduce((s, f) => s + f.size, 0);
  const metrics = await table.optimize({ targetFileSize: Math.ceil(sizeBefore / FILES) });
  const after = await measure();
  const files = (await table.snapshot()).addFiles;

  console.log(`clustering effect on ${ROWS} rows: ${FILES} files before, ${files.length} after OPTIMIZE (${metrics.numFilesRemoved} removed)`);
  console.log('mean data files read per query, before -> after:');
  for (const k of Object.keys(before)) console.log(`  ${k.padEnd(16)} ${before[k]!.toFixed(1).padStart(5)} -> ${after[k]!.toFixed(1)}`);

  expect(metrics.numFilesRemoved).toBe(FILES);
  expect(files.every((f) => f.clusteringProvider === 'liquid' && zCubeOf(f) !== undefined)).toBe(true);
  expect(files.length).toBeGreaterThanOrEqual(FILES / 2);
  // Random order: every file spans both columns' whole range, so every query reads every file.
  for (const k of Object.keys(before)) expect([k, before[k]]).toEqual([k, FILES]);
  // Clustered by two columns, a query on one column reads about one file per row (or column) of
  // the 2-D grid of files: around sqrt(file count), here at most a quarter of the files.
  for (const k of Object.keys(after)) expect(after[k]!, k).toBeLessThanOrEqual(files.length / 4);
}, 600_000);
