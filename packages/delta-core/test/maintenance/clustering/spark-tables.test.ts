/**
 * Clustered tables written by Spark / Databricks (shared fixtures): their clustering columns
 * resolve from the `delta.clustering` domain, and what deltakit may or may not write to them.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { isDeltaError } from '../../../src/errors.js';
import { clusteringColumns, clusteringColumnsOf } from '../../../src/maintenance/clustering/table-columns.js';
import { DEFAULT_MIN_CUBE_SIZE, DEFAULT_TARGET_CUBE_SIZE } from '../../../src/maintenance/clustering/optimize.js';
import { selectZCubeGroups } from '../../../src/maintenance/clustering/zcube.js';
import { parseDdlSchema } from '../../../src/schema/ddl.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { deltaRs, describeFixtures, kernel } from '../../fixtures.js';

const tables: DeltaTable[] = [];
const open = (path: string): DeltaTable => {
  const t = DeltaTable.forPath(path);
  tables.push(t);
  return t;
};
afterAll(async () => {
  for (const t of tables) await t.close();
});

describeFixtures('clustered tables written by Databricks / Spark', () => {
  it('table-with-domain-metadata: clustered by department (Databricks also wrote its own liquid domain)', async () => {
    const snap = await open(deltaRs('table-with-domain-metadata')).snapshot();
    expect(snap.protocol.writerFeatures).toContain('clustering');
    expect(snap.domainMetadata.get('delta.clustering')).toBe('{"clusteringColumns":[["department"]],"domainName":"delta.clustering"}');
    expect(clusteringColumns(snap)).toEqual(['department']);
    const [col] = clusteringColumnsOf(snap)!;
    expect(col).toMatchObject({ logical: ['department'], physical: ['department'], type: { kind: 'primitive', name: 'string' } });
  });

  it('table-with-domain-metadata: OPTIMIZE would recluster the unclustered files and leave the one Databricks clustered with its own provider', async () => {
    const snap = await open(deltaRs('table-with-domain-metadata')).snapshot();
    const foreign = snap.addFiles.filter((f) => f.clusteringProvider !== undefined);
    expect(foreign.map((f) => f.clusteringProvider)).toEqual(['liquid_ai']);
    const sizes = { columns: clusteringColumns(snap), minCubeSize: DEFAULT_MIN_CUBE_SIZE, targetCubeSize: DEFAULT_TARGET_CUBE_SIZE };
    const plan = selectZCubeGroups(snap.addFiles, sizes);
    const chosen = plan.groups.flat().map((f) => f.path);
    expect(chosen).toHaveLength(snap.addFiles.length - 1);
    expect(chosen).not.toContain(foreign[0]!.path);
    expect(plan.stats).toMatchObject({ inputZCubeFiles: { numFiles: 0 }, inputOtherFiles: { numFiles: snap.addFiles.length }, numOutputZCubes: 1 });
    // OPTIMIZE FULL takes the other provider's file too.
    expect(selectZCubeGroups(snap.addFiles, { ...sizes, full: true }).groups.flat()).toHaveLength(snap.addFiles.length);
  });

  it('crc-full: the clustering feature without a clustering domain in the log has no clustering columns', async () => {
    // The table's clustering domain exists only in its .crc file; the log itself has none.
    const snap = await open(kernel('crc-full')).snapshot();
    expect(snap.protocol.writerFeatures).toContain('clustering');
    expect(snap.domainMetadata.has('delta.clustering')).toBe(false);
    expect(clusteringColumnsOf(snap)).toBeUndefined();
    expect(clusteringColumns(snap)).toEqual([]);
  });

  it('table_with_liquid_clustering: the preview "liquid" feature is not the clustering feature', async () => {
    const snap = await open(deltaRs('table_with_liquid_clustering')).snapshot();
    expect(snap.protocol.writerFeatures).toContain('liquid');
    expect(clusteringColumns(snap)).toEqual([]);
  });

  it('appending to copies of these tables is refused before anything is written: they use row tracking', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deltakit-clustered-'));
    try {
      for (const name of ['table-with-domain-metadata', 'table_with_liquid_clustering']) {
        const copy = join(dir, name);
        await cp(deltaRs(name), copy, { recursive: true });
        const table = open(copy);
        const before = await table.snapshot();
        let code = '';
        let feature: unknown;
        try {
          await table.write({ rows: [{ id: 1n }], schema: parseDdlSchema('id BIGINT') }, { mode: 'append' });
        } catch (e) {
          if (!isDeltaError(e)) throw e;
          code = e.code;
          feature = e.details?.feature;
        }
        expect([name, code, feature]).toEqual([name, 'UNSUPPORTED_WRITER_FEATURE', 'rowTracking']);
        expect((await DeltaTable.forPath(copy).snapshot()).version).toBe(before.version);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
