/**
 * DESCRIBE DETAIL: sizes and file counts against the checksum files (`.crc`) the writers of the
 * fixture tables recorded for their latest version; clustering columns from a Databricks-written
 * clustered table; the table features Spark lists for legacy and table-features protocols
 * (`DescribeDeltaDetailSuite`); and every field of our own tables against their log.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine.js';
import { tableFeatures } from '../../../src/maintenance/alter/detail.js';
import { physicalName } from '../../../src/schema/column-mapping.js';
import { field, primitive, struct, type StructType } from '../../../src/schema/types.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { deltaRs, describeFixtures, FIXTURES, HAVE_FIXTURES } from '../../fixtures.js';
import { commitActions, localEngine, TempDirs } from './helpers.js';

const dirs = new TempDirs();
let engine: Engine;
beforeAll(() => {
  engine = localEngine();
});
afterAll(async () => {
  await engine.parquet.close();
  dirs.cleanup();
});

const open = (dir: string) => DeltaTable.forPath(dir, { engine });

/** Fixture tables whose latest version has a checksum file, with that file's content. */
function tablesWithChecksums(): { dir: string; crc: Record<string, unknown> }[] {
  if (!HAVE_FIXTURES) return [];
  const out: { dir: string; crc: Record<string, unknown> }[] = [];
  const walk = (d: string, depth: number): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (depth > 4 || !statSync(p).isDirectory()) continue;
      if (n !== '_delta_log') {
        walk(p, depth + 1);
        continue;
      }
      const versions = readdirSync(p).flatMap((f) => /^(\d{20})\.(json|checkpoint\.parquet)$/.exec(f)?.[1] ?? []);
      const latest = versions.sort().at(-1);
      const crc = latest === undefined ? undefined : join(p, `${latest}.crc`);
      if (crc !== undefined && existsSync(crc)) out.push({ dir: d, crc: JSON.parse(readFileSync(crc, 'utf8')) as Record<string, unknown> });
    }
  };
  walk(FIXTURES, 0);
  // kernel/crc-full is a checksum-reading test: its log holds no add actions for the files its checksum counts.
  return out.filter((t) => !t.dir.endsWith('/kernel/crc-full'));
}

describeFixtures('DESCRIBE DETAIL of fixture tables', () => {
  const tables = tablesWithChecksums();

  it('finds the checksummed fixtures', () => {
    expect(tables.length).toBeGreaterThanOrEqual(20);
  });

  for (const { dir, crc } of tables) {
    it(`${dir.slice(FIXTURES.length + 1)}: numFiles, sizeInBytes, id and protocol as its writer's checksum records`, async () => {
      const d = await open(dir).detail();
      expect([d.numFiles, d.sizeInBytes]).toEqual([crc.numFiles, crc.tableSizeBytes]);
      // Older checksum files carry only the counts; newer ones the metadata and protocol too.
      const metadata = crc.metadata as { id: string; partitionColumns: string[]; configuration: Record<string, string>; createdTime?: number } | undefined;
      const protocol = crc.protocol as { minReaderVersion: number; minWriterVersion: number } | undefined;
      if (metadata !== undefined) {
        expect([d.id, d.partitionColumns, d.properties]).toEqual([metadata.id, metadata.partitionColumns, metadata.configuration]);
        expect(d.createdAt?.getTime() ?? null).toBe(metadata.createdTime ?? null);
      }
      if (protocol !== undefined) expect([d.minReaderVersion, d.minWriterVersion]).toEqual([protocol.minReaderVersion, protocol.minWriterVersion]);
      expect(d.format).toBe('delta');
      expect(d.location).toBe(`file:${dir}`);
    });
  }

  it('a Databricks-written clustered table reports its clustering column; lastModified of a checkpoint-only version is the checkpoint file time', async () => {
    const dir = deltaRs('table-with-domain-metadata');
    const d = await open(dir).detail();
    expect(d.clusteringColumns).toEqual(['department']);
    expect(d.tableFeatures).toEqual(['appendOnly', 'clustering', 'deletionVectors', 'domainMetadata', 'invariants', 'rowTracking']);
    expect(d.lastModified.getTime()).toBe(Math.floor(statSync(join(dir, '_delta_log', '00000000000000000108.checkpoint.parquet')).mtimeMs));
  });

  it('an older liquid-clustering preview domain (delta.liquid, no clustering feature) is not reported', async () => {
    expect((await open(deltaRs('table_with_liquid_clustering')).detail()).clusteringColumns).toEqual([]);
  });
});

describe('table features as DESCRIBE DETAIL lists them', () => {
  it('legacy protocols list the features their versions imply; table-features protocols list their own', () => {
    expect(tableFeatures({ minReaderVersion: 1, minWriterVersion: 1 })).toEqual([]);
    expect(tableFeatures({ minReaderVersion: 1, minWriterVersion: 2 })).toEqual(['appendOnly', 'invariants']);
    expect(tableFeatures({ minReaderVersion: 1, minWriterVersion: 4 })).toEqual(['appendOnly', 'changeDataFeed', 'checkConstraints', 'generatedColumns', 'invariants']);
    expect(tableFeatures({ minReaderVersion: 1, minWriterVersion: 5 })).toEqual(['appendOnly', 'changeDataFeed', 'checkConstraints', 'generatedColumns', 'invariants']);
    expect(tableFeatures({ minReaderVersion: 2, minWriterVersion: 5 })).toEqual(['appendOnly', 'changeDataFeed', 'checkConstraints', 'columnMapping', 'generatedColumns', 'invariants']);
    expect(tableFeatures({ minReaderVersion: 2, minWriterVersion: 6 })).toContain('identityColumns');
    expect(tableFeatures({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['invariants', 'appendOnly', 'changeDataFeed'] })).toEqual(['appendOnly', 'changeDataFeed', 'invariants']);
    expect(tableFeatures({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'appendOnly'] })).toEqual(['appendOnly', 'deletionVectors']);
  });

  it('a (1,2) table, then upgraded to table features with one more feature (DescribeDeltaDetailSuite)', async () => {
    const t = open(join(dirs.make(), 't'));
    await t.create({ schema: struct([field('value', primitive('integer'))]) });
    let d = await t.detail();
    expect([d.minReaderVersion, d.minWriterVersion, d.tableFeatures]).toEqual([1, 2, ['appendOnly', 'invariants']]);
    await t.setProperties({ 'delta.minReaderVersion': '3', 'delta.minWriterVersion': '7', 'delta.feature.deletionVectors': 'supported' });
    d = await t.detail();
    expect([d.minReaderVersion, d.minWriterVersion, d.tableFeatures]).toEqual([3, 7, ['appendOnly', 'deletionVectors', 'invariants']]);
  });
});

describe('DESCRIBE DETAIL of our own tables', () => {
  it('every field against the log and the file system', async () => {
    const dir = join(dirs.make(), 't');
    const t = open(dir);
    const schema = struct([field('id', primitive('long')), field('day', primitive('string'))]);
    await t.create({ schema, partitionBy: ['day'], description: 'events', properties: { owner: 'me' } });
    await t.write({ rows: [{ id: 1n, day: 'a' }, { id: 2n, day: 'b' }], schema }, { mode: 'append' });
    await t.write({ rows: [{ id: 3n, day: 'a' }], schema }, { mode: 'append' });
    const d = await t.detail();
    const meta = commitActions(dir, 0).find((a) => a.metaData)!.metaData!;
    const adds = [1, 2].flatMap((v) => commitActions(dir, v).flatMap((a) => (a.add ? [a.add] : [])));
    expect(d).toEqual({
      format: 'delta',
      id: meta.id,
      name: null,
      description: 'events',
      location: `file:${dir}`,
      createdAt: new Date(meta.createdTime as number),
      lastModified: new Date(Math.floor(statSync(join(dir, '_delta_log', '00000000000000000002.json')).mtimeMs)),
      partitionColumns: ['day'],
      clusteringColumns: [],
      numFiles: adds.length,
      sizeInBytes: adds.reduce((s, a) => s + (a.size as number), 0),
      properties: { owner: 'me' },
      minReaderVersion: 1,
      minWriterVersion: 2,
      tableFeatures: ['appendOnly', 'invariants'],
    });
    expect(d.numFiles).toBe(3);
    // An older version by request.
    expect((await t.detail({ version: 1 })).numFiles).toBe(2);
  });

  it('nested clustering columns print as Spark prints field references', async () => {
    const dir = join(dirs.make(), 't');
    const t = open(dir);
    await t.create({ schema: struct([field('a b', struct([field('c', primitive('integer'))])), field('d', primitive('integer'))]), properties: { 'delta.columnMapping.mode': 'name' } });
    const s = (await t.snapshot()).schema;
    const ab = s.fields[0]!;
    const c = (ab.type as StructType).fields[0]!;
    writeFileSync(
      join(dir, '_delta_log', '00000000000000000001.json'),
      [
        { commitInfo: { timestamp: Date.now(), operation: 'CLUSTER BY', operationParameters: {} } },
        { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['columnMapping'], writerFeatures: ['columnMapping', 'domainMetadata', 'clustering'] } },
        { domainMetadata: { domain: 'delta.clustering', configuration: JSON.stringify({ clusteringColumns: [[physicalName(ab, 'name'), physicalName(c, 'name')], [physicalName(s.fields[1]!, 'name')]] }), removed: false } },
      ]
        .map((a) => JSON.stringify(a))
        .join('\n') + '\n',
    );
    expect((await open(dir).detail()).clusteringColumns).toEqual(['`a b`.c', 'd']);
  });
});
