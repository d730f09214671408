import { describe, expect, it } from 'vitest';
import { loadTableState } from '../../src/log/load-table-state.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import { CountingStore } from '../table/helpers.js';
import { ROOT, begin, createTable, fakeAdd, metadata, testEngine } from '../transaction/helpers.js';

describe('commitInfo of a large commit at a checkpoint version', () => {
  it('is read from the ends of the file, wherever the writer put it, without reading it all', async () => {
    const store = new MemoryStore();
    const engine = testEngine(store);
    await createTable(engine, { metadata: metadata({ configuration: { 'delta.checkpointInterval': '1' } }) });
    const txn = await begin(engine, { operation: 'BIG APPEND' });
    txn.addFiles(Array.from({ length: 3000 }, (_, i) => fakeAdd(`part=a/file-${i}.parquet`)));
    await txn.commit(); // version 1, checkpointed, commitInfo first
    const path = `${ROOT}/_delta_log/00000000000000000001.json`;
    const size = (await store.head(path)).size;
    expect(size).toBeGreaterThan(256 * 1024);

    const counting = new CountingStore(store);
    const first = await loadTableState({ ...engine, store: counting }, ROOT);
    expect(first.commitInfo?.operation).toBe('BIG APPEND');
    expect(counting.reads.filter((p) => p === path)).toHaveLength(2); // two ranged reads, not the file

    // commitInfo last, as some writers put it
    const lines = new TextDecoder().decode(await store.get(path)).trimEnd().split('\n');
    await store.put(path, new TextEncoder().encode([...lines.slice(1), lines[0]].join('\n') + '\n'));
    expect((await loadTableState(engine, ROOT)).commitInfo?.operation).toBe('BIG APPEND');

    // no commitInfo at all
    await store.put(path, new TextEncoder().encode(lines.slice(1).join('\n') + '\n'));
    const none = await loadTableState(engine, ROOT);
    expect(none.commitInfo).toBeUndefined();
    expect(none.files).toHaveLength(3000);
  });
});
