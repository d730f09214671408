/**
 * Every change-feed case of the shared fixtures (`expected/cdf-*` and `expected/table-with-cdf__*`,
 * taken from delta-kernel-rs's tests of tables Spark wrote) read through the API: rows compared as
 * multisets on the listed columns (longs exactly), errors by their cause.
 */
import { DeltaTable } from '@deltakit/core';
import { afterAll, expect, it } from 'vitest';
import { tableChanges } from '../src/index.js';
import { describeFixtures, kernel } from './fixtures.js';
import { expectedErrorCode, failure, feedCases, jsonRows, tableRows } from './helpers.js';

const cases = feedCases();
const tables = new Map<string, DeltaTable>();
const open = (name: string) => {
  let t = tables.get(name);
  if (t === undefined) tables.set(name, (t = DeltaTable.forPath(kernel(name))));
  return t;
};
afterAll(async () => {
  for (const t of tables.values()) await t.close();
});

const range = (start: number, end: number | undefined) => ({ startingVersion: start, ...(end === undefined ? {} : { endingVersion: end }) });

describeFixtures('change-feed cases of the shared fixtures, through the API', () => {
  it('finds the cases (both row and error cases)', () => {
    expect(cases.filter((c) => c.expectError === undefined).length).toBeGreaterThanOrEqual(15);
    expect(cases.filter((c) => c.expectError !== undefined).length).toBeGreaterThanOrEqual(7);
  });

  for (const c of cases) {
    if (c.expectError !== undefined) {
      it(`${c.name}: fails with the expected cause`, async () => {
        const want = expectedErrorCode(c);
        const changes = tableChanges(open(c.table), range(c.startVersion, c.endVersion));
        const e = await failure(changes.toTable());
        expect(e.code).toBe(want.code);
        if (want.version !== undefined) {
          expect(e.details?.version).toBe(want.version);
          expect(e.message).toContain(`version ${want.version}`);
        }
        if (want.mentions !== undefined) expect(e.message).toContain(want.mentions);
        // Planning alone reports the same error: it is found before any data file is read.
        expect((await failure(changes.plan())).code).toBe(want.code);
      });
    } else {
      it(`${c.name}: rows match`, async () => {
        const table = await tableChanges(open(c.table), range(c.startVersion, c.endVersion)).toTable();
        expect(tableRows(table, c.columns!)).toEqual(jsonRows(c.rows!, c.columns!));
      });
    }
  }

  it('table-with-cdf: ranges (0,1), (0,0), (1,1) plan; reading their fake data paths fails with FILE_NOT_FOUND', async () => {
    for (const [start, end] of [
      [0, 1],
      [0, 0],
      [1, 1],
    ] as const) {
      const changes = tableChanges(open('table-with-cdf'), { startingVersion: start, endingVersion: end });
      const plan = await changes.plan();
      expect(plan.startVersion).toBe(start);
      expect(plan.endVersion).toBe(end);
      expect(plan.commits.map((x) => x.version)).toEqual(Array.from({ length: end - start + 1 }, (_, k) => start + k));
      expect(plan.schema.fields.map((f) => f.name)).toEqual(['part', 'id', '_change_type', '_commit_version', '_commit_timestamp']);
      const e = await failure(changes.toTable());
      expect(e.code).toBe('FILE_NOT_FOUND');
      // Version 0 adds fake/path/1; version 1 has a cdc action for fake/path/2, which replaces its remove.
      expect(e.message).toContain(`fake/path/${start === 0 ? 1 : 2}`);
    }
  });

  it('cdf-table-non-partitioned: the long above 2^53 is exact', async () => {
    const table = await tableChanges(open('cdf-table-non-partitioned'), { startingVersion: 0 }).toTable();
    const longs = table.getChild('long_field')!.toArray() as BigInt64Array;
    expect([...longs]).toContain(99999999999999999n);
  });

  it('a path string opens the table itself', async () => {
    const changes = tableChanges(kernel('cdf-table-simple'), { startingVersion: 2, endingVersion: 2 });
    try {
      const c = cases.find((x) => x.name === 'cdf-table-simple__2_2')!;
      const table = await changes.toTable();
      expect(tableRows(table, c.columns!)).toEqual(jsonRows(c.rows!, c.columns!));
    } finally {
      await changes.close();
    }
  });
});
