import { DeltaTable, type FileInfo } from '@deltakit/core';
import { choiceOption, integerOption, stringOption, tableArg, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { Command, CommandContext } from './command.js';

/** Files encoded per write, so a table with many files streams out in pieces. */
const FILES_PER_WRITE = 1000;

export const filesCommand: Command = {
  name: 'files',
  summary: 'List the live data files of a snapshot (after pruning with --where)',
  help: `Usage: deltakit files <table> [options]

List the live data files of a Delta table snapshot as a JSON array: path (as in the log),
size, modificationTime, partitionValues, numRecords, deletionVectorCardinality and stats.

Options:
  --version N        List files of version N (default: latest)
  --where PREDICATE  Only files that may hold matching rows (partition and statistics pruning)
  --format json      Output format (default: json)
  -h, --help         Show this help
`,
  options: { version: { type: 'string' }, where: { type: 'string' }, format: { type: 'string' } },
  run: runFiles,
};

async function runFiles(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('files', args.positionals);
  const version = integerOption('files', args.values, 'version');
  choiceOption('files', args.values, 'format', ['json'] as const, 'json');
  const where = stringOption(args.values, 'where');
  const table = DeltaTable.forPath(path);
  let files: FileInfo[];
  try {
    const snapshot = await table.snapshot({ ...(version === undefined ? {} : { version }), signal: ctx.signal });
    files = where === undefined ? await snapshot.files() : await snapshot.scan({ filter: where, signal: ctx.signal }).files();
  } finally {
    await table.close();
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)); // stable output across runs

  if (files.length === 0) {
    await ctx.out.write('[]\n');
    return;
  }
  for (let start = 0; start < files.length && !ctx.out.closed; start += FILES_PER_WRITE) {
    const items = files.slice(start, start + FILES_PER_WRITE).map((f) =>
      toJsonText(
        {
          path: f.path,
          size: f.size,
          modificationTime: f.modificationTime,
          partitionValues: f.partitionValues,
          numRecords: f.numRecords ?? null,
          deletionVectorCardinality: f.deletionVector?.cardinality ?? null,
          stats: f.stats ?? null,
        },
        2,
      ).replaceAll('\n', '\n  '),
    );
    const head = start === 0 ? '[\n  ' : ',\n  ';
    const tail = start + FILES_PER_WRITE >= files.length ? '\n]\n' : '';
    await ctx.out.write(head + items.join(',\n  ') + tail);
  }
}
