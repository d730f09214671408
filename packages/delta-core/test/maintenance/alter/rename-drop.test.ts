/**
 * RENAME COLUMN and DROP COLUMNS on copies of Spark-written tables with column mapping by name and
 * by id: the expected rows Spark wrote (golden `expected/`) must read back under the new names,
 * old files included; dropped columns disappear and a column re-added under a dropped name reads
 * null in every old file; DuckDB reading the live files by physical name agrees with our reader.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine.js';
import { columnId, physicalName } from '../../../src/schema/column-mapping.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { field, primitive, struct } from '../../../src/schema/types.js';
import { duckRows, lit } from '../../parquet/duckdb-oracle.js';
import { describeFixtures, golden, goldenExpected } from '../../fixtures.js';
import { commitInfoOf, localEngine, readParquetDir, readRows, rejects, reshape, rowObjects, TempDirs } from './helpers.js';

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

/** DuckDB over the live data files of the table, selecting physical columns as logical names. */
async function duckByPhysical(dir: string, columns: Record<string, string>): Promise<Record<string, unknown>[]> {
  const snap = await open(dir).snapshot();
  const files = snap.addFiles.map((a) => lit(join(dir, decodeURIComponent(a.path))));
  const select = Object.entries(columns)
    .map(([logical, phys]) => `"${phys}" AS "${logical}"`)
    .join(', ');
  return duckRows(`SELECT ${select} FROM read_parquet([${files.join(', ')}], union_by_name = true) ORDER BY ALL`);
}

describeFixtures('RENAME / DROP COLUMN on a name-mapped Spark table (golden table-with-columnmapping-mode-name)', () => {
  const name = 'table-with-columnmapping-mode-name';

  it('renames top-level and nested columns; every old file reads under the new names', async () => {
    const dir = dirs.copy(golden(name));
    const expected = await readParquetDir(engine, goldenExpected(name));
    const before = (await open(dir).snapshot()).schema;
    expect(await open(dir).renameColumn('ByteType', 'tiny')).toEqual({ version: 1 });
    expect(await open(dir).renameColumn('nested_struct.aa', 'a0')).toEqual({ version: 2 });
    expect(await open(dir).renameColumn('array_of_structs.element.ab', 'array_of_structs.element.renamed')).toEqual({ version: 3 });

    const snap = await open(dir).snapshot();
    const f = (n: string) => snap.schema.fields.find((x) => x.name === n)!;
    // Physical names and ids stay: that is what keeps the old files readable.
    expect(physicalName(f('tiny'), 'name')).toBe(physicalName(before.fields[0]!, 'name'));
    expect(columnId(f('tiny'))).toBe(1);
    expect(snap.properties['delta.columnMapping.maxColumnId']).toBe('24');

    const actual = await readRows(engine, dir);
    const renamed = reshape(expected, { ByteType: 'tiny' }).map((r) => ({
      ...r,
      nested_struct: r.nested_struct!.replace('{aa:', '{a0:'),
      array_of_structs: r.array_of_structs!.replace(/\{ab:/g, '{renamed:'),
    }));
    expect(actual).toEqual(renamed.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));

    expect(commitInfoOf(dir, 1).operation).toBe('RENAME COLUMN');
    expect(commitInfoOf(dir, 1).operationParameters).toEqual({ oldColumnPath: 'ByteType', newColumnPath: 'tiny' });
    expect(commitInfoOf(dir, 2).operationParameters).toEqual({ oldColumnPath: 'nested_struct.aa', newColumnPath: 'nested_struct.a0' });

    // DuckDB reads the same files by physical name: the renamed column's data is what we read.
    const duck = await duckByPhysical(dir, { tiny: physicalName(f('tiny'), 'name'), ShortType: physicalName(f('ShortType'), 'name') });
    const ours = rowObjects(await snap.scan({ columns: ['tiny', 'ShortType'] }).toTable());
    expect(duck.map((r) => `${r.tiny}|${r.ShortType}`).sort()).toEqual(ours.map((r) => `${r.tiny}|${r.ShortType}`).sort());
  });

  it('drops columns; a column re-added under a dropped name reads null in the old files', async () => {
    const dir = dirs.copy(golden(name));
    const expected = await readParquetDir(engine, goldenExpected(name));
    const oldPhysical = physicalName((await open(dir).snapshot()).schema.fields.find((x) => x.name === 'StringType')!, 'name');
    expect(await open(dir).dropColumns(['StringType', 'nested_struct.ac'])).toEqual({ version: 1 });
    expect(commitInfoOf(dir, 1).operation).toBe('DROP COLUMNS');
    expect(commitInfoOf(dir, 1).operationParameters).toEqual({ columns: '["StringType","nested_struct.ac"]' });

    const afterDrop = await readRows(engine, dir);
    const withoutDropped = reshape(expected, { StringType: null }).map((r) => ({ ...r, nested_struct: r.nested_struct!.replace(/,ac:\{aca:[^}]*\}/, '') }));
    expect(afterDrop).toEqual(withoutDropped.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
    expect(afterDrop.some((r) => 'StringType' in r)).toBe(false);

    await open(dir).addColumns('StringType STRING');
    const snap = await open(dir).snapshot();
    const readded = snap.schema.fields.find((x) => x.name === 'StringType')!;
    expect(physicalName(readded, 'name')).not.toBe(oldPhysical);
    expect(columnId(readded)).toBe(25);
    expect(snap.properties['delta.columnMapping.maxColumnId']).toBe('25');
    const rows = await readRows(engine, dir);
    expect(rows.map((r) => r.StringType)).toEqual(expected.map(() => 'null'));

    // The dropped values are still in the files, under the old physical name; nobody reads them.
    const duck = await duckByPhysical(dir, { old: oldPhysical });
    expect(duck.map((r) => r.old).sort()).toEqual(expected.map((r) => JSON.parse(r.StringType!) as string).sort());
  });

  it('refuses what Spark refuses: collection parts, the only field of a struct, clashing names, moving structs', async () => {
    const dir = dirs.copy(golden(name));
    const t = open(dir);
    await rejects(t.renameColumn('map_of_prims.key', 'k'), 'UNSUPPORTED_OPERATION');
    await rejects(t.dropColumns(['array_of_prims.element']), 'UNSUPPORTED_OPERATION');
    const only = await rejects(t.dropColumns(['nested_struct.ac.aca']), 'UNSUPPORTED_OPERATION');
    expect(only.message).toMatch(/only column of nested_struct\.ac/);
    const clash = await rejects(t.renameColumn('ShortType', 'integertype'), 'INVALID_ARGUMENT');
    expect(clash.message).toMatch(/already has a column "IntegerType"/);
    await rejects(t.renameColumn('nested_struct.aa', 'other.aa'), 'INVALID_ARGUMENT');
    await rejects(t.renameColumn('nope', 'x'), 'COLUMN_NOT_FOUND');
    await rejects(t.dropColumns(['nope']), 'COLUMN_NOT_FOUND');
    expect(await t.dropColumns(['nope'], { ifExists: true })).toEqual({ version: 0 });
    expect(readdirSync(join(dir, '_delta_log')).filter((f) => f.endsWith('.json'))).toEqual(['00000000000000000000.json']);
  });
});

describeFixtures('RENAME / DROP COLUMN on an id-mapped Spark table (golden data-skipping-basic-stats-all-types-columnmapping-id)', () => {
  const name = 'data-skipping-basic-stats-all-types-columnmapping-id';

  it('rename, drop and re-add: files resolve by field id, the re-added column gets a new id and reads null', async () => {
    const dir = dirs.copy(golden(name));
    const expected = await readParquetDir(engine, goldenExpected(name));
    await open(dir).renameColumn('as_int', 'an_int');
    await open(dir).dropColumns(['as_long', 'as_string']);
    await open(dir).addColumns([{ ...field('as_long', primitive('long')), after: 'an_int' }]);
    const snap = await open(dir).snapshot();
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['an_int', 'as_long', 'as_byte', 'as_short', 'as_float', 'as_double', 'as_date', 'as_timestamp', 'as_big_decimal']);
    expect(snap.schema.fields.map((f) => columnId(f))).toEqual([1, 11, 3, 4, 5, 6, 8, 9, 10]);
    expect(await readRows(engine, dir)).toEqual(reshape(expected, { as_int: 'an_int', as_long: null, as_string: null }, ['as_long']));

    // A new file written after the changes carries the new field ids, and reads back with the old ones.
    await open(dir).write({ rows: [{ an_int: 7, as_long: 8n }], schema: struct([field('an_int', primitive('integer')), field('as_long', primitive('long'))]) }, { mode: 'append' });
    const rows = await readRows(engine, dir);
    expect(rows.map((r) => `${r.an_int}/${r.as_long}`).sort()).toEqual([...expected.map((r) => `${r.as_int}/null`), '7/8'].sort());
  });
});

describeFixtures('RENAME / DROP COLUMN on a partitioned, name-mapped Spark table with deletion vectors (golden dv-with-columnmapping)', () => {
  const name = 'dv-with-columnmapping';

  it('renaming the partition column renames it in partitionColumns; filters on the new name prune by partition', async () => {
    const dir = dirs.copy(golden(name));
    const expected = await readParquetDir(engine, goldenExpected(name));
    await open(dir).renameColumn('part', 'p');
    const snap = await open(dir).snapshot();
    expect(snap.partitionColumns).toEqual(['p']);
    expect(await readRows(engine, dir)).toEqual(reshape(expected, { part: 'p' }));
    const filtered = rowObjects(await snap.scan({ filter: 'p = 3' }).toTable());
    expect(filtered).toEqual(reshape(expected.filter((r) => r.part === '3'), { part: 'p' }));
    // Partition directories keep their physical names: no file was moved or rewritten.
    expect(snap.addFiles.every((a) => a.path.startsWith('col-60c949ca-b8bc-4330-b931-b73fb4c60037='))).toBe(true);
  });

  it('a partition column cannot be dropped; a data column can', async () => {
    const dir = dirs.copy(golden(name));
    const expected = await readParquetDir(engine, goldenExpected(name));
    const e = await rejects(open(dir).dropColumns(['PART']), 'UNSUPPORTED_OPERATION');
    expect(e.message).toMatch(/partition column/);
    await open(dir).dropColumns(['col2']);
    expect(await readRows(engine, dir)).toEqual(reshape(expected, { col2: null }));
  });
});

describeFixtures('RENAME / DROP COLUMN need column mapping (golden data-reader-primitives)', () => {
  it('refuses without column mapping, pointing at enableColumnMapping; works after enabling it', async () => {
    const dir = dirs.copy(golden('data-reader-primitives'));
    const expected = await readParquetDir(engine, goldenExpected('data-reader-primitives'));
    const e1 = await rejects(open(dir).renameColumn('as_int', 'x'), 'UNSUPPORTED_OPERATION');
    expect(e1.message).toMatch(/enableColumnMapping\('name'\)/);
    await rejects(open(dir).dropColumns(['as_int']), 'UNSUPPORTED_OPERATION');

    await open(dir).enableColumnMapping('name');
    await open(dir).renameColumn('as_int', 'x');
    await open(dir).dropColumns(['as_long']);
    expect(await readRows(engine, dir)).toEqual(reshape(expected, { as_int: 'x', as_long: null }));
    // Existing files were written under the logical names, which became the physical names.
    const duck = await duckByPhysical(dir, { x: 'as_int' });
    expect(duck.map((r) => (r.x === null ? 'null' : String(r.x))).sort()).toEqual(expected.map((r) => r.as_int!).sort());
  });
});

describeFixtures('RENAME / DROP COLUMN refused while rules depend on the column', () => {
  it('CHECK constraints and generated columns block renaming and dropping what they read', async () => {
    const dir = join(dirs.make(), 't');
    const t = open(dir);
    await t.create({
      schema: struct([
        field('a', primitive('integer')),
        field('s', struct([field('x', primitive('integer')), field('y', primitive('integer'))])),
        field('g', primitive('integer'), true, { 'delta.generationExpression': 'a * 2' }),
      ]),
      properties: { 'delta.columnMapping.mode': 'name', 'delta.constraints.sx': 's.x > 0' },
    });
    const e = await rejects(t.renameColumn('a', 'b'), 'UNSUPPORTED_OPERATION');
    expect(e.message).toMatch(/generated column g \(a \* 2\)/);
    await rejects(t.dropColumns(['a']), 'UNSUPPORTED_OPERATION');
    const c = await rejects(t.dropColumns(['s']), 'UNSUPPORTED_OPERATION');
    expect(c.message).toMatch(/constraint sx \(s\.x > 0\)/);
    await rejects(t.renameColumn('s.x', 'z'), 'UNSUPPORTED_OPERATION');
    // Fields no rule reads are free: a sibling of the constrained field, and the generated column itself.
    await t.renameColumn('s.y', 'w');
    await t.dropColumns(['g']);
    const snap = await t.snapshot();
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['a', 's']);
    await t.dropConstraint('sx');
    await t.dropColumns(['s.x']);
    expect(JSON.stringify((await t.snapshot()).schema.fields[1]!.type)).toMatch(/"name":"w"/);
  });

  it('a column invariant (legacy delta.invariants) blocks renaming the column it reads', async () => {
    const dir = join(dirs.make(), 't');
    const t = open(dir);
    const invariant = { 'delta.invariants': JSON.stringify({ expression: { expression: 'v < 3' } }) };
    await t.create({ schema: struct([field('k', primitive('string')), field('v', primitive('integer'), true, invariant)]), properties: { 'delta.columnMapping.mode': 'name' } });
    const e = await rejects(t.renameColumn('v', 'w'), 'UNSUPPORTED_OPERATION');
    expect(e.message).toMatch(/invariant of column v \(v < 3\)/);
    await t.renameColumn('k', 'key');
    await t.dropColumns(['v']); // the invariant goes with its column
    expect((await t.snapshot()).schema.fields.map((f) => f.name)).toEqual(['key']);
  });

  it('clustering columns cannot be dropped; renaming one keeps the clustering (the domain names it physically)', async () => {
    const dir = join(dirs.make(), 't');
    const t = open(dir);
    await t.create({ schema: struct([field('a', primitive('integer')), field('b', primitive('string'))]), properties: { 'delta.columnMapping.mode': 'name' } });
    const snap = await t.snapshot();
    const pa = physicalName(snap.schema.fields[0]!, 'name');
    writeFileSync(
      join(dir, '_delta_log', '00000000000000000001.json'),
      [
        { commitInfo: { timestamp: Date.now(), operation: 'CLUSTER BY', operationParameters: {} } },
        { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['columnMapping'], writerFeatures: ['columnMapping', 'domainMetadata', 'clustering'] } },
        { domainMetadata: { domain: 'delta.clustering', configuration: JSON.stringify({ clusteringColumns: [[pa]] }), removed: false } },
      ]
        .map((a) => JSON.stringify(a))
        .join('\n') + '\n',
    );
    const e = await rejects(open(dir).dropColumns(['a']), 'UNSUPPORTED_OPERATION');
    expect(e.message).toMatch(/clustered by a/);
    await open(dir).renameColumn('a', 'renamed');
    expect((await open(dir).detail()).clusteringColumns).toEqual(['renamed']);
  });
});

describeFixtures('RENAME / DROP COLUMN keep delta.dataSkippingStatsColumns in step', () => {
  it('renames and removes the columns listed there', async () => {
    const dir = join(dirs.make(), 't');
    const t = open(dir);
    await t.create({
      schema: struct([field('a', primitive('integer')), field('s', struct([field('x', primitive('integer')), field('y', primitive('integer'))])), field('c', primitive('string'))]),
      properties: { 'delta.columnMapping.mode': 'name', 'delta.dataSkippingStatsColumns': 'a,s.x,c' },
    });
    await t.renameColumn('s', 'r s');
    expect((await t.snapshot()).properties['delta.dataSkippingStatsColumns']).toBe('a,`r s`.x,c');
    await t.dropColumns(['c']);
    expect((await t.snapshot()).properties['delta.dataSkippingStatsColumns']).toBe('a,`r s`.x');
  });
});
