/**
 * ALTER TABLE under real concurrent commits: two writers read the same version and race for the
 * next (a store holds both commit writes until both arrived, then lets the chosen winner land
 * first). Spark's rules: a concurrent metadata (or protocol) change fails the other transaction;
 * a blind append that lands first does not stop an ALTER, which rebases onto it; an ALTER that
 * lands first fails a concurrent append that read the old metadata.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine.js';
import { LocalFileSystemStore } from '../../../src/storage/local-store.js';
import { TYPE_CHANGES_KEY } from '../../../src/schema/type-widening.js';
import { field, primitive, struct } from '../../../src/schema/types.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { describeFixtures, kernel } from '../../fixtures.js';
import { commitInfoOf, localEngine, RacingStore, readRows, rejects, TempDirs } from './helpers.js';

const dirs = new TempDirs();
let store: RacingStore;
let engine: Engine;
const engines: Engine[] = [];
beforeEach(() => {
  store = new RacingStore(new LocalFileSystemStore());
  engine = localEngine(store);
  engines.push(engine);
});
afterAll(async () => {
  for (const e of engines) await e.parquet.close();
  dirs.cleanup();
});

/** A separate table object per writer, as two processes would have. */
const writer = (dir: string) => DeltaTable.forPath(dir, { engine });
const schema = struct([field('id', primitive('long')), field('v', primitive('string'))]);
const commitOf = (operation: string) => (text: string) => text.includes(`"operation":"${operation}"`);

async function table(properties: Record<string, string> = {}): Promise<string> {
  const dir = join(dirs.make(), 't');
  await writer(dir).create({ schema, properties });
  await writer(dir).write({ rows: [{ id: 1n, v: 'a' }], schema }, { mode: 'append' });
  return dir;
}

describe('concurrent ALTER TABLE commits', () => {
  it('two metadata changes from the same version: the loser fails with METADATA_CHANGED and changes nothing', async () => {
    const dir = await table();
    store.arm(2, commitOf('ADD COLUMNS'));
    const [added, props] = await Promise.allSettled([writer(dir).addColumns('x INT'), writer(dir).setProperties({ owner: 'me' })]);
    expect(added).toEqual({ status: 'fulfilled', value: { version: 2 } });
    expect(props.status).toBe('rejected');
    const e = (props as PromiseRejectedResult).reason as { code: string; details: Record<string, unknown> };
    expect(e.code).toBe('METADATA_CHANGED');
    expect(e.details).toMatchObject({ winningVersion: 2, winningOperation: 'ADD COLUMNS', readVersion: 1 });
    const snap = await writer(dir).snapshot();
    expect([snap.version, snap.schema.fields.map((f) => f.name), snap.properties]).toEqual([2, ['id', 'v', 'x'], {}]);
  });

  it('two protocol upgrades from the same version: PROTOCOL_CHANGED for the loser', async () => {
    const dir = await table();
    store.arm(2, (t) => t.includes('enableDeletionVectors'));
    const [dv, cdf] = await Promise.allSettled([writer(dir).setProperties({ 'delta.enableDeletionVectors': 'true' }), writer(dir).setProperties({ 'delta.enableChangeDataFeed': 'true' })]);
    expect(dv.status).toBe('fulfilled');
    expect(((cdf as PromiseRejectedResult).reason as { code: string }).code).toBe('PROTOCOL_CHANGED');
  });

  it('a blind append that lands first does not stop the ALTER, which commits after it; the appended file reads null for the new column', async () => {
    const dir = await table({ 'delta.columnMapping.mode': 'name' });
    store.arm(2, commitOf('WRITE'));
    const [appended, renamed] = await Promise.all([writer(dir).write({ rows: [{ id: 2n, v: 'b' }], schema }, { mode: 'append' }), writer(dir).renameColumn('v', 'value')]);
    expect([appended.version, renamed.version]).toEqual([2, 3]);
    expect(commitInfoOf(dir, 3).readVersion).toBe(1);
    expect(await readRows(engine, dir)).toEqual([
      { id: '1', value: '"a"' },
      { id: '2', value: '"b"' },
    ]);
  });

  it('an ALTER that lands first fails a concurrent append with METADATA_CHANGED (it wrote for the old schema)', async () => {
    const dir = await table({ 'delta.columnMapping.mode': 'name' });
    store.arm(2, commitOf('DROP COLUMNS'));
    const [dropped, appended] = await Promise.allSettled([writer(dir).dropColumns(['v']), writer(dir).write({ rows: [{ id: 2n, v: 'b' }], schema }, { mode: 'append' })]);
    expect(dropped).toEqual({ status: 'fulfilled', value: { version: 2 } });
    expect(((appended as PromiseRejectedResult).reason as { code: string }).code).toBe('METADATA_CHANGED');
    expect(await readRows(engine, dir)).toEqual([{ id: '1' }]);
  });
});

describeFixtures('type widening on a preview table under a concurrent append (kernel/type-widening)', () => {
  it('the type change is replanned on the new version, so its recorded tableVersion is the version it lands at', async () => {
    const dir = dirs.copy(kernel('type-widening'));
    rmSync(join(dir, '_delta_log', '00000000000000000002.json'));
    rmSync(join(dir, 'part-00000-61accb66-b740-416b-9f5b-f0fccaceb415-c000.snappy.parquet'));
    const current = (await writer(dir).snapshot()).schema;
    store.arm(2, commitOf('WRITE'));
    const [appended, widened] = await Promise.all([
      writer(dir).write({ rows: [{ int_long: 5 }], schema: struct([current.fields[1]!]) }, { mode: 'append' }),
      writer(dir).changeColumnType('int_long', 'BIGINT'),
    ]);
    expect([appended.version, widened.version]).toEqual([2, 3]);
    const f = (await writer(dir).snapshot()).schema.fields[1]!;
    expect(f.metadata[TYPE_CHANGES_KEY]).toEqual([{ tableVersion: 3, fromType: 'integer', toType: 'long' }]);
    const rows = await readRows(engine, dir);
    expect(rows.map((r) => r.int_long).sort()).toEqual(['2', '5']);
  });

  it('a concurrent metadata change still fails it', async () => {
    const dir = dirs.copy(kernel('type-widening'));
    rmSync(join(dir, '_delta_log', '00000000000000000002.json'));
    store.arm(2, commitOf('SET TBLPROPERTIES'));
    const [props, widened] = await Promise.allSettled([writer(dir).setProperties({ owner: 'me' }), writer(dir).changeColumnType('int_long', 'BIGINT')]);
    expect(props.status).toBe('fulfilled');
    await rejects(widened.status === 'rejected' ? Promise.reject(widened.reason) : Promise.resolve(), 'METADATA_CHANGED');
  });
});
