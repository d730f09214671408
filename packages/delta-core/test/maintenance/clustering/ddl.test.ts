/**
 * CREATE / REPLACE TABLE ... CLUSTER BY and ALTER TABLE ... CLUSTER BY, with cases taken from
 * Delta Spark's ClusteredTableDDLSuite and ClusteringMetadataDomainSuite.
 */
import { describe, expect, it } from 'vitest';
import { isDeltaError, type DeltaError } from '../../../src/errors.js';
import { clusteringColumns } from '../../../src/maintenance/clustering/table-columns.js';
import { alterClusterBy } from '../../../src/maintenance/clustering/ddl.js';
import { parseDdlSchema } from '../../../src/schema/ddl.js';
import { MemoryStore } from '../../../src/storage/memory-store.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { commitActions, memoryEngine } from '../../write/write-helpers.js';
import type { DomainMetadata } from '../../../src/log/actions.js';

function newTable(): { table: DeltaTable; store: MemoryStore } {
  const store = new MemoryStore();
  return { table: DeltaTable.forPath('memory://t', { engine: memoryEngine(store) }), store };
}

async function rejection(p: Promise<unknown>): Promise<DeltaError> {
  try {
    await p;
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function domainOf(table: DeltaTable, version: number): Promise<DomainMetadata | undefined> {
  const actions = await commitActions(table.engine, '/t', version);
  return actions.flatMap((a) => (a.kind === 'domainMetadata' ? [a.domainMetadata] : []))[0];
}

async function commitInfoOf(table: DeltaTable, version: number) {
  const actions = await commitActions(table.engine, '/t', version);
  return actions.flatMap((a) => (a.kind === 'commitInfo' ? [a.commitInfo] : []))[0]!;
}

describe('CREATE TABLE ... CLUSTER BY', () => {
  it('enables clustering and domainMetadata (writer version 7) and stores the columns as Spark serializes them', async () => {
    const { table } = newTable();
    const { version } = await table.create({ schema: parseDdlSchema('a INT, b STRING, c DOUBLE'), clusterBy: ['a', 'b'] });
    const snap = await table.snapshot();
    expect(snap.protocol.minWriterVersion).toBe(7);
    expect(snap.protocol.writerFeatures).toEqual(expect.arrayContaining(['clustering', 'domainMetadata']));
    expect(snap.protocol.minReaderVersion).toBe(1);
    // ClusteringMetadataDomainSuite: {"clusteringColumns":[[...]],"domainName":"delta.clustering"}.
    expect(await domainOf(table, version)).toEqual({ domain: 'delta.clustering', configuration: '{"clusteringColumns":[["a"],["b"]],"domainName":"delta.clustering"}', removed: false });
    expect(clusteringColumns(snap)).toEqual(['a', 'b']);
    expect(snap.properties).toEqual({}); // the feature request is a protocol change, not a stored property
    const info = await commitInfoOf(table, version);
    expect(info.operation).toBe('CREATE TABLE');
    expect(info.operationParameters?.clusterBy).toBe('["a","b"]');
  });

  it('resolves names case-insensitively and prints them as Spark does (back-quotes for spaces, dots and commas)', async () => {
    const { table } = newTable();
    await table.create({
      schema: parseDdlSchema('`col1 a` INT, col2 INT, col3 STRUCT<col4: INT, `col5 b`: INT>, `col9.f` INT, `,col1,a,` BIGINT'),
      clusterBy: ['COL2', 'col3.`col5 b`', '`col9.f`', '`,col1,a,`'],
    });
    const snap = await table.snapshot();
    expect(clusteringColumns(snap)).toEqual(['col2', 'col3.`col5 b`', '`col9.f`', '`,col1,a,`']);
    expect(JSON.parse(snap.domainMetadata.get('delta.clustering')!).clusteringColumns).toEqual([['col2'], ['col3', 'col5 b'], ['col9.f'], [',col1,a,']]);
  });

  it('stores physical names under column mapping and reports logical ones', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('id BIGINT, s STRUCT<x: INT, y: STRING>'), clusterBy: ['s.x', 'id'], properties: { 'delta.columnMapping.mode': 'name' } });
    const snap = await table.snapshot();
    const stored = JSON.parse(snap.domainMetadata.get('delta.clustering')!).clusteringColumns as string[][];
    const s = snap.schema.fields.find((f) => f.name === 's')!;
    const x = s.type.kind === 'struct' ? s.type.fields.find((f) => f.name === 'x')! : undefined;
    const id = snap.schema.fields.find((f) => f.name === 'id')!;
    expect(stored).toEqual([[s.metadata['delta.columnMapping.physicalName'], x!.metadata['delta.columnMapping.physicalName']], [id.metadata['delta.columnMapping.physicalName']]]);
    expect(stored.flat().every((p) => p.startsWith('col-'))).toBe(true);
    expect(clusteringColumns(snap)).toEqual(['s.x', 'id']);
  });

  it('refuses clustering together with partitioning, and leaves no table behind', async () => {
    const { table, store } = newTable();
    const e = await rejection(table.create({ schema: parseDdlSchema('a INT, p STRING'), clusterBy: ['a'], partitionBy: ['p'] }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.details?.errorClass).toBe('DELTA_CLUSTER_BY_WITH_PARTITIONED_BY');
    const left: string[] = [];
    for await (const m of store.list('/t', { recursive: true })) left.push(m.path);
    expect(left).toEqual([]);
  });

  it('refuses more than 4 clustering columns (DELTA_CLUSTER_BY_INVALID_NUM_COLUMNS)', async () => {
    const { table } = newTable();
    const e = await rejection(table.create({ schema: parseDdlSchema('a INT, b INT, c INT, d INT, e INT'), clusterBy: ['a', 'b', 'c', 'd', 'e'] }));
    expect(e.details).toMatchObject({ errorClass: 'DELTA_CLUSTER_BY_INVALID_NUM_COLUMNS', numColumnsLimit: 4, actualNumColumns: 5 });
  });

  it('refuses columns whose type has no data skipping: structs, booleans, maps, arrays, variants (nested leaves of other types are fine)', async () => {
    const schema = parseDdlSchema('a STRUCT<b: INT, c: INT>, d BOOLEAN, e MAP<INT, INT>, f ARRAY<INT>, g BINARY, v VARIANT, h TIMESTAMP_NTZ');
    for (const column of ['a', 'd', 'e', 'f', 'g', 'v']) {
      const { table } = newTable();
      const e = await rejection(table.create({ schema, clusterBy: [column] }));
      expect([column, e.code, e.details?.errorClass]).toEqual([column, 'INVALID_ARGUMENT', 'DELTA_CLUSTERING_COLUMNS_DATATYPE_NOT_SUPPORTED']);
      expect(e.message).toContain(`${column} : `);
    }
    const { table } = newTable();
    await table.create({ schema, clusterBy: ['a.b', 'h'] });
    expect(clusteringColumns(await table.snapshot())).toEqual(['a.b', 'h']);
  });

  it('refuses columns without statistics: beyond delta.dataSkippingNumIndexedCols, or not in delta.dataSkippingStatsColumns', async () => {
    const schema = parseDdlSchema('col0 INT, col1 STRUCT<col11: INT, col12: STRING>, col2 INT');
    const indexed = { 'delta.dataSkippingNumIndexedCols': '2' };
    const e = await rejection(newTable().table.create({ schema, properties: indexed, clusterBy: ['col0', 'col1.col11', 'col1.col12', 'col2'] }));
    expect(e.details).toMatchObject({ errorClass: 'DELTA_CLUSTERING_COLUMN_MISSING_STATS', columns: ['col1.col12', 'col2'] });
    expect(e.message).toContain('col1.col12, col2');
    const ok = newTable().table;
    await ok.create({ schema, properties: indexed, clusterBy: ['col0', 'col1.col11'] });
    expect(clusteringColumns(await ok.snapshot())).toEqual(['col0', 'col1.col11']);
    const listed = { 'delta.dataSkippingStatsColumns': 'col2,col1.col12' };
    const e2 = await rejection(newTable().table.create({ schema, properties: listed, clusterBy: ['col0'] }));
    expect(e2.details?.errorClass).toBe('DELTA_CLUSTERING_COLUMN_MISSING_STATS');
    await newTable().table.create({ schema, properties: listed, clusterBy: ['col2', 'col1.col12'] });
  });

  it('refuses unknown and duplicate columns, and the clustering feature requested through properties', async () => {
    const schema = parseDdlSchema('id INT, name STRING');
    expect((await rejection(newTable().table.create({ schema, clusterBy: ['invalid'] }))).code).toBe('COLUMN_NOT_FOUND');
    expect((await rejection(newTable().table.create({ schema, clusterBy: ['id', 'ID'] }))).details?.errorClass).toBe('DELTA_DUPLICATE_COLUMNS_FOUND');
    expect((await rejection(newTable().table.create({ schema, clusterBy: [] }))).code).toBe('INVALID_ARGUMENT');
    const e = await rejection(newTable().table.create({ schema, properties: { 'delta.feature.clustering': 'supported' } }));
    expect(e.details?.errorClass).toBe('DELTA_CREATE_TABLE_SET_CLUSTERING_TABLE_FEATURE_NOT_ALLOWED');
    expect((await rejection(newTable().table.create({ schema, properties: { clusteringColumns: '[["id"]]' } }))).details?.errorClass).toBe('DELTA_CANNOT_MODIFY_TABLE_PROPERTY');
  });
});

describe('REPLACE TABLE on clustered tables', () => {
  it('replacing without clusterBy keeps the feature and stores no clustering columns', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('a INT'), clusterBy: ['a'] });
    const { version } = await table.create({ schema: parseDdlSchema('i INT, s STRING'), mode: 'replace' });
    const snap = await table.snapshot();
    expect(snap.protocol.writerFeatures).toContain('clustering');
    expect(clusteringColumns(snap)).toEqual([]);
    expect((await domainOf(table, version))?.configuration).toBe('{"clusteringColumns":[],"domainName":"delta.clustering"}');
  });

  it('replacing with other clustering columns stores them', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('a INT, b INT'), clusterBy: ['a'] });
    await table.create({ schema: parseDdlSchema('a INT, b INT'), clusterBy: ['b'], mode: 'replace' });
    expect(clusteringColumns(await table.snapshot())).toEqual(['b']);
  });

  it('refuses replacing a clustered table with a partitioned one, but allows the reverse', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('a INT, p STRING'), clusterBy: ['a'] });
    const e = await rejection(table.create({ schema: parseDdlSchema('a INT, p STRING'), partitionBy: ['p'], mode: 'replace' }));
    expect(e.details?.errorClass).toBe('DELTA_CLUSTERING_REPLACE_TABLE_WITH_PARTITIONED_TABLE');
    expect((await table.snapshot()).version).toBe(0);

    const other = newTable().table;
    await other.create({ schema: parseDdlSchema('a INT, p STRING'), partitionBy: ['p'] });
    await other.create({ schema: parseDdlSchema('a INT, p STRING'), clusterBy: ['a'], mode: 'replace' });
    const snap = await other.snapshot();
    expect(snap.partitionColumns).toEqual([]);
    expect(clusteringColumns(snap)).toEqual(['a']);
  });
});

describe('ALTER TABLE ... CLUSTER BY', () => {
  it('changes, reorders and nests clustering columns, recording CLUSTER BY with old and new columns', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('id INT, a STRUCT<b: INT, c: STRING>, name STRING'), clusterBy: ['id', 'name'] });
    const v1 = (await table.clusterBy(['name'])).version;
    expect(clusteringColumns(await table.snapshot())).toEqual(['name']);
    await table.clusterBy(['a.b', 'id']);
    expect(clusteringColumns(await table.snapshot())).toEqual(['a.b', 'id']);
    await table.clusterBy(['id', 'a.b']);
    expect(clusteringColumns(await table.snapshot())).toEqual(['id', 'a.b']);
    const info = await commitInfoOf(table, v1);
    expect(info.operation).toBe('CLUSTER BY');
    expect(info.operationParameters).toEqual({ oldClusteringColumns: 'id,name', newClusteringColumns: 'name' });
    // Only the domain changes: no metadata or protocol action.
    expect((await commitActions(table.engine, '/t', v1)).map((a) => a.kind).sort()).toEqual(['commitInfo', 'domainMetadata']);
  });

  it('CLUSTER BY NONE stores an empty list; on a table that is not clustered it is a no-op', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('id INT'), clusterBy: ['id'] });
    await table.clusterBy('none');
    const snap = await table.snapshot();
    expect(clusteringColumns(snap)).toEqual([]);
    expect(snap.protocol.writerFeatures).toContain('clustering');

    const plain = newTable().table;
    await plain.create({ schema: parseDdlSchema('a INT, b STRING') });
    const before = await plain.snapshot();
    expect(await plain.clusterBy('none')).toEqual({ version: before.version });
    expect((await plain.snapshot()).protocol).toEqual(before.protocol);
  });

  it('turns an unpartitioned table into a clustered one (protocol upgrade in the same commit)', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('a INT, b STRING') });
    const { version } = await table.clusterBy(['b']);
    const snap = await table.snapshot();
    expect(snap.protocol.writerFeatures).toEqual(expect.arrayContaining(['clustering', 'domainMetadata']));
    expect(clusteringColumns(snap)).toEqual(['b']);
    expect((await commitActions(table.engine, '/t', version)).map((a) => a.kind).sort()).toEqual(['commitInfo', 'domainMetadata', 'protocol']);
    expect(snap.properties).toEqual({});
  });

  it('refuses partitioned tables, too many columns, unknown columns and columns without statistics', async () => {
    const part = newTable().table;
    await part.create({ schema: parseDdlSchema('a INT, p STRING'), partitionBy: ['p'] });
    const e = await rejection(part.clusterBy(['a']));
    expect([e.code, e.details?.errorClass]).toEqual(['UNSUPPORTED_OPERATION', 'DELTA_ALTER_TABLE_CLUSTER_BY_ON_PARTITIONED_TABLE_NOT_ALLOWED']);
    expect((await rejection(part.clusterBy('none'))).details?.errorClass).toBe('DELTA_ALTER_TABLE_CLUSTER_BY_ON_PARTITIONED_TABLE_NOT_ALLOWED');

    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('a INT, b INT, c INT, d INT, e INT, s STRUCT<x: INT, y: STRING>'), clusterBy: ['a'], properties: { 'delta.dataSkippingNumIndexedCols': '6' } });
    expect((await rejection(table.clusterBy(['a', 'b', 'c', 'd', 'e']))).details?.errorClass).toBe('DELTA_CLUSTER_BY_INVALID_NUM_COLUMNS');
    expect((await rejection(table.clusterBy(['zz']))).code).toBe('COLUMN_NOT_FOUND');
    expect((await rejection(table.clusterBy(['a', 'a']))).details?.errorClass).toBe('DELTA_DUPLICATE_COLUMNS_FOUND');
    // col s.y is the 7th leaf: no statistics with 6 indexed columns.
    expect((await rejection(table.clusterBy(['a', 's.y']))).details).toMatchObject({ errorClass: 'DELTA_CLUSTERING_COLUMN_MISSING_STATS', columns: ['s.y'] });
    expect(clusteringColumns(await table.snapshot())).toEqual(['a']);
  });

  it('two concurrent CLUSTER BY changes conflict (the later one fails with CONCURRENT_TRANSACTION)', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('a INT, b INT'), clusterBy: ['a'] });
    const base = await table.snapshot();
    await alterClusterBy(table.engine, base, ['b']);
    const e = await rejection(alterClusterBy(table.engine, base, ['a', 'b']));
    expect(e.code).toBe('CONCURRENT_TRANSACTION');
    expect(e.details?.domain).toBe('delta.clustering');
    expect(clusteringColumns(await table.snapshot())).toEqual(['b']);
  });

  it('a concurrent append does not conflict with CLUSTER BY; a concurrent schema change does', async () => {
    const { table } = newTable();
    const schema = parseDdlSchema('a INT, b INT');
    await table.create({ schema, clusterBy: ['a'] });
    const base = await table.snapshot();
    await table.write({ rows: [{ a: 1, b: 2 }], schema }, { mode: 'append' });
    await alterClusterBy(table.engine, base, ['b']);
    expect(clusteringColumns(await table.snapshot())).toEqual(['b']);

    const base2 = await table.snapshot();
    await table.write({ rows: [{ a: 1, b: 2, c: 'x' }], schema: parseDdlSchema('a INT, b INT, c STRING') }, { mode: 'append', mergeSchema: true });
    expect((await rejection(alterClusterBy(table.engine, base2, ['a']))).code).toBe('METADATA_CHANGED');
  });
});

describe('a clustering domain naming a column the schema lacks', () => {
  it('reads as CORRUPT_LOG, and CLUSTER BY replaces it', async () => {
    const { table } = newTable();
    await table.create({ schema: parseDdlSchema('a INT, b INT'), clusterBy: ['a'] });
    const tx = await table.transaction({ operation: 'BROKEN WRITER' });
    tx.setFeatureDomainMetadata('delta.clustering', '{"clusteringColumns":[["gone"]]}');
    await tx.commit();
    const e = await rejection(table.snapshot().then((s) => clusteringColumns(s)));
    expect(e.code).toBe('CORRUPT_LOG');
    expect(e.message).toContain('[gone]');
    const { version } = await table.clusterBy(['b']);
    expect((await commitInfoOf(table, version)).operationParameters).toEqual({ oldClusteringColumns: 'gone', newClusteringColumns: 'b' });
    expect(clusteringColumns(await table.snapshot())).toEqual(['b']);
  });
});

describe('writes to clustered tables', () => {
  it('appends write unclustered files (no clusteringProvider) and keep the clustering columns, without warnings', async () => {
    const { table } = newTable();
    const schema = parseDdlSchema('a INT, b STRING');
    await table.create({ schema, clusterBy: ['a'] });
    const tx = await table.transaction({ operation: 'WRITE' });
    expect(tx.warnings).toEqual([]);
    await table.write({ rows: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }], schema }, { mode: 'append' });
    const snap = await table.snapshot();
    expect(snap.addFiles.length).toBe(1);
    expect(snap.addFiles[0]!.clusteringProvider).toBeUndefined();
    expect(clusteringColumns(snap)).toEqual(['a']);
  });

  it('a whole-table overwrite clears the clustering columns (as Spark\'s WriteIntoDelta); replaceWhere keeps them', async () => {
    const { table } = newTable();
    const schema = parseDdlSchema('a INT, b STRING');
    await table.create({ schema, clusterBy: ['a', 'b'] });
    await table.write({ rows: [{ a: 1, b: 'x' }], schema }, { mode: 'append' });
    await table.write({ rows: [{ a: 2, b: 'x' }], schema }, { mode: 'overwrite', replaceWhere: 'a = 2' });
    expect(clusteringColumns(await table.snapshot())).toEqual(['a', 'b']);
    const { version } = await table.write({ rows: [{ a: 3, b: 'z' }], schema }, { mode: 'overwrite' });
    expect((await domainOf(table, version))?.configuration).toBe('{"clusteringColumns":[],"domainName":"delta.clustering"}');
    expect(clusteringColumns(await table.snapshot())).toEqual([]);
  });
});
