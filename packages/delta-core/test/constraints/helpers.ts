import { expect } from 'vitest';
import type { Engine } from '../../src/engine.js';
import type { DeltaError } from '../../src/errors.js';
import { isDeltaError } from '../../src/errors.js';
import type { CommitInfo } from '../../src/log/actions.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { commitActions, memoryEngine, readBack, rowsOf } from '../write/write-helpers.js';

/** A table object over a fresh MemoryStore (root `/t`), or over `store` at `root`. */
export function memoryTable(store = new MemoryStore(), root = '/t'): { engine: Engine; table: DeltaTable; root: string } {
  const engine = memoryEngine(store);
  return { engine, table: DeltaTable.forPath(`memory://${root.replace(/^\//, '')}`, { engine }), root };
}

/** The error `p` rejects with, asserted to be a DeltaError with `code`. */
export async function rejection(p: Promise<unknown>, code: DeltaError['code']): Promise<DeltaError> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error, 'expected the call to fail').toBeDefined();
  if (!isDeltaError(error, code)) throw new Error(`expected DeltaError ${code}, got ${String((error as { code?: string }).code)}: ${String(error)}`);
  return error;
}

/** What a failed write must leave as it was: the version and the set of live files. */
export async function tableState(table: DeltaTable): Promise<{ version: number; files: string[] }> {
  const snap = await table.snapshot();
  return { version: snap.version, files: snap.addFiles.map((a) => a.path).sort() };
}

/** Rows of the table's latest version, sorted by `key`. */
export async function rowsSorted(engine: Engine, root: string, key: string): Promise<Record<string, unknown>[]> {
  const rows = rowsOf(await readBack(engine, root));
  return rows.sort((a, b) => {
    const x = a[key] as number | bigint | string | null;
    const y = b[key] as number | bigint | string | null;
    if (x === y) return 0;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  });
}

/** The commitInfo of one version. */
export async function commitInfoOf(engine: Engine, root: string, version: number): Promise<CommitInfo> {
  const ci = (await commitActions(engine, root, version)).find((a) => a.kind === 'commitInfo');
  if (ci?.kind !== 'commitInfo') throw new Error(`version ${version} has no commitInfo`);
  return ci.commitInfo;
}
