import { afterAll, expect, it } from 'vitest';
import { DeltaTable } from '../../src/table/delta-table.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { describeFixtures, golden } from '../fixtures.js';

const engine = createDefaultEngine();
afterAll(() => engine.parquet.close());

async function rows(batches: AsyncIterable<{ numRows: number; toArray(): unknown[] }>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of batches) for (const r of b.toArray()) out.push(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return out.sort();
}

describeFixtures('Scan over a chosen list of add actions', () => {
  it('reads exactly the given files, deletion vectors applied, and the parts make up the whole', async () => {
    const snap = await DeltaTable.forPath(golden('dv-with-columnmapping'), { engine }).snapshot();
    const adds = snap.addFiles;
    expect(adds.some((a) => a.deletionVector !== undefined)).toBe(true);
    const half = Math.floor(adds.length / 2);
    const all = await rows(snap.scan().batches());
    const first = await rows(snap.scan({ files: adds.slice(0, half) }).batches());
    const second = await rows(snap.scan({ files: adds.slice(half) }).batches());
    expect([...first, ...second].sort()).toEqual(all);
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    // One file with a deletion vector gives its physical rows minus the deleted ones.
    const withDv = adds.find((a) => a.deletionVector !== undefined)!;
    const one = await rows(snap.scan({ files: [withDv] }).batches());
    const physical = JSON.parse(withDv.stats!).numRecords as number;
    expect(one.length).toBe(physical - withDv.deletionVector!.cardinality);
    expect(await rows(snap.scan({ files: [] }).batches())).toEqual([]);
  });
});
