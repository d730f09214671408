import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { systemClock } from '../../src/engine.js';
import { DeletedRows } from '../../src/deletion-vectors/deleted-rows.js';
import { loadDeletionVector, uuidDeletionVectorPath } from '../../src/deletion-vectors/load.js';
import { serializeRoaringArray } from '../../src/deletion-vectors/roaring.js';
import { crc32 } from '../../src/deletion-vectors/crc32.js';
import { DeletionVectorWriter, INLINE_DV_MAX_BYTES, mergeWithExisting, statsWithWideBounds } from '../../src/deletion-vectors/write.js';
import type { DeletionVectorDescriptor } from '../../src/log/actions.js';
import type { ParquetHandler } from '../../src/parquet/handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { describeFixtures, kernel } from '../fixtures.js';

const engine: Engine = { store: new MemoryStore(), parquet: {} as ParquetHandler, clock: systemClock };
const ROOT = '/t';

/** A seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SETS: Record<string, number[]> = {
  'one row': [7],
  'a few scattered rows (inline)': [0, 5, 99, 1000, 65535, 65536, 70000],
  'a run of 100k rows (run container)': Array.from({ length: 100_000 }, (_, i) => i + 10),
  'dense random rows across containers (bitsets and arrays)': (() => {
    const r = prng(42);
    const out: number[] = [];
    for (let i = 0; i < 400_000; i++) if (r() < 0.3) out.push(i);
    return out;
  })(),
  'rows beyond 2^32 (second bucket)': [1, 2 ** 32 + 5, 2 ** 33 + 7],
};

describe('deletion vector writer', () => {
  it.each(Object.entries(SETS))('%s: round-trips through the reader', async (_name, rows) => {
    const w = new DeletionVectorWriter(engine, ROOT);
    const dv = await w.write(DeletedRows.fromRows(rows));
    await w.finish();
    expect(dv.cardinality).toBe(new Set(rows).size);
    const bitmap = serializeRoaringArray(DeletedRows.fromRows(rows));
    expect(dv.sizeInBytes).toBe(bitmap.length);
    expect(dv.storageType).toBe(bitmap.length <= INLINE_DV_MAX_BYTES ? 'i' : 'u');
    const back = await loadDeletionVector(engine, ROOT, dv);
    expect([...back.rows()]).toEqual([...new Set(rows)].sort((a, b) => a - b));
  });

  it('packs several deletion vectors into one file, each at its offset, in the envelope layout', async () => {
    const store = new MemoryStore();
    const eng: Engine = { ...engine, store };
    const w = new DeletionVectorWriter(eng, ROOT, { inlineMaxBytes: 0 });
    const sets = [[1, 2, 3], [10, 20], Array.from({ length: 5000 }, (_, i) => i * 3)];
    const dvs: DeletionVectorDescriptor[] = [];
    for (const s of sets) dvs.push(await w.write(DeletedRows.fromRows(s)));
    await w.finish();
    expect(w.files).toHaveLength(1);
    expect(new Set(dvs.map((d) => d.pathOrInlineDv)).size).toBe(1);
    const path = uuidDeletionVectorPath(ROOT, dvs[0]!.pathOrInlineDv);
    expect(path).toMatch(/\/t\/deletion_vector_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.bin$/);
    const bytes = await store.get(path);
    expect(bytes[0]).toBe(1);
    expect(dvs[0]!.offset).toBe(1);
    let at = 1;
    for (let i = 0; i < sets.length; i++) {
      const view = new DataView(bytes.buffer, bytes.byteOffset + at);
      expect(dvs[i]!.offset).toBe(at);
      const size = view.getUint32(0, false);
      expect(size).toBe(dvs[i]!.sizeInBytes);
      const bitmap = bytes.subarray(at + 4, at + 4 + size);
      expect(view.getUint32(4 + size, false)).toBe(crc32(bitmap));
      expect([...(await loadDeletionVector(eng, ROOT, dvs[i]!)).rows()]).toEqual(sets[i]);
      at += 8 + size;
    }
    expect(at).toBe(bytes.length);
  });

  it('starts a new file past the target size', async () => {
    const w = new DeletionVectorWriter(engine, ROOT, { inlineMaxBytes: 0, fileTargetSize: 100 });
    const a = await w.write(DeletedRows.fromRows(Array.from({ length: 100 }, (_, i) => i * 2)));
    const b = await w.write(DeletedRows.fromRows([1, 3]));
    await w.finish();
    expect(a.pathOrInlineDv).not.toBe(b.pathOrInlineDv);
    expect(b.offset).toBe(1);
    expect(w.files).toHaveLength(2);
    expect([...(await loadDeletionVector(engine, ROOT, b)).rows()]).toEqual([1, 3]);
  });

  it('merges new rows with a file\'s existing deletion vector', async () => {
    const w = new DeletionVectorWriter(engine, ROOT);
    const old = await w.write(DeletedRows.fromRows([1, 5, 9]));
    const merged = await mergeWithExisting(engine, ROOT, old, DeletedRows.fromRows([5, 6]));
    expect([...merged.rows()]).toEqual([1, 5, 6, 9]);
  });

  it('fromBitmap builds the same set as fromRows', () => {
    const r = prng(7);
    const rows: number[] = [];
    for (let i = 0; i < 300_000; i++) if (r() < (i < 100_000 ? 0.01 : 0.5)) rows.push(i);
    const words = new Uint32Array(Math.ceil(300_000 / 32));
    for (const x of rows) words[x >>> 5]! |= 1 << (x & 31);
    const a = DeletedRows.fromBitmap(words);
    expect(a.cardinality).toBe(rows.length);
    expect(serializeRoaringArray(a)).toEqual(serializeRoaringArray(DeletedRows.fromRows(rows)));
  });
});

describe('stats of a file getting a deletion vector', () => {
  it('keeps values exactly and widens bounds', () => {
    const s = '{"numRecords":10,"minValues":{"a":-9223372036854775808,"d":1.10},"maxValues":{"a":9223372036854775807},"nullCount":{"a":0,"b":10,"s":{"x":3}},"tightBounds":true}';
    expect(statsWithWideBounds(s, 0)).toBe('{"numRecords":10,"minValues":{"a":-9223372036854775808,"d":1.10},"maxValues":{"a":9223372036854775807},"nullCount":{"a":0,"b":10,"s":{"x":3}},"tightBounds":false}');
  });
  it('raises the null count of all-null columns to the physical row count when bounds were tight', () => {
    const s = '{"numRecords":10,"nullCount":{"a":8,"b":2},"tightBounds":true}';
    expect(statsWithWideBounds(s, 2)).toBe('{"numRecords":10,"nullCount":{"a":10,"b":2},"tightBounds":false}');
  });
  it('adds tightBounds:false when absent and leaves missing stats missing', () => {
    expect(statsWithWideBounds('{"numRecords":3}', 0)).toBe('{"numRecords":3,"tightBounds":false}');
    expect(statsWithWideBounds(undefined, 0)).toBeUndefined();
  });
});

describeFixtures('deletion vectors written like Spark', () => {
  it('the bitmap of table-with-dv-small serializes to the bytes Spark wrote', async () => {
    const root = kernel('table-with-dv-small');
    const log = readFileSync(`${root}/_delta_log/00000000000000000001.json`, 'utf8');
    const dv = (JSON.parse(log.split('\n').find((l) => l.includes('deletionVector'))!) as { add: { deletionVector: DeletionVectorDescriptor } }).add.deletionVector;
    const local: Engine = { store: new LocalFileSystemStore(), parquet: {} as ParquetHandler, clock: systemClock };
    const rows = await loadDeletionVector(local, root, dv);
    const file = readFileSync(uuidDeletionVectorPath(root, dv.pathOrInlineDv));
    const sparkBitmap = file.subarray(dv.offset! + 4, dv.offset! + 4 + dv.sizeInBytes);
    expect(Buffer.from(serializeRoaringArray(rows))).toEqual(Buffer.from(sparkBitmap));
  });
});
