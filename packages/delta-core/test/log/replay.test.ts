import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AddFile } from '../../src/log/actions.js';
import { loadTableState, readCommits } from '../../src/log/load-table-state.js';
import { resolveLogPath } from '../../src/log/paths.js';
import { LogReplay } from '../../src/log/replay.js';
import { buildLogSegment } from '../../src/log/segment.js';
import { deltaRs, describeFixtures, FIXTURES, golden, kernel, failure } from '../fixtures.js';
import { add, localEngine, memoryEngine, METADATA, PROTOCOL, putCommit, remove } from './helpers.js';

const engine = localEngine();


/** Every table with a version checksum (`.crc`) at its latest version: Spark's own file count. */
function tablesWithCrc(): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  for (const group of ['kernel', 'delta-rs']) {
    for (const name of readdirSync(`${FIXTURES}/${group}`)) {
      const log = `${FIXTURES}/${group}/${name}/_delta_log`;
      // crc-full's checksum is a hand-made CRC-parsing fixture that does not describe its commit.
      if (!existsSync(log) || name === 'crc-full') continue;
      const commits = readdirSync(log).filter((f) => /^\d{20}\.json$/.test(f)).sort();
      const last = commits.at(-1);
      if (!last) continue;
      const crc = `${log}/${last.slice(0, 20)}.crc`;
      if (!existsSync(crc)) continue;
      const numFiles = (JSON.parse(readFileSync(crc, 'utf8')) as { numFiles?: number }).numFiles;
      if (typeof numFiles === 'number') out.push([`${group}/${name}`, Number(last.slice(0, 20)), numFiles]);
    }
  }
  return out;
}

describeFixtures('loadTableState against version checksums', () => {
  const cases = tablesWithCrc();
  it('covers the checkpoint kinds', () => expect(cases.length).toBeGreaterThan(15));
  it.each(cases)('%s: version %i has the .crc numFiles live files', async (table, version, numFiles) => {
    const state = await loadTableState(engine, `${FIXTURES}/${table}`);
    expect(state.version).toBe(version);
    expect(state.files.length).toBe(numFiles);
  });
});

/** Path set of a state's live files, resolved. */
const livePaths = (root: string, files: readonly AddFile[]) => files.map((f) => resolveLogPath(root, f.path)).sort();

describeFixtures('loadTableState replay semantics on fixtures', () => {
  it('cancels adds by removes that spell the same path differently', async () => {
    for (const name of ['canonicalized-paths-normal-a', 'canonicalized-paths-normal-b', 'canonicalized-paths-special-a', 'canonicalized-paths-special-b']) {
      const state = await loadTableState(engine, golden(name));
      expect(state.files, name).toEqual([]);
      expect(state.tombstones.length, name).toBe(1);
    }
  });

  it('makes a file live again when it is re-added after a remove', async () => {
    const root = golden('delete-re-add-same-file-different-transactions');
    const state = await loadTableState(engine, root);
    expect(livePaths(root, state.files)).toEqual([`${root}/bar`, `${root}/foo`]);
    expect(state.tombstones).toEqual([]);
    const v1 = await loadTableState(engine, root, { version: 1 });
    expect(v1.files.map((f) => f.path)).toEqual([]);
    expect(v1.tombstones.map((f) => f.path)).toEqual(['foo']);
  });

  it('keys files by deletion vector', async () => {
    const state = await loadTableState(engine, golden('log-replay-dv-key-cases'));
    expect(state.files.length).toBe(1);
    expect(state.files[0]!.deletionVector).toBeDefined();
    expect(state.tombstones.length).toBe(3);
  });

  it('takes the latest protocol and metadata', async () => {
    const root = golden('log-replay-latest-metadata-protocol');
    const commits = readdirSync(`${root}/_delta_log`).filter((f) => f.endsWith('.json')).sort();
    let lastProtocol: unknown;
    let lastMetaId: unknown;
    let lastSchema: unknown;
    for (const c of commits) {
      for (const line of readFileSync(`${root}/_delta_log/${c}`, 'utf8').split('\n').filter(Boolean)) {
        const o = JSON.parse(line) as Record<string, Record<string, unknown>>;
        if (o.protocol) lastProtocol = o.protocol;
        if (o.metaData) [lastMetaId, lastSchema] = [o.metaData.id, o.metaData.schemaString];
      }
    }
    const state = await loadTableState(engine, root);
    expect(state.protocol).toMatchObject(lastProtocol as object);
    expect(state.metadata.id).toBe(lastMetaId);
    expect(state.metadata.schemaString).toBe(lastSchema);
  });

  it('decodes special characters in paths exactly once', async () => {
    const root = golden('log-replay-special-characters-b');
    const state = await loadTableState(engine, root);
    expect(livePaths(root, state.files)).toEqual([`${root}/special p@#h`]);
  });

  it('resolves relative and escaped paths of a table without metadata (file list only)', async () => {
    const root = golden('data-reader-absolute-paths-escaped-chars');
    const e = await failure(loadTableState(engine, root));
    expect(e.code).toBe('MISSING_METADATA');
    const segment = await buildLogSegment(engine, root);
    const parent = root.slice(0, root.lastIndexOf('/'));
    const files = (await readCommits(engine, segment.commits)).flat().filter((a) => a.kind === 'add');
    const resolved = files.map((a) => (a.kind === 'add' ? resolveLogPath(root, a.add.path) : '')).sort();
    expect(resolved).toEqual([`${parent}/Users/scott.sandre/connectors/golden-tables/src/test/resources/golden/data-reader-absolute-paths-escaped-chars/foo.snappy.parquet`, `${root}/bar-bar.snappy.parquet`].sort());
  });

  it('gives the same state through a checkpoint as through replaying every commit', async () => {
    for (const root of [golden('checkpoint'), golden('basic-with-inserts-deletes-checkpoint'), kernel('with_checkpoint_no_last_checkpoint'), deltaRs('simple_table_with_checkpoint')]) {
      const state = await loadTableState(engine, root);
      const segment = await buildLogSegment(engine, root, { version: 0 });
      const listed = readdirSync(`${root}/_delta_log`).filter((f) => /^\d{20}\.json$/.test(f)).sort();
      const replay = new LogReplay(root);
      const all = listed.map((f) => ({ name: { type: 'commit' as const, version: Number(f.slice(0, 20)) }, meta: { path: `${segment.logDir}/${f}`, size: 0, lastModified: 0 } }));
      for (const actions of await readCommits(engine, all)) replay.apply(actions);
      const full = replay.finish(state.version, undefined);
      expect(livePaths(root, state.files), root).toEqual(livePaths(root, full.files));
      expect(state.metadata.id).toBe(full.metadata.id);
      expect(state.protocol).toEqual(full.protocol);
    }
  });

  it('fails clearly on tables missing protocol or metadata, or with an unsupported protocol', async () => {
    const cases: Array<[string, string, string]> = [
      [golden('deltalog-state-reconstruction-from-checkpoint-missing-metadata'), 'MISSING_METADATA', 'no metaData action'],
      [golden('deltalog-state-reconstruction-from-checkpoint-missing-protocol'), 'MISSING_PROTOCOL', 'no protocol action'],
      [golden('deltalog-state-reconstruction-without-metadata'), 'MISSING_METADATA', 'no metaData action'],
      [golden('deltalog-invalid-protocol-version'), 'UNSUPPORTED_READER_VERSION', 'reader version 99'],
      [deltaRs('simple_table_features'), 'UNSUPPORTED_READER_VERSION', 'reader version 5'],
      [kernel('table-with-geo'), 'UNSUPPORTED_READER_FEATURE', '"geospatial"'],
      [deltaRs('spark-shredded-variant-preview-delta'), 'UNSUPPORTED_READER_FEATURE', '"variantShredding-preview"'],
    ];
    for (const [root, code, text] of cases) {
      const e = await failure(loadTableState(engine, root));
      expect(e.code, root).toBe(code);
      expect(e.message, root).toContain(text);
    }
  });

  it('reports the application transactions the expected files list', async () => {
    for (const name of ['app-txn-checkpoint', 'app-txn-no-checkpoint']) {
      const expected = JSON.parse(readFileSync(`${FIXTURES}/expected/${name}__txn.json`, 'utf8')) as { appTransactions: Record<string, number> };
      const state = await loadTableState(engine, kernel(name));
      expect(Object.fromEntries([...state.txns].map(([k, v]) => [k, Number(v)]))).toEqual(expected.appTransactions);
      expect([...state.txns.values()].every((v) => typeof v === 'bigint')).toBe(true);
    }
  });

  it('reads every version of multi-version tables with the file count a naive replay of the JSON gives', async () => {
    for (const root of [golden('snapshot-data3'), golden('time-travel-start-start20-start40'), kernel('cdf-table-with-cdc-and-dvs'), deltaRs('simple_table'), golden('checkpoint')]) {
      const log = `${root}/_delta_log`;
      const commits = readdirSync(log).filter((f) => /^\d{20}\.json$/.test(f)).sort();
      const live = new Set<string>();
      for (const c of commits) {
        for (const line of readFileSync(`${log}/${c}`, 'utf8').split('\n').filter(Boolean)) {
          const o = JSON.parse(line) as { add?: { path: string; deletionVector?: { storageType: string; pathOrInlineDv: string; offset?: number } }; remove?: { path: string; deletionVector?: { storageType: string; pathOrInlineDv: string; offset?: number } } };
          const key = (a: { path: string; deletionVector?: { storageType: string; pathOrInlineDv: string; offset?: number } }) =>
            `${a.path}|${a.deletionVector ? a.deletionVector.storageType + a.deletionVector.pathOrInlineDv + '@' + (a.deletionVector.offset ?? '') : ''}`;
          if (o.add) live.add(key(o.add));
          if (o.remove) live.delete(key(o.remove));
        }
        const version = Number(c.slice(0, 20));
        const state = await loadTableState(engine, root, { version });
        expect(state.version).toBe(version);
        expect(state.files.length, `${root} v${version}`).toBe(live.size);
      }
    }
  });

  it('exposes the commitInfo of the snapshot version, also when it is a checkpoint version', async () => {
    const root = golden('checkpoint');
    const at10 = await loadTableState(engine, root, { version: 10 });
    const raw = readFileSync(`${root}/_delta_log/00000000000000000010.json`, 'utf8');
    const info = raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { commitInfo?: { timestamp: number } }).find((o) => o.commitInfo)?.commitInfo;
    expect(at10.commitInfo?.timestamp).toBe(info?.timestamp);
  });

  it('reads domain metadata', async () => {
    const state = await loadTableState(engine, deltaRs('table-with-domain-metadata'));
    expect(state.domains.size).toBeGreaterThan(0);
    for (const [k, d] of state.domains) {
      expect(d.domain).toBe(k);
      expect(d.removed).toBe(false);
    }
  });
});

describe('LogReplay on synthetic logs', () => {
  const root = '/mem/t';

  it('applies removes, re-adds, txns and domain removal in version order', async () => {
    const engine = memoryEngine();
    await putCommit(engine.store, root, 0, [PROTOCOL, METADATA, add('a'), add('b'), { txn: { appId: 'x', version: 1 } }, { domainMetadata: { domain: 'd', configuration: '{}', removed: false } }]);
    await putCommit(engine.store, root, 1, [remove('a', { deletionTimestamp: 5 }), { txn: { appId: 'x', version: 0 } }, { domainMetadata: { domain: 'd', configuration: '', removed: true } }]);
    await putCommit(engine.store, root, 2, [{ commitInfo: { operation: 'WRITE' } }, add('file:/mem/t/a'), add('c%20d')]);
    const s = await loadTableState(engine, root);
    expect(livePaths(root, s.files)).toEqual(['/mem/t/a', '/mem/t/b', '/mem/t/c d']);
    expect(s.tombstones).toEqual([]);
    expect(s.txns).toEqual(new Map([['x', 0n]]));
    expect(s.domains.size).toBe(0);
    expect(s.commitInfo?.operation).toBe('WRITE');
    const v1 = await loadTableState(engine, root, { version: 1 });
    expect(v1.tombstones.map((r) => r.path)).toEqual(['a']);
    expect(v1.commitInfo).toBeUndefined();
  });

  it('names the corrupt file and line when a commit line is malformed', async () => {
    const engine = memoryEngine();
    await putCommit(engine.store, root, 0, [PROTOCOL, METADATA]);
    await engine.store.put(`${root}/_delta_log/00000000000000000001.json`, new TextEncoder().encode('{"commitInfo":{}}\n{"add":{"path":"x",}}\n'));
    const e = await failure(loadTableState(engine, root));
    expect(e.code).toBe('CORRUPT_LOG');
    expect(e.message).toContain('/mem/t/_delta_log/00000000000000000001.json line 2');
  });
});
