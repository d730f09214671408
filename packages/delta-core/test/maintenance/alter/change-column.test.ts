/**
 * ALTER COLUMN: comments, DROP NOT NULL, and type widening — replayed on a copy of the Spark
 * table `kernel/type-widening` cut back to before Spark widened it (its recorded changes must come
 * out the same, old files read widened, DuckDB casting the raw file agrees), on our own tables
 * with the stable feature (nested fields, array elements, map keys and values as in
 * `TypeWideningAlterTableNestedSuite`, partition columns), and the refusals Spark makes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine.js';
import { parseSchemaString } from '../../../src/schema/json.js';
import { TYPE_CHANGES_KEY } from '../../../src/schema/type-widening.js';
import { decimal, field, primitive, struct, type DataType, type StructField, type StructType } from '../../../src/schema/types.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { duckRows, lit } from '../../parquet/duckdb-oracle.js';
import { describeFixtures, kernel } from '../../fixtures.js';
import { commitInfoOf, parametersOf, localEngine, readRows, rejects, TempDirs } from './helpers.js';

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
const fieldOf = (s: StructType, name: string): StructField => s.fields.find((f) => f.name === name)!;

/** DuckDB's decimal text (`67.89000`) in the normalized form of `canonical.ts` (`6789e-2`). */
function decimalText(text: string): string {
  const [whole, frac = ''] = text.split('.');
  let v = BigInt(whole! + frac);
  let scale = frac.length;
  while (scale > 0 && v !== 0n && v % 10n === 0n) {
    v /= 10n;
    scale--;
  }
  return `${v}e-${v === 0n ? 0 : scale}`;
}

/** Spark's schema after its widening commit (version 2 of the fixture). */
function sparkWidenedSchema(): StructType {
  const line = readFileSync(join(kernel('type-widening'), '_delta_log', '00000000000000000002.json'), 'utf8')
    .split('\n')
    .find((l) => l.includes('"metaData"'))!;
  return parseSchemaString((JSON.parse(line) as { metaData: { schemaString: string } }).metaData.schemaString);
}

describeFixtures('type widening on a copy of the Spark table kernel/type-widening (typeWidening-preview)', () => {
  /** The fixture as it was before Spark's widening commit: versions 0 and 1 (type widening enabled). */
  function beforeWidening(): string {
    const dir = dirs.copy(kernel('type-widening'));
    rmSync(join(dir, '_delta_log', '00000000000000000002.json'));
    rmSync(join(dir, 'part-00000-61accb66-b740-416b-9f5b-f0fccaceb415-c000.snappy.parquet'));
    return dir;
  }
  const OLD_FILE = 'part-00000-f6dbc649-d5bc-42b1-984c-4376799a50d9-c000.snappy.parquet';

  it('records the same type changes Spark recorded; the old file reads widened, as DuckDB casts it', async () => {
    const dir = beforeWidening();
    const spark = sparkWidenedSchema();
    // Spark's widenings of byte and short into decimal(4,1) / decimal(6,1) predate the protocol's
    // rule (at least 10 integer digits); writers may no longer make them (tested below).
    const replayed = spark.fields.filter((f) => !['byte_decimal', 'short_decimal'].includes(f.name));
    let version = 1;
    for (const f of replayed) {
      expect(await open(dir).changeColumnType(f.name, f.type)).toEqual({ version: ++version });
    }
    const snap = await open(dir).snapshot();
    // The table keeps the preview feature (no stable feature added), as Spark does.
    expect(snap.protocol.readerFeatures).toEqual(['timestampNtz', 'typeWidening-preview']);
    expect(snap.protocol.writerFeatures).toEqual(['timestampNtz', 'typeWidening-preview', 'appendOnly', 'invariants']);
    replayed.forEach((f, i) => {
      const ours = fieldOf(snap.schema, f.name);
      expect(ours.type).toEqual(f.type);
      // Same change; preview tables also record the version of the commit that made it.
      const sparkChanges = (f.metadata[TYPE_CHANGES_KEY] as Record<string, unknown>[]).map((c) => ({ ...c, tableVersion: i + 2 }));
      expect(ours.metadata[TYPE_CHANGES_KEY]).toEqual(sparkChanges);
    });
    expect(commitInfoOf(dir, 2).operation).toBe('CHANGE COLUMN');
    expect(JSON.parse(parametersOf(dir, 2).column!)).toEqual({ name: 'byte_long', type: 'long', nullable: true, metadata: {} });

    const ours = (await readRows(engine, dir))[0]!;
    const [duck] = await duckRows(`SELECT
        CAST(byte_long AS BIGINT)::VARCHAR AS byte_long, CAST(int_long AS BIGINT)::VARCHAR AS int_long,
        CAST(float_double AS DOUBLE) AS float_double, CAST(int_double AS DOUBLE) AS int_double,
        CAST(decimal_decimal_greater_scale AS DECIMAL(20,5))::VARCHAR AS dec,
        CAST(long_decimal AS DECIMAL(21,1))::VARCHAR AS long_decimal,
        epoch_us(CAST(date_timestamp_ntz AS TIMESTAMP))::VARCHAR AS ntz
      FROM read_parquet(${lit(join(dir, OLD_FILE))})`);
    expect(ours.byte_long).toBe(duck!.byte_long);
    expect(ours.int_long).toBe(duck!.int_long);
    expect(Number(ours.float_double)).toBe(duck!.float_double);
    expect(Number(ours.int_double)).toBe(duck!.int_double);
    expect(ours.decimal_decimal_greater_scale).toBe(decimalText(duck!.dec as string));
    expect(ours.long_decimal).toBe(decimalText(duck!.long_decimal as string));
    expect(ours.date_timestamp_ntz).toBe(`t${duck!.ntz as string}`);
  });

  it('refuses integer → decimal widenings with fewer than 10 integer digits, naming the allowed changes', async () => {
    const dir = beforeWidening();
    const e = await rejects(open(dir).changeColumnType('byte_decimal', decimal(4, 1)), 'UNSUPPORTED_OPERATION');
    expect(e.message).toMatch(/The allowed changes are: byte → short → integer → long; .*p-s ≥ 10/);
    expect(e.details.allowedChanges).toHaveLength(6);
    await open(dir).changeColumnType('byte_decimal', 'DECIMAL(11,1)');
    expect(fieldOf((await open(dir).snapshot()).schema, 'byte_decimal').type).toEqual(decimal(11, 1));
  });
});

describe('type widening on a table with the stable feature', () => {
  async function widenable(extra: StructField[] = [], options: { partitionBy?: string[] } = {}): Promise<string> {
    const dir = join(dirs.make(), 't');
    const schema = struct([field('i', primitive('integer')), field('b', primitive('byte')), field('d', primitive('date')), ...extra]);
    await open(dir).create({ schema, properties: { 'delta.enableTypeWidening': 'true', 'delta.feature.timestampNtz': 'supported' }, ...options });
    return dir;
  }

  it('widens, old files read widened, and later writes use the new type', async () => {
    const dir = await widenable([field('s', primitive('short'))], { partitionBy: ['s'] });
    const t = open(dir);
    const schema = (await t.snapshot()).schema;
    await t.write({ rows: [{ i: 2147483647, b: -128, d: '2024-02-29', s: 7 }], schema }, { mode: 'append' });
    await t.changeColumnType('i', primitive('long'));
    await t.changeColumnType('b', 'DECIMAL(10,0)');
    await t.changeColumnType('d', 'TIMESTAMP_NTZ');
    await t.changeColumnType('s', 'INT'); // a partition column
    const snap = await t.snapshot();
    expect(snap.protocol).toMatchObject({ minReaderVersion: 3, minWriterVersion: 7 });
    expect(snap.protocol.readerFeatures).toContain('typeWidening');
    expect(fieldOf(snap.schema, 'i').metadata[TYPE_CHANGES_KEY]).toEqual([{ fromType: 'integer', toType: 'long' }]);
    await t.write({ rows: [{ i: 9007199254740993n, b: '1234567890', d: '2024-03-01T10:00:00', s: 70000 }], schema: snap.schema }, { mode: 'append' });
    expect(await readRows(engine, dir)).toEqual([
      { i: '2147483647', b: '-128e-0', d: `t${Date.UTC(2024, 1, 29) * 1000}`, s: '7' },
      { i: '9007199254740993', b: '1234567890e-0', d: `t${Date.UTC(2024, 2, 1, 10) * 1000}`, s: '70000' },
    ]);
    // Filters over widened columns still prune and select correctly across old and new files.
    const sel = await (await t.snapshot()).scan({ filter: "d < TIMESTAMP_NTZ '2024-03-01 00:00:00' AND s = 7" }).toTable();
    expect(sel.numRows).toBe(1);
  });

  it('nested fields, array elements, map keys and values (TypeWideningAlterTableNestedSuite)', async () => {
    const dir = join(dirs.make(), 't');
    const mapType: DataType = { kind: 'map', keyType: primitive('byte'), valueType: primitive('short'), valueContainsNull: true };
    const schema = struct([field('s', struct([field('a', primitive('byte'))])), field('m', mapType), field('a', { kind: 'array', elementType: primitive('short'), containsNull: true })]);
    const t = open(dir);
    await t.create({ schema, properties: { 'delta.enableTypeWidening': 'true' } });
    await t.write({ rows: [{ s: { a: 1 }, m: [[2, 3]], a: [4] }], schema }, { mode: 'append' });
    await rejects(t.changeColumnType('s', 'STRUCT<a: SHORT>'), 'UNSUPPORTED_OPERATION');
    await rejects(t.changeColumnType('m', 'MAP<INT, INT>'), 'UNSUPPORTED_OPERATION');
    await rejects(t.changeColumnType('a', 'ARRAY<INT>'), 'UNSUPPORTED_OPERATION');
    await t.changeColumnType('s.a', 'SHORT');
    await t.changeColumnType('m.key', 'INT');
    await t.changeColumnType('m.value', 'INT');
    await t.changeColumnType('a.element', 'INT');
    const snap = await t.snapshot();
    expect(snap.schema.fields.map((f) => [f.name, f.metadata[TYPE_CHANGES_KEY] ?? null])).toEqual([
      ['s', null],
      ['m', [{ fromType: 'byte', toType: 'integer', fieldPath: 'key' }, { fromType: 'short', toType: 'integer', fieldPath: 'value' }]],
      ['a', [{ fromType: 'short', toType: 'integer', fieldPath: 'element' }]],
    ]);
    expect(fieldOf(snap.schema.fields[0]!.type as StructType, 'a').metadata[TYPE_CHANGES_KEY]).toEqual([{ fromType: 'byte', toType: 'short' }]);
    await t.write({ rows: [{ s: { a: 5 }, m: [[6, 7]], a: [8] }], schema: snap.schema }, { mode: 'append' });
    expect(await readRows(engine, dir)).toEqual([
      { s: '{a:1}', m: '{2->3}', a: '[4]' },
      { s: '{a:5}', m: '{6->7}', a: '[8]' },
    ]);
  });

  it('refuses narrowing and other changes, a table without type widening, rule-dependent columns, and timestamp_ntz without its feature', async () => {
    const dir = await widenable();
    const t = open(dir);
    for (const [col, type] of [['i', 'SHORT'], ['i', 'STRING'], ['i', 'FLOAT'], ['d', 'TIMESTAMP'], ['b', 'DECIMAL(9,0)']] as const) {
      const e = await rejects(t.changeColumnType(col, type), 'UNSUPPORTED_OPERATION');
      expect(e.message).toMatch(/only widening type changes are allowed/);
    }
    await t.addConstraint('positive', 'i > 0');
    const dep = await rejects(t.changeColumnType('i', 'BIGINT'), 'UNSUPPORTED_OPERATION');
    expect(dep.message).toMatch(/constraint positive/);

    const plain = join(dirs.make(), 't');
    await open(plain).create({ schema: struct([field('i', primitive('integer')), field('d', primitive('date'))]) });
    const off = await rejects(open(plain).changeColumnType('i', 'BIGINT'), 'UNSUPPORTED_OPERATION');
    expect(off.message).toMatch(/delta\.enableTypeWidening': 'true'/);
    await open(plain).setProperties({ 'delta.enableTypeWidening': 'true' });
    const ntz = await rejects(open(plain).changeColumnType('d', 'TIMESTAMP_NTZ'), 'UNSUPPORTED_OPERATION');
    expect(ntz.message).toMatch(/delta\.feature\.timestampNtz/);
    await open(plain).changeColumnType('i', 'BIGINT');
    expect((await open(plain).snapshot()).version).toBe(2);
  });
});

describe('column comments and DROP NOT NULL', () => {
  it('sets comments on top-level and nested fields, recorded as CHANGE COLUMN; refuses map keys and array elements', async () => {
    const dir = join(dirs.make(), 't');
    const schema = struct([field('a', primitive('integer')), field('s', struct([field('x', primitive('string'))])), field('arr', { kind: 'array', elementType: primitive('integer'), containsNull: true })]);
    const t = open(dir);
    await t.create({ schema, properties: { 'delta.columnMapping.mode': 'name' } });
    await t.setColumnComment('a', 'the a');
    await t.setColumnComment('S.X', 'nested');
    const snap = await t.snapshot();
    expect(snap.schema.fields[0]!.metadata.comment).toBe('the a');
    expect((snap.schema.fields[1]!.type as StructType).fields[0]!.metadata.comment).toBe('nested');
    const logged = JSON.parse(parametersOf(dir, 2).column!) as Record<string, unknown>;
    expect(logged).toMatchObject({ name: 's.x', type: 'string', nullable: true, metadata: { comment: 'nested' } });
    expect(commitInfoOf(dir, 2).operation).toBe('CHANGE COLUMN');
    await rejects(t.setColumnComment('arr.element', 'x'), 'UNSUPPORTED_OPERATION');
    await rejects(t.setColumnComment('nope', 'x'), 'COLUMN_NOT_FOUND');
  });

  it('DROP NOT NULL lets nulls in afterwards', async () => {
    const dir = join(dirs.make(), 't');
    const schema = struct([field('id', primitive('long'), false), field('v', primitive('string'))]);
    const t = open(dir);
    await t.create({ schema });
    const nullRow = { rows: [{ id: null, v: 'x' }], schema: struct([field('id', primitive('long')), field('v', primitive('string'))]) };
    await rejects(t.write(nullRow, { mode: 'append' }), 'SCHEMA_MISMATCH');
    await t.dropNotNull('id');
    expect((await t.snapshot()).schema.fields[0]!.nullable).toBe(true);
    const nullable = struct([field('id', primitive('long')), field('v', primitive('string'))]);
    await t.write({ rows: [{ id: null, v: 'x' }], schema: nullable }, { mode: 'append' });
    expect(await readRows(engine, dir)).toEqual([{ id: 'null', v: '"x"' }]);
  });
});

describe('commit parameters are what Spark records', () => {
  it('the CHANGE COLUMN column carries the full field', async () => {
    const dir = join(dirs.make(), 't');
    await open(dir).create({ schema: struct([field('a', primitive('integer'), true, { comment: 'old' })]), properties: { 'delta.enableTypeWidening': 'true' } });
    await open(dir).changeColumnType('a', 'BIGINT');
    expect(JSON.parse(parametersOf(dir, 1).column!)).toEqual({ name: 'a', type: 'long', nullable: true, metadata: { comment: 'old' } });
  });
});

describe('ALTER COLUMN with positions and several changes in one commit (DeltaAlterTableTests CHANGE COLUMN cases)', () => {
  const names = (s: StructType) => s.fields.map((f) => f.name);
  async function v1v2v3(): Promise<DeltaTable> {
    const dir = join(dirs.make(), 't');
    const schema = struct([field('v1', primitive('integer')), field('v2', primitive('string')), field('s', struct([field('a', primitive('integer')), field('b', primitive('integer'))]))]);
    const t = open(dir);
    await t.create({ schema, partitionBy: ['v2'] });
    await t.write({ rows: [{ v1: 1, v2: 'x', s: { a: 2, b: 3 } }], schema }, { mode: 'append' });
    return t;
  }

  it('moves columns first, after another, after itself, after the last; nested too; a partition column too', async () => {
    const t = await v1v2v3();
    await t.alterColumns([{ column: 'v2', position: { first: true } }]);
    expect(names((await t.snapshot()).schema)).toEqual(['v2', 'v1', 's']);
    await t.alterColumns([{ column: 'v2', position: { after: 'S' } }]);
    expect(names((await t.snapshot()).schema)).toEqual(['v1', 's', 'v2']);
    await t.alterColumns([{ column: 'v1', position: { after: 'v1' } }]);
    expect(names((await t.snapshot()).schema)).toEqual(['v1', 's', 'v2']);
    await t.alterColumns([{ column: ['s', 'b'], position: { first: true } }]);
    const snap = await t.snapshot();
    expect(names(snap.schema.fields[1]!.type as StructType)).toEqual(['b', 'a']);
    expect(snap.partitionColumns).toEqual(['v2']);
    expect(JSON.parse(parametersOf(t.tableRoot, 5).column!)).toMatchObject({ name: 's.b' });
    expect(parametersOf(t.tableRoot, 5).position).toBe('FIRST');
    expect(await readRows(engine, t.tableRoot)).toEqual([{ v1: '1', s: '{a:2,b:3}', v2: '"x"' }]);
    const e = await rejects(t.alterColumns([{ column: 'v1', position: { after: 'unknown' } }]), 'COLUMN_NOT_FOUND');
    expect(e.message).toMatch(/after "unknown"/);
  });

  it('several columns in one CHANGE COLUMNS commit; SET NOT NULL and repeated columns are refused', async () => {
    const t = await v1v2v3();
    await t.alterColumns([
      { column: 'v1', comment: 'first', position: { after: 's' } },
      { column: 's.a', comment: 'nested' },
    ]);
    const snap = await t.snapshot();
    expect(names(snap.schema)).toEqual(['v2', 's', 'v1']);
    expect(commitInfoOf(t.tableRoot, 2).operation).toBe('CHANGE COLUMNS');
    expect(JSON.parse(parametersOf(t.tableRoot, 2).columns!)).toEqual([
      { name: 'v1', type: 'integer', nullable: true, metadata: { comment: 'first' }, position: 'AFTER s' },
      { name: 's.a', type: 'integer', nullable: true, metadata: { comment: 'nested' } },
    ]);
    const nn = await rejects(t.alterColumns([{ column: 'v1', nullable: false }]), 'UNSUPPORTED_OPERATION');
    expect(nn.message).toMatch(/NOT NULL.*addConstraint/);
    await rejects(t.alterColumns([{ column: 's', comment: 'x' }, { column: 's.a', comment: 'y' }]), 'INVALID_ARGUMENT');
    await rejects(t.alterColumns([{ column: 'v1' }]), 'INVALID_ARGUMENT');
    expect((await t.snapshot()).version).toBe(2);
  });
});
