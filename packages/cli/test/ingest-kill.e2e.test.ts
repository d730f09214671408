/**
 * Exactly-once under crashes: `deltakit ingest` is killed with SIGKILL at random moments of its
 * batch cycle, over and over, and restarted each time; at the end the sink holds every source row
 * exactly once. Where each kill landed is read back from durable state afterwards (the offsets
 * and commits logs, and the batch id the sink table recorded in its txn action), so the test
 * shows it covered planning, reading/writing, and the gap between the sink commit and the
 * commits log, without hooks in the engine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ok, requireBuiltCli } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const KILLS = 52;
const ROWS_PER_VERSION = 400;

type Phase = 'planning' | 'reading' | 'sink-write' | 'after-sink-commit';

/** Data files (not the log) under the sink table. */
function dataFiles(table: string): number {
  try {
    return readdirSync(table, { recursive: true }).filter((n) => String(n).endsWith('.parquet') && !String(n).startsWith('_delta_log')).length;
  } catch {
    return 0;
  }
}

function ids(dir: string, log: string): number[] {
  try {
    return readdirSync(join(dir, log)).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** The txn version the sink recorded for `appId` (from the commit files; -1 when none). */
function sinkTxn(table: string): Map<string, number> {
  const out = new Map<string, number>();
  let names: string[];
  try {
    names = readdirSync(join(table, '_delta_log')).filter((n) => /^\d{20}\.json$/.test(n)).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    for (const line of readFileSync(join(table, '_delta_log', n), 'utf8').split('\n')) {
      const m = /^\{"txn":\{"appId":"([^"]+)","version":(\d+)/.exec(line);
      if (m) out.set(m[1]!, Number(m[2]));
    }
  }
  return out;
}

function classify(checkpoint: string, table: string, newFiles: boolean): Phase {
  const offsets = ids(checkpoint, 'offsets');
  const commits = ids(checkpoint, 'commits');
  const n = offsets.at(-1);
  if (n === undefined || commits.at(-1) === n) return 'planning';
  let queryId = '';
  try {
    queryId = (JSON.parse(readFileSync(join(checkpoint, 'metadata'), 'utf8')) as { id: string }).id;
  } catch {
    return 'planning';
  }
  const recorded = [...sinkTxn(table).entries()].filter(([app]) => app.startsWith(queryId)).map(([, v]) => v);
  if (recorded.some((v) => v >= n)) return 'after-sink-commit';
  // Planned and not committed: data files written but not in the log mean the sink was writing.
  return newFiles ? 'sink-write' : 'reading';
}

function runKilled(args: readonly string[], delayMs: number): Promise<'killed' | number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore', env: { ...process.env, DELTAKIT_TESTING_DELAY_BEFORE_COMMIT_LOG_MS: '40' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : (code ?? 1));
    });
  });
}

async function appendVersion(source: string, dir: string, version: number): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < ROWS_PER_VERSION; i++) {
    const id = version * ROWS_PER_VERSION + i;
    lines.push(JSON.stringify({ id, k: id, v: `v${version}` }));
  }
  const input = join(dir, `in-${version}.jsonl`);
  writeFileSync(input, lines.join('\n') + '\n');
  await ok('write', source, '--input', input, '--mode', 'append');
}

/** Kills `ingest` KILLS times at random moments while the source grows, then lets it finish. */
async function killLoop(dir: string, extra: readonly string[]): Promise<{ phases: Record<Phase, number>; sink: string; versions: number }> {
  const source = join(dir, 'source');
  const sink = join(dir, 'sink');
  const checkpoint = join(dir, 'chk');
  const args = ['ingest', source, sink, '--checkpoint', checkpoint, '--format', 'delta', '--trigger', 'availableNow', '--max-files-per-trigger', '1', '--progress', 'none', ...extra];
  const phases: Record<Phase, number> = { planning: 0, reading: 0, 'sink-write': 0, 'after-sink-commit': 0 };
  let versions = 0;
  for (let v = 0; v < 4; v++) await appendVersion(source, dir, versions++);
  let kills = 0;
  // Deterministic pseudo-random delays (a fixed LCG), spread over start-up and the batch loop.
  let seed = extra.length + 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  while (kills < KILLS) {
    if (kills % 3 === 0) await appendVersion(source, dir, versions++);
    const before = dataFiles(sink);
    const r = await runKilled(args, 300 + Math.floor(random() * 900));
    if (r !== 'killed') {
      expect(r).toBe(0);
      continue;
    }
    kills++;
    phases[classify(checkpoint, sink, dataFiles(sink) > before)]++;
  }
  const final = await runKilled(args, 120_000);
  expect(final).toBe(0);
  return { phases, sink, versions };
}

async function sinkIds(sink: string): Promise<number[]> {
  const out = await ok('cat', sink, '--format', 'jsonl', '--columns', 'id');
  return out.trim().split('\n').filter(Boolean).map((l) => Number((JSON.parse(l) as { id: number }).id));
}

describe('deltakit ingest: exactly once under SIGKILL', () => {
  it(`append and MERGE upsert: ${KILLS} kills each at random points, every row exactly once`, async () => {
    requireBuiltCli();
    const dir = mkdtempSync(join(tmpdir(), 'deltakit-kill-append-'));
    dirs.push(dir);
    const mergeDir = mkdtempSync(join(tmpdir(), 'deltakit-kill-merge-'));
    dirs.push(mergeDir);
    // The append and the MERGE variants run side by side to halve the wall time.
    const [append, merge] = await Promise.all([killLoop(dir, []), killLoop(mergeDir, ['--merge-key', 'k'])]);
    for (const { phases, sink, versions } of [append, merge]) {
      const got = await sinkIds(sink);
      const expected = Array.from({ length: versions * ROWS_PER_VERSION }, (_, i) => i);
      expect(got.length).toBe(expected.length);
      expect(new Set(got).size).toBe(expected.length);
      expect([...got].sort((a, b) => a - b)).toEqual(expected);
      // The kills landed in every part of the batch cycle.
      expect(Object.values(phases).reduce((a, b) => a + b, 0)).toBe(KILLS);
      expect(phases.planning).toBeGreaterThan(0);
      expect(phases.reading + phases['sink-write']).toBeGreaterThan(0);
      expect(phases['after-sink-commit']).toBeGreaterThan(0);
      console.log(`kill phases (${sink.includes('merge') ? 'merge' : 'append'}): ${JSON.stringify(phases)}`);
    }
  }, 600_000);
});
