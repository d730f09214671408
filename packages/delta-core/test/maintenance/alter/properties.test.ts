/**
 * SET / UNSET TBLPROPERTIES and enabling column mapping, with the cases of Delta Spark's
 * `DeltaAlterTableTests` (simple, case-insensitive keys, unknown keys, invalid values, the
 * log/file retention compatibility rules, comments) and `DeltaColumnMappingSuite` (upgrading an
 * existing table to name mode; id mode only at creation).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine.js';
import { columnId, physicalName } from '../../../src/schema/column-mapping.js';
import { field, primitive, struct, type StructType } from '../../../src/schema/types.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { describeFixtures, golden, goldenExpected } from '../../fixtures.js';
import { commitInfoOf, localEngine, parametersOf, readParquetDir, readRows, rejects, rowObjects as rowsOf, TempDirs } from './helpers.js';

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
const schema = struct([field('v1', primitive('integer')), field('v2', primitive('string'))]);

async function table(properties: Record<string, string> = {}): Promise<DeltaTable> {
  const t = open(join(dirs.make(), 't'));
  await t.create({ schema, properties });
  return t;
}

describe('SET / UNSET TBLPROPERTIES', () => {
  it('simple', async () => {
    const t = await table();
    await t.setProperties({ 'delta.logRetentionDuration': '2 weeks', 'delta.checkpointInterval': '20', key: 'value' });
    expect((await t.snapshot()).properties).toEqual({ 'delta.logRetentionDuration': '2 weeks', 'delta.checkpointInterval': '20', key: 'value' });
    expect(commitInfoOf(t.tableRoot, 1)).toMatchObject({ operation: 'SET TBLPROPERTIES', operationParameters: { properties: '{"delta.logRetentionDuration":"2 weeks","delta.checkpointInterval":"20","key":"value"}' } });
    await t.unsetProperties(['delta.checkpointInterval', 'key']);
    expect((await t.snapshot()).properties).toEqual({ 'delta.logRetentionDuration': '2 weeks' });
    expect(commitInfoOf(t.tableRoot, 2)).toMatchObject({ operation: 'UNSET TBLPROPERTIES', operationParameters: { properties: '["delta.checkpointInterval","key"]', ifExists: 'false' } });
  });

  it('Delta keys are case-insensitive and stored in their canonical spelling; other keys are case-sensitive', async () => {
    const t = await table();
    await t.setProperties({ 'dEltA.lOgrEteNtiOndURaTion': '1 weeks', 'DelTa.ChEckPoiNtinTervAl': '5', key: 'value1' });
    expect((await t.snapshot()).properties).toEqual({ 'delta.logRetentionDuration': '1 weeks', 'delta.checkpointInterval': '5', key: 'value1' });
    await t.setProperties({ 'dEltA.lOgrEteNtiOndURaTion': '2 weeks', 'DelTa.ChEckPoiNtinTervAl': '20', kEy: 'value2' });
    expect((await t.snapshot()).properties).toEqual({ 'delta.logRetentionDuration': '2 weeks', 'delta.checkpointInterval': '20', key: 'value1', kEy: 'value2' });
    await t.unsetProperties(['DelTa.ChEckPoiNtinTervAl', 'kEy']);
    expect((await t.snapshot()).properties).toEqual({ 'delta.logRetentionDuration': '2 weeks', key: 'value1' });
  });

  it('refuses unknown Delta keys, invalid values, constraints and Delta-managed properties; nothing is committed', async () => {
    const t = await table();
    const unknown = await rejects(t.setProperties({ 'delta.key': 'value' }), 'INVALID_ARGUMENT');
    expect(unknown.message).toMatch(/Unknown configuration was specified: delta\.key/);
    for (const [k, v] of [
      ['delta.randomPrefixLength', '-1'],
      ['delta.randomPrefixLength', 'value'],
      ['delta.appendOnly', 'yes'],
      ['delta.checkpointInterval', '0'],
      ['delta.logRetentionDuration', 'forever'],
      ['delta.deletedFileRetentionDuration', 'interval 1 month'],
      ['delta.dataSkippingNumIndexedCols', '-2'],
      ['delta.columnMapping.mode', 'names'],
      ['delta.isolationLevel', 'Snapshot'],
      ['delta.dataSkippingStatsColumns', 'a,,b'],
    ] as const) {
      const e = await rejects(t.setProperties({ [k]: v }), 'INVALID_ARGUMENT');
      expect(e.message).toContain(k);
    }
    const c = await rejects(t.setProperties({ 'delta.constraints.c1': 'v1 >= 25' }), 'INVALID_ARGUMENT');
    expect(c.message).toMatch(/addConstraint/);
    await rejects(t.setProperties({ 'delta.columnMapping.maxColumnId': '100' }), 'INVALID_ARGUMENT');
    await rejects(t.setProperties({ location: '/elsewhere' }), 'INVALID_ARGUMENT');
    await rejects(t.setProperties({ 'delta.feature.clustering': 'supported' }), 'INVALID_ARGUMENT');
    expect((await t.snapshot()).version).toBe(0);
  });

  it('delta.logRetentionDuration must not be shorter than delta.deletedFileRetentionDuration (given or default)', async () => {
    const t = await table();
    await t.setProperties({ 'delta.deletedFileRetentionDuration': 'interval 7 days', 'delta.logRetentionDuration': 'interval 30 days' });
    await t.setProperties({ 'delta.deletedFileRetentionDuration': 'interval 4 days', 'delta.logRetentionDuration': 'interval 120 hours' });
    await t.setProperties({ 'delta.deletedFileRETENTIONDuration': '  interval 7 days ', 'delta.logRetentionDURATION': ' INTERVAL 30 DAYS ' });
    await t.setProperties({ 'delta.deletedFileRetentionDuration': 'interval 7 days', 'delta.logRetentionDuration': 'interval 1 week' });
    const invalid: Record<string, string>[] = [
      { 'delta.deletedFileRetentionDuration': 'interval 10 days', 'delta.logRetentionDuration': 'interval 6 days' },
      { 'delta.deletedFileRetentionDuration': 'interval 60 days' }, // against the default log retention, 30 days
      { 'delta.deletedFileRetentionDuration': 'interval 45 days' },
      { 'delta.logRetentionDuration': 'interval 5 days' }, // against the default file retention, 1 week
      { 'DELTA.DELETEDFILERETENTIONDURATION': 'interval 14 days', 'delta.logRetentionDurATION': 'interval 7 days' },
    ];
    for (const props of invalid) {
      const e = await rejects(t.setProperties(props), 'INVALID_ARGUMENT');
      expect(e.message).toMatch(/delta\.logRetentionDuration.*needs to be greater than or equal to delta\.deletedFileRetentionDuration/);
    }
  });

  it('comment sets and unsets the table description', async () => {
    const t = await table();
    await t.setProperties({ comment: 'does it work?' });
    let snap = await t.snapshot();
    expect(snap.metadata.description).toBe('does it work?');
    expect('comment' in snap.properties).toBe(false);
    expect((await t.detail()).description).toBe('does it work?');
    await t.unsetProperties(['comment']);
    snap = await t.snapshot();
    expect(snap.metadata.description).toBeUndefined();
    expect((await t.detail()).description).toBeNull();
  });

  it('unsetting a key the table lacks fails unless ifExists, which then commits nothing', async () => {
    const t = await table({ key: 'value' });
    const e = await rejects(t.unsetProperties(['nope']), 'INVALID_ARGUMENT');
    expect(e.message).toMatch(/non-existent property 'nope'/);
    expect(await t.unsetProperties(['nope'], { ifExists: true })).toEqual({ version: 0 });
    expect(await t.unsetProperties(['nope', 'key'], { ifExists: true })).toEqual({ version: 1 });
    expect((await t.snapshot()).properties).toEqual({});
  });

  it('turning a feature on upgrades the protocol as Spark does', async () => {
    const t = await table();
    await t.setProperties({ 'delta.appendOnly': 'true' });
    expect((await t.snapshot()).protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    await t.setProperties({ 'delta.enableChangeDataFeed': 'true' });
    expect((await t.snapshot()).protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 4 });
    await t.setProperties({ 'delta.enableDeletionVectors': 'true' });
    expect((await t.snapshot()).protocol).toMatchObject({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'] });
  });

  it('feature names match case-insensitively, as in the property Spark recorded for kernel/type-widening', async () => {
    const t = await table();
    await t.setProperties({ 'delta.enableTypeWidening': 'true', 'delta.feature.timestampntz': 'supported' });
    const p = (await t.snapshot()).protocol;
    expect(p.readerFeatures).toEqual(['typeWidening', 'timestampNtz']);
    expect(JSON.parse(parametersOf(t.tableRoot, 1).properties!)).toEqual({ 'delta.enableTypeWidening': 'true', 'delta.feature.timestampNtz': 'supported' });
    await rejects(t.setProperties({ 'delta.feature.noSuchFeature': 'supported' }), 'INVALID_ARGUMENT');
  });

  it('the column mapping mode cannot be unset, and maxColumnId cannot be removed', async () => {
    const t = await table({ 'delta.columnMapping.mode': 'name' });
    await rejects(t.unsetProperties(['delta.columnMapping.mode']), 'UNSUPPORTED_OPERATION');
    await rejects(t.unsetProperties(['delta.columnMapping.maxColumnId']), 'INVALID_ARGUMENT');
  });
});

describe('enableColumnMapping', () => {
  it("upgrades a table with data to name mode: physical names are the current names, ids assigned, protocol (2,5)", async () => {
    const dir = join(dirs.make(), 't');
    const t = open(dir);
    const nested = struct([field('id', primitive('long')), field('s', struct([field('x', primitive('integer'))]))]);
    await t.create({ schema: nested });
    await t.write({ rows: [{ id: 1n, s: { x: 2 } }], schema: nested }, { mode: 'append' });
    expect(await t.enableColumnMapping('name')).toEqual({ version: 2 });
    const snap = await t.snapshot();
    expect(snap.protocol).toEqual({ minReaderVersion: 2, minWriterVersion: 5 });
    expect(snap.properties).toEqual({ 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '3' });
    const s = snap.schema.fields[1]!;
    expect([physicalName(snap.schema.fields[0]!, 'name'), columnId(snap.schema.fields[0]!), physicalName(s, 'name'), columnId(s)]).toEqual(['id', 1, 's', 2]);
    expect(physicalName((s.type as StructType).fields[0]!, 'name')).toBe('x');
    expect(commitInfoOf(dir, 2)).toMatchObject({ operation: 'SET TBLPROPERTIES', operationParameters: { properties: '{"delta.columnMapping.mode":"name"}' } });
    expect(await readRows(engine, dir)).toEqual([{ id: '1', s: '{x:2}' }]);
    // Already in the mode: nothing to do.
    expect(await t.enableColumnMapping('name')).toEqual({ version: 2 });
    await rejects(t.enableColumnMapping('id'), 'UNSUPPORTED_OPERATION');
  });

  it('on a partitioned table: partition values keep resolving, by the old name as physical name', async () => {
    const dir = join(dirs.make(), 't');
    const t = open(dir);
    await t.create({ schema, partitionBy: ['v2'] });
    await t.write({ rows: [{ v1: 1, v2: 'a' }, { v1: 2, v2: 'b' }], schema }, { mode: 'append' });
    await t.enableColumnMapping('name');
    await t.renameColumn('v2', 'part');
    const snap = await t.snapshot();
    expect(snap.partitionColumns).toEqual(['part']);
    expect(snap.addFiles.map((a) => Object.keys(a.partitionValues))).toEqual([['v2'], ['v2']]);
    expect(rowsOf(await snap.scan({ filter: "part = 'b'" }).toTable())).toEqual([{ v1: '2', part: '"b"' }]);
    await t.write({ rows: [{ v1: 3, part: 'c' }], schema: struct([field('v1', primitive('integer')), field('part', primitive('string'))]) }, { mode: 'append' });
    expect(await readRows(engine, dir)).toEqual([
      { v1: '1', part: '"a"' },
      { v1: '2', part: '"b"' },
      { v1: '3', part: '"c"' },
    ]);
  });

  it('adds the columnMapping feature to a table-features protocol', async () => {
    const t = await table({ 'delta.enableDeletionVectors': 'true' });
    await t.enableColumnMapping('name');
    const p = (await t.snapshot()).protocol;
    expect(p.readerFeatures).toEqual(['deletionVectors', 'columnMapping']);
    expect(p.writerFeatures).toContain('columnMapping');
  });

  it("refuses id mode on an existing table, and stale column mapping metadata", async () => {
    const t = await table();
    const e = await rejects(t.enableColumnMapping('id'), 'UNSUPPORTED_OPERATION');
    expect(e.message).toMatch(/only be chosen when a table is created/);
    await rejects(t.enableColumnMapping('other' as 'id'), 'INVALID_ARGUMENT');
    const stale = open(join(dirs.make(), 't'));
    await stale.create({ schema: struct([field('a', primitive('integer'), true, { 'delta.columnMapping.id': 5, 'delta.columnMapping.physicalName': 'zzz' })]) });
    const s = await rejects(stale.enableColumnMapping('name'), 'UNSUPPORTED_OPERATION');
    expect(s.message).toMatch(/already carries column mapping metadata/);
  });
});

describeFixtures('enableColumnMapping on a Spark-written table (golden data-reader-nested-struct)', () => {
  it('keeps every row readable, nested fields included', async () => {
    const name = 'data-reader-nested-struct';
    const dir = dirs.copy(golden(name));
    const expected = await readParquetDir(engine, goldenExpected(name));
    await open(dir).enableColumnMapping('name');
    expect(await readRows(engine, dir)).toEqual(expected);
    await open(dir).renameColumn('a.aa', 'a0');
    const rows = await readRows(engine, dir);
    expect(rows.map((r) => r.a)).toEqual(expected.map((r) => r.a!.replace('{aa:', '{a0:')));
  });
});
