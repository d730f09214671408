import { afterAll, describe, expect, it } from 'vitest';
import { createDefaultEngine, field, primitive, struct, type Engine, type ParquetFileRef } from '@deltakit/core';
import { DeltaTable, scanTargetFiles } from '../src/index.js';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { cleanup, duckAfter, duckRows, duckRun, makeTable, readRows, sqlValue } from './helpers.js';

afterAll(cleanup);

const schema = struct([field('id', primitive('long')), field('value', primitive('integer'))]);
const ROWS = Array.from({ length: 300 }, (_, i) => ({ id: BigInt(i), value: i % 9 === 0 ? null : i }));
const COLUMNS = 'id BIGINT, value INTEGER';

/** An engine that records the paths of every parquet file read. */
function countingEngine(): { engine: Engine; read: string[] } {
  const base = createDefaultEngine({ workers: 0 });
  const read: string[] = [];
  const p = base.parquet;
  const parquet: Engine['parquet'] = {
    readSchema: (f, o) => p.readSchema(f, o),
    writeTable: (t, o) => p.writeTable(t, o),
    close: () => p.close(),
    readFiles: (refs: readonly ParquetFileRef[], o) => {
      read.push(...refs.map((r) => r.path));
      return p.readFiles(refs, o);
    },
    readBatches: (ref: ParquetFileRef, o) => {
      read.push(ref.path);
      return p.readBatches(ref, o);
    },
  };
  return { engine: { ...base, parquet }, read };
}

describe('which files DELETE reads', () => {
  it.each([false, true])('files whose statistics prove every row matches are removed unread (deletion vectors: %s)', async (dv) => {
    const t = await makeTable(ROWS, schema, { files: 3, ...(dv ? { properties: { 'delta.enableDeletionVectors': 'true' } } : {}) });
    const { engine, read } = countingEngine();
    const table = DeltaTable.forPath(t.tableRoot, { engine });
    const files = (await table.snapshot()).addFiles;
    // ids 100..299 are the second and third files exactly; their id column has no nulls
    const r = await table.delete('id >= 100');
    expect(read).toEqual([]);
    expect(r.numRemovedFiles).toBe(2);
    expect(r.numDeletedRows).toBe(200);
    expect(await readRows(table)).toEqual(await duckAfter(ROWS, COLUMNS, 'DELETE FROM {t} WHERE id >= 100'));
    read.length = 0;
    // a condition on a column with nulls cannot be proven from bounds: the file is read (and, without DVs, copied)
    const r2 = await table.delete('value >= 0 AND id < 50');
    expect(read.length).toBe(dv ? 1 : 2);
    expect(new Set(read).size).toBe(1);
    expect(read[0]).toContain(decodeURIComponent(files.find((f) => f.stats!.includes('"id":0'))!.path));
    expect(r2.numDeletedRows).toBe(ROWS.filter((x) => x.value !== null && Number(x.id) < 50).length);
    await engine.parquet.close();
  });

  it('files the condition cannot match are neither read nor touched', async () => {
    const t = await makeTable(ROWS, schema, { files: 3 });
    const { engine, read } = countingEngine();
    const table = DeltaTable.forPath(t.tableRoot, { engine });
    const r = await table.delete('id = 150');
    // the one candidate file is read to find the row, then again to copy the others
    expect(read).toHaveLength(2);
    expect(new Set(read).size).toBe(1);
    expect(r.numRemovedFiles).toBe(1);
    expect(r.numCopiedRows).toBe(99);
    await engine.parquet.close();
  });
});

describe('files read in several batches', () => {
  it('scanTargetFiles reports physical positions across batches', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => ({ id: BigInt(i), value: i % 1000 }));
    const t = await makeTable(many, schema);
    await t.write({ rows: many, schema }, { mode: 'overwrite', rowGroupSize: 2000 });
    const snap = await t.snapshot();
    let batches = 0;
    for await (const b of scanTargetFiles(t.engine, snap, snap.addFiles, { batchSize: 2000 })) {
      batches++;
      const ids = b.batch.getChild('id')!.toArray() as BigInt64Array;
      for (let i = 0; i < b.batch.numRows; i += 997) expect(b.positions[i]).toBe(Number(ids[i]));
    }
    expect(batches).toBe(10);
  });

  // 1.1M rows in one file: DML reads it in more than one batch (1M rows per batch by default)
  it.each([false, true])('DELETE and UPDATE of a 1.1M-row file (deletion vectors: %s)', async (dv) => {
    const n = 1_100_000;
    const ids = new BigInt64Array(n);
    const values = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = BigInt(i);
      values[i] = (i * 7919) % 100_000;
    }
    const t = await makeTable([], schema, dv ? { properties: { 'delta.enableDeletionVectors': 'true' } } : {});
    await t.write(tableFromArrays({ id: ids, value: values }), { mode: 'append', rowGroupSize: 100_000 });
    const file = join(t.tableRoot, decodeURIComponent((await t.snapshot()).addFiles[0]!.path));
    const d = await t.delete('value >= 99000 OR id > 1099990');
    const u = await t.update({ set: { value: "'-1'" }, condition: 'value < 500' });
    const e = await t.delete('value = -1 AND id > 1050000');
    expect(d.numDeletedRows + u.numUpdatedRows + e.numDeletedRows).toBeGreaterThan(10_000);
    // aggregate fingerprints of the rows: DuckDB's after running the same statements, and ours
    await duckRun(`CREATE TABLE big${dv ? 1 : 0} AS SELECT * FROM read_parquet(${sqlValue(file)})`);
    await duckRun(`DELETE FROM big${dv ? 1 : 0} WHERE value >= 99000 OR id > 1099990; UPDATE big${dv ? 1 : 0} SET value = -1 WHERE value < 500; DELETE FROM big${dv ? 1 : 0} WHERE value = -1 AND id > 1050000`);
    const [duck] = await duckRows(`SELECT count(*)::BIGINT AS n, sum(id)::BIGINT AS ids, sum(value)::BIGINT AS vals, sum(id * (value + 7))::HUGEINT::VARCHAR AS mix FROM big${dv ? 1 : 0}`);
    let count = 0n;
    let idSum = 0n;
    let valSum = 0n;
    let mix = 0n;
    for await (const b of (await t.snapshot()).scan().batches()) {
      const bi = b.getChild('id')!.toArray() as BigInt64Array;
      const bv = b.getChild('value')!.toArray() as Int32Array;
      for (let i = 0; i < b.numRows; i++) {
        count++;
        idSum += bi[i]!;
        valSum += BigInt(bv[i]!);
        mix += bi[i]! * BigInt(bv[i]! + 7);
      }
    }
    expect({ n: count, ids: idSum, vals: valSum, mix: String(mix) }).toEqual(duck);
  }, 120_000);
});
