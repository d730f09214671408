import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../../src/engine.js';
import type { Action } from '../../../src/log/actions.js';
import { parseActionLines } from '../../../src/log/parse-actions.js';
import { createDefaultEngine } from '../../../src/table/default-engine.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import type { Snapshot } from '../../../src/table/snapshot.js';
import { duckRows, lit } from '../../parquet/duckdb-oracle.js';

const dirs: string[] = [];
const engines: Engine[] = [];

/** A table object over a fresh temp directory (local file system, decoding on this thread). */
export function tempTable(prefix = 'deltakit-optimize-'): DeltaTable {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return tableAt(dir);
}

export function tableAt(dir: string, options: { engine?: Engine } = {}): DeltaTable {
  const engine = options.engine ?? createDefaultEngine({ workers: 0 });
  engines.push(engine);
  return DeltaTable.forPath(dir, { engine });
}

export function rememberDir(dir: string): void {
  dirs.push(dir);
}

export async function cleanup(): Promise<void> {
  for (const e of engines.splice(0)) await e.parquet.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The actions of one commit file of a local table. */
export function commitActions(root: string, version: number): Action[] {
  const path = join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`);
  return parseActionLines(new Uint8Array(readFileSync(path)), path);
}

const canon = (v: unknown): string => {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v instanceof Date) return String(v.getTime());
  return String(v);
};

/** Rows of the snapshot through our reader, as sorted `col=value|...` lines over `columns`. */
export async function ourRows(snap: Snapshot, columns: readonly string[]): Promise<string[]> {
  const t = await snap.scan({ columns }).toTable();
  const cols = columns.map((c) => t.getChild(c)!);
  const out: string[] = [];
  for (let i = 0; i < t.numRows; i++) out.push(columns.map((c, k) => `${c}=${canon(cols[k]!.get(i))}`).join('|'));
  return out.sort();
}

/**
 * Rows of the snapshot's live files read by DuckDB (files must have no deletion vectors), with
 * partition columns taken from each file's partition values, as sorted lines like {@link ourRows}.
 * `select` maps a column to the SQL DuckDB reads it with (physical names, casts).
 */
export async function duckLiveRows(snap: Snapshot, columns: readonly string[], select: Readonly<Record<string, string>> = {}, partitions: Readonly<Record<string, string>> = {}): Promise<string[]> {
  const out: string[] = [];
  for (const a of snap.addFiles) {
    if (a.deletionVector !== undefined) throw new Error(`duckLiveRows: ${a.path} has a deletion vector`);
    const path = join(snap.tableRoot, decodeURIComponent(a.path));
    const exprs = columns.map((c, k) => {
      if (c in partitions) {
        const v = a.partitionValues[partitions[c]!];
        return `${v === null || v === undefined ? 'NULL' : lit(v)} AS c${k}`;
      }
      return `${select[c] ?? `"${c}"`} AS c${k}`;
    });
    const rows = await duckRows(`SELECT ${exprs.join(', ')} FROM read_parquet(${lit(path)}, hive_partitioning = false)`);
    for (const r of rows) out.push(columns.map((c, k) => `${c}=${canon(r[`c${k}`])}`).join('|'));
  }
  return out.sort();
}
