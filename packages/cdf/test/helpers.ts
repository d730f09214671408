/** Shared test helpers: the expected change-feed cases, and rows compared as canonical text. */
import { readdirSync, readFileSync } from 'node:fs';
import { JsonNumber, parseJsonExact, type DeltaErrorCode } from '@deltakit/core';
import { Type, type Table } from 'apache-arrow';
import { EXPECTED_DIR, HAVE_FIXTURES } from './fixtures.js';

/** One `expected/<table>__<start>_<end>.json` file of a change-feed case. */
export interface FeedCase {
  readonly name: string;
  readonly table: string;
  readonly startVersion: number;
  readonly endVersion: number | undefined;
  readonly columns?: readonly string[];
  readonly rows?: readonly (readonly unknown[])[];
  readonly expectError?: string;
  readonly note?: string;
}

/** Every change-feed case (`cdf-*` and `table-with-cdf__*`), parsed losslessly (numbers as JsonNumber). */
export function feedCases(): FeedCase[] {
  if (!HAVE_FIXTURES) return [];
  return readdirSync(EXPECTED_DIR)
    .filter((f) => /^(cdf-|table-with-cdf__).*\.json$/.test(f))
    .sort()
    .map((f) => {
      const raw = parseJsonExact(readFileSync(`${EXPECTED_DIR}/${f}`, 'utf8')) as Record<string, unknown>;
      const num = (v: unknown) => (v === null || v === undefined ? undefined : Number((v as JsonNumber).text));
      return { ...(raw as object), name: f.replace(/\.json$/, ''), startVersion: num(raw.startVersion)!, endVersion: num(raw.endVersion) } as FeedCase;
    });
}

/**
 * The error a case expects, as this library's code. The fixtures quote delta-kernel-rs's errors;
 * each is mapped by its cause. An unknown text fails the test rather than passing silently.
 */
export function expectedErrorCode(c: FeedCase): { code: DeltaErrorCode; version?: number; mentions?: string } {
  const text = c.expectError!;
  if (/ChangeDataFeedUnsupported/.test(text)) return { code: 'CHANGE_DATA_FEED_NOT_ENABLED', version: Number(/at version (\d+)|includes v(\d+)/.exec(text)!.slice(1).find((x) => x !== undefined)) };
  if (/schemas are different/.test(text)) return { code: 'INCOMPATIBLE_SCHEMA_CHANGE', mentions: 'column id is nullable there but NOT NULL' };
  if (/start_version cannot be greater than end_version/.test(text)) return { code: 'INVALID_ARGUMENT' };
  if (/Expected the first commit to have version/.test(text)) return { code: 'VERSION_NOT_FOUND' };
  throw new Error(`no mapping for the expected error of ${c.name}: ${text}`);
}

/** Canonical text of a number: integers exactly (also beyond 2^53), others as JS numbers. */
function canonNumber(text: string): string {
  if (/^-?\d+$/.test(text)) return BigInt(text).toString();
  const n = Number(text);
  return Number.isInteger(n) ? BigInt(n).toString() : String(n);
}

/** Canonical text of a value from expected JSON, CLI JSON lines or Arrow (after {@link arrowValue}). */
export function canon(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof JsonNumber) return canonNumber(v.text);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return canonNumber(String(v));
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canon(o[k])}`)
    .join(',')}}`;
}

/** Sorted canonical rows of an Arrow table over `columns` (a multiset, as sorted text). */
export function tableRows(table: Table, columns: readonly string[]): string[] {
  const vectors = columns.map((c) => {
    const v = table.getChild(c);
    if (v === null) throw new Error(`column ${c} missing from the change feed (has ${table.schema.fields.map((f) => f.name).join(', ')})`);
    return v;
  });
  const out: string[] = [];
  for (let i = 0; i < table.numRows; i++) out.push(vectors.map((v) => canon(arrowValue(v.type.typeId, v.get(i)))).join(' | '));
  return out.sort();
}

/** A value from `Vector.get` in the JSON shape the fixtures use (dates as ISO text, structs as objects). */
function arrowValue(typeId: Type, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeId === Type.Date) return new Date(v as number).toISOString().slice(0, 10);
  if (typeId === Type.Struct) return (v as { toJSON(): unknown }).toJSON();
  return v;
}

/** Sorted canonical rows of JSON objects (expected rows as arrays, or CLI lines as objects). */
export function jsonRows(rows: readonly (readonly unknown[] | Record<string, unknown>)[], columns: readonly string[]): string[] {
  return rows.map((r) => (Array.isArray(r) ? r : columns.map((c) => (r as Record<string, unknown>)[c])).map(canon).join(' | ')).sort();
}

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

/** The `_commit_timestamp` values (µs) of a change table, and their `_commit_version`s, row by row. */
export function commitTimes(table: Table): Array<{ version: bigint; micros: bigint }> {
  const out: Array<{ version: bigint; micros: bigint }> = [];
  for (const batch of table.batches) {
    const versions = batch.getChild('_commit_version')!.data[0]!.values as BigInt64Array;
    const times = batch.getChild('_commit_timestamp')!.data[0]!.values as BigInt64Array;
    for (let i = 0; i < batch.numRows; i++) out.push({ version: versions[i]!, micros: times[i]! });
  }
  return out;
}
