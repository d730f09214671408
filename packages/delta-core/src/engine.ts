import type { ObjectStore } from './storage/object-store.js';
import type { ParquetHandler } from './parquet/handler.js';

/** Wall-clock time source; injected so tests and retention logic can control time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * Everything protocol code may use to touch the outside world. Protocol logic (`log/`, `schema/`,
 * `expr/`, `table/`) receives an Engine and never does I/O itself.
 */
export interface Engine {
  readonly store: ObjectStore;
  readonly parquet: ParquetHandler;
  readonly clock: Clock;
}
