/**
 * End-to-end: `deltakit changes` with the built CLI (`dist/bin.js`) on every change-feed case of
 * the shared fixtures (rows compared as multisets on the case's columns, longs exactly; errors by
 * code), and on a table written here, whose `_commit_version` and `_commit_timestamp` are checked
 * against the log and `deltakit history`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable, JsonNumber, field, parseJsonExact, primitive, struct } from '@deltakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChanges } from '@deltakit/cdf';
import { Type } from 'apache-arrow';
import { deltaRs, describeFixtures, FIXTURES, HAVE_FIXTURES, kernel } from './fixtures.js';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

beforeAll(() => {
  requireBuiltCli();
});

interface FeedCase {
  name: string;
  table: string;
  startVersion: JsonNumber;
  endVersion: JsonNumber | null;
  columns?: string[];
  rows?: unknown[][];
  expectError?: string;
}

const cases: FeedCase[] = HAVE_FIXTURES
  ? readdirSync(`${FIXTURES}/expected`)
      .filter((f) => /^(cdf-|table-with-cdf__).*\.json$/.test(f))
      .sort()
      .map((f) => ({ ...(parseJsonExact(readFileSync(`${FIXTURES}/expected/${f}`, 'utf8')) as FeedCase), name: f.replace(/\.json$/, '') }))
  : [];

/** The error code each fixture error maps to, by its cause (the fixtures quote delta-kernel-rs). */
function expectedCode(text: string): string {
  if (/ChangeDataFeedUnsupported/.test(text)) return 'CHANGE_DATA_FEED_NOT_ENABLED';
  if (/schemas are different/.test(text)) return 'INCOMPATIBLE_SCHEMA_CHANGE';
  if (/start_version cannot be greater than end_version/.test(text)) return 'INVALID_ARGUMENT';
  if (/Expected the first commit to have version/.test(text)) return 'VERSION_NOT_FOUND';
  throw new Error(`no mapping for expected error: ${text}`);
}

/** Canonical text of a JSON value (numbers by value, integers exactly, objects by sorted keys). */
function canon(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof JsonNumber) {
    if (/^-?\d+$/.test(v.text)) return BigInt(v.text).toString();
    const n = Number(v.text);
    return Number.isInteger(n) ? BigInt(n).toString() : String(n);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canon(o[k])}`)
    .join(',')}}`;
}

/** JSON lines parsed exactly (every number as JsonNumber). */
const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => parseJsonExact(l) as Record<string, unknown>);

const versionArgs = (c: FeedCase) => ['--from', c.startVersion.text, ...(c.endVersion === null ? [] : ['--to', c.endVersion.text])];

describeFixtures('deltakit changes on the shared change-feed cases', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(22);
  });

  for (const c of cases) {
    if (c.expectError !== undefined) {
      it(`${c.name}: fails with one error line`, async () => {
        const r = await cli('changes', kernel(c.table), ...versionArgs(c), '--format', 'jsonl');
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(ERROR_LINE);
        const code = ERROR_LINE.exec(r.stderr)![1];
        expect(code).toBe(expectedCode(c.expectError!));
        expect(r.code).toBe(code === 'INVALID_ARGUMENT' ? 2 : 1);
      });
    } else {
      it(`${c.name}: rows match`, async () => {
        const out = await ok('changes', kernel(c.table), ...versionArgs(c), '--format', 'jsonl');
        const actual = jsonLines(out).map((row) => c.columns!.map((k) => canon(row[k])).join(' | '));
        const expected = c.rows!.map((row) => row.map(canon).join(' | '));
        expect(actual.sort()).toEqual(expected.sort());
      });
    }
  }

  it('prints a long beyond 2^53 exactly', async () => {
    const out = await ok('changes', kernel('cdf-table-non-partitioned'), '--from', '0', '--to', '0', '--format', 'jsonl');
    expect(out).toContain('"long_field":99999999999999999,');
  });

  it('table-with-cdf versions 0 to 1 plan, then fail reading their fake data files', async () => {
    const r = await cli('changes', kernel('table-with-cdf'), '--from', '0', '--to', '1');
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(ERROR_LINE.exec(r.stderr)![1]).toBe('FILE_NOT_FOUND');
    expect(r.code).toBe(1);
  });
});

describeFixtures('deltakit changes on the delta-rs change-feed tables', () => {
  /** The API's rows in the CLI's JSON-line encoding: exact longs, dates as YYYY-MM-DD, commit timestamps as µs UTC text. */
  const apiRows = async (root: string, start: number, end: number): Promise<string[]> => {
    const t = DeltaTable.forPath(root);
    try {
      const table = await tableChanges(t, { startingVersion: start, endingVersion: end }).toTable();
      const fields = table.schema.fields;
      return table.toArray().map((row) => {
        const o = row.toJSON() as Record<string, unknown>;
        return fields
          .map(({ name: n, type }) => {
            const v = o[n];
            if (v !== null && Type.Date === type.typeId) return JSON.stringify(new Date(Number(v)).toISOString().slice(0, 10));
            if (n === '_commit_timestamp') return JSON.stringify(`${new Date(Number(v)).toISOString().slice(0, -1)}000Z`);
            return canon(typeof v === 'bigint' ? new JsonNumber(v.toString()) : typeof v === 'number' ? new JsonNumber(String(v)) : v);
          })
          .join(' | ');
      });
    } finally {
      await t.close();
    }
  };

  for (const [name, start, end] of [
    ['cdc_ict_table', 0, 3],
    ['simple_table_with_cdc', 0, 2],
    ['checkpoint-cdf-table', 3, 5],
  ] as const) {
    it(`${name} versions ${start} to ${end}: the rows tableChanges reads, commit timestamps included`, async () => {
      const out = await ok('changes', deltaRs(name), '--from', String(start), '--to', String(end), '--format', 'jsonl');
      const lines = jsonLines(out);
      expect(lines.length).toBeGreaterThan(0);
      const names = Object.keys(lines[0]!);
      expect(names.slice(-3)).toEqual(['_change_type', '_commit_version', '_commit_timestamp']);
      const cli = lines.map((row) => names.map((n) => canon(row[n])).join(' | '));
      expect(cli.sort()).toEqual((await apiRows(deltaRs(name), start, end)).sort());
    });
  }
});

describe('deltakit changes on a table written here', () => {
  let dir: string;
  let root: string;
  const schema = struct([field('id', primitive('long')), field('name', primitive('string'))]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deltakit-changes-'));
    root = join(dir, 't');
    const t = DeltaTable.forPath(root);
    await t.create({ schema, properties: { 'delta.enableChangeDataFeed': 'true' } }); // v0
    await t.write({ rows: [{ id: 9007199254740993n, name: 'big' }], schema }, { mode: 'append' }); // v1
    await t.write({ rows: [{ id: 2n, name: 'two' }], schema }, { mode: 'overwrite' }); // v2
    await t.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints versions as integers and commit timestamps as µs UTC text matching the history', async () => {
    const history = JSON.parse(await ok('history', root, '--format', 'json')) as Array<{ version: number; timestamp: number }>;
    const micros = (ms: number) => `${new Date(ms).toISOString().slice(0, -1)}000Z`;
    const timeOf = new Map(history.map((h) => [h.version, micros(h.timestamp)]));
    const out = await ok('changes', root, '--from', '1', '--format', 'jsonl');
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines.sort()).toEqual(
      [
        `{"id":9007199254740993,"name":"big","_change_type":"insert","_commit_version":1,"_commit_timestamp":"${timeOf.get(1)}"}`,
        `{"id":9007199254740993,"name":"big","_change_type":"delete","_commit_version":2,"_commit_timestamp":"${timeOf.get(2)}"}`,
        `{"id":2,"name":"two","_change_type":"insert","_commit_version":2,"_commit_timestamp":"${timeOf.get(2)}"}`,
      ].sort(),
    );
    for (const l of lines) expect(l).toMatch(/"_commit_timestamp":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z"/);
  });

  it('takes timestamps for --from and --to, and prints CSV with a header', async () => {
    const history = JSON.parse(await ok('history', root, '--format', 'json')) as Array<{ version: number; timestamp: number }>;
    const v2 = history.find((h) => h.version === 2)!.timestamp;
    const csv = await ok('changes', root, '--from', new Date(v2).toISOString(), '--to', new Date(v2 + 60_000).toISOString(), '--format', 'csv');
    const [header, ...rows] = csv.split('\n').filter((l) => l !== '');
    expect(header).toBe('id,name,_change_type,_commit_version,_commit_timestamp');
    expect(rows.map((r) => r.split(',').slice(0, 4).join(',')).sort()).toEqual(['2,two,insert,2', '9007199254740993,big,delete,2']);
  });

  it('--format table prints aligned columns (numbers right-aligned) under a header', async () => {
    const history = JSON.parse(await ok('history', root, '--format', 'json')) as Array<{ version: number; timestamp: number }>;
    const at = `${new Date(history.find((h) => h.version === 2)!.timestamp).toISOString().slice(0, -1)}000Z`;
    const lines = (await ok('changes', root, '--from', '2', '--to', '2', '--format', 'table')).split('\n').filter((l) => l !== '');
    expect(lines[0]).toMatch(/^id +\| name \| _change_type \| _commit_version \| _commit_timestamp *$/);
    expect(lines[1]).toMatch(/^-+\+-+\+-+\+-+\+-+$/);
    expect(lines.slice(2).sort()).toEqual([`               2 | two  | insert       |               2 | ${at}`, `9007199254740993 | big  | delete       |               2 | ${at}`].sort());
    // Every line has the same width and puts the separators in the same places.
    const bars = (l: string) => [...l].flatMap((ch, i) => (ch === '|' || ch === '+' ? [i] : []));
    for (const l of lines.slice(1)) expect(bars(l)).toEqual(bars(lines[0]!));
  });

  it('prints only the header for an empty range, and help', async () => {
    expect(await ok('changes', root, '--from', '0', '--to', '0', '--format', 'csv')).toBe('id,name,_change_type,_commit_version,_commit_timestamp\n');
    const help = await ok('changes', '--help');
    expect(help).toContain('--from V|TIME');
    expect(await ok('--help')).toContain('changes');
  });

  it('refuses bad arguments with exit 2 and one line', async () => {
    for (const args of [[], ['--from', 'soon'], ['--from', '0', '--to', 'later'], ['--from', '0', '--format', 'xml']]) {
      const r = await cli('changes', root, ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(ERROR_LINE.exec(r.stderr)?.[1]).toBe('INVALID_ARGUMENT');
    }
    const r = await cli('changes', root, '--from', 'later');
    expect(r.stderr).toContain("--from 'later'");
    const missing = await cli('changes', root, '--from', '7');
    expect(ERROR_LINE.exec(missing.stderr)?.[1]).toBe('VERSION_NOT_FOUND');
    expect(missing.code).toBe(1);
  });
});
