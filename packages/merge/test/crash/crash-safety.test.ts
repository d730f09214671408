import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { field, primitive, struct } from '@deltakit/core';
import { checkLiveFilesInDuckDb, cleanup, makeTable, tableAt, tempDir } from '../helpers.js';

/**
 * Crash safety of DML: a child process runs a DELETE (files rewritten, or deletion vectors
 * written) and is SIGKILLed at random moments. Afterwards the table must be exactly as before
 * (same version, same rows) or exactly as after the DELETE (next version, the expected rows),
 * never in between; leftovers are only unreferenced data, change-data and DV files.
 */

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(PKG, 'dist');
const CHILD = fileURLToPath(new URL('./delete-child.mjs', import.meta.url));
const CONDITION = 'v < 37 OR v > 990';
const N = 400_000;

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

const schema = struct([field('id', primitive('long'), false), field('v', primitive('integer'), false), field('s', primitive('string'))]);
const templates: Record<string, string> = {};
let expectedAfter = 0;

beforeAll(async () => {
  ensureBuilt();
  const ids = new BigInt64Array(N);
  const vs = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    ids[i] = BigInt(i);
    vs[i] = (i * 7) % 1000;
  }
  expectedAfter = Array.from(vs).filter((v) => !(v < 37 || v > 990)).length;
  for (const dv of [false, true]) {
    const t = await makeTable([], schema, { properties: { 'delta.enableChangeDataFeed': 'true', ...(dv ? { 'delta.enableDeletionVectors': 'true' } : {}) } });
    for (let k = 0; k < 4; k++) {
      const part = (a: BigInt64Array | Int32Array) => a.slice((k * N) / 4, ((k + 1) * N) / 4);
      const idp = part(ids) as BigInt64Array;
      await t.write(tableFromArrays({ id: idp, v: part(vs) as Int32Array, s: Array.from(idp, (x) => `row ${x}`) }), { mode: 'append' });
    }
    templates[String(dv)] = t.tableRoot;
  }
}, 120_000);
afterAll(cleanup);

function runChild(root: string, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, DIST, root, CONDITION], { cwd: PKG, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      for (const l of c.split('\n').filter((x) => x !== '')) {
        lines.push(l);
        if (l.startsWith('ready ')) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve(lines);
    });
  });
}

describe.each([false, true])('a DELETE killed with SIGKILL leaves the table unchanged or fully changed (deletion vectors: %s)', (dv) => {
  it('8 kills at random moments', async () => {
    const rnd = prng(dv ? 7 : 11);
    const outcomes = { unchanged: 0, changed: 0 };
    for (let i = 0; i < 8; i++) {
      const root = tempDir();
      cpSync(templates[String(dv)]!, root, { recursive: true });
      const table = tableAt(root);
      const v0 = (await table.snapshot()).version;
      const delay = Math.round(5 * 1600 ** rnd()); // log-uniform in [5, 8000] ms
      const lines = await runChild(root, delay);
      expect(lines[0]).toBe(`ready ${v0}`);
      const reported = lines.some((l) => l.startsWith('done '));
      const snap = await tableAt(root).snapshot();
      const rows = (await snap.scan({ columns: ['id'] }).toTable()).numRows;
      if (snap.version === v0) {
        expect(rows, `kill ${i} after ${delay} ms: unchanged`).toBe(N);
        expect(reported, 'a reported DELETE is committed').toBe(false);
        outcomes.unchanged++;
      } else {
        expect(snap.version, `kill ${i} after ${delay} ms`).toBe(v0 + 1);
        expect(rows, `kill ${i} after ${delay} ms: fully deleted`).toBe(expectedAfter);
        expect(snap.commitInfo?.operation).toBe('DELETE');
        outcomes.changed++;
      }
      await checkLiveFilesInDuckDb(tableAt(root));
    }
    console.log(`[dml crash, dv=${dv}] ${JSON.stringify(outcomes)}`);
    expect(outcomes.unchanged, 'some kills landed before the commit').toBeGreaterThan(0);
  }, 240_000);
});
