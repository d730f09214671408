import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ERROR_LINE, ok, requireBuiltCli } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'deltakit-ingest-'));
  dirs.push(d);
  mkdirSync(join(d, 'landing'));
  return d;
}

const rows = async (table: string) => (await ok('cat', table, '--format', 'jsonl')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('deltakit ingest (Auto Loader into Delta)', () => {
  it('stops on new columns naming them (exit 1), and the same command run again continues with them', async () => {
    requireBuiltCli();
    const d = workdir();
    const args = ['ingest', join(d, 'landing'), join(d, 't'), '--checkpoint', join(d, 'chk'), '--trigger', 'availableNow', '--progress', 'none'];
    writeFileSync(join(d, 'landing', 'f1.json'), '{"id": 1, "name": "a"}\n');
    const first = JSON.parse(await ok(...args)) as { batches: number; numInputRows: number };
    expect(first).toMatchObject({ batches: 1, numInputRows: 1 });
    writeFileSync(join(d, 'landing', 'f2.json'), '{"id": 2, "name": "b", "coupon": "X"}\n');
    const stopped = await cli(...args);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toBe('');
    expect(stopped.stderr).toMatch(ERROR_LINE);
    expect(stopped.stderr).toMatch(/SCHEMA_CHANGED: Auto Loader found new columns: coupon/);
    await ok(...args);
    expect((await rows(join(d, 't'))).sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual([
      { id: '1', name: 'a', _rescued_data: null, coupon: null },
      { id: '2', name: 'b', _rescued_data: null, coupon: 'X' },
    ]);
    // Nothing new: a run with no data ends at once without a batch.
    expect(JSON.parse(await ok(...args))).toMatchObject({ batches: 0, numInputRows: 0 });
  });

  it('upserts with --merge-key, reducing a batch to the last row per key in file and line order', async () => {
    const d = workdir();
    writeFileSync(join(d, 'landing', 'a.json'), '{"k": 1, "v": "old"}\n{"k": 2, "v": "x"}\n{"k": 1, "v": "new"}\n');
    writeFileSync(join(d, 'landing', 'b.json'), '{"k": 2, "v": "y"}\n');
    const out = await ok('ingest', join(d, 'landing'), join(d, 't'), '--checkpoint', join(d, 'chk'), '--trigger', 'once', '--infer-column-types', '--merge-key', 'k', '--progress', 'jsonl');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ batchId: 0, numInputRows: 4 });
    expect(lines.at(-1)).toMatchObject({ batches: 1, numInputRows: 4 });
    expect((await rows(join(d, 't'))).sort((a, b) => Number(a.k) - Number(b.k))).toEqual([
      { k: 1, v: 'new', _rescued_data: null },
      { k: 2, v: 'y', _rescued_data: null },
    ]);
  });

  it('refuses bad arguments with exit 2 and one line', async () => {
    const d = workdir();
    expect((await cli('ingest', join(d, 'landing'), join(d, 't'))).stderr).toMatch(/--checkpoint <dir> is required/);
    const bad = await cli('ingest', join(d, 'landing'), join(d, 't'), '--checkpoint', join(d, 'c'), '--trigger', 'sometimes');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--trigger must be availableNow, once, or an interval/);
    expect((await cli('ingest', join(d, 'landing'), join(d, 't'), '--checkpoint', join(d, 'c'), '--schema-evolution', 'maybe')).code).toBe(2);
  });
});
