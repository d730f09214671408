/**
 * The typed errors of a change-feed read, on tables written by core: the feed enabled in the
 * middle of the history (and disabled later), versions that do not exist or whose commit files
 * were cleaned up, schema changes inside the range, and the other failure paths.
 */
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable, field, primitive, struct } from '@deltakit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChanges } from '../src/index.js';
import { deltaRs, describeFixtures } from './fixtures.js';
import { failure, tableRows } from './helpers.js';

const schema = struct([field('id', primitive('long'))]);
const rows = (...ids: number[]) => ({ rows: ids.map((id) => ({ id: BigInt(id) })), schema });

let dir: string;
const tables: DeltaTable[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deltakit-cdf-errors-'));
});
afterAll(async () => {
  for (const t of tables) await t.close();
  rmSync(dir, { recursive: true, force: true });
});
const newTable = (name: string) => {
  const t = DeltaTable.forPath(join(dir, name));
  tables.push(t);
  return t;
};

describe('the change data feed enabled in the middle of the history', () => {
  let t: DeltaTable;
  beforeAll(async () => {
    t = newTable('mid');
    await t.create({ schema }); // v0, no change data feed
    await t.write(rows(1), { mode: 'append' }); // v1
    await t.setProperties({ 'delta.enableChangeDataFeed': 'true' }); // v2
    await t.write(rows(2), { mode: 'append' }); // v3
    await t.write(rows(3), { mode: 'append' }); // v4
    await t.setProperties({ 'delta.enableChangeDataFeed': 'false' }); // v5
    await t.write(rows(4), { mode: 'append' }); // v6
  });

  it('refuses a range starting before it was enabled, naming the version', async () => {
    for (const [start, end] of [
      [0, 4],
      [1, 3],
    ]) {
      const e = await failure(tableChanges(t, { startingVersion: start!, endingVersion: end! }).toTable());
      expect(e.code).toBe('CHANGE_DATA_FEED_NOT_ENABLED');
      expect(e.details?.version).toBe(start);
      expect(e.message).toContain(`not enabled at version ${start}`);
      expect(e.message).toContain('delta.enableChangeDataFeed');
    }
  });

  it('reads the versions after enabling it', async () => {
    const changes = await tableChanges(t, { startingVersion: 2, endingVersion: 4 }).toTable();
    expect(tableRows(changes, ['id', '_change_type', '_commit_version'])).toEqual(['2 | "insert" | 3', '3 | "insert" | 4']);
  });

  it('refuses a range that includes the version disabling it', async () => {
    const e = await failure(tableChanges(t, { startingVersion: 3 }).plan());
    expect(e.code).toBe('CHANGE_DATA_FEED_NOT_ENABLED');
    expect(e.details?.version).toBe(5);
    const after = await failure(tableChanges(t, { startingVersion: 6 }).plan());
    expect(after.details?.version).toBe(6);
  });
});

describe('versions that cannot be read', () => {
  let t: DeltaTable;
  beforeAll(async () => {
    t = newTable('versions');
    await t.create({ schema, properties: { 'delta.enableChangeDataFeed': 'true' } }); // v0
    for (let v = 1; v <= 4; v++) await t.write(rows(v), { mode: 'append' }); // v1..v4
  });

  it('a start or end after the latest version is VERSION_NOT_FOUND naming the readable range', async () => {
    for (const options of [{ startingVersion: 5 }, { startingVersion: 0, endingVersion: 9 }, { startingVersion: 7, endingVersion: 9 }]) {
      const e = await failure(tableChanges(t, options).plan());
      expect(e.code).toBe('VERSION_NOT_FOUND');
      expect(e.message).toContain('versions 0 to 4');
      expect(e.details).toMatchObject({ earliestVersion: 0, latestVersion: 4 });
    }
  });

  it('a start after the end is INVALID_ARGUMENT', async () => {
    const e = await failure(tableChanges(t, { startingVersion: 3, endingVersion: 1 }).plan());
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain('starts at version 3, after its end version 1');
  });

  it('versions whose commit files were cleaned up are VERSION_NOT_FOUND; later ones still read', async () => {
    const c = newTable('cleaned');
    await c.create({ schema, properties: { 'delta.enableChangeDataFeed': 'true' } });
    for (let v = 1; v <= 4; v++) await c.write(rows(v), { mode: 'append' });
    await c.checkpoint(); // at version 4
    for (let v = 0; v <= 2; v++) unlinkSync(join(dir, 'cleaned', '_delta_log', `${String(v).padStart(20, '0')}.json`));
    for (const start of [0, 2]) {
      const e = await failure(tableChanges(c, { startingVersion: start }).plan());
      expect(e.code).toBe('VERSION_NOT_FOUND');
      expect(e.message).toContain('cleaned up');
      expect(e.message).toContain('versions 4 to 4');
    }
    // Commit 3 is still there, but version 3 cannot be reconstructed: the checkpoint is at 4.
    expect((await failure(tableChanges(c, { startingVersion: 3 }).plan())).code).toBe('VERSION_NOT_FOUND');
    const changes = await tableChanges(c, { startingVersion: 4 }).toTable();
    expect(tableRows(changes, ['id', '_change_type', '_commit_version'])).toEqual(['4 | "insert" | 4']);
  });

  it('a path that is not a table is TABLE_NOT_FOUND', async () => {
    expect((await failure(tableChanges(newTable('nothing-here'), { startingVersion: 0 }).plan())).code).toBe('TABLE_NOT_FOUND');
  });

  it('an aborted signal cancels the read', async () => {
    const abort = new AbortController();
    abort.abort(new Error('stop'));
    expect((await failure(tableChanges(t, { startingVersion: 0, signal: abort.signal }).toTable())).code).toBe('CANCELLED');
  });
});

describe('schema changes inside the range', () => {
  it('an added column is read-compatible: older rows read it as null', async () => {
    const t = newTable('added');
    await t.create({ schema, properties: { 'delta.enableChangeDataFeed': 'true' } }); // v0
    await t.write(rows(1), { mode: 'append' }); // v1
    const wider = struct([field('id', primitive('long')), field('note', primitive('string'))]);
    await t.write({ rows: [{ id: 2n, note: 'x' }], schema: wider }, { mode: 'append', mergeSchema: true }); // v2
    const changes = await tableChanges(t, { startingVersion: 0 }).toTable();
    expect(tableRows(changes, ['id', 'note', '_change_type', '_commit_version'])).toEqual(['1 | null | "insert" | 1', '2 | "x" | "insert" | 2']);
  });

  it('a type change is INCOMPATIBLE_SCHEMA_CHANGE for ranges that cross it, and fine after it', async () => {
    const t = newTable('retyped');
    await t.create({ schema, properties: { 'delta.enableChangeDataFeed': 'true' } }); // v0
    await t.write(rows(1), { mode: 'append' }); // v1
    const asText = struct([field('id', primitive('string'))]);
    await t.write({ rows: [{ id: 'one' }], schema: asText }, { mode: 'overwrite', overwriteSchema: true }); // v2
    await t.write({ rows: [{ id: 'two' }], schema: asText }, { mode: 'append' }); // v3
    for (const start of [0, 1]) {
      const e = await failure(tableChanges(t, { startingVersion: start }).toTable());
      expect(e.code).toBe('INCOMPATIBLE_SCHEMA_CHANGE');
      expect(e.message).toContain('column id changed type from long to string');
      expect(e.message).toContain('changed at version 2');
    }
    // Version 2 itself deletes the rows written as long: they cannot be shown as strings.
    const atChange = await failure(tableChanges(t, { startingVersion: 2 }).toTable());
    expect(atChange.code).toBe('INCOMPATIBLE_SCHEMA_CHANGE');
    expect(atChange.message).toContain('version 2 changed the schema and deleted rows written under the schema before it');
    const after = await tableChanges(t, { startingVersion: 3 }).toTable();
    expect(tableRows(after, ['id', '_change_type', '_commit_version'])).toEqual(['"two" | "insert" | 3']);
  });
});

describe('a schema changed and changed back inside the range', () => {
  it('is refused at the intermediate version, though start and end schemas are equal', async () => {
    const t = newTable('round-trip');
    const asText = struct([field('id', primitive('string'))]);
    await t.create({ schema, properties: { 'delta.enableChangeDataFeed': 'true' } }); // v0
    await t.write(rows(1), { mode: 'append' }); // v1
    await t.write({ rows: [{ id: 'one' }], schema: asText }, { mode: 'overwrite', overwriteSchema: true }); // v2
    await t.write(rows(3), { mode: 'overwrite', overwriteSchema: true }); // v3
    const e = await failure(tableChanges(t, { startingVersion: 0 }).plan());
    expect(e.code).toBe('INCOMPATIBLE_SCHEMA_CHANGE');
    expect(e.details?.version).toBe(2);
    expect(e.message).toContain('the schema set at version 2');
    expect(e.message).toContain('column id changed type from string to long');
  });
});

describeFixtures('versions cleaned up in a delta-rs table', () => {
  it('checkpoint-cdf-table (commits 0-2 removed, checkpoint at 3) reads from version 3 only', async () => {
    const t = DeltaTable.forPath(deltaRs('checkpoint-cdf-table'));
    tables.push(t);
    const e = await failure(tableChanges(t, { startingVersion: 0 }).plan());
    expect(e.code).toBe('VERSION_NOT_FOUND');
    expect(e.message).toContain('versions 3 to 5');
    const plan = await tableChanges(t, { startingVersion: 3 }).plan();
    expect(plan.commits.map((c) => c.version)).toEqual([3, 4, 5]);
  });
});
