/**
 * Change feeds of the Spark-written tables in the delta-rs test data, checked against an
 * independent reading: each commit file parsed here with JSON.parse, and the files it names
 * (change data files when the commit has them, else added and removed files with dataChange)
 * read by DuckDB. `cdc_ict_table` has in-commit timestamps (not even increasing), which must be the
 * rows' `_commit_timestamp`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DeltaTable } from '@deltakit/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tableChanges } from '../src/index.js';
import { deltaRs, describeFixtures } from './fixtures.js';
import { canon, commitTimes, tableRows } from './helpers.js';

type Actions = Array<Record<string, Record<string, unknown>>>;

function commitActions(root: string, version: number): Actions {
  return readFileSync(join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

interface Column {
  name: string;
  type: string;
}

/**
 * The schema and partition columns at `end`: from the newest commit up to it with a metaData
 * action, else from the checkpoint at `checkpoint` (read by DuckDB).
 */
async function tableShape(root: string, end: number, checkpoint?: number): Promise<{ columns: Column[]; partitions: string[] }> {
  const shape = (schemaString: string, partitions: string[]) => ({
    columns: (JSON.parse(schemaString) as { fields: Column[] }).fields.map((f) => ({ name: f.name, type: f.type })),
    partitions,
  });
  for (let v = end; v >= (checkpoint ?? 0); v--) {
    const meta = commitActions(root, v).find((a) => a.metaData)?.metaData;
    if (meta !== undefined) return shape(meta.schemaString as string, meta.partitionColumns as string[]);
  }
  if (checkpoint === undefined) throw new Error(`no metaData up to version ${end} in ${root}`);
  const file = join(root, '_delta_log', `${String(checkpoint).padStart(20, '0')}.checkpoint.parquet`);
  const [row] = (await conn.runAndReadAll(`SELECT metaData.schemaString, metaData.partitionColumns FROM read_parquet('${file}') WHERE metaData IS NOT NULL`)).getRowsJS();
  return shape(row![0] as string, row![1] as string[]);
}

/** A serialized partition value as the value the column holds. */
const partitionValue = (text: string | null, type: string): unknown => (text === null ? null : /^(integer|long|short|byte)$/.test(type) ? BigInt(text) : text);

let conn: DuckDBConnection;
beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => conn?.closeSync());

/** The change rows of versions start..end by the rules, with DuckDB reading the parquet files. */
async function oracle(root: string, start: number, end: number, checkpoint?: number): Promise<string[]> {
  const { columns, partitions } = await tableShape(root, end, checkpoint);
  const dataColumns = columns.filter((c) => !partitions.includes(c.name));
  const out: string[] = [];
  for (let v = start; v <= end; v++) {
    const actions = commitActions(root, v);
    const cdc = actions.filter((a) => a.cdc).map((a) => ({ file: a.cdc!, type: undefined as string | undefined }));
    const files = cdc.length > 0 ? cdc : actions.flatMap((a) => (a.add?.dataChange === true ? [{ file: a.add, type: 'insert' }] : a.remove?.dataChange === true ? [{ file: a.remove, type: 'delete' }] : []));
    for (const { file, type } of files) {
      const path = join(root, decodeURIComponent(file.path as string)).replaceAll("'", "''");
      const select = [...dataColumns.map((c) => `"${c.name}"`), ...(type === undefined ? ['_change_type'] : [])].join(', ');
      const rows = (await conn.runAndReadAll(`SELECT ${select} FROM read_parquet('${path}', hive_partitioning = false)`)).getRowsJS();
      const pv = file.partitionValues as Record<string, string | null>;
      for (const r of rows) {
        const byName = new Map<string, unknown>(dataColumns.map((c, k) => [c.name, r[k]]));
        for (const p of partitions) byName.set(p, partitionValue(pv[p] ?? null, columns.find((c) => c.name === p)!.type));
        const changeType = type ?? r[dataColumns.length];
        out.push([...columns.map((c) => canon(byName.get(c.name))), canon(changeType), canon(v)].join(' | '));
      }
    }
  }
  return out.sort();
}

describeFixtures('change feeds of delta-rs test tables, against DuckDB', () => {
  const tables: DeltaTable[] = [];
  afterAll(async () => {
    for (const t of tables) await t.close();
  });

  for (const [name, start, end, checkpoint] of [
    ['cdc_ict_table', 0, 3, undefined],
    ['simple_table_with_cdc', 0, 2, undefined],
    ['checkpoint-cdf-table', 3, 5, 3], // commits 0-2 are gone; the metadata is in the checkpoint
  ] as const) {
    it(`${name} versions ${start} to ${end}`, async () => {
      const root = deltaRs(name);
      const t = DeltaTable.forPath(root);
      tables.push(t);
      const changes = await tableChanges(t, { startingVersion: start, endingVersion: end }).toTable();
      const columns = [...(await tableShape(root, end, checkpoint)).columns.map((c) => c.name), '_change_type', '_commit_version'];
      const expected = await oracle(root, start, end, checkpoint);
      expect(expected.length).toBeGreaterThan(0);
      expect(tableRows(changes, columns)).toEqual(expected);
    });
  }

  it('cdc_ict_table: _commit_timestamp is each commit’s in-commit timestamp', async () => {
    const root = deltaRs('cdc_ict_table');
    const t = DeltaTable.forPath(root);
    tables.push(t);
    const icts = [0, 1, 2, 3].map((v) => BigInt(commitActions(root, v).find((a) => a.commitInfo)!.commitInfo!.inCommitTimestamp as number));
    const changes = await tableChanges(t, { startingVersion: 0 }).toTable();
    const times = commitTimes(changes);
    expect(new Set(times.map((x) => x.version))).toEqual(new Set([1n, 2n, 3n]));
    for (const { version, micros } of times) expect(micros).toBe(icts[Number(version)]! * 1000n);
  });
});
