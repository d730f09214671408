import { DeltaTable } from '@deltakit/core';
import { snapshotSelection, tableArg, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Bring the table back to an earlier version (one new commit)',
  help: `Usage: deltakit restore <table> (--version N | --timestamp ISO) [options]

Bring the table back to an earlier version, as Delta Spark's RESTORE does: one new commit that
removes the files added since and adds back the files removed since (with their deletion
vectors), and restores that version's schema and properties (the protocol is never downgraded).
History is kept: the versions in between stay readable by time travel. Fails, committing nothing,
when files of that version were deleted (by VACUUM), naming them.

Options:
  --version N        The version to restore
  --timestamp ISO    The latest version committed at or before this time (e.g. 2024-01-31T12:00:00Z)
  --force-retention  Allow a version older than the table's delta.deletedFileRetentionDuration
  -h, --help         Show this help

Prints one JSON object: table, restoredVersion, version (the RESTORE commit), and Spark's metrics
tableSizeAfterRestore, numOfFilesAfterRestore, numRemovedFiles, numRestoredFiles,
removedFilesSize, restoredFilesSize.
`,
  options: { version: { type: 'string' }, timestamp: { type: 'string' }, 'force-retention': { type: 'boolean' } },
  run: runRestore,
};

async function runRestore(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('restore', args.positionals);
  const selection = snapshotSelection('restore', args.values);
  const target = selection.version !== undefined ? { version: selection.version } : selection.timestamp !== undefined ? { timestamp: selection.timestamp } : undefined;
  if (target === undefined) throw usageError('restore', 'Say which version to restore with --version N or --timestamp ISO');
  const table = DeltaTable.forPath(path);
  try {
    const metrics = await table.restore(target, { signal: ctx.signal, enforceRetention: args.values['force-retention'] !== true });
    await ctx.out.write(`${toJsonText({ table: path, ...metrics }, 2)}\n`);
  } finally {
    await table.close();
  }
}
