/**
 * Change feeds of tables written by core's writer (appends, whole-file overwrites and deletes,
 * a dataChange=false rewrite, hand-staged change data files): expected rows come from the data
 * written, row data is cross-checked with DuckDB reading the parquet files each commit names, and
 * `_commit_timestamp` with `table.history()`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DeltaTable, field, primitive, struct, type AddFile, type Engine, type ParquetHandler } from '@deltakit/core';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChanges } from '../src/index.js';
import { commitTimes, tableRows } from './helpers.js';

const schema = struct([field('id', primitive('long'), false), field('name', primitive('string')), field('part', primitive('string'))]);
const COLUMNS = ['id', 'name', 'part', '_change_type', '_commit_version'];

interface Row {
  id: bigint;
  name: string;
  part: string;
}
const rowsFor = (from: number, to: number): Row[] =>
  Array.from({ length: to - from }, (_, k) => ({ id: BigInt(from + k), name: `n${from + k}`, part: (from + k) % 2 === 0 ? 'even' : 'odd' }));
const expectRows = (rows: Row[], type: string, version: number) => rows.map((r) => [r.id, r.name, r.part, type, version]);
/** Canonical text of expected rows, as `tableRows` prints them. */
const canonical = (rows: (string | number | bigint)[][]) => rows.map((r) => r.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(' | ')).sort();

/** The actions of one commit file, parsed independently of the library. */
function commitActions(root: string, version: number): Array<Record<string, Record<string, unknown>>> {
  return readFileSync(join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

let dir: string;
let root: string;
let table: DeltaTable;
const rows1 = rowsFor(0, 100);
const rows2 = rowsFor(100, 150);
const rows3 = rowsFor(1000, 1010);
let deletedInV4: Row[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deltakit-cdf-'));
  root = join(dir, 'events');
  table = DeltaTable.forPath(root);
  await table.create({ schema, partitionBy: ['part'], properties: { 'delta.enableChangeDataFeed': 'true' } }); // v0
  await table.write({ rows: rows1, schema }, { mode: 'append' }); // v1
  await table.write({ rows: rows2, schema }, { mode: 'append' }); // v2
  await table.write({ rows: rows3, schema }, { mode: 'overwrite' }); // v3: removes every earlier file
  // v4: a whole-file DELETE of the 'even' partition.
  const snap = await table.snapshot();
  const even = snap.addFiles.filter((a) => a.partitionValues.part === 'even');
  const del = await table.transaction({ operation: 'DELETE' });
  del.readWholeTable().removeFiles(even.map((a) => removeOf(a, true)));
  await del.commit();
  deletedInV4 = rows3.filter((r) => r.part === 'even');
  // v5: an OPTIMIZE-like rewrite (dataChange=false) of the 'odd' files into one: no change rows.
  const snap4 = await table.snapshot();
  const odd = snap4.addFiles.filter((a) => a.partitionValues.part === 'odd');
  const data = await snap4.scan({ columns: ['id', 'name'], filter: "part = 'odd'" }).toTable();
  const bytes = await table.engine.parquet.writeTable(data);
  await table.engine.store.put(join(root, 'part=odd/compacted.parquet'), bytes);
  const compacted: AddFile = { path: 'part=odd/compacted.parquet', partitionValues: { part: 'odd' }, size: bytes.length, modificationTime: Date.now(), dataChange: false };
  const opt = await table.transaction({ operation: 'OPTIMIZE' });
  opt.readWholeTable().removeFiles(odd.map((a) => removeOf(a, false))).addFiles([compacted]);
  await opt.commit();
});

afterAll(async () => {
  await table?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function removeOf(a: AddFile, dataChange: boolean) {
  return { path: a.path, dataChange, deletionTimestamp: Date.now(), extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size };
}

describe('change feed of a table written by core (appends, overwrite, deletes, rewrite)', () => {
  it('gives the inserts and deletes of every version with its version number', async () => {
    const changes = await tableChanges(table, { startingVersion: 0 }).toTable();
    const expected = [
      ...expectRows(rows1, 'insert', 1),
      ...expectRows(rows2, 'insert', 2),
      ...expectRows([...rows1, ...rows2], 'delete', 3),
      ...expectRows(rows3, 'insert', 3),
      ...expectRows(deletedInV4, 'delete', 4),
    ];
    expect(tableRows(changes, COLUMNS)).toEqual(canonical(expected));
  });

  it('dates every row with its commit timestamp from the history (µs, UTC)', async () => {
    const history = new Map((await table.history()).map((h) => [h.version, h.timestamp]));
    const changes = await tableChanges(table, { startingVersion: 1 }).toTable();
    const times = commitTimes(changes);
    expect(times.length).toBe(changes.numRows);
    for (const { version, micros } of times) expect(micros).toBe(BigInt(history.get(Number(version))!) * 1000n);
    const field = changes.schema.fields.find((f) => f.name === '_commit_timestamp')!;
    expect(String(field.type)).toBe('Timestamp<MICROSECOND, UTC>');
    expect(changes.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'id:Int64',
      'name:Utf8',
      'part:Utf8',
      '_change_type:Utf8',
      '_commit_version:Int64',
      '_commit_timestamp:Timestamp<MICROSECOND, UTC>',
    ]);
  });

  it('reads sub-ranges, and a dataChange=false commit gives no rows', async () => {
    const v3to4 = await tableChanges(table, { startingVersion: 3, endingVersion: 4 }).toTable();
    expect(tableRows(v3to4, COLUMNS)).toEqual(canonical([...expectRows([...rows1, ...rows2], 'delete', 3), ...expectRows(rows3, 'insert', 3), ...expectRows(deletedInV4, 'delete', 4)]));
    const v5 = tableChanges(table, { startingVersion: 5, endingVersion: 5 });
    const t = await v5.toTable();
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'part', '_change_type', '_commit_version', '_commit_timestamp']);
    expect((await v5.plan()).commits.map((c) => c.version)).toEqual([5]);
  });

  it('streams: for await yields record batches whose rows add up to toTable()', async () => {
    let rows = 0;
    let batches = 0;
    for await (const batch of tableChanges(table, { startingVersion: 1 })) {
      batches++;
      rows += batch.numRows;
      expect(batch.schema.fields.length).toBe(6);
    }
    expect(batches).toBeGreaterThan(1);
    expect(rows).toBe(100 + 50 + 150 + 10 + deletedInV4.length);
  });

  it('matches DuckDB reading the files each commit adds and removes', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const expected: string[] = [];
    for (let v = 1; v <= 5; v++) {
      for (const a of commitActions(root, v)) {
        const action = a.add ?? a.remove;
        if (action === undefined || action.dataChange !== true) continue;
        const type = a.add ? 'insert' : 'delete';
        const part = (action.partitionValues as Record<string, string>).part!;
        const file = join(root, decodeURIComponent(action.path as string)).replaceAll("'", "''");
        const reader = await conn.runAndReadAll(`SELECT id, name FROM read_parquet('${file}', hive_partitioning = false)`);
        for (const [id, name] of reader.getRows()) expected.push([String(id), JSON.stringify(name), JSON.stringify(part), JSON.stringify(type), String(v)].join(' | '));
      }
    }
    conn.closeSync();
    const changes = await tableChanges(table, { startingVersion: 1, endingVersion: 5 }).toTable();
    expect(expected.length).toBe(2 * (rows1.length + rows2.length) + rows3.length + deletedInV4.length);
    expect(tableRows(changes, COLUMNS)).toEqual(expected.sort());
  });
});

describe('commits with change data files (cdc actions)', () => {
  let cdcDir: string;
  let t: DeltaTable;
  const cdcSchema = struct([field('id', primitive('long')), field('name', primitive('string')), field('part', primitive('string'))]);

  beforeAll(async () => {
    cdcDir = mkdtempSync(join(tmpdir(), 'deltakit-cdf-cdc-'));
    t = DeltaTable.forPath(cdcDir);
    await t.create({ schema: cdcSchema, partitionBy: ['part'], properties: { 'delta.enableChangeDataFeed': 'true' } }); // v0
    await t.write({ rows: [{ id: 1n, name: 'a', part: 'x' }, { id: 2n, name: 'b', part: 'x' }], schema: cdcSchema }, { mode: 'append' }); // v1
    // v2: an UPDATE as Spark records it: the rewritten file, plus a change data file (no partition
    // column inside; its value comes from the cdc action) that alone describes the changes.
    const changeData = tableFromArrays({ id: BigInt64Array.from([2n, 2n]), name: ['b', 'B'], _change_type: ['update_preimage', 'update_postimage'] });
    const bytes = await t.engine.parquet.writeTable(changeData);
    const cdcPath = 'elsewhere/part=x/cdc-00000.snappy.parquet';
    await t.engine.store.put(join(cdcDir, cdcPath), bytes);
    const snap = await t.snapshot();
    const old = snap.addFiles[0]!;
    const tx = await t.transaction({ operation: 'UPDATE' });
    tx.readWholeTable()
      .removeFiles([removeOf(old, true)])
      .addCdcFiles([{ path: cdcPath, partitionValues: { part: 'x' }, size: bytes.length, dataChange: false }]);
    await tx.commit();
  });

  afterAll(async () => {
    await t?.close();
    if (cdcDir) rmSync(cdcDir, { recursive: true, force: true });
  });

  it('takes the changes of such a commit only from its change data files, change types as written', async () => {
    const changes = await tableChanges(t, { startingVersion: 1 }).toTable();
    expect(tableRows(changes, COLUMNS)).toEqual(
      canonical([
        [1n, 'a', 'x', 'insert', 1],
        [2n, 'b', 'x', 'insert', 1],
        [2n, 'b', 'x', 'update_preimage', 2],
        [2n, 'B', 'x', 'update_postimage', 2],
      ]),
    );
  });
});

describe('streaming', () => {
  it('reads file groups as it goes: the first batch arrives before most files are requested', async () => {
    const d = mkdtempSync(join(tmpdir(), 'deltakit-cdf-stream-'));
    const t = DeltaTable.forPath(d);
    try {
      await t.create({ schema, properties: { 'delta.enableChangeDataFeed': 'true' } });
      for (let v = 1; v <= 70; v++) await t.write({ rows: rowsFor(v, v + 1), schema }, { mode: 'append' });
      let requested = 0;
      const inner = t.engine.parquet;
      const counting: ParquetHandler = {
        readSchema: (f, o) => inner.readSchema(f, o),
        readBatches: (f, o) => inner.readBatches(f, o),
        readFiles: (files, o) => {
          requested += files.length;
          return inner.readFiles(files, o);
        },
        writeTable: (table, o) => inner.writeTable(table, o),
        close: () => inner.close(),
      };
      const engine: Engine = { ...t.engine, parquet: counting };
      let rows = 0;
      for await (const batch of tableChanges(t.withEngine(engine), { startingVersion: 1 })) {
        rows += batch.numRows;
        break;
      }
      expect(rows).toBe(1);
      expect(requested).toBeLessThan(70);
      requested = 0;
      const all = await tableChanges(t.withEngine(engine), { startingVersion: 1 }).toTable();
      expect(all.numRows).toBe(70);
      expect(requested).toBe(70);
    } finally {
      await t.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
