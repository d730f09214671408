/**
 * Glue for the engine: state store options from a query's string options (Spark's conf names or
 * short ones), and a stateful operator's progress entry from its stores' metrics.
 */
import { DeltaError } from '@deltakit/core';
import type { StateOperatorProgress } from '../engine/progress.js';
import { STATE_STORE_PROVIDERS, type StateStoreMetrics, type StateStoreOptions, type StateStoreProviderKind } from './state-store.js';

const KEYS: Record<string, keyof StateStoreOptions> = {
  'spark.sql.streaming.stateStore.providerClass': 'provider',
  'stateStore.provider': 'provider',
  stateStoreProvider: 'provider',
  'spark.sql.streaming.stateStore.minDeltasForSnapshot': 'minDeltasForSnapshot',
  'stateStore.minDeltasForSnapshot': 'minDeltasForSnapshot',
  'spark.sql.streaming.minBatchesToRetain': 'minBatchesToRetain',
  minBatchesToRetain: 'minBatchesToRetain',
  'spark.sql.streaming.maxBatchesToRetainInMemory': 'maxVersionsToRetainInMemory',
  'stateStore.maxBatchesToRetainInMemory': 'maxVersionsToRetainInMemory',
  'stateStore.localDir': 'localDir',
};

/**
 * Reads state store options from string options (case-sensitive keys as listed in KEYS). The
 * provider accepts `memory`/`lmdb`, and Spark's class names map onto them
 * (`...HDFSBackedStateStoreProvider` → memory, `...RocksDBStateStoreProvider` → lmdb).
 */
export function stateStoreOptionsFrom(options: Readonly<Record<string, string>>): StateStoreOptions {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(options)) {
    const name = KEYS[k];
    if (name === undefined) continue;
    const v = raw.trim();
    if (name === 'provider') out.provider = providerKind(v, k);
    else if (name === 'localDir') out.localDir = v;
    else {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1) throw new DeltaError('INVALID_ARGUMENT', `Option ${k} must be a positive integer, got '${raw}'.`);
      out[name] = n;
    }
  }
  return out as StateStoreOptions;
}

function providerKind(v: string, key: string): StateStoreProviderKind {
  const lower = v.toLowerCase();
  if ((STATE_STORE_PROVIDERS as readonly string[]).includes(lower)) return lower as StateStoreProviderKind;
  if (lower.endsWith('hdfsbackedstatestoreprovider')) return 'memory';
  if (lower.endsWith('rocksdbstatestoreprovider') || lower === 'rocksdb') return 'lmdb';
  throw new DeltaError('INVALID_ARGUMENT', `Option ${key} is '${v}': the state store providers are ${STATE_STORE_PROVIDERS.join(', ')} (or Spark's HDFSBackedStateStoreProvider / RocksDBStateStoreProvider class names).`);
}

/** Counts the operator keeps for a batch (Spark's SQL metrics of a stateful operator). */
export interface StatefulOperatorCounts {
  readonly numRowsUpdated: number;
  readonly numRowsRemoved: number;
  readonly numRowsDroppedByWatermark: number;
  readonly allUpdatesTimeMs: number;
  readonly allRemovalsTimeMs: number;
}

/**
 * One `stateOperators` entry of the progress: numRowsTotal, memoryUsedBytes and commitTimeMs summed
 * over the operator's stores (one per partition), custom metrics summed too (Spark sums them,
 * except `snapshotLastUploadedVersion`, reported here as the lowest across partitions).
 */
export function stateOperatorProgress(operatorName: string, stores: readonly StateStoreMetrics[], counts: StatefulOperatorCounts, numShufflePartitions = stores.length): StateOperatorProgress {
  const custom: Record<string, number> = {};
  for (const m of stores) {
    for (const [k, v] of Object.entries(m.customMetrics)) {
      custom[k] = k === 'snapshotLastUploadedVersion' ? Math.min(custom[k] ?? v, v) : (custom[k] ?? 0) + v;
    }
  }
  const sum = (f: (m: StateStoreMetrics) => number) => stores.reduce((n, m) => n + f(m), 0);
  return {
    operatorName,
    numRowsTotal: sum((m) => m.numKeys),
    numRowsUpdated: counts.numRowsUpdated,
    numRowsRemoved: counts.numRowsRemoved,
    numRowsDroppedByWatermark: counts.numRowsDroppedByWatermark,
    allUpdatesTimeMs: counts.allUpdatesTimeMs,
    allRemovalsTimeMs: counts.allRemovalsTimeMs,
    commitTimeMs: sum((m) => m.commitTimeMs),
    memoryUsedBytes: sum((m) => m.memoryUsedBytes),
    numShufflePartitions,
    numStateStoreInstances: stores.length,
    customMetrics: Object.fromEntries(Object.entries(custom).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
