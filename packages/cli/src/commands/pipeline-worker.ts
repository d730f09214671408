/**
 * The streaming half of `deltakit pipeline`, run in a child process so the parent can kill it
 * hard: Auto Loader streams landing JSON files into the bronze table; a Delta stream of bronze
 * upserts into the silver table with an idempotent foreachBatch MERGE keyed by order id. A query
 * that stops on a schema change (new columns recorded by Auto Loader, or a changed bronze schema
 * under the silver stream) is started again, as a Databricks job with retries would.
 */
import { isDeltaError } from '@deltakit/core';
import { col, currentTimestamp, readStream, upsertBatch, type StreamingQuery, type TriggerSpec } from '@deltakit/streaming';

export interface PipelinePaths {
  readonly landing: string;
  readonly bronze: string;
  readonly silver: string;
  readonly checkpoints: string;
}

export const SCHEMA_HINTS = 'order_id BIGINT, amount DECIMAL(10,2), order_time TIMESTAMP';

function startBronze(p: PipelinePaths, trigger: TriggerSpec | undefined): Promise<StreamingQuery> {
  let w = readStream
    .format('cloudFiles')
    .option('cloudFiles.format', 'json')
    .option('cloudFiles.schemaLocation', `${p.checkpoints}/bronze`)
    .option('cloudFiles.inferColumnTypes', 'true')
    .option('cloudFiles.schemaHints', SCHEMA_HINTS)
    .option('cloudFiles.maxFilesPerTrigger', 2)
    .load(p.landing)
    .withColumn('ingested_at', currentTimestamp())
    .withColumn('source_file', col('_metadata.file_name'))
    .writeStream.format('delta')
    .queryName('bronze')
    .option('checkpointLocation', `${p.checkpoints}/bronze`)
    .option('mergeSchema', 'true');
  if (trigger) w = w.trigger(trigger);
  return w.start(p.bronze);
}

function startSilver(p: PipelinePaths, trigger: TriggerSpec | undefined): Promise<StreamingQuery> {
  let w = readStream
    .format('delta')
    .load(p.bronze)
    .filter('order_id IS NOT NULL')
    .drop('ingested_at', 'source_file', '_rescued_data')
    .writeStream.queryName('silver')
    .option('checkpointLocation', `${p.checkpoints}/silver`)
    .foreachBatch((df, batchId) => upsertBatch(df, batchId, { path: p.silver, keys: ['order_id'], appId: 'pipeline-silver' }));
  if (trigger) w = w.trigger(trigger);
  return w.start();
}

/**
 * Runs both queries until `signal` aborts (or, with availableNow, until both have caught up),
 * restarting a query that stopped on a schema change. `log` gets one line per event.
 */
export async function runPipelineWorker(p: PipelinePaths, options: { availableNow: boolean; signal: AbortSignal; log: (line: string) => void }): Promise<void> {
  const trigger: TriggerSpec | undefined = options.availableNow ? { availableNow: true } : undefined;
  const supervise = async (name: string, start: () => Promise<StreamingQuery>) => {
    for (let attempt = 0; ; attempt++) {
      let q: StreamingQuery;
      try {
        q = await start();
      } catch (e) {
        // The silver stream reads bronze, which the bronze query creates with its first batch.
        if (!isDeltaError(e, 'TABLE_NOT_FOUND') || options.signal.aborted || attempt > 200) throw e;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const stop = () => void q.stop({ afterCurrentBatch: true });
      options.signal.addEventListener('abort', stop, { once: true });
      try {
        await q.awaitTermination();
        return;
      } catch (e) {
        const cause = (e as { cause?: unknown }).cause;
        if (!isDeltaError(cause, 'SCHEMA_CHANGED') || attempt > 10) throw e;
        options.log(`${name}: ${firstSentence((cause as Error).message)}; restarting the query`);
      } finally {
        options.signal.removeEventListener('abort', stop);
      }
      if (options.signal.aborted) return;
    }
  };
  if (options.availableNow) {
    // Bronze first, so the silver run sees everything bronze took in.
    await supervise('bronze', () => startBronze(p, trigger));
    await supervise('silver', () => startSilver(p, trigger));
    return;
  }
  await Promise.all([supervise('bronze', () => startBronze(p, trigger)), supervise('silver', () => startSilver(p, trigger))]);
}

function firstSentence(text: string): string {
  const m = /^[^.\n]*/.exec(text.replace(/^Query \S+ failed in batch \d+: /, ''));
  return (m ? m[0] : text).replace(/:\s*$/, '');
}
