import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AddFile, RemoveFile } from '../../src/log/actions.js';
import { writeCheckpoint } from '../../src/log/checkpoint-writer.js';
import { loadTableState } from '../../src/log/load-table-state.js';
import type { LogFile } from '../../src/log/log-path.js';
import { reconcileRange, writeLogCompaction } from '../../src/log/log-compaction.js';
import type { TableState } from '../../src/log/replay.js';
import { buildLogSegment, withCompactions } from '../../src/log/segment.js';
import { describeFixtures, failure, golden, kernel } from '../fixtures.js';
import { copyTable, expectGoldenRows, removeCopies } from './checkpoint-copies.js';
import { localEngine } from './helpers.js';

const engine = localEngine();
afterAll(async () => {
  removeCopies();
  await engine.parquet.close();
});

const fileKey = (f: AddFile | RemoveFile) => `${f.path}|${f.deletionVector?.pathOrInlineDv ?? ''}|${f.deletionVector?.offset ?? ''}`;
/** Checkpoints store file actions with dataChange false and typed stats: compare the rest. */
const plainFile = <T extends AddFile | RemoveFile>(f: T) => ({ ...f, dataChange: false, statsParsed: undefined });
const files = (s: TableState) => new Map(s.files.map((f) => [fileKey(f), plainFile(f)]));
const tombstones = (s: TableState) => new Map(s.tombstones.map((f) => [fileKey(f), plainFile(f)]));
const replayNames = async (root: string, version?: number) =>
  (await buildLogSegment(engine, root, version === undefined ? {} : { version })).replayFiles.map((f) => f.name.type === 'compaction' ? `${f.name.version}-${f.name.endVersion}` : String(f.name.version));

/** `checkpointed`: the actual state went through a checkpoint, which dropped expired tombstones. */
function expectSameState(actual: TableState, expected: TableState, checkpointed = false): void {
  expect(actual.version).toBe(expected.version);
  expect(files(actual)).toEqual(files(expected));
  if (!checkpointed) expect(tombstones(actual)).toEqual(tombstones(expected));
  expect(actual.protocol).toEqual(expected.protocol);
  expect(actual.metadata).toEqual(expected.metadata);
  expect(actual.txns).toEqual(expected.txns);
  expect(actual.domains).toEqual(expected.domains);
  expect(actual.commitInfo).toEqual(expected.commitInfo);
}

describeFixtures('reading log compaction files', () => {
  it('kernel compacted-log-files-table: every version reads the same with and without its (overlapping) compactions', async () => {
    const withFiles = kernel('compacted-log-files-table');
    const without = copyTable(withFiles); // copies drop compaction files
    expect(await replayNames(withFiles, 15)).toEqual(['0-5', '6-15']);
    expect(await replayNames(withFiles, 12)).toEqual(['0-5', '6-10', '11', '12']);
    expect(await replayNames(withFiles, 4)).toEqual(['0', '1', '2', '3', '4']); // 0-5 reaches past version 4
    for (let v = 0; v <= 25; v++) {
      expectSameState(await loadTableState(engine, withFiles, { version: v }), await loadTableState(engine, without, { version: v }));
    }
  });
});

describeFixtures('writeLogCompaction on golden tables with many versions', () => {
  it.each(['basic-with-inserts-deletes-checkpoint', 'dv-with-columnmapping', 'snapshot-repartitioned', 'snapshot-vacuumed'])(
    '%s: overlapping and partial compactions change no version',
    async (name) => {
      const root = copyTable(golden(name));
      const plain = copyTable(golden(name));
      const latest = (await buildLogSegment(engine, root)).version;
      const candidates: [number, number][] = [
        [0, Math.min(3, latest)],
        [1, Math.min(4, latest)],
        [2, latest],
        [Math.max(1, latest - 3), latest - 1],
      ];
      const ranges = candidates.filter(([a, b]) => a < b);
      for (const [a, b] of ranges) await writeLogCompaction(engine, root, a, b);
      for (let v = 0; v <= latest; v++) {
        const names = await replayNames(root, v);
        expect(names.length).toBeLessThanOrEqual(v + 1);
        expectSameState(await loadTableState(engine, root, { version: v }), await loadTableState(engine, plain, { version: v }));
      }
      expect((await replayNames(root)).some((n) => n.includes('-'))).toBe(true);
      await expectGoldenRows(engine, root, name);
    },
  );

  it('writes reconciled actions: no commitInfo or cdc, one action per file, newest wins', async () => {
    const root = copyTable(golden('basic-with-inserts-deletes-checkpoint'));
    const { path, actions } = await writeLogCompaction(engine, root, 0, 13);
    expect(path.endsWith('/_delta_log/00000000000000000000.00000000000000000013.compacted.json')).toBe(true);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    expect(lines).toHaveLength(actions);
    expect(lines.every((l) => Object.keys(l).length === 1 && !('commitInfo' in l) && !('cdc' in l))).toBe(true);
    const paths = lines.flatMap((l) => [l['add']?.['path'], l['remove']?.['path']].filter((p) => p !== undefined));
    expect(new Set(paths).size).toBe(paths.length);
    expect(lines.filter((l) => 'protocol' in l)).toHaveLength(1);
    expect(lines.filter((l) => 'metaData' in l)).toHaveLength(1);
    // Its adds are exactly the live files at version 13, its removes the tombstones.
    const state = await loadTableState(engine, copyTable(golden('basic-with-inserts-deletes-checkpoint')), { version: 13 });
    expect(paths.filter((_, i) => 'add' in lines.filter((l) => 'add' in l || 'remove' in l)[i]!).sort()).toEqual(state.files.map((f) => f.path).sort());
  });

  it('combines with a checkpoint: only compactions after the checkpoint are used', async () => {
    const root = copyTable(golden('dv-with-columnmapping'));
    const plain = copyTable(golden('dv-with-columnmapping'));
    const latest = (await buildLogSegment(engine, root)).version;
    await writeCheckpoint(engine, root, await loadTableState(engine, root, { version: 5 }));
    await writeLogCompaction(engine, root, 3, 9); // starts before the checkpoint: unusable for the latest version
    await writeLogCompaction(engine, root, 6, 10);
    expect(await replayNames(root)).toEqual(['6-10', ...Array.from({ length: latest - 10 }, (_, i) => String(11 + i))]);
    expectSameState(await loadTableState(engine, root), await loadTableState(engine, plain), true);
    expect(await replayNames(root, 9)).toEqual(['6', '7', '8', '9']); // 6-10 ends past 9; 3-9 starts before the checkpoint
  });

  it('refuses ranges that are empty or include missing commits', async () => {
    const root = copyTable(golden('snapshot-repartitioned'));
    expect((await failure(writeLogCompaction(engine, root, 3, 3))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(writeLogCompaction(engine, root, 2, 99))).code).toBe('VERSION_NOT_FOUND');
    expect(readdirSync(`${root}/_delta_log`).some((f) => f.includes('compacted'))).toBe(false);
  });
});

describe('withCompactions', () => {
  const commit = (v: number): LogFile => ({ name: { type: 'commit', version: v }, meta: { path: `${v}.json`, size: 1, lastModified: 0 } });
  const compaction = (a: number, b: number): LogFile => ({ name: { type: 'compaction', version: a, endVersion: b }, meta: { path: `${a}.${b}.compacted.json`, size: 1, lastModified: 0 } });
  const names = (fs: readonly LogFile[]) => fs.map((f) => (f.name.type === 'compaction' ? `${f.name.version}-${f.name.endVersion}` : String(f.name.version)));
  const commits = [3, 4, 5, 6, 7, 8, 9].map(commit);

  it('picks the fewest files, never overlapping, only compactions inside the commits', () => {
    expect(names(withCompactions(commits, [compaction(3, 4), compaction(4, 9)]))).toEqual(['3', '4-9']);
    expect(names(withCompactions(commits, [compaction(1, 5), compaction(8, 12), compaction(5, 7)]))).toEqual(['3', '4', '5-7', '8', '9']);
    expect(names(withCompactions(commits, [compaction(3, 9), compaction(3, 5)]))).toEqual(['3-9']);
    expect(names(withCompactions(commits, []))).toEqual(['3', '4', '5', '6', '7', '8', '9']);
  });

  it('reconcileRange keeps the newest action per key and drops commitInfo', () => {
    const out = reconcileRange('/t', [
      [{ kind: 'commitInfo', commitInfo: {} }, { kind: 'add', add: { path: 'f1', partitionValues: {}, size: 1, modificationTime: 1, dataChange: true } }],
      [{ kind: 'remove', remove: { path: 'f1', dataChange: true } }, { kind: 'txn', txn: { appId: 'a', version: 1n } }],
      [{ kind: 'txn', txn: { appId: 'a', version: 2n } }, { kind: 'add', add: { path: 'f2', partitionValues: {}, size: 1, modificationTime: 1, dataChange: true } }],
    ]);
    expect(out.map((a) => a.kind)).toEqual(['add', 'remove', 'txn']);
    expect(out[1]).toMatchObject({ remove: { path: 'f1' } });
    expect(out[2]).toMatchObject({ txn: { version: 2n } });
  });
});
