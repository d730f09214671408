import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { field, isDeltaError, primitive, struct, type DeltaError } from '@deltakit/core';
import { executeSql } from '../../src/index.js';
import { cleanup, commitInfo, duckAfter, duckRows, duckRun, makeTable, normalize, readRows, sortRows, tempDir } from '../helpers.js';

afterAll(cleanup);

const schema = struct([field('id', primitive('long')), field('name', primitive('string')), field('part', primitive('string'))]);
const rows = Array.from({ length: 60 }, (_, i) => ({ id: BigInt(i), name: `n${i}`, part: ['a', 'b', 'c'][i % 3]! }));
const COLUMNS = 'id BIGINT, name VARCHAR, part VARCHAR';

async function failure(p: Promise<unknown>): Promise<DeltaError> {
  try {
    await p;
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error('expected the statement to fail');
}

describe('executeSql', () => {
  it('DELETE FROM a path table with an alias deletes what DuckDB deletes', async () => {
    const table = await makeTable(rows, schema, { partitionBy: ['part'], files: 3 });
    const result = await executeSql(`DELETE FROM delta.\`${table.tableRoot}\` AS t WHERE t.id % 4 = 1 AND part <> 'c'`);
    expect(result.operation).toBe('DELETE');
    const expected = await duckAfter(rows, COLUMNS, "DELETE FROM {t} WHERE id % 4 = 1 AND part <> 'c'");
    expect(await readRows(table)).toEqual(expected);
    expect(result).toMatchObject({ numDeletedRows: rows.length - expected.length, version: 4 });
    expect(commitInfo(table.tableRoot, 4)).toMatchObject({ operation: 'DELETE' });
  });

  it('UPDATE with functions, an alias and a qualified target column matches DuckDB', async () => {
    const table = await makeTable(rows, schema, { properties: { 'delta.enableDeletionVectors': 'true' } });
    const result = await executeSql(`UPDATE delta.\`${table.tableRoot}\` t SET name = upper(concat(name, '-', part)), t.id = id + 1000 WHERE part = 'b' OR id < 5`);
    expect(result).toMatchObject({ operation: 'UPDATE', numUpdatedRows: 23 });
    const expected = await duckAfter(rows, COLUMNS, "UPDATE {t} SET name = upper(concat(name, '-', part)), id = id + 1000 WHERE part = 'b' OR id < 5");
    expect(await readRows(table)).toEqual(expected);
  });

  it('MERGE from a folder of CSV files runs every clause kind as DuckDB does', async () => {
    const table = await makeTable(rows, schema, { partitionBy: ['part'] });
    const src = tempDir();
    mkdirSync(join(src, 'more'));
    writeFileSync(join(src, 'a.csv'), 'id,name,part,op\n1,one,a,u\n2,two,c,d\n100,hundred,a,i\n');
    writeFileSync(join(src, 'more', 'b.csv'), 'id,name,part,op\n4,four,b,x\n101,hundred-one,b,i\n102,skip,c,x\n');
    writeFileSync(join(src, '_SUCCESS'), '');
    // DuckDB refuses a qualified SET column (t.name); Spark and deltakit accept both forms.
    const statement = (target: string, source: string, setColumn = 't.name') => `MERGE INTO ${target} AS t USING ${source} AS s ON t.id = s.id
      WHEN MATCHED AND s.op = 'd' THEN DELETE
      WHEN MATCHED AND s.op = 'u' THEN UPDATE SET ${setColumn} = s.name
      WHEN NOT MATCHED AND s.op = 'i' THEN INSERT (id, name, part) VALUES (s.id, s.name, s.part)
      WHEN NOT MATCHED BY SOURCE AND t.id >= 55 THEN DELETE`;
    const result = await executeSql(statement(`delta.\`${table.tableRoot}\``, `csv.\`${src}\``));
    expect(result).toMatchObject({ operation: 'MERGE', numSourceRows: 6, numTargetRowsInserted: 2, numTargetRowsUpdated: 1, numTargetRowsDeleted: 6 });
    await duckRun(`CREATE OR REPLACE TABLE csv_source AS SELECT * FROM read_csv(['${join(src, 'a.csv')}', '${join(src, 'more', 'b.csv')}'], header = true, columns = {'id': 'BIGINT', 'name': 'VARCHAR', 'part': 'VARCHAR', 'op': 'VARCHAR'})`);
    const expected = await duckAfter(rows, COLUMNS, statement('{t}', 'csv_source', 'name'));
    expect(await readRows(table)).toEqual(expected);
  });

  it('MERGE from JSON lines with schema evolution adds the new column', async () => {
    const table = await makeTable(rows.slice(0, 5), schema);
    const src = tempDir();
    writeFileSync(join(src, 'updates.json'), '{"id": 1, "name": "x", "part": "a", "score": 1.5}\n{"id": 9, "name": "nine", "part": "b", "score": 2.25}\n');
    const result = await executeSql(
      `MERGE WITH SCHEMA EVOLUTION INTO delta.\`${table.tableRoot}\` t USING json.\`${join(src, 'updates.json')}\` s ON t.id = s.id
       WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`,
    );
    expect(result).toMatchObject({ numTargetRowsUpdated: 1, numTargetRowsInserted: 1 });
    const snap = await table.snapshot();
    expect(snap.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', primitive('long')],
      ['name', primitive('string')],
      ['part', primitive('string')],
      ['score', primitive('double')],
    ]);
    expect(await readRows(table)).toEqual(
      sortRows([
        { id: 0n, name: 'n0', part: 'a', score: null },
        { id: 1n, name: 'x', part: 'a', score: 1.5 },
        { id: 2n, name: 'n2', part: 'c', score: null },
        { id: 3n, name: 'n3', part: 'a', score: null },
        { id: 4n, name: 'n4', part: 'b', score: null },
        { id: 9n, name: 'nine', part: 'b', score: 2.25 },
      ]),
    );
  });

  it('MERGE from parquet written by DuckDB and from another Delta table', async () => {
    const table = await makeTable(rows.slice(0, 10), schema);
    const src = tempDir();
    const parquet = join(src, 'src.parquet');
    await duckRun(`COPY (SELECT range::BIGINT * 2 AS id, 'p' || range AS name, 'z' AS part FROM range(8)) TO '${parquet}' (FORMAT parquet)`);
    await executeSql(`MERGE INTO delta.\`${table.tableRoot}\` t USING parquet.\`${parquet}\` s ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name WHEN NOT MATCHED THEN INSERT *`);
    const fromDuck = await duckRows(`SELECT * FROM read_parquet('${parquet}')`);
    const other = await makeTable(fromDuck.map((r) => ({ ...r, id: BigInt(r.id as bigint) + 100n })), schema);
    const result = await executeSql(`MERGE INTO delta.\`${table.tableRoot}\` t USING delta.\`${other.tableRoot}\` s ON t.id = s.id WHEN NOT MATCHED THEN INSERT *`);
    expect(result).toMatchObject({ numSourceRows: 8, numTargetRowsInserted: 8 });
    const expected = await duckAfter(rows.slice(0, 10), COLUMNS, `MERGE INTO {t} USING read_parquet('${parquet}') s ON {t}.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name WHEN NOT MATCHED THEN INSERT *`);
    const inserted = fromDuck.map((r) => normalize({ ...r, id: BigInt(r.id as bigint) + 100n }));
    expect(await readRows(table)).toEqual(sortRows([...expected, ...inserted]));
  });

  it('reports bad statements with typed errors that point into the statement text', async () => {
    const table = await makeTable(rows.slice(0, 3), schema);
    const parse = await failure(executeSql(`DELETE FROM delta.\`${table.tableRoot}\` WHERE id >`));
    expect(parse.code).toBe('PARSE_ERROR');
    const bind = await failure(executeSql(`DELETE FROM delta.\`${table.tableRoot}\` WHERE nme = 'x'`));
    expect(bind.code).toBe('COLUMN_NOT_FOUND');
    expect(bind.message).toMatch(/did you mean "name"\?/);
    expect(bind.message).toContain("nme = 'x'\n  ^^^");
    const source = await failure(executeSql(`MERGE INTO delta.\`${table.tableRoot}\` t USING csv.\`${join(tempDir(), 'missing')}\` s ON t.id = s.id WHEN MATCHED THEN DELETE`));
    expect(source.code).toBe('FILE_NOT_FOUND');
    expect((await table.snapshot()).version).toBe(1);
  });
});
