import type { Table } from 'apache-arrow';
import type { Engine } from '../../src/engine.js';
import { parseActionLines } from '../../src/log/parse-actions.js';
import type { Action } from '../../src/log/actions.js';
import { commitPath } from '../../src/log/log-path.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { DeltaTable } from '../../src/table/delta-table.js';

/** An engine over a fresh (or given) MemoryStore that decodes in this thread. */
export function memoryEngine(store: ObjectStore = new MemoryStore()): Engine {
  return createDefaultEngine({ store, workers: 0 });
}

/** The table's rows at its latest version (or `version`), read back through the reader. */
export async function readBack(engine: Engine, root: string, version?: number): Promise<Table> {
  const table = DeltaTable.forPath(`memory://${root.replace(/^\//, '')}`, { engine });
  const snap = await table.snapshot(version === undefined ? {} : { version });
  return snap.scan().toTable();
}

export async function snapshotOf(engine: Engine, root: string) {
  return DeltaTable.forPath(`memory://${root.replace(/^\//, '')}`, { engine }).snapshot();
}

/** The actions of one commit file. */
export async function commitActions(engine: Engine, root: string, version: number): Promise<Action[]> {
  const path = commitPath(root, version);
  return parseActionLines(await engine.store.get(path), path);
}

/** Rows as plain objects with stable JS values (bigint kept, Dates as ISO) for comparisons. */
export function rowsOf(t: Table): Record<string, unknown>[] {
  return t.toArray().map((r) => {
    const o = r.toJSON() as Record<string, unknown>;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, plain(v)]));
  });
}

function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [plain(k), plain(x)]));
  if (typeof v === 'object' && !(v instanceof Date)) {
    const o = v as { toArray?: () => unknown; toJSON?: () => unknown };
    // Arrow vectors (lists) become arrays; struct and map rows become objects
    if (typeof o.toArray === 'function' && typeof (v as { length?: unknown }).length === 'number') return Array.from(v as Iterable<unknown>, plain);
    if (typeof o.toJSON === 'function') {
      const j = o.toJSON() as Record<string, unknown>;
      return Object.fromEntries(Object.entries(j).map(([k, x]) => [k, plain(x)]));
    }
  }
  return v;
}

/** Sorts rows by a key for order-insensitive comparison. */
export function sortBy<T extends Record<string, unknown>>(rows: T[], key: string): T[] {
  return [...rows].sort((a, b) => {
    const x = a[key] as number | bigint | string;
    const y = b[key] as number | bigint | string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
