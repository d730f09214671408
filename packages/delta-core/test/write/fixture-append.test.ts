import type { Table } from 'apache-arrow';
import { expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { writeTable } from '../../src/write/write-operation.js';
import { describeFixtures, golden, kernel } from '../fixtures.js';
import { copyToMemory } from '../table/helpers.js';
import { commitActions, memoryEngine, readBack, rowsOf, snapshotOf } from './write-helpers.js';

const ROOT = '/mem/t';

/** Rows as sorted canonical JSON lines (bigint as text) for multiset comparison. */
function canonical(t: Table): string[] {
  return rowsOf(t)
    .map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v] : v)))
    .sort();
}

/** [label, table, version whose rows are appended (latest when absent)]: cdf-table-simple is empty at its latest version. */
const cases: [string, string, number?][] = [
  ['plain decimal table', golden('basic-decimal-table')],
  ['partitioned table', kernel('basic_partitioned')],
  ['checkpointed table', golden('basic-with-inserts-deletes-checkpoint')],
  ['column-mapped table (name mode)', golden('table-with-columnmapping-mode-name')],
  ['change-data-feed table', kernel('cdf-table-simple'), 0],
  ['deletion-vector table', kernel('table-with-dv-small')],
];

describeFixtures('appending to copies of Spark tables', () => {
  for (const [label, dir, sourceVersion] of cases) {
    it(`${label}: old and new rows read back`, async () => {
      const store = await copyToMemory(dir, ROOT);
      const engine = memoryEngine(store);
      const before = await snapshotOf(engine, ROOT);
      const old = await readBack(engine, ROOT);
      const data = sourceVersion === undefined ? old : await readBack(engine, ROOT, sourceVersion);
      expect(data.numRows).toBeGreaterThan(0);
      const r = await writeTable(engine, ROOT, data, { mode: 'append' });
      expect(r.version).toBe(before.version + 1);
      expect(r.numOutputRows).toBe(data.numRows);
      const after = await snapshotOf(engine, ROOT);
      expect(after.protocol).toEqual(before.protocol);
      expect(after.metadata).toEqual(before.metadata);
      const both = await readBack(engine, ROOT);
      expect(canonical(both)).toEqual([...canonical(old), ...canonical(data)].sort());
      const actions = await commitActions(engine, ROOT, r.version);
      expect(actions.some((a) => a.kind === 'metaData' || a.kind === 'protocol' || a.kind === 'remove')).toBe(false);
      if (after.partitionColumns.length > 0) {
        const adds = actions.flatMap((a) => (a.kind === 'add' ? [a.add] : []));
        for (const a of adds) expect(Object.keys(a.partitionValues).sort()).toEqual(Object.keys(before.addFiles[0]!.partitionValues).sort());
      }
      // the previous version still reads as before
      expect(canonical(await readBack(engine, ROOT, before.version))).toEqual(canonical(old));
    });
  }

  it('a column-mapped table gets data files with physical names and field ids', async () => {
    const store = await copyToMemory(golden('table-with-columnmapping-mode-name'), ROOT);
    const engine = memoryEngine(store);
    const old = await readBack(engine, ROOT);
    const r = await writeTable(engine, ROOT, old, { mode: 'append' });
    const add = (await commitActions(engine, ROOT, r.version)).find((a) => a.kind === 'add');
    const snap = await snapshotOf(engine, ROOT);
    const phys = snap.schema.fields.filter((f) => !snap.partitionColumns.includes(f.name)).map((f) => f.metadata['delta.columnMapping.physicalName']);
    const fileSchema = await engine.parquet.readSchema({ path: `${ROOT}/${decodeURIComponent(add!.kind === 'add' ? add!.add.path : '')}` });
    expect(fileSchema.fields.map((f) => f.name)).toEqual(phys);
    expect(fileSchema.fields.every((f) => f.metadata.has('PARQUET:field_id'))).toBe(true);
  });

  it('overwriting an append-only copy is refused and changes nothing', async () => {
    const store = await copyToMemory(kernel('basic_partitioned'), ROOT);
    const engine = memoryEngine(store);
    const before = await snapshotOf(engine, ROOT);
    await writeTable(engine, ROOT, await readBack(engine, ROOT), { mode: 'append', properties: { 'delta.appendOnly': 'true' } });
    const e = await writeTable(engine, ROOT, await readBack(engine, ROOT), { mode: 'overwrite' }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'APPEND_ONLY_VIOLATION')).toBe(true);
    expect((await snapshotOf(engine, ROOT)).version).toBe(before.version + 1);
  });
});
