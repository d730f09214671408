import { DeltaTable } from '@deltakit/core';
import { tableArg, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

export const vacuumCommand: Command = {
  name: 'vacuum',
  summary: 'Delete files no version inside the retention window needs',
  help: `Usage: deltakit vacuum <table> [options]

Delete the files under the table directory that no version inside the retention window uses:
removed data files, deletion-vector files and change-data files whose removal is older than the
retention, files never committed that are older than it, and empty directories. Versions inside
the window stay readable (time travel); older ones no longer are. Records VACUUM START and
VACUUM END commits, as Delta Spark does. Never touches _delta_log, hidden files, or anything
outside the table directory, and never follows symbolic links.

Options:
  --retain-hours N   Keep what versions of the last N hours need (default: the table's
                     delta.deletedFileRetentionDuration, 7 days unless set)
  --dry-run          Only list what would be deleted; delete and commit nothing
  --lite             Find candidates from the log only (commits since the last VACUUM) instead
                     of listing the directory; faster on large tables, but misses files the log
                     never named and leaves empty directories
  --force-retention  Allow --retain-hours below the table's retention (unsafe when other jobs
                     read old versions or are writing; Spark's retentionDurationCheck=false)
  -h, --help         Show this help

Prints one JSON object: table, mode, dryRun, tableVersion, paths (deleted, or to delete with
--dry-run), numFilesToDelete, sizeOfDataToDelete, numDeletedFiles, numVacuumedDirectories,
retentionMillis, defaultRetentionMillis, minRetainedTimestamp, startVersion, endVersion, failed.
`,
  options: { 'retain-hours': { type: 'string' }, 'dry-run': { type: 'boolean' }, lite: { type: 'boolean' }, 'force-retention': { type: 'boolean' } },
  run: runVacuum,
};

async function runVacuum(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('vacuum', args.positionals);
  const raw = args.values['retain-hours'];
  let retentionHours: number | undefined;
  if (typeof raw === 'string') {
    retentionHours = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(retentionHours) || retentionHours < 0) throw usageError('vacuum', `--retain-hours must be a non-negative number of hours, got '${raw}'`);
  }
  const table = DeltaTable.forPath(path);
  try {
    const result = await table.vacuum({
      ...(retentionHours === undefined ? {} : { retentionHours }),
      dryRun: args.values['dry-run'] === true,
      mode: args.values.lite === true ? 'lite' : 'full',
      enforceRetention: args.values['force-retention'] !== true,
      signal: ctx.signal,
    });
    await ctx.out.write(`${toJsonText({ table: path, ...result }, 2)}\n`);
  } finally {
    await table.close();
  }
}
