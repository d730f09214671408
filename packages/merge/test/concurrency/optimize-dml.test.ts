import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEngine, field, isDeltaError, LocalFileSystemStore, primitive, struct, type ObjectStore } from '@deltakit/core';
import { DeltaTable } from '../../src/index.js';
import { checkLiveFilesInDuckDb, cleanup, duckAfter, listFiles, makeTable, readRows } from '../helpers.js';

/**
 * OPTIMIZE racing a DELETE of the same files, each in its own process: whichever commits second
 * must fail with a typed conflict (OPTIMIZE: CONCURRENT_DELETE_READ, its files were removed by
 * the DELETE; DELETE: CONCURRENT_APPEND, OPTIMIZE added files its predicate may select),
 * and the table must hold exactly the first statement's result. The race is forced: the first
 * statement, in this process, starts the second one in a child process when it writes its first
 * file, and waits for it to commit.
 */

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(PKG, 'dist');
const CHILD = fileURLToPath(new URL('./dml-child.mjs', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) t = Math.max(t, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs);
  return t;
}

/** Builds dist/ of core and merge when missing or stale (the child imports the built packages). */
function ensureBuilt(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  for (const pkg of [join(PKG, '../delta-core'), PKG]) {
    const built = join(pkg, 'dist/index.js');
    if (existsSync(built) && statSync(built).mtimeMs >= newest(join(pkg, 'src'))) continue;
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: pkg, stdio: 'pipe' });
    } catch (e) {
      if (!existsSync(built)) throw e;
    }
  }
}

interface ChildResult {
  ok: boolean;
  version?: number;
  code?: string;
  message?: string;
}

function runChild(root: string, op: 'delete' | 'optimize', condition = ''): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, DIST, root, op, condition], { cwd: PKG }, (err, stdout) => {
      if (err) return reject(err);
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

/**
 * A local store that runs `hook` once: after the first write of a data file whose name matches
 * `re`, or (with `beforeCommit`) just before the first commit file is written.
 */
function hookedStore(re: RegExp | 'beforeCommit', hook: () => Promise<void>): ObjectStore {
  const inner: ObjectStore = new LocalFileSystemStore();
  let fired = false;
  return {
    list: (dir, o) => inner.list(dir, o),
    get: (path, o) => inner.get(path, o),
    getRange: (path, start, end, o) => inner.getRange(path, start, end, o),
    head: (path) => inner.head(path),
    delete: (path) => inner.delete(path),
    isDirectory: (path) => inner.isDirectory(path),
    putIfAbsent: async (path, data) => {
      if (!fired && re === 'beforeCommit' && /_delta_log\/\d{20}\.json$/.test(path)) {
        fired = true;
        await hook();
      }
      return inner.putIfAbsent(path, data);
    },
    put: async (path, data) => {
      await inner.put(path, data);
      if (!fired && re !== 'beforeCommit' && re.test(path) && !path.includes('_delta_log')) {
        fired = true;
        await hook();
      }
    },
  };
}

const schema = struct([field('id', primitive('long'), false), field('v', primitive('integer')), field('s', primitive('string')), field('p', primitive('string'))]);
const COLUMNS = 'id BIGINT, v INTEGER, s VARCHAR, p VARCHAR';
const data = Array.from({ length: 400 }, (_, i) => ({ id: BigInt(i), v: (i * 37) % 101, s: `s${i % 13}`, p: `p${i % 2}` }));

beforeAll(() => ensureBuilt(), 180_000);
afterAll(cleanup);

describe('OPTIMIZE and DELETE of the same files in two processes', () => {
  for (const dvs of [false, true]) {
    it(`DELETE commits while OPTIMIZE runs (${dvs ? 'deletion vectors' : 'copy-on-write'}): OPTIMIZE fails with CONCURRENT_DELETE_READ; the table holds the DELETE`, async () => {
      const base = await makeTable(data, schema, { files: 10, partitionBy: ['p'], properties: dvs ? { 'delta.enableDeletionVectors': 'true' } : {} });
      const root = base.tableRoot;
      const before = await base.snapshot();
      let child: ChildResult | undefined;
      const store = hookedStore(/\.parquet$/, async () => {
        child = await runChild(root, 'delete', 'v < 30');
      });
      const engine = createDefaultEngine({ store, workers: 0 });
      const optimizer = DeltaTable.forPath(root, { engine });
      const e = await optimizer.optimize().then(
        () => undefined,
        (x: unknown) => x,
      );
      await engine.parquet.close();
      expect(child).toMatchObject({ ok: true, version: before.version + 1 });
      expect(isDeltaError(e, 'CONCURRENT_DELETE_READ')).toBe(true);
      expect((e as Error).message).toContain(`version ${before.version + 1} (DELETE)`);

      const expected = await duckAfter(data, COLUMNS, 'DELETE FROM {t} WHERE v < 30');
      const after = await base.snapshot();
      expect(after.version).toBe(before.version + 1);
      expect(await readRows(base)).toEqual(expected);
      await checkLiveFilesInDuckDb(base);
      // OPTIMIZE's files were deleted: every data file on disk is one some version referenced.
      const referenced = new Set<string>();
      for (let v = 0; v <= after.version; v++) for (const a of (await base.snapshot({ version: v })).addFiles) referenced.add(decodeURIComponent(a.path));
      expect(listFiles(root).filter((f) => f.endsWith('.parquet') && !f.startsWith('_delta_log') && !referenced.has(f))).toEqual([]);

      // Run again on the new version: it succeeds and keeps the DELETE's rows.
      const m = await base.optimize();
      expect(m.version).toBe(after.version + 1);
      expect(await readRows(base)).toEqual(expected);
    }, 120_000);
  }

  it('OPTIMIZE commits while a DELETE runs: the DELETE fails with CONCURRENT_APPEND (as in Spark); the table holds the compacted, unchanged rows', async () => {
    const base = await makeTable(data, schema, { files: 10, partitionBy: ['p'], properties: { 'delta.enableDeletionVectors': 'true' } });
    const root = base.tableRoot;
    const before = await base.snapshot();
    let child: ChildResult | undefined;
    // When the DELETE is about to commit, the OPTIMIZE process runs to completion.
    const store = hookedStore('beforeCommit', async () => {
      child = await runChild(root, 'optimize');
    });
    const engine = createDefaultEngine({ store, workers: 0 });
    const deleter = DeltaTable.forPath(root, { engine });
    const e = await deleter.delete('v < 30').then(
      () => undefined,
      (x: unknown) => x,
    );
    await engine.parquet.close();
    expect(child).toMatchObject({ ok: true, version: before.version + 1 });
    // Spark's checker looks at added files first: OPTIMIZE's new files (not a blind append) may
    // hold rows the DELETE's predicate selects, so this is a concurrent append.
    expect(isDeltaError(e, 'CONCURRENT_APPEND')).toBe(true);
    expect((e as Error).message).toContain('(OPTIMIZE)');
    const after = await base.snapshot();
    expect(after.version).toBe(before.version + 1);
    expect(after.addFiles).toHaveLength(2);
    expect(await readRows(base)).toEqual(await duckAfter(data, COLUMNS, 'SELECT 1'));
    // Retried on the compacted files, the DELETE succeeds.
    await base.delete('v < 30');
    expect(await readRows(base)).toEqual(await duckAfter(data, COLUMNS, 'DELETE FROM {t} WHERE v < 30'));
  }, 120_000);
});
