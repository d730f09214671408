/** Shared helpers of the VACUUM and RESTORE tests. */
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, Engine } from '../../src/engine.js';
import type { AddFile, DeletionVectorDescriptor, RemoveFile } from '../../src/log/actions.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { z85Encode } from '../../src/deletion-vectors/z85.js';
import { uuidBytes } from '../../src/deletion-vectors/write.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { ManualClock } from '../transaction/helpers.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const WEEK = 7 * DAY;
export const T0 = Date.UTC(2026, 0, 1);

export const SCHEMA = struct([field('id', primitive('long'))]);

/** A table in a MemoryStore whose modification times and the engine's clock are `clock`. */
export function memoryTable(clock = new ManualClock(T0)): { table: DeltaTable; store: MemoryStore; clock: ManualClock; engine: Engine } {
  const store = new MemoryStore({ clock });
  const engine: Engine = { store, parquet: createParquetHandler(store, { workers: 0 }), clock };
  return { table: DeltaTable.forPath('memory://t', { engine }), store, clock, engine };
}

/** A table on the local file system at `root`, with `clock` as the engine's clock. */
export function localTable(root: string, clock: Clock): DeltaTable {
  const store = new LocalFileSystemStore();
  return DeltaTable.forPath(root, { engine: { store, parquet: createParquetHandler(store, { workers: 0 }), clock } });
}

/** A clock that runs with the real one, shifted by `offsetMs` (files on disk get real times). */
export function shiftedClock(offsetMs: number): Clock {
  return { nowMs: () => Date.now() + offsetMs };
}

/** Appends rows with these ids (one file). */
export async function appendIds(table: DeltaTable, ids: readonly number[], mode: 'append' | 'overwrite' = 'append'): Promise<number> {
  return (await table.write({ rows: ids.map((id) => ({ id: BigInt(id) })), schema: SCHEMA }, { mode })).version;
}

/** The ids of a version, sorted. */
export async function readIds(table: DeltaTable, version?: number): Promise<number[]> {
  const snap = await table.snapshot(version === undefined ? {} : { version });
  const t = await snap.scan().toTable();
  const out: number[] = [];
  for (const batch of t.batches) {
    const col = batch.getChild('id')!;
    for (let i = 0; i < col.length; i++) out.push(Number(col.get(i)));
  }
  return out.sort((a, b) => a - b);
}

/** A deletion-vector descriptor of a `u` file named after `uuid` (content is never read by VACUUM). */
export function uuidDv(uuid: string, prefix = ''): DeletionVectorDescriptor {
  return { storageType: 'u', pathOrInlineDv: prefix + z85Encode(uuidBytes(uuid)), offset: 1, sizeInBytes: 10, cardinality: 1 };
}

export function addOf(path: string, extra: Partial<AddFile> = {}): AddFile {
  return { path, partitionValues: {}, size: 3, modificationTime: T0, dataChange: true, ...extra };
}

export function removeOf(add: AddFile, deletionTimestamp: number | undefined): RemoveFile {
  return {
    path: add.path,
    ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }),
    dataChange: true,
    ...(add.deletionVector ? { deletionVector: add.deletionVector } : {}),
  };
}

/** Every path under `root` (files, directories and links), relative, sorted; links are not followed. */
export function treeOf(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const r = rel === '' ? name : `${rel}/${name}`;
      out.push(r);
      const st = lstatSync(join(root, r));
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out.sort();
}

const temps: string[] = [];

export function tempDir(prefix = 'deltakit-vacuum-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

/** A copy of a fixture table in a fresh temp directory (modification times preserved). */
export function copyTable(from: string): string {
  const d = join(tempDir(), 'table');
  cpSync(from, d, { recursive: true, preserveTimestamps: true });
  return d;
}

export function removeTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * An independent replay of a table's JSON commits (no checkpoints): the live files' paths and the
 * deletion-vector descriptors of the live files, from the raw log lines.
 */
export function replayJsonLog(root: string): { live: Map<string, { path: string; dv?: DeletionVectorDescriptor }>; named: Set<string> } {
  const live = new Map<string, { path: string; dv?: DeletionVectorDescriptor }>();
  const named = new Set<string>();
  const logDir = join(root, '_delta_log');
  const commits = readdirSync(logDir)
    .filter((f) => /^\d{20}\.json$/.test(f))
    .sort();
  for (const f of commits) {
    for (const line of readFileSync(join(logDir, f), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const action = JSON.parse(line) as Record<string, { path: string; deletionVector?: DeletionVectorDescriptor }>;
      const add = action.add;
      const remove = action.remove;
      const cdc = action.cdc;
      const key = (a: { path: string; deletionVector?: DeletionVectorDescriptor }) => `${a.path}|${a.deletionVector ? JSON.stringify([a.deletionVector.storageType, a.deletionVector.pathOrInlineDv, a.deletionVector.offset]) : ''}`;
      if (add) {
        live.set(key(add), { path: add.path, ...(add.deletionVector ? { dv: add.deletionVector } : {}) });
        named.add(add.path);
      }
      if (remove) {
        live.delete(key(remove));
        named.add(remove.path);
      }
      if (cdc) named.add(cdc.path);
    }
  }
  return { live, named };
}

export { existsSync, ManualClock };
