import { afterAll, expect, it } from 'vitest';
import type { AddFile } from '../../src/log/actions.js';
import { readCheckpoint } from '../../src/log/checkpoint-reader.js';
import { writeCheckpoint } from '../../src/log/checkpoint-writer.js';
import { loadTableState } from '../../src/log/load-table-state.js';
import { buildLogSegment } from '../../src/log/segment.js';
import { parseTimestampParts } from '../../src/expr/datetime.js';
import { compareDecimals, parseDecimal } from '../../src/expr/scalar.js';
import { columnMappingMode, toPhysicalSchema } from '../../src/schema/column-mapping.js';
import { parseSchemaString } from '../../src/schema/json.js';
import { parseStats, statsColumns } from '../../src/schema/stats.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import { JsonNumber, parseJsonExact } from '../../src/util/json.js';
import { duckRows, lit } from '../parquet/duckdb-oracle.js';
import { describeFixtures, golden, kernel } from '../fixtures.js';
import { copyTable, expectGoldenRows, removeCopies } from './checkpoint-copies.js';
import { localEngine } from './helpers.js';

const engine = localEngine();
afterAll(async () => {
  removeCopies();
  await engine.parquet.close();
});

/** Golden tables covering every stats type, column mapping (name and id), DVs and typed partitions. */
const GOLDEN = [
  'data-skipping-basic-stats-all-types',
  'data-skipping-basic-stats-all-types-columnmapping-name',
  'data-skipping-basic-stats-all-types-columnmapping-id',
  'dv-with-columnmapping',
  'data-reader-partition-values',
  'basic-decimal-table',
  'data-reader-timestamp_ntz',
  'kernel-timestamp-pst',
];
const ZONE: Record<string, string> = { 'data-reader-partition-values': 'America/Los_Angeles' };

/** Two JSON leaves (from stats JSON and from DuckDB's `to_json` of the typed column) name the same value. */
function sameLeaf(expected: unknown, actual: unknown, ntz: boolean): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (expected instanceof JsonNumber && actual instanceof JsonNumber) {
    const a = parseDecimal(expected.text);
    const b = parseDecimal(actual.text);
    if (a && b && compareDecimals(a, b) === 0) return true;
    return Math.fround(Number(expected.text)) === Math.fround(Number(actual.text)); // float columns
  }
  if (typeof expected === 'string' && typeof actual === 'string') {
    if (expected === actual) return true;
    const a = parseTimestampParts(expected);
    const b = parseTimestampParts(actual);
    if (!a || !b) return false;
    const utc = (p: NonNullable<typeof a>) => p.wallMicros - BigInt(ntz ? 0 : (p.offsetSeconds ?? 0)) * 1_000_000n;
    return utc(a) === utc(b);
  }
  return expected === actual;
}

/** Every leaf of `expected` equals the same leaf of `actual`; returns how many leaves were compared. */
function compareTree(expected: unknown, actual: unknown, path: string, ntzLeaves: ReadonlySet<string>): number {
  if (typeof expected === 'object' && expected !== null && !(expected instanceof JsonNumber)) {
    let n = 0;
    for (const [k, v] of Object.entries(expected)) {
      const sub = typeof actual === 'object' && actual !== null ? (actual as Record<string, unknown>)[k] : undefined;
      n += compareTree(v, sub, `${path}.${k}`, ntzLeaves);
    }
    return n;
  }
  const leaf = path.split('.').slice(2).join('.');
  expect(sameLeaf(expected, actual, ntzLeaves.has(leaf)), `${path}: ${String(expected)} vs ${String(actual)}`).toBe(true);
  return 1;
}

describeFixtures('stats_parsed and partitionValues_parsed in written checkpoints', () => {
  it.each(GOLDEN)('%s: typed stats equal the JSON stats (checked with DuckDB), and the table reads as expected', async (name) => {
    const root = copyTable(golden(name));
    const table = DeltaTable.forPath(root, { engine, ...(ZONE[name] ? { sessionTimeZone: ZONE[name] } : {}) });
    const { version } = await table.checkpoint();
    const segment = await buildLogSegment(engine, root);
    expect(segment.checkpoint?.version).toBe(version);
    const file = segment.checkpoint!.files[0]!.path;
    const state = await loadTableState(engine, root);
    const schema = toPhysicalSchema(parseSchemaString(state.metadata.schemaString), columnMappingMode(state.metadata.configuration));
    const ntz = new Set(statsColumns(schema).filter((c) => c.type.kind === 'primitive' && c.type.name === 'timestamp_ntz').map((c) => c.path.join('.')));
    const partitionTypes = new Map(state.metadata.partitionColumns.map((c) => [c, schema.fields.find((f) => f.name.toLowerCase() === c.toLowerCase())]));

    // DuckDB reads the parquet file independently: every JSON statistic has the same typed value.
    await duckRows(`SET TimeZone = 'UTC'`);
    const rows = await duckRows(
      `SELECT add.path AS path, add.stats AS stats, to_json(add.stats_parsed)::VARCHAR AS parsed, ${partitionTypes.size > 0 ? 'to_json(add.partitionValues_parsed)::VARCHAR' : 'NULL'} AS pv FROM read_parquet(${lit(file)}) WHERE add IS NOT NULL`,
    );
    expect(rows.length).toBe(state.files.length);
    let leaves = 0;
    for (const row of rows) {
      if (row['stats'] !== null) {
        const stats = parseJsonExact(row['stats'] as string) as Record<string, unknown>;
        leaves += compareTree(stats, parseJsonExact(row['parsed'] as string), 'stats', ntz);
      } else expect(row['parsed']).toBeNull();
      if (state.metadata.partitionColumns.length > 0) {
        const add = state.files.find((f) => f.path === row['path'])!;
        const pv = parseJsonExact(row['pv'] as string) as Record<string, unknown>;
        for (const [key, text] of Object.entries(add.partitionValues)) {
          const typed = pv[key];
          const type = partitionTypes.get(key)?.type;
          if (text === null || text === '') expect(typed).toBeNull();
          else if (type?.kind === 'primitive' && type.name === 'boolean') expect(String(typed)).toBe(text);
          else if (type?.kind === 'primitive' && type.name === 'timestamp' && ZONE[name] !== undefined) expect(typed).not.toBeNull(); // legacy zone-less text, read in UTC here
          else leaves += compareTree(asLeaf(text, type?.kind === 'primitive' ? type.name : 'decimal'), typed, `pv..${key}`, ntz);
        }
      }
    }
    expect(leaves).toBeGreaterThan(rows.length);

    // Our reader sees the same bounds through stats_parsed as through the JSON.
    const content = await readCheckpoint(engine, root, segment.checkpoint!);
    const columns = statsColumns(schema);
    for (const add of content.adds) {
      if (add.stats === undefined) continue;
      expect(parseStats({ statsParsed: add.statsParsed }, columns)).toEqual(parseStats({ stats: add.stats! }, columns));
    }
    await expectGoldenRows(engine, root, name, ZONE[name]);
  });

  it('drops the stats JSON when delta.checkpoint.writeStatsAsJson is false, and skipping still works from stats_parsed', async () => {
    const root = copyTable(golden('data-skipping-basic-stats-all-types'));
    const state = await loadTableState(engine, root);
    const conf = { ...state.metadata.configuration, 'delta.checkpoint.writeStatsAsJson': 'false' };
    await writeCheckpoint(engine, root, { ...state, metadata: { ...state.metadata, configuration: conf } });
    const schema = await engine.parquet.readSchema({ path: `${root}/_delta_log/00000000000000000000.checkpoint.parquet` });
    const add = schema.fields.find((f) => f.name === 'add')!;
    const names = (add.type as { children: { name: string }[] }).children.map((c) => c.name);
    expect(names).not.toContain('stats');
    expect(names).toContain('stats_parsed');
    const reloaded = await loadTableState(engine, root);
    const columns = statsColumns(parseSchemaString(state.metadata.schemaString));
    const byPath = new Map(state.files.map((f) => [f.path, f]));
    for (const f of reloaded.files) {
      expect(f.stats).toBeUndefined();
      expect(parseStats(f, columns)).toEqual(parseStats(byPath.get(f.path)!, columns));
    }
  });

  it('writes neither typed column when delta.checkpoint.writeStatsAsStruct is false', async () => {
    const root = copyTable(golden('data-reader-partition-values'));
    const state = await loadTableState(engine, root);
    const conf = { ...state.metadata.configuration, 'delta.checkpoint.writeStatsAsStruct': 'false' };
    await writeCheckpoint(engine, root, { ...state, metadata: { ...state.metadata, configuration: conf } });
    const schema = await engine.parquet.readSchema({ path: `${root}/_delta_log/00000000000000000000.checkpoint.parquet` });
    const add = schema.fields.find((f) => f.name === 'add')!;
    const names = (add.type as { children: { name: string }[] }).children.map((c) => c.name);
    expect(names).toContain('stats');
    expect(names).not.toContain('stats_parsed');
    expect(names).not.toContain('partitionValues_parsed');
  });

  // Spark/Databricks checkpoints with only stats_parsed: their typed stats survive our checkpoint.
  it.each(['v1-single-part-struct-stats-only', 'v1-multi-part-partitioned-struct-stats-only', 'v2-json-sidecars-struct-stats-only', 'v2-parquet-sidecars-struct-stats-only'])(
    'rewrites the stats_parsed of the Spark checkpoint of %s unchanged',
    async (name) => {
      const spark = await loadTableState(engine, kernel(name));
      expect(spark.files.every((f) => f.stats === undefined && f.statsParsed !== undefined)).toBe(true);
      const root = copyTable(kernel(name));
      await writeCheckpoint(engine, root, spark);
      const ours = await loadTableState(engine, root);
      expect((await buildLogSegment(engine, root)).checkpoint?.version).toBe(spark.version);
      const byPath = new Map(spark.files.map((f): [string, AddFile] => [f.path, f]));
      expect(ours.files.length).toBe(spark.files.length);
      for (const f of ours.files) expect(f.statsParsed).toEqual(byPath.get(f.path)!.statsParsed);
      // And the typed stats agree with the JSON stats of the commits.
      const fromCommits = new Map((await loadTableState(engine, copyTable(kernel(name)))).files.map((f) => [f.path, f]));
      const schema = parseSchemaString(spark.metadata.schemaString);
      const columns = statsColumns(toPhysicalSchema(schema, columnMappingMode(spark.metadata.configuration)));
      for (const f of ours.files) {
        const c = fromCommits.get(f.path);
        if (c?.stats !== undefined) expect(parseStats(f, columns)).toEqual(parseStats(c, columns));
      }
    },
  );
});

function asLeaf(text: string, typeName: string): unknown {
  if (['byte', 'short', 'integer', 'long', 'float', 'double', 'decimal'].includes(typeName)) return new JsonNumber(text);
  return text;
}
