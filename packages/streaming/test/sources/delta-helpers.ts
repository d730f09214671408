import { DeltaTable, parseDdlSchema } from '@deltakit/core';
import { readStream, type DataFrame } from '../../src/index.js';

export const SCHEMA = parseDdlSchema('id INT, v STRING');

/** Appends one commit (one file) of rows `{id, v: 'r<id>'}`; returns its version. */
export async function append(path: string, ids: readonly number[], properties?: Record<string, string>): Promise<number> {
  const res = await DeltaTable.forPath(path).write({ rows: ids.map((id) => ({ id, v: `r${id}` })), schema: SCHEMA }, { mode: 'append', ...(properties ? { properties } : {}) });
  return res.version;
}

/** A source table with one commit (one file) per group. */
export async function tableOf(path: string, groups: readonly (readonly number[])[], properties?: Record<string, string>): Promise<void> {
  for (const [i, g] of groups.entries()) await append(path, g, i === 0 ? properties : undefined);
}

export interface Run {
  /** Rows of each batch, sorted by id, by batch id. */
  readonly batches: Map<number, Record<string, unknown>[]>;
  readonly ids: () => number[];
}

/** Runs `df` into foreachBatch with `trigger` until it stops (availableNow / once). */
export async function runBatches(df: DataFrame, checkpoint: string, trigger: { availableNow: true } | { once: true } = { availableNow: true }, onBatch?: (batchId: number) => Promise<void>): Promise<Run> {
  const batches = new Map<number, Record<string, unknown>[]>();
  const q = await df.writeStream
    .option('checkpointLocation', checkpoint)
    .trigger(trigger)
    .foreachBatch(async (b, id) => {
      batches.set(id, sortById(await b.collect()));
      await onBatch?.(id);
    })
    .start();
  await q.awaitTermination();
  return { batches, ids: () => [...batches.values()].flat().map((r) => Number(r.id)).sort((a, b) => a - b) };
}

export function sortById(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.sort((a, b) => Number(a.id) - Number(b.id) || String(a._change_type ?? '').localeCompare(String(b._change_type ?? '')));
}

export function deltaStream(path: string, options: Record<string, string> = {}): DataFrame {
  return readStream.format('delta').options(options).load(path);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
