/**
 * Constraints and generated columns on tables written by Spark.
 *
 * The shared fixtures hold no table with an active constraint, invariant or generated column
 * (their logs were searched for `delta.constraints.`, `delta.invariants`, `delta.generationExpression`);
 * `delta-rs/table_with_partitioning_mapping` (written by Databricks Runtime 15.4) lists the
 * `checkConstraints`, `generatedColumns` and `invariants` writer features with none in use, and its
 * partition column was renamed under column mapping, so constraints are added to a copy of it.
 *
 * Two hand-built logs reproduce the protocol situations Delta Spark's compatibility suite covers
 * (GeneratedColumnCompatibilitySuite): the same schema with `c2` carrying a generation expression
 * `c1 + 1`, at writer version 4 (a generated column) and at writer version 2 (a plain column: the
 * expression is metadata only, written by a client older than the feature).
 */
import { expect, it } from 'vitest';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { deltaRs, describeFixtures } from '../fixtures.js';
import { copyToMemory } from '../table/helpers.js';
import { commitInfoOf, memoryTable, rejection, rowsSorted, tableState } from './helpers.js';

/** A one-commit log creating (c1 INT, c2 INT with generation expression `c1 + 1`) at `writerVersion`. */
function generatedColumnLog(writerVersion: number): string[] {
  const schema = {
    type: 'struct',
    fields: [
      { name: 'c1', type: 'integer', nullable: true, metadata: {} },
      { name: 'c2', type: 'integer', nullable: true, metadata: { 'delta.generationExpression': 'c1 + 1' } },
    ],
  };
  return [
    JSON.stringify({ commitInfo: { timestamp: 1_700_000_000_000, operation: 'CREATE TABLE', operationParameters: {}, isBlindAppend: true } }),
    JSON.stringify({ protocol: { minReaderVersion: 1, minWriterVersion: writerVersion } }),
    JSON.stringify({
      metaData: {
        id: `00000000-0000-4000-8000-00000000000${writerVersion}`,
        format: { provider: 'parquet', options: {} },
        schemaString: JSON.stringify(schema),
        partitionColumns: [],
        configuration: {},
        createdTime: 1_700_000_000_000,
      },
    }),
  ];
}
const GENERATED_V4 = generatedColumnLog(4);
const METADATA_ONLY_V2 = generatedColumnLog(2);

async function tableFromLog(lines: readonly string[]) {
  const store = new MemoryStore();
  await store.put('/t/_delta_log/00000000000000000000.json', new TextEncoder().encode(lines.join('\n') + '\n'));
  return memoryTable(store);
}

const INT = primitive('integer');
const both = struct([field('c1', INT), field('c2', INT)]);
const c1Only = struct([field('c1', INT)]);

it('generated column at writer version 4: c2 is computed as c1 + 1, and a wrong c2 is refused', async () => {
  const { table, engine, root } = await tableFromLog(GENERATED_V4);
  await table.write({ rows: [{ c1: 1 }, { c1: null }, { c1: 2147483647 }], schema: c1Only }, { mode: 'append' });
  await table.write({ rows: [{ c1: 5, c2: 6 }], schema: both }, { mode: 'append' });
  const before = await tableState(table);
  const e = await rejection(table.write({ rows: [{ c1: 1, c2: 10 }], schema: both }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
  expect(e.message).toContain('CHECK constraint Generated Column (c2 <=> (c1 + 1)) violated by row with values:\n - c1 : 1\n - c2 : 10');
  expect(await tableState(table)).toEqual(before);
  // Spark's integer addition wraps on overflow (non-ANSI): 2147483647 + 1 = -2147483648
  expect(await rowsSorted(engine, root, 'c1')).toEqual([
    { c1: null, c2: null },
    { c1: 1, c2: 2 },
    { c1: 5, c2: 6 },
    { c1: 2147483647, c2: -2147483648 },
  ]);
  expect((await table.snapshot()).protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 4 });
});

it('writer version 2 with the expression in the schema only: c2 is a plain column, as in Delta Spark', async () => {
  const { table, engine, root } = await tableFromLog(METADATA_ONLY_V2);
  await table.write({ rows: [{ c1: 1, c2: 10 }], schema: both }, { mode: 'append' });
  await table.write({ rows: [{ c1: 1 }], schema: c1Only }, { mode: 'append' });
  expect(await rowsSorted(engine, root, 'c2')).toEqual([
    { c1: 1, c2: null },
    { c1: 1, c2: 10 },
  ]);
  // Raising the writer version does not turn the column into a generated one: the expression is dropped.
  await table.setProperties({ 'delta.minWriterVersion': '4' });
  const snap = await table.snapshot();
  expect(snap.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 4 });
  expect(snap.schema.fields.map((f) => f.metadata)).toEqual([{}, {}]);
  await table.write({ rows: [{ c1: 3, c2: 30 }], schema: both }, { mode: 'append' });
});

describeFixtures('CHECK constraints on a copy of a Databricks-written column-mapped table', () => {
  const ROOT = '/mem/t';
  const schema = struct([field('newid', INT), field('description', primitive('string'))]);

  it('a constraint over the renamed partition column validates existing rows, then gates appends', async () => {
    const { table, engine, root } = memoryTable(await copyToMemory(deltaRs('table_with_partitioning_mapping'), ROOT), ROOT);
    const original = await table.snapshot();
    expect(original.protocol.writerFeatures).toContain('checkConstraints');
    expect((await rowsSorted(engine, root, 'newid')).map((r) => r.newid)).toEqual([1, 2]);

    const refused = await rejection(table.addConstraint('firstOnly', 'newid < 2'), 'CONSTRAINT_VIOLATION');
    expect(refused.details).toMatchObject({ violatingRows: 1, values: { newid: '2' } });
    const { version } = await table.addConstraint('small_id', 'newid < 10 AND description IS NOT NULL');
    const snap = await table.snapshot();
    expect(snap.protocol).toEqual(original.protocol);
    expect(snap.properties['delta.constraints.small_id']).toBe('newid < 10 AND description IS NOT NULL');
    expect((await commitInfoOf(engine, root, version)).operation).toBe('ADD CONSTRAINT');

    await table.write({ rows: [{ newid: 3, description: 'valid' }], schema }, { mode: 'append' });
    const before = await tableState(table);
    const e = await rejection(table.write({ rows: [{ newid: 4, description: 'ok' }, { newid: 20, description: 'too big' }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e.message).toContain('CHECK constraint small_id (newid < 10 AND description IS NOT NULL) violated by row with values:\n - description : too big\n - newid : 20');
    const e2 = await rejection(table.write({ rows: [{ newid: 5, description: null }], schema }, { mode: 'append' }), 'CONSTRAINT_VIOLATION');
    expect(e2.details.values).toEqual({ description: 'null', newid: '5' });
    expect(await tableState(table)).toEqual(before);
    expect((await rowsSorted(engine, root, 'newid')).map((r) => `${r.newid}:${r.description}`)).toEqual(['1:Initial data', '2:Additional data', '3:valid']);
    // the new file's partition value is keyed by the physical name
    const added = (await table.snapshot()).addFiles.find((a) => !original.addFiles.some((o) => o.path === a.path))!;
    expect(added.partitionValues).toEqual({ id: '3' });
  });
});
