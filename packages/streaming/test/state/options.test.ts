import { describe, expect, it } from 'vitest';
import { stateOperatorProgress, stateStoreOptionsFrom } from '../../src/index.js';

describe('state store options and progress', () => {
  it('reads Spark conf names and short names, mapping Spark provider classes', () => {
    expect(stateStoreOptionsFrom({ 'spark.sql.streaming.stateStore.providerClass': 'org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider', 'spark.sql.streaming.minBatchesToRetain': '5', other: 'x' })).toEqual({ provider: 'lmdb', minBatchesToRetain: 5 });
    expect(stateStoreOptionsFrom({ 'stateStore.provider': 'memory', 'stateStore.minDeltasForSnapshot': '3' })).toEqual({ provider: 'memory', minDeltasForSnapshot: 3 });
    expect(() => stateStoreOptionsFrom({ 'stateStore.provider': 'redis' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => stateStoreOptionsFrom({ minBatchesToRetain: '0' })).toThrow(/positive integer/);
  });

  it('sums the stores of an operator into Spark’s stateOperators entry', () => {
    const m = (numKeys: number, snap: number) => ({ numKeys, memoryUsedBytes: 10, commitTimeMs: 2, customMetrics: { loadedMapCacheHitCount: 1, snapshotLastUploadedVersion: snap } });
    const p = stateOperatorProgress('stateStoreSave', [m(3, 10), m(4, 20)], { numRowsUpdated: 5, numRowsRemoved: 1, numRowsDroppedByWatermark: 2, allUpdatesTimeMs: 7, allRemovalsTimeMs: 0 });
    expect(p).toEqual({
      operatorName: 'stateStoreSave', numRowsTotal: 7, numRowsUpdated: 5, numRowsRemoved: 1, numRowsDroppedByWatermark: 2, allUpdatesTimeMs: 7, allRemovalsTimeMs: 0,
      commitTimeMs: 4, memoryUsedBytes: 20, numShufflePartitions: 2, numStateStoreInstances: 2, customMetrics: { loadedMapCacheHitCount: 2, snapshotLastUploadedVersion: 10 },
    });
  });
});
