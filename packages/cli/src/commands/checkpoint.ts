import { DeltaTable } from '@deltakit/core';
import { choiceOption, tableArg, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

export const checkpointCommand: Command = {
  name: 'checkpoint',
  summary: 'Write a checkpoint of the latest version (faster loading for readers)',
  help: `Usage: deltakit checkpoint <table> [options]

Write a checkpoint of the table's latest version and point _delta_log/_last_checkpoint at it,
so readers load the table state without replaying every commit. The data is not changed.

Options:
  --format json|text  Output format (default: text on a terminal, json otherwise)
  -h, --help          Show this help

JSON fields: table, version (the checkpointed version).
`,
  options: { format: { type: 'string' } },
  run: runCheckpoint,
};

async function runCheckpoint(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('checkpoint', args.positionals);
  const format = choiceOption('checkpoint', args.values, 'format', ['json', 'text'] as const, ctx.stdoutIsTTY ? 'text' : 'json');
  const table = DeltaTable.forPath(path);
  try {
    const { version } = await table.checkpoint({ signal: ctx.signal });
    await ctx.out.write(format === 'json' ? `${toJsonText({ table: path, version }, 2)}\n` : `Wrote a checkpoint of ${path} at version ${version}\n`);
  } finally {
    await table.close();
  }
}
