// Worker threads run the built JavaScript (dist/parquet/decode-worker.js): build the package with
// `npx tsc -p tsconfig.build.json` before running these tests.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { WorkerPool } from '../../src/parquet/worker-pool.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { HAVE_FIXTURES, deltaRs, describeFixtures, golden, kernel } from '../fixtures.js';

const local = new LocalFileSystemStore();
const inThread = createParquetHandler(local, { workers: 0 });
const pooled = createParquetHandler(local, { workers: 2 });
afterAll(async () => {
  await pooled.close();
  await inThread.close();
});

function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet') && !f.includes('_delta_log'))
    .map((f) => join(dir, f))
    .sort();
}

/** Rows as comparable JSON text (bigints and nested values included), plus schema text. */
function dump(batches: RecordBatch[]): string[] {
  const out = batches.length > 0 ? [batches[0]!.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.metadata.get('PARQUET:field_id') ?? ''}`).join(',')] : [];
  for (const b of batches) {
    for (const row of b.toArray()) out.push(JSON.stringify(row.toJSON(), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
  return out;
}

const FILES = !HAVE_FIXTURES ? [] : [
  ...parquetFiles(deltaRs('table_with_edge_timestamps')),
  ...parquetFiles(kernel('cdf-column-mapping-id-mode')),
  ...parquetFiles(golden('kernel-timestamp-int96')),
  ...parquetFiles(kernel('table-with-dv-small')),
  ...parquetFiles(golden('data-reader-array-primitives')),
];

describeFixtures('parquet-wasm handler: readFiles on worker threads', () => {
  it('yields, in file order, exactly what in-thread decoding yields (INT96, field ids, nested)', async () => {
    expect(FILES.length).toBeGreaterThan(8);
    for (const columns of [undefined, ['BIG_DATE', 'time', 'value', 'nope']]) {
      const got = new Map<number, RecordBatch[]>();
      let lastIndex = -1;
      for await (const { fileIndex, batch } of pooled.readFiles(FILES.map((path) => ({ path })), columns ? { columns } : {})) {
        expect(fileIndex).toBeGreaterThanOrEqual(lastIndex);
        lastIndex = fileIndex;
        got.set(fileIndex, [...(got.get(fileIndex) ?? []), batch]);
      }
      for (let i = 0; i < FILES.length; i++) {
        const expected: RecordBatch[] = [];
        for await (const b of inThread.readBatches({ path: FILES[i]! }, columns ? { columns } : {})) expected.push(b);
        expect(dump(got.get(i) ?? []), FILES[i]).toEqual(dump(expected));
      }
    }
  });

  it('runs on real workers, reports a corrupt file as CORRUPT_DATA_FILE and keeps working', async () => {
    const good = FILES[0]!;
    const bytes = new Uint8Array(readFileSync(good));
    const corrupt = bytes.slice();
    for (let i = 4; i < 64; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
    const store = new MemoryStore();
    await store.put('/m/good.parquet', bytes);
    await store.put('/m/corrupt.parquet', corrupt);
    const pool = new WorkerPool(2);
    const read = (f: { path: string }) => store.get(f.path);
    try {
      const err = await (async () => {
        for await (const _ of pool.readFiles([{ path: '/m/good.parquet' }, { path: '/m/corrupt.parquet' }], {}, read));
      })().catch((e: unknown) => e);
      expect(isDeltaError(err, 'CORRUPT_DATA_FILE')).toBe(true);
      expect((err as Error).message).toContain('/m/corrupt.parquet');
      expect(pool.stats.workersAvailable).toBe(true);
      let rows = 0;
      for await (const { batch } of pool.readFiles([{ path: '/m/good.parquet' }, { path: '/m/good.parquet' }], {}, read)) rows += batch.numRows;
      expect(rows).toBe(2 * (await collectRows(good)));
      expect(pool.stats.liveWorkers).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
    expect(pool.stats.liveWorkers).toBe(0);
  });

  it('stopping early cancels pending work; the next call still gets every batch', async () => {
    const files = FILES.map((path) => ({ path }));
    const rowsOf = async () => {
      let rows = 0;
      for await (const { batch } of pooled.readFiles(files)) rows += batch.numRows;
      return rows;
    };
    const before = await rowsOf();
    expect(before).toBeGreaterThan(0);
    for (const stopAt of [0, 1, 5]) {
      for await (const { fileIndex } of pooled.readFiles(files)) if (fileIndex >= stopAt) break;
      expect(await rowsOf()).toBe(before);
    }
  });

  it('prewarm starts every worker before the first job; reads after it are unchanged; a prewarmed idle pool does not keep the process alive', async () => {
    const pool = new WorkerPool(2);
    try {
      expect(pool.stats.liveWorkers).toBe(0);
      pool.prewarm();
      expect(pool.stats.liveWorkers).toBe(2);
      pool.prewarm();
      expect(pool.stats.liveWorkers).toBe(2);
      let rows = 0;
      for await (const { batch } of pool.readFiles([{ path: FILES[0]! }], {}, (f) => local.get(f.path))) rows += batch.numRows;
      expect(rows).toBe(await collectRows(FILES[0]!));
    } finally {
      await pool.close();
    }
    pool.prewarm(); // closed: no new workers
    expect(pool.stats.liveWorkers).toBe(0);
    const dist = fileURLToPath(new URL('../../dist/parquet/parquet-wasm-handler.js', import.meta.url));
    const script = `
      const { createParquetHandler } = await import(${JSON.stringify(dist)});
      const { LocalFileSystemStore } = await import(${JSON.stringify(fileURLToPath(new URL('../../dist/storage/local-store.js', import.meta.url)))});
      createParquetHandler(new LocalFileSystemStore(), { workers: 2 }).prewarm();
      console.log('done');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('done');
  });

  it('idle workers do not keep the process alive', () => {
    const dist = fileURLToPath(new URL('../../dist/parquet/parquet-wasm-handler.js', import.meta.url));
    const store = fileURLToPath(new URL('../../dist/storage/local-store.js', import.meta.url));
    const script = `
      const { createParquetHandler } = await import(${JSON.stringify(dist)});
      const { LocalFileSystemStore } = await import(${JSON.stringify(store)});
      const h = createParquetHandler(new LocalFileSystemStore(), { workers: 2 });
      let n = 0;
      for await (const { batch } of h.readFiles(${JSON.stringify(FILES.slice(0, 4).map((path) => ({ path })))})) n += batch.numRows;
      console.log('rows', n);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rows [1-9]/);
  });
});

async function collectRows(path: string): Promise<number> {
  let n = 0;
  for await (const b of inThread.readBatches({ path })) n += b.numRows;
  return n;
}
