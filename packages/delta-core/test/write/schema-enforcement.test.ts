import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { PHYSICAL_NAME_KEY } from '../../src/schema/column-mapping.js';
import { resolveLogPath } from '../../src/log/paths.js';
import { createTable } from '../../src/write/create-table.js';
import { writeTable } from '../../src/write/write-operation.js';
import { field, primitive, struct } from './schema-builders.js';
import { memoryEngine, readBack, rowsOf, snapshotOf, sortBy } from './write-helpers.js';

const ROOT = '/t';
const base = struct([field('id', primitive('long')), field('name', primitive('string'))]);

async function tableWithOneRow(properties: Record<string, string> = {}, schema = base) {
  const engine = memoryEngine();
  await createTable(engine, ROOT, { schema, properties });
  await writeTable(engine, ROOT, { rows: [{ id: 1n, name: 'a' }], schema }, { mode: 'append' });
  return engine;
}

async function expectUntouched(engine: ReturnType<typeof memoryEngine>, files = 1) {
  const snap = await snapshotOf(engine, ROOT);
  expect(snap.version).toBe(1);
  expect(snap.addFiles).toHaveLength(files);
}

describe('schema enforcement', () => {
  it('reports every offending column in one SCHEMA_MISMATCH and writes nothing', async () => {
    const engine = await tableWithOneRow();
    const data = struct([field('id', primitive('string')), field('name', primitive('string')), field('extra', primitive('integer'))]);
    const e = await writeTable(engine, ROOT, { rows: [{ id: 'x', name: 'b', extra: 1 }], schema: data }, { mode: 'append' }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'SCHEMA_MISMATCH')).toBe(true);
    const msg = (e as Error).message;
    expect(msg).toContain('id: has type string in the data but long in the table');
    expect(msg).toContain('extra: is in the data (integer) but not in the table');
    expect(msg).toContain('pass mergeSchema: true');
    await expectUntouched(engine);
    const files = [];
    for await (const f of engine.store.list(ROOT, { recursive: true })) if (f.path.endsWith('.parquet')) files.push(f.path);
    expect(files).toHaveLength(1); // the failed write did not even write a data file
  });

  it('fills missing nullable columns with nulls and upcasts narrower types silently', async () => {
    const engine = await tableWithOneRow();
    await writeTable(engine, ROOT, tableFromArrays({ id: Int32Array.from([2]) }), { mode: 'append' });
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id')).toEqual([
      { id: 1n, name: 'a' },
      { id: 2n, name: null },
    ]);
  });

  it('refuses a missing non-nullable column', async () => {
    const engine = await tableWithOneRow({}, struct([field('id', primitive('long'), false), field('name', primitive('string'))]));
    const e = await writeTable(engine, ROOT, { rows: [{ name: 'b' }], schema: struct([field('name', primitive('string'))]) }, { mode: 'append' }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'SCHEMA_MISMATCH')).toBe(true);
    expect((e as Error).message).toContain('id: is missing from the data and is not nullable');
    await expectUntouched(engine);
  });

  it('refuses null values in a non-nullable column, naming the column and the row count', async () => {
    const engine = await tableWithOneRow({}, struct([field('id', primitive('long'), false), field('name', primitive('string'))]));
    const rows = [{ id: 2n, name: 'b' }, { id: null, name: 'c' }, { id: null, name: 'd' }];
    const e = await writeTable(engine, ROOT, { rows, schema: base }, { mode: 'append' }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'SCHEMA_MISMATCH')).toBe(true);
    expect((e as Error).message).toContain('id: 2 rows with null');
    await expectUntouched(engine);
  });

  it('refuses a wider type, and widens it with mergeSchema when the table enables type widening', async () => {
    const engine = await tableWithOneRow({}, struct([field('id', primitive('integer')), field('name', primitive('string'))]));
    const wide = { rows: [{ id: 3_000_000_000n, name: 'w' }], schema: base };
    const e = await writeTable(engine, ROOT, wide, { mode: 'append', mergeSchema: true }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'SCHEMA_MISMATCH')).toBe(true);
    expect((e as Error).message).toContain('delta.enableTypeWidening');
    await writeTable(engine, ROOT, wide, { mode: 'append', mergeSchema: true, properties: { 'delta.enableTypeWidening': 'true' } });
    const snap = await snapshotOf(engine, ROOT);
    expect(snap.schema.fields[0]!.type).toEqual(primitive('long'));
    expect(snap.schema.fields[0]!.metadata['delta.typeChanges']).toEqual([{ toType: 'long', fromType: 'integer' }]);
    expect(snap.protocol.readerFeatures).toContain('typeWidening');
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id')).toEqual([
      { id: 1n, name: 'a' },
      { id: 3_000_000_000n, name: 'w' },
    ]);
  });

  it('mergeSchema adds top-level and nested columns', async () => {
    const withStruct = struct([field('id', primitive('long')), field('s', struct([field('x', primitive('integer'))]))]);
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: [{ id: 1n, s: { x: 1 } }], schema: withStruct });
    const wider = struct([field('id', primitive('long')), field('s', struct([field('x', primitive('integer')), field('y', primitive('string'))])), field('z', primitive('double'))]);
    await writeTable(engine, ROOT, { rows: [{ id: 2n, s: { x: 2, y: 'yy' }, z: 1.5 }], schema: wider }, { mode: 'append', mergeSchema: true });
    const snap = await snapshotOf(engine, ROOT);
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['id', 's', 'z']);
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id')).toEqual([
      { id: 1n, s: { x: 1, y: null }, z: null },
      { id: 2n, s: { x: 2, y: 'yy' }, z: 1.5 },
    ]);
  });

  it('partitioning must match unless the schema is overwritten', async () => {
    const engine = await tableWithOneRow();
    const e = await writeTable(engine, ROOT, { rows: [{ id: 2n, name: 'b' }], schema: base }, { mode: 'append', partitionBy: ['name'] }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'SCHEMA_MISMATCH')).toBe(true);
    expect((e as Error).message).toContain('overwriteSchema');
    await expectUntouched(engine);
    const other = struct([field('k', primitive('string')), field('n', primitive('integer'))]);
    await writeTable(engine, ROOT, { rows: [{ k: 'p', n: 1 }], schema: other }, { mode: 'overwrite', overwriteSchema: true, partitionBy: ['k'] });
    const snap = await snapshotOf(engine, ROOT);
    expect(snap.partitionColumns).toEqual(['k']);
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['k', 'n']);
    expect(rowsOf(await readBack(engine, ROOT))).toEqual([{ k: 'p', n: 1 }]);
  });

  it('with column mapping, new columns get new physical names used in the data files', async () => {
    const engine = await tableWithOneRow({ 'delta.columnMapping.mode': 'name' });
    await writeTable(engine, ROOT, { rows: [{ id: 2n, name: 'b', more: 'm' }], schema: struct([...base.fields, field('more', primitive('string'))]) }, { mode: 'append', mergeSchema: true });
    const snap = await snapshotOf(engine, ROOT);
    const phys = snap.schema.fields.map((f) => f.metadata[PHYSICAL_NAME_KEY] as string);
    for (const p of phys) expect(p).toMatch(/^col-/);
    const newest = snap.addFiles.find((a) => JSON.parse(a.stats!).minValues[phys[2]!] === 'm');
    expect(newest).toBeDefined();
    const fileSchema = await engine.parquet.readSchema({ path: resolveLogPath(ROOT, newest!.path) });
    expect(fileSchema.fields.map((f) => f.name)).toEqual(phys);
    expect(fileSchema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual(['1', '2', '3']);
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id')).toEqual([
      { id: 1n, name: 'a', more: null },
      { id: 2n, name: 'b', more: 'm' },
    ]);
  });
});
