/**
 * Filters and projections over a Delta scan reach core's Scan: files whose statistics or
 * partition values cannot match are not read (counted by a store that records the parquet files
 * it serves), and only the named columns are read.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultEngine, DeltaTable, LocalFileSystemStore, parseDdlSchema, type ObjectStore } from '@deltakit/core';
import { parseStatement } from '@deltakit/merge';
import { col, Session, sessionReaders, sql } from '../../src/index.js';
import { pushDown } from '../../src/plan/pushdown.js';
import { planQuery } from '../../src/sql/plan-select.js';
import { tempDir } from '../helpers.js';

/** A local store that records which parquet files were read. */
function countingStore(): { store: ObjectStore; files: Set<string>; reset(): void } {
  const inner = new LocalFileSystemStore();
  const files = new Set<string>();
  const note = (path: string) => {
    if (path.endsWith('.parquet')) files.add(path.split('/').pop()!);
  };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'get' || prop === 'getRange' || prop === 'head') {
        return (path: string, ...rest: unknown[]) => {
          note(path);
          return (value as (...a: unknown[]) => unknown).call(target, path, ...rest);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as ObjectStore;
  return { store, files, reset: () => files.clear() };
}

async function fourFileTable(dir: string, partitioned: boolean): Promise<void> {
  const schema = parseDdlSchema('id BIGINT, part STRING, payload STRING');
  const table = DeltaTable.forPath(dir);
  for (let f = 0; f < 4; f++) {
    const rows = Array.from({ length: 25 }, (_, i) => ({ id: BigInt(f * 100 + i), part: `p${f}`, payload: 'x'.repeat(20) }));
    await table.write({ rows, schema }, { mode: 'append', ...(partitioned ? { partitionBy: ['part'] } : {}) });
  }
  await table.close();
}

describe('pushdown into Delta scans', () => {
  it('skips files by statistics for a WHERE over a Delta table', async () => {
    const dir = join(tempDir(), 't');
    await fourFileTable(dir, false);
    const counting = countingStore();
    const session = new Session({ engine: createDefaultEngine({ store: counting.store, workers: 0 }) });
    const rows = await sql(`SELECT id, payload FROM delta.\`${dir}\` WHERE id >= 210 AND id < 215`, { session }).collect();
    expect(rows.map((r) => r['id'])).toEqual([210n, 211n, 212n, 213n, 214n]);
    expect(counting.files.size).toBe(1);

    counting.reset();
    expect(await sql(`SELECT count(*) AS n FROM delta.\`${dir}\` WHERE id > 150`, { session }).collect()).toEqual([{ n: 50n }]);
    expect(counting.files.size).toBe(2);

    // Without a filter every file is read.
    counting.reset();
    expect(await sql(`SELECT count(*) AS n FROM delta.\`${dir}\``, { session }).collect()).toEqual([{ n: 100n }]);
    expect(counting.files.size).toBe(4);

    // A filter on one side of a join reaches that side's scan.
    counting.reset();
    const joined = await sql(`SELECT a.id, b.part FROM delta.\`${dir}\` a JOIN delta.\`${dir}\` b ON a.id = b.id WHERE a.id = 5 AND b.id < 100`, { session }).collect();
    expect(joined).toEqual([{ id: 5n, part: 'p0' }]);
    expect(counting.files.size).toBe(1);
  });

  it('prunes partitions, and reaches the scan from the DataFrame API too', async () => {
    const dir = join(tempDir(), 't');
    await fourFileTable(dir, true);
    const counting = countingStore();
    const session = new Session({ engine: createDefaultEngine({ store: counting.store, workers: 0 }) });
    const rows = await sql(`SELECT part, count(*) AS n FROM delta.\`${dir}\` WHERE part IN ('p1', 'p3') GROUP BY part ORDER BY part`, { session }).collect();
    expect(rows).toEqual([{ part: 'p1', n: 25n }, { part: 'p3', n: 25n }]);
    expect(counting.files.size).toBe(2);

    counting.reset();
    const df = sessionReaders(session).read.format('delta').load(dir).filter(col('part').eq('p2')).select('id');
    expect(await df.count()).toBe(25);
    expect(counting.files.size).toBe(1);
  });

  it('reads only the columns the query names', async () => {
    const dir = join(tempDir(), 't');
    await fourFileTable(dir, false);
    const df = sql(`SELECT id FROM delta.\`${dir}\` WHERE payload <> ''`);
    const inner = await df.analyze();
    expect(inner.kind).toBe('scan');
    // The plan of the query itself: project → filter → scan with the columns narrowed.
    const relation = inner.kind === 'scan' ? inner.relation : undefined;
    expect(relation?.kind).toBe('sql');
    const statement = parseStatement(`SELECT id FROM delta.\`${dir}\` WHERE payload <> ''`);
    if (statement.kind !== 'select') throw new Error('select');
    const planned = await planQuery(statement.query, { session: df.session, source: '' });
    let node = pushDown(await planned.df.analyze());
    while (node.kind !== 'scan') node = (node as { child: typeof node }).child;
    expect(node.schema.fields.map((f) => f.name)).toEqual(['id', 'payload']);
    expect(await df.count()).toBe(100);
  });
});
