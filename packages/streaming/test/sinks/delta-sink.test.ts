import { cpSync, existsSync, readdirSync } from 'node:fs';
import { DeltaTable, createDefaultEngine, isDeltaError, parseDdlSchema, type ObjectStore } from '@deltakit/core';
import { rowsToBatch } from '@deltakit/core/internal';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataFrame, Session, memoryStream, read } from '../../src/index.js';
import { tempDir } from '../helpers.js';

async function tableRows(path: string): Promise<Record<string, unknown>[]> {
  const rows = await read.format('delta').load(path).collect();
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Delta sink (DeltaSinkSuite)', () => {
  it('complete output mode without an aggregation is refused at start, naming the output mode', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const err = await s.toDF().writeStream.format('delta').outputMode('complete').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`).catch((e: unknown) => e);
    expect(isDeltaError(err, 'UNSUPPORTED_OPERATION')).toBe(true);
    expect((err as Error).message).toMatch(/complete output mode/i);
    expect((err as { details?: Record<string, unknown> }).details).toMatchObject({ outputMode: 'complete' });
    expect(existsSync(`${dir}/chk`)).toBe(false);
    expect(existsSync(`${dir}/t`)).toBe(false);
  });

  it('update output mode is refused by the Delta sink, as Spark’s DeltaSink does', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const err = await s.toDF().writeStream.format('delta').outputMode('update').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`).catch((e: unknown) => e);
    expect(isDeltaError(err, 'UNSUPPORTED_OPERATION')).toBe(true);
    expect((err as Error).message).toMatch(/delta sink does not support update output mode/);
    expect(existsSync(`${dir}/t`)).toBe(false);
  });

  it('the table is created by the first batch’s commit, not at start', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT, name STRING');
    const q = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`);
    await q.processAllAvailable();
    expect(existsSync(`${dir}/t/_delta_log`)).toBe(false);
    s.addData({ id: 1, name: 'a' });
    await q.processAllAvailable();
    await q.stop();
    const snap = await DeltaTable.forPath(`${dir}/t`).snapshot();
    expect(snap.version).toBe(0);
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['id', 'name']);
    expect(await tableRows(`${dir}/t`)).toEqual([{ id: 1, name: 'a' }]);
  });

  it('partitionBy creates a partitioned table with Hive-style folders', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT, country STRING');
    const q = await s.toDF().writeStream.format('delta').partitionBy('country').option('checkpointLocation', `${dir}/chk`).start(`${dir}/t`);
    s.addData({ id: 1, country: 'fr' }, { id: 2, country: 'us' });
    await q.processAllAvailable();
    s.addData({ id: 3, country: 'fr' });
    await q.processAllAvailable();
    await q.stop();
    const snap = await DeltaTable.forPath(`${dir}/t`).snapshot();
    expect(snap.metadata.partitionColumns).toEqual(['country']);
    expect(readdirSync(`${dir}/t`).filter((n) => !n.startsWith('_')).sort()).toEqual(['country=fr', 'country=us']);
    expect(await tableRows(`${dir}/t`)).toEqual([
      { id: 1, country: 'fr' },
      { id: 2, country: 'us' },
      { id: 3, country: 'fr' },
    ]);
  });

  it('a stream that gains a column across restarts fails without mergeSchema and evolves the table with it', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const v1 = memoryStream('id INT');
    let q = await v1.toDF().writeStream.format('delta').option('checkpointLocation', chk).start(`${dir}/t`);
    v1.addData({ id: 1 });
    await q.processAllAvailable();
    await q.stop();
    // The restarted query reads a new memory stream; its offset 0 was already processed by batch 0.
    const v2 = memoryStream('id INT, extra STRING');
    v2.addData({ id: 0, extra: 'already processed' });
    const start = (merge: boolean) => {
      const w = v2.toDF().writeStream.format('delta').option('checkpointLocation', chk);
      return (merge ? w.option('mergeSchema', 'true') : w).start(`${dir}/t`);
    };
    q = await start(false);
    v2.addData({ id: 2, extra: 'x' });
    const err = await q.processAllAvailable().catch((e: unknown) => e);
    expect(isDeltaError(err, 'STREAMING_QUERY_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/extra/);
    q = await start(true);
    await q.processAllAvailable();
    await q.stop();
    expect((await DeltaTable.forPath(`${dir}/t`).snapshot()).schema.fields.map((f) => f.name)).toEqual(['id', 'extra']);
    expect(await tableRows(`${dir}/t`)).toEqual([
      { id: 1, extra: null },
      { id: 2, extra: 'x' },
    ]);
  });

  it('two runs of one query id (checkpoints copied from one) committing the same batch conflict on the txn: CONCURRENT_TRANSACTION', async () => {
    // Two StreamingQuery objects with one id cannot be active in one process (CONCURRENT_QUERY),
    // so run B's commit of batch 1 (what its Delta sink writes: txn(queryId, 1)) is made while
    // run A is writing batch 1's data files, after A read the table.
    const dir = tempDir();
    const t = `${dir}/t`;
    const s = memoryStream('id INT');
    const q0 = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk1`).start(t);
    s.addData({ id: 1 });
    await q0.processAllAvailable();
    await q0.stop();
    cpSync(`${dir}/chk1`, `${dir}/chk2`, { recursive: true });
    const base = createDefaultEngine({ workers: 0 });
    let raced = false;
    const bs = base.store;
    const store: ObjectStore = {
      list: (d, o) => bs.list(d, o),
      get: (p, o) => bs.get(p, o),
      getRange: (p, a, b, o) => bs.getRange(p, a, b, o),
      head: (p) => bs.head(p),
      putIfAbsent: (p, d) => bs.putIfAbsent(p, d),
      delete: (p) => bs.delete(p),
      isDirectory: (p) => bs.isDirectory(p),
      put: async (path, data) => {
        if (!raced && path.startsWith(`${t}/part-`)) {
          raced = true;
          await DeltaTable.forPath(t).write([rowsToBatch([{ id: 2 }], parseDdlSchema('id INT'))], { mode: 'append', appTransaction: { appId: q0.id, version: 1n } });
        }
        return bs.put(path, data);
      },
    };
    const session = new Session({ engine: { ...base, store } });
    const runA = await new DataFrame(s.toDF().plan, session).writeStream.format('delta').option('checkpointLocation', `${dir}/chk2`).start(t);
    expect(runA.id).toBe(q0.id);
    s.addData({ id: 2 });
    const err = await runA.processAllAvailable().catch((e: unknown) => e);
    await runA.stop();
    expect(raced).toBe(true);
    expect(isDeltaError(err, 'STREAMING_QUERY_FAILED')).toBe(true);
    expect((err as { details?: Record<string, unknown> }).details?.causeCode).toBe('CONCURRENT_TRANSACTION');
    // Restarting A skips batch 1 (the table has txn(id, 1)): every row once.
    const again = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/chk2`).start(t);
    await again.processAllAvailable();
    await again.stop();
    expect(await tableRows(t)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('console sink prints each batch as Spark’s: a Batch header framed by dashes, then show(numRows, truncate)', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((t: unknown) => void printed.push(String(t)));
    const s = memoryStream('id INT, name STRING');
    const q = await s.toDF().writeStream.format('console').option('numRows', 2).start();
    s.addData({ id: 1, name: 'a' }, { id: 2, name: 'a rather long name that is cut' }, { id: 3, name: null });
    await q.processAllAvailable();
    const q2 = await s.toDF().writeStream.format('console').option('truncate', 'false').start();
    await q2.processAllAvailable();
    await Promise.all([q.stop(), q2.stop()]);
    const dash = '-------------------------------------------';
    expect(printed[0]).toBe(
      [dash, 'Batch: 0', dash, '+---+--------------------+', '| id|                name|', '+---+--------------------+', '|  1|                   a|', '|  2|a rather long nam...|', '+---+--------------------+', 'only showing top 2 rows', ''].join('\n'),
    );
    expect(printed[1]).toBe(
      [dash, 'Batch: 0', dash, '+---+------------------------------+', '|id |name                          |', '+---+------------------------------+', '|1  |a                             |', '|2  |a rather long name that is cut|', '|3  |NULL                          |', '+---+------------------------------+', ''].join('\n'),
    );
  });
});
