/**
 * The state store of stateful streaming operators (Spark's StateStore / StateStoreProvider):
 * versioned key-value state per operator and partition, checkpointed in Spark's layout under
 * `<checkpoint>/state/<operatorId>/<partition>/`, so that a restart at batch N loads exactly the
 * state after batch N-1.
 *
 * Versions: batch N reads version N (`getStore(N)`: the state after batch N-1; version 0 is
 * empty) and its `commit()` writes version N+1 (`<N+1>.delta`). Every `minDeltasForSnapshot`
 * versions a `<V>.snapshot` is written after the commit, in the background; files no longer
 * needed to load the last `minBatchesToRetain` versions are then deleted. Formats: state-files.ts
 * (delta/snapshot), row-codec.ts (rows), state-schema.ts (the schema file and its check).
 *
 * Re-run batches: committing version V again (a batch re-run after a failure) replaces V's
 * delta as a whole; identical changes write nothing. A delta holds the changes relative to V-1
 * and loading V always starts from V-1, so a re-run can never apply a batch twice. When the
 * replaced delta differs, the files derived from it (V's snapshot, later versions) are deleted.
 *
 * Concurrency: one provider per operator and partition, used by one task at a time; it hands out
 * one writable store at a time (`getStore` aborts a store left open). Get/put/remove/iterate are
 * synchronous (both backends serve reads synchronously); load and commit are asynchronous.
 */
import type { ObjectStore, StructType } from '@deltakit/core';
import type { Logger } from '../util/logger.js';
import type { StateRow } from './row-codec.js';

/** The backends: the heap (default, Spark's HDFS-backed provider) or LMDB on local disk (Spark's RocksDB provider's role). */
export type StateStoreProviderKind = 'memory' | 'lmdb';

export const STATE_STORE_PROVIDERS: readonly StateStoreProviderKind[] = ['memory', 'lmdb'];

/** Spark's defaults. */
export const DEFAULT_MIN_DELTAS_FOR_SNAPSHOT = 10;
export const DEFAULT_STATE_MIN_BATCHES_TO_RETAIN = 100;
export const DEFAULT_MAX_VERSIONS_IN_MEMORY = 2;
export const DEFAULT_SNAPSHOT_PART_BYTES = 16 * 1024 * 1024;

export interface StateStoreOptions {
  /** Default 'memory'. */
  readonly provider?: StateStoreProviderKind;
  /** A snapshot is written once this many deltas follow the previous one (Spark's `stateStore.minDeltasForSnapshot`, 10). */
  readonly minDeltasForSnapshot?: number;
  /** Versions that stay loadable (Spark's `minBatchesToRetain`, 100). */
  readonly minBatchesToRetain?: number;
  /**
   * Versions served without reading the checkpoint: the loaded one and the ones before it, kept as
   * undo logs of their batches (Spark's `maxBatchesToRetainInMemory`, 2). 1 keeps no undo log.
   */
  readonly maxVersionsToRetainInMemory?: number;
  /** Largest snapshot part file (default 16 MiB): bounds the memory a snapshot write or load needs. */
  readonly snapshotPartBytes?: number;
  /** Parent folder of the lmdb provider's working folder (default: the OS temp folder). */
  readonly localDir?: string;
  readonly logger?: Logger;
}

export interface StateStoreProviderSpec {
  /** The store the checkpoint lives in. */
  readonly store: ObjectStore;
  /** Store path of the query's checkpoint folder (the state is under `<checkpoint>/state/`). */
  readonly checkpoint: string;
  readonly operatorId: number;
  readonly partition: number;
  readonly keySchema: StructType;
  readonly valueSchema: StructType;
  readonly options?: StateStoreOptions;
}

export interface StateEntry {
  readonly key: StateRow;
  readonly value: StateRow;
}

export interface StateStoreMetrics {
  /** Keys in the store's current state (committed state plus this store's changes). */
  readonly numKeys: number;
  /** Process memory the state holds: the loaded map (memory) or the pending changes and undo logs. */
  readonly memoryUsedBytes: number;
  /** Duration of the last commit of this store (0 before it commits). */
  readonly commitTimeMs: number;
  /**
   * Provider metrics, as Spark's: `loadedMapCacheHitCount`, `loadedMapCacheMissCount`,
   * `stateOnCurrentVersionSizeBytes`, `snapshotLastUploadedVersion`, `numSnapshotsWritten`,
   * `numFilesDeleted`; `lmdbDataBytes` for the lmdb provider.
   */
  readonly customMetrics: Readonly<Record<string, number>>;
}

export interface StateStore {
  /** The version this store was loaded at (it commits `version + 1`). */
  readonly version: number;
  readonly hasCommitted: boolean;
  get(key: StateRow): StateRow | undefined;
  put(key: StateRow, value: StateRow): void;
  remove(key: StateRow): void;
  /** Every entry (with this store's changes). Key order for lmdb; unspecified for memory. Writes during iteration are allowed. */
  iterator(): IterableIterator<StateEntry>;
  /**
   * Entries whose key starts with the values of `prefix` (the first `prefix.length` key
   * columns), as Spark's prefixScan for session windows and stream-stream joins.
   */
  prefixScan(prefix: StateRow): IterableIterator<StateEntry>;
  /** Writes `<version+1>.delta` and makes version+1 the provider's loaded version; returns version+1. */
  commit(): Promise<number>;
  /** Drops this store's changes. Idempotent; a no-op after commit. */
  abort(): void;
  metrics(): StateStoreMetrics;
}

export interface StateStoreProvider {
  readonly kind: StateStoreProviderKind;
  readonly operatorId: number;
  readonly partition: number;
  /** Store path of this partition's state folder. */
  readonly dir: string;
  readonly keySchema: StructType;
  readonly valueSchema: StructType;
  /** The state as of `version` (after batch version-1), ready for the changes of batch `version`. */
  getStore(version: number): Promise<StateStore>;
  /** The highest version with state files on the checkpoint (0 when none). */
  latestVersion(): Promise<number>;
  /** Waits for background work (snapshot, cleanup) to finish. */
  flush(): Promise<void>;
  /** Writes a snapshot of the loaded version now when due, then cleans up (what commits schedule). */
  doMaintenance(): Promise<void>;
  close(): Promise<void>;
}
