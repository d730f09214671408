import { describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine.js';
import { isDeltaError } from '../../../src/errors.js';
import type { AddFile } from '../../../src/log/actions.js';
import { field, primitive, struct } from '../../../src/schema/types.js';
import { MemoryStore } from '../../../src/storage/memory-store.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';
import { createDefaultEngine } from '../../../src/table/default-engine.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { Transaction } from '../../../src/transaction/transaction.js';
import { DataFileWriter } from '../../../src/write/data-writer.js';
import { statsOptionsFromMetadata } from '../../../src/write/stats-collector.js';
import { failure } from '../../fixtures.js';

const schema = struct([field('id', primitive('long')), field('s', primitive('string')), field('p', primitive('string'))]);

function memTable(store: ObjectStore = new MemoryStore()): { table: DeltaTable; engine: Engine; store: ObjectStore } {
  const engine = createDefaultEngine({ store, workers: 0 });
  return { table: DeltaTable.forPath('memory://t', { engine }), engine, store };
}

const rows = (from: number, n: number, p: string | ((i: number) => string) = 'a') =>
  Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), s: `v${from + i}`, p: typeof p === 'string' ? p : p(from + i) }));

async function ids(table: DeltaTable): Promise<bigint[]> {
  const t = await (await table.snapshot()).scan({ columns: ['id'] }).toTable();
  return Array.from(t.getChild('id')!.toArray() as BigInt64Array).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const expectedIds = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i));

describe('auto compaction', () => {
  it("Spark's defaults: the write that brings a partition to 50 small files compacts it, as a separate OPTIMIZE commit with auto: true", async () => {
    const { table } = memTable();
    await table.create({ schema, properties: { 'delta.autoOptimize.autoCompact': 'true' } });
    for (let i = 0; i < 49; i++) {
      const r = await table.write({ rows: rows(i * 3, 3), schema }, { mode: 'append' });
      expect(r.autoCompaction?.compacted, `write ${i}`).toBe(false);
      expect(r.autoCompaction?.note).toContain('fewer than minNumFiles (50)');
    }
    expect((await table.snapshot()).addFiles).toHaveLength(49);
    const r = await table.write({ rows: rows(147, 3), schema }, { mode: 'append' });
    expect(r.autoCompaction).toMatchObject({ compacted: true, version: r.version + 1 });
    expect(r.autoCompaction!.metrics).toMatchObject({ numFilesRemoved: 50, numFilesAdded: 1, version: r.version + 1 });
    const snap = await table.snapshot();
    expect(snap.version).toBe(r.version + 1);
    expect(snap.addFiles).toHaveLength(1);
    const [last] = await table.history({ limit: 1 });
    expect(last!.commitInfo?.operation).toBe('OPTIMIZE');
    expect(last!.commitInfo?.operationParameters).toMatchObject({ auto: 'true', predicate: '[]' });
    expect(await ids(table)).toEqual(expectedIds(150));
  });

  it('only the partitions the write touched, and only those with enough small files, are compacted', async () => {
    const { table } = memTable();
    await table.create({ schema, partitionBy: ['p'] });
    for (let i = 0; i < 4; i++) await table.write({ rows: rows(i * 10, 10, (k) => (k % 2 ? 'b' : 'a')), schema }, { mode: 'append' });
    await table.write({ rows: rows(40, 2, 'c'), schema }, { mode: 'append' });
    const before = await table.snapshot();
    // Touches a (5 files now) and c (2 files): a is compacted, c has too few, b is not touched.
    const r = await table.write({ rows: [...rows(42, 4, 'a'), ...rows(46, 1, 'c')], schema }, { mode: 'append', autoCompact: { minNumFiles: 5 } });
    expect(r.autoCompaction?.compacted).toBe(true);
    const after = await table.snapshot();
    const count = (files: readonly AddFile[], p: string) => files.filter((a) => a.partitionValues.p === p).length;
    expect([count(after.addFiles, 'a'), count(after.addFiles, 'b'), count(after.addFiles, 'c')]).toEqual([1, count(before.addFiles, 'b'), 2]);
    expect(count(before.addFiles, 'b')).toBe(4);
    const [last] = await table.history({ limit: 1 });
    expect(last!.commitInfo?.operationParameters).toMatchObject({ auto: 'true', predicate: JSON.stringify(["p <=> 'a'"]) });
    expect(await ids(table)).toEqual(expectedIds(47));
  });

  it('files above minFileSize are not small; legacy delta.autoOptimize=true enables it; autoCompact: false disables it', async () => {
    const { table } = memTable();
    await table.create({ schema, properties: { 'delta.autoOptimize': 'true' } });
    for (let i = 0; i < 3; i++) await table.write({ rows: rows(i, 1), schema }, { mode: 'append', autoCompact: false });
    expect((await table.snapshot()).addFiles).toHaveLength(3);
    const size = Math.min(...(await table.snapshot()).addFiles.map((a) => a.size));
    const tooSmall = await table.write({ rows: rows(3, 1), schema }, { mode: 'append', autoCompact: { minNumFiles: 4, minFileSize: size - 1 } });
    expect(tooSmall.autoCompaction).toMatchObject({ compacted: false });
    const viaProperty = await table.write({ rows: rows(4, 1), schema }, { mode: 'append' });
    expect(viaProperty.autoCompaction?.compacted).toBe(false); // 5 small files < 50
    const r = await table.write({ rows: rows(5, 1), schema }, { mode: 'append', autoCompact: { minNumFiles: 6 } });
    expect(r.autoCompaction?.compacted).toBe(true);
    expect((await table.snapshot()).addFiles).toHaveLength(1);
  });

  it('an OPTIMIZE does not trigger auto compaction; bad settings are refused before anything is written', async () => {
    const { table } = memTable();
    await table.create({ schema, properties: { 'delta.autoOptimize.autoCompact': 'true' } });
    for (let i = 0; i < 3; i++) await table.write({ rows: rows(i, 1), schema }, { mode: 'append' });
    const v = (await table.snapshot()).version;
    const m = await table.optimize();
    expect(m.version).toBe(v + 1);
    expect((await table.snapshot()).version).toBe(v + 1);
    expect(isDeltaError(await failure(table.write({ rows: rows(9, 1), schema }, { mode: 'append', autoCompact: { minNumFiles: -1 } })), 'INVALID_ARGUMENT')).toBe(true);
    expect(isDeltaError(await failure(table.write({ rows: rows(9, 1), schema }, { mode: 'append', autoCompact: { maxFileSize: 0 } })), 'INVALID_ARGUMENT')).toBe(true);
    expect((await table.snapshot()).version).toBe(v + 1);
    await table.setProperties({ 'delta.autoOptimize.autoCompact': 'sometimes' });
    const r = await table.write({ rows: rows(9, 1), schema }, { mode: 'append' });
    expect(r.autoCompaction?.compacted).toBe(false);
    expect(r.autoCompaction?.note).toContain('must be true or false');
  });

  it('gives up quietly when a concurrent commit removes a file it compacts: the write stands, the table stays correct, its new files are deleted', async () => {
    const store = new MemoryStore();
    const { table, engine } = memTable(store);
    await table.create({ schema });
    for (let i = 0; i < 4; i++) await table.write({ rows: rows(i * 2, 2), schema }, { mode: 'append' });
    // Once the write has committed, the first data file auto compaction stores makes another
    // writer delete one of the small files being compacted.
    let phase: 'idle' | 'waiting-commit' | 'armed' | 'done' = 'idle';
    let victim: AddFile | undefined;
    const inner: ObjectStore = store;
    const racing: ObjectStore = {
      list: (dir, o) => inner.list(dir, o),
      get: (path, o) => inner.get(path, o),
      getRange: (path, start, end, o) => inner.getRange(path, start, end, o),
      head: (path) => store.head(path),
      delete: (path) => store.delete(path),
      isDirectory: (path) => store.isDirectory(path),
      putIfAbsent: async (path, data) => {
        const r = await store.putIfAbsent(path, data);
        if (phase === 'waiting-commit' && r.created && /_delta_log\/\d{20}\.json$/.test(path)) phase = 'armed';
        return r;
      },
      put: async (path, data) => {
        await store.put(path, data);
        if (phase !== 'armed' || !path.endsWith('.parquet') || path.includes('_delta_log')) return;
        phase = 'done';
        const snap = await DeltaTable.forPath('memory://t', { engine }).snapshot();
        victim = snap.addFiles[0]!;
        const tx = Transaction.begin(engine, snap, { operation: 'DELETE' });
        tx.readFiles([victim]).removeFiles([{ path: victim.path, deletionTimestamp: 1, dataChange: true, partitionValues: victim.partitionValues, size: victim.size }]);
        await tx.commit();
      },
    };
    const racer = createDefaultEngine({ store: racing, workers: 0 });
    phase = 'waiting-commit';
    const r = await DeltaTable.forPath('memory://t', { engine: racer }).write({ rows: rows(8, 2), schema }, { mode: 'append', autoCompact: { minNumFiles: 5 } });
    await racer.parquet.close();
    expect(phase).toBe('done');
    expect(r.autoCompaction?.compacted).toBe(false);
    expect(r.autoCompaction?.note).toContain('gave up');
    expect(r.autoCompaction?.note).toContain(`removed file ${victim!.path}`);
    // The write (v5) and the concurrent delete (v6) stand; no OPTIMIZE was committed.
    const snap = await table.snapshot();
    expect(snap.version).toBe(r.version + 1);
    expect((await table.history()).map((h) => h.commitInfo?.operation)).not.toContain('OPTIMIZE');
    expect(snap.addFiles.map((a) => a.path)).not.toContain(victim!.path);
    expect((await (await table.snapshot({ version: r.version })).scan().toTable()).numRows).toBe(10);
    // Every data file in the store was live at some version: the compaction's outputs were deleted.
    const everLive = new Set<string>();
    for (let v = 0; v <= snap.version; v++) for (const a of (await table.snapshot({ version: v })).addFiles) everLive.add(a.path);
    const stored: string[] = [];
    for await (const m of store.list('/t', { recursive: true })) if (m.path.endsWith('.parquet') && !m.path.includes('_delta_log')) stored.push(m.path.slice('/t/'.length));
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.filter((p) => !everLive.has(p))).toEqual([]);
  });
});

describe('optimized writes', () => {
  it('small batches to many partitions make one file per partition (with the option, the property, and by default)', async () => {
    for (const variant of ['option', 'property', 'default'] as const) {
      const { table } = memTable();
      await table.create({ schema, partitionBy: ['p'], ...(variant === 'property' ? { properties: { 'delta.autoOptimize.optimizeWrite': 'true' } } : {}) });
      async function* batches() {
        const { rowsToBatch } = await import('../../../src/write/rows-to-arrow.js');
        for (let b = 0; b < 40; b++) yield rowsToBatch(rows(b * 25, 25, (k) => `part${k % 20}`), schema);
      }
      const r = await table.write(batches(), { mode: 'append', ...(variant === 'option' ? { optimizeWrite: true } : {}) });
      expect(r.numFiles, variant).toBe(20);
      const snap = await table.snapshot();
      expect(new Set(snap.addFiles.map((a) => a.partitionValues.p)).size).toBe(20);
      expect(await ids(table)).toEqual(expectedIds(1000));
    }
  });

  it("an optimized writer does not start files on flush() (DML rewrites call it per rewritten file); a plain writer does", async () => {
    for (const optimizeWrite of [false, true]) {
      const store = new MemoryStore();
      const engine = createDefaultEngine({ store, workers: 0 });
      const { rowsToBatch } = await import('../../../src/write/rows-to-arrow.js');
      const meta = { configuration: {}, partitionColumns: [] } as never;
      const writer = new DataFileWriter(engine, { tableRoot: '/t', schema, partitionColumns: ['p'], columnMappingMode: 'none', stats: statsOptionsFromMetadata(meta, schema), optimizeWrite });
      for (let i = 0; i < 5; i++) {
        await writer.write(rowsToBatch(rows(i * 10, 10, (k) => (k % 2 ? 'x' : 'y')), schema));
        await writer.flush();
      }
      const adds = await writer.finish();
      expect(adds.length, `optimizeWrite ${optimizeWrite}`).toBe(optimizeWrite ? 2 : 10);
      expect(adds.reduce((s, a) => s + JSON.parse(a.stats!).numRecords, 0)).toBe(50);
    }
  });
});
