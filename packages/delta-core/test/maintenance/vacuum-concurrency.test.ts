/**
 * A write running while VACUUM runs: its data files are written before VACUUM lists the table and
 * committed after VACUUM's own commits. The files must survive (they are younger than the
 * retention window), the write must commit on top of VACUUM START / END (empty commits never
 * conflict), and every row must read afterwards.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import type { ObjectStore, PutIfAbsentResult } from '../../src/storage/object-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { FaultyStore } from '../transaction/helpers.js';
import { DAY, SCHEMA, T0, appendIds, memoryTable, readIds } from './vacuum-helpers.js';

/** A store whose first commit-file write waits until `release()`; `reached` resolves when it waits. */
class GatedStore extends FaultyStore {
  reached!: Promise<void>;
  release!: () => void;
  constructor(inner: ObjectStore) {
    super(inner);
    let signalReached!: () => void;
    this.reached = new Promise((r) => (signalReached = r));
    const gate = new Promise<void>((r) => (this.release = r));
    this.faults.push(async (path: string, data: Uint8Array): Promise<PutIfAbsentResult> => {
      signalReached();
      await gate;
      return inner.putIfAbsent(path, data);
    });
  }
}

describe('VACUUM while a write is in flight', () => {
  it('keeps the uncommitted files and lets the write commit after the VACUUM commits', async () => {
    const { table, store, clock } = memoryTable();
    await table.create({ schema: SCHEMA });
    await appendIds(table, [1, 2]);
    await appendIds(table, [3], 'overwrite'); // expired by the time VACUUM runs
    clock.now = T0 + 30 * DAY;

    const gated = new GatedStore(store);
    const writerEngine: Engine = { store: gated, parquet: createParquetHandler(gated, { workers: 0 }), clock };
    const writer = DeltaTable.forPath('memory://t', { engine: writerEngine });
    const write = appendIds(writer, [10, 11, 12]);
    await gated.reached; // the write's data file exists, its commit is pending

    const r = await table.vacuum();
    expect(r.paths).toHaveLength(1); // only the file the overwrite removed 30 days ago
    expect(r.startVersion).toBe(3);
    expect(r.endVersion).toBe(4);

    gated.release();
    const version = await write;
    expect(version).toBe(5); // lost the race to VACUUM START, retried above VACUUM END
    expect(await readIds(table)).toEqual([3, 10, 11, 12]);
    const ops = (await table.history()).map((h) => h.commitInfo?.operation);
    expect(ops.slice(0, 3)).toEqual(['WRITE', 'VACUUM END', 'VACUUM START']);
    await writer.close();
  });

  it('writers do not conflict with VACUUM commits made after they read the table', async () => {
    const { table, clock } = memoryTable();
    await table.create({ schema: SCHEMA });
    await appendIds(table, [1]);
    clock.now = T0 + 30 * DAY;
    // An overwrite reads the whole table; VACUUM commits land between its read and its commit.
    const txn = await table.transaction({ operation: 'WRITE' });
    txn.readWholeTable();
    await table.vacuum();
    await expect(txn.commit()).resolves.toMatchObject({ version: 4 });
  });
});
