/**
 * VACUUM on our own tables after DELETE, UPDATE and MERGE with deletion vectors and the change
 * data feed: once everything removed is past the retention window, what remains outside
 * `_delta_log` is exactly the live data files and the deletion-vector files they use (named from
 * the raw log here), the rows read as before, and DuckDB still reads every live file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDefaultEngine, field, primitive, struct } from '@deltakit/core';
import { uuidDeletionVectorPath } from '@deltakit/core/internal';
import { tableFromArrays } from 'apache-arrow';
import { DeltaTable } from '../../src/index.js';
import { checkLiveFilesInDuckDb, cleanup, listFiles, makeTable, readRows } from '../helpers.js';

afterAll(cleanup);

/** Live data files and their `u` deletion-vector files, by replaying the JSON commits' text. */
function liveFromLog(root: string): string[] {
  const live = new Map<string, { path: string; dv?: { storageType: string; pathOrInlineDv: string } }>();
  const dir = join(root, '_delta_log');
  for (const f of readdirSync(dir).filter((x) => /^\d{20}\.json$/.test(x)).sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim() !== '')) {
      const a = JSON.parse(line) as { add?: { path: string; deletionVector?: { storageType: string; pathOrInlineDv: string; offset?: number } }; remove?: { path: string; deletionVector?: { storageType: string; pathOrInlineDv: string; offset?: number } } };
      const x = a.add ?? a.remove;
      if (!x) continue;
      const key = `${x.path}|${x.deletionVector ? `${x.deletionVector.pathOrInlineDv}@${x.deletionVector.offset}` : ''}`;
      if (a.add) live.set(key, { path: a.add.path, ...(a.add.deletionVector ? { dv: a.add.deletionVector } : {}) });
      else live.delete(key);
    }
  }
  const out = new Set<string>();
  for (const f of live.values()) {
    out.add(decodeURIComponent(f.path));
    if (f.dv?.storageType === 'u') out.add(uuidDeletionVectorPath('', f.dv.pathOrInlineDv).slice(1));
  }
  return [...out].sort();
}

describe('VACUUM after DML with deletion vectors and change data', () => {
  it('keeps exactly the live files and their deletion vectors', async () => {
    const schema = struct([field('id', primitive('long'), false), field('v', primitive('integer')), field('part', primitive('string'))]);
    const rows = Array.from({ length: 6000 }, (_, i) => ({ id: BigInt(i), v: i % 13, part: ['a', 'b', 'c'][i % 3]! }));
    const made = await makeTable(rows, schema, { files: 4, partitionBy: ['part'], properties: { 'delta.enableChangeDataFeed': 'true', 'delta.enableDeletionVectors': 'true' } });
    await made.delete('id % 7 = 0');
    await made.update({ set: { v: 'v * 10' }, condition: 'id < 100' });
    await made.delete('id % 7 = 1');
    const source = tableFromArrays({ id: BigInt64Array.from([5n, 6n, 9000n]), v: Int32Array.from([1, 2, 3]), part: ['c', 'a', 'b'] });
    await made.alias('t').merge(source, 't.id = s.id', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    await made.write({ rows: rows.slice(0, 60).filter((r) => r.part === 'a'), schema }, { mode: 'overwrite', replaceWhere: "part = 'a'" });
    const root = made.tableRoot;
    const expected = await readRows(made);
    const engine = { ...createDefaultEngine({ workers: 1 }), clock: { nowMs: () => Date.now() + 30 * 86_400_000 } };
    const table = DeltaTable.forPath(root, { engine });
    try {
      const before = listFiles(root).filter((p) => !p.startsWith('_delta_log'));
      expect(before.some((p) => p.startsWith('_change_data/'))).toBe(true);
      expect(before.some((p) => p.startsWith('deletion_vector_'))).toBe(true);
      // Read before VACUUM: its own commits may checkpoint and clean up the (by then expired) log.
      const live = liveFromLog(root);
      const r = await table.vacuum();
      expect(r.numDeletedFiles).toBeGreaterThan(5);
      expect(listFiles(root).filter((p) => !p.startsWith('_delta_log'))).toEqual(live);
      expect(await readRows(table)).toEqual(expected);
      await checkLiveFilesInDuckDb(table);
    } finally {
      await table.close();
    }
  });
});
