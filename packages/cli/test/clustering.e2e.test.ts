/** `deltakit describe` on clustered tables: the clustering columns, from the `delta.clustering` domain. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable, parseDdlSchema } from '@deltakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deltaRs, describeFixtures } from './fixtures.js';
import { ok, requireBuiltCli } from './helpers.js';

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

describeFixtures('deltakit describe: a table Databricks clustered', () => {
  it('table-with-domain-metadata is clustered by department', async () => {
    const d = JSON.parse(await ok('describe', deltaRs('table-with-domain-metadata'), '--format', 'json')) as { clusteringColumns: string[] };
    expect(d.clusteringColumns).toEqual(['department']);
  });
});
