import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { AddFile } from '../../src/log/actions.js';
import { readCheckpoint } from '../../src/log/checkpoint-reader.js';
import { loadTableState } from '../../src/log/load-table-state.js';
import { buildLogSegment } from '../../src/log/segment.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { deltaRs, describeFixtures, golden, kernel } from '../fixtures.js';
import { localEngine, memoryEngine, METADATA, PROTOCOL, putCommit } from './helpers.js';

const engine = localEngine();

/** Every add's JSON stats from the table's commit files, by path. */
function commitStats(root: string): Map<string, { numRecords: number; minValues: Record<string, unknown> }> {
  const out = new Map<string, { numRecords: number; minValues: Record<string, unknown> }>();
  for (const f of readdirSync(`${root}/_delta_log`).filter((n) => /^\d{20}\.json$/.test(n))) {
    for (const line of readFileSync(`${root}/_delta_log/${f}`, 'utf8').split('\n').filter(Boolean)) {
      const o = JSON.parse(line) as { add?: { path: string; stats?: string } };
      if (o.add?.stats) out.set(o.add.path, JSON.parse(o.add.stats));
    }
  }
  return out;
}

describeFixtures('readCheckpoint on fixture tables', () => {
  it('reads stats_parsed as plain values with bigint longs, matching the JSON stats of the commits', async () => {
    for (const name of ['v1-single-part-struct-stats-only', 'v1-multi-part-struct-stats-only', 'v2-json-sidecars-struct-stats-only', 'v2-parquet-sidecars-struct-stats-only']) {
      const root = kernel(name);
      const segment = await buildLogSegment(engine, root);
      expect(segment.checkpoint, name).toBeDefined();
      const content = await readCheckpoint(engine, root, segment.checkpoint!);
      const json = commitStats(root);
      expect(content.adds.length, name).toBe(5);
      for (const add of content.adds) {
        const parsed = add.statsParsed as { numRecords: bigint; minValues: { id: bigint; value: string } };
        const expected = json.get(add.path)!;
        expect(add.stats, name).toBeUndefined();
        expect(parsed.numRecords).toBe(BigInt(expected.numRecords));
        expect(parsed.minValues.id).toBe(BigInt(expected.minValues.id as number));
        expect(parsed.minValues.value).toBe(expected.minValues.value);
      }
    }
  });

  it('reads the JSON stats string and partition values of a classic checkpoint', async () => {
    const root = golden('checkpoint');
    const segment = await buildLogSegment(engine, root, { version: 10 });
    const content = await readCheckpoint(engine, root, segment.checkpoint!);
    const kinds = new Set(content.actions.map((a) => a.kind));
    expect(kinds).toEqual(new Set(['protocol', 'metaData', 'remove']));
    expect(content.adds.length).toBe(1);
    const add = content.adds[0]!;
    const fromJson = commitStats(root).get(add.path);
    expect(add.stats === undefined ? undefined : JSON.parse(add.stats)).toEqual(fromJson);
    expect(typeof add.size).toBe('number');
    expect(add.partitionValues).toEqual({});
  });

  it('follows V2 sidecars and reads checkpointMetadata', async () => {
    const root = kernel('v2-checkpoints-json-with-sidecars');
    const segment = await buildLogSegment(engine, root);
    const content = await readCheckpoint(engine, root, segment.checkpoint!);
    expect(content.actions.filter((a) => a.kind === 'sidecar').length).toBe(2);
    expect(content.actions.find((a) => a.kind === 'checkpointMetadata')).toEqual({ kind: 'checkpointMetadata', checkpointMetadata: { version: 6, tags: undefined } });
    expect(content.adds.length).toBe(101);
  });

  it('reads app transactions from a checkpoint with bigint versions', async () => {
    const root = kernel('app-txn-checkpoint');
    const segment = await buildLogSegment(engine, root);
    const content = await readCheckpoint(engine, root, segment.checkpoint!);
    const txns = content.actions.filter((a) => a.kind === 'txn').map((a) => (a.kind === 'txn' ? [a.txn.appId, a.txn.version] : []));
    expect(new Map(txns as Array<[string, bigint]>)).toEqual(new Map([['my-app', 3n], ['my-app2', 2n]]));
  });

  it('reads checkpoint deletion vectors like the commits wrote them', async () => {
    const root = deltaRs('table_with_deletion_logs');
    const state = await loadTableState(engine, root);
    const segment = await buildLogSegment(engine, root);
    expect(segment.checkpoint).toBeDefined();
    const dvFiles = state.files.filter((f: AddFile) => f.deletionVector);
    for (const f of dvFiles) {
      expect(['u', 'i', 'p']).toContain(f.deletionVector!.storageType);
      expect(f.deletionVector!.cardinality).toBeGreaterThan(0);
    }
  });
});

describeFixtures('readCheckpoint failures', () => {
  it('reports a truncated checkpoint as CORRUPT_CHECKPOINT naming the file', async () => {
    const source = readFileSync(`${golden('checkpoint')}/_delta_log/00000000000000000010.checkpoint.parquet`);
    const store = new MemoryStore();
    const root = '/mem/t';
    await putCommit(store, root, 0, [PROTOCOL, METADATA]);
    await putCommit(store, root, 1, [{ commitInfo: {} }]);
    const path = `${root}/_delta_log/00000000000000000001.checkpoint.parquet`;
    await store.put(path, new Uint8Array(source.subarray(0, Math.floor(source.length / 2))));
    let err: unknown;
    try {
      await loadTableState(memoryEngine(store), root);
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('CORRUPT_CHECKPOINT');
    expect((err as Error).message).toContain(path);
  });

  it('reports a corrupt JSON V2 checkpoint line as CORRUPT_CHECKPOINT with file and line', async () => {
    const store = new MemoryStore();
    const root = '/mem/t';
    await putCommit(store, root, 0, [PROTOCOL, METADATA]);
    const path = `${root}/_delta_log/00000000000000000000.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json`;
    await store.put(path, new TextEncoder().encode(`${JSON.stringify(PROTOCOL)}\n{"metaData":\n`));
    let err: unknown;
    try {
      await loadTableState(memoryEngine(store), root);
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('CORRUPT_CHECKPOINT');
    expect((err as Error).message).toContain(`${path} line 2`);
  });
});
