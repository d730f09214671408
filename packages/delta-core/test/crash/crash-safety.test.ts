import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { DIST, ensureBuilt } from '../roundtrip/dist-build.js';

/**
 * Crash safety on the local file system: a child process appends batches in a loop and is
 * SIGKILLed — at random moments, while its input hangs with data files written, just before the
 * commit's temp file is linked into place, and just after. After every kill the table must open
 * at exactly the committed version, hold exactly the committed rows, have only complete commits,
 * and the only leftovers may be unreferenced data files and the store's `.<name>.<uuid>.tmp`
 * files, which readers and later writers ignore.
 */

const CHILD = fileURLToPath(new URL('./append-child.mjs', import.meta.url));
const BATCH_ROWS = 50; // as in append-child.mjs
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const COMMIT = /^(\d{20})\.json$/;
const CHECKPOINT = /^\d{20}\.checkpoint\.parquet$/;
const TEMP = new RegExp(`^\\.(.+)\\.${UUID}\\.tmp$`);

const root = mkdtempSync(join(tmpdir(), 'deltakit-crash-'));
const engine: Engine = createDefaultEngine({ store: new LocalFileSystemStore(), workers: 0 });
const table = DeltaTable.forPath(root, { engine });
const tally = { unreportedCommits: 0, orphanFiles: 0, tempFiles: 0, commitsWhileKilling: 0 };

beforeAll(async () => {
  ensureBuilt();
  const schema = struct([field('id', primitive('long'), false), field('batch', primitive('integer'), false), field('payload', primitive('string'))]);
  await table.create({ schema, properties: { 'delta.checkpointInterval': '3' } });
}, 120_000);
afterAll(async () => {
  console.log(`[crash] leftovers after all kills: ${JSON.stringify(tally)}`);
  await engine.parquet.close();
  rmSync(root, { recursive: true, force: true });
});

interface ChildRun {
  /** Versions the child reported as committed, in order. */
  readonly committed: number[];
  readonly lines: string[];
  readonly signal: NodeJS.Signals | null;
}

/**
 * Runs the child from batch `firstBatch`; `killWhen` gets each stdout line and returns a delay in
 * ms after which to SIGKILL it (undefined: keep waiting). Hooked children kill themselves.
 */
function runChild(firstBatch: number, hook: string, killWhen: (line: string) => number | undefined): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, DIST, root, String(firstBatch)], { env: { ...process.env, CRASH_HOOK: hook }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let pending = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const delay = killWhen(line);
        if (delay !== undefined) setTimeout(() => child.kill('SIGKILL'), delay);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (pending !== '') lines.push(pending);
      if (signal !== 'SIGKILL') return reject(new Error(`child ended with code ${code} instead of being killed:\n${lines.join('\n')}\n${stderr}`));
      const committed = lines.filter((l) => l.startsWith('committed ')).map((l) => Number(l.split(' ')[1]));
      resolve({ committed, lines, signal });
    });
  });
}

/** Every file under `dir`, relative to it. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

/**
 * Asserts the table is consistent at `version` and returns its temp files; every assertion reads
 * the directory independently of the library, except the final read of the rows.
 */
async function verifyTable(version: number): Promise<{ temps: string[]; orphans: string[] }> {
  const logDir = join(root, '_delta_log');
  const names = readdirSync(logDir);
  const temps = names.filter((n) => TEMP.test(n));
  const unknown = names.filter((n) => !COMMIT.test(n) && !CHECKPOINT.test(n) && n !== '_last_checkpoint' && !TEMP.test(n));
  expect(unknown, 'unexpected files in _delta_log').toEqual([]);
  const versions = names.filter((n) => COMMIT.test(n)).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
  expect(versions, 'commit versions are contiguous').toEqual(Array.from({ length: version + 1 }, (_, v) => v));
  for (const v of versions) {
    const text = readFileSync(join(logDir, `${String(v).padStart(20, '0')}.json`), 'utf8');
    const actions = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(actions.some((a) => 'commitInfo' in a), `commit ${v} has its commitInfo`).toBe(true);
    if (v > 0) expect(actions.filter((a) => 'add' in a).length, `commit ${v} adds files`).toBeGreaterThan(0);
  }
  if (names.includes('_last_checkpoint')) {
    const last = JSON.parse(readFileSync(join(logDir, '_last_checkpoint'), 'utf8')) as { version: number };
    expect(last.version).toBeLessThanOrEqual(version);
    expect(existsSync(join(logDir, `${String(last.version).padStart(20, '0')}.checkpoint.parquet`))).toBe(true);
  }

  const snap = await table.snapshot();
  expect(snap.version, 'the reader sees the last complete commit, ignoring temp files').toBe(version);
  const live = new Set(snap.addFiles.map((a) => decodeURIComponent(a.path)));
  const dataFiles = walk(root).filter((p) => !p.startsWith('_delta_log'));
  for (const p of live) expect(dataFiles, `committed file ${p} exists`).toContain(p);
  const orphans = dataFiles.filter((p) => !live.has(p));
  const badLeftovers = orphans.filter((p) => !p.endsWith('.parquet') && !TEMP.test(p.split('/').pop()!));
  expect(badLeftovers, 'leftovers other than data files and store temp files').toEqual([]);

  // exactly the committed batches: batch b of the log holds ids b*50 .. b*50+49
  const t = await snap.scan({ columns: ['id'] }).toTable();
  const ids = Array.from(t.getChild('id')!.toArray() as BigInt64Array, Number).sort((a, b) => a - b);
  expect(ids.length).toBe(version * BATCH_ROWS);
  expect(ids.every((id, k) => id === k), 'ids are exactly 0..n-1, each once').toBe(true);
  return { temps, orphans };
}

/** A seeded PRNG (mulberry32) so the kill schedule is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a writer killed with SIGKILL leaves a consistent table', () => {
  let version = 0;

  it('killed while its input hangs after data files were written: no commit, only orphan data files', async () => {
    const before = walk(root).filter((p) => p.endsWith('.parquet')).length;
    const run = await runChild(version, 'hang', (l) => (l === 'hung' ? 0 : undefined));
    expect(run.lines).toContain('hung');
    const { orphans } = await verifyTable(version);
    // targetFileSize 1 flushes every batch (the writer may split it further) before the next is pulled
    const written = walk(root).filter((p) => p.endsWith('.parquet')).length - before;
    expect(written).toBeGreaterThanOrEqual(3);
    expect(orphans.length).toBe(written);
  });

  it('killed just before the commit is linked: the temp commit is ignored and the version is free', async () => {
    const run = await runChild(version, 'before-link', () => undefined);
    const target = `${String(version + 1).padStart(20, '0')}.json`;
    expect(run.lines.some((l) => l.startsWith('linking ') && l.endsWith(target))).toBe(true);
    const { temps } = await verifyTable(version);
    expect(temps.some((n) => n.startsWith(`.${target}.`)), 'the commit temp file is left behind').toBe(true);
  });

  it('killed just after the commit is linked: the commit counts though it was never reported', async () => {
    const run = await runChild(version, 'after-link', () => undefined);
    expect(run.committed).toEqual([]);
    expect(run.lines.some((l) => l.startsWith('linked ') && l.endsWith(`${String(version + 1).padStart(20, '0')}.json`))).toBe(true);
    version += 1;
    await verifyTable(version);
  });

  it('10 kills at random moments (5-500 ms after the table is open): the table holds exactly the committed writes', async () => {
    const rnd = prng(20240229);
    for (let i = 0; i < 10; i++) {
      const delay = Math.round(5 * 100 ** rnd()); // log-uniform in [5, 500]
      const run = await runChild(version, '', (l) => (l.startsWith('ready ') ? delay : undefined));
      expect(run.lines[0], 'the child opened the table').toBe(`ready ${version}`);
      const reported = run.committed.at(-1) ?? version;
      expect(run.committed, 'reported versions are consecutive').toEqual(Array.from({ length: run.committed.length }, (_, k) => version + 1 + k));
      const actual = (await table.snapshot()).version;
      // the kill can land between a commit's link and the child's report of it: at most one such commit
      expect(actual - reported, `kill ${i} after ${delay} ms`).toBeGreaterThanOrEqual(0);
      expect(actual - reported, `kill ${i} after ${delay} ms`).toBeLessThanOrEqual(1);
      tally.unreportedCommits += actual - reported;
      tally.commitsWhileKilling += actual - version;
      version = actual;
      const { temps, orphans } = await verifyTable(version);
      tally.tempFiles = temps.length;
      tally.orphanFiles = orphans.length;
    }
    expect(tally.commitsWhileKilling, 'some kills landed after commits').toBeGreaterThan(0);
  }, 50_000);

  it('a later writer appends past every leftover', async () => {
    const schema = struct([field('id', primitive('long'), false), field('batch', primitive('integer'), false), field('payload', primitive('string'))]);
    const rows = Array.from({ length: BATCH_ROWS }, (_, k) => ({ id: BigInt(version * BATCH_ROWS + k), batch: version, payload: null }));
    const r = await table.write({ rows, schema }, { mode: 'append' });
    expect(r.version).toBe(version + 1);
    version += 1;
    await verifyTable(version);
  });
});
