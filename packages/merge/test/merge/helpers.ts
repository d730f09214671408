import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import type { DataType, Expr, StructType } from '@deltakit/core';
import { Vec, printExpr, rowsToBatch } from '@deltakit/core/internal';
import type { MergeClauses } from '../../src/merge/clauses.js';
import { MergeMatcher } from '../../src/merge/match.js';
import { planMerge } from '../../src/merge/plan.js';

let conn: Promise<DuckDBConnection> | undefined;

/** A DuckDB connection shared by a test file (the independent oracle). */
export async function duck(): Promise<DuckDBConnection> {
  conn ??= DuckDBInstance.create(':memory:').then((i) => i.connect());
  return conn;
}

export async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await (await duck()).runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

export async function duckRun(sql: string): Promise<void> {
  await (await duck()).run(sql);
}

export function duckType(t: DataType): string {
  switch (t.kind) {
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'struct':
      return `STRUCT(${t.fields.map((f) => `"${f.name}" ${duckType(f.type)}`).join(', ')})`;
    case 'array':
      return `${duckType(t.elementType)}[]`;
    case 'map':
      return `MAP(${duckType(t.keyType)}, ${duckType(t.valueType)})`;
    case 'primitive':
      return (
        { long: 'BIGINT', integer: 'INTEGER', short: 'SMALLINT', byte: 'TINYINT', string: 'VARCHAR', double: 'DOUBLE', float: 'FLOAT', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMPTZ', timestamp_ntz: 'TIMESTAMP', binary: 'BLOB' } as Record<string, string>
      )[t.name]!;
  }
}

export function sqlValue(v: unknown, t: DataType): string {
  if (v === null || v === undefined) return `NULL::${duckType(t)}`;
  if (t.kind === 'struct') {
    const o = v as Record<string, unknown>;
    return `{${t.fields.map((f) => `'${f.name}': ${sqlValue(o[f.name], f.type)}`).join(', ')}}::${duckType(t)}`;
  }
  if (t.kind === 'primitive' && t.name === 'date' && typeof v === 'number') return `(DATE '1970-01-01' + INTERVAL ${v} DAY)::DATE`;
  if (typeof v === 'string') {
    if (t.kind === 'primitive' && t.name === 'date') return `DATE '${v}'`;
    return `'${v.replace(/'/g, "''")}'`;
  }
  if (t.kind === 'decimal') return `${String(v)}::${duckType(t)}`;
  return `${String(v)}::${duckType(t)}`;
}

/** Creates (replacing) a DuckDB table with `rows`. */
export async function duckTable(name: string, schema: StructType, rows: readonly Record<string, unknown>[]): Promise<void> {
  await duckRun(`CREATE OR REPLACE TABLE ${name} (${schema.fields.map((f) => `"${f.name}" ${duckType(f.type)}`).join(', ')})`);
  if (rows.length === 0) return;
  const values = rows.map((r) => `(${schema.fields.map((f) => sqlValue(r[f.name], f.type)).join(', ')})`);
  for (let i = 0; i < values.length; i += 500) await duckRun(`INSERT INTO ${name} VALUES ${values.slice(i, i + 500).join(', ')}`);
}

/** Rows as comparable JSON text (bigints as text, numbers as numbers), sorted. */
export function canonical(rows: readonly Record<string, unknown>[], columns: readonly string[]): string[] {
  const norm = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Uint8Array) return Array.from(v);
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(norm);
    if (typeof v === 'object' && v !== null && 'kind' in v && (v as { kind: string }).kind === 'map') {
      const m = v as unknown as { keys: unknown[]; values: unknown[] };
      return m.keys.map((k, i) => [norm(k), norm(m.values[i])]);
    }
    if (typeof v === 'object' && v !== null && 'unscaled' in v) {
      const d = v as { unscaled: bigint; scale: number };
      return Number(d.unscaled) / 10 ** d.scale;
    }
    if (typeof v === 'object' && v !== null && 'kind' in v && (v as { kind: string }).kind === 'struct') return (v as unknown as { values: unknown[] }).values.map(norm);
    if (typeof v === 'object' && !Array.isArray(v)) return Object.values(v as object).map(norm);
    return v;
  };
  return rows.map((r) => JSON.stringify(columns.map((c) => norm(r[c])))).sort();
}

/** Rows of a batch as objects keyed by column name, values as core's per-row form. */
export function batchRows(batch: RecordBatch, schema: StructType): Record<string, unknown>[] {
  const cols = schema.fields.map((f, k) => Vec.fromArrow(batch.data.children[k]!, f.type).toValues());
  return Array.from({ length: batch.numRows }, (_, i) => Object.fromEntries(schema.fields.map((f, k) => [f.name, cols[k]![i]])));
}

export interface InMemoryMerge {
  readonly target: { readonly schema: StructType; readonly rows: readonly Record<string, unknown>[] };
  readonly source: { readonly schema: StructType; readonly rows: readonly Record<string, unknown>[] };
  readonly condition: string | Expr;
  readonly clauses: MergeClauses;
  readonly schemaEvolution?: boolean;
  /** Split the target into batches of this many rows (exercises per-batch processing). */
  readonly targetBatchRows?: number;
}

/** Runs the planner and matcher on in-memory rows; returns the target's rows after the merge. */
export function mergeInMemory(m: InMemoryMerge): { schema: StructType; rows: Record<string, unknown>[]; counts: MergeMatcher['counts'] } {
  const plan = planMerge({
    targetSchema: m.target.schema,
    partitionColumns: [],
    columnMappingMode: 'none',
    targetAlias: 't',
    sourceSchema: m.source.schema,
    sourceAlias: 's',
    condition: m.condition,
    clauses: m.clauses,
    schemaEvolution: m.schemaEvolution ?? false,
    timeZone: 'UTC',
    nowMicros: 0n,
  });
  const sourceBatch = rowsToBatch(m.source.rows, m.source.schema);
  const matcher = new MergeMatcher(plan, { schema: m.source.schema, batch: sourceBatch, numRows: sourceBatch.numRows, bytes: 0 }, { timeZone: 'UTC', nowMicros: 0n, changeData: false });
  const out: Record<string, unknown>[] = [];
  const size = m.targetBatchRows ?? Math.max(1, m.target.rows.length);
  for (let start = 0; start < m.target.rows.length; start += size) {
    const chunk = m.target.rows.slice(start, start + size);
    const batch = rowsToBatch(chunk, m.target.schema);
    const changes = matcher.processTarget(batch);
    const gone = new Set([...changes.deleted, ...changes.updated]);
    const kept = batchRows(batch, m.target.schema).filter((_, i) => !gone.has(i));
    for (const r of kept) out.push(Object.fromEntries(plan.finalSchema.fields.map((f) => [f.name, r[f.name] ?? null])));
    if (changes.updatedValues) out.push(...batchRows(changes.updatedValues, plan.finalSchema));
  }
  const ins = matcher.inserts();
  if (ins) out.push(...batchRows(ins, plan.finalSchema));
  return { schema: plan.finalSchema, rows: out, counts: matcher.counts };
}

/**
 * The same MERGE as DuckDB SQL (`*` expanded by name, as Delta resolves it); conditions and
 * values must be SQL text both dialects read alike.
 */
export function duckMergeSql(target: string, source: string, condition: string | Expr, clauses: MergeClauses, targetSchema: StructType, sourceSchema: StructType): string {
  const text = (x: unknown): string => (typeof x === 'string' ? x : printExpr(x as Expr));
  const when = (c: { condition?: unknown }) => (c.condition === undefined ? '' : ` AND (${text(c.condition)})`);
  const set = (s: Readonly<Record<string, unknown>>) => Object.entries(s).map(([k, v]) => `"${k.replace(/^t\./, '')}" = ${text(v)}`).join(', ');
  const all = targetSchema.fields.filter((f) => sourceSchema.fields.some((x) => x.name.toLowerCase() === f.name.toLowerCase())).map((f) => f.name);
  const parts: string[] = [];
  for (const c of clauses.matched) {
    if (c.kind === 'delete') parts.push(`WHEN MATCHED${when(c)} THEN DELETE`);
    else if (c.kind === 'update') parts.push(`WHEN MATCHED${when(c)} THEN UPDATE SET ${set(c.set)}`);
    else parts.push(`WHEN MATCHED${when(c)} THEN UPDATE SET ${all.map((n) => `"${n}" = s."${n}"`).join(', ')}`);
  }
  for (const c of clauses.notMatchedBySource) {
    if (c.kind === 'delete') parts.push(`WHEN NOT MATCHED BY SOURCE${when(c)} THEN DELETE`);
    else parts.push(`WHEN NOT MATCHED BY SOURCE${when(c)} THEN UPDATE SET ${set(c.set)}`);
  }
  for (const c of clauses.notMatched) {
    if (c.kind === 'insert') {
      const cols = Object.keys(c.values);
      parts.push(`WHEN NOT MATCHED BY TARGET${when(c)} THEN INSERT (${cols.map((k) => `"${k.replace(/^t\./, '')}"`).join(', ')}) VALUES (${cols.map((k) => text(c.values[k])).join(', ')})`);
    } else parts.push(`WHEN NOT MATCHED BY TARGET${when(c)} THEN INSERT (${all.map((n) => `"${n}"`).join(', ')}) VALUES (${all.map((n) => `s."${n}"`).join(', ')})`);
  }
  return `MERGE INTO ${target} AS t USING ${source} AS s ON ${text(condition)} ${parts.join(' ')}`;
}

/** Runs the MERGE in DuckDB on fresh tables and returns the target's rows. */
export async function duckMerge(m: InMemoryMerge): Promise<Record<string, unknown>[]> {
  await duckTable('tgt', m.target.schema, m.target.rows);
  await duckTable('src', m.source.schema, m.source.rows);
  await duckRun(duckMergeSql('tgt', 'src', m.condition, m.clauses, m.target.schema, m.source.schema));
  return duckRows('SELECT * FROM tgt');
}
