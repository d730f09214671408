import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, requireBuiltCli } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('deltakit pipeline (the README main job)', () => {
  it('streams landing files through bronze and silver, survives SIGKILL, and reports every record exactly once', async () => {
    requireBuiltCli();
    const dir = mkdtempSync(join(tmpdir(), 'deltakit-pipeline-'));
    dirs.push(dir);
    const r = await cli('pipeline', '--dir', join(dir, 'p'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/killed the streaming process with SIGKILL/);
    expect(r.stdout).toMatch(/bronze_orders: 250 rows for 250 landed lines, 248 distinct event ids, 2 malformed lines ✓ exactly once/);
    expect(r.stdout).toMatch(/1 row carries _rescued_data; columns: .*coupon/);
    expect(r.stdout).toMatch(/silver_orders: 192 orders, each with its latest status ✓/);
    expect(r.stdout).toMatch(/silver change feed since version 1: 192 insert, (\d+) update_preimage, \1 update_postimage/);
    const seconds = Number(/done in ([\d.]+) s/.exec(r.stdout)![1]);
    expect(seconds).toBeLessThan(30);
    // A rerun replaces its own earlier run, and a foreign folder is refused.
    expect((await cli('pipeline', '--dir', join(dir, 'p'))).code).toBe(0);
    writeFileSync(join(dir, 'mine.txt'), 'keep me');
    const refused = await cli('pipeline', '--dir', dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/did not write/);
  }, 120_000);
});
