import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDeltaError } from '../../../src/errors.js';
import type { AddFile, RemoveFile } from '../../../src/log/actions.js';
import { field, primitive, struct, type StructType } from '../../../src/schema/types.js';
import type { DeltaTable } from '../../../src/table/delta-table.js';
import { failure } from '../../fixtures.js';
import { cleanup, commitActions, duckLiveRows, ourRows, tableAt, tempTable } from './helpers.js';

afterAll(cleanup);

const schema: StructType = struct([
  field('id', primitive('long')),
  field('name', primitive('string')),
  field('value', primitive('double')),
  field('flag', primitive('boolean')),
  field('day', primitive('date')),
  field('p', primitive('string')),
  field('q', primitive('integer')),
]);
const COLUMNS = ['id', 'name', 'value', 'flag', 'day', 'p', 'q'];
const DUCK = { day: `CAST(epoch(day) * 1000 AS BIGINT)` };

/** Deterministic rows; `p` takes `parts` values (one of them null), `q` two. */
function rowsFor(batch: number, n: number, parts: readonly (string | null)[]): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const id = batch * 1000 + i;
    return {
      id: BigInt(id),
      name: id % 7 === 0 ? null : `name-${(id * 7919) % 1000}`,
      value: id % 11 === 0 ? null : (id * 31) % 97 / 4,
      flag: id % 3 === 0,
      day: `2024-0${1 + (id % 9)}-1${id % 10}`,
      p: parts[id % parts.length] ?? null,
      q: id % 2,
    };
  });
}

async function smallFiles(table: DeltaTable, appends: number, rowsPer: number, options: { partitionBy?: string[]; parts?: readonly (string | null)[]; properties?: Record<string, string> } = {}): Promise<void> {
  await table.create({ schema, partitionBy: options.partitionBy ?? [], ...(options.properties ? { properties: options.properties } : {}) });
  for (let b = 0; b < appends; b++) await table.write({ rows: rowsFor(b, rowsPer, options.parts ?? ['a']), schema }, { mode: 'append' });
}

describe('OPTIMIZE compaction (bin-packing)', () => {
  it('unpartitioned: many small files become one; rows unchanged (our reader and DuckDB); the commit is Spark-shaped', async () => {
    const table = tempTable();
    await smallFiles(table, 20, 40);
    const before = await table.snapshot();
    expect(before.addFiles).toHaveLength(20);
    const expected = await ourRows(before, COLUMNS);
    expect(await duckLiveRows(before, COLUMNS, DUCK)).toEqual(expected);

    const m = await table.optimize();
    const after = await tableAt(table.tableRoot).snapshot(); // a fresh reader: the log reads back
    expect(after.version).toBe(before.version + 1);
    expect(after.addFiles).toHaveLength(1);
    expect(await ourRows(after, COLUMNS)).toEqual(expected);
    expect(await duckLiveRows(after, COLUMNS, DUCK)).toEqual(expected);

    // Spark's OptimizeMetrics, checked against the files in the log.
    const sizesBefore = before.addFiles.map((a) => a.size);
    expect(m).toMatchObject({
      version: after.version,
      numFilesAdded: 1,
      numFilesRemoved: 20,
      filesAdded: { min: after.addFiles[0]!.size, max: after.addFiles[0]!.size, totalFiles: 1, totalSize: after.addFiles[0]!.size },
      filesRemoved: { min: Math.min(...sizesBefore), max: Math.max(...sizesBefore), totalFiles: 20, totalSize: sizesBefore.reduce((a, b) => a + b, 0) },
      partitionsOptimized: 1,
      numBins: 1,
      numBatches: 1,
      totalConsideredFiles: 20,
      totalFilesSkipped: 0,
      zOrderStats: null,
      deletionVectorStats: null,
      numTableColumns: 7,
      numTableColumnsWithStats: 7,
    });
    expect(m.endTimeMs).toBeGreaterThanOrEqual(m.startTimeMs);

    const actions = commitActions(table.tableRoot, after.version);
    const info = actions.find((a) => a.kind === 'commitInfo')!;
    if (info.kind !== 'commitInfo') throw new Error('unreachable');
    expect(info.commitInfo.operation).toBe('OPTIMIZE');
    expect(info.commitInfo.operationParameters).toEqual({ predicate: '[]', zOrderBy: '[]', clusterBy: '[]', auto: 'false' });
    expect(info.commitInfo.isolationLevel).toBe('SnapshotIsolation');
    expect(info.commitInfo.isBlindAppend).toBe(false);
    const size = String(after.addFiles[0]!.size);
    expect(info.commitInfo.operationMetrics).toEqual({
      numAddedFiles: '1',
      numRemovedFiles: '20',
      numAddedBytes: size,
      numRemovedBytes: String(sizesBefore.reduce((a, b) => a + b, 0)),
      minFileSize: size,
      p25FileSize: size,
      p50FileSize: size,
      p75FileSize: size,
      maxFileSize: size,
      numDeletionVectorsRemoved: '0',
    });
    const adds = actions.flatMap((a) => (a.kind === 'add' ? [a.add] : []));
    const removes = actions.flatMap((a) => (a.kind === 'remove' ? [a.remove] : []));
    expect(adds.every((a) => a.dataChange === false)).toBe(true);
    expect(removes.every((r) => r.dataChange === false)).toBe(true);
    expect(removes.map((r) => r.path).sort()).toEqual(before.addFiles.map((a) => a.path).sort());
    // The new file's stats count its rows (Spark-shaped stats from the writer).
    expect(JSON.parse(adds[0]!.stats!).numRecords).toBe(800);
  });

  it('partitioned (two columns, a null partition): one file per partition; partitions with one file are left alone', async () => {
    const table = tempTable();
    await smallFiles(table, 12, 30, { partitionBy: ['p', 'q'], parts: ['a b', 'c/d', null] });
    // A partition holding a single file: nothing to compact there.
    await table.write({ rows: [{ ...rowsFor(99, 1, ['solo'])[0]!, p: 'solo', q: 5 }], schema }, { mode: 'append' });
    const before = await table.snapshot();
    const key = (a: AddFile) => JSON.stringify([a.partitionValues.p ?? null, a.partitionValues.q ?? null]);
    const partitionsBefore = new Map<string, number>();
    for (const a of before.addFiles) partitionsBefore.set(key(a), (partitionsBefore.get(key(a)) ?? 0) + 1);
    expect(partitionsBefore.size).toBe(7);
    const expected = await ourRows(before, COLUMNS);

    const m = await table.optimize();
    const after = await tableAt(table.tableRoot).snapshot();
    expect(after.addFiles.map(key).sort()).toEqual([...partitionsBefore.keys()].sort());
    const solo = before.addFiles.find((a) => a.partitionValues.p === 'solo')!;
    expect(after.addFiles.some((a) => a.path === solo.path)).toBe(true);
    expect(m).toMatchObject({ numFilesAdded: 6, numFilesRemoved: before.addFiles.length - 1, partitionsOptimized: 6, numBins: 6, totalConsideredFiles: before.addFiles.length, totalFilesSkipped: 1 });
    expect(await ourRows(after, COLUMNS)).toEqual(expected);
    expect(await duckLiveRows(after, COLUMNS, DUCK, { p: 'p', q: 'q' })).toEqual(expected.map((r) => r.replace(/\|q=(\d+)$/, '|q=$1')));
    // Files of the null partition land in Hive's default partition directory.
    expect(after.addFiles.some((a) => a.partitionValues.p === null && a.path.startsWith('p=__HIVE_DEFAULT_PARTITION__/'))).toBe(true);
  });

  it('a second OPTIMIZE finds nothing to do and commits nothing (Spark: idempotent)', async () => {
    const table = tempTable();
    await smallFiles(table, 5, 10);
    await table.optimize();
    const v = (await table.snapshot()).version;
    const logBefore = readdirSync(join(table.tableRoot, '_delta_log')).sort();
    const m = await table.optimize();
    expect((await tableAt(table.tableRoot).snapshot()).version).toBe(v);
    expect(readdirSync(join(table.tableRoot, '_delta_log')).sort()).toEqual(logBefore);
    expect(m).toMatchObject({
      version: null,
      numFilesAdded: 0,
      numFilesRemoved: 0,
      filesAdded: { min: null, max: null, avg: 0, totalFiles: 0, totalSize: 0 },
      filesRemoved: { min: null, max: null, avg: 0, totalFiles: 0, totalSize: 0 },
      partitionsOptimized: 0,
      numBins: 0,
      numBatches: 1,
      totalConsideredFiles: 1,
      totalFilesSkipped: 1,
    });
  });

  it('where: only the selected partitions are compacted; the predicate is recorded', async () => {
    const table = tempTable();
    await smallFiles(table, 6, 20, { partitionBy: ['p'], parts: ['a', 'b', 'c'] });
    const before = await table.snapshot();
    const m = await table.optimize({ where: "p = 'a' OR p = 'c'" });
    const after = await table.snapshot();
    const count = (files: readonly AddFile[], p: string) => files.filter((a) => a.partitionValues.p === p).length;
    expect([count(after.addFiles, 'a'), count(after.addFiles, 'b'), count(after.addFiles, 'c')]).toEqual([1, count(before.addFiles, 'b'), 1]);
    expect(count(before.addFiles, 'b')).toBe(6);
    expect(m.totalConsideredFiles).toBe(12);
    const info = commitActions(table.tableRoot, after.version).find((a) => a.kind === 'commitInfo');
    expect(info?.kind === 'commitInfo' && info.commitInfo.operationParameters?.predicate).toBe(JSON.stringify(["((p = 'a') OR (p = 'c'))"]));
    expect(await ourRows(after, COLUMNS)).toEqual(await ourRows(before, COLUMNS));
  });

  it('where on a data column is refused as Spark refuses it; nothing is written', async () => {
    const table = tempTable();
    await smallFiles(table, 3, 5, { partitionBy: ['p'], parts: ['a'] });
    const v = (await table.snapshot()).version;
    const e = await failure(table.optimize({ where: 'id > 3' }));
    expect(isDeltaError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect(e.message).toContain("'id'");
    expect(e.message).toContain('partition column');
    expect((e as unknown as { details: Record<string, unknown> }).details.sparkErrorClass).toBe('DELTA_NON_PARTITION_COLUMN_REFERENCE');
    expect(isDeltaError(await failure(table.optimize({ where: 'nope = 1' })), 'COLUMN_NOT_FOUND')).toBe(true);
    expect((await table.snapshot()).version).toBe(v);
  });

  it('targetFileSize: bins hold files up to the target, smallest first; files at or above it are not candidates', async () => {
    const table = tempTable();
    await smallFiles(table, 9, 30);
    const before = await table.snapshot();
    const sizes = before.addFiles.map((a) => a.size).sort((a, b) => a - b);
    // A target fitting three of the smallest files: the greedy packing of the sorted sizes.
    const target = sizes[0]! + sizes[1]! + sizes[2]! + 1;
    const expectedBins: number[][] = [];
    let cur: number[] = [];
    for (const s of sizes.filter((x) => x < target)) {
      if (cur.length > 0 && cur.reduce((a, b) => a + b, 0) + s > target) {
        expectedBins.push(cur);
        cur = [];
      }
      cur.push(s);
    }
    if (cur.length) expectedBins.push(cur);
    const rewritten = expectedBins.filter((b) => b.length > 1);
    const m = await table.optimize({ targetFileSize: target });
    expect(m.numBins).toBe(rewritten.length);
    expect(m.numFilesRemoved).toBe(rewritten.flat().length);
    expect(m.numFilesAdded).toBe(rewritten.length);
    expect(await ourRows(await table.snapshot(), COLUMNS)).toEqual(await ourRows(before, COLUMNS));
    // With the target at the smallest file's size, no file is below it: nothing to do.
    const again = await tableAt(table.tableRoot).optimize({ targetFileSize: Math.min(...(await table.snapshot()).addFiles.map((a) => a.size)) });
    expect(again.version).toBeNull();
  });

  it('delta.targetFileSize (bytes or with a unit) sets the target when the call does not', async () => {
    const table = tempTable();
    await smallFiles(table, 4, 10, { properties: { 'delta.targetFileSize': '1' } });
    // No file is smaller than one byte: nothing is a candidate.
    expect((await table.optimize()).version).toBeNull();
    await table.setProperties({ 'delta.targetFileSize': '10MB' });
    expect((await table.optimize()).numFilesRemoved).toBe(4);
    // Setting an unparseable size is refused; a table another writer left with one fails OPTIMIZE clearly.
    expect(isDeltaError(await failure(table.setProperties({ 'delta.targetFileSize': 'ten' })), 'INVALID_ARGUMENT')).toBe(true);
    const foreign = tempTable();
    await smallFiles(foreign, 2, 10, { properties: { 'delta.targetFileSize': 'ten' } });
    expect(isDeltaError(await failure(foreign.optimize()), 'INVALID_ARGUMENT')).toBe(true);
  });

  it('column mapping (name): new files use physical names; rows unchanged', async () => {
    const table = tempTable();
    await smallFiles(table, 6, 15, { partitionBy: ['p'], parts: ['x', 'y'], properties: { 'delta.columnMapping.mode': 'name' } });
    const before = await table.snapshot();
    const expected = await ourRows(before, COLUMNS);
    await table.optimize();
    const after = await tableAt(table.tableRoot).snapshot();
    expect(after.addFiles).toHaveLength(2);
    expect(await ourRows(after, COLUMNS)).toEqual(expected);
    const phys = Object.fromEntries(after.schema.fields.map((f) => [f.name, f.metadata['delta.columnMapping.physicalName'] as string]));
    expect(phys.id).toMatch(/^col-/);
    const select = Object.fromEntries(COLUMNS.filter((c) => c !== 'p').map((c) => [c, c === 'day' ? `CAST(epoch("${phys.day}") * 1000 AS BIGINT)` : `"${phys[c]}"`]));
    expect(await duckLiveRows(after, COLUMNS, select, { p: phys.p! })).toEqual(expected);
  });

  it('progress is reported per bin; an aborted OPTIMIZE fails with CANCELLED and leaves the table and its files as they were', async () => {
    const table = tempTable();
    await smallFiles(table, 6, 10, { partitionBy: ['p'], parts: ['a', 'b', 'c'] });
    const phases: string[] = [];
    const controller = new AbortController();
    const before = await table.snapshot();
    const filesBefore = readdirSync(table.tableRoot, { recursive: true }).filter((f) => String(f).endsWith('.parquet')).sort();
    const e = await failure(
      table.optimize({
        signal: controller.signal,
        onProgress: (p) => {
          phases.push(`${p.phase}:${p.binsDone}/${p.binsTotal}`);
          if (p.binsDone === 1) controller.abort();
        },
      }),
    );
    expect(isDeltaError(e, 'CANCELLED')).toBe(true);
    expect(phases).toEqual(['planning:0/3', 'rewriting:1/3']);
    expect((await table.snapshot()).version).toBe(before.version);
    expect(readdirSync(table.tableRoot, { recursive: true }).filter((f) => String(f).endsWith('.parquet')).sort()).toEqual(filesBefore);
    const done: string[] = [];
    await table.optimize({ onProgress: (p) => done.push(`${p.phase}:${p.binsDone}/${p.binsTotal}:${p.filesDone}/${p.filesTotal}`) });
    expect(done).toEqual(['planning:0/3:0/18', 'rewriting:1/3:6/18', 'rewriting:2/3:12/18', 'rewriting:3/3:18/18', 'committing:3/3:18/18', 'done:3/3:18/18']);
  });

  it('invalid sizes are refused before anything is read', async () => {
    const table = tempTable();
    await smallFiles(table, 1, 1);
    for (const bad of [0, -5, 1.5, Number.NaN]) expect(isDeltaError(await failure(table.optimize({ targetFileSize: bad })), 'INVALID_ARGUMENT')).toBe(true);
    expect(isDeltaError(await failure(table.optimize({ maxDeletedRowsRatio: 2 })), 'INVALID_ARGUMENT')).toBe(true);
  });

  it('append-only tables can be compacted (removes without data change are allowed)', async () => {
    const table = tempTable();
    await smallFiles(table, 3, 5, { properties: { 'delta.appendOnly': 'true' } });
    const m = await table.optimize();
    expect(m.numFilesRemoved).toBe(3);
    const removes = commitActions(table.tableRoot, m.version!).flatMap((a) => (a.kind === 'remove' ? [a.remove as RemoveFile] : []));
    expect(removes.every((r) => !r.dataChange)).toBe(true);
  });
});
