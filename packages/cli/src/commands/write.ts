import { resolve } from 'node:path';
import { DeltaError, DeltaTable, isDeltaError, LocalFileSystemStore, type Snapshot, type StructType, type WriteMode, type WriteOptions, type WriteResult } from '@deltakit/core';
import { choiceOption, commaListOption, stringOption, tableArg, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import { INPUT_FORMATS, mergeIntoTable, openInput, type InputFormat, type InputSource } from '@deltakit/core/internal';
import { createWriteProgress } from '../progress.js';
import type { Command, CommandContext } from './command.js';
import { propertiesOption } from './create.js';

const CLI_MODES = ['append', 'overwrite', 'error', 'ignore'] as const;
type CliMode = (typeof CLI_MODES)[number];
const CORE_MODE: Record<CliMode, WriteMode> = { append: 'append', overwrite: 'overwrite', error: 'errorIfExists', ignore: 'ignore' };

export const writeCommand: Command = {
  name: 'write',
  summary: 'Write rows from a JSON lines, CSV or parquet file (creating the table if needed)',
  help: `Usage: deltakit write <table> --input FILE [options]

Write the rows of FILE to a Delta table in one atomic commit, streamed in batches. A missing
table is created from the input's schema (every column nullable); use 'deltakit create' first for
NOT NULL columns, exact types or properties.

Options:
  --input FILE                  The rows: .jsonl/.ndjson (one JSON object per line), .csv (with a
                                header line) or .parquet
  --input-format jsonl|csv|parquet  The input's format when its extension does not tell
  --mode append|overwrite|error|ignore
                                When the table exists: add the rows, replace the data, fail
                                (default, as Spark), or do nothing
  --replace-where PREDICATE     With --mode overwrite: replace only the rows matching the
                                predicate (every input row must match it), e.g. "date = '2024-01-31'"
  --partition-by a,b            Partition a new table by these columns
  --partition-overwrite dynamic With --mode overwrite: replace only the partitions in the input
  --merge-schema                Add input columns the table lacks (existing rows read them as null)
  --overwrite-schema            With --mode overwrite: replace the schema and partitioning too
  --property KEY=VALUE          Set a table property with this write (repeatable)
  --format json|text            Summary format (default: text on a terminal, json otherwise)
  -h, --help                    Show this help

Input values: JSON numbers and CSV text are converted exactly to the column types (longs beyond
2^53, decimals with their digits); dates are YYYY-MM-DD; timestamps ISO 8601 (zone-less text is
UTC; timestamp_ntz takes wall-clock text without a zone); binary is base64; nested CSV values are
JSON text. Without a table, types are inferred from the whole input: integers → long, other
numbers → double, true/false → boolean, text → string, objects → struct, arrays → array.
A bad line fails the write naming the file and line; nothing is committed then.

A progress line is shown on stderr when it is a terminal. JSON summary fields: table, version,
created, skipped, numFiles, numOutputRows, numOutputBytes.
`,
  options: {
    input: { type: 'string' },
    'input-format': { type: 'string' },
    mode: { type: 'string' },
    'replace-where': { type: 'string' },
    'partition-by': { type: 'string' },
    'partition-overwrite': { type: 'string' },
    'merge-schema': { type: 'boolean' },
    'overwrite-schema': { type: 'boolean' },
    property: { type: 'string', multiple: true },
    format: { type: 'string' },
  },
  run: runWrite,
};

interface WriteRequest {
  mode: CliMode;
  replaceWhere: string | undefined;
  partitionBy: string[] | undefined;
  dynamic: boolean;
  mergeSchema: boolean;
  overwriteSchema: boolean;
  properties: Record<string, string>;
}

async function runWrite(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const { values } = args;
  const path = tableArg('write', args.positionals);
  const format = choiceOption('write', values, 'format', ['json', 'text'] as const, ctx.stdoutIsTTY ? 'text' : 'json');
  const inputArg = stringOption(values, 'input');
  if (inputArg === undefined) throw usageError('write', 'Missing --input FILE (a .jsonl, .csv or .parquet file)');
  const inputFormat = values['input-format'] === undefined ? undefined : choiceOption<InputFormat>('write', values, 'input-format', INPUT_FORMATS, 'jsonl');
  const request = writeRequest(values);

  const store = new LocalFileSystemStore();
  const inputPath = resolve(inputArg);
  await requireFile(store, inputPath);
  const input = openInput(store, inputPath, inputFormat);
  const table = DeltaTable.forPath(path);
  try {
    const { result, created } = await writeInput(table, input, request, ctx);
    const summary = { table: path, version: result.version, created, skipped: result.skipped, numFiles: result.numFiles, numOutputRows: result.numOutputRows, numOutputBytes: result.numOutputBytes };
    await ctx.out.write(format === 'json' ? `${toJsonText(summary, 2)}\n` : summaryText(path, result, created));
  } finally {
    await input.close();
    await table.close();
  }
}

function writeRequest(values: ParsedArgs['values']): WriteRequest {
  const mode = choiceOption('write', values, 'mode', CLI_MODES, 'error');
  const replaceWhere = stringOption(values, 'replace-where');
  const overwrite = values['partition-overwrite'] === undefined ? undefined : choiceOption('write', values, 'partition-overwrite', ['static', 'dynamic'] as const, 'static');
  const request: WriteRequest = {
    mode,
    replaceWhere,
    partitionBy: commaListOption(values, 'partition-by'),
    dynamic: overwrite === 'dynamic',
    mergeSchema: values['merge-schema'] === true,
    overwriteSchema: values['overwrite-schema'] === true,
    properties: propertiesOption('write', values),
  };
  if (mode !== 'overwrite') {
    if (replaceWhere !== undefined) throw usageError('write', '--replace-where only applies with --mode overwrite');
    if (request.overwriteSchema) throw usageError('write', '--overwrite-schema only applies with --mode overwrite');
    if (overwrite !== undefined) throw usageError('write', '--partition-overwrite only applies with --mode overwrite');
  }
  if (request.dynamic && replaceWhere !== undefined) throw usageError('write', '--partition-overwrite dynamic and --replace-where choose the replaced rows in two ways; give only one');
  if (request.overwriteSchema && replaceWhere !== undefined) throw usageError('write', '--overwrite-schema replaces all data, so --replace-where cannot apply; give only one');
  return request;
}

async function writeInput(table: DeltaTable, input: InputSource, request: WriteRequest, ctx: CommandContext): Promise<{ result: WriteResult; created: boolean }> {
  const snapshot = await latestOrNull(table, ctx.signal);
  if (snapshot !== null && request.mode === 'error') {
    throw new DeltaError('TABLE_ALREADY_EXISTS', `A Delta table already exists at ${table.uri} (version ${snapshot.version}); nothing was written. Pass --mode append to add the rows, --mode overwrite to replace the data, or --mode ignore to skip.`, {
      details: { version: snapshot.version },
    });
  }
  if (snapshot !== null && request.mode === 'ignore') {
    return { result: { version: snapshot.version, skipped: true, numFiles: 0, numOutputRows: 0, numOutputBytes: 0 }, created: false };
  }
  const schema = await targetSchema(input, snapshot, request, ctx.signal);
  const progress = createWriteProgress(input.progress);
  const options: WriteOptions = {
    mode: CORE_MODE[request.mode],
    ...(request.replaceWhere === undefined ? {} : { replaceWhere: request.replaceWhere }),
    ...(request.partitionBy === undefined ? {} : { partitionBy: request.partitionBy }),
    ...(request.dynamic ? { partitionOverwriteMode: 'dynamic' as const } : {}),
    mergeSchema: request.mergeSchema,
    overwriteSchema: request.overwriteSchema,
    properties: request.properties,
    onProgress: (rows) => progress?.update(rows),
    signal: ctx.signal,
    engineInfo: 'deltakit-cli',
  };
  try {
    return { result: await table.write(input.batches(schema, ctx.signal), options), created: snapshot === null };
  } finally {
    progress?.finish();
  }
}

/**
 * The schema text input is converted to: the table's (plus the input's new columns with
 * --merge-schema), or the input's own when the table is new or its schema is being replaced.
 */
async function targetSchema(input: InputSource, snapshot: Snapshot | null, request: WriteRequest, signal: AbortSignal): Promise<StructType> {
  if (input.format === 'parquet') return snapshot?.schema ?? { kind: 'struct', fields: [] };
  if (snapshot === null || request.overwriteSchema) return input.schema(signal);
  if (request.mergeSchema) return mergeIntoTable(snapshot.schema, await input.schema(signal));
  return snapshot.schema;
}

async function requireFile(store: LocalFileSystemStore, path: string): Promise<void> {
  try {
    await store.head(path);
  } catch (e) {
    if (!isDeltaError(e, 'FILE_NOT_FOUND')) throw e;
    throw new DeltaError('FILE_NOT_FOUND', `The input file ${path} does not exist or is not a file. Check the --input path.`, { cause: e, details: { path } });
  }
}

async function latestOrNull(table: DeltaTable, signal: AbortSignal): Promise<Snapshot | null> {
  try {
    return await table.snapshot({ signal });
  } catch (e) {
    if (isDeltaError(e, 'TABLE_NOT_FOUND')) return null;
    throw e;
  }
}

function summaryText(path: string, r: WriteResult, created: boolean): string {
  if (r.skipped) return `A table already exists at ${path} (version ${r.version}); nothing was written (--mode ignore)\n`;
  const files = `${r.numFiles} file${r.numFiles === 1 ? '' : 's'}`;
  const rows = `${r.numOutputRows} row${r.numOutputRows === 1 ? '' : 's'}`;
  return `${created ? 'Created' : 'Wrote'} ${path} at version ${r.version}: ${rows} in ${files} (${r.numOutputBytes} bytes)\n`;
}
