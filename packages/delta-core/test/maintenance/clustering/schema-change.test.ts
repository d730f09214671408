/**
 * `clusteringAfterSchemaChange`, the hook ALTER TABLE RENAME/DROP/CHANGE COLUMN calls to keep the
 * `delta.clustering` domain valid (Spark: dropping clustering columns is refused; the domain's
 * physical names survive renames under column mapping).
 */
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../../src/errors.js';
import { clusteringAfterSchemaChange } from '../../../src/maintenance/clustering/schema-change.js';
import { clusteringColumns } from '../../../src/maintenance/clustering/table-columns.js';
import { parseDdlSchema } from '../../../src/schema/ddl.js';
import type { StructField, StructType } from '../../../src/schema/types.js';
import { MemoryStore } from '../../../src/storage/memory-store.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { memoryEngine } from '../../write/write-helpers.js';

async function clustered(schema: string, clusterBy: string[], properties: Record<string, string> = {}) {
  const table = DeltaTable.forPath('memory://t', { engine: memoryEngine(new MemoryStore()) });
  await table.create({ schema: parseDdlSchema(schema), clusterBy, properties });
  return table.snapshot();
}

/** The schema with top-level (or nested, by path) fields renamed or removed, metadata kept. */
function edit(schema: StructType, path: readonly string[], change: { rename?: string; drop?: true }): StructType {
  const fields: StructField[] = [];
  for (const f of schema.fields) {
    if (f.name !== path[0]) fields.push(f);
    else if (path.length > 1 && f.type.kind === 'struct') fields.push({ ...f, type: edit(f.type, path.slice(1), change) });
    else if (change.rename !== undefined) fields.push({ ...f, name: change.rename });
  }
  return { kind: 'struct', fields };
}

function failure(f: () => unknown): { code?: string; errorClass?: unknown; message: string } {
  try {
    f();
  } catch (e) {
    if (isDeltaError(e)) return { code: e.code, errorClass: e.details?.errorClass, message: e.message };
    throw e;
  }
  throw new Error('expected a failure');
}

describe('clusteringAfterSchemaChange', () => {
  it('refuses dropping clustering columns, naming each (Spark: DELTA_UNSUPPORTED_DROP_CLUSTERING_COLUMN)', async () => {
    const snap = await clustered('col1 INT, col2 STRING, col3 BIGINT', ['col1', 'col2'], { 'delta.columnMapping.mode': 'name' });
    const base = { protocol: snap.protocol, domainMetadata: snap.domainMetadata, oldSchema: snap.schema };
    const e = failure(() => clusteringAfterSchemaChange({ ...base, newSchema: edit(edit(snap.schema, ['col1'], { drop: true }), ['col2'], { drop: true }) }));
    expect(e).toMatchObject({ code: 'UNSUPPORTED_OPERATION', errorClass: 'DELTA_UNSUPPORTED_DROP_CLUSTERING_COLUMN' });
    expect(e.message).toContain('(col1,col2)');
    const e2 = failure(() => clusteringAfterSchemaChange({ ...base, newSchema: edit(edit(snap.schema, ['col1'], { drop: true }), ['col3'], { drop: true }) }));
    expect(e2.message).toContain('(col1)');
    // Dropping a non-clustering column leaves the domain alone.
    expect(clusteringAfterSchemaChange({ ...base, newSchema: edit(snap.schema, ['col3'], { drop: true }) })).toBeUndefined();
  });

  it('refuses dropping a struct that holds a clustering column', async () => {
    const snap = await clustered('id INT, s STRUCT<x: INT, y: INT>', ['s.x'], { 'delta.columnMapping.mode': 'name' });
    const e = failure(() => clusteringAfterSchemaChange({ protocol: snap.protocol, domainMetadata: snap.domainMetadata, oldSchema: snap.schema, newSchema: edit(snap.schema, ['s'], { drop: true }) }));
    expect(e.errorClass).toBe('DELTA_UNSUPPORTED_DROP_CLUSTERING_COLUMN');
    expect(e.message).toContain('s.x');
    // Dropping the sibling field is fine.
    expect(clusteringAfterSchemaChange({ protocol: snap.protocol, domainMetadata: snap.domainMetadata, oldSchema: snap.schema, newSchema: edit(snap.schema, ['s', 'y'], { drop: true }) })).toBeUndefined();
  });

  it('under column mapping a rename keeps the physical path: nothing to update', async () => {
    const snap = await clustered('a INT, s STRUCT<x: INT>', ['a', 's.x'], { 'delta.columnMapping.mode': 'name' });
    const newSchema = edit(edit(snap.schema, ['a'], { rename: 'a2' }), ['s'], { rename: 's2' });
    const change = { protocol: snap.protocol, domainMetadata: snap.domainMetadata, oldSchema: snap.schema, newSchema };
    expect(clusteringAfterSchemaChange(change)).toBeUndefined();
    expect(clusteringAfterSchemaChange({ ...change, renames: [{ from: ['a'], to: ['a2'] }] })).toBeUndefined();
    // The renamed columns resolve through the unchanged domain.
    expect(clusteringColumns({ protocol: snap.protocol, domainMetadata: snap.domainMetadata, schema: newSchema })).toEqual(['a2', 's2.x']);
  });

  it('without column mapping a reported rename rewrites the stored path (a renamed struct moves the paths below it)', async () => {
    const snap = await clustered('a INT, s STRUCT<x: INT, y: INT>, b INT', ['s.x', 'b']);
    const newSchema = edit(edit(snap.schema, ['s'], { rename: 'st' }), ['b'], { rename: 'b b' });
    const update = clusteringAfterSchemaChange({
      protocol: snap.protocol,
      domainMetadata: snap.domainMetadata,
      oldSchema: snap.schema,
      newSchema,
      renames: [
        { from: ['s'], to: ['st'] },
        { from: ['B'], to: ['b b'] },
      ],
    });
    expect(update).toEqual({ domain: 'delta.clustering', configuration: '{"clusteringColumns":[["st","x"],["b b"]],"domainName":"delta.clustering"}', columns: ['st.x', '`b b`'] });
    // Without the rename reported the column looks dropped, and the change is refused.
    expect(failure(() => clusteringAfterSchemaChange({ protocol: snap.protocol, domainMetadata: snap.domainMetadata, oldSchema: snap.schema, newSchema })).errorClass).toBe('DELTA_UNSUPPORTED_DROP_CLUSTERING_COLUMN');
  });

  it('optionally checks that clustering columns keep statistics (ALTER COLUMN ... FIRST/AFTER with Spark\'s check enabled)', async () => {
    const snap = await clustered('c1 INT, c2 INT, c3 INT, c4 INT', ['c1', 'c2'], { 'delta.dataSkippingNumIndexedCols': '2' });
    const f = snap.schema.fields;
    const reordered: StructType = { kind: 'struct', fields: [f[1]!, f[2]!, f[0]!, f[3]!] }; // c1 AFTER c3
    const change = { protocol: snap.protocol, domainMetadata: snap.domainMetadata, oldSchema: snap.schema, newSchema: reordered };
    expect(clusteringAfterSchemaChange(change)).toBeUndefined();
    const e = failure(() => clusteringAfterSchemaChange({ ...change, checkStats: { configuration: snap.properties } }));
    expect(e.errorClass).toBe('DELTA_CLUSTERING_COLUMN_MISSING_STATS');
  });

  it('does nothing for tables that are not clustered or have no clustering columns', async () => {
    const table = DeltaTable.forPath('memory://t', { engine: memoryEngine(new MemoryStore()) });
    await table.create({ schema: parseDdlSchema('a INT, b INT') });
    const plain = await table.snapshot();
    expect(clusteringAfterSchemaChange({ protocol: plain.protocol, domainMetadata: plain.domainMetadata, oldSchema: plain.schema, newSchema: edit(plain.schema, ['a'], { drop: true }) })).toBeUndefined();
    await table.clusterBy(['a']);
    await table.clusterBy('none');
    const none = await table.snapshot();
    expect(clusteringAfterSchemaChange({ protocol: none.protocol, domainMetadata: none.domainMetadata, oldSchema: none.schema, newSchema: edit(none.schema, ['a'], { drop: true }) })).toBeUndefined();
  });
});
