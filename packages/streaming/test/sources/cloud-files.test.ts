import { existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { col, currentTimestamp, read, readStream } from '../../src/index.js';
import { SeenFiles } from '../../src/sources/cloud-files/seen-files.js';
import { readText, tempDir } from '../helpers.js';
import { jsonl, runAvailableNow, writeFile } from './file-helpers.js';

const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id));
const autoLoader = (dir: string, extra: Record<string, string> = {}) => readStream.format('cloudFiles').option('cloudFiles.format', 'json').option('cloudFiles.schemaLocation', `${dir}/chk/_schemas_root`).options(extra);

describe('Auto Loader (cloudFiles)', () => {
  it('infers every JSON leaf as a string by default, typed with inferColumnTypes, and records the schema as version 0', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/a.json`, jsonl({ id: 1, price: 2.5, ok: true, tags: ['a'], addr: { city: 'x' } }));
    const strings = autoLoader(dir).load(`${dir}/in`);
    expect(await runAvailableNow(strings, `${dir}/chk`, 'cf_strings')).toEqual([{ id: '1', price: '2.5', ok: 'true', tags: ['a'], addr: { city: 'x' }, _rescued_data: null }]);
    const stored = readText(`${dir}/chk/_schemas_root/_schemas/0`).split('\n');
    expect(stored[0]).toBe('v1');
    const json = JSON.parse(stored[1]!) as { dataSchemaJson: string; partitionSchemaJson: string };
    expect(JSON.parse(json.dataSchemaJson).fields.map((f: { name: string; type: unknown }) => [f.name, f.type])).toEqual([
      ['id', 'string'],
      ['price', 'string'],
      ['ok', 'string'],
      ['tags', { type: 'array', elementType: 'string', containsNull: true }],
      ['addr', { type: 'struct', fields: [{ name: 'city', type: 'string', nullable: true, metadata: {} }] }],
    ]);
    const typed = readStream.format('cloudFiles').option('cloudFiles.format', 'json').option('cloudFiles.schemaLocation', `${dir}/chk2`).option('cloudFiles.inferColumnTypes', 'true').load(`${dir}/in`);
    expect(await runAvailableNow(typed, `${dir}/chk2`, 'cf_typed')).toEqual([{ id: 1n, price: 2.5, ok: true, tags: ['a'], addr: { city: 'x' }, _rescued_data: null }]);
  });

  it('schemaHints set types and add columns; the issue example runs as written into Delta', async () => {
    const dir = tempDir();
    writeFile(`${dir}/landing/orders/1.json`, jsonl({ order_id: 'o1', order_time: '2024-01-02T03:04:05Z', amount: '12.50' }, { order_id: 'o2', order_time: '2024-01-02T03:04:06Z', amount: 7 }));
    const orders = readStream
      .format('cloudFiles')
      .option('cloudFiles.format', 'json')
      .option('cloudFiles.schemaLocation', `${dir}/chk/bronze/_schemas`)
      .option('cloudFiles.schemaHints', 'order_time TIMESTAMP, amount DECIMAL(10,2), channel STRING')
      .load(`${dir}/landing/orders`);
    const query = await orders
      .withColumn('ingested_at', currentTimestamp())
      .withColumn('source_file', col('_metadata.file_path'))
      .writeStream.format('delta')
      .option('checkpointLocation', `${dir}/chk/bronze`)
      .option('mergeSchema', 'true')
      .trigger({ processingTime: '2 seconds' })
      .start(`${dir}/tables/bronze_orders`);
    await query.processAllAvailable();
    await query.stop();
    const rows = await read.format('delta').load(`${dir}/tables/bronze_orders`).collect();
    rows.sort((a, b) => String(a.order_id).localeCompare(String(b.order_id)));
    expect(rows.map(({ ingested_at: _i, ...r }) => r)).toEqual([
      { order_id: 'o1', order_time: '2024-01-02T03:04:05.000000Z', amount: '12.50', channel: null, _rescued_data: null, source_file: `file:${dir}/landing/orders/1.json` },
      { order_id: 'o2', order_time: '2024-01-02T03:04:06.000000Z', amount: '7.00', channel: null, _rescued_data: null, source_file: `file:${dir}/landing/orders/1.json` },
    ]);
    expect(typeof rows[0]!.ingested_at).toBe('string');
  });

  it('addNewColumns: the stream fails naming the new columns after recording them; a restart continues with them', async () => {
    const dir = tempDir();
    const chk = `${dir}/chk`;
    const start = () =>
      readStream.format('cloudFiles').option('cloudFiles.format', 'json').option('cloudFiles.schemaLocation', chk).load(`${dir}/in`)
        .writeStream.format('delta').option('checkpointLocation', chk).option('mergeSchema', 'true').start(`${dir}/t`);
    writeFile(`${dir}/in/1.json`, jsonl({ id: '1', name: 'a' }));
    let q = await start();
    await q.processAllAvailable();
    writeFile(`${dir}/in/2.json`, jsonl({ id: '2', name: 'b', color: 'red', size: 3 }));
    await expect(q.awaitTermination()).rejects.toMatchObject({ message: expect.stringMatching(/color, size/) });
    const failure = q.exception() as { code?: string; cause?: { code?: string; details?: unknown } };
    expect(failure.cause?.code ?? failure.code).toBe('SCHEMA_CHANGED');
    expect(existsSync(`${chk}/_schemas/1`)).toBe(true);
    expect(JSON.parse(JSON.parse(readText(`${chk}/_schemas/1`).split('\n')[1]!).dataSchemaJson).fields.map((f: { name: string }) => f.name)).toEqual(['id', 'name', 'color', 'size']);
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    expect(q.exception()).toBeNull();
    expect(byId(await read.format('delta').load(`${dir}/t`).collect())).toEqual([
      { id: '1', name: 'a', _rescued_data: null, color: null, size: null },
      { id: '2', name: 'b', _rescued_data: null, color: 'red', size: '3' },
    ]);
  });

  it('rescue mode puts new columns, type mismatches and case mismatches in _rescued_data with the file path', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/1.json`, jsonl({ id: 1, name: 'a' }));
    const df = readStream.format('cloudFiles').option('cloudFiles.format', 'json').option('cloudFiles.schemaLocation', `${dir}/chk`).option('cloudFiles.inferColumnTypes', 'true').option('cloudFiles.schemaEvolutionMode', 'rescue').load(`${dir}/in`);
    const q = await df.writeStream.format('memory').queryName('cf_rescue').option('checkpointLocation', `${dir}/chk`).start();
    await q.processAllAvailable();
    writeFile(`${dir}/in/2.json`, jsonl({ id: 2, name: 'b', extra: { x: 1 } }, { id: 'three', name: 'c' }, { id: 4, NAME: 'd' }));
    await q.processAllAvailable();
    await q.stop();
    expect(q.exception()).toBeNull();
    const rows = await read.table('cf_rescue').collect();
    const file = `file:${dir}/in/2.json`;
    expect(rows.map((r) => [r.id, r.name, r._rescued_data === null ? null : JSON.parse(r._rescued_data as string)])).toEqual([
      [1n, 'a', null],
      [2n, 'b', { extra: { x: 1 }, _file_path: file }],
      [null, 'c', { id: 'three', _file_path: file }],
      [4n, null, { NAME: 'd', _file_path: file }],
    ]);
    expect(existsSync(`${dir}/chk/_schemas/1`)).toBe(false);
  });

  it('failOnNewColumns fails without evolving; none ignores new columns', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/1.json`, jsonl({ id: '1' }));
    writeFile(`${dir}/in/2.json`, jsonl({ id: '2', extra: 'x' }));
    const fail = autoLoader(dir, { 'cloudFiles.schemaEvolutionMode': 'failOnNewColumns', 'cloudFiles.schemaHints': 'id STRING' }).option('cloudFiles.schemaLocation', `${dir}/s1`);
    // The schema is inferred from both files, so make the second file arrive later.
    rmSync(`${dir}/in/2.json`);
    const q = await fail.load(`${dir}/in`).writeStream.format('memory').queryName('cf_fail').option('checkpointLocation', `${dir}/c1`).start();
    await q.processAllAvailable();
    writeFile(`${dir}/in/2.json`, jsonl({ id: '2', extra: 'x' }));
    const err = await q.awaitTermination().catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/extra/);
    expect(existsSync(`${dir}/s1/_schemas/1`)).toBe(false);
    const none = readStream.format('cloudFiles').option('cloudFiles.format', 'json').schema('id STRING').load(`${dir}/in`);
    expect(byId(await runAvailableNow(none, `${dir}/c2`, 'cf_none'))).toEqual([{ id: '1' }, { id: '2' }]);
  });

  it('includeExistingFiles=false skips the files present at the first start', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/old.json`, jsonl({ id: '1' }));
    const df = autoLoader(dir, { 'cloudFiles.includeExistingFiles': 'false' }).load(`${dir}/in`);
    const q = await df.writeStream.format('memory').queryName('cf_existing').option('checkpointLocation', `${dir}/chk`).start();
    await q.processAllAvailable();
    writeFile(`${dir}/in/new.json`, jsonl({ id: '2' }));
    await q.processAllAvailable();
    await q.stop();
    expect((await read.table('cf_existing').collect()).map((r) => r.id)).toEqual(['2']);
  });

  it('seen files survive a restart (no re-ingest); allowOverwrites re-reads a rewritten file', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/a.json`, jsonl({ id: '1' }), 1_700_000_000);
    const run = async (name: string, chk: string, allow: boolean) => {
      const df = autoLoader(dir, { 'cloudFiles.allowOverwrites': String(allow) }).option('cloudFiles.schemaLocation', chk).load(`${dir}/in`);
      return runAvailableNow(df, chk, name);
    };
    expect((await run('cf_seen1', `${dir}/c1`, false)).map((r) => r.id)).toEqual(['1']);
    expect(await run('cf_seen2', `${dir}/c1`, false)).toEqual([]);
    writeFile(`${dir}/in/b.json`, jsonl({ id: '2' }), 1_700_000_001);
    expect((await run('cf_seen2b', `${dir}/c1`, false)).map((r) => r.id)).toEqual(['2']);
    const index = await SeenFiles.open(`${dir}/c1/sources/0/seen-files`);
    expect([...index.entries()].map(([p, f]) => [p.slice(dir.length), f.logOffset])).toEqual([
      ['/in/a.json', 0],
      ['/in/b.json', 1],
    ]);
    await index.close();
    expect((await run('cf_over1', `${dir}/c2`, true)).map((r) => r.id)).toEqual(['1', '2']);
    writeFileSync(`${dir}/in/a.json`, jsonl({ id: '1b' }));
    utimesSync(`${dir}/in/a.json`, 1_700_000_500, 1_700_000_500);
    expect((await run('cf_over2', `${dir}/c2`, true)).map((r) => r.id)).toEqual(['1b']);
    expect((await run('cf_seen3', `${dir}/c1`, false)).map((r) => r.id)).toEqual([]);
  });

  it('refuses unknown cloudFiles options and a missing schema location', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/a.json`, jsonl({ id: '1' }));
    const start = (df: ReturnType<typeof readStream.load>) => df.writeStream.format('memory').queryName('cf_bad').option('checkpointLocation', `${dir}/chk`).start();
    await expect(start(autoLoader(dir, { 'cloudFiles.maxFilesPerTriger': '1' }).load(`${dir}/in`))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('maxFilesPerTriger') });
    await expect(start(readStream.format('cloudFiles').option('cloudFiles.format', 'json').load(`${dir}/in`))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('cloudFiles.schemaLocation') });
  });

  it('partition folders become string columns; cloudFiles.maxFilesPerTrigger and maxBytesPerTrigger bound batches', async () => {
    const dir = tempDir();
    for (let i = 0; i < 4; i++) writeFile(`${dir}/in/day=${i % 2}/f${i}.json`, jsonl({ id: String(i) }), 1_700_000_000 + i);
    const df = autoLoader(dir, { 'cloudFiles.maxFilesPerTrigger': '3' }).load(`${dir}/in`);
    const q = await df.writeStream.format('memory').queryName('cf_parts').option('checkpointLocation', `${dir}/chk`).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    expect(q.recentProgress.map((p) => p.numInputRows)).toEqual([3, 1]);
    expect(byId(await read.table('cf_parts').collect()).map((r) => [r.id, r.day])).toEqual([
      ['0', '0'],
      ['1', '1'],
      ['2', '0'],
      ['3', '1'],
    ]);
    const bytes = autoLoader(dir, { 'cloudFiles.maxBytesPerTrigger': '1' }).option('cloudFiles.schemaLocation', `${dir}/chk2`).load(`${dir}/in`);
    const q2 = await bytes.writeStream.format('memory').queryName('cf_bytes').option('checkpointLocation', `${dir}/chk2`).trigger({ availableNow: true }).start();
    await q2.awaitTermination();
    expect(q2.recentProgress.map((p) => p.numInputRows)).toEqual([1, 1, 1, 1]);
  });
});
