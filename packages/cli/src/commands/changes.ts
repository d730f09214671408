import { tableChanges, type TableChangesOptions } from '@deltakit/cdf';
import { DeltaTable, isDeltaError } from '@deltakit/core';
import { choiceOption, stringOption, tableArg, usageError, type ParsedArgs } from '../args.js';
import { createRowFormatter, ROW_FORMATS, type RowFormat } from '../format/rows.js';
import type { Command, CommandContext } from './command.js';

/** Rows encoded per write, so one huge batch never becomes one huge string. */
const ROWS_PER_WRITE = 4096;

export const changesCommand: Command = {
  name: 'changes',
  summary: 'Print the change data feed of a table between two versions or times',
  help: `Usage: deltakit changes <table> --from <version|timestamp> [options]

Print the rows a Delta table's commits inserted, deleted and updated (its change data feed;
the table needs delta.enableChangeDataFeed=true over the range), streamed commit by commit.
Each row has the table's columns (as of the end of the range) plus _change_type (insert,
delete, update_preimage, update_postimage), _commit_version and _commit_timestamp.

Options:
  --from V|TIME             First version, or the first version committed at or after TIME
  --to V|TIME               Last version, or the last version committed at or before TIME
                            (default: the latest version)
  --format jsonl|csv|table  Output format (default: table on a terminal, jsonl otherwise)
  -h, --help                Show this help

A value of digits only is a version; anything else is an ISO 8601 timestamp, such as
2024-01-31T12:00:00Z (UTC when no zone is given).

JSON values: longs are exact integers, decimals strings with exact digits, binary base64,
dates YYYY-MM-DD, timestamps YYYY-MM-DDTHH:MM:SS.ffffff[Z] (Z when zoned, always UTC).
`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string' },
  },
  run: runChanges,
};

async function runChanges(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('changes', args.positionals);
  const from = stringOption(args.values, 'from');
  if (from === undefined) throw usageError('changes', 'Missing --from: give the first version (e.g. --from 0) or a timestamp');
  const to = stringOption(args.values, 'to');
  const format = choiceOption<RowFormat>('changes', args.values, 'format', ROW_FORMATS, ctx.stdoutIsTTY ? 'table' : 'jsonl');
  const options: TableChangesOptions = {
    ...bound('from', from, 'startingVersion', 'startingTimestamp'),
    ...(to === undefined ? {} : bound('to', to, 'endingVersion', 'endingTimestamp')),
    signal: ctx.signal,
  };

  const table = DeltaTable.forPath(path);
  try {
    const changes = createChanges(table, options, { from, to });
    const formatter = createRowFormatter(format);
    for await (const batch of changes) {
      for (let start = 0; start < batch.numRows && !ctx.out.closed; start += ROWS_PER_WRITE) {
        await ctx.out.write(formatter.rows(batch, start, Math.min(batch.numRows, start + ROWS_PER_WRITE)));
      }
      if (ctx.out.closed) break;
    }
    await ctx.out.write(formatter.finish(await changes.schema));
  } finally {
    await table.close();
  }
}

/** `--from`/`--to`: all digits is a version, anything else a timestamp. */
function bound<V extends string, T extends string>(option: string, raw: string, versionKey: V, timestampKey: T): Record<V, number> | Record<T, string> {
  if (!/^\d+$/.test(raw)) return { [timestampKey]: raw } as Record<T, string>;
  const version = Number(raw);
  if (!Number.isSafeInteger(version)) throw usageError('changes', `--${option} ${raw} is beyond the largest supported version (2^53 - 1)`);
  return { [versionKey]: version } as Record<V, number>;
}

/** The change feed; a timestamp the library cannot parse is a usage error naming the flag. */
function createChanges(table: DeltaTable, options: TableChangesOptions, raw: { from: string; to: string | undefined }) {
  try {
    return tableChanges(table, options);
  } catch (e) {
    if (!isDeltaError(e, 'INVALID_ARGUMENT')) throw e;
    const flag = 'startingTimestamp' in e.details ? 'from' : 'to';
    const value = flag === 'from' ? raw.from : raw.to;
    throw usageError('changes', `--${flag} '${String(value)}' is neither a version (digits) nor an ISO 8601 timestamp such as 2024-01-31T12:00:00Z`);
  }
}
