import { afterAll, describe, expect, it } from 'vitest';
import { createDefaultEngine, field, LocalFileSystemStore, primitive, struct, type Engine, type ObjectStore } from '@deltakit/core';
import { DeltaTable } from '../src/index.js';
import { cleanup, commitInfo, duckAfter, makeTable, readRows } from './helpers.js';

afterAll(cleanup);

const schema = struct([field('id', primitive('long'), false), field('part', primitive('string')), field('value', primitive('integer'))]);
const DUCK_COLUMNS = 'id BIGINT, part VARCHAR, value INTEGER';
const ROWS = Array.from({ length: 120 }, (_, i) => ({ id: BigInt(i), part: i % 2 === 0 ? 'a' : 'b', value: i % 10 }));

/**
 * An engine whose first commit attempt first runs `other` (a whole concurrent statement on the
 * same table through its own engine), so the statement commits against a table that moved on.
 */
function racing(other: () => Promise<unknown>): Engine {
  const base = new LocalFileSystemStore();
  let fired = false;
  const store: ObjectStore = {
    list: (d, o) => base.list(d, o),
    get: (p) => base.get(p),
    getRange: (p, s, e) => base.getRange(p, s, e),
    head: (p) => base.head(p),
    put: (p, d) => base.put(p, d),
    delete: (p) => base.delete(p),
    isDirectory: (p) => base.isDirectory(p),
    putIfAbsent: async (p, d) => {
      if (!fired && /_delta_log\/\d{20}\.json$/.test(p)) {
        fired = true;
        await other();
      }
      return base.putIfAbsent(p, d);
    },
  };
  return createDefaultEngine({ store, workers: 0 });
}

async function setup(properties: Record<string, string> = {}) {
  const table = await makeTable(ROWS, schema, { partitionBy: ['part'], files: 2, properties });
  const other = DeltaTable.forPath(table.tableRoot, { engine: createDefaultEngine({ workers: 0 }) });
  return { table, other };
}

describe('DML conflict detection with real concurrent commits', () => {
  it('a DELETE in partition a commits after a concurrent UPDATE rewrote partition b', async () => {
    const { table, other } = await setup();
    const v0 = (await table.snapshot()).version;
    const racer = table.withEngine(racing(() => other.update({ set: { value: "'99'" }, condition: "part = 'b' AND value < 3" })));
    const result = await racer.delete("part = 'a' AND value > 5");
    expect(result.version).toBe(v0 + 2);
    expect(commitInfo(table.tableRoot, v0 + 1).operation).toBe('UPDATE');
    expect(commitInfo(table.tableRoot, v0 + 2).readVersion).toBe(v0);
    const expected = await duckAfter(ROWS, DUCK_COLUMNS, "UPDATE {t} SET value = 99 WHERE part = 'b' AND value < 3; DELETE FROM {t} WHERE part = 'a' AND value > 5");
    expect(await readRows(table)).toEqual(expected);
  });

  it('a DELETE whose files were removed concurrently fails with CONCURRENT_DELETE_READ and commits nothing', async () => {
    const { table, other } = await setup();
    const racer = table.withEngine(racing(() => other.delete("part = 'a'")));
    await expect(racer.delete("part = 'a' AND value > 5")).rejects.toMatchObject({ code: 'CONCURRENT_DELETE_READ' });
    const expected = await duckAfter(ROWS, DUCK_COLUMNS, "DELETE FROM {t} WHERE part = 'a'");
    expect(await readRows(table)).toEqual(expected);
  });

  it('an UPDATE whose files were removed concurrently fails too', async () => {
    const { table, other } = await setup();
    const racer = table.withEngine(racing(() => other.delete("part = 'b'")));
    await expect(racer.update({ set: { value: "'1'" }, condition: "part = 'b' AND value = 5" })).rejects.toMatchObject({ code: 'CONCURRENT_DELETE_READ' });
  });

  it('under Serializable, a concurrent append conflicts only where the read predicate matches', async () => {
    const { table, other } = await setup({ 'delta.isolationLevel': 'Serializable' });
    const appendB = () => other.write({ rows: [{ id: 1000n, part: 'b', value: 7 }], schema }, { mode: 'append' });
    const appendA = () => other.write({ rows: [{ id: 1001n, part: 'a', value: 7 }], schema }, { mode: 'append' });
    const ok = await table.withEngine(racing(appendB)).delete("part = 'a' AND value > 5");
    expect(ok.numDeletedRows).toBe(ROWS.filter((r) => r.part === 'a' && r.value > 5).length);
    await expect(table.withEngine(racing(appendA)).delete("part = 'a' AND value > 2")).rejects.toMatchObject({ code: 'CONCURRENT_APPEND' });
  });

  it('a DELETE without a condition conflicts with a concurrent non-blind change anywhere', async () => {
    const { table, other } = await setup();
    const racer = table.withEngine(racing(() => other.update({ set: { value: "'5'" }, condition: "part = 'b' AND value = 1" })));
    const e = (await racer.delete().catch((x: unknown) => x)) as { code?: string };
    expect(['CONCURRENT_APPEND', 'CONCURRENT_DELETE_READ']).toContain(e.code);
  });
});

describe('append-only tables', () => {
  it('refuse DELETE and UPDATE before reading anything', async () => {
    const table = await makeTable(ROWS, schema, { properties: { 'delta.appendOnly': 'true' } });
    const v = (await table.snapshot()).version;
    await expect(table.delete('id < 3')).rejects.toMatchObject({ code: 'APPEND_ONLY_VIOLATION' });
    await expect(table.update({ set: { value: "'1'" } })).rejects.toMatchObject({ code: 'APPEND_ONLY_VIOLATION' });
    expect((await table.snapshot()).version).toBe(v);
  });
});
