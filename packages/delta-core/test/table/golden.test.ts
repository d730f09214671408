import { readdirSync, existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { Table } from 'apache-arrow';
import { isDeltaError } from '../../src/errors.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { FIXTURES, HAVE_FIXTURES, describeFixtures, golden, goldenExpected } from '../fixtures.js';
import { canonicalRows, columnNames } from './canonical.js';

/** Tables the fixtures README says must fail to open, with the error code we give each. */
const MUST_FAIL: Record<string, string> = {
  'deltalog-invalid-protocol-version': 'UNSUPPORTED_READER_VERSION',
  'deltalog-state-reconstruction-from-checkpoint-missing-metadata': 'MISSING_METADATA',
  'deltalog-state-reconstruction-from-checkpoint-missing-protocol': 'MISSING_PROTOCOL',
  'deltalog-state-reconstruction-without-metadata': 'MISSING_METADATA',
  'no-delta-log-folder': 'TABLE_NOT_FOUND',
};

/** Session zones named by the fixtures README for legacy zone-less timestamp partition values. */
const SESSION_ZONE: Record<string, string> = { 'data-reader-partition-values': 'America/Los_Angeles' };

const engine = createDefaultEngine();
const store = new LocalFileSystemStore();
const reader = createParquetHandler(store, { workers: 0 });
afterAll(async () => {
  await engine.parquet.close();
  await reader.close();
});

async function readExpected(name: string): Promise<Table> {
  const dir = goldenExpected(name);
  const files = readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort();
  const batches = [];
  for (const f of files) for await (const b of reader.readBatches({ path: `${dir}/${f}` })) batches.push(b);
  if (batches.length > 0) return new Table(batches);
  return new Table(await reader.readSchema({ path: `${dir}/${files[0]}` })); // an empty expected result
}

const names = HAVE_FIXTURES ? readdirSync(`${FIXTURES}/golden`).sort() : [];

describeFixtures('golden tables: expected rows', () => {
  for (const name of names.filter((n) => existsSync(goldenExpected(n)))) {
    it(name, async () => {
      const zone = SESSION_ZONE[name];
      const table = DeltaTable.forPath(golden(name), { engine, ...(zone ? { sessionTimeZone: zone } : {}) });
      const snap = await table.snapshot();
      const actual = await snap.scan().toTable();
      const expected = await readExpected(name);
      expect(columnNames(actual)).toEqual(columnNames(expected));
      expect(actual.numRows).toBe(expected.numRows);
      expect(canonicalRows(actual)).toEqual(canonicalRows(expected));
    });
  }
});

describeFixtures('golden tables that must fail with a typed error', () => {
  for (const [name, code] of Object.entries(MUST_FAIL)) {
    it(`${name} fails with ${code}`, async () => {
      const err = await DeltaTable.forPath(golden(name), { engine })
        .snapshot()
        .then(() => undefined, (e: unknown) => e);
      expect(isDeltaError(err), String(err)).toBe(true);
      expect((err as { code: string }).code).toBe(code);
      expect((err as Error).message.length).toBeGreaterThan(30);
    });
  }
});
