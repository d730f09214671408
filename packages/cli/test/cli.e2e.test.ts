/**
 * End-to-end: runs the built CLI (`dist/bin.js`, built by the package's `build` before `test`)
 * on the shared fixture tables, checking its output against the tables' own logs and against
 * DuckDB reading the expected rows.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, expect, it } from 'vitest';
import { deltaRs, describeFixtures, expectedJson, golden, goldenExpected, kernel } from './fixtures.js';
import { BIN, cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

/** The actions of one commit file of a table, parsed. */
function commitActions(table: string, version: number): Array<Record<string, Record<string, unknown>>> {
  const text = readFileSync(`${table}/_delta_log/${String(version).padStart(20, '0')}.json`, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const sortRows = <T>(rows: T[]): T[] => rows.map((r) => JSON.stringify(r)).sort().map((s) => JSON.parse(s) as T);

/** Rows of `sql` from DuckDB, with every value as text (null stays null). */
async function duckRows(sql: string): Promise<Array<Record<string, string | null>>> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRowObjectsJS() as Array<Record<string, unknown>>;
  conn.closeSync();
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])));
}

/** Four one-row files, written by Spark over four commits; the log's stats give each row. */
const PART_TABLE = golden('data-skipping-partition-and-data-column');

beforeAll(() => {
  requireBuiltCli();
});

describeFixtures('deltakit CLI end to end', () => {
  it('prints help and exits 0', async () => {
    const top = await ok('--help');
    expect(top).toMatch(/^Usage: deltakit <command>/);
    expect(await ok('cat', '--help')).toContain('--where');
  });

  it('fails with one TABLE_NOT_FOUND line for a directory that is not a table', async () => {
    for (const path of [golden('no-delta-log-folder'), `${golden('no-delta-log-folder')}/does-not-exist`]) {
      const r = await cli('describe', path);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(ERROR_LINE);
      expect(ERROR_LINE.exec(r.stderr)?.[1]).toBe('TABLE_NOT_FOUND');
    }
  });

  it('fails with one VERSION_NOT_FOUND line for a version the table does not have', async () => {
    for (const command of ['describe', 'cat', 'files']) {
      const r = await cli(command, PART_TABLE, '--version', '42');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(ERROR_LINE);
      expect(ERROR_LINE.exec(r.stderr)?.[1]).toBe('VERSION_NOT_FOUND');
    }
  });

  it('reports a usage error with exit 2', async () => {
    const r = await cli('cat', PART_TABLE, '--limit', 'ten');
    expect(r.code).toBe(2);
    expect(ERROR_LINE.exec(r.stderr)?.[1]).toBe('INVALID_ARGUMENT');
  });

  it('describe: JSON fields match the log', async () => {
    const d = JSON.parse(await ok('describe', PART_TABLE, '--format', 'json')) as Record<string, unknown>;
    const first = commitActions(PART_TABLE, 0);
    const metaData = first.find((a) => a.metaData)?.metaData as Record<string, unknown>;
    const protocol = first.find((a) => a.protocol)?.protocol as Record<string, unknown>;
    const adds = [0, 1, 2, 3].flatMap((v) => commitActions(PART_TABLE, v).filter((a) => a.add).map((a) => a.add as Record<string, unknown>));
    expect(d.version).toBe(3);
    expect(d.protocol).toEqual({ minReaderVersion: protocol.minReaderVersion, minWriterVersion: protocol.minWriterVersion, readerFeatures: null, writerFeatures: null });
    expect(d.metadata).toEqual({
      id: metaData.id,
      name: null,
      description: null,
      format: metaData.format,
      schema: JSON.parse(metaData.schemaString as string) as unknown,
      partitionColumns: metaData.partitionColumns,
      configuration: metaData.configuration,
      createdTime: metaData.createdTime,
    });
    expect(d.numFiles).toBe(adds.length);
    expect(d.sizeInBytes).toBe(adds.reduce((s, a) => s + (a.size as number), 0));
    expect(d.numRecords).toBe(adds.reduce((s, a) => s + (JSON.parse(a.stats as string) as { numRecords: number }).numRecords, 0));
    expect(d.appTransactions).toEqual({});

    const v1 = JSON.parse(await ok('describe', PART_TABLE, '--version', '1')) as Record<string, unknown>;
    expect([v1.version, v1.numFiles]).toEqual([1, 2]);
  });

  it('describe: numRecords is null when a file has no statistics', async () => {
    const d = JSON.parse(await ok('describe', golden('data-reader-primitives'))) as Record<string, unknown>;
    expect(d.numFiles).toBe(2);
    expect(d.numRecords).toBeNull();
  });

  it('describe: application transactions, read from a checkpoint', async () => {
    const expected = JSON.parse(readFileSync(expectedJson('app-txn-checkpoint__txn'), 'utf8')) as { appTransactions: unknown };
    const d = JSON.parse(await ok('describe', kernel('app-txn-checkpoint'))) as Record<string, unknown>;
    expect(d.appTransactions).toEqual(expected.appTransactions);
  });

  it('describe --format text names the version and schema', async () => {
    const text = await ok('describe', PART_TABLE, '--format', 'text');
    expect(text).toMatch(/^Version: +3$/m);
    expect(text).toMatch(/^ {2}part: integer$/m);
  });

  it('history: one entry per version, newest first, with the commit info', async () => {
    const h = JSON.parse(await ok('history', PART_TABLE)) as Array<Record<string, unknown>>;
    expect(h.map((e) => e.version)).toEqual([3, 2, 1, 0]);
    // Without in-commit timestamps a version's time is its commit file's, made strictly increasing.
    const times = h.map((e) => e.timestamp as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(times).size).toBe(times.length);
    expect(times.at(-1)).toBe(Math.floor(statSync(`${PART_TABLE}/_delta_log/${'0'.repeat(20)}.json`).mtimeMs));
    for (const entry of h) {
      const info = commitActions(PART_TABLE, entry.version as number).find((a) => a.commitInfo)?.commitInfo as Record<string, unknown>;
      expect(entry.commitInfoTimestamp).toBe(info.timestamp);
      expect(entry.operation).toBe(info.operation);
      expect(entry.operationParameters).toEqual(info.operationParameters);
      expect(entry.txnId).toBe(info.txnId);
      expect(entry.engineInfo).toBe(info.engineInfo);
    }
    const limited = JSON.parse(await ok('history', PART_TABLE, '--limit', '2')) as Array<Record<string, unknown>>;
    expect(limited.map((e) => e.version)).toEqual([3, 2]);
  });

  it('cat --where returns exactly the matching rows', async () => {
    // Each file holds one row, so its stats (min = max) state the row.
    const all = [0, 1, 2, 3].flatMap((v) =>
      commitActions(PART_TABLE, v)
        .filter((a) => a.add)
        .map((a) => (JSON.parse(a.add?.stats as string) as { minValues: Record<string, number> }).minValues),
    );
    expect(sortRows(jsonLines(await ok('cat', PART_TABLE)))).toEqual(sortRows(all));
    const where = jsonLines(await ok('cat', PART_TABLE, '--where', 'part = 0'));
    expect(sortRows(where)).toEqual(sortRows(all.filter((r) => r.part === 0)));
    expect(where.length).toBeGreaterThan(0);
    const projected = jsonLines(await ok('cat', PART_TABLE, '--where', 'part = 1 AND id = 1', '--columns', 'id'));
    expect(projected).toEqual([{ id: 1 }]);
    expect(jsonLines(await ok('cat', PART_TABLE, '--limit', '3'))).toHaveLength(3);
    expect(await ok('cat', PART_TABLE, '--limit', '0')).toBe('');
  });

  it('cat time travels with --version and --timestamp', async () => {
    expect(jsonLines(await ok('cat', PART_TABLE, '--version', '1'))).toHaveLength(2);
    expect(jsonLines(await ok('cat', PART_TABLE, '--timestamp', '2999-01-01T00:00:00Z'))).toHaveLength(4);
    const r = await cli('cat', PART_TABLE, '--timestamp', '1999-01-01T00:00:00Z');
    expect(r.code).toBe(1);
    expect(ERROR_LINE.exec(r.stderr)?.[1]).toBe('TIMESTAMP_OUT_OF_RANGE');
  });

  it('cat --format csv writes a header and one line per row', async () => {
    const lines = (await ok('cat', PART_TABLE, '--format', 'csv', '--where', 'part = 1')).split('\n');
    expect(lines[0]).toBe('part,id');
    expect(lines.slice(1, -1).sort()).toEqual(['1,0', '1,1']);
    expect(lines.at(-1)).toBe('');
  });

  it('files lists live files, pruned by --where', async () => {
    const all = JSON.parse(await ok('files', PART_TABLE)) as Array<Record<string, unknown>>;
    const adds = [0, 1, 2, 3].flatMap((v) => commitActions(PART_TABLE, v).filter((a) => a.add).map((a) => a.add as Record<string, unknown>));
    expect(all.map((f) => f.path).sort()).toEqual(adds.map((a) => a.path).sort());
    for (const f of all) {
      const add = adds.find((a) => a.path === f.path) as Record<string, unknown>;
      expect(f.size).toBe(add.size);
      expect(f.partitionValues).toEqual(add.partitionValues);
      expect(f.stats).toEqual(JSON.parse(add.stats as string));
      expect(f.deletionVectorCardinality).toBeNull();
    }
    const pruned = JSON.parse(await ok('files', PART_TABLE, '--where', 'id = 1 AND part = 0')) as Array<Record<string, unknown>>;
    expect(pruned.map((f) => (f.stats as { minValues: unknown }).minValues)).toEqual([{ part: 0, id: 1 }]);
  });

  it('files reports deletion vector cardinalities', async () => {
    const table = kernel('table-with-dv-small');
    const files = JSON.parse(await ok('files', table)) as Array<Record<string, unknown>>;
    const dvs = readdirSync(`${table}/_delta_log`)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => readFileSync(`${table}/_delta_log/${f}`, 'utf8').split('\n'))
      .filter((l) => l.includes('"add"'))
      .map((l) => JSON.parse(l) as { add: { path: string; deletionVector?: { cardinality: number } } })
      .map((a) => [a.add.path, a.add.deletionVector?.cardinality ?? null] as const);
    const latest = new Map(dvs);
    for (const f of files) expect(f.deletionVectorCardinality).toBe(latest.get(f.path as string));
    expect(files.some((f) => f.deletionVectorCardinality !== null)).toBe(true);
  });

  it('cat: primitive types agree with DuckDB on the expected rows', async () => {
    const rows = jsonLines(await ok('cat', golden('data-reader-primitives'), '--format', 'jsonl'));
    const expected = await duckRows(`SELECT as_int::VARCHAR AS as_int, as_long::VARCHAR AS as_long, as_byte::VARCHAR AS as_byte,
      as_short::VARCHAR AS as_short, as_boolean::VARCHAR AS as_boolean, as_float, as_double,
      as_string, base64(as_binary) AS as_binary, as_big_decimal::VARCHAR AS as_big_decimal
      FROM read_parquet('${goldenExpected('data-reader-primitives')}/*.parquet')`);
    // Floats compare as the float32/float64 values they denote, not as digit strings.
    const canonical = (r: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : k === 'as_float' ? Math.fround(Number(v)) : k === 'as_double' ? Number(v) : String(v)]));
    expect(sortRows(rows.map(canonical))).toEqual(sortRows(expected.map(canonical)));
  });

  it('cat: decimals (partition and data, negative) agree with DuckDB digit for digit', async () => {
    const rows = jsonLines(await ok('cat', golden('basic-decimal-table')));
    const expected = await duckRows(`SELECT part::VARCHAR AS part, col1::VARCHAR AS col1, col2::VARCHAR AS col2, col3::VARCHAR AS col3
      FROM read_parquet('${goldenExpected('basic-decimal-table')}/*.parquet')`);
    expect(sortRows(rows)).toEqual(sortRows(expected));
    expect(rows.some((r) => String(r.col1).startsWith('-'))).toBe(true);
  });

  it('cat: timestamps and dates agree with DuckDB', async () => {
    const rows = jsonLines(await ok('cat', golden('data-reader-date-types-utc')));
    const expected = await duckRows(`SELECT strftime(timezone('UTC', "timestamp"), '%Y-%m-%dT%H:%M:%S.%fZ') AS "timestamp", strftime("date", '%Y-%m-%d') AS "date"
      FROM read_parquet('${goldenExpected('data-reader-date-types-utc')}/*.parquet')`);
    expect(sortRows(rows)).toEqual(sortRows(expected));
  });

  it('cat into a pipe closed early (| head) exits 0 without an error line', async () => {
    const child = spawn(process.execPath, [BIN, 'cat', deltaRs('COVID-19_NYT')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let received = 0;
    const firstLine = await new Promise<string>((resolve) => {
      let buffered = '';
      child.stdout.on('data', (c: Buffer) => {
        received += c.length;
        buffered += c.toString();
        if (buffered.includes('\n')) {
          child.stdout.destroy();
          resolve(buffered.slice(0, buffered.indexOf('\n')));
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(JSON.parse(firstLine)).toBeTypeOf('object');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(received).toBeLessThan(10_000_000);
  });
});
