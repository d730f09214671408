/**
 * End-to-end: `deltakit sql` DML with the built CLI on each kind of MERGE source (parquet files
 * written by DuckDB, CSV with a header row, JSON lines), `MERGE WITH SCHEMA EVOLUTION INTO`, the
 * metrics object on stdout compared with the commit's operationMetrics, the rows compared with
 * DuckDB's MERGE INTO on the same data, and the exit status of each kind of failure.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DeltaTable, field, primitive, struct } from '@deltakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'deltakit-sql-dml-'));
const schema = struct([field('id', primitive('long')), field('v', primitive('string'))]);

beforeAll(() => requireBuiltCli());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A table of ids 0..9 with v = 'v<id>', in two files (version 1, or 2 with properties set at create). */
async function makeTable(name: string, properties: Record<string, string> = {}): Promise<string> {
  const root = join(dir, name);
  const table = DeltaTable.forPath(root);
  await table.create({ schema, properties });
  for (const ids of [
    [0, 1, 2, 3, 4],
    [5, 6, 7, 8, 9],
  ]) {
    await table.write({ rows: ids.map((i) => ({ id: BigInt(i), v: `v${i}` })), schema }, { mode: 'append' });
  }
  await table.close();
  return root;
}

type Row = Record<string, unknown>;
const jsonl = (text: string): Row[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Row);
const byId = (rows: Row[]): Row[] => [...rows].sort((a, b) => Number(a['id']) - Number(b['id']));

async function rows(root: string): Promise<Row[]> {
  return byId(jsonl(await ok('cat', root, '--format', 'jsonl')));
}

/** The commitInfo of a version, from the log file. */
function commitInfo(root: string, version: number): Row {
  const file = join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`);
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('{"commitInfo"'))!;
  return (JSON.parse(line) as { commitInfo: Row }).commitInfo;
}

/** Runs `deltakit sql`, requiring exit 0 and exactly one JSON object on stdout. */
async function metrics(statement: string): Promise<Row> {
  const out = await ok('sql', statement);
  expect(out.endsWith('\n')).toBe(true);
  expect(out.trim().split('\n')).toHaveLength(1);
  return JSON.parse(out) as Row;
}

describe('deltakit sql: MERGE sources and metrics', () => {
  it('MERGE from a folder of parquet files DuckDB wrote: every clause kind, rows as DuckDB MERGE INTO gives them', async () => {
    const root = await makeTable('parquet-target');
    const src = join(dir, 'parquet-src');
    mkdirSync(src);
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      await conn.run(`COPY (SELECT i::BIGINT AS id, 's' || i AS v FROM range(5, 10) r(i)) TO '${join(src, 'a.parquet')}' (FORMAT parquet)`);
      await conn.run(`COPY (SELECT i::BIGINT AS id, 's' || i AS v FROM range(10, 15) r(i)) TO '${join(src, 'b.parquet')}' (FORMAT parquet)`);
      const clauses =
        'WHEN MATCHED AND s.id % 2 = 0 THEN DELETE WHEN MATCHED THEN UPDATE SET v = s.v ' +
        'WHEN NOT MATCHED AND s.id < 12 THEN INSERT * WHEN NOT MATCHED BY SOURCE AND t.id < 2 THEN DELETE';
      const m = await metrics(`MERGE INTO delta.\`${root}\` AS t USING parquet.\`${src}\` AS s ON t.id = s.id ${clauses}`);

      await conn.run(`CREATE TABLE t AS SELECT i::BIGINT AS id, 'v' || i AS v FROM range(10) r(i)`);
      await conn.run(`CREATE TABLE s AS SELECT * FROM read_parquet('${src}/*.parquet')`);
      await conn.run(`MERGE INTO t USING s ON t.id = s.id ${clauses}`);
      const duck = (await conn.runAndReadAll('SELECT id, v FROM t ORDER BY id')).getRowObjectsJS().map((r) => ({ id: Number(r['id']), v: r['v'] }));
      expect(await rows(root)).toEqual(duck);

      // 5..9 matched (6, 8 deleted; 5, 7, 9 updated); 10, 11 inserted; 0, 1 deleted by source.
      expect(m).toMatchObject({
        version: 3,
        numSourceRows: 10,
        numTargetRowsInserted: 2,
        numTargetRowsUpdated: 3,
        numTargetRowsDeleted: 4,
        numTargetRowsMatchedDeleted: 2,
        numTargetRowsNotMatchedBySourceDeleted: 2,
        numTargetFilesRemoved: 2,
      });
      expect(m['operation']).toBeUndefined();
      // The printed metrics are the ones the commit records (Spark records them as strings).
      const info = commitInfo(root, 3);
      expect(info['operation']).toBe('MERGE');
      const recorded = info['operationMetrics'] as Record<string, string>;
      for (const k of ['numSourceRows', 'numTargetRowsInserted', 'numTargetRowsUpdated', 'numTargetRowsDeleted', 'numTargetRowsCopied', 'numTargetFilesAdded', 'numTargetFilesRemoved', 'numTargetDeletionVectorsAdded', 'executionTimeMs']) {
        expect(recorded[k], k).toBe(String(m[k]));
      }
    } finally {
      conn.closeSync();
    }
  });

  it('MERGE WITH SCHEMA EVOLUTION INTO from a CSV file adds its new column; the change feed shows it', async () => {
    const root = await makeTable('evolve', { 'delta.enableChangeDataFeed': 'true', 'delta.enableDeletionVectors': 'true' });
    const csv = join(dir, 'evolve.csv');
    writeFileSync(csv, 'id,v,score\n3,three,30\n42,forty-two,420\n');
    const m = await metrics(`MERGE WITH SCHEMA EVOLUTION INTO delta.\`${root}\` t USING csv.\`${csv}\` s ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`);
    expect(m).toMatchObject({ version: 3, numSourceRows: 2, numTargetRowsUpdated: 1, numTargetRowsInserted: 1, numTargetRowsCopied: 0, numTargetDeletionVectorsAdded: 1 });

    const after = await rows(root);
    expect(after).toHaveLength(11);
    // CSV values are typed by inference (as `deltakit write` reads CSV): score is a long.
    expect(after.filter((r) => r['score'] !== null)).toEqual([
      { id: 3, v: 'three', score: 30 },
      { id: 42, v: 'forty-two', score: 420 },
    ]);
    expect(after.find((r) => r['id'] === 4)).toEqual({ id: 4, v: 'v4', score: null });

    const feed = jsonl(await ok('changes', root, '--from', '3', '--format', 'jsonl')).map((r) => [r['_change_type'], r['id'], r['v'], r['score'], r['_commit_version']]);
    expect(feed.sort()).toEqual([
      ['insert', 42, 'forty-two', 420, 3],
      ['update_postimage', 3, 'three', 30, 3],
      ['update_preimage', 3, 'v3', null, 3],
    ]);

    // Without WITH SCHEMA EVOLUTION, * ignores a source-only column (Spark) but needs every target column.
    const csv2 = join(dir, 'evolve2.csv');
    writeFileSync(csv2, 'id,v,score,extra\n4,four,40,x\n');
    await metrics(`MERGE INTO delta.\`${root}\` t USING csv.\`${csv2}\` s ON t.id = s.id WHEN MATCHED THEN UPDATE SET *`);
    expect((await rows(root)).find((r) => r['id'] === 4)).toEqual({ id: 4, v: 'four', score: 40 });
    const csv3 = join(dir, 'evolve3.csv');
    writeFileSync(csv3, 'id,v\n5,five\n');
    const missing = await cli('sql', `MERGE INTO delta.\`${root}\` t USING csv.\`${csv3}\` s ON t.id = s.id WHEN MATCHED THEN UPDATE SET *`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^deltakit: COLUMN_NOT_FOUND: .*the source has no column "score"/);
  });

  it('MERGE from JSON lines, then UPDATE and DELETE print their own metrics', async () => {
    const root = await makeTable('json-target');
    const src = join(dir, 'src.jsonl');
    writeFileSync(src, '{"id": 1, "v": "one"}\n{"id": 2, "v": "two"}\n');
    expect(await metrics(`MERGE INTO delta.\`${root}\` t USING json.\`${src}\` s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v`)).toMatchObject({
      version: 3,
      numTargetRowsUpdated: 2,
      numTargetRowsCopied: 3,
    });
    const upd = await metrics(`UPDATE delta.\`${root}\` SET v = concat(v, '!') WHERE id IN (1, 9)`);
    expect(upd).toMatchObject({ version: 4, numUpdatedRows: 2 });
    expect((commitInfo(root, 4)['operationMetrics'] as Record<string, string>)['numUpdatedRows']).toBe('2');
    const del = await metrics(`DELETE FROM delta.\`${root}\` WHERE v LIKE '%!'`);
    expect(del).toMatchObject({ version: 5, numDeletedRows: 2 });
    expect((await rows(root)).map((r) => `${String(r['id'])}:${String(r['v'])}`)).toEqual(['0:v0', '2:two', '3:v3', '4:v4', '5:v5', '6:v6', '7:v7', '8:v8']);
  });
});

describe('deltakit sql: failures', () => {
  it('exit 1 with one error line for runtime errors, exit 2 for usage errors; the table is untouched', async () => {
    const root = await makeTable('failures');
    const t = `delta.\`${root}\``;
    const before = await rows(root);
    const expectFailure = async (code: string, exit: number, ...args: string[]) => {
      const r = await cli('sql', ...args);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(ERROR_LINE);
      expect(ERROR_LINE.exec(r.stderr)![1]).toBe(code);
      expect(r.code).toBe(exit);
      return r.stderr;
    };
    const parse = await expectFailure('PARSE_ERROR', 1, `UPDATE ${t} SET v = = 1`);
    expect(parse).toContain('at column');
    await expectFailure('COLUMN_NOT_FOUND', 1, `DELETE FROM ${t} WHERE nope = 1`);
    await expectFailure('UNKNOWN_FUNCTION', 1, `UPDATE ${t} SET v = nofunc(v)`);
    await expectFailure('FILE_NOT_FOUND', 1, `MERGE INTO ${t} USING parquet.\`${join(dir, 'missing')}\` s ON id = s.id WHEN MATCHED THEN DELETE`);
    const dup = join(dir, 'dup.jsonl');
    writeFileSync(dup, '{"id": 1, "v": "a"}\n{"id": 1, "v": "b"}\n');
    await expectFailure('MERGE_CARDINALITY_VIOLATION', 1, `MERGE INTO ${t} t USING json.\`${dup}\` s ON t.id = s.id WHEN MATCHED THEN UPDATE SET *`);
    await expectFailure('INVALID_ARGUMENT', 2, `DELETE FROM ${t} WHERE id = 1`, '--format', 'csv');
    await expectFailure('INVALID_ARGUMENT', 2);
    await expectFailure('INVALID_ARGUMENT', 2, 'DELETE FROM', `${t}`);
    expect(await rows(root)).toEqual(before);
    expect(JSON.parse(await ok('history', root, '--format', 'json'))).toHaveLength(3);
  });
});
