import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { col, read, readStream } from '../../src/index.js';
import { readText, tempDir } from '../helpers.js';
import { jsonl, runAvailableNow, writeFile } from './file-helpers.js';

const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id));

describe('streaming file source (Spark FileStreamSource)', () => {
  it('requires a schema unless inference is asked for', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/a.json`, jsonl({ id: 1 }));
    const df = readStream.format('json').load(`${dir}/in`);
    await expect(df.writeStream.format('memory').queryName('fs_noschema').option('checkpointLocation', `${dir}/chk`).start()).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('Schema must be specified when creating a streaming source DataFrame'),
    });
    const inferred = readStream.format('json').option('inferSchema', 'true').load(`${dir}/in`);
    expect(await runAvailableNow(inferred, `${dir}/chk2`, 'fs_infer')).toEqual([{ id: 1n }]);
  });

  it('picks up new files in order, one log entry per batch with {"logOffset":N} offsets', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const df = readStream.format('json').schema('id INT, name STRING').load(`${dir}/in`);
    writeFile(`${dir}/in/b.json`, jsonl({ id: 1, name: 'a' }), 1_700_000_000);
    const q = await df.writeStream.format('memory').queryName('fs_order').option('checkpointLocation', chk).start();
    await q.processAllAvailable();
    writeFile(`${dir}/in/a.json`, jsonl({ id: 2, name: 'b' }, { id: 3, name: 'c' }), 1_700_000_100);
    await q.processAllAvailable();
    await q.stop();
    expect(byId(await read.table('fs_order').collect())).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ]);
    expect(readText(`${chk}/offsets/1`).split('\n')[2]).toBe('{"logOffset":1}');
    const log = readText(`${chk}/sources/0/1`).split('\n');
    expect(log[0]).toBe('v1');
    expect(JSON.parse(log[1]!)).toEqual({ path: `${dir}/in/a.json`, timestamp: 1_700_000_100_000, batchId: 1, size: readFileSync(`${dir}/in/a.json`).length });
  });

  it('maxFilesPerTrigger takes the oldest files first; latestFirst the newest', async () => {
    const dir = tempDir();
    for (let i = 0; i < 5; i++) writeFile(`${dir}/in/f${i}.json`, jsonl({ id: i }), 1_700_000_000 + i);
    const ids = async (latestFirst: boolean, name: string) => {
      const df = readStream.format('json').schema('id INT').option('maxFilesPerTrigger', 2).option('latestFirst', latestFirst).load(`${dir}/in`);
      const q = await df.writeStream.format('memory').queryName(name).option('checkpointLocation', `${dir}/chk-${name}`).trigger({ availableNow: true }).start();
      await q.awaitTermination();
      return { rows: (await read.table(name).collect()).map((r) => r.id), batches: q.recentProgress.length };
    };
    const oldest = await ids(false, 'fs_mft');
    expect(oldest.rows).toEqual([0, 1, 2, 3, 4]);
    expect(oldest.batches).toBe(3);
    const newest = await ids(true, 'fs_latest');
    expect(newest.rows).toEqual([4, 3, 2, 1, 0]);
  });

  it('maxFileAge ignores files older than the newest seen minus the age, after the first batch', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/old.json`, jsonl({ id: 1 }), 1_000);
    writeFile(`${dir}/in/new.json`, jsonl({ id: 2 }), 1_000_000);
    const df = readStream.format('json').schema('id INT').option('maxFileAge', '1 hour').load(`${dir}/in`);
    const q = await df.writeStream.format('memory').queryName('fs_age').option('checkpointLocation', `${dir}/chk`).start();
    await q.processAllAvailable();
    writeFile(`${dir}/in/late-old.json`, jsonl({ id: 3 }), 2_000);
    writeFile(`${dir}/in/late-new.json`, jsonl({ id: 4 }), 1_000_100);
    await q.processAllAvailable();
    await q.stop();
    expect(byId(await read.table('fs_age').collect()).map((r) => r.id)).toEqual([1, 2, 4]);
  });

  it('pathGlobFilter, hidden files, recursive folders and Hive partition columns', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/country=fr/day=1/a.json`, jsonl({ id: 1 }));
    writeFile(`${dir}/in/country=us/day=2/b.json`, jsonl({ id: 2 }));
    writeFile(`${dir}/in/country=us/day=2/b.txt`, jsonl({ id: 3 }));
    writeFile(`${dir}/in/_tmp/c.json`, jsonl({ id: 4 }));
    writeFile(`${dir}/in/.hidden.json`, jsonl({ id: 5 }));
    const df = readStream.format('json').schema('id INT').option('pathGlobFilter', '*.json').load(`${dir}/in`);
    const rows = byId(await runAvailableNow(df, `${dir}/chk`, 'fs_parts'));
    expect(rows).toEqual([
      { id: 1, country: 'fr', day: 1 },
      { id: 2, country: 'us', day: 2 },
    ]);
    const flat = readStream.format('json').schema('id INT').option('recursiveFileLookup', 'true').option('pathGlobFilter', '*.json').load(`${dir}/in`);
    expect(byId(await runAvailableNow(flat, `${dir}/chk2`, 'fs_recursive'))).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('_metadata gives file_path, file_name, file_size and file_modification_time, also after withColumn', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/x.json`, jsonl({ id: 1 }), 1_700_000_000);
    const df = readStream.format('json').schema('id INT').load(`${dir}/in`).withColumn('two', col('id')).withColumn('source_file', col('_metadata.file_path'));
    const m = readStream.format('json').schema('id INT').load(`${dir}/in`).select(col('id'), col('_metadata'));
    expect(await runAvailableNow(df, `${dir}/chk`, 'fs_meta1')).toEqual([{ id: 1, two: 1, source_file: `file:${dir}/in/x.json` }]);
    expect(await runAvailableNow(m, `${dir}/chk2`, 'fs_meta2')).toEqual([
      { id: 1, _metadata: { file_path: `file:${dir}/in/x.json`, file_name: 'x.json', file_size: BigInt(readFileSync(`${dir}/in/x.json`).length), file_modification_time: '2023-11-14T22:13:20.000000Z' } },
    ]);
  });

  it('parse modes: PERMISSIVE with the corrupt-record column, DROPMALFORMED, FAILFAST naming file and line', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/a.json`, '{"id": 1}\n{"id": oops\n{"id": "x"}\n{"id": 4}\n');
    const permissive = readStream.format('json').schema('id INT, _corrupt_record STRING').load(`${dir}/in`);
    expect(await runAvailableNow(permissive, `${dir}/c1`, 'fs_perm')).toEqual([
      { id: 1, _corrupt_record: null },
      { id: null, _corrupt_record: '{"id": oops' },
      { id: null, _corrupt_record: '{"id": "x"}' },
      { id: 4, _corrupt_record: null },
    ]);
    const custom = readStream.format('json').schema('id INT, bad STRING').option('columnNameOfCorruptRecord', 'bad').load(`${dir}/in`);
    expect((await runAvailableNow(custom, `${dir}/c1b`, 'fs_perm2')).map((r) => r.bad)).toEqual([null, '{"id": oops', '{"id": "x"}', null]);
    const drop = readStream.format('json').schema('id INT').option('mode', 'DROPMALFORMED').load(`${dir}/in`);
    expect(await runAvailableNow(drop, `${dir}/c2`, 'fs_drop')).toEqual([{ id: 1 }, { id: 4 }]);
    const fail = readStream.format('json').schema('id INT').option('mode', 'FAILFAST').load(`${dir}/in`);
    const err = await runAvailableNow(fail, `${dir}/c3`, 'fs_fail').catch((e: unknown) => e);
    expect(JSON.stringify((err as Error).message) + String((err as { cause?: Error }).cause?.message)).toContain(`${dir}/in/a.json line 2`);
    const cause = (err as { cause?: { code?: string } }).cause;
    expect(cause?.code ?? (err as { code: string }).code).toBe('MALFORMED_RECORD');
  });

  it('reads CSV (with and without header) and text', async () => {
    const dir = tempDir();
    writeFile(`${dir}/csv/a.csv`, 'id,name\n1,"x, y"\n2,\n');
    writeFile(`${dir}/plain/a.csv`, '1,a\n2,b\n');
    writeFile(`${dir}/txt/a.txt`, 'hello\r\nworld\n');
    expect(await runAvailableNow(readStream.format('csv').schema('id INT, name STRING').option('header', 'true').load(`${dir}/csv`), `${dir}/c1`, 'fs_csv1')).toEqual([
      { id: 1, name: 'x, y' },
      { id: 2, name: null },
    ]);
    expect(await runAvailableNow(readStream.format('csv').schema('n INT, s STRING').load(`${dir}/plain`), `${dir}/c2`, 'fs_csv2')).toEqual([
      { n: 1, s: 'a' },
      { n: 2, s: 'b' },
    ]);
    expect(await runAvailableNow(readStream.format('text').load(`${dir}/txt`), `${dir}/c3`, 'fs_text')).toEqual([{ value: 'hello' }, { value: 'world' }]);
  });

  it('cleanSource archive moves and delete removes the files of committed batches', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/a.json`, jsonl({ id: 1 }));
    writeFile(`${dir}/in/sub/b.json`, jsonl({ id: 2 }));
    const archived = readStream.format('json').schema('id INT').option('cleanSource', 'archive').option('sourceArchiveDir', `${dir}/archive`).option('maxFilesPerTrigger', 1).load(`${dir}/in`);
    const q = await archived.writeStream.format('memory').queryName('fs_archive').option('checkpointLocation', `${dir}/chk`).start();
    await q.processAllAvailable();
    writeFile(`${dir}/in/c.json`, jsonl({ id: 3 }));
    await q.processAllAvailable();
    await q.stop();
    expect((await read.table('fs_archive').collect()).map((r) => r.id)).toEqual([1, 2, 3]);
    // Files of the batches before the last are archived under the archive folder with their full path.
    expect(existsSync(`${dir}/archive${dir}/in/a.json`)).toBe(true);
    expect(existsSync(`${dir}/archive${dir}/in/sub/b.json`)).toBe(true);
    expect(existsSync(`${dir}/in/a.json`)).toBe(false);
    await expect(readStream.format('json').schema('id INT').option('cleanSource', 'archive').load(`${dir}/in`).writeStream.format('memory').queryName('fs_a2').start()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      readStream.format('json').schema('id INT').option('cleanSource', 'archive').option('sourceArchiveDir', `${dir}/in/arch`).load(`${dir}/in`).writeStream.format('memory').queryName('fs_a3').start(),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    writeFile(`${dir}/del/a.json`, jsonl({ id: 1 }));
    writeFile(`${dir}/del/b.json`, jsonl({ id: 2 }));
    const deleted = readStream.format('json').schema('id INT').option('cleanSource', 'delete').option('maxFilesPerTrigger', 1).load(`${dir}/del`);
    const q2 = await deleted.writeStream.format('memory').queryName('fs_delete').option('checkpointLocation', `${dir}/chk2`).start();
    await q2.processAllAvailable();
    writeFile(`${dir}/del/c.json`, jsonl({ id: 3 }));
    await q2.processAllAvailable();
    await q2.stop();
    expect(existsSync(`${dir}/del/a.json`)).toBe(false);
    expect(existsSync(`${dir}/del/b.json`)).toBe(false);
  });

  it('a restart replays an uncommitted batch with the same files and never re-reads committed ones', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const start = () => readStream.format('json').schema('id INT').load(`${dir}/in`).writeStream.format('delta').option('checkpointLocation', chk).start(`${dir}/t`);
    writeFile(`${dir}/in/a.json`, jsonl({ id: 1 }));
    let q = await start();
    await q.processAllAvailable();
    writeFile(`${dir}/in/b.json`, jsonl({ id: 2 }));
    await q.processAllAvailable();
    await q.stop();
    const { rmSync } = await import('node:fs');
    rmSync(`${chk}/commits/1`);
    writeFile(`${dir}/in/c.json`, jsonl({ id: 3 }));
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    expect(readText(`${chk}/sources/0/1`)).toContain('b.json');
    expect(readText(`${chk}/sources/0/1`)).not.toContain('c.json');
    expect(byId(await read.format('delta').load(`${dir}/t`).collect())).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });
});
