import { resolve } from 'node:path';
import { DeltaError } from '@deltakit/core';
import { readStream, streams, upsertBatch, type StreamingQuery, type StreamingQueryListener, type StreamingQueryProgress, type TriggerSpec } from '@deltakit/streaming';
import { choiceOption, commaListOption, integerOption, stringOption, tableArg, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

const FORMATS = ['json', 'csv', 'parquet', 'delta'] as const;
const EVOLUTION = ['addNewColumns', 'rescue', 'failOnNewColumns', 'none'] as const;
const PROGRESS = ['lines', 'jsonl', 'none'] as const;

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Stream files (Auto Loader) or a Delta table into a Delta table, exactly once',
  help: `Usage: deltakit ingest <source> <table> --checkpoint <dir> [options]

Streams new data from <source> into the Delta table <table> with micro-batches, as Spark's
Structured Streaming does with Auto Loader: every input row lands exactly once, also across
crashes and restarts (the checkpoint records what each batch read; each table commit records the
batch it came from). <source> is a folder of files (Auto Loader, format('cloudFiles')) or, with
--format delta, a Delta table.

Options:
  --checkpoint DIR              Where progress is kept (required; reuse it to resume)
  --format json|csv|parquet|delta
                                The source's format (default json: JSON lines)
  --trigger availableNow|once|INTERVAL
                                availableNow: everything there now, then stop; once: one batch;
                                an interval ('500ms', '2s', '10 seconds'): a batch every interval.
                                Without it, runs until stopped, a batch as soon as data arrives
  --schema-evolution addNewColumns|rescue|failOnNewColumns|none
                                What new columns do (default addNewColumns: the run stops naming
                                them after recording them, and the same command run again
                                continues with them)
  --schema-hints "a INT, b DATE" Types for some columns (Auto Loader's cloudFiles.schemaHints)
  --infer-column-types          Infer JSON/CSV column types (default: every column a string)
  --schema-location DIR         Where the inferred schema is kept (default: the checkpoint)
  --max-files-per-trigger N     At most N files per batch (default 1000)
  --partition-by a,b            Partition a new table by these columns
  --merge-key k1,k2             Upsert by these keys with an idempotent MERGE instead of appending;
                                rows of one batch sharing a key are reduced to the last one
  --progress lines|jsonl|none   One line per batch (default on a terminal), Spark's progress
                                objects as JSON lines, or nothing
  -h, --help                    Show this help

SIGINT or SIGTERM stops after the batch in flight and exits 0. At the end one JSON object is
printed: table, checkpoint, queryId, batches, numInputRows, tableVersion.
`,
  options: {
    checkpoint: { type: 'string' },
    format: { type: 'string' },
    trigger: { type: 'string' },
    'schema-evolution': { type: 'string' },
    'schema-hints': { type: 'string' },
    'infer-column-types': { type: 'boolean' },
    'schema-location': { type: 'string' },
    'max-files-per-trigger': { type: 'string' },
    'partition-by': { type: 'string' },
    'merge-key': { type: 'string' },
    progress: { type: 'string' },
  },
  run: runIngest,
};

async function runIngest(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  if (args.positionals.length !== 2) throw usageError('ingest', `expected <source> <table>, got ${args.positionals.length} argument(s)`);
  const source = resolve(args.positionals[0]!);
  const table = resolve(tableArg('ingest', args.positionals.slice(1)));
  const checkpointArg = stringOption(args.values, 'checkpoint');
  if (checkpointArg === undefined) throw usageError('ingest', '--checkpoint <dir> is required: it records what was ingested so a restart resumes exactly once');
  const checkpoint = resolve(checkpointArg);
  const format = choiceOption('ingest', args.values, 'format', FORMATS, 'json');
  const evolution = choiceOption('ingest', args.values, 'schema-evolution', EVOLUTION, 'addNewColumns');
  const progressMode = choiceOption('ingest', args.values, 'progress', PROGRESS, ctx.stdoutIsTTY ? 'lines' : 'none');
  const maxFiles = integerOption('ingest', args.values, 'max-files-per-trigger');
  const partitionBy = commaListOption(args.values, 'partition-by') ?? [];
  const mergeKeys = commaListOption(args.values, 'merge-key');
  const trigger = parseTriggerArg(stringOption(args.values, 'trigger'));
  const schemaLocation = resolve(stringOption(args.values, 'schema-location') ?? checkpoint);

  let reader = readStream;
  if (format === 'delta') {
    reader = reader.format('delta');
    if (maxFiles !== undefined) reader = reader.option('maxFilesPerTrigger', maxFiles);
  } else {
    reader = reader
      .format('cloudFiles')
      .option('cloudFiles.format', format)
      .option('cloudFiles.schemaLocation', schemaLocation)
      .option('cloudFiles.schemaEvolutionMode', evolution)
      .option('cloudFiles.inferColumnTypes', args.values['infer-column-types'] === true);
    const hints = stringOption(args.values, 'schema-hints');
    if (hints !== undefined) reader = reader.option('cloudFiles.schemaHints', hints);
    if (maxFiles !== undefined) reader = reader.option('cloudFiles.maxFilesPerTrigger', maxFiles);
  }
  let writer = reader.load(source).writeStream.option('checkpointLocation', checkpoint);
  // Fault injection for the crash tests only (see the streaming engine's testDelayBeforeCommitLogMs).
  const delay = process.env.DELTAKIT_TESTING_DELAY_BEFORE_COMMIT_LOG_MS;
  if (delay !== undefined) writer = writer.option('deltakit.testing.delayBeforeCommitLogMs', delay);
  if (trigger !== undefined) writer = writer.trigger(trigger);
  let lastVersion: number | undefined;
  if (mergeKeys !== undefined && mergeKeys.length > 0) {
    let queryId = '';
    writer = writer.foreachBatch(async (df, batchId) => {
      const r = await upsertBatch(df, batchId, { path: table, keys: mergeKeys, appId: queryId });
      lastVersion = r.version;
      return r;
    });
    const query = await writer.start();
    queryId = query.id;
    await runQuery(query, { table, checkpoint, progressMode, ctx, version: () => lastVersion });
  } else {
    writer = writer.format('delta').option('mergeSchema', 'true');
    if (partitionBy.length > 0) writer = writer.partitionBy(...partitionBy);
    const query = await writer.start(table);
    await runQuery(query, { table, checkpoint, progressMode, ctx, version: () => lastVersion });
  }
}

interface RunOptions {
  readonly table: string;
  readonly checkpoint: string;
  readonly progressMode: (typeof PROGRESS)[number];
  readonly ctx: CommandContext;
  readonly version: () => number | undefined;
}

/** Prints progress, stops after the batch in flight on SIGINT/SIGTERM, and prints the summary. */
async function runQuery(query: StreamingQuery, o: RunOptions): Promise<void> {
  let batches = 0;
  let rows = 0;
  let tableVersion: number | undefined;
  let printing = Promise.resolve();
  const listener: StreamingQueryListener = {
    onQueryProgress: ({ progress: p }) => {
      if (p.runId !== query.runId) return;
      batches++;
      rows += p.numInputRows;
      const v = p.sink.metrics.tableVersion;
      if (v !== undefined) tableVersion = Number(v);
      const text = o.progressMode === 'jsonl' ? JSON.stringify(p) : o.progressMode === 'lines' ? batchLine(p) : undefined;
      if (text !== undefined) printing = printing.then(() => o.ctx.out.write(`${text}\n`));
    },
  };
  streams.addListener(listener);
  const stop = () => void query.stop({ afterCurrentBatch: true });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const onAbort = () => void query.stop();
  o.ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await query.awaitTermination();
  } finally {
    streams.removeListener(listener);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    o.ctx.signal.removeEventListener('abort', onAbort);
    await printing;
  }
  const summary = { table: o.table, checkpoint: o.checkpoint, queryId: query.id, batches, numInputRows: rows, tableVersion: tableVersion ?? o.version() ?? null };
  await o.ctx.out.write(`${o.progressMode === 'jsonl' ? JSON.stringify(summary) : toJsonText(summary, 2)}\n`);
}

function batchLine(p: StreamingQueryProgress): string {
  const v = p.sink.metrics.tableVersion;
  return `batch ${p.batchId}: ${p.numInputRows} row${p.numInputRows === 1 ? '' : 's'} in ${p.batchDuration} ms${v === undefined ? '' : `, table version ${v}`}`;
}

/** `availableNow`, `once`, or an interval as Spark writes one or in short form. */
function parseTriggerArg(text: string | undefined): TriggerSpec | undefined {
  if (text === undefined) return undefined;
  if (text === 'availableNow' || text === 'available-now') return { availableNow: true };
  if (text === 'once') return { once: true };
  if (!/\d/.test(text)) throw new DeltaError('INVALID_ARGUMENT', `--trigger must be availableNow, once, or an interval such as '500ms', '2s' or '10 seconds', got '${text}'.`);
  return { processingTime: text };
}
