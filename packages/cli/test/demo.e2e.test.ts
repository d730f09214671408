import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('deltakit demo', () => {
  it('builds a table that the other commands read, and reruns over its own table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deltakit-demo-'));
    dirs.push(dir);
    const table = join(dir, 'orders');
    const first = await cli('demo', '--dir', table, '--rows', '2000');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Evolved the schema');
    const described = JSON.parse((await cli('describe', table, '--format', 'json')).stdout) as { version: number; numRecords: number; metadata: { partitionColumns: string[] } };
    expect(described.version).toBe(6);
    expect(described.metadata.partitionColumns).toEqual(['day']);
    // 5 appends of 2000 rows, then one partition replaced by 1000 rows
    const rows = (await cli('cat', table, '--format', 'jsonl', '--columns', 'order_id,day')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { day: string });
    expect(rows.length).toBe(described.numRecords);
    expect(rows.filter((r) => r.day === '2024-03-01')).toHaveLength(1000);
    const v1 = (await cli('cat', table, '--version', '1', '--format', 'jsonl')).stdout.trim().split('\n');
    expect(v1).toHaveLength(2000);
    const again = await cli('demo', '--dir', table, '--rows', '2000');
    expect(again.code).toBe(0);
    expect(JSON.parse((await cli('describe', table, '--format', 'json')).stdout).version).toBe(6);
  });

  it('refuses to overwrite a directory that is not its own demo table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deltakit-demo-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'precious'));
    writeFileSync(join(dir, 'precious', 'data.txt'), 'keep me');
    const r = await cli('demo', '--dir', join(dir, 'precious'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^deltakit: INVALID_ARGUMENT: .*not a deltakit demo table/);
  });
});
