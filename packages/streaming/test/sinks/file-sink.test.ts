import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { isDeltaError } from '@deltakit/core';
import { describe, expect, it } from 'vitest';
import { memoryStream, read, type MemoryStream } from '../../src/index.js';
import { logIds, readText, tempDir } from '../helpers.js';

type Fmt = 'parquet' | 'json' | 'csv';

function start(s: MemoryStream, fmt: Fmt, out: string, chk: string, partitionBy: string[] = []) {
  return s.toDF().writeStream.format(fmt).option('checkpointLocation', chk).partitionBy(...partitionBy).start(out);
}

/** Data files under `dir` (recursively), relative, skipping `_spark_metadata`. */
function dataFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => /part-/.test(p) && !p.startsWith('_')).sort();
}

function manifest(out: string, batchId: number | string): { version: string; entries: Record<string, unknown>[] } {
  const [version, ...lines] = readText(join(out, '_spark_metadata', String(batchId))).split('\n');
  return { version: version!, entries: lines.filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function readSorted(fmt: Fmt, out: string, schema?: string) {
  const r = schema === undefined ? read.format(fmt) : read.format(fmt).schema(schema);
  const rows = await r.load(out).collect();
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

describe('file sinks (FileStreamSink)', () => {
  for (const fmt of ['parquet', 'json', 'csv'] as const) {
    it(`${fmt}: each batch writes new files and records them in _spark_metadata/<batchId>`, async () => {
      const dir = tempDir();
      const out = `${dir}/out`;
      const s = memoryStream('id INT, name STRING');
      const q = await start(s, fmt, out, `${dir}/chk`);
      s.addData({ id: 1, name: 'a' }, { id: 2, name: 'b, "quoted"' });
      await q.processAllAvailable();
      s.addData({ id: 3, name: null });
      await q.processAllAvailable();
      await q.stop();
      expect(logIds(`${dir}/chk`, 'commits')).toEqual([0, 1]);
      const m0 = manifest(out, 0);
      expect(m0.version).toBe('v1');
      expect(m0.entries).toHaveLength(1);
      const e = m0.entries[0]!;
      expect(Object.keys(e)).toEqual(['path', 'size', 'isDir', 'modificationTime', 'blockReplication', 'blockSize', 'action']);
      expect(e).toMatchObject({ isDir: false, action: 'add', blockReplication: 1 });
      expect(String(e.path)).toMatch(new RegExp(`^file:${out}/part-00000-[0-9a-f-]{36}\\.c000${fmt === 'parquet' ? '\\.snappy\\.parquet' : `\\.${fmt}`}$`));
      expect(e.size).toBeGreaterThan(0);
      expect(dataFiles(out)).toHaveLength(2);
      const schema = fmt === 'parquet' ? undefined : 'id INT, name STRING';
      expect(await readSorted(fmt, out, schema)).toEqual([
        { id: 1, name: 'a' },
        { id: 2, name: 'b, "quoted"' },
        { id: 3, name: null },
      ]);
    });
  }

  it('readers of the folder see only files in the log: a stray file (a crashed batch) is invisible', async () => {
    const dir = tempDir();
    const out = `${dir}/out`;
    const s = memoryStream('id INT');
    const q = await start(s, 'json', out, `${dir}/chk`);
    s.addData({ id: 1 });
    await q.processAllAvailable();
    await q.stop();
    writeFileSync(`${out}/part-00000-stray.c000.json`, '{"id":99}\n');
    expect(await readSorted('json', out, 'id INT')).toEqual([{ id: 1 }]);
    // Without _spark_metadata every file is data.
    rmSync(`${out}/_spark_metadata`, { recursive: true });
    expect((await readSorted('json', out, 'id INT')).map((r) => r.id)).toEqual([1, 99]);
  });

  it('restart after a batch wrote files but no log record: the re-run writes once and readers see each row once', async () => {
    const dir = tempDir();
    const out = `${dir}/out`;
    const chk = `${dir}/chk`;
    const s = memoryStream('id INT');
    let q = await start(s, 'parquet', out, chk);
    s.addData({ id: 1 });
    await q.processAllAvailable();
    s.addData({ id: 2 });
    await q.processAllAvailable();
    await q.stop();
    // Crash after batch 1 wrote its files, before its log record and commit.
    rmSync(`${out}/_spark_metadata/1`);
    rmSync(`${chk}/commits/1`);
    expect(dataFiles(out)).toHaveLength(2);
    q = await start(s, 'parquet', out, chk);
    await q.processAllAvailable();
    await q.stop();
    expect(dataFiles(out)).toHaveLength(3); // the orphan stays, unlisted
    expect(manifest(out, 1).entries).toHaveLength(1);
    expect(await readSorted('parquet', out)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('a batch already in the log is skipped when the engine re-runs it (crash between the log and commits/N)', async () => {
    const dir = tempDir();
    const out = `${dir}/out`;
    const chk = `${dir}/chk`;
    const s = memoryStream('id INT');
    let q = await start(s, 'csv', out, chk);
    s.addData({ id: 1 });
    await q.processAllAvailable();
    s.addData({ id: 2 });
    await q.processAllAvailable();
    await q.stop();
    rmSync(`${chk}/commits/1`);
    s.addData({ id: 3 });
    q = await start(s, 'csv', out, chk);
    await q.processAllAvailable();
    await q.stop();
    expect(logIds(chk, 'commits')).toEqual([0, 1, 2]);
    expect(dataFiles(out)).toHaveLength(3);
    expect(await readSorted('csv', out, 'id INT')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('partitionBy writes Hive-style folders without the partition columns; reading the folder gives them back', async () => {
    const dir = tempDir();
    const out = `${dir}/out`;
    const s = memoryStream('id INT, country STRING, day DATE');
    const q = await start(s, 'json', out, `${dir}/chk`, ['country', 'day']);
    s.addData({ id: 1, country: 'fr', day: '2024-01-01' }, { id: 2, country: 'us', day: '2024-01-02' }, { id: 3, country: null, day: '2024-01-01' });
    await q.processAllAvailable();
    await q.stop();
    expect(dataFiles(out).map((f) => f.slice(0, f.lastIndexOf('/')))).toEqual(['country=__HIVE_DEFAULT_PARTITION__/day=2024-01-01', 'country=fr/day=2024-01-01', 'country=us/day=2024-01-02']);
    const fr = dataFiles(out).find((f) => f.startsWith('country=fr'))!;
    expect(readText(join(out, fr))).toBe('{"id":1}\n');
    expect(manifest(out, 0).entries).toHaveLength(3);
    expect(await readSorted('json', out)).toEqual([
      { id: 1n, country: 'fr', day: '2024-01-01' },
      { id: 2n, country: 'us', day: '2024-01-02' },
      { id: 3n, country: null, day: '2024-01-01' },
    ]);
  });

  it('refuses partitioning by a missing column, and by every column', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const q1 = await start(s, 'parquet', `${dir}/o1`, `${dir}/c1`, ['nope']);
    s.addData({ id: 1 });
    await expect(q1.awaitTermination()).rejects.toThrow(/Partition column 'nope'/);
    const q2 = await start(s, 'parquet', `${dir}/o2`, `${dir}/c2`, ['id']);
    await expect(q2.awaitTermination()).rejects.toThrow(/all columns/);
  });

  it('append only: update and complete output modes are refused at start naming the mode', async () => {
    const dir = tempDir();
    const s = memoryStream('id INT');
    const err = await s.toDF().writeStream.format('json').outputMode('update').option('checkpointLocation', `${dir}/c`).start(`${dir}/o`).catch((e: unknown) => e);
    expect(isDeltaError(err, 'UNSUPPORTED_OPERATION')).toBe(true);
    expect(String((err as Error).message)).toMatch(/update output mode/);
    const err2 = await s.toDF().writeStream.format('parquet').outputMode('complete').option('checkpointLocation', `${dir}/c`).start(`${dir}/o`).catch((e: unknown) => e);
    expect(isDeltaError(err2, 'UNSUPPORTED_OPERATION')).toBe(true);
    expect(existsSync(`${dir}/c`)).toBe(false);
  });

  it('compacts the log every 10 batches into <id>.compact, and readers still see every file once', async () => {
    const dir = tempDir();
    const out = `${dir}/out`;
    const s = memoryStream('id INT');
    const q = await start(s, 'json', out, `${dir}/chk`);
    for (let i = 0; i < 12; i++) {
      s.addData({ id: i });
      await q.processAllAvailable();
    }
    await q.stop();
    const names = readdirSync(`${out}/_spark_metadata`).sort((a, b) => parseInt(a) - parseInt(b));
    expect(names).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9.compact', '10', '11']);
    expect(manifest(out, '9.compact').entries).toHaveLength(10);
    expect((await readSorted('json', out, 'id INT')).map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('DuckDB reading the files the manifest lists gives the same rows as our read', async () => {
    const dir = tempDir();
    const out = `${dir}/out`;
    const s = memoryStream('id BIGINT, name STRING, amount DOUBLE, part STRING');
    const q = await start(s, 'parquet', out, `${dir}/chk`, ['part']);
    s.addData({ id: 1n, name: 'a', amount: 1.5, part: 'x' }, { id: 2n, name: 'b', amount: 2.5, part: 'y' });
    await q.processAllAvailable();
    s.addData({ id: 3n, name: 'c', amount: null, part: 'x' });
    await q.processAllAvailable();
    await q.stop();
    writeFileSync(`${out}/part=x/part-00009-stray.c000.snappy.parquet`, 'not parquet');
    const listed = [0, 1].flatMap((b) => manifest(out, b).entries.map((e) => String(e.path).slice('file:'.length)));
    expect(listed.every((p) => relative(out, p).startsWith('part='))).toBe(true);
    const db = await DuckDBInstance.create();
    const conn = await db.connect();
    const sql = `SELECT id, name, amount, part FROM read_parquet([${listed.map((p) => `'${p}'`).join(',')}], hive_partitioning = true) ORDER BY id`;
    const duck = (await conn.runAndReadAll(sql)).getRowObjectsJS();
    conn.closeSync();
    const ours = await readSorted('parquet', out);
    expect(ours).toEqual(duck.map((r) => ({ ...r, id: BigInt(r.id as bigint) })));
    expect(ours).toHaveLength(3);
  });
});
