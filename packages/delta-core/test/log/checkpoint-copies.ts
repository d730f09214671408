import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import { expect } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { goldenExpected } from '../fixtures.js';
import { canonicalRows, columnNames } from '../table/canonical.js';

/** Temporary copies of fixture tables, for tests that write into a table's log. */
const made: string[] = [];

/**
 * A writable copy of the fixture table at `root` (fixture files are read-only), without its
 * checkpoints, sidecars and `_last_checkpoint` unless `keepCheckpoints`; returns the copy's root.
 */
export function copyTable(root: string, options: { keepCheckpoints?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'deltakit-ckpt-'));
  made.push(dir);
  const copy = join(dir, 'table');
  cpSync(root, copy, { recursive: true });
  makeWritable(copy);
  if (!options.keepCheckpoints) {
    const log = join(copy, '_delta_log');
    for (const f of readdirSync(log)) {
      if (/checkpoint/.test(f) || f === '_sidecars' || f === '_last_checkpoint' || /compacted/.test(f)) rmSync(join(log, f), { recursive: true, force: true });
    }
  }
  return copy;
}

function makeWritable(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.isDirectory() ? 0o755 : 0o644);
  if (st.isDirectory()) for (const f of readdirSync(path)) makeWritable(join(path, f));
}

export function removeCopies(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function logFiles(root: string): string[] {
  return readdirSync(join(root, '_delta_log')).filter((f) => !f.startsWith('.')).sort();
}

/** The rows of a golden table's `expected/` folder. */
export async function readExpected(engine: Engine, name: string): Promise<Table> {
  const dir = goldenExpected(name);
  const files = readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort();
  const batches = [];
  for (const f of files) for await (const b of engine.parquet.readBatches({ path: `${dir}/${f}` })) batches.push(b);
  return batches.length > 0 ? new Table(batches) : new Table(await engine.parquet.readSchema({ path: `${dir}/${files[0]}` }));
}

/** The golden check: the latest snapshot of the table at `root` scans to the rows of golden table `name`. */
export async function expectGoldenRows(engine: Engine, root: string, name: string, sessionTimeZone?: string): Promise<void> {
  const table = DeltaTable.forPath(root, { engine, ...(sessionTimeZone ? { sessionTimeZone } : {}) });
  const actual = await (await table.snapshot()).scan().toTable();
  const expected = await readExpected(engine, name);
  expect(columnNames(actual)).toEqual(columnNames(expected));
  expect(actual.numRows).toBe(expected.numRows);
  expect(canonicalRows(actual)).toEqual(canonicalRows(expected));
}
