import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';

let conn: Promise<DuckDBConnection> | undefined;

/** Rows of a DuckDB query as JS values (bigint for BIGINT/epoch_us), the independent oracle. */
export async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  conn ??= DuckDBInstance.create(':memory:').then((i) => i.connect());
  const reader = await (await conn).runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** SQL string literal. */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
