import { describe, expect, it } from 'vitest';
import { getDefaultSession, read, readStream } from '../../src/index.js';
import { SeenFiles } from '../../src/sources/cloud-files/seen-files.js';
import { FileStreamSource } from '../../src/sources/file-source.js';
import { parseFileOptions } from '../../src/sources/file-options.js';
import { tempDir } from '../helpers.js';
import { jsonl, writeFile } from './file-helpers.js';

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  while (!(await cond())) {
    if (performance.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - t0;
}

describe('cloudFiles.useNotifications and the seen-files index', () => {
  it('file-system events pick up new files fast, with an idle poll far longer than the wait', async () => {
    const dir = tempDir();
    writeFile(`${dir}/in/0.json`, jsonl({ id: '0' }));
    const df = readStream.format('cloudFiles').option('cloudFiles.format', 'json').option('cloudFiles.schemaLocation', `${dir}/chk`).option('cloudFiles.useNotifications', 'true').load(`${dir}/in`);
    // A 5 s idle poll: only the watcher's wake-up can make the pickup fast.
    const q = await df.writeStream.format('memory').queryName('cf_notify').option('checkpointLocation', `${dir}/chk`).option('idlePollInterval', '5 seconds').start();
    await until(async () => q.recentProgress.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    const waits: number[] = [];
    for (let i = 1; i <= 5; i++) {
      writeFile(`${dir}/in/${i}.json`, jsonl({ id: String(i) }));
      waits.push(await until(() => q.recentProgress.reduce((n, p) => n + p.numInputRows, 0) >= i + 1));
    }
    await q.stop();
    expect(Math.max(...waits)).toBeLessThan(2_000);
    expect((await read.table('cf_notify').collect()).map((r) => r.id).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('a backfill listing finds files whose events were lost', async () => {
    const dir = tempDir();
    const session = getDefaultSession();
    const spec = { format: 'cloudFiles', options: { 'cloudFiles.format': 'json', 'cloudFiles.useNotifications': 'true', 'cloudFiles.backfillInterval': '300ms' }, path: `${dir}/in` };
    writeFile(`${dir}/in/a.json`, jsonl({ id: 1 }));
    const source = await FileStreamSource.open(
      { engine: session.engine, metadataPath: `${dir}/chk/sources/0`, queryId: 'q', timeZone: 'UTC', logger: session.logger },
      {
        name: 'CloudFilesSource',
        root: `${dir}/in`,
        options: parseFileOptions(spec, 'json', true),
        reader: { format: 'json', dataSchema: { kind: 'struct', fields: [] }, partitionSchema: { kind: 'struct', fields: [] }, rootPrefix: `${dir}/in/`, mode: 'PERMISSIVE', rescueNewFields: false, csvHeader: false },
      },
    );
    try {
      const limit = { allAvailable: false };
      expect(await source.latestOffset(undefined, limit)).toEqual({ logOffset: 0 }); // first look lists
      // Lose the events: a file written while the watcher's callback drops them.
      const lost = source as unknown as { dropPendingEventsForTest(): void };
      writeFile(`${dir}/in/b.json`, jsonl({ id: 2 }));
      await new Promise((r) => setTimeout(r, 100));
      lost.dropPendingEventsForTest();
      expect(await source.latestOffset({ logOffset: 0 }, limit)).toEqual({ logOffset: 0 });
      await new Promise((r) => setTimeout(r, 300));
      expect(await source.latestOffset({ logOffset: 0 }, limit)).toEqual({ logOffset: 1 }); // the backfill listing found it
    } finally {
      await source.stop();
    }
  });

  it('holds 200k seen entries without growing the JS heap, and keeps them across reopen', async () => {
    const dir = tempDir();
    const n = 200_000;
    const key = (i: number) => `/data/landing/orders/2024/01/part-${String(i).padStart(8, '0')}.json`;
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    let index = await SeenFiles.open(`${dir}/seen`);
    const t0 = performance.now();
    for (let b = 0; b < n; b += 10_000) {
      const chunk: [string, { size: number; mtime: number; logOffset: number }][] = [];
      for (let i = b; i < b + 10_000; i++) chunk.push([key(i), { size: i, mtime: 1_700_000_000_000 + i, logOffset: b / 10_000 }]);
      await index.putAll(chunk);
    }
    const insertMs = performance.now() - t0;
    await index.close();
    index = await SeenFiles.open(`${dir}/seen`);
    const t1 = performance.now();
    let hits = 0;
    for (let i = 0; i < n; i++) if (index.get(key(i))?.size === i) hits++;
    const lookupMs = performance.now() - t1;
    expect(hits).toBe(n);
    expect(index.get('/nope')).toBeUndefined();
    expect(index.count).toBe(n);
    globalThis.gc?.();
    const grown = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    await index.close();
    // 200k paths held in a JS Set/Map would take tens of MB of heap; the index keeps them on disk.
    expect(grown).toBeLessThan(40);
    console.log(`seen-files: ${n} entries, insert ${insertMs.toFixed(0)} ms, lookup ${lookupMs.toFixed(0)} ms, heap growth ${grown.toFixed(1)} MiB`);
  });
});
