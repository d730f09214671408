import { DeltaTable } from '@deltakit/core';
import type * as arrow from 'apache-arrow';
import { choiceOption, integerOption, snapshotSelection, stringOption, tableArg, usageError, type ParsedArgs } from '../args.js';
import { createRowFormatter, ROW_FORMATS, type RowFormat } from '../format/rows.js';
import type { Command, CommandContext } from './command.js';

/** Rows encoded per write, so one huge batch never becomes one huge string. */
const ROWS_PER_WRITE = 4096;

export const catCommand: Command = {
  name: 'cat',
  summary: 'Print the rows of a table (JSON lines, CSV or an aligned table)',
  help: `Usage: deltakit cat <table> [options]

Print the rows of a Delta table, streamed batch by batch.

Options:
  --version N              Read the table as of version N (default: latest)
  --timestamp ISO          Read the latest version committed at or before this time
  --columns a,b            Only these columns (in table schema order)
  --where PREDICATE        Only rows matching the predicate, e.g. "id > 10 AND name = 'x'"
  --limit N                At most N rows
  --format jsonl|csv|table Output format (default: table on a terminal, jsonl otherwise)
  --session-time-zone TZ   Time zone for legacy timestamp partition values (default: UTC)
  -h, --help               Show this help

JSON values: longs are exact integers, decimals strings with exact digits, binary base64,
dates YYYY-MM-DD, timestamps YYYY-MM-DDTHH:MM:SS.ffffff[Z] (Z when zoned, always UTC).
`,
  options: {
    version: { type: 'string' },
    timestamp: { type: 'string' },
    columns: { type: 'string' },
    where: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
    'session-time-zone': { type: 'string' },
  },
  run: runCat,
};

async function runCat(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const { values } = args;
  const path = tableArg('cat', args.positionals);
  const selection = snapshotSelection('cat', values);
  const limit = integerOption('cat', values, 'limit');
  const format = choiceOption<RowFormat>('cat', values, 'format', ROW_FORMATS, ctx.stdoutIsTTY ? 'table' : 'jsonl');
  const columns = columnList(stringOption(values, 'columns'));
  const where = stringOption(values, 'where');
  const sessionTimeZone = stringOption(values, 'session-time-zone');
  if (sessionTimeZone !== undefined && !isTimeZone(sessionTimeZone)) {
    throw usageError('cat', `--session-time-zone '${sessionTimeZone}' is not a time zone; use an IANA name such as UTC or America/Los_Angeles`);
  }

  const table = DeltaTable.forPath(path, sessionTimeZone === undefined ? {} : { sessionTimeZone });
  try {
    await writeRows(table, { selection, columns, where, limit, format }, ctx);
  } finally {
    await table.close();
  }
}

interface CatRequest {
  selection: { version?: number; timestamp?: string };
  columns: string[] | undefined;
  where: string | undefined;
  limit: number | undefined;
  format: RowFormat;
}

async function writeRows(table: DeltaTable, request: CatRequest, ctx: CommandContext): Promise<void> {
  const { selection, columns, where, limit, format } = request;
  const snapshot = await table.snapshot({ ...selection, signal: ctx.signal });
  const scan = snapshot.scan({
    ...(columns === undefined ? {} : { columns }),
    ...(where === undefined ? {} : { filter: where }),
    ...(limit === undefined ? {} : { limit }),
    signal: ctx.signal,
  });

  const formatter = createRowFormatter(format);
  let remaining = limit ?? Number.POSITIVE_INFINITY;
  if (remaining > 0) {
    for await (const batch of scan.batches()) {
      const rows = Math.min(batch.numRows, remaining);
      for (let start = 0; start < rows && !ctx.out.closed; start += ROWS_PER_WRITE) {
        await ctx.out.write(formatter.rows(batch, start, Math.min(rows, start + ROWS_PER_WRITE)));
      }
      remaining -= rows;
      if (remaining <= 0 || ctx.out.closed) break;
    }
  }
  await ctx.out.write(formatter.finish(projectedSchema(snapshot.arrowSchema, columns)));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `a, b ,c` → `['a', 'b', 'c']`; undefined when the option is absent. */
function columnList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** The output columns when no batch arrived (for the CSV and table headers). */
function projectedSchema(schema: arrow.Schema, columns: string[] | undefined): arrow.Schema {
  if (columns === undefined) return schema;
  const wanted = new Set(columns.map((c) => c.toLowerCase()));
  return schema.select(schema.fields.filter((f) => wanted.has(f.name.toLowerCase())).map((f) => f.name));
}
