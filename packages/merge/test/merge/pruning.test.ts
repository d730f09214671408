/**
 * What MERGE reads and how it records it: files pruned by the source's key ranges and by
 * target-only conjuncts (counted with a store that logs every data file read), insert-only merges
 * reading only the join columns and never removing files, and conflict detection with real
 * concurrent commits (a MERGE in one partition commits after a concurrent change elsewhere; a
 * MERGE whose files were removed underneath fails and commits nothing).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RecordBatch } from 'apache-arrow';
import { arith, cmp, col, createDefaultEngine, field, lit, LocalFileSystemStore, primitive, struct, systemClock, type Engine, type ObjectStore, type StructType } from '@deltakit/core';
import { createParquetHandler, rowsToBatch } from '@deltakit/core/internal';
import { DeltaTable } from '../../src/index.js';
import { cleanup, commitActions, commitInfo, makeTable, readRows } from '../helpers.js';
import { canonical, duckRows, duckRun, duckTable } from './helpers.js';

afterAll(cleanup);

const SCHEMA: StructType = struct([field('id', primitive('long')), field('part', primitive('string')), field('value', primitive('integer'))]);
const COLS = ['id', 'part', 'value'];
const ROWS = Array.from({ length: 400 }, (_, i) => ({ id: BigInt(i), part: i % 2 === 0 ? 'a' : 'b', value: i % 10 }));
const src = (rows: readonly Record<string, unknown>[]): RecordBatch[] => [rowsToBatch(rows, SCHEMA)];

/** An engine over the local file system that records every data file read and the columns asked for. */
function recordingEngine(): { engine: Engine; files: string[]; columns: (readonly string[] | undefined)[] } {
  const base = new LocalFileSystemStore();
  const files: string[] = [];
  const store: ObjectStore = {
    list: (d, o) => base.list(d, o),
    get: (p) => {
      if (p.endsWith('.parquet') && !p.includes('_delta_log')) files.push(p);
      return base.get(p);
    },
    getRange: (p, s, e) => {
      if (p.endsWith('.parquet') && !p.includes('_delta_log')) files.push(p);
      return base.getRange(p, s, e);
    },
    head: (p) => base.head(p),
    put: (p, d) => base.put(p, d),
    delete: (p) => base.delete(p),
    isDirectory: (p) => base.isDirectory(p),
    putIfAbsent: (p, d) => base.putIfAbsent(p, d),
  };
  const parquet = createParquetHandler(store, { workers: 0 });
  const columns: (readonly string[] | undefined)[] = [];
  const recording = new Proxy(parquet, {
    get(target, prop, receiver) {
      if (prop === 'readFiles') {
        return (refs: unknown, options: { columns?: readonly string[] } | undefined) => {
          columns.push(options?.columns);
          return (target.readFiles as (r: unknown, o: unknown) => unknown)(refs, options);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { engine: { store, parquet: recording, clock: systemClock }, files, columns };
}

const distinct = (xs: readonly string[]) => new Set(xs).size;

describe('file pruning', () => {
  it("reads only the files whose id range overlaps the source's keys", async () => {
    const t = await makeTable(ROWS, SCHEMA, { files: 4 }); // ids 0-99, 100-199, 200-299, 300-399
    const rec = recordingEngine();
    const table = DeltaTable.forPath(t.tableRoot, { engine: rec.engine });
    const source = [
      { id: 150n, part: 'b', value: 100 },
      { id: 160n, part: 'a', value: 101 },
    ];
    const m = await table.alias('t').merge(src(source), 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdate({ set: { value: 's.value' } }).execute();
    expect(distinct(rec.files)).toBe(1);
    expect(m.numTargetRowsUpdated).toBe(2);
    await rec.engine.parquet.close();
  });

  it('prunes by target-only conjuncts (partition values) and reads every file with NOT MATCHED BY SOURCE', async () => {
    const t = await makeTable(ROWS, SCHEMA, { files: 2, partitionBy: ['part'] }); // 2 appends x 2 partitions = 4 files
    const rec = recordingEngine();
    const table = DeltaTable.forPath(t.tableRoot, { engine: rec.engine });
    const source = Array.from({ length: 400 }, (_, i) => ({ id: BigInt(i), part: 'x', value: -1 }));
    await table.alias('t').merge(src(source), "t.id = s.id AND t.part = 'a'", { sourceAlias: 's' }).whenMatchedUpdate({ set: { value: 's.value' } }).execute();
    expect(distinct(rec.files)).toBe(2);
    rec.files.length = 0;
    const before = (await table.snapshot()).addFiles.length;
    await table.alias('t').merge(src(source.slice(0, 10)), 't.id = s.id', { sourceAlias: 's' }).whenNotMatchedBySourceUpdate({ condition: 't.value = 3', set: { value: '4' } }).execute();
    expect(distinct(rec.files)).toBeGreaterThanOrEqual(before);
    await rec.engine.parquet.close();
  });

  it('an empty source reads no target file', async () => {
    const t = await makeTable(ROWS, SCHEMA, { files: 2 });
    const rec = recordingEngine();
    const table = DeltaTable.forPath(t.tableRoot, { engine: rec.engine });
    const m = await table.alias('t').merge(src([]), 't.id = s.id', { sourceAlias: 's' }).whenMatchedDelete().whenNotMatchedInsertAll().execute();
    expect(rec.files).toEqual([]);
    expect(m.version).toBe((await t.snapshot()).version);
    await rec.engine.parquet.close();
  });
});

describe('insert-only merges', () => {
  it('read only the join columns of candidate files and only append', async () => {
    const even = ROWS.map((r) => ({ ...r, id: r.id * 2n })); // ids 0, 2, ..., 798 in 4 files of 200 ids each
    const t = await makeTable(even, SCHEMA, { files: 4 });
    const rec = recordingEngine();
    const table = DeltaTable.forPath(t.tableRoot, { engine: rec.engine });
    const source = [
      { id: 4n, part: 'z', value: 1 },
      { id: 5n, part: 'z', value: 2 },
      { id: 7n, part: 'z', value: 3 },
    ];
    const m = await table.alias('t').merge(src(source), 't.id = s.id', { sourceAlias: 's' }).whenNotMatchedInsertAll().execute();
    expect(rec.columns.every((c) => c !== undefined && c.length === 1 && c[0] === 'id')).toBe(true);
    expect(distinct(rec.files)).toBe(1); // the source's ids 4..7 fall in the first file's range only
    const actions = commitActions(t.tableRoot, m.version);
    expect(actions.filter((a) => 'remove' in a)).toEqual([]);
    expect(m.numTargetRowsInserted).toBe(2);
    expect(m.numTargetFilesRemoved).toBe(0);
    await rec.engine.parquet.close();
  });
});

/**
 * An engine whose first commit attempt first runs `other` (a whole statement on the same table
 * through its own engine), so the MERGE commits against a table that moved on.
 */
function racing(other: () => Promise<unknown>): Engine {
  const base = new LocalFileSystemStore();
  let fired = false;
  const store: ObjectStore = {
    list: (d, o) => base.list(d, o),
    get: (p) => base.get(p),
    getRange: (p, s, e) => base.getRange(p, s, e),
    head: (p) => base.head(p),
    put: (p, d) => base.put(p, d),
    delete: (p) => base.delete(p),
    isDirectory: (p) => base.isDirectory(p),
    putIfAbsent: async (p, d) => {
      if (!fired && /_delta_log\/\d{20}\.json$/.test(p)) {
        fired = true;
        await other();
      }
      return base.putIfAbsent(p, d);
    },
  };
  return createDefaultEngine({ store, workers: 0 });
}

describe('conflict detection with concurrent commits', () => {
  const sourceA = [
    { id: 10n, part: 'a', value: 100 },
    { id: 1000n, part: 'a', value: 101 },
  ];

  it('a MERGE in partition a commits after a concurrent MERGE in partition b; the result is both applied in order', async () => {
    const t = await makeTable(ROWS, SCHEMA, { files: 2, partitionBy: ['part'] });
    const other = DeltaTable.forPath(t.tableRoot, { engine: createDefaultEngine({ workers: 0 }) });
    const v0 = (await t.snapshot()).version;
    const sourceB = [{ id: 11n, part: 'b', value: 200 }];
    const racer = t.withEngine(racing(() => other.alias('t').merge(src(sourceB), "t.id = s.id AND t.part = 'b'", { sourceAlias: 's' }).whenMatchedUpdateAll().execute()));
    const m = await racer.alias('t').merge(src(sourceA), "t.id = s.id AND t.part = 'a'", { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    expect(m.version).toBe(v0 + 2);
    expect(commitInfo(t.tableRoot, v0 + 2)['readVersion']).toBe(v0);
    await duckTable('conf_t', SCHEMA, ROWS);
    await duckTable('conf_b', SCHEMA, sourceB);
    await duckTable('conf_a', SCHEMA, sourceA);
    await duckRun("MERGE INTO conf_t AS t USING conf_b AS s ON t.id = s.id AND t.part = 'b' WHEN MATCHED THEN UPDATE SET id = s.id, part = s.part, value = s.value");
    await duckRun("MERGE INTO conf_t AS t USING conf_a AS s ON t.id = s.id AND t.part = 'a' WHEN MATCHED THEN UPDATE SET id = s.id, part = s.part, value = s.value WHEN NOT MATCHED THEN INSERT (id, part, value) VALUES (s.id, s.part, s.value)");
    expect(canonical(await readRows(t), COLS)).toEqual(canonical(await duckRows('SELECT * FROM conf_t'), COLS));
  });

  it('a MERGE whose files were removed concurrently fails with CONCURRENT_DELETE_READ and commits nothing', async () => {
    const t = await makeTable(ROWS, SCHEMA, { files: 2, partitionBy: ['part'] });
    const other = DeltaTable.forPath(t.tableRoot, { engine: createDefaultEngine({ workers: 0 }) });
    const v0 = (await t.snapshot()).version;
    const racer = t.withEngine(racing(() => other.delete("part = 'a'")));
    const e = racer.alias('t').merge(src(sourceA), "t.id = s.id AND t.part = 'a'", { sourceAlias: 's' }).whenMatchedUpdateAll().execute();
    await expect(e).rejects.toMatchObject({ code: 'CONCURRENT_DELETE_READ' });
    expect((await t.snapshot()).version).toBe(v0 + 1);
  });

  it('a concurrent commit adding rows the MERGE would have matched fails it with CONCURRENT_APPEND; a blind append does not', async () => {
    const t = await makeTable(ROWS, SCHEMA, { files: 2 });
    const other = DeltaTable.forPath(t.tableRoot, { engine: createDefaultEngine({ workers: 0 }) });
    // A concurrent MERGE inserting id 20 (in the source's key range 10..1000): a non-blind add the MERGE's read predicate matches.
    const racer = t.withEngine(racing(() => other.alias('t').merge(src([{ id: 20n, part: 'q', value: 1 }]), cmp('=', col('t', 'id'), arith('+', col('s', 'id'), lit(1000n))), { sourceAlias: 's' }).whenNotMatchedInsertAll().whenNotMatchedBySourceDelete({ condition: 't.id = 399' }).execute()));
    await expect(racer.alias('t').merge(src(sourceA), 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdateAll().execute()).rejects.toMatchObject({ code: 'CONCURRENT_APPEND' });

    const t2 = await makeTable(ROWS, SCHEMA, { files: 2 });
    const appender = DeltaTable.forPath(t2.tableRoot, { engine: createDefaultEngine({ workers: 0 }) });
    const v0 = (await t2.snapshot()).version;
    const racer2 = t2.withEngine(racing(() => appender.write({ rows: [{ id: 20n, part: 'q', value: 1 }], schema: SCHEMA }, { mode: 'append' })));
    const m = await racer2.alias('t').merge(src(sourceA), 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdateAll().execute();
    expect(m.version).toBe(v0 + 2);
  });
});
