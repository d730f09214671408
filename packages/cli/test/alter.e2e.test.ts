/**
 * End-to-end: `deltakit alter` on a copy of a Spark-written column-mapped table, read back with
 * `cat` and `describe`; its usage errors; and the DESCRIBE DETAIL fields `describe` gained,
 * checked against the fixture's own log and files.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeFixtures, golden } from './fixtures.js';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

let dir: string;
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'deltakit-alter-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function copyOf(src: string): string {
  const d = join(dir, `${n++}`);
  cpSync(src, d, { recursive: true });
  return d;
}

async function alter(...args: string[]): Promise<Record<string, unknown>> {
  return JSON.parse(await ok('alter', ...args)) as Record<string, unknown>;
}

async function fails(...args: string[]): Promise<{ code: string; status: number; line: string }> {
  const r = await cli(...args);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(ERROR_LINE);
  return { code: ERROR_LINE.exec(r.stderr)![1]!, status: r.code, line: r.stderr };
}

const catRows = async (table: string): Promise<Record<string, unknown>[]> =>
  (await ok('cat', table, '--format', 'jsonl'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .sort((a, b) => Number(a.ShortType) - Number(b.ShortType));

describeFixtures('deltakit alter', () => {
  it('changes a Spark name-mapped table one commit at a time, each printing the new version', async () => {
    const t = copyOf(golden('table-with-columnmapping-mode-name'));
    const before = await catRows(t);
    expect(await alter(t, 'rename-column', 'ByteType', 'tiny')).toEqual({ table: t, operation: 'RENAME COLUMN', version: 1 });
    expect(await alter(t, 'add-columns', 'c INT COMMENT "new" AFTER tiny, nested_struct.zz STRING')).toEqual({ table: t, operation: 'ADD COLUMNS', version: 2 });
    expect(await alter(t, 'drop-columns', 'StringType,nested_struct.ac')).toEqual({ table: t, operation: 'DROP COLUMNS', version: 3 });
    expect((await alter(t, 'set-comment', 'tiny', 'a small one')).version).toBe(4);
    expect((await alter(t, 'set-properties', 'owner=me', 'delta.checkpointInterval=5')).version).toBe(5);
    expect((await alter(t, 'unset-properties', 'owner', 'nope', '--if-exists')).version).toBe(6);
    expect(await alter(t, 'add-constraint', 'tiny_range', 'tiny IS NULL OR tiny > -200')).toEqual({ table: t, operation: 'ADD CONSTRAINT', version: 7 });
    expect(await alter(t, 'drop-constraint', 'missing', '--if-exists')).toEqual({ table: t, operation: 'DROP CONSTRAINT', version: 7, dropped: false });
    expect(await alter(t, 'move-column', 'c', 'after', 'ShortType')).toEqual({ table: t, operation: 'CHANGE COLUMN', version: 8 });
    expect(await alter(t, 'move-column', 'c', 'first')).toEqual({ table: t, operation: 'CHANGE COLUMN', version: 9 });
    expect(await alter(t, 'move-column', 'c', 'after', 'tiny')).toEqual({ table: t, operation: 'CHANGE COLUMN', version: 10 });

    const after = await catRows(t);
    expect(after.map((r) => Object.keys(r))[0]).toEqual(Object.keys(before[0]!).filter((k) => k !== 'StringType').map((k) => (k === 'ByteType' ? 'tiny' : k)).flatMap((k) => (k === 'tiny' ? ['tiny', 'c'] : [k])));
    expect(after.map((r) => r.tiny)).toEqual(before.map((r) => r.ByteType));
    expect(after.every((r) => r.c === null)).toBe(true);
    expect(after.map((r) => r.nested_struct)).toEqual(before.map((r) => (r.nested_struct === null ? null : { aa: (r.nested_struct as { aa: unknown }).aa, zz: null })));

    const d = JSON.parse(await ok('describe', t, '--format', 'json')) as Record<string, unknown>;
    expect(d.properties).toEqual({ 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '26', 'delta.checkpointInterval': '5', 'delta.constraints.tiny_range': 'tiny IS NULL OR tiny > -200' });
    expect(d.tableFeatures).toContain('checkConstraints');
    expect((d.metadata as { schema: { fields: { name: string; metadata: Record<string, unknown> }[] } }).schema.fields[0]!.metadata.comment).toBe('a small one');
  });

  it('reports refusals as one error line: usage errors exit 2, refused changes exit 1', async () => {
    const t = copyOf(golden('table-with-columnmapping-mode-name'));
    expect(await fails('alter', t)).toMatchObject({ code: 'INVALID_ARGUMENT', status: 2 });
    expect((await fails('alter', t, 'frobnicate')).line).toMatch(/Unknown change 'frobnicate'/);
    expect((await fails('alter', t, 'rename-column', 'a')).line).toMatch(/'rename-column' takes 2 arguments, got 1/);
    expect((await fails('alter', t, 'set-comment', 'ShortType', 'x', '--if-exists')).line).toMatch(/--if-exists applies to/);
    expect((await fails('alter', t, 'set-properties', 'novalue')).line).toMatch(/key=value/);
    expect((await fails('alter', t, 'move-column', 'ShortType', 'last')).line).toMatch(/'first' or 'after <column>'/);
    expect(await fails('alter', t, 'unset-properties', 'nope')).toMatchObject({ code: 'INVALID_ARGUMENT', status: 2 });
    expect(await fails('alter', t, 'change-type', 'ShortType', 'INT')).toMatchObject({ code: 'UNSUPPORTED_OPERATION', status: 1 });
    expect(await fails('alter', t, 'enable-column-mapping', 'id')).toMatchObject({ code: 'UNSUPPORTED_OPERATION', status: 1 });
    expect(await fails('alter', t, 'add-columns', 'x INT NOT NULL')).toMatchObject({ code: 'UNSUPPORTED_OPERATION', status: 1 });
    expect(await fails('alter', t, 'drop-columns', 'nope')).toMatchObject({ code: 'COLUMN_NOT_FOUND', status: 1 });
    // Nothing was committed by any of them.
    expect(JSON.parse(await ok('describe', t, '--format', 'json')).version).toBe(0);
  });

  it('clusters an unpartitioned table and refuses clustering a partitioned one', async () => {
    const t = copyOf(golden('data-reader-primitives'));
    expect(await alter(t, 'cluster-by', 'as_int')).toEqual({ table: t, operation: 'CLUSTER BY', version: 1 });
    const d = JSON.parse(await ok('describe', t, '--format', 'json')) as { clusteringColumns?: string[] };
    expect(d.clusteringColumns).toEqual(['as_int']);
    const p = copyOf(golden('data-reader-partition-values'));
    const r = await fails('alter', p, 'cluster-by', 'value');
    expect(r.status).toBe(1);
    expect(r.line).toMatch(/partition/i);
  });

  it('enables column mapping on a table without it, then renames', async () => {
    const t = copyOf(golden('data-reader-primitives'));
    expect(await fails('alter', t, 'rename-column', 'as_int', 'i')).toMatchObject({ code: 'UNSUPPORTED_OPERATION' });
    expect(await alter(t, 'enable-column-mapping', 'name')).toEqual({ table: t, operation: 'SET TBLPROPERTIES', version: 1 });
    await alter(t, 'rename-column', 'as_int', 'i');
    const d = JSON.parse(await ok('describe', t, '--format', 'json')) as Record<string, unknown>;
    expect([d.minReaderVersion, d.minWriterVersion]).toEqual([2, 5]);
    expect(d.tableFeatures).toEqual(['appendOnly', 'changeDataFeed', 'checkConstraints', 'columnMapping', 'generatedColumns', 'invariants']);
  });
});

describeFixtures('deltakit describe: DESCRIBE DETAIL fields', () => {
  const PART_TABLE = golden('data-skipping-partition-and-data-column');

  it('JSON gains Spark’s fields, checked against the log; the existing fields stay', async () => {
    const d = JSON.parse(await ok('describe', PART_TABLE, '--format', 'json')) as Record<string, unknown>;
    const first = readFileSync(join(PART_TABLE, '_delta_log', '00000000000000000000.json'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    const meta = first.find((a) => a.metaData)!.metaData!;
    expect(d).toMatchObject({
      format: 'delta',
      id: meta.id,
      name: null,
      description: null,
      location: `file:${PART_TABLE}`,
      createdAt: new Date(meta.createdTime as number).toISOString(),
      lastModified: new Date(Math.floor(statSync(join(PART_TABLE, '_delta_log', '00000000000000000003.json')).mtimeMs)).toISOString(),
      partitionColumns: meta.partitionColumns,
      clusteringColumns: [],
      properties: meta.configuration,
      minReaderVersion: 1,
      minWriterVersion: 2,
      tableFeatures: ['appendOnly', 'invariants'],
    });
    expect(d.numFiles).toBe(4);
    expect(d.version).toBe(3);
    expect(d.metadata).toBeDefined();
    expect(d.protocol).toBeDefined();
  });

  it('text names the location, last modification and table features', async () => {
    const text = await ok('describe', PART_TABLE, '--format', 'text');
    expect(text).toMatch(new RegExp(`^Location: +file:${PART_TABLE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(text).toMatch(/^Last modified: +\d{4}-\d\d-\d\dT/m);
    expect(text).toMatch(/^Table features: appendOnly, invariants$/m);
  });
});
