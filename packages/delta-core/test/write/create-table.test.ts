import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import type { Protocol } from '../../src/log/actions.js';
import { COLUMN_ID_KEY, PHYSICAL_NAME_KEY } from '../../src/schema/column-mapping.js';
import { array, field, primitive, struct } from './schema-builders.js';
import { createTable, setTableProperties } from '../../src/write/create-table.js';
import { writeTable } from '../../src/write/write-operation.js';
import { commitActions, memoryEngine, readBack, rowsOf, snapshotOf } from './write-helpers.js';

const ROOT = '/t';
const plain = struct([field('id', primitive('long')), field('name', primitive('string'))]);

async function protocolAfterCreate(properties: Record<string, string>, schema = plain): Promise<{ protocol: Protocol; configuration: Record<string, string> }> {
  const engine = memoryEngine();
  await createTable(engine, ROOT, { schema, properties });
  const snap = await snapshotOf(engine, ROOT);
  return { protocol: snap.protocol, configuration: { ...snap.metadata.configuration } };
}

describe('createTable picks the lowest protocol the features need', () => {
  it('plain table: (1,2)', async () => {
    expect((await protocolAfterCreate({})).protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
  });

  it('appendOnly stays (1,2); change data feed is writer 4', async () => {
    expect((await protocolAfterCreate({ 'delta.appendOnly': 'true' })).protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    expect((await protocolAfterCreate({ 'delta.enableChangeDataFeed': 'true' })).protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 4 });
  });

  it('change data feed with in-commit timestamps: (1,7) listing the legacy features like Spark', async () => {
    const { protocol } = await protocolAfterCreate({ 'delta.enableChangeDataFeed': 'true', 'delta.enableInCommitTimestamps': 'true' });
    expect(protocol.minReaderVersion).toBe(1);
    expect(protocol.minWriterVersion).toBe(7);
    expect(protocol.readerFeatures).toBeUndefined();
    expect([...protocol.writerFeatures!].sort()).toEqual(['appendOnly', 'changeDataFeed', 'inCommitTimestamp', 'invariants']);
  });

  it('deletion vectors: (3,7) with deletionVectors in both lists', async () => {
    const { protocol } = await protocolAfterCreate({ 'delta.enableDeletionVectors': 'true' });
    expect(protocol).toEqual({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'appendOnly', 'invariants'] });
  });

  it('timestamp_ntz columns: (3,7) timestampNtz', async () => {
    const { protocol } = await protocolAfterCreate({}, struct([field('t', primitive('timestamp_ntz'))]));
    expect(protocol.readerFeatures).toEqual(['timestampNtz']);
    expect(protocol.writerFeatures).toContain('timestampNtz');
  });

  it('column mapping name mode: (2,5), ids and physical names on every field, maxColumnId', async () => {
    const engine = memoryEngine();
    const schema = struct([field('a', primitive('integer')), field('s', struct([field('x', primitive('string')), field('l', array(struct([field('y', primitive('long'))])))]))]);
    await createTable(engine, ROOT, { schema, properties: { 'delta.columnMapping.mode': 'name' } });
    const snap = await snapshotOf(engine, ROOT);
    expect(snap.protocol).toEqual({ minReaderVersion: 2, minWriterVersion: 5 });
    expect(snap.metadata.configuration['delta.columnMapping.maxColumnId']).toBe('5');
    const ids: number[] = [];
    const names: string[] = [];
    const walk = (fields: readonly { metadata: Record<string, unknown>; type: unknown }[]) => {
      for (const f of fields) {
        ids.push(f.metadata[COLUMN_ID_KEY] as number);
        names.push(f.metadata[PHYSICAL_NAME_KEY] as string);
        const t = f.type as { kind: string; fields?: never; elementType?: { kind: string; fields?: never } };
        if (t.kind === 'struct') walk(t.fields!);
        if (t.kind === 'array' && t.elementType!.kind === 'struct') walk(t.elementType!.fields!);
      }
    };
    walk(snap.schema.fields as never);
    expect(ids.sort()).toEqual([1, 2, 3, 4, 5]);
    for (const n of names) expect(n).toMatch(/^col-[0-9a-f-]{36}$/);
  });

  it('column mapping with deletion vectors lists columnMapping as a reader feature', async () => {
    const { protocol } = await protocolAfterCreate({ 'delta.columnMapping.mode': 'id', 'delta.enableDeletionVectors': 'true' });
    expect(protocol.minReaderVersion).toBe(3);
    expect([...protocol.readerFeatures!].sort()).toEqual(['columnMapping', 'deletionVectors']);
  });

  it('delta.feature.X=supported adds the feature and is not stored', async () => {
    const { protocol, configuration } = await protocolAfterCreate({ 'delta.feature.domainMetadata': 'supported', owner: 'me' });
    expect(protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['domainMetadata', 'appendOnly', 'invariants'] });
    expect(configuration).toEqual({ owner: 'me' });
  });

  it('an unknown feature request is refused', async () => {
    const e = await protocolAfterCreate({ 'delta.feature.noSuchThing': 'supported' }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('createTable modes', () => {
  it('error refuses an existing table, ifNotExists keeps it, replace keeps the id and removes the files', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: [{ id: 1n, name: 'x' }], schema: plain });
    const before = await snapshotOf(engine, ROOT);
    const e = await createTable(engine, ROOT, { schema: plain }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'TABLE_ALREADY_EXISTS')).toBe(true);
    expect(await createTable(engine, ROOT, { schema: plain, mode: 'ifNotExists' })).toEqual({ version: 0, created: false });
    const newSchema = struct([field('k', primitive('string'))]);
    const r = await createTable(engine, ROOT, { schema: newSchema, mode: 'replace', description: 'v2' });
    expect(r).toEqual({ version: 1, created: true });
    const after = await snapshotOf(engine, ROOT);
    expect(after.metadata.id).toBe(before.metadata.id);
    expect(after.metadata.description).toBe('v2');
    expect(after.schema.fields.map((f) => f.name)).toEqual(['k']);
    expect(after.addFiles).toHaveLength(0);
    expect((await commitActions(engine, ROOT, 1)).filter((a) => a.kind === 'remove')).toHaveLength(1);
    expect((await readBack(engine, ROOT)).numRows).toBe(0);
  });

  it('partition columns must be atomic top-level columns', async () => {
    const engine = memoryEngine();
    const e = await createTable(engine, ROOT, { schema: plain, partitionBy: ['nope'] }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'INVALID_ARGUMENT')).toBe(true);
    const all = await createTable(engine, ROOT, { schema: plain, partitionBy: ['id', 'name'] }).catch((x: unknown) => x);
    expect(isDeltaError(all, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('property changes upgrade the protocol', () => {
  it('enabling deletion vectors on a (1,2) table moves it to (3,7)', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: [{ id: 1n, name: 'x' }], schema: plain });
    const r = await setTableProperties(engine, ROOT, { 'delta.enableDeletionVectors': 'true' });
    expect(r.version).toBe(1);
    const snap = await snapshotOf(engine, ROOT);
    expect(snap.protocol).toEqual({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'appendOnly', 'invariants'] });
    expect(snap.properties['delta.enableDeletionVectors']).toBe('true');
    expect(rowsOf(await readBack(engine, ROOT))).toEqual([{ id: 1n, name: 'x' }]);
    // setting the same value again commits nothing
    expect((await setTableProperties(engine, ROOT, { 'delta.enableDeletionVectors': 'true' })).version).toBe(1);
  });

  it('enabling in-commit timestamps on an existing table records the enablement version and timestamp', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: [{ id: 1n, name: 'x' }], schema: plain });
    await writeTable(engine, ROOT, { rows: [{ id: 2n, name: 'y' }], schema: plain }, { mode: 'append', properties: { 'delta.enableInCommitTimestamps': 'true' } });
    const snap = await snapshotOf(engine, ROOT);
    expect(snap.protocol.minWriterVersion).toBe(7);
    expect(snap.protocol.writerFeatures).toContain('inCommitTimestamp');
    expect(snap.properties['delta.inCommitTimestampEnablementVersion']).toBe('1');
    expect(snap.properties['delta.inCommitTimestampEnablementTimestamp']).toBe(String(snap.commitInfo?.inCommitTimestamp));
  });

  it('enabling column mapping on a table with data keeps existing columns readable', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: [{ id: 1n, name: 'x' }], schema: plain });
    await setTableProperties(engine, ROOT, { 'delta.columnMapping.mode': 'name' });
    const snap = await snapshotOf(engine, ROOT);
    expect(snap.protocol).toEqual({ minReaderVersion: 2, minWriterVersion: 5 });
    expect(snap.schema.fields.map((f) => f.metadata[PHYSICAL_NAME_KEY])).toEqual(['id', 'name']);
    await writeTable(engine, ROOT, { rows: [{ id: 2n, name: 'y', extra: true }], schema: struct([...plain.fields, field('extra', primitive('boolean'))]) }, { mode: 'append', mergeSchema: true });
    const after = await snapshotOf(engine, ROOT);
    const extra = after.schema.fields[2]!;
    expect(extra.metadata[PHYSICAL_NAME_KEY]).toMatch(/^col-/);
    expect(extra.metadata[COLUMN_ID_KEY]).toBe(3);
    expect(after.properties['delta.columnMapping.maxColumnId']).toBe('3');
    const rows = rowsOf(await readBack(engine, ROOT)).sort((a, b) => Number(a.id) - Number(b.id));
    expect(rows).toEqual([
      { id: 1n, name: 'x', extra: null },
      { id: 2n, name: 'y', extra: true },
    ]);
  });
});

describe('writes that repeat properties', () => {
  it('commit no metadata when the properties are already in force', async () => {
    const engine = memoryEngine();
    const props = { 'delta.appendOnly': 'true', 'delta.feature.domainMetadata': 'supported' };
    await writeTable(engine, ROOT, { rows: [{ id: 1n, name: 'x' }], schema: plain }, { properties: props });
    const r = await writeTable(engine, ROOT, { rows: [{ id: 2n, name: 'y' }], schema: plain }, { mode: 'append', properties: props });
    const kinds = (await commitActions(engine, ROOT, r.version)).map((a) => a.kind);
    expect(kinds).toEqual(['commitInfo', 'add']);
    expect((await snapshotOf(engine, ROOT)).protocol.writerFeatures).toContain('domainMetadata');
  });
});
