import { afterAll, expect, it } from 'vitest';
import { systemClock } from '../../src/engine.js';
import { isDeltaError } from '../../src/errors.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import type { MemoryStore } from '../../src/storage/memory-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { describeFixtures, golden, kernel, failure } from '../fixtures.js';
import { copyToMemory } from './helpers.js';

/**
 * Damaged tables, each built by copying a real fixture into memory and breaking one thing. Every
 * case must fail with its own typed error that names the culprit; the fixtures stay untouched.
 */
const handlers: Array<{ close(): Promise<void> }> = [];
afterAll(async () => Promise.all(handlers.map((h) => h.close())));

function openMemory(store: MemoryStore) {
  const parquet = createParquetHandler(store, { workers: 0 });
  handlers.push(parquet);
  return DeltaTable.forPath('memory://mem/t', { engine: { store, parquet, clock: systemClock } });
}


async function scanAll(table: DeltaTable) {
  return (await table.snapshot()).scan().toTable();
}

describeFixtures('bad input gives typed errors', () => {
  it('a corrupt JSON line names the commit file and line', async () => {
    const store = await copyToMemory(kernel('basic_partitioned'));
    const path = '/mem/t/_delta_log/00000000000000000001.json';
    const lines = new TextDecoder().decode(await store.get(path)).split('\n');
    lines[1] = lines[1]!.slice(0, 20);
    await store.put(path, new TextEncoder().encode(lines.join('\n')));
    const err = await failure(openMemory(store).snapshot());
    expect(isDeltaError(err, 'CORRUPT_LOG')).toBe(true);
    expect(err.message).toContain('00000000000000000001.json');
    expect(err.message).toContain('line 2');
  });

  it('a truncated checkpoint is CORRUPT_CHECKPOINT naming the file', async () => {
    const store = await copyToMemory(golden('checkpoint'));
    const path = '/mem/t/_delta_log/00000000000000000010.checkpoint.parquet';
    const bytes = await store.get(path);
    await store.put(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await failure(openMemory(store).snapshot());
    expect(isDeltaError(err, 'CORRUPT_CHECKPOINT')).toBe(true);
    expect(err.message).toContain('10.checkpoint.parquet');
  });

  it('a missing data file is FILE_NOT_FOUND naming the file', async () => {
    const store = await copyToMemory(kernel('basic_partitioned'));
    const snap = await openMemory(store).snapshot();
    const victim = snap.addFiles[0]!.path;
    await store.delete(`/mem/t/${decodeURIComponent(victim)}`);
    const err = await failure(scanAll(openMemory(store)));
    expect(isDeltaError(err, 'FILE_NOT_FOUND')).toBe(true);
    expect(err.message).toContain(decodeURIComponent(victim).split('/').pop()!);
  });

  it('a truncated data file is CORRUPT_DATA_FILE naming the file', async () => {
    const store = await copyToMemory(kernel('basic_partitioned'));
    const snap = await openMemory(store).snapshot();
    const victim = `/mem/t/${decodeURIComponent(snap.addFiles[0]!.path)}`;
    const bytes = await store.get(victim);
    await store.put(victim, bytes.subarray(0, bytes.length - 40));
    const err = await failure(scanAll(openMemory(store)));
    expect(isDeltaError(err, 'CORRUPT_DATA_FILE')).toBe(true);
    expect(err.message).toContain(victim.split('/').pop()!);
  });

  it('a deletion vector with a bad checksum is DELETION_VECTOR_CHECKSUM_MISMATCH', async () => {
    const store = await copyToMemory(kernel('table-with-dv-small'));
    const dvFile = [];
    for await (const m of store.list('/mem/t')) if (m.path.includes('deletion_vector_')) dvFile.push(m.path);
    expect(dvFile).toHaveLength(1);
    const bytes = await store.get(dvFile[0]!);
    bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0xff; // a bitmap byte, not the envelope
    await store.put(dvFile[0]!, bytes);
    const err = await failure(scanAll(openMemory(store)));
    expect(isDeltaError(err, 'DELETION_VECTOR_CHECKSUM_MISMATCH')).toBe(true);
    expect(err.message).toContain('deletion_vector_');
  });

  it('a directory that is not a table is TABLE_NOT_FOUND; a gap in versions is VERSIONS_NOT_CONTIGUOUS', async () => {
    const store = await copyToMemory(golden('checkpoint'));
    await store.delete('/mem/t/_delta_log/00000000000000000012.json');
    const gap = await failure(openMemory(store).snapshot());
    expect(isDeltaError(gap, 'VERSIONS_NOT_CONTIGUOUS')).toBe(true);
    const err = await failure(DeltaTable.forPath(golden('no-delta-log-folder')).snapshot());
    expect(isDeltaError(err, 'TABLE_NOT_FOUND')).toBe(true);
  });

  it('a version that does not exist names the versions that do', async () => {
    const err = await failure(DeltaTable.forPath(golden('checkpoint')).snapshot({ version: 99 }));
    expect(isDeltaError(err, 'VERSION_NOT_FOUND')).toBe(true);
    expect(err.message).toMatch(/0 to 14/);
  });

  it('a predicate on an unknown column is COLUMN_NOT_FOUND listing the columns', async () => {
    const snap = await DeltaTable.forPath(kernel('basic_partitioned')).snapshot();
    expect(() => snap.scan({ filter: 'nope = 1' })).toThrow(expect.objectContaining({ code: 'COLUMN_NOT_FOUND', message: expect.stringContaining('letter') }));
    expect(() => snap.scan({ filter: 'letter = ' })).toThrow(expect.objectContaining({ code: 'PARSE_ERROR' }));
  });
});
