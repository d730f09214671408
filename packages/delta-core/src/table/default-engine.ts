import type { Clock, Engine } from '../engine.js';
import { systemClock } from '../engine.js';
import { createParquetHandler } from '../parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../storage/local-store.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface DefaultEngineOptions {
  /** Where tables live; the local file system when absent. */
  readonly store?: ObjectStore;
  /** Worker threads for decoding parquet; default min(2, CPUs), 0 decodes on the calling thread. */
  readonly workers?: number;
  readonly clock?: Clock;
}

/** The engine deltakit uses unless told otherwise: local files, parquet-wasm, the system clock. */
export function createDefaultEngine(options: DefaultEngineOptions = {}): Engine {
  const store = options.store ?? new LocalFileSystemStore();
  const parquet = createParquetHandler(store, options.workers === undefined ? {} : { workers: options.workers });
  return { store, parquet, clock: options.clock ?? systemClock };
}
