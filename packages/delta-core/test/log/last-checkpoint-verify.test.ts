import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseLastCheckpoint } from '../../src/log/last-checkpoint.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { copyToMemory } from '../table/helpers.js';
import { describeFixtures, kernel } from '../fixtures.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { systemClock } from '../../src/engine.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describeFixtures('_last_checkpoint checksums on read', () => {
  // A Spark-written hint that carries a checksum (kernel/v2-checkpoints-json-with-last-checkpoint).
  const table = kernel('v2-checkpoints-json-with-last-checkpoint');
  const text = readFileSync(`${table}/_delta_log/_last_checkpoint`, 'utf8');

  it('accepts a hint whose checksum matches, and ignores one whose checksum does not', () => {
    expect(JSON.parse(text).checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(parseLastCheckpoint(bytes(text))?.version).toBe(JSON.parse(text).version);
    const tampered = text.replace(/"version":(\d+)/, (_m, v: string) => `"version":${Number(v) + 1}`);
    expect(parseLastCheckpoint(bytes(tampered))).toBeUndefined();
    const noChecksum = JSON.stringify({ ...JSON.parse(text), checksum: undefined });
    expect(parseLastCheckpoint(bytes(noChecksum))?.version).toBe(JSON.parse(text).version);
  });

  it('a table whose hint fails its checksum still opens at the right version', async () => {
    const store = await copyToMemory(table);
    const good = await DeltaTable.forPath('memory://mem/t', { engine: { store, parquet: createParquetHandler(store, { workers: 0 }), clock: systemClock } }).snapshot();
    await store.put('/mem/t/_delta_log/_last_checkpoint', bytes(text.replace(/"version":(\d+)/, '"version":0')));
    const parquet = createParquetHandler(store, { workers: 0 });
    const snap = await DeltaTable.forPath('memory://mem/t', { engine: { store, parquet, clock: systemClock } }).snapshot();
    expect(snap.version).toBe(good.version);
    expect(snap.addFiles.length).toBe(good.addFiles.length);
  });
});
