import { mkdtempSync, readdirSync, readFileSync, rmSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createDefaultEngine, type Engine, type StructType, type AddCDCFile } from '@deltakit/core';
import { DeltaTable } from '../src/index.js';

export const FIXTURES = process.env.DELTAKIT_SHARED_FIXTURES ?? fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
export const HAVE_FIXTURES = existsSync(FIXTURES);

/** `describe` over the shared fixtures; without them one skipped test carries the reason. */
export function describeFixtures(name: string, fn: () => void): void {
  if (!HAVE_FIXTURES) {
    describe(name, () => it.skipIf(true)(`shared fixtures not found at ${FIXTURES}; fixture tests are skipped`, () => undefined));
    return;
  }
  describe(name, fn);
}

const engines: Engine[] = [];
const dirs: string[] = [];

/** A fresh temp directory, removed by `cleanup()`. */
export function tempDir(prefix = 'deltakit-dml-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A table object at `root` on a shared engine (workers 1). */
export function tableAt(root: string): DeltaTable {
  const engine = createDefaultEngine({ workers: 1 });
  engines.push(engine);
  return DeltaTable.forPath(root, { engine });
}

/** A copy of a fixture table in a temp dir. */
export function copyFixture(relative: string): string {
  const d = tempDir();
  cpSync(join(FIXTURES, relative), d, { recursive: true });
  return d;
}

export async function cleanup(): Promise<void> {
  for (const e of engines.splice(0)) await e.parquet.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Creates a table at a temp dir from rows. */
export async function makeTable(rows: readonly Record<string, unknown>[], schema: StructType, options: { partitionBy?: string[]; properties?: Record<string, string>; targetFileSize?: number; files?: number } = {}): Promise<DeltaTable> {
  const root = tempDir();
  const table = tableAt(root);
  await table.create({ schema, ...(options.partitionBy ? { partitionBy: options.partitionBy } : {}), ...(options.properties ? { properties: options.properties } : {}) });
  const files = options.files ?? 1;
  const per = Math.ceil(rows.length / files);
  for (let i = 0; i < files; i++) {
    const chunk = rows.slice(i * per, (i + 1) * per);
    if (chunk.length > 0) await table.write({ rows: chunk, schema }, { mode: 'append', ...(options.targetFileSize ? { targetFileSize: options.targetFileSize } : {}) });
  }
  return table;
}

/** Rows of the latest version as plain JS objects, sorted by their JSON text. */
export async function readRows(table: DeltaTable, version?: number): Promise<Record<string, unknown>[]> {
  const snap = await table.snapshot(version === undefined ? {} : { version });
  const t = await snap.scan().toTable();
  return sortRows(t.toArray().map((r) => normalize(r.toJSON() as Record<string, unknown>)));
}

/** JS values with Arrow structs and vectors turned into plain objects/arrays. */
export function normalize(v: unknown): Record<string, unknown> {
  return plain(v) as Record<string, unknown>;
}

function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && v !== null && 'toJSON' in v && typeof (v as { toJSON: unknown }).toJSON === 'function' && !(v instanceof Date)) return plain((v as { toJSON(): unknown }).toJSON());
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date)) return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, plain(x)]));
  return v;
}

export function sortRows<T>(rows: T[]): T[] {
  const key = (r: T) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

let duck: Promise<DuckDBConnection> | undefined;

/** Rows of a DuckDB query as JS values (bigint for BIGINT). */
export async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  duck ??= DuckDBInstance.create(':memory:').then((i) => i.connect());
  const reader = await (await duck).runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

export async function duckRun(sql: string): Promise<void> {
  duck ??= DuckDBInstance.create(':memory:').then((i) => i.connect());
  await (await duck).run(sql);
}

/** SQL literal of a JS value for DuckDB. */
export function sqlValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `'${k}': ${sqlValue(x)}`).join(', ')}}`;
  throw new Error(`no SQL literal for ${String(v)}`);
}

let duckTables = 0;

/**
 * Loads `rows` into a new DuckDB table with `columns` (`name TYPE` list), runs `statement` on it
 * (`{t}` is replaced by the table name) and returns the resulting rows sorted.
 */
export async function duckAfter(rows: readonly Record<string, unknown>[], columns: string, statement: string): Promise<Record<string, unknown>[]> {
  const t = `t${duckTables++}`;
  await duckRun(`CREATE TABLE ${t} (${columns})`);
  const names = columns.split(/,(?![^(]*\))/).map((c) => c.trim().split(/\s+/)[0]!);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await duckRun(`INSERT INTO ${t} VALUES ${chunk.map((r) => `(${names.map((n) => sqlValue(r[n])).join(', ')})`).join(', ')}`);
  }
  await duckRun(statement.replace(/\{t\}/g, t));
  const out = await duckRows(`SELECT * FROM ${t}`);
  return sortRows(out.map((r) => normalize(r)));
}

/** The actions of one commit file, parsed. */
export function commitActions(root: string, version: number): Record<string, Record<string, unknown>>[] {
  const text = readFileSync(join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

export function commitInfo(root: string, version: number): Record<string, unknown> {
  return commitActions(root, version).find((a) => 'commitInfo' in a)!.commitInfo!;
}

/**
 * The change rows of a commit read from its `cdc` files with DuckDB (partition values from each
 * action), sorted; `_change_type` included.
 */
export async function cdcRows(root: string, version: number, partitionTypes: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const cdcs = commitActions(root, version).filter((a) => 'cdc' in a).map((a) => a.cdc as unknown as AddCDCFile);
  const out: Record<string, unknown>[] = [];
  for (const c of cdcs) {
    const path = join(root, decodeURIComponent(c.path));
    const parts = Object.entries(c.partitionValues).map(([k, v]) => `CAST(${sqlValue(v)} AS ${partitionTypes[k] ?? 'VARCHAR'}) AS "${k}"`);
    const rows = await duckRows(`SELECT *${parts.length ? ', ' + parts.join(', ') : ''} FROM read_parquet(${sqlValue(path)}, hive_partitioning = false)`);
    out.push(...rows.map((r) => normalize(r)));
  }
  return sortRows(out);
}

/** Files under a directory, relative. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/** Runs `statement` on a DuckDB table created by `select` (`{t}` names it) and returns its rows sorted. */
export async function duckAfterSelect(select: string, statement: string): Promise<Record<string, unknown>[]> {
  const t = `t${duckTables++}`;
  await duckRun(`CREATE TABLE ${t} AS ${select}`);
  await duckRun(statement.replace(/\{t\}/g, t));
  return sortRows((await duckRows(`SELECT * FROM ${t}`)).map((r) => normalize(r)));
}

/**
 * Checks that the live files of the latest version read in DuckDB: every file opens, and its row
 * count minus its deletion vector's cardinality, summed, is the number of rows our reader returns.
 */
export async function checkLiveFilesInDuckDb(table: DeltaTable): Promise<void> {
  const snap = await table.snapshot();
  let total = 0;
  for (const a of snap.addFiles) {
    const path = join(table.tableRoot, decodeURIComponent(a.path));
    const [{ n }] = (await duckRows(`SELECT count(*) AS n FROM read_parquet(${sqlValue(path)}, hive_partitioning = false)`)) as [{ n: bigint }];
    total += Number(n) - (a.deletionVector?.cardinality ?? 0);
  }
  const ours = (await snap.scan().toTable()).numRows;
  if (total !== ours) throw new Error(`DuckDB counts ${total} live rows in the files, our reader ${ours}`);
}

/** The change feed of one version read with `@deltakit/cdf`, without the commit columns, sorted. */
export async function feedRows(table: DeltaTable, version: number): Promise<Record<string, unknown>[]> {
  const { tableChanges } = await import('@deltakit/cdf');
  const t = await tableChanges(table, { startingVersion: version, endingVersion: version }).toTable();
  return sortRows(
    t.toArray().map((r) => {
      const { _commit_version: _v, _commit_timestamp: _ts, ...row } = normalize(r.toJSON() as Record<string, unknown>);
      return row;
    }),
  );
}
