import { describe, expect, it } from 'vitest';
import { buildLogSegment, type LogSegment } from '../../src/log/segment.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { deltaRs, describeFixtures, golden, kernel, failure } from '../fixtures.js';
import { bytes, localEngine, memoryEngine, METADATA, PROTOCOL, putCommit } from './helpers.js';

const versions = (s: LogSegment) => s.commits.map((c) => c.name.version);
const fileNames = (s: LogSegment) => s.checkpoint?.files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1));


describeFixtures('buildLogSegment on fixture tables', () => {
  const engine = localEngine();

  it('uses a checkpoint found by listing when there is no _last_checkpoint', async () => {
    const s = await buildLogSegment(engine, kernel('with_checkpoint_no_last_checkpoint'));
    expect(s.version).toBe(3);
    expect(s.checkpoint).toMatchObject({ version: 2, type: 'classic', format: 'parquet' });
    expect(versions(s)).toEqual([3]);
    expect(s.checkpointCommit?.name.version).toBe(2);
    expect(s.hint).toBeUndefined();
  });

  it('uses all parts of a multi-part checkpoint in part order', async () => {
    const s = await buildLogSegment(engine, kernel('v1-multi-part-struct-stats-only'));
    expect(s.checkpoint).toMatchObject({ version: 5, type: 'multiPart' });
    expect(fileNames(s)).toEqual([1, 2, 3].map((p) => `00000000000000000005.checkpoint.000000000${p}.0000000003.parquet`));
    expect(versions(s)).toEqual([]);
    expect(s.version).toBe(5);
  });

  it('uses UUID-named V2 checkpoints in JSON and parquet', async () => {
    const json = await buildLogSegment(engine, kernel('v2-checkpoints-json-with-sidecars'));
    expect(json.checkpoint).toMatchObject({ version: 6, type: 'uuid', format: 'json' });
    expect(fileNames(json)).toEqual(['00000000000000000006.checkpoint.2a15d0c6-8b11-4a98-bab4-957905d62f7f.json']);
    const parquet = await buildLogSegment(engine, kernel('v2-checkpoints-parquet-without-sidecars'));
    expect(parquet.checkpoint).toMatchObject({ type: 'uuid', format: 'parquet' });
  });

  it('reads commits after a classic checkpoint, and time travels before and at it', async () => {
    const root = golden('checkpoint');
    const latest = await buildLogSegment(engine, root);
    expect(latest.checkpoint?.version).toBe(10);
    expect(versions(latest)).toEqual([11, 12, 13, 14]);
    const v5 = await buildLogSegment(engine, root, { version: 5 });
    expect(v5.checkpoint).toBeUndefined();
    expect(versions(v5)).toEqual([0, 1, 2, 3, 4, 5]);
    const v10 = await buildLogSegment(engine, root, { version: 10 });
    expect(v10.checkpoint?.version).toBe(10);
    expect(versions(v10)).toEqual([]);
    expect(v10.checkpointCommit?.name.version).toBe(10);
  });

  it('names the available range when a version does not exist', async () => {
    const e = await failure(buildLogSegment(engine, golden('checkpoint'), { version: 99 }));
    expect(e.code).toBe('VERSION_NOT_FOUND');
    expect(e.message).toContain('available versions are 0 to 14');
  });

  it('refuses versions that were cleaned up, naming the range from the oldest checkpoint', async () => {
    const root = deltaRs('checkpoint-cdf-table');
    const e = await failure(buildLogSegment(engine, root, { version: 1 }));
    expect(e.code).toBe('VERSION_NOT_FOUND');
    expect(e.message).toContain('available versions are 3 to 5');
    expect((await buildLogSegment(engine, root, { version: 3 })).checkpoint?.version).toBe(3);
  });

  it('uses a newer checkpoint than a stale _last_checkpoint names (snake_case hint)', async () => {
    const s = await buildLogSegment(engine, deltaRs('table_failed_last_checkpoint_update'));
    expect(s.hint?.version).toBe(1);
    expect(s.hint?.sizeInBytes).toBe(23521);
    expect(s.checkpoint?.version).toBe(3);
    expect(s.version).toBe(3);
  });

  it('reads commits newer than the hinted checkpoint', async () => {
    const s = await buildLogSegment(engine, deltaRs('latest_not_checkpointed'));
    expect(s.checkpoint?.version).toBe(2);
    expect(versions(s)).toEqual([3]);
  });

  it('opens a table whose log holds a checkpoint at version 0', async () => {
    const s = await buildLogSegment(engine, golden('update-deleted-directory'));
    expect(s.version).toBe(0);
    expect(s.checkpoint?.version).toBe(0);
    expect(versions(s)).toEqual([]);
  });

  it('reports a folder without _delta_log as not a Delta table', async () => {
    const e = await failure(buildLogSegment(engine, golden('no-delta-log-folder')));
    expect(e.code).toBe('TABLE_NOT_FOUND');
    expect(e.message).toMatch(/^Not a Delta table: no _delta_log directory at .*no-delta-log-folder/);
  });
});

describe('buildLogSegment on synthetic logs', () => {
  const root = '/mem/t';

  async function table(versionsPresent: number[]): Promise<MemoryStore> {
    const store = new MemoryStore();
    for (const v of versionsPresent) await putCommit(store, root, v, v === 0 ? [PROTOCOL, METADATA] : [{ commitInfo: {} }]);
    return store;
  }

  it('fails with VERSIONS_NOT_CONTIGUOUS on a gap, naming the missing commit', async () => {
    const engine = memoryEngine(await table([0, 2]));
    const e = await failure(buildLogSegment(engine, root));
    expect(e.code).toBe('VERSIONS_NOT_CONTIGUOUS');
    expect(e.message).toContain('00000000000000000001.json');
    expect((await buildLogSegment(engine, root, { version: 0 })).version).toBe(0);
  });

  it('fails when the log starts after 0 without a checkpoint', async () => {
    const e = await failure(buildLogSegment(memoryEngine(await table([3, 4])), root));
    expect(e.code).toBe('VERSIONS_NOT_CONTIGUOUS');
    expect(e.message).toContain('starts at version 3');
  });

  it('reports an empty _delta_log as not a Delta table', async () => {
    const store = new MemoryStore();
    await store.put(`${root}/_delta_log/.00000000000000000000.json.crc`, bytes('x'));
    const e = await failure(buildLogSegment(memoryEngine(store), root));
    expect(e.code).toBe('TABLE_NOT_FOUND');
    expect(e.message).toContain('contains no commit or checkpoint files');
  });

  it('rejects invalid version arguments', async () => {
    const e = await failure(buildLogSegment(memoryEngine(await table([0])), root, { version: -1 }));
    expect(e.code).toBe('INVALID_ARGUMENT');
  });

  it('falls back to a full listing when the hinted checkpoint is missing', async () => {
    const store = await table([0, 1, 2, 3]);
    await store.put(`${root}/_delta_log/_last_checkpoint`, bytes('{"version":2,"size":3,"parts":null}'));
    const s = await buildLogSegment(memoryEngine(store), root);
    expect(s.checkpoint).toBeUndefined();
    expect(versions(s)).toEqual([0, 1, 2, 3]);
    expect(s.hint?.version).toBe(2);
  });

  it('tolerates empty and corrupt _last_checkpoint files', async () => {
    for (const content of ['', '{"version":', '[]', '{"version":"x"}', '{"version":-3}']) {
      const store = await table([0, 1]);
      await store.put(`${root}/_delta_log/_last_checkpoint`, bytes(content));
      const s = await buildLogSegment(memoryEngine(store), root);
      expect(versions(s), content).toEqual([0, 1]);
    }
  });

  it('ignores incomplete multi-part and empty checkpoints, and prefers UUID over multi-part over classic', async () => {
    const store = await table([0, 1, 2, 3, 4]);
    const log = `${root}/_delta_log`;
    await store.put(`${log}/00000000000000000004.checkpoint.0000000001.0000000002.parquet`, bytes('x')); // part 2 missing
    await store.put(`${log}/00000000000000000003.checkpoint.parquet`, new Uint8Array()); // zero bytes
    await store.put(`${log}/00000000000000000002.checkpoint.parquet`, bytes('x'));
    await store.put(`${log}/00000000000000000002.checkpoint.0000000001.0000000002.parquet`, bytes('x'));
    await store.put(`${log}/00000000000000000002.checkpoint.0000000002.0000000002.parquet`, bytes('x'));
    let s = await buildLogSegment(memoryEngine(store), root);
    expect(s.checkpoint).toMatchObject({ version: 2, type: 'multiPart' });
    expect(versions(s)).toEqual([3, 4]);
    await store.put(`${log}/00000000000000000002.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json`, bytes('x'));
    s = await buildLogSegment(memoryEngine(store), root);
    expect(s.checkpoint).toMatchObject({ version: 2, type: 'uuid', format: 'json' });
  });
});
