import { DeltaTable } from '@deltakit/core';
import { choiceOption, integerOption, tableArg, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

export const checkpointCommand: Command = {
  name: 'checkpoint',
  summary: 'Write a checkpoint of the latest version (faster loading for readers)',
  help: `Usage: deltakit checkpoint <table> [options]

Write a checkpoint of the table's latest version and point _delta_log/_last_checkpoint at it,
so readers load the table state without replaying every commit. The data is not changed.

Options:
  --part-size <n>     Most file actions per checkpoint file: more make a multi-part
                      checkpoint (or more sidecars on tables with v2Checkpoint)
  --v2-format json|parquet|classic
                      Top-level file on tables with the v2Checkpoint feature (default json,
                      as Spark; classic writes one classic-named file without sidecars)
  --format json|text  Output format (default: text on a terminal, json otherwise)
  -h, --help          Show this help

JSON fields: table, version (the checkpointed version).
`,
  options: { format: { type: 'string' }, 'part-size': { type: 'string' }, 'v2-format': { type: 'string' } },
  run: runCheckpoint,
};

async function runCheckpoint(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('checkpoint', args.positionals);
  const format = choiceOption('checkpoint', args.values, 'format', ['json', 'text'] as const, ctx.stdoutIsTTY ? 'text' : 'json');
  const partSize = integerOption('checkpoint', args.values, 'part-size');
  if (partSize !== undefined && partSize < 1) throw usageError('checkpoint', `--part-size must be a positive integer, got ${partSize}`);
  const v2Format = choiceOption('checkpoint', args.values, 'v2-format', ['json', 'parquet', 'classic'] as const, 'json');
  const table = DeltaTable.forPath(path);
  try {
    const { version } = await table.checkpoint({ signal: ctx.signal, v2Format, ...(partSize === undefined ? {} : { partSize }) });
    await ctx.out.write(format === 'json' ? `${toJsonText({ table: path, version }, 2)}\n` : `Wrote a checkpoint of ${path} at version ${version}\n`);
  } finally {
    await table.close();
  }
}
