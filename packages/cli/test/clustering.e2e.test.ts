/** `deltakit describe` on clustered tables: the clustering columns, from the `delta.clustering` domain. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable, parseDdlSchema } from '@deltakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deltaRs, describeFixtures } from './fixtures.js';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'deltakit-cli-clustering-'));

beforeAll(() => {
  requireBuiltCli();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('deltakit describe: clustering columns', () => {
  it('lists the clustering columns (logical names under column mapping) in JSON and text', async () => {
    const path = join(dir, 'clustered');
    const table = DeltaTable.forPath(path);
    await table.create({ schema: parseDdlSchema('id BIGINT, s STRUCT<`x y`: INT>, name STRING'), clusterBy: ['s.`x y`', 'id'], properties: { 'delta.columnMapping.mode': 'name' } });
    await table.close();
    const d = JSON.parse(await ok('describe', path, '--format', 'json')) as { clusteringColumns: string[] };
    expect(d.clusteringColumns).toEqual(['s.`x y`', 'id']);
    expect(await ok('describe', path, '--format', 'text')).toMatch(/^Clustered by: +s\.`x y`, id$/m);
  });

  it('an unclustered table has none, and the text says nothing about clustering', async () => {
    const path = join(dir, 'plain');
    const table = DeltaTable.forPath(path);
    await table.create({ schema: parseDdlSchema('id BIGINT') });
    await table.close();
    expect((JSON.parse(await ok('describe', path, '--format', 'json')) as { clusteringColumns: string[] }).clusteringColumns).toEqual([]);
    expect(await ok('describe', path, '--format', 'text')).not.toMatch(/Clustered by/);
  });
});

describe('deltakit optimize on a clustered table', () => {
  it('clusters the new files and prints the metrics with clusteringStats; --zorder-by is refused', async () => {
    const path = join(dir, 'to-optimize');
    const table = DeltaTable.forPath(path);
    const schema = parseDdlSchema('id BIGINT, city STRING');
    await table.create({ schema, clusterBy: ['city', 'id'] });
    for (let f = 0; f < 3; f++) await table.write({ rows: Array.from({ length: 20 }, (_, i) => ({ id: BigInt(f * 20 + i), city: `c${(i * 7) % 5}` })), schema }, { mode: 'append' });
    await table.close();
    const m = JSON.parse(await ok('optimize', path)) as { numFilesRemoved: number; version: number; clusteringStats: { mergedFiles: { numFiles: number }; numOutputZCubes: number } };
    expect(m.numFilesRemoved).toBe(3);
    expect(m.clusteringStats).toMatchObject({ mergedFiles: { numFiles: 3 }, numOutputZCubes: 1 });
    const after = DeltaTable.forPath(path);
    const snap = await after.snapshot();
    expect(snap.version).toBe(m.version);
    expect(snap.addFiles.every((f) => f.clusteringProvider === 'liquid')).toBe(true);
    await after.close();

    const r = await cli('optimize', path, '--zorder-by', 'id');
    expect(r.code).toBe(1);
    expect(ERROR_LINE.exec(r.stderr)?.[1]).toBe('UNSUPPORTED_OPERATION');
  });
});

describeFixtures('deltakit describe: a table Databricks clustered', () => {
  it('table-with-domain-metadata is clustered by department', async () => {
    const d = JSON.parse(await ok('describe', deltaRs('table-with-domain-metadata'), '--format', 'json')) as { clusteringColumns: string[] };
    expect(d.clusteringColumns).toEqual(['department']);
  });
});
