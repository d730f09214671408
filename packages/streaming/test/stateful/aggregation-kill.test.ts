/**
 * Crash safety: a windowed aggregation into a Delta table, killed with SIGKILL at random moments
 * and restarted until it finishes, leaves exactly the table (and the late-rows table) of an
 * uninterrupted run. The child is test/fixtures/kill-aggregation.mjs over the built dist/ (run
 * `pnpm -C packages/streaming run build` first); a pause before the commits log widens the window
 * where a batch is in the sink but not committed, so kills land there too.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { read } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const SCRIPT = join(import.meta.dirname, '../fixtures/kill-aggregation.mjs');
const DIST = join(import.meta.dirname, '../../dist/index.js');
const KILLS = Number(process.env.DELTAKIT_KILLS ?? 30);

/** A seeded generator (mulberry32), so a failure can be replayed with DELTAKIT_KILL_SEED. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 160 files of 25 rows (one batch each): event times advance ~5 s per file with jitter, a few rows 20-40 s late. */
function writeInput(dir: string, random: () => number): void {
  mkdirSync(dir, { recursive: true });
  let id = 0;
  for (let f = 0; f < 160; f++) {
    const lines: string[] = [];
    for (let r = 0; r < 25; r++) {
      const lateBy = random() < 0.06 ? 20 + Math.floor(random() * 20) : 0;
      const sec = 1_000 + f * 5 + Math.floor(random() * 8) - lateBy;
      lines.push(JSON.stringify({ id: id++, ts: new Date(sec * 1000).toISOString(), amount: Math.floor(random() * 1000) }));
    }
    writeFileSync(join(dir, `part-${String(f).padStart(3, '0')}.json`), lines.join('\n') + '\n');
  }
}

function runChild(args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function tableRows(path: string, key: (r: Record<string, unknown>) => string): Promise<string[]> {
  const rows = await read.format('delta').load(path).collect();
  return rows.map((r) => key(r)).sort();
}

describe.skipIf(!existsSync(DIST))('windowed aggregation into Delta under SIGKILL', () => {
  it(`killed ${KILLS} times at random moments, then finished, equals an uninterrupted run`, { timeout: 180_000 }, async () => {
    const seed = Number(process.env.DELTAKIT_KILL_SEED ?? Date.now() % 100_000);
    const random = rng(seed);
    const dir = tempDir();
    writeInput(`${dir}/in`, random);

    const reference = await runChild([`${dir}/in`, `${dir}/ref-out`, `${dir}/ref-late`, `${dir}/ref-chk`]);
    expect(reference, reference.stderr).toMatchObject({ code: 0 });

    // Kill until KILLS kills have landed; a child that finishes before its kill ends the loop early.
    let kills = 0;
    let finished = false;
    while (kills < KILLS && !finished) {
      const delay = String(Math.floor(random() * 40));
      const r = await runChild([`${dir}/in`, `${dir}/out`, `${dir}/late`, `${dir}/chk`, delay], 250 + Math.floor(random() * 800));
      if (r.signal === 'SIGKILL') kills++;
      else {
        expect(r, `seed ${seed}: ${r.stderr}`).toMatchObject({ code: 0 });
        finished = true;
      }
    }
    const last = await runChild([`${dir}/in`, `${dir}/out`, `${dir}/late`, `${dir}/chk`]);
    expect(last, `seed ${seed}: ${last.stderr}`).toMatchObject({ code: 0 });
    // The input is sized so that the work outlasts the kills.
    expect(kills, `seed ${seed}: finished after ${kills} kills`).toBeGreaterThanOrEqual(Math.min(KILLS, 20));

    const windowKey = (r: Record<string, unknown>) => `${String(r.start)} ${String(r.end)} ${String(r.n)} ${String(r.total)}`;
    const expected = await tableRows(`${dir}/ref-out`, windowKey);
    expect(expected.length).toBeGreaterThan(5);
    expect(await tableRows(`${dir}/out`, windowKey), `seed ${seed}, ${kills} kills`).toEqual(expected);
    const lateKey = (r: Record<string, unknown>) => `${String(r._late_batch_id)} ${String(r.id)} ${String(r._late_reason)}`;
    const expectedLate = await tableRows(`${dir}/ref-late`, lateKey);
    expect(expectedLate.length).toBeGreaterThan(0);
    expect(await tableRows(`${dir}/late`, lateKey), `seed ${seed}, ${kills} kills`).toEqual(expectedLate);
  });
});
