/**
 * `upsertBatch(batchDf, batchId, options)`: the idempotent `foreachBatch` MERGE upsert. Rows of
 * the batch that share a key are first reduced to the last one in arrival order (so a batch
 * never fails on duplicate keys), then merged into the Delta table (update all columns when
 * matched, insert when not, adding new columns), in one commit carrying the app transaction
 * `{ appId, version: batchId }`: when a crash makes the engine give the same batch again, Delta
 * sees the version already recorded and the MERGE does nothing. A missing table is created by
 * the first batch.
 *
 * ```ts
 * bronze.writeStream.option('checkpointLocation', './chk/silver')
 *   .foreachBatch((df, batchId) => upsertBatch(df, batchId, { path: './tables/silver', keys: ['order_id'], appId: 'silver-upsert' }))
 *   .start();
 * ```
 */
import { DeltaError, deltaToArrowSchema, isDeltaError, type DeltaTable as CoreTable } from '@deltakit/core';
import { bindExpression, compileExpression, concatBatches, takeRows } from '@deltakit/core/internal';
import { DeltaTable } from '@deltakit/merge';
import type { RecordBatch } from 'apache-arrow';
import type { DataFrame } from '../api/dataframe.js';

export interface UpsertOptions {
  /** The target Delta table. */
  readonly path: string;
  /** Key columns: a row replaces the table's row with the same key. */
  readonly keys: readonly string[];
  /** The app transaction id; use one per (query, target), e.g. the query id. */
  readonly appId: string;
  readonly signal?: AbortSignal;
}

export interface UpsertResult {
  /** The table version after the batch (the current one when skipped). */
  readonly version: number;
  /** True when the table already had this batch (a replay) or the batch was empty. */
  readonly skipped: boolean;
  readonly numSourceRows: number;
  readonly numTargetRowsInserted: number;
  readonly numTargetRowsUpdated: number;
}

export async function upsertBatch(batch: DataFrame, batchId: number, options: UpsertOptions): Promise<UpsertResult> {
  if (options.keys.length === 0) throw new DeltaError('INVALID_ARGUMENT', 'upsertBatch needs at least one key column, e.g. { keys: ["order_id"] }.');
  const engine = batch.session.engine;
  const schema = await batch.schema();
  for (const k of options.keys) {
    if (!schema.fields.some((f) => f.name === k)) throw new DeltaError('COLUMN_NOT_FOUND', `The key column ${k} is not in the batch; its columns are ${schema.fields.map((f) => f.name).join(', ')}.`);
  }
  const arrow = deltaToArrowSchema(schema);
  const parts: RecordBatch[] = [];
  for await (const b of batch.batches(options.signal ? { signal: options.signal } : {})) parts.push(b);
  const all = concatBatches(arrow, parts);
  const rows = lastPerKey(all, schema, options.keys);
  const app = { appId: options.appId, version: BigInt(batchId) };
  const signal = options.signal ? { signal: options.signal } : {};
  const target = DeltaTable.forPath(options.path, { engine, sessionTimeZone: batch.session.timeZone });
  // Checked on the same handle the MERGE uses: it keeps the loaded state and only refreshes it.
  if (!(await exists(target))) {
    if (rows.numRows === 0) return { version: -1, skipped: true, numSourceRows: 0, numTargetRowsInserted: 0, numTargetRowsUpdated: 0 };
    const w = await target.write([rows], { mode: 'append', appTransaction: app, ...signal });
    return { version: w.version, skipped: w.skipped, numSourceRows: all.numRows, numTargetRowsInserted: w.skipped ? 0 : rows.numRows, numTargetRowsUpdated: 0 };
  }
  const on = options.keys.map((k) => `t.\`${k}\` = s.\`${k}\``).join(' AND ');
  const m = await target
    .merge([rows], on, { sourceAlias: 's', targetAlias: 't', appTransaction: app })
    .whenMatchedUpdateAll()
    .whenNotMatchedInsertAll()
    .withSchemaEvolution()
    .execute(signal);
  return { version: m.version, skipped: m.skipped, numSourceRows: all.numRows, numTargetRowsInserted: Number(m.numTargetRowsInserted), numTargetRowsUpdated: Number(m.numTargetRowsUpdated) };
}

/** The rows whose key does not occur again later in the batch, in arrival order. */
function lastPerKey(all: RecordBatch, schema: Awaited<ReturnType<DataFrame['schema']>>, keys: readonly string[]): RecordBatch {
  const vecs = keys.map((k) => compileExpression(bindExpression({ kind: 'column', path: [k] }, schema)).evaluate(all));
  const last = new Map<string, number>();
  for (let r = 0; r < all.numRows; r++) {
    let key = '';
    for (const v of vecs) {
      const x = v.get(r);
      key += (typeof x === 'bigint' ? `${x}n` : JSON.stringify(x, (_k, y) => (typeof y === 'bigint' ? `${y}n` : y))) + '\u0000';
    }
    last.set(key, r);
  }
  if (last.size === all.numRows) return all;
  const keep = Int32Array.from([...last.values()].sort((a, b) => a - b));
  return takeRows(all, keep);
}

async function exists(table: CoreTable): Promise<boolean> {
  try {
    await table.snapshot();
    return true;
  } catch (e) {
    if (isDeltaError(e, 'TABLE_NOT_FOUND')) return false;
    throw e;
  }
}
