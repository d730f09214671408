import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { field, primitive, struct, type AddFile } from '@deltakit/core';
import { loadDeletionVector } from '@deltakit/core/internal';
import { cdcRows, cleanup, commitActions, commitInfo, duckAfter, duckRows, feedRows, makeTable, readRows, sortRows, sqlValue } from './helpers.js';

afterAll(cleanup);

const schema = struct([
  field('id', primitive('long'), false),
  field('part', primitive('string')),
  field('value', primitive('integer')),
  field('name', primitive('string')),
]);
const DUCK_COLUMNS = 'id BIGINT, part VARCHAR, value INTEGER, name VARCHAR';

/** 300 rows over partitions a/b/c, values 0..99 with every 7th null. */
const ROWS = Array.from({ length: 300 }, (_, i) => ({
  id: BigInt(i),
  part: ['a', 'b', 'c'][i % 3]!,
  value: i % 7 === 0 ? null : i % 100,
  name: `n${i}`,
}));

interface Variant {
  readonly name: string;
  readonly partitioned: boolean;
  readonly dv: boolean;
}
const VARIANTS: Variant[] = [
  { name: 'unpartitioned, rewrite', partitioned: false, dv: false },
  { name: 'unpartitioned, deletion vectors', partitioned: false, dv: true },
  { name: 'partitioned, rewrite', partitioned: true, dv: false },
  { name: 'partitioned, deletion vectors', partitioned: true, dv: true },
];

const CONDITIONS = ['value > 50', "part = 'a'", "part = 'b' AND value < 20", 'value IS NULL', 'id < 10 OR value = 33', 'value <> 5'];

describe.each(VARIANTS)('DELETE ($name) on a CDF table, checked against DuckDB and the change feed', (variant) => {
  const properties: Record<string, string> = { 'delta.enableChangeDataFeed': 'true', ...(variant.dv ? { 'delta.enableDeletionVectors': 'true' } : {}) };
  const create = () => makeTable(ROWS, schema, { properties, files: 3, ...(variant.partitioned ? { partitionBy: ['part'] } : {}) });

  it.each(CONDITIONS)('DELETE WHERE %s', async (condition) => {
    const table = await create();
    const before = await table.snapshot();
    const result = await table.delete(condition);
    const after = await readRows(table);
    const expected = await duckAfter(ROWS, DUCK_COLUMNS, `DELETE FROM {t} WHERE ${condition}`);
    expect(after).toEqual(expected);
    expect(result.version).toBe(before.version + 1);
    expect(result.numDeletedRows).toBe(ROWS.length - expected.length);
    const info = commitInfo(table.tableRoot, result.version);
    expect(info.operation).toBe('DELETE');
    expect(JSON.parse((info.operationParameters as Record<string, string>).predicate!)).toHaveLength(1);
    expect((info.operationMetrics as Record<string, string>).numDeletedRows).toBe(String(result.numDeletedRows));
    await checkChangeFeed(table.tableRoot, result.version, variant, before.addFiles);
    if (condition === 'value > 50') {
      // rows of every file match: each file gets a deletion vector, or is rewritten with its other rows copied
      if (variant.dv) expect(result.numDeletionVectorsAdded).toBe(before.addFiles.length);
      else expect(result.numCopiedRows).toBe(expected.length);
      expect(result.numAddedChangeFiles > 0).toBe(!variant.dv);
    }
    // the deleted rows as the change feed reports them are exactly the rows DuckDB deleted
    const deleted = await deletedByFeed(table.tableRoot, result.version, before.addFiles);
    const kept = new Set(expected.map((r) => String(r.id)));
    const removedIds = ROWS.filter((r) => !kept.has(String(r.id))).map((r) => String(r.id)).sort();
    expect(deleted.sort()).toEqual(removedIds);
    // and as @deltakit/cdf reads it: exactly the deleted rows, whole, as `delete`
    const feed = await feedRows(table, result.version);
    expect(feed.every((r) => r._change_type === 'delete')).toBe(true);
    expect(feed.map(({ _change_type: _t, ...r }) => r)).toEqual(sortRows(ROWS.filter((r) => !kept.has(String(r.id))).map((r) => ({ ...r }))));
  });

  it('DELETE without a condition removes every file without reading it', async () => {
    const table = await create();
    const before = await table.snapshot();
    const result = await table.delete();
    expect(await readRows(table)).toEqual([]);
    expect(result.numRemovedFiles).toBe(before.addFiles.length);
    expect(result.numDeletedRows).toBe(ROWS.length);
    const actions = commitActions(table.tableRoot, result.version);
    expect(actions.filter((a) => 'remove' in a)).toHaveLength(before.addFiles.length);
    expect(actions.filter((a) => 'add' in a || 'cdc' in a)).toHaveLength(0);
    expect(JSON.parse((commitInfo(table.tableRoot, result.version).operationParameters as Record<string, string>).predicate!)).toEqual([]);
  });

  it('a DELETE matching nothing commits nothing', async () => {
    const table = await create();
    const before = await table.snapshot();
    const result = await table.delete('value > 1000');
    expect(result.version).toBe(before.version);
    expect(result.numDeletedRows).toBe(0);
    expect((await table.snapshot()).version).toBe(before.version);
  });
});

/**
 * Rewrites write `delete` change rows; deletion vectors and whole-file removes write no cdc files
 * (readers derive the deletes), as Spark does.
 */
async function checkChangeFeed(root: string, version: number, variant: Variant, _before: readonly AddFile[]): Promise<void> {
  const actions = commitActions(root, version);
  const cdc = actions.filter((a) => 'cdc' in a);
  if (variant.dv) {
    expect(cdc).toHaveLength(0);
    for (const a of actions.filter((x) => 'add' in x)) {
      const add = a.add as unknown as AddFile;
      expect(add.deletionVector, 'DELETE with deletion vectors adds only files with a new DV').toBeDefined();
      expect(add.stats).toContain('"tightBounds":false');
    }
  } else {
    for (const a of actions.filter((x) => 'add' in x)) expect((a.add as unknown as AddFile).deletionVector).toBeUndefined();
  }
  for (const a of cdc) {
    expect(a.cdc!.dataChange).toBe(false);
    expect(String(a.cdc!.path)).toMatch(/^_change_data\//);
  }
  if (cdc.length > 0) {
    const rows = await cdcRows(root, version);
    expect(rows.every((r) => r._change_type === 'delete')).toBe(true);
  }
}

/**
 * The ids a commit deleted as a change-feed reader sees them: the `delete` rows of its cdc files,
 * or (without cdc files) the rows of removed files minus re-added ones, and the rows a new deletion
 * vector adds — each file read with DuckDB (`file_row_number`) rather than this library's reader.
 */
async function deletedByFeed(root: string, version: number, before: readonly AddFile[]): Promise<string[]> {
  const actions = commitActions(root, version);
  if (actions.some((a) => 'cdc' in a)) return (await cdcRows(root, version)).filter((r) => r._change_type === 'delete').map((r) => String(r.id));
  const ids: string[] = [];
  const added = new Map(actions.filter((a) => 'add' in a).map((a) => [String(a.add!.path), a.add as unknown as AddFile]));
  for (const a of actions.filter((x) => 'remove' in x)) {
    const path = String(a.remove!.path);
    const old = before.find((f) => f.path === path)!;
    const oldDv = old.deletionVector === undefined ? new Set<number>() : new Set(await dvRows(root, old));
    const re = added.get(path);
    const newDv = re === undefined ? undefined : new Set(await dvRows(root, re));
    const rows = await duckRows(`SELECT id, file_row_number FROM read_parquet(${sqlValue(join(root, decodeURIComponent(path)))}, file_row_number = true)`);
    for (const r of rows) {
      const pos = Number(r.file_row_number);
      if (oldDv.has(pos)) continue;
      if (newDv === undefined || newDv.has(pos)) ids.push(String(r.id));
    }
  }
  return ids;
}

async function dvRows(root: string, add: AddFile): Promise<number[]> {
  const { createDefaultEngine } = await import('@deltakit/core');
  const engine = createDefaultEngine({ workers: 0 });
  const rows = await loadDeletionVector(engine, root, add.deletionVector!);
  return [...rows.rows()];
}

describe('DELETE conditions (cases from Spark\'s DeleteSuiteBase)', () => {
  const nested = struct([field('key', primitive('long')), field('s', struct([field('a', primitive('integer')), field('b', primitive('string'))]))]);
  const rows = Array.from({ length: 40 }, (_, i) => ({ key: BigInt(i), s: i % 5 === 0 ? null : { a: i % 4 === 0 ? null : i, b: `b${i % 3}` } }));
  const duckColumns = 'key BIGINT, s STRUCT(a INTEGER, b VARCHAR)';

  it.each(['s.a > 20', "s.b = 'b1' AND key < 30", 's.a IS NULL', 's IS NULL OR key = 3', 'NOT (s.a < 10)', 'key IN (1, 2, 3, 39)'])('nested and null-aware condition: %s', async (condition) => {
    const table = await makeTable(rows, nested, { files: 2 });
    await table.delete(condition);
    expect(await readRows(table)).toEqual(await duckAfter(rows, duckColumns, `DELETE FROM {t} WHERE ${condition}`));
  });

  it('constant conditions: true deletes everything without reading, false and null delete nothing', async () => {
    const table = await makeTable(rows, nested, { files: 2 });
    expect((await table.delete('1 = 0')).numDeletedRows).toBe(0);
    expect((await table.delete('NULL')).numDeletedRows).toBe(0);
    const r = await table.delete('1 = 1');
    expect(r.numDeletedRows).toBe(rows.length);
    expect(r.numCopiedRows).toBe(0);
    expect(await readRows(table)).toEqual([]);
  });
});
