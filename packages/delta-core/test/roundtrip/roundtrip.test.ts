import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_SPECS, generateFixtures, type GeneratedFixture } from '../../../../fixtures/generate.mjs';
import type { Engine } from '../../src/engine.js';
import { LocalFileSystemStore } from '../../src/storage/local-store.js';
import { createDefaultEngine } from '../../src/table/default-engine.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { duckRows, lit } from '../parquet/duckdb-oracle.js';
import { canonicalRows, columnNames } from '../table/canonical.js';
import { CountingStore } from '../table/helpers.js';
import { ensureBuilt } from './dist-build.js';
import { duckCanonicalRows } from './duckdb-canonical.js';
import { dayNumber, expectedCanonicalRows, micros } from './expected.js';

/**
 * deltakit's own fixture tables (fixtures/generate.mjs), written by the built writer into a temp
 * directory and read back by the reader: every version must hold exactly the rows the generator
 * wrote, and DuckDB must read the same values from the live parquet files.
 */

const outDir = mkdtempSync(join(tmpdir(), 'deltakit-fixtures-'));
const engine: Engine = createDefaultEngine({ store: new LocalFileSystemStore(), workers: 0 });
let tables: Record<string, GeneratedFixture> = {};

beforeAll(async () => {
  ensureBuilt();
  tables = await generateFixtures(outDir);
}, 120_000);
afterAll(async () => {
  await engine.parquet.close();
  rmSync(outDir, { recursive: true, force: true });
});

const fixture = (name: string): GeneratedFixture => {
  const t = tables[name];
  if (t === undefined) throw new Error(`fixture ${name} was not generated`);
  return t;
};
const open = (name: string, e: Engine = engine) => DeltaTable.forPath(fixture(name).path, { engine: e });

/** Absolute paths of the live data files (add paths are URL-encoded relative paths). */
async function liveFiles(name: string): Promise<string[]> {
  const snap = await open(name).snapshot();
  return snap.addFiles.map((a) => join(fixture(name).path, decodeURIComponent(a.path)));
}

describe.each(FIXTURE_SPECS.map((s) => s.name))('fixture %s', (name) => {
  it('reads back exactly the rows written, at every version', async () => {
    const { versions } = fixture(name);
    const table = open(name);
    expect((await table.snapshot()).version).toBe(versions.length - 1);
    for (const v of versions) {
      const t = await (await table.snapshot({ version: v.version })).scan().toTable();
      expect(columnNames(t), `columns at version ${v.version}`).toEqual(v.schema.fields.map((f) => f.name.toLowerCase()).sort());
      expect(canonicalRows(t), `rows at version ${v.version}`).toEqual(expectedCanonicalRows(v.rows, v.schema));
    }
  });

  it('time travels by timestamp to the latest version committed by then', async () => {
    const table = open(name);
    const history = await table.history();
    expect(history.map((h) => h.version).sort((a, b) => a - b)).toEqual(fixture(name).versions.map((v) => v.version));
    for (const h of history) {
      const expected = Math.max(...history.filter((o) => o.timestamp <= h.timestamp).map((o) => o.version));
      expect((await table.snapshot({ timestamp: h.timestamp })).version).toBe(expected);
    }
  });
});

describe('fixture properties', () => {
  it('all-types and timestamp-ntz: protocol (3,7) with timestampNtz', async () => {
    for (const name of ['all-types', 'timestamp-ntz']) {
      const { protocol } = await open(name).snapshot();
      expect(protocol).toMatchObject({ minReaderVersion: 3, minWriterVersion: 7 });
      expect(protocol.readerFeatures).toContain('timestampNtz');
      expect(protocol.writerFeatures).toContain('timestampNtz');
    }
  });

  it('deletion-vectors-ready: protocol (3,7) with deletionVectors, and no deletion vector', async () => {
    const snap = await open('deletion-vectors-ready').snapshot();
    expect(snap.protocol).toMatchObject({ minReaderVersion: 3, minWriterVersion: 7 });
    expect(snap.protocol.readerFeatures).toContain('deletionVectors');
    expect(snap.protocol.writerFeatures).toContain('deletionVectors');
    expect(snap.properties['delta.enableDeletionVectors']).toBe('true');
    expect(snap.addFiles.filter((a) => a.deletionVector != null)).toEqual([]);
  });

  it('cdf-enabled: writer version >= 4 and the property set', async () => {
    const snap = await open('cdf-enabled').snapshot();
    expect(snap.protocol.minWriterVersion).toBeGreaterThanOrEqual(4);
    expect(snap.properties['delta.enableChangeDataFeed']).toBe('true');
  });

  it.each(['name', 'id'])('column-mapping-%s: parquet columns carry physical names (and field ids in id mode)', async (mode) => {
    const name = `column-mapping-${mode}`;
    const snap = await open(name).snapshot();
    expect(snap.columnMapping).toBe(mode);
    expect(snap.protocol).toMatchObject({ minReaderVersion: 2, minWriterVersion: 5 });
    const physical = snap.schema.fields.map((f) => String(f.metadata['delta.columnMapping.physicalName']));
    const ids = snap.schema.fields.map((f) => Number(f.metadata['delta.columnMapping.id']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Number(snap.properties['delta.columnMapping.maxColumnId'])).toBeGreaterThanOrEqual(Math.max(...ids));
    // a mapped partition column is keyed by its physical name in partitionValues
    const partPhysical = physical[snap.schema.fields.findIndex((f) => f.name === 'part col')]!;
    for (const a of snap.addFiles) expect(Object.keys(a.partitionValues)).toEqual([partPhysical]);
    // DuckDB's view of the files: top-level names are the physical ones; ids are the field ids
    const files = await liveFiles(name);
    const cols = await duckRows(`SELECT DISTINCT name, field_id FROM parquet_schema([${files.map(lit).join(', ')}])`);
    const names = cols.map((c) => String(c.name));
    for (const p of physical.filter((p) => p !== partPhysical)) expect(names).toContain(p);
    expect(names.filter((n) => ['first name', 'x.y', 'nested', 'inner field', 'z z', 'id'].includes(n))).toEqual([]);
    if (mode === 'id') {
      const dataIds = ids.filter((_, k) => physical[k] !== partPhysical);
      const byName = new Map(cols.map((c) => [String(c.name), Number(c.field_id)]));
      for (const [k, p] of physical.entries()) if (p !== partPhysical) expect(byName.get(p), p).toBe(ids[k]);
      expect(dataIds.length).toBeGreaterThan(0);
    }
  });

  it('partitioned: partition values in the log are exact, nulls are null, files are where the paths say', async () => {
    const snap = await open('partitioned').snapshot();
    const seen = new Set<string | null>();
    for (const a of snap.addFiles) {
      expect(Object.keys(a.partitionValues).sort()).toEqual(['p_bool', 'p_date', 'p_int', 'p_str', 'p_ts']);
      seen.add(a.partitionValues.p_str ?? null);
      expect(existsSync(join(fixture('partitioned').path, decodeURIComponent(a.path))), a.path).toBe(true);
    }
    const expected = new Set(fixture('partitioned').versions.at(-1)!.rows.map((r) => r.p_str as string | null));
    expect(seen).toEqual(expected);
    expect(seen.has(null) && seen.has('a b/c=d%')).toBe(true);
  });
});

describe('checkpointed', () => {
  it('has checkpoints at 4, 8, 12 and _last_checkpoint pointing at 12', () => {
    const log = join(fixture('checkpointed').path, '_delta_log');
    for (const v of [4, 8, 12]) expect(existsSync(join(log, `${String(v).padStart(20, '0')}.checkpoint.parquet`)), `checkpoint ${v}`).toBe(true);
    const last = JSON.parse(readFileSync(join(log, '_last_checkpoint'), 'utf8')) as { version: number; size: number };
    expect(last.version).toBe(12);
  });

  it.each([
    [13, 12],
    [9, 8],
    [12, 12],
  ])('version %i loads from checkpoint %i and reads no commit before it', async (version, cp) => {
    const store = new CountingStore(new LocalFileSystemStore());
    const counted = createDefaultEngine({ store, workers: 0 });
    try {
      const snap = await open('checkpointed', counted).snapshot({ version });
      expect(snap.version).toBe(version);
      expect(store.readsMatching(/\.checkpoint\.parquet$/).map((p) => p.split('/').pop())).toEqual([`${String(cp).padStart(20, '0')}.checkpoint.parquet`]);
      const commits = store.readsMatching(/\d{20}\.json$/).map((p) => Number(p.split('/').pop()!.slice(0, 20)));
      // at the checkpoint's own version only its commit is read, for the snapshot's commitInfo
      const expected = version === cp ? [cp] : Array.from({ length: version - cp }, (_, k) => cp + 1 + k);
      expect(commits.sort((a, b) => a - b)).toEqual(expected);
      const t = await snap.scan().toTable();
      const v = fixture('checkpointed').versions[version]!;
      expect(canonicalRows(t)).toEqual(expectedCanonicalRows(v.rows, v.schema));
    } finally {
      await counted.parquet.close();
    }
  });

  it('the checkpoint at 12 holds the live files and the tombstones of the overwrite at 11 (read by DuckDB)', async () => {
    const cp = join(fixture('checkpointed').path, '_delta_log', '00000000000000000012.checkpoint.parquet');
    const [counts] = await duckRows(`SELECT count(add) AS adds, count(remove) AS removes, count(metaData) AS metas, count(protocol) AS protocols FROM read_parquet(${lit(cp)})`);
    const snap12 = await open('checkpointed').snapshot({ version: 12 });
    expect(Number(counts!.adds)).toBe(snap12.addFiles.length);
    expect(Number(counts!.metas)).toBe(1);
    expect(Number(counts!.protocols)).toBe(1);
    const snap10 = await open('checkpointed').snapshot({ version: 10 });
    // the overwrite at 11 removed every file live at 10 (the one at 6 removed earlier ones)
    expect(Number(counts!.removes)).toBeGreaterThanOrEqual(snap10.addFiles.length);
  });
});

describe('DuckDB reads the same rows from the live parquet files', () => {
  it('all-types: every column', async () => {
    const latest = fixture('all-types').versions.at(-1)!;
    const columns = latest.schema.fields.map((f) => f.name);
    const duck = await duckCanonicalRows(await liveFiles('all-types'), latest.schema, columns);
    expect(duck).toEqual(expectedCanonicalRows(latest.rows, latest.schema, columns));
  });

  it('partitioned: the data columns', async () => {
    const latest = fixture('partitioned').versions.at(-1)!;
    const columns = ['id', 'value'];
    const duck = await duckCanonicalRows(await liveFiles('partitioned'), latest.schema, columns);
    expect(duck).toEqual(expectedCanonicalRows(latest.rows, latest.schema, columns));
  });
});

/** Decimal text → unscaled bigint at `scale` (the text has at most `scale` fraction digits). */
const scaled = (text: string, scale: number): bigint => {
  const [whole, frac = ''] = text.split('.');
  return BigInt(`${whole}${frac.padEnd(scale, '0')}`);
};
type Row = Readonly<Record<string, unknown>>;
const has = (r: Row, c: string) => r[c] !== null && r[c] !== undefined;

/** Filters with the rows they select, decided in JS on the generator's values (Spark semantics). */
const FILTER_CASES: readonly (readonly [string, string, (r: Row) => boolean])[] = [
  ['all-types', 'i > 0', (r) => has(r, 'i') && (r.i as number) > 0],
  ['all-types', 'l >= 5000000000', (r) => has(r, 'l') && (r.l as bigint) >= 5_000_000_000n],
  ['all-types', 'l < -9223372036854775807', (r) => has(r, 'l') && (r.l as bigint) < -(2n ** 63n) + 1n],
  ['all-types', 'f > 1.5', (r) => has(r, 'f') && Math.fround(r.f as number) > 1.5],
  ['all-types', 'f <= 0.0000001', (r) => has(r, 'f') && Math.fround(r.f as number) <= 1e-7],
  ['all-types', 'dec38 > -1.5', (r) => has(r, 'dec38') && scaled(r.dec38 as string, 18) > scaled('-1.5', 18)],
  ['all-types', 'dec38 = 0.000000000000000001', (r) => has(r, 'dec38') && scaled(r.dec38 as string, 18) === 1n],
  ['all-types', "date < DATE '1970-01-01'", (r) => has(r, 'date') && dayNumber(r.date as string) < 0],
  ['all-types', "ts > TIMESTAMP '2262-04-11T23:47:16.854775Z'", (r) => has(r, 'ts') && micros(r.ts as string) > micros('2262-04-11T23:47:16.854775Z')],
  ['all-types', "ts < TIMESTAMP '1970-01-01T00:00:00Z'", (r) => has(r, 'ts') && micros(r.ts as string) < 0n],
  ['all-types', "ts = TIMESTAMP '1677-09-21T00:12:43.145224Z'", (r) => r.ts === '1677-09-21T00:12:43.145224Z'],
  ['all-types', "ntz >= TIMESTAMP_NTZ '2262-04-11 23:47:16.854776'", (r) => has(r, 'ntz') && micros(r.ntz as string) >= micros('2262-04-11 23:47:16.854776')],
  ['all-types', "str > 'b'", (r) => has(r, 'str') && (r.str as string) > 'b'],
  ['all-types', 'bool IS NULL', (r) => !has(r, 'bool')],
  ['partitioned', "p_str = 'a b/c=d%'", (r) => r.p_str === 'a b/c=d%'],
  ['partitioned', "p_str = ' lead trail '", (r) => r.p_str === ' lead trail '],
  ['partitioned', 'p_str IS NULL', (r) => !has(r, 'p_str')],
  ['partitioned', 'p_int IS NULL AND p_bool = true', (r) => !has(r, 'p_int') && r.p_bool === true],
  ['partitioned', "p_date < DATE '2000-01-01'", (r) => has(r, 'p_date') && (r.p_date as string) < '2000-01-01'],
  ['partitioned', "p_ts = TIMESTAMP '1960-06-01T12:00:00.123456Z'", (r) => r.p_ts === '1960-06-01T12:00:00.123456Z'],
  ['timestamp-ntz', "p_ntz = TIMESTAMP_NTZ '2262-04-12 00:00:00'", (r) => r.p_ntz === '2262-04-12 00:00:00'],
  ['timestamp-ntz', "ntz < TIMESTAMP_NTZ '1970-01-01 00:00:00'", (r) => has(r, 'ntz') && micros(r.ntz as string) < 0n],
  ['column-mapping-name', '`part col` IS NULL AND `x.y` > 1', (r) => !has(r, 'part col') && (r['x.y'] as number) > 1],
  ['column-mapping-id', '`nested`.`inner field` >= 50', (r) => has(r, 'nested') && ((r.nested as Row)['inner field'] as number) >= 50],
];

describe('filters over the written stats and partition values select exactly the matching rows', () => {
  it.each(FILTER_CASES)('%s: %s', async (name, filter, predicate) => {
    const latest = fixture(name).versions.at(-1)!;
    const expected = latest.rows.filter(predicate);
    const t = await (await open(name).snapshot()).scan({ filter }).toTable();
    expect(canonicalRows(t)).toEqual(expectedCanonicalRows(expected, latest.schema));
    expect(expected.length, 'the case selects some rows, not all').toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(latest.rows.length);
  });
});
