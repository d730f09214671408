/**
 * End-to-end: `create`, `write` and `checkpoint` with the built CLI (`dist/bin.js`) in temp
 * directories, read back with `cat`/`describe` and, for the data files, with DuckDB.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

let dir: string;
let n = 0;
/** A fresh path inside the temp directory. */
const fresh = (name: string): string => join(dir, `${n++}-${name}`);

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'deltakit-write-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command that must fail with one error line; returns the error code and line. */
async function fails(...args: string[]): Promise<{ code: string; line: string; status: number }> {
  const r = await cli(...args);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(ERROR_LINE);
  return { code: ERROR_LINE.exec(r.stderr)![1]!, line: r.stderr, status: r.code };
}

function file(name: string, text: string): string {
  const p = fresh(name);
  writeFileSync(p, text);
  return p;
}

/** `cat` output lines (JSON lines text, exactly as printed), sorted. */
async function catLines(table: string, ...extra: string[]): Promise<string[]> {
  return (await ok('cat', table, '--format', 'jsonl', ...extra)).split('\n').filter((l) => l !== '').sort();
}

async function describeJson(table: string): Promise<{ version: number; protocol: Record<string, unknown>; metadata: { schema: { fields: Array<Record<string, unknown>> }; partitionColumns: string[]; configuration: Record<string, string> }; numFiles: number }> {
  return JSON.parse(await ok('describe', table, '--format', 'json')) as never;
}

const commits = (table: string): string[] => readdirSync(join(table, '_delta_log')).filter((f) => /^\d{20}\.json$/.test(f));

async function duck(sql: string): Promise<Array<Record<string, string | null>>> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const rows = (await conn.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
  conn.closeSync();
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])));
}

const DDL = "id BIGINT NOT NULL, name STRING COMMENT 'display name', amount DECIMAL(20,4), ts TIMESTAMP, local TIMESTAMP_NTZ, d DATE, tags ARRAY<STRING>, attrs MAP<STRING, INT>, addr STRUCT<city: STRING, zip: INT>";

/** Rows covering every kind of value; the expected `cat` lines are written out by hand below. */
const TYPED_ROWS = [
  '{"id": 9223372036854775807, "name": "max", "amount": "1234567890123456.7891", "ts": "2024-02-29T23:59:59.999999Z", "local": "2024-02-29 23:59:59.5", "d": "2024-02-29", "tags": ["a", null], "attrs": {"k": 1}, "addr": {"city": "Paris", "zip": 75001}}',
  '{"id": -9007199254740993, "name": null, "amount": -0.5, "ts": "1969-12-31T23:00:00-01:30", "local": null, "d": "0001-01-01", "tags": [], "attrs": {}, "addr": null}',
  '{"id": 3}',
];
const TYPED_EXPECTED = [
  '{"id":-9007199254740993,"name":null,"amount":"-0.5000","ts":"1970-01-01T00:30:00.000000Z","local":null,"d":"0001-01-01","tags":[],"attrs":{},"addr":null}',
  '{"id":3,"name":null,"amount":null,"ts":null,"local":null,"d":null,"tags":null,"attrs":null,"addr":null}',
  '{"id":9223372036854775807,"name":"max","amount":"1234567890123456.7891","ts":"2024-02-29T23:59:59.999999Z","local":"2024-02-29T23:59:59.500000","d":"2024-02-29","tags":["a",null],"attrs":{"k":1},"addr":{"city":"Paris","zip":75001}}',
];

describe('deltakit create', () => {
  it('creates a table from DDL: describe shows the schema, comments and protocol', async () => {
    const t = fresh('ddl');
    const out = JSON.parse(await ok('create', t, '--schema', DDL, '--partition-by', 'd', '--property', 'owner=ops', '--name', 'events', '--format', 'json')) as Record<string, unknown>;
    // timestamp_ntz needs its table feature, so table features (reader 3, writer 7).
    expect(out).toMatchObject({ created: true, version: 0, protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['timestampNtz'] }, partitionColumns: ['d'] });
    const d = await describeJson(t);
    expect(d.version).toBe(0);
    expect(d.protocol).toEqual(out['protocol']);
    expect(d.metadata.partitionColumns).toEqual(['d']);
    expect(d.metadata.configuration).toEqual({ owner: 'ops' });
    expect(d.metadata.schema.fields.map((f) => [f['name'], f['type'], f['nullable']])).toEqual([
      ['id', 'long', false],
      ['name', 'string', true],
      ['amount', 'decimal(20,4)', true],
      ['ts', 'timestamp', true],
      ['local', 'timestamp_ntz', true],
      ['d', 'date', true],
      ['tags', { type: 'array', elementType: 'string', containsNull: true }, true],
      ['attrs', { type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: true }, true],
      [
        'addr',
        {
          type: 'struct',
          fields: [
            { name: 'city', type: 'string', nullable: true, metadata: {} },
            { name: 'zip', type: 'integer', nullable: true, metadata: {} },
          ],
        },
        true,
      ],
    ]);
    expect(d.metadata.schema.fields[1]!['metadata']).toEqual({ comment: 'display name' });
    const legacy = fresh('legacy');
    await ok('create', legacy, '--schema', 'id BIGINT');
    expect((await describeJson(legacy)).protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2, readerFeatures: null, writerFeatures: null });
  });

  it('creates a table from Delta schema JSON with a feature-enabling property', async () => {
    const t = fresh('json');
    const schema = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] });
    await ok('create', t, '--schema', schema, '--property', 'delta.enableDeletionVectors=true');
    const d = await describeJson(t);
    expect(d.metadata.schema.fields).toEqual([{ name: 'id', type: 'long', nullable: true, metadata: {} }]);
    expect(d.protocol).toMatchObject({ minReaderVersion: 3, minWriterVersion: 7 });
    expect(d.protocol['readerFeatures']).toContain('deletionVectors');
  });

  it('refuses an existing table unless --if-not-exists or --replace', async () => {
    const t = fresh('exists');
    await ok('create', t, '--schema', 'a INT');
    const e = await fails('create', t, '--schema', 'a INT');
    expect(e.code).toBe('TABLE_ALREADY_EXISTS');
    expect(JSON.parse(await ok('create', t, '--schema', 'b STRING', '--if-not-exists'))).toMatchObject({ created: false, version: 0 });
    expect(JSON.parse(await ok('create', t, '--schema', 'b STRING', '--replace'))).toMatchObject({ created: true, version: 1 });
    expect((await describeJson(t)).metadata.schema.fields.map((f) => f['name'])).toEqual(['b']);
  });

  it('reports DDL syntax errors with their position, and usage errors with exit 2', async () => {
    const e = await fails('create', fresh('bad'), '--schema', 'id BIGINT, name STRNG');
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.line).toContain('character 17');
    expect((await fails('create', fresh('bad'))).status).toBe(2);
    expect((await fails('create', fresh('bad'), '--schema', 'a INT', '--property', 'novalue')).status).toBe(2);
  });
});

describe('deltakit write', () => {
  it('writes JSON lines into a created table exactly: longs beyond 2^53, decimals, timestamps, nested', async () => {
    const t = fresh('typed');
    await ok('create', t, '--schema', DDL);
    const summary = JSON.parse(await ok('write', t, '--input', file('typed.jsonl', TYPED_ROWS.join('\n') + '\n'), '--mode', 'append')) as Record<string, unknown>;
    expect(summary).toMatchObject({ version: 1, created: false, skipped: false, numFiles: 1, numOutputRows: 3 });
    expect(await catLines(t)).toEqual(TYPED_EXPECTED);
    // The parquet file itself, read by DuckDB, holds the same exact values.
    const rows = await duck(`SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, epoch_us(ts)::VARCHAR AS ts FROM read_parquet('${t}/*.parquet') ORDER BY id`);
    expect(rows).toEqual([
      { id: '-9007199254740993', amount: '-0.5000', ts: '1800000000' },
      { id: '3', amount: null, ts: null },
      { id: '9223372036854775807', amount: '1234567890123456.7891', ts: '1709251199999999' },
    ]);
  });

  it('creates a table from JSON lines, inferring long, double, boolean, string, struct and array', async () => {
    const t = fresh('infer');
    const input = file('infer.jsonl', ['{"a": 1, "b": 1.5, "c": true, "d": "2024-01-01", "e": {"x": 1}, "f": [1, 2], "g": null}', '{"a": 12345678901234567890123, "b": 2, "e": {"y": "s"}}', ''].join('\n'));
    const summary = JSON.parse(await ok('write', t, '--input', input)) as Record<string, unknown>;
    expect(summary).toMatchObject({ version: 0, created: true, numOutputRows: 2 });
    const fields = (await describeJson(t)).metadata.schema.fields.map((f) => [f['name'], f['type']]);
    expect(fields).toEqual([
      ['a', 'decimal(23,0)'],
      ['b', 'double'],
      ['c', 'boolean'],
      ['d', 'string'],
      [
        'e',
        {
          type: 'struct',
          fields: [
            { name: 'x', type: 'long', nullable: true, metadata: {} },
            { name: 'y', type: 'string', nullable: true, metadata: {} },
          ],
        },
      ],
      ['f', { type: 'array', elementType: 'long', containsNull: true }],
      ['g', 'string'],
    ]);
    expect(await catLines(t)).toEqual([
      '{"a":"1","b":1.5,"c":true,"d":"2024-01-01","e":{"x":1,"y":null},"f":[1,2],"g":null}',
      '{"a":"12345678901234567890123","b":2,"c":null,"d":null,"e":{"x":null,"y":"s"},"f":null,"g":null}',
    ]);
  });

  it('writes CSV with RFC 4180 quoting, inferring types, and typed by an existing table', async () => {
    const csv = 'id,name,score,ok\r\n1,"Smith, J",1.5,true\r\n2,"two\nlines",,FALSE\r\n3,"say ""hi""",-2e3,true\r\n4,"",7,\r\n';
    const t = fresh('csv');
    await ok('write', t, '--input', file('a.csv', csv));
    const fields = (await describeJson(t)).metadata.schema.fields.map((f) => [f['name'], f['type']]);
    expect(fields).toEqual([
      ['id', 'long'],
      ['name', 'string'],
      ['score', 'double'],
      ['ok', 'boolean'],
    ]);
    expect(await catLines(t)).toEqual([
      '{"id":1,"name":"Smith, J","score":1.5,"ok":true}',
      '{"id":2,"name":"two\\nlines","score":null,"ok":false}',
      '{"id":3,"name":"say \\"hi\\"","score":-2000,"ok":true}',
      '{"id":4,"name":"","score":7,"ok":null}',
    ]);

    const typed = fresh('csv-typed');
    await ok('create', typed, '--schema', 'amount DECIMAL(38,18), id BIGINT, ts TIMESTAMP, tags ARRAY<INT>');
    await ok('write', typed, '--input', file('b.csv', 'id,amount,ts,tags\n9007199254740993,12345678901234567890.123456789012345678,2024-01-31 12:00:00,"[1,2]"\n'), '--mode', 'append');
    expect(await catLines(typed)).toEqual(['{"amount":"12345678901234567890.123456789012345678","id":9007199254740993,"ts":"2024-01-31T12:00:00.000000Z","tags":[1,2]}']);
  });

  it('writes a parquet input: the rows DuckDB wrote come back exactly', async () => {
    const input = `${fresh('in')}.parquet`;
    await duck(`COPY (SELECT i::BIGINT * 3037000493 AS id, (i / 8)::DECIMAL(18,3) AS amount, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 1001) AS ts, 'r' || i AS name
      FROM range(0, 5000) t(i)) TO '${input}' (FORMAT parquet)`);
    const t = fresh('parquet');
    const summary = JSON.parse(await ok('write', t, '--input', input)) as Record<string, unknown>;
    expect(summary).toMatchObject({ created: true, numOutputRows: 5000 });
    const expected = await duck(`SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, epoch_us(ts)::VARCHAR AS ts, name FROM read_parquet('${input}') ORDER BY id`);
    const actual = await duck(`SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, epoch_us(ts)::VARCHAR AS ts, name FROM read_parquet('${t}/*.parquet') ORDER BY id`);
    expect(actual).toEqual(expected);
    const cat = (await catLines(t)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(cat).toHaveLength(5000);
    expect(cat.find((r) => r['name'] === 'r4999')).toEqual({ id: 4999 * 3037000493, amount: '624.875', ts: '2024-01-01T00:00:05.003999Z', name: 'r4999' });
  });

  it('appends, overwrites, refuses by default, and skips with --mode ignore', async () => {
    const t = fresh('modes');
    const a = file('a.jsonl', '{"id": 1}\n{"id": 2}\n');
    const b = file('b.jsonl', '{"id": 3}\n');
    await ok('write', t, '--input', a);
    await ok('write', t, '--input', b, '--mode', 'append');
    expect(await catLines(t)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    const e = await fails('write', t, '--input', b);
    expect(e.code).toBe('TABLE_ALREADY_EXISTS');
    expect(e.line).toContain('--mode append');
    expect(JSON.parse(await ok('write', t, '--input', b, '--mode', 'ignore'))).toMatchObject({ skipped: true, version: 1 });
    expect(JSON.parse(await ok('write', t, '--input', b, '--mode', 'overwrite'))).toMatchObject({ version: 2, numOutputRows: 1 });
    expect(await catLines(t)).toEqual(['{"id":3}']);
    expect(await catLines(t, '--version', '1')).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
  });

  it('--replace-where replaces only the matching rows, and refuses input rows outside it', async () => {
    const t = fresh('rw');
    await ok('write', t, '--input', file('a.jsonl', '{"d": "a", "v": 1}\n{"d": "b", "v": 2}\n{"d": "c", "v": 3}\n'), '--partition-by', 'd');
    await ok('write', t, '--input', file('b.jsonl', '{"d": "b", "v": 20}\n{"d": "b", "v": 21}\n'), '--mode', 'overwrite', '--replace-where', "d = 'b'");
    expect(await catLines(t)).toEqual(['{"d":"a","v":1}', '{"d":"b","v":20}', '{"d":"b","v":21}', '{"d":"c","v":3}']);
    const e = await fails('write', t, '--input', file('c.jsonl', '{"d": "c", "v": 30}\n'), '--mode', 'overwrite', '--replace-where', "d = 'b'");
    expect(e.code).toBe('INVALID_WRITE');
    expect((await describeJson(t)).version).toBe(1);
    expect((await fails('write', t, '--input', file('c.jsonl', '{}\n'), '--replace-where', "d = 'b'")).status).toBe(2);
  });

  it('--merge-schema adds a column (old rows read null); without it the write fails and the table is unchanged', async () => {
    const t = fresh('merge');
    await ok('write', t, '--input', file('a.jsonl', '{"id": 1}\n'));
    const wider = file('b.jsonl', '{"id": 2, "extra": "x"}\n');
    const e = await fails('write', t, '--input', wider, '--mode', 'append');
    expect(e.code).toBe('SCHEMA_MISMATCH');
    expect(e.line).toContain('extra');
    expect(e.line).toContain('--merge-schema');
    expect(commits(t)).toHaveLength(1);
    expect((await describeJson(t)).version).toBe(0);

    const csvWider = file('b.csv', 'id,extra\n3,y\n');
    expect((await fails('write', t, '--input', csvWider, '--mode', 'append')).code).toBe('SCHEMA_MISMATCH');

    await ok('write', t, '--input', wider, '--mode', 'append', '--merge-schema');
    await ok('write', t, '--input', csvWider, '--mode', 'append');
    expect(await catLines(t)).toEqual(['{"id":1,"extra":null}', '{"id":2,"extra":"x"}', '{"id":3,"extra":"y"}']);
    expect((await describeJson(t)).metadata.schema.fields.map((f) => [f['name'], f['type']])).toEqual([
      ['id', 'long'],
      ['extra', 'string'],
    ]);
  });

  it('fails on malformed input naming the file and line, committing nothing', async () => {
    const t = fresh('bad');
    await ok('create', t, '--schema', 'id BIGINT, n INT, d DATE');
    const cases: Array<[string, string, string, string]> = [
      ['bad.jsonl', '{"id": 1}\n{"id": 2,}\n', 'PARSE_ERROR', 'line 2'],
      ['scalar.jsonl', '{"id": 1}\n\n[1]\n', 'PARSE_ERROR', 'line 3'],
      ['type.jsonl', '{"id": 1}\n{"id": "x1"}\n', 'PARSE_ERROR', 'line 2'],
      ['range.jsonl', '{"n": 2147483648}\n', 'PARSE_ERROR', 'out of range for integer'],
      ['date.jsonl', '{"d": "2023-02-29"}\n', 'PARSE_ERROR', 'line 1'],
      ['count.csv', 'id,n\n1,2\n3\n', 'PARSE_ERROR', 'line 3'],
      ['quote.csv', 'id,n\n1,2\n"3,4\n', 'PARSE_ERROR', 'line 3'],
      ['value.csv', 'id,n\n1,2\n\n3,4.5\n', 'PARSE_ERROR', 'line 4'],
    ];
    for (const [name, text, code, where] of cases) {
      const input = file(name, text);
      const e = await fails('write', t, '--input', input, '--mode', 'append');
      expect(e.code, name).toBe(code);
      expect(e.line, name).toContain(input);
      expect(e.line, name).toContain(where);
    }
    expect((await fails('write', t, '--input', fresh('missing.jsonl'), '--mode', 'append')).code).toBe('FILE_NOT_FOUND');
    expect(commits(t)).toHaveLength(1);
    expect(await catLines(t)).toEqual([]);
  });

  it('fails on a long beyond 2^63 and a decimal with too many digits, never rounding', async () => {
    const t = fresh('exact');
    await ok('create', t, '--schema', 'id BIGINT, amount DECIMAL(5,2)');
    expect((await fails('write', t, '--input', file('a.jsonl', '{"id": 9223372036854775808}\n'), '--mode', 'append')).line).toContain('out of range for long');
    expect((await fails('write', t, '--input', file('b.jsonl', '{"amount": 1.005}\n'), '--mode', 'append')).code).toBe('PRECISION_LOSS');
    expect((await fails('write', t, '--input', file('c.jsonl', '{"amount": 1000}\n'), '--mode', 'append')).line).toContain('more than 5 digits');
    expect(commits(t)).toHaveLength(1);
  });
});

describe('deltakit checkpoint', () => {
  it('checkpoints the latest version; describe and cat still work from it', async () => {
    const t = fresh('cp');
    await ok('write', t, '--input', file('a.jsonl', '{"id": 1}\n'));
    await ok('write', t, '--input', file('b.jsonl', '{"id": 2}\n'), '--mode', 'append');
    expect(JSON.parse(await ok('checkpoint', t))).toEqual({ table: t, version: 1 });
    const last = JSON.parse(readFileSync(join(t, '_delta_log', '_last_checkpoint'), 'utf8')) as { version: number; size: number };
    expect(last.version).toBe(1);
    expect(existsSync(join(t, '_delta_log', '00000000000000000001.checkpoint.parquet'))).toBe(true);
    // Without the commits the checkpoint replaces, the table must load from the checkpoint alone.
    rmSync(join(t, '_delta_log', '00000000000000000000.json'));
    const d = await describeJson(t);
    expect(d.version).toBe(1);
    expect(d.numFiles).toBe(2);
    expect(await catLines(t)).toEqual(['{"id":1}', '{"id":2}']);
    expect((await fails('checkpoint', fresh('missing'))).code).toBe('TABLE_NOT_FOUND');
  });

  it('--part-size writes a multi-part checkpoint that describe and cat read', async () => {
    const t = fresh('parts');
    for (let i = 1; i <= 4; i++) await ok('write', t, '--input', file(`p${i}.jsonl`, `{"id": ${i}}\n`), '--mode', 'append');
    expect(JSON.parse(await ok('checkpoint', t, '--part-size', '2'))).toEqual({ table: t, version: 3 });
    const parts = readdirSync(join(t, '_delta_log')).filter((f) => f.includes('.checkpoint.'));
    expect(parts).toEqual(['00000000000000000003.checkpoint.0000000001.0000000002.parquet', '00000000000000000003.checkpoint.0000000002.0000000002.parquet']);
    expect(JSON.parse(readFileSync(join(t, '_delta_log', '_last_checkpoint'), 'utf8'))).toMatchObject({ version: 3, parts: 2, numOfAddFiles: 4 });
    for (let v = 0; v < 3; v++) rmSync(join(t, '_delta_log', `0000000000000000000${v}.json`));
    expect((await describeJson(t)).numFiles).toBe(4);
    expect((await catLines(t)).sort()).toEqual(['{"id":1}', '{"id":2}', '{"id":3}', '{"id":4}']);
    expect((await fails('checkpoint', t, '--part-size', '0')).code).toBe('INVALID_ARGUMENT');
  });
});
