import { fork, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type Engine } from '../../src/engine.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { Transaction } from '../../src/transaction/transaction.js';
import { PROTOCOL_1_2, metadata } from './helpers.js';

/**
 * Real concurrency on the local file system: several Node processes append to one table at once
 * through the built package. Every commit must land exactly once, at contiguous versions.
 */

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(PKG, 'dist');
const WORKER = fileURLToPath(new URL('./append-worker.mjs', import.meta.url));
const PROCESSES = 4;
const APPENDS_PER_PROCESS = 100;

/** Builds dist/ when it is missing or older than the transaction sources. */
function ensureBuilt(): void {
  const built = join(DIST, 'transaction', 'transaction.js');
  const srcDir = join(PKG, 'src', 'transaction');
  const newest = Math.max(...readdirSync(srcDir).map((f) => statSync(join(srcDir, f)).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PKG, stdio: 'pipe' });
  } catch (e) {
    // tsc still emits when files elsewhere have type errors; only a missing output is fatal.
    if (!existsSync(built)) throw e;
  }
}

function localEngine(): Engine {
  const store = new LocalFileSystemStore();
  return { store, parquet: createParquetHandler(store, { workers: 0 }), clock: systemClock };
}

async function createLocalTable(engine: Engine, root: string): Promise<void> {
  const tx = Transaction.begin(engine, null, { operation: 'CREATE TABLE', tableRoot: root });
  await tx.updateProtocol(PROTOCOL_1_2).updateMetadata(metadata({ partitionColumns: [] })).commit();
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface WorkerReport {
  workerId: string;
  latencies: number[];
  retries: number;
}

function runWorker(root: string, id: number): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [DIST, root, String(id), String(APPENDS_PER_PROCESS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: WorkerReport | undefined;
    child.on('message', (m) => (report = m as WorkerReport));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`worker ${id} exited with code ${code}`))));
  });
}

describe('commits from several processes on the local file system', () => {
  const dirs: string[] = [];
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`${PROCESSES} processes x ${APPENDS_PER_PROCESS} appends: contiguous versions, every file exactly once`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'deltakit-occ-'));
    dirs.push(root);
    const engine = localEngine();
    await createLocalTable(engine, root);
    const t0 = performance.now();
    const reports = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => runWorker(root, i)));
    const seconds = (performance.now() - t0) / 1000;

    const total = PROCESSES * APPENDS_PER_PROCESS;
    const logNames = readdirSync(join(root, '_delta_log')).sort();
    // no temp files left behind: only commits, the checkpoints written every 10 versions, and the hint
    expect(logNames.filter((n) => !/^\d{20}\.(json|checkpoint\.parquet)$/.test(n) && n !== '_last_checkpoint')).toEqual([]);
    expect(logNames.filter((n) => n.endsWith('.checkpoint.parquet')).length).toBeGreaterThan(0);
    const commits = logNames.filter((n) => n.endsWith('.json'));
    expect(commits.map((n) => Number(n.slice(0, 20)))).toEqual(Array.from({ length: total + 1 }, (_, v) => v));

    const snap = await DeltaTable.forPath(root, { engine }).snapshot();
    expect(snap.version).toBe(total);
    const paths = snap.addFiles.map((f) => f.path);
    expect(paths.length).toBe(total);
    expect(new Set(paths).size).toBe(total);
    for (let w = 0; w < PROCESSES; w++) {
      for (let i = 0; i < APPENDS_PER_PROCESS; i++) expect(paths).toContain(`w${w}-${String(i).padStart(4, '0')}.parquet`);
    }

    const all = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const retries = reports.reduce((n, r) => n + r.retries, 0);
    console.log(
      `[occ] ${PROCESSES} processes: ${total} commits in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(0)} commits/s (including snapshot loads); ` +
        `commit() p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms; ${retries} retries after lost races`,
    );
  }, 90_000);

  it('sequential small commits: latency', async () => {
    const root = mkdtempSync(join(tmpdir(), 'deltakit-seq-'));
    dirs.push(root);
    const engine = localEngine();
    await createLocalTable(engine, root);
    const table = DeltaTable.forPath(root, { engine });
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const tx = Transaction.begin(engine, await table.snapshot(), { operation: 'WRITE' });
      tx.addFiles([{ path: `seq-${i}.parquet`, partitionValues: {}, size: 10, modificationTime: 1, dataChange: true }]);
      const t0 = performance.now();
      const r = await tx.commit();
      latencies.push(performance.now() - t0);
      expect(r).toMatchObject({ version: i + 1, attempts: 1 });
    }
    latencies.sort((a, b) => a - b);
    console.log(`[occ] 200 sequential commits: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`);
  }, 60_000);
});
