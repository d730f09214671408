import { DeltaTable, type CommitInfo } from '@deltakit/core';
import { choiceOption, integerOption, tableArg, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

export const historyCommand: Command = {
  name: 'history',
  summary: 'List the commits of a table, newest first',
  help: `Usage: deltakit history <table> [options]

List a Delta table's commits, newest first: one entry per version with its timestamp (ms since
the epoch: the in-commit timestamp when enabled, else the commit file's time, as Delta defines
it), operation, operation parameters and the rest of the commit info (whose own timestamp
field, the writer's clock, appears as commitInfoTimestamp).

Options:
  --limit N           Only the N newest commits
  --format json|text  Output format (default: text on a terminal, json otherwise)
  -h, --help          Show this help
`,
  options: { limit: { type: 'string' }, format: { type: 'string' } },
  run: runHistory,
};

async function runHistory(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('history', args.positionals);
  const limit = integerOption('history', args.values, 'limit');
  const format = choiceOption('history', args.values, 'format', ['json', 'text'] as const, ctx.stdoutIsTTY ? 'text' : 'json');
  const table = DeltaTable.forPath(path);
  let entries;
  try {
    entries = await table.history({ ...(limit === undefined ? {} : { limit }), signal: ctx.signal });
  } finally {
    await table.close();
  }
  const rows = entries.map(({ version, timestamp, commitInfo }) => {
    const { operation, operationParameters, timestamp: commitInfoTimestamp, ...rest }: CommitInfo = commitInfo ?? {};
    return { version, timestamp, operation: operation ?? null, operationParameters: operationParameters ?? {}, commitInfoTimestamp, ...rest };
  });
  if (format === 'json') {
    await ctx.out.write(`${toJsonText(rows, 2)}\n`);
    return;
  }
  for (const row of rows) {
    const params = toJsonText(row.operationParameters);
    const when = Number.isFinite(row.timestamp) ? new Date(row.timestamp).toISOString() : String(row.timestamp);
    await ctx.out.write(`${String(row.version).padStart(6)}  ${when}  ${String(row.operation ?? '-')}${params === '{}' ? '' : `  ${params}`}\n`);
  }
}
