/**
 * ADD COLUMNS with the cases of Delta Spark's `DeltaAlterTableTests` (positions, positions after
 * a column added in the same list, nested structs, structs inside arrays and maps, special names,
 * case-insensitive positions, refusals), on our own tables and on a copy of a Spark-written
 * column-mapped table (new ids and physical names; old files read null for the new columns).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine.js';
import { parseDdlColumnSpecs } from '../../../src/schema/ddl.js';
import { columnId, physicalName } from '../../../src/schema/column-mapping.js';
import { field, primitive, struct, type DataType, type StructType } from '../../../src/schema/types.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { duckRows, lit } from '../../parquet/duckdb-oracle.js';
import { describeFixtures, golden, goldenExpected } from '../../fixtures.js';
import { commitInfoOf, parametersOf, localEngine, readParquetDir, readRows, rejects, TempDirs } from './helpers.js';

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
const names = (s: StructType) => s.fields.map((f) => f.name);
const array = (elementType: DataType): DataType => ({ kind: 'array', elementType, containsNull: true });
const v1v2 = struct([field('v1', primitive('integer')), field('v2', primitive('string'))]);

/** A table with rows (1, 'a'), (2, 'b'), and optionally a struct column `struct` copying them. */
async function table(options: { nested?: boolean; properties?: Record<string, string>; partitionBy?: string[] } = {}): Promise<string> {
  const dir = join(dirs.make(), 't');
  const schema = options.nested ? struct([...v1v2.fields, field('struct', v1v2)]) : v1v2;
  const t = open(dir);
  await t.create({ schema, ...(options.properties ? { properties: options.properties } : {}), ...(options.partitionBy ? { partitionBy: options.partitionBy } : {}) });
  const rows = [
    { v1: 1, v2: 'a', ...(options.nested ? { struct: { v1: 1, v2: 'a' } } : {}) },
    { v1: 2, v2: 'b', ...(options.nested ? { struct: { v1: 2, v2: 'b' } } : {}) },
  ];
  await t.write({ rows, schema }, { mode: 'append' });
  return dir;
}

describe('the ADD COLUMNS column list (DDL)', () => {
  it('parses dotted paths, back-quoted parts, positions, comments and NOT NULL in any order', () => {
    const specs = parseDdlColumnSpecs("v3 long FIRST, v4 BIGINT COMMENT 'c' AFTER v1, `z.z`.`y.y` double, s.d STRING NOT NULL AFTER `a b`");
    expect(specs.map((s) => [s.path, s.field.type, s.position ?? null, s.field.nullable, s.field.metadata])).toEqual([
      [['v3'], primitive('long'), { first: true }, true, {}],
      [['v4'], primitive('long'), { after: 'v1' }, true, { comment: 'c' }],
      [['z.z', 'y.y'], primitive('double'), null, true, {}],
      [['s', 'd'], primitive('string'), { after: 'a b' }, false, {}],
    ]);
  });

  it('names the position of a syntax error', () => {
    expect(() => parseDdlColumnSpecs('a INT AFTER')).toThrow(/character 12: expected a column name/);
    expect(() => parseDdlColumnSpecs('a. INT')).toThrow(/character 7: expected a data type/);
  });
});

describe('ADD COLUMNS on a table without column mapping (DeltaAlterTableTests cases)', () => {
  it('with positions', async () => {
    const dir = await table();
    expect(await open(dir).addColumns('v3 long FIRST, v4 long AFTER v1, v5 long')).toEqual({ version: 2 });
    expect(names((await open(dir).snapshot()).schema)).toEqual(['v3', 'v1', 'v4', 'v2', 'v5']);
    expect(await readRows(engine, dir)).toEqual([
      { v3: 'null', v1: '1', v4: 'null', v2: '"a"', v5: 'null' },
      { v3: 'null', v1: '2', v4: 'null', v2: '"b"', v5: 'null' },
    ]);
    expect(commitInfoOf(dir, 2).operation).toBe('ADD COLUMNS');
    expect(JSON.parse(parametersOf(dir, 2).columns!)).toEqual([
      { column: { name: 'v3', type: 'long', nullable: true, metadata: {} }, position: 'FIRST' },
      { column: { name: 'v4', type: 'long', nullable: true, metadata: {} }, position: 'AFTER v1' },
      { column: { name: 'v5', type: 'long', nullable: true, metadata: {} } },
    ]);
  });

  it('with positions using an added column', async () => {
    const dir = await table();
    await open(dir).addColumns('v3 long FIRST, v4 long AFTER v3, v5 long AFTER v4');
    expect(names((await open(dir).snapshot()).schema)).toEqual(['v3', 'v4', 'v5', 'v1', 'v2']);
  });

  it('nested columns, as fields or DDL', async () => {
    const dir = await table({ nested: true });
    await open(dir).addColumns([
      { ...field('v3', primitive('long')), parent: 'struct', first: true },
      { ...field('v4', primitive('long')), parent: 'struct', after: 'v1' },
    ]);
    await open(dir).addColumns('struct.v5 long');
    const s = (await open(dir).snapshot()).schema;
    expect(names(s.fields[2]!.type as StructType)).toEqual(['v3', 'v1', 'v4', 'v2', 'v5']);
    const rows = await readRows(engine, dir);
    expect(rows.map((r) => r.struct)).toEqual(['{v1:1,v2:"a",v3:null,v4:null,v5:null}', '{v1:2,v2:"b",v3:null,v4:null,v5:null}']);
  });

  it('special column names with positions', async () => {
    const dir = join(dirs.make(), 't');
    await open(dir).create({ schema: struct([...v1v2.fields, field('z.z', v1v2)]) });
    await open(dir).addColumns('`x.x` long after v1, `z.z`.`y.y` double');
    const s = (await open(dir).snapshot()).schema;
    expect(names(s)).toEqual(['v1', 'x.x', 'v2', 'z.z']);
    expect(names(s.fields[3]!.type as StructType)).toEqual(['v1', 'v2', 'y.y']);
  });

  it('positions are case-insensitive; an unknown position column is COLUMN_NOT_FOUND', async () => {
    const dir = await table();
    await open(dir).addColumns('v3 long AFTER V1');
    expect(names((await open(dir).snapshot()).schema)).toEqual(['v1', 'v3', 'v2']);
    const e = await rejects(open(dir).addColumns('v4 long AFTER unknown'), 'COLUMN_NOT_FOUND');
    expect(e.message).toMatch(/after "unknown"/);
  });

  it('into structs inside arrays and maps', async () => {
    const dir = join(dirs.make(), 't');
    const schema = struct([
      field('a', array(struct([field('x', primitive('integer'))]))),
      field('m', { kind: 'map', keyType: struct([field('k', primitive('integer'))]), valueType: struct([field('v', primitive('integer'))]), valueContainsNull: true }),
    ]);
    await open(dir).create({ schema });
    await open(dir).write({ rows: [{ a: [{ x: 1 }], m: [[{ k: 1 }, { v: 2 }]] }], schema }, { mode: 'append' });
    await open(dir).addColumns('a.element.y STRING, m.key.k2 INT, m.value.v2 INT FIRST');
    const rows = await readRows(engine, dir);
    expect(rows).toEqual([{ a: '[{x:1,y:null}]', m: '{{k2:null,k:1}->{v2:null,v:2}}' }]);
    const e = await rejects(open(dir).addColumns('m.z INT'), 'INVALID_ARGUMENT');
    expect(e.message).toMatch(/step in with "key" or "value"/);
    await rejects(open(dir).addColumns('a.z.y INT'), 'COLUMN_NOT_FOUND');
  });

  it('refuses NOT NULL (at any level), duplicates (case-insensitive), non-struct parents and parquet-invalid names', async () => {
    const dir = await table({ nested: true });
    const t = open(dir);
    const nn = await rejects(t.addColumns('v3 INT NOT NULL'), 'UNSUPPORTED_OPERATION');
    expect(nn.message).toMatch(/NOT NULL/);
    await rejects(t.addColumns([field('s2', struct([field('x', primitive('integer'), false)]))]), 'UNSUPPORTED_OPERATION');
    const dup = await rejects(t.addColumns('V1 INT'), 'INVALID_ARGUMENT');
    expect(dup.message).toMatch(/already has a column "v1"/);
    await rejects(t.addColumns('struct.V2 INT'), 'INVALID_ARGUMENT');
    await rejects(t.addColumns('s3 STRUCT<a: INT, A: INT>'), 'PARSE_ERROR');
    await rejects(t.addColumns('v1.x INT'), 'INVALID_ARGUMENT');
    const bad = await rejects(t.addColumns('`a b` INT'), 'INVALID_ARGUMENT');
    expect(bad.message).toMatch(/enableColumnMapping/);
    await rejects(t.addColumns([field('g', primitive('integer'), true, { 'delta.generationExpression': 'v1 + 1' })]), 'UNSUPPORTED_OPERATION');
    await rejects(t.addColumns(''), 'PARSE_ERROR');
    expect((await t.snapshot()).version).toBe(1);
  });

  it('keeps the comment and adds to a partitioned table', async () => {
    const dir = await table({ partitionBy: ['v2'] });
    await open(dir).addColumns('c INT COMMENT "a comment"');
    const snap = await open(dir).snapshot();
    expect(snap.schema.fields[2]).toEqual(field('c', primitive('integer'), true, { comment: 'a comment' }));
    expect(snap.partitionColumns).toEqual(['v2']);
    expect((await readRows(engine, dir)).map((r) => r.c)).toEqual(['null', 'null']);
  });

  it('a timestamp_ntz column needs the feature enabled first, as in Spark', async () => {
    const dir = await table();
    const e = await rejects(open(dir).addColumns('t TIMESTAMP_NTZ'), 'UNSUPPORTED_OPERATION');
    expect(e.message).toMatch(/delta\.feature\.timestampNtz/);
    await open(dir).setProperties({ 'delta.feature.timestampNtz': 'supported' });
    await open(dir).addColumns('t TIMESTAMP_NTZ');
    expect((await open(dir).snapshot()).protocol.readerFeatures).toContain('timestampNtz');
  });
});

describeFixtures('ADD COLUMNS on a copy of a Spark name-mapped table (golden table-with-columnmapping-mode-name)', () => {
  it('assigns new ids and physical names, raises maxColumnId; old files read null, new files carry the physical names', async () => {
    const name = 'table-with-columnmapping-mode-name';
    const dir = dirs.copy(golden(name));
    const expected = await readParquetDir(engine, goldenExpected(name));
    await open(dir).addColumns("nested_struct.zz INT FIRST, c STRING COMMENT 'new' AFTER LongType");
    const snap = await open(dir).snapshot();
    const c = snap.schema.fields.find((f) => f.name === 'c')!;
    const zz = (snap.schema.fields.find((f) => f.name === 'nested_struct')!.type as StructType).fields[0]!;
    expect(snap.schema.fields.map((f) => f.name).indexOf('c')).toBe(4);
    // Ids go to new fields in schema order, as Spark's assignment walks the schema.
    expect([columnId(c), columnId(zz)]).toEqual([25, 26]);
    expect(physicalName(c, 'name')).toMatch(/^col-[0-9a-f-]{36}$/);
    expect(c.metadata.comment).toBe('new');
    expect(snap.properties['delta.columnMapping.maxColumnId']).toBe('26');
    const rows = await readRows(engine, dir);
    expect(rows.map((r) => r.c)).toEqual(expected.map(() => 'null'));
    expect(rows.every((r) => r.nested_struct === 'null' || r.nested_struct!.endsWith(',zz:null}'))).toBe(true);

    await open(dir).write({ rows: [{ c: 'written', LongType: 42n }], schema: struct([field('c', primitive('string')), field('LongType', primitive('long'))]) }, { mode: 'append' });
    const added = (await open(dir).snapshot()).addFiles.find((a) => !snap.addFiles.some((o) => o.path === a.path))!;
    const duck = await duckRows(`SELECT "${physicalName(c, 'name')}" AS c FROM read_parquet(${lit(join(dir, added.path))})`);
    expect(duck).toEqual([{ c: 'written' }]);
  });
});
