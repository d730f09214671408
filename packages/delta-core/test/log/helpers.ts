import { systemClock, type Engine } from '../../src/engine.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';

/** An engine over the local file system (fixtures are read in place), decoding in this thread. */
export function localEngine(): Engine {
  const store = new LocalFileSystemStore();
  return { store, parquet: createParquetHandler(store, { workers: 0 }), clock: systemClock };
}

/** An engine over a fresh memory store. */
export function memoryEngine(store: ObjectStore = new MemoryStore()): Engine {
  return { store, parquet: createParquetHandler(store, { workers: 0 }), clock: systemClock };
}

export const bytes = (s: string) => new TextEncoder().encode(s);

/** Writes commit `version` (actions as objects, one per line) into a memory table. */
export async function putCommit(store: ObjectStore, root: string, version: number, lines: readonly unknown[]): Promise<void> {
  const name = String(version).padStart(20, '0');
  await store.put(`${root}/_delta_log/${name}.json`, bytes(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
}

export const PROTOCOL = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
export const METADATA = {
  metaData: {
    id: 'test-id',
    format: { provider: 'parquet', options: {} },
    schemaString: '{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]}',
    partitionColumns: [],
    configuration: {},
  },
};
export const add = (path: string, extra: Record<string, unknown> = {}) => ({
  add: { path, partitionValues: {}, size: 1, modificationTime: 1, dataChange: true, ...extra },
});
export const remove = (path: string, extra: Record<string, unknown> = {}) => ({ remove: { path, dataChange: true, ...extra } });
