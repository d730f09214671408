import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import type { AddFile, RemoveFile } from '../../src/log/actions.js';
import { readCheckpoint } from '../../src/log/checkpoint-reader.js';
import { parseIntervalMs, selectCheckpointActions, writeCheckpoint } from '../../src/log/checkpoint-writer.js';
import type { CheckpointState } from '../../src/log/checkpoint-writer.js';
import { verifyLastCheckpointChecksum } from '../../src/log/last-checkpoint-checksum.js';
import { parseLastCheckpoint } from '../../src/log/last-checkpoint.js';
import { loadTableState } from '../../src/log/load-table-state.js';
import type { TableState } from '../../src/log/replay.js';
import { buildLogSegment } from '../../src/log/segment.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import type { ParquetHandler } from '../../src/parquet/handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { deltaRs, describeFixtures, golden, kernel } from '../fixtures.js';

const handlers: ParquetHandler[] = [];
afterAll(async () => {
  for (const h of handlers) await h.close();
});

function engineFor(store: LocalFileSystemStore | MemoryStore, nowMs: number): Engine {
  const parquet = createParquetHandler(store, { workers: 0 });
  handlers.push(parquet);
  return { store, parquet, clock: { nowMs: () => nowMs } };
}

/** A MemoryStore holding only the JSON commits of a fixture table (no checkpoints, no hint). */
async function commitsOnly(root: string): Promise<MemoryStore> {
  const mem = new MemoryStore();
  for (const f of readdirSync(root + '/_delta_log')) {
    if (/^\d{20}\.json$/.test(f)) await mem.put(`${root}/_delta_log/${f}`, readFileSync(`${root}/_delta_log/${f}`));
  }
  return mem;
}

const fileKey = (f: AddFile | RemoveFile) => `${f.path}|${f.deletionVector?.storageType ?? ''}${f.deletionVector?.pathOrInlineDv ?? ''}@${f.deletionVector?.offset ?? ''}`;
const byKey = <T extends AddFile | RemoveFile>(files: readonly T[]) => new Map(files.map((f) => [fileKey(f), { ...f, dataChange: false, statsParsed: undefined }]));

/** Latest tombstone time plus one ms: every tombstone of the fixture is within retention. */
function nowKeepingTombstones(state: TableState): number {
  return Math.max(0, ...state.tombstones.map((t) => t.deletionTimestamp ?? 0)) + 1;
}

const TABLES = [
  golden('basic-with-inserts-deletes-checkpoint'), // tombstones
  golden('data-reader-partition-values'), // null partition values, many partition columns
  golden('dv-with-columnmapping'), // deletion vectors, column mapping
  kernel('cdf-table-with-dv'), // inline DVs, tags
  kernel('app-txn-checkpoint'), // txns
  kernel('v2-classic-checkpoint-parquet'), // v2Checkpoint feature
  deltaRs('table_with_liquid_clustering'), // domain metadata, clusteringProvider
];

describeFixtures('writeCheckpoint on fixture tables', () => {
  it.each(TABLES)('writes a checkpoint of %s that reads back to the same state', async (root) => {
    const original = await loadTableState(engineFor(new LocalFileSystemStore(), Date.now()), root);
    const now = nowKeepingTombstones(original);
    const mem = await commitsOnly(root);
    const engine = engineFor(mem, now);

    const result = await writeCheckpoint(engine, root, original);
    const v2 = (original.protocol.writerFeatures ?? []).includes('v2Checkpoint');
    const prefix = `${root}/_delta_log/${String(original.version).padStart(20, '0')}.checkpoint`;
    if (v2) expect(result.path).toMatch(new RegExp(`^${prefix}\\.[0-9a-f-]{36}\\.json$`));
    else expect(result.path).toBe(`${prefix}.parquet`);
    expect(result.v2).toBe(v2);

    // The checkpoint reader sees exactly the state's actions.
    const meta = await mem.head(result.path);
    const segment = await buildLogSegment(engine, root);
    expect(segment.checkpoint?.files).toEqual([meta]);
    const content = await readCheckpoint(engine, root, segment.checkpoint!);
    const statsAsJson = original.metadata.configuration['delta.checkpoint.writeStatsAsJson'] !== 'false';
    const expectedFiles = statsAsJson ? original.files : original.files.map((f) => ({ ...f, stats: undefined }));
    expect(byKey(content.adds)).toEqual(byKey(expectedFiles));
    // Every add has typed stats equal to its JSON stats (numRecords at least).
    for (const a of content.adds) {
      const json = original.files.find((f) => f.path === a.path)?.stats;
      if (json !== undefined) expect((a.statsParsed as { numRecords: bigint }).numRecords).toBe(BigInt(JSON.parse(json).numRecords));
    }
    const removes = content.actions.flatMap((a) => (a.kind === 'remove' ? [a.remove] : []));
    expect(byKey(removes)).toEqual(byKey(original.tombstones.map((t) => ({ ...t, stats: undefined, tags: undefined }))));
    expect(content.actions.filter((a) => a.kind === 'checkpointMetadata')).toHaveLength(result.v2 ? 1 : 0);
    expect(result.size).toBe(content.adds.length + content.actions.length);
    expect(result.numOfAddFiles).toBe(original.files.length);

    // _last_checkpoint: parseable, checksum valid, describing the file.
    const hintText = new TextDecoder().decode(await mem.get(`${root}/_delta_log/_last_checkpoint`));
    expect(hintText).toBe(result.lastCheckpoint);
    expect(verifyLastCheckpointChecksum(hintText)).toBe(true);
    const sidecarBytes = (await Promise.all(result.sidecars.map((p) => mem.head(p)))).reduce((n, m) => n + m.size, 0);
    expect(parseLastCheckpoint(new TextEncoder().encode(hintText))).toMatchObject({ version: original.version, size: result.size, sizeInBytes: meta.size + sidecarBytes, numOfAddFiles: original.files.length });

    // A snapshot loaded through the new checkpoint equals the one replayed from the commits.
    const reloaded = await loadTableState(engine, root);
    expect(reloaded.version).toBe(original.version);
    expect(reloaded.protocol).toEqual(original.protocol);
    expect(reloaded.metadata).toEqual(original.metadata);
    expect(reloaded.txns).toEqual(original.txns);
    expect(reloaded.domains).toEqual(original.domains);
    expect(byKey(reloaded.files)).toEqual(byKey(expectedFiles));
  });

  it('writes the column layout of a Spark checkpoint', async () => {
    const root = golden('checkpoint');
    const local = engineFor(new LocalFileSystemStore(), Date.now());
    const spark = await local.parquet.readSchema({ path: `${root}/_delta_log/00000000000000000010.checkpoint.parquet` });
    const state = await loadTableState(local, root);
    const mem = await commitsOnly(root);
    const result = await writeCheckpoint(engineFor(mem, Date.now()), root, state);
    const ours = await engineFor(mem, Date.now()).parquet.readSchema({ path: result.path });
    // Every Spark column and nested field exists in ours with the same Arrow type; Spark's
    // transient deletionVector.maxRowIndex is not written.
    const describeType = (t: { toString(): string }) => String(t).replace(/, maxRowIndex:Int64/g, '').replace(/, stats_parsed:Struct<.*}>}>$/, '}>');
    for (const f of spark.fields) {
      const mine = ours.fields.find((g) => g.name === f.name);
      expect(mine, f.name).toBeDefined();
      expect(describeType(mine!.type).replace(/, clusteringProvider:Utf8/, ''), f.name).toBe(describeType(f.type));
      expect(mine!.nullable).toBe(true);
    }
    expect(ours.fields.map((f) => f.name)).toEqual(['txn', 'add', 'remove', 'metaData', 'protocol', 'domainMetadata']);
  });
});

describe('selectCheckpointActions', () => {
  const T = 1_700_000_000_000;
  const WEEK = 604_800_000;
  const base: CheckpointState = {
    version: 3,
    protocol: { minReaderVersion: 1, minWriterVersion: 2 },
    metadata: { id: 'id', format: { provider: 'parquet', options: {} }, schemaString: '{"type":"struct","fields":[]}', partitionColumns: [], configuration: {} },
    files: [],
    tombstones: [
      { path: 'old', deletionTimestamp: T, dataChange: true },
      { path: 'recent', deletionTimestamp: T + WEEK, dataChange: true },
      { path: 'no-timestamp', dataChange: true },
    ],
    txns: [
      { appId: 'stale', version: 1n, lastUpdated: 10 },
      { appId: 'fresh', version: 2n, lastUpdated: 604_800_000 },
      { appId: 'timeless', version: 3n },
    ],
    domains: [
      { domain: 'kept', configuration: '{}', removed: false },
      { domain: 'gone', configuration: '{}', removed: true },
    ],
  };

  it('drops tombstones older than the retention (one week by default) and those without a timestamp', () => {
    const now = T + WEEK + 1;
    expect(selectCheckpointActions(base, now).removes.map((r) => r.path)).toEqual(['recent']);
    const longer = { ...base, metadata: { ...base.metadata, configuration: { 'delta.deletedFileRetentionDuration': 'interval 2 weeks' } } };
    expect(selectCheckpointActions(longer, now).removes.map((r) => r.path)).toEqual(['old', 'recent']);
  });

  it('expires transactions only when a retention is configured', () => {
    const now = 604_800_000 + 5;
    expect(selectCheckpointActions(base, now).txns.map((t) => t.appId)).toEqual(['stale', 'fresh', 'timeless']);
    const conf = { ...base, metadata: { ...base.metadata, configuration: { 'delta.setTransactionRetentionDuration': 'interval 1 day' } } };
    expect(selectCheckpointActions(conf, now).txns.map((t) => t.appId)).toEqual(['fresh', 'timeless']);
  });

  it('skips removed domains and marks V2 checkpoints', () => {
    expect(selectCheckpointActions(base, 0).domains.map((d) => d.domain)).toEqual(['kept']);
    expect(selectCheckpointActions(base, 0).checkpointVersion).toBeUndefined();
    const v2 = { ...base, protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['v2Checkpoint'], writerFeatures: ['v2Checkpoint'] } };
    expect(selectCheckpointActions(v2, 0).checkpointVersion).toBe(3);
  });
});

describe('parseIntervalMs', () => {
  it('parses Spark interval strings', () => {
    expect(parseIntervalMs('interval 1 week')).toBe(604_800_000);
    expect(parseIntervalMs('interval 7 days')).toBe(604_800_000);
    expect(parseIntervalMs('INTERVAL 2 Days 12 hours')).toBe(2.5 * 86_400_000);
    expect(parseIntervalMs('30 minutes')).toBe(1_800_000);
    expect(parseIntervalMs('interval 1 second 500 milliseconds')).toBe(1500);
  });

  it('rejects months, negative and malformed values with the property named', () => {
    expect(() => parseIntervalMs('interval 1 month', 'delta.deletedFileRetentionDuration')).toThrow(/delta\.deletedFileRetentionDuration.*month/);
    expect(() => parseIntervalMs('interval -1 day')).toThrow(/whole number/);
    expect(() => parseIntervalMs('interval week')).toThrow(/pairs/);
  });
});
