import { cpSync, rmSync } from 'node:fs';
import { DeltaTable, isDeltaError, parseDdlSchema } from '@deltakit/core';
import { deleteFrom, updateTable } from '@deltakit/merge';
import { describe, expect, it } from 'vitest';
import { read } from '../../src/index.js';
import { SHARED, tempDir } from '../helpers.js';
import { append, deltaStream, runBatches, sortById, tableOf } from './delta-helpers.js';

/** The typed cause of a failed run. */
async function causeOf(p: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    expect(isDeltaError(e, 'STREAMING_QUERY_FAILED')).toBe(true);
    const cause = (e as { cause: { code: string; message: string; details: Record<string, unknown> } }).cause;
    return cause;
  }
  throw new Error('expected the query to fail');
}

describe('Delta streaming source: deletes and updates in the source', () => {
  async function setup(): Promise<{ dir: string; src: string }> {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1, 2], [3], [4]]);
    return { dir, src };
  }

  it('a DELETE of whole files fails the query naming the version and ignoreDeletes; with ignoreDeletes it is skipped', async () => {
    const { dir, src } = await setup();
    expect((await runBatches(deltaStream(src), `${dir}/c1`)).ids()).toEqual([1, 2, 3, 4]);
    const res = await deleteFrom(DeltaTable.forPath(src), { condition: 'id = 3' });
    expect(res.numAddedFiles).toBe(0);
    await append(src, [5]);
    const cause = await causeOf(runBatches(deltaStream(src), `${dir}/c1`));
    expect(cause.code).toBe('SOURCE_CHANGED');
    expect(cause.message).toContain(`at version ${res.version}`);
    expect(cause.message).toContain("'ignoreDeletes'");
    expect(cause.details).toMatchObject({ version: res.version, option: 'ignoreDeletes' });
    // The same checkpoint with ignoreDeletes continues past it.
    expect((await runBatches(deltaStream(src, { ignoreDeletes: 'true' }), `${dir}/c1`)).ids()).toEqual([5]);
  });

  it('an UPDATE (files rewritten) fails unless skipChangeCommits (skipped) or ignoreChanges (rewritten files read again)', async () => {
    const { dir, src } = await setup();
    await runBatches(deltaStream(src), `${dir}/a`);
    await runBatches(deltaStream(src), `${dir}/b`);
    await runBatches(deltaStream(src), `${dir}/c`);
    const res = await updateTable(DeltaTable.forPath(src), { set: { v: "'changed'" }, condition: 'id = 1' });
    expect(res.numAddedFiles).toBeGreaterThan(0);
    await append(src, [5]);
    const cause = await causeOf(runBatches(deltaStream(src), `${dir}/a`));
    expect(cause.code).toBe('SOURCE_CHANGED');
    expect(cause.message).toContain(`in the source table at version ${res.version}`);
    expect(cause.message).toContain("'skipChangeCommits'");
    expect(cause.message).toContain('UPDATE');
    // ignoreDeletes does not allow updates.
    expect((await causeOf(runBatches(deltaStream(src, { ignoreDeletes: 'true' }), `${dir}/a`))).code).toBe('SOURCE_CHANGED');
    expect((await runBatches(deltaStream(src, { skipChangeCommits: 'true' }), `${dir}/b`)).ids()).toEqual([5]);
    // ignoreChanges re-emits the rewritten file: the updated row and its unchanged neighbour (duplicates, as Delta).
    const changed = await runBatches(deltaStream(src, { ignoreChanges: 'true' }), `${dir}/c`);
    expect([...changed.batches.values()].flat().map((r) => [r.id, r.v])).toEqual([
      [1, 'changed'],
      [2, 'r2'],
      [5, 'r5'],
    ]);
  });
});

describe('Delta streaming source: schema changes and table identity', () => {
  it('a column added while the query runs fails it with SCHEMA_CHANGED (retryable); a restart continues with the new schema', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1], [2]]);
    const q = await deltaStream(src)
      .writeStream.option('checkpointLocation', `${dir}/chk`)
      .foreachBatch(async () => {})
      .start();
    await q.processAllAvailable();
    const wide = parseDdlSchema('id INT, v STRING, extra STRING');
    const res = await DeltaTable.forPath(src).write({ rows: [{ id: 3, v: 'r3', extra: 'x' }], schema: wide }, { mode: 'append', mergeSchema: true });
    const cause = await causeOf(q.processAllAvailable());
    expect(cause.code).toBe('SCHEMA_CHANGED');
    expect(cause.details).toMatchObject({ version: res.version, retryable: true });
    expect(cause.message).toContain('extra STRING');
    expect(cause.message).toContain('Restart the query');
    // The restart resolves the schema from the table again and reads the new version with it.
    const run = await runBatches(deltaStream(src), `${dir}/chk`);
    expect([...run.batches.values()].flat()).toEqual([{ id: 3, v: 'r3', extra: 'x' }]);
  });

  it('a type change is not retryable; a dropped column on a table without column mapping is a data change, as in Delta', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1]]);
    const q = await deltaStream(src)
      .writeStream.option('checkpointLocation', `${dir}/chk`)
      .foreachBatch(async () => {})
      .start();
    await q.processAllAvailable();
    await DeltaTable.forPath(src).write({ rows: [{ id: '2', v: 'x' }], schema: parseDdlSchema('id STRING, v STRING') }, { mode: 'overwrite', overwriteSchema: true });
    const cause = await causeOf(q.processAllAvailable());
    expect(cause.code).toBe('SCHEMA_CHANGED');
    expect(cause.details).toMatchObject({ retryable: false });
    expect(cause.message).toContain('new checkpointLocation');
    // Delta reads a narrower schema as compatible (columns only the read schema has come back null),
    // so dropping a column with an overwrite fails on its removed files instead.
    const src2 = `${dir}/src2`;
    await tableOf(src2, [[1]]);
    const q2 = await deltaStream(src2)
      .writeStream.option('checkpointLocation', `${dir}/chk2`)
      .foreachBatch(async () => {})
      .start();
    await q2.processAllAvailable();
    await DeltaTable.forPath(src2).write({ rows: [{ id: 2 }], schema: parseDdlSchema('id INT') }, { mode: 'overwrite', overwriteSchema: true });
    expect((await causeOf(q2.processAllAvailable())).code).toBe('SOURCE_CHANGED');
  });

  it('a stream restarted before the change reads older files with the newer schema (backfilling is compatible)', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1]]);
    const wide = parseDdlSchema('id INT, v STRING, extra STRING');
    await DeltaTable.forPath(src).write({ rows: [{ id: 2, v: 'r2', extra: 'x' }], schema: wide }, { mode: 'append', mergeSchema: true });
    const run = await runBatches(deltaStream(src, { startingVersion: '0' }), `${dir}/chk`);
    expect([...run.batches.values()].flat()).toEqual([
      { id: 1, v: 'r1', extra: null },
      { id: 2, v: 'r2', extra: 'x' },
    ]);
  });

  it('a checkpoint of another table (deleted and re-created at the path) is refused with CHECKPOINT_INCOMPATIBLE', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1]]);
    await runBatches(deltaStream(src), `${dir}/chk`);
    rmSync(src, { recursive: true });
    await tableOf(src, [[2]]);
    const cause = await causeOf(runBatches(deltaStream(src), `${dir}/chk`));
    expect(cause.code).toBe('CHECKPOINT_INCOMPATIBLE');
    expect(cause.message).toContain('unexpected Delta table');
  });
});

describe('Delta streaming source: end to end', () => {
  it('Delta to Delta: the sink holds exactly the source rows, across runs and rate-limited batches', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    await tableOf(src, [[1, 2, 3], [4], [5, 6]]);
    const run = async () => {
      const q = await deltaStream(src, { maxFilesPerTrigger: '1' }).writeStream.format('delta').option('checkpointLocation', `${dir}/chk`).trigger({ availableNow: true }).start(`${dir}/sink`);
      await q.awaitTermination();
    };
    await run();
    await append(src, [7, 8]);
    await DeltaTable.forPath(src).optimize();
    await run();
    const rows = sortById(await read.format('delta').load(`${dir}/sink`).collect());
    expect(rows).toEqual(sortById(await read.format('delta').load(src).collect()));
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await DeltaTable.forPath(`${dir}/sink`).history()).length).toBe(4);
  });

  it('a Spark-written table (deletion vectors, column mapping) streams to its expected rows', async () => {
    const dir = tempDir();
    const src = `${dir}/dv`;
    cpSync(`${SHARED}/fixtures/golden/dv-with-columnmapping/delta`, src, { recursive: true });
    const canonical = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
    const expected = canonical(await read.format('parquet').load(`${SHARED}/fixtures/golden/dv-with-columnmapping/expected`).collect());
    const run = await runBatches(deltaStream(src, { maxFilesPerTrigger: '3' }), `${dir}/chk`);
    expect(run.batches.size).toBeGreaterThan(1);
    const got = canonical([...run.batches.values()].flat());
    expect(got.length).toBe(expected.length);
    expect(got).toEqual(expected);
  });

  it('stream-static join: a Delta static side is read again for each batch', async () => {
    const dir = tempDir();
    const src = `${dir}/src`;
    const dim = `${dir}/dim`;
    await tableOf(src, [[1, 2]]);
    const dimSchema = parseDdlSchema('id INT, label STRING');
    await DeltaTable.forPath(dim).write({ rows: [{ id: 1, label: 'one' }], schema: dimSchema }, { mode: 'append' });
    const seen: Record<string, unknown>[][] = [];
    const q = await deltaStream(src)
      .join(read.format('delta').load(dim), ['id'], 'left')
      .writeStream.option('checkpointLocation', `${dir}/chk`)
      .foreachBatch(async (df) => {
        seen.push(sortById(await df.collect()));
      })
      .start();
    await q.processAllAvailable();
    await DeltaTable.forPath(dim).write({ rows: [{ id: 3, label: 'three' }], schema: dimSchema }, { mode: 'append' });
    await append(src, [3]);
    await q.processAllAvailable();
    await q.stop();
    expect(seen).toEqual([
      [
        { id: 1, v: 'r1', label: 'one' },
        { id: 2, v: 'r2', label: null },
      ],
      [{ id: 3, v: 'r3', label: 'three' }],
    ]);
  });
});
