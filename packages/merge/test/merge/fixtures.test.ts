/**
 * MERGE on copies of Spark-written tables: partitioned with column mapping and deletion vectors
 * (golden dv-with-columnmapping, with a checkpoint), a plain partitioned table, a partitioned table
 * with the change data feed, and a column-mapped table with every type (nested structs, arrays,
 * maps). Expected rows come from DuckDB's MERGE INTO on the rows the table held before; afterwards
 * the table reads back with our reader, every live data file reads in DuckDB with the row count
 * its stats give, and the change data replayed on the old rows gives the new ones.
 */
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import type { StructType } from '@deltakit/core';
import { rowsToBatch } from '@deltakit/core/internal';
import type { DeltaTable } from '../../src/index.js';
import { tableChanges } from '@deltakit/cdf';
import { cdcRows, cleanup, commitActions, copyFixture, describeFixtures, normalize, tableAt } from '../helpers.js';
import { batchRows, canonical, duckRows, duckRun, duckTable } from './helpers.js';

afterAll(cleanup);

type Row = Record<string, unknown>;

async function rowsOf(table: DeltaTable): Promise<{ schema: StructType; rows: Row[] }> {
  const snap = await table.snapshot();
  const rows: Row[] = [];
  for await (const b of snap.scan().batches()) rows.push(...batchRows(b, snap.schema));
  return { schema: snap.schema, rows };
}

/** Every live data file of the latest version read by DuckDB: as many rows as its stats say. */
async function filesReadInDuckDB(table: DeltaTable): Promise<void> {
  const snap = await table.snapshot();
  for (const f of snap.addFiles) {
    const path = join(table.tableRoot, decodeURIComponent(f.path));
    const [r] = await duckRows(`SELECT count(*)::BIGINT AS n FROM read_parquet('${path}')`);
    const stats = JSON.parse(f.stats ?? '{}') as { numRecords?: number };
    expect(Number(r!['n'])).toBe(stats.numRecords);
  }
}

function replay(old: readonly Row[], changes: readonly Row[], columns: readonly string[]): string[] {
  const key = (r: Row) => canonical([r], columns)[0]!;
  const bag = new Map<string, number>();
  for (const r of old) bag.set(key(r), (bag.get(key(r)) ?? 0) + 1);
  for (const c of changes) {
    const k = key(c);
    const minus = c['_change_type'] === 'delete' || c['_change_type'] === 'update_preimage';
    bag.set(k, (bag.get(k) ?? 0) + (minus ? -1 : 1));
    expect(bag.get(k)).toBeGreaterThanOrEqual(0);
  }
  return [...bag].flatMap(([k, n]) => Array.from({ length: n }, () => k)).sort();
}

const source = (rows: Row[], schema: StructType): RecordBatch[] => [rowsToBatch(rows, schema)];

describeFixtures('MERGE on Spark-written tables', () => {
  it('partitioned, column mapping (name), deletion vectors, checkpoint (golden dv-with-columnmapping)', async () => {
    const table = tableAt(copyFixture('golden/dv-with-columnmapping/delta'));
    const before = await rowsOf(table);
    const cols = ['part', 'col1', 'col2'];
    // Update every row of part 1, delete col1 = 32, insert two rows (one into a new partition).
    const src = [
      ...before.rows.filter((r) => r['part'] === 1).map((r) => ({ part: 1, col1: r['col1'], col2: 'updated' })),
      { part: 2, col1: 32, col2: 'gone' },
      { part: 7, col1: 700, col2: 'new' },
      { part: 2, col1: 999, col2: 'new' },
    ];
    const m = await table
      .alias('t')
      .merge(source(src, before.schema), 't.part = s.part AND t.col1 = s.col1', { sourceAlias: 's' })
      .whenMatchedDelete({ condition: "s.col2 = 'gone'" })
      .whenMatchedUpdate({ set: { col2: 's.col2' } })
      .whenNotMatchedInsertAll()
      .execute();
    await duckTable('fx_t', before.schema, before.rows);
    await duckTable('fx_s', before.schema, src);
    await duckRun(
      "MERGE INTO fx_t AS t USING fx_s AS s ON t.part = s.part AND t.col1 = s.col1 WHEN MATCHED AND s.col2 = 'gone' THEN DELETE WHEN MATCHED THEN UPDATE SET col2 = s.col2 WHEN NOT MATCHED THEN INSERT (part, col1, col2) VALUES (s.part, s.col1, s.col2)",
    );
    const after = await rowsOf(table);
    expect(canonical(after.rows, cols)).toEqual(canonical(await duckRows('SELECT * FROM fx_t'), cols));
    expect(m.numTargetRowsUpdated).toBe(before.rows.filter((r) => r['part'] === 1).length);
    expect(m.numTargetRowsDeleted).toBe(1);
    expect(m.numTargetRowsInserted).toBe(2);
    // Deletion vectors: rows removed through DVs, nothing copied; new files use physical names.
    expect(m.numTargetRowsCopied).toBe(0);
    expect(m.numTargetDeletionVectorsAdded + m.numTargetDeletionVectorsUpdated).toBeGreaterThan(0);
    const physical = (before.schema.fields[1]!.metadata['delta.columnMapping.physicalName'] as string) ?? '';
    const added = commitActions(table.tableRoot, m.version).filter((a) => 'add' in a && !(a.add as { deletionVector?: unknown }).deletionVector);
    for (const a of added) {
      const cols = await duckRows(`SELECT name FROM parquet_schema('${join(table.tableRoot, decodeURIComponent((a.add as { path: string }).path))}')`);
      expect(cols.map((c) => c['name'])).toContain(physical);
    }
    await filesReadInDuckDB(table);
  });

  it('partitioned, no deletion vectors (kernel basic_partitioned): touched files rewritten', async () => {
    const table = tableAt(copyFixture('kernel/basic_partitioned'));
    const before = await rowsOf(table);
    const cols = ['letter', 'number', 'a_float'];
    const src = [
      { letter: 'a', number: 1n, a_float: 10.5 },
      { letter: 'z', number: 26n, a_float: 26.26 },
    ];
    const m = await table.alias('t').merge(source(src, before.schema), 't.number = s.number', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().whenNotMatchedBySourceDelete({ condition: "t.letter = 'b'" }).execute();
    await duckTable('fx_p', before.schema, before.rows);
    await duckTable('fx_ps', before.schema, src);
    await duckRun(
      "MERGE INTO fx_p AS t USING fx_ps AS s ON t.number = s.number WHEN MATCHED THEN UPDATE SET letter = s.letter, number = s.number, a_float = s.a_float WHEN NOT MATCHED THEN INSERT (letter, number, a_float) VALUES (s.letter, s.number, s.a_float) WHEN NOT MATCHED BY SOURCE AND t.letter = 'b' THEN DELETE",
    );
    const after = await rowsOf(table);
    expect(canonical(after.rows, cols)).toEqual(canonical(await duckRows('SELECT * FROM fx_p'), cols));
    expect(commitActions(table.tableRoot, m.version).some((a) => 'remove' in a)).toBe(true);
    await filesReadInDuckDB(table);
  });

  it('partitioned with the change data feed (kernel cdf-table): change rows replay to the new rows', async () => {
    const table = tableAt(copyFixture('kernel/cdf-table'));
    const before = await rowsOf(table);
    const cols = ['id', 'name', 'birthday'];
    const src = [
      { id: 1, name: 'Steve2', birthday: '2023-12-22' },
      { id: 8, name: 'Claire', birthday: '2023-12-25' },
      { id: 100, name: 'New', birthday: '2024-01-01' },
    ];
    const m = await table
      .alias('t')
      .merge(source(src, before.schema), 't.id = s.id', { sourceAlias: 's' })
      .whenMatchedUpdate({ condition: 's.name <> t.name', set: { name: 's.name' } })
      .whenMatchedDelete()
      .whenNotMatchedInsertAll()
      .execute();
    await duckTable('fx_c', before.schema, before.rows.map((r) => ({ ...r, birthday: isoDay(r['birthday'] as number) })));
    await duckTable('fx_cs', before.schema, src);
    await duckRun("MERGE INTO fx_c AS t USING fx_cs AS s ON t.id = s.id WHEN MATCHED AND s.name <> t.name THEN UPDATE SET name = s.name WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, name, birthday) VALUES (s.id, s.name, s.birthday)");
    const after = await rowsOf(table);
    const dayRows = (rows: Row[]) => rows.map((r) => ({ ...r, birthday: typeof r['birthday'] === 'number' ? isoDay(r['birthday']) : r['birthday'] }));
    const expected = canonical(dayRows(await duckRows("SELECT id, name, strftime(birthday, '%Y-%m-%d') AS birthday FROM fx_c")), cols);
    expect(canonical(dayRows(after.rows), cols)).toEqual(expected);
    const changes = await cdcRows(table.tableRoot, m.version, { birthday: 'VARCHAR' });
    expect(changes.filter((c) => c['_change_type'] === 'insert')).toHaveLength(1);
    expect(changes.filter((c) => c['_change_type'] === 'delete')).toHaveLength(1);
    expect(changes.filter((c) => c['_change_type'] === 'update_postimage')).toHaveLength(1);
    expect(replay(dayRows(before.rows), changes.map((c) => ({ ...c, birthday: String(c['birthday']) })), cols)).toEqual(expected);
    // The same changes through @deltakit/cdf, the table's change data feed reader.
    const feed = (await tableChanges(table, { startingVersion: m.version, endingVersion: m.version }).toTable()).toArray().map((r) => normalize(r.toJSON()));
    const typed = (rows: Row[]) => canonical(rows.map((r) => ({ ...r, birthday: typeof r['birthday'] === 'number' ? isoDay(Math.floor(r['birthday'] / 86_400_000)) : String(r['birthday']) })), [...cols, '_change_type']);
    expect(typed(feed)).toEqual(typed(changes));
  });

  it('column mapping with every type: untouched columns of updated rows keep nested values exactly', async () => {
    const table = tableAt(copyFixture('golden/table-with-columnmapping-mode-name/delta'));
    const before = await rowsOf(table);
    const keyCol = 'IntegerType';
    const src = [{ IntegerType: before.rows[0]![keyCol], StringType: 'merged' }];
    const S: StructType = { kind: 'struct', fields: before.schema.fields.filter((f) => f.name === keyCol || f.name === 'StringType').map((f) => ({ ...f, metadata: {} })) };
    await table.alias('t').merge(source(src, S), `t.${keyCol} = s.${keyCol}`, { sourceAlias: 's' }).whenMatchedUpdate({ set: { StringType: 's.StringType' } }).execute();
    const after = await rowsOf(table);
    const all = before.schema.fields.map((f) => f.name);
    const expected = before.rows.map((r) => (r[keyCol] === src[0]![keyCol] ? { ...r, StringType: 'merged' } : r));
    expect(canonical(after.rows, all)).toEqual(canonical(expected, all));
    await filesReadInDuckDB(table);
  });
});

function isoDay(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}
