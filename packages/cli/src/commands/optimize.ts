import { DeltaTable, parseByteSize, type OptimizeProgress } from '@deltakit/core';
import { stringOption, tableArg, usageError, type ParsedArgs } from '../args.js';
import { toJsonText } from '../format/json-text.js';
import type { ProgressStream } from '../progress.js';
import type { Command, CommandContext } from './command.js';

export const optimizeCommand: Command = {
  name: 'optimize',
  summary: 'Compact small files, or Z-order them by columns (OPTIMIZE)',
  help: `Usage: deltakit optimize <table> [options]

Rewrite the table's small files (and files with deleted rows) into files of about the target
size, partition by partition, as Delta's OPTIMIZE: one commit that changes no data, so concurrent
appends keep working. With --zorder-by, every file of each selected partition is rewritten with
its rows ordered along a Z-order curve of the columns, so filters on any of them skip files.
Nothing to do commits nothing.

Options:
  --where <predicate>   Only partitions matching this predicate on partition columns
                        (e.g. "day >= '2024-01-01'")
  --zorder-by <a,b,...> Z-order by these data columns (nested fields as a.b)
  --target-size <size>  Target file size in bytes, or with KB, MB, GB (powers of 1024), e.g.
                        256MB (default: the table's delta.targetFileSize, else 1GB)
  -h, --help            Show this help

Prints Delta Spark's OPTIMIZE metrics as one JSON object: numFilesAdded, numFilesRemoved,
filesAdded and filesRemoved ({min, max, avg, totalFiles, totalSize}), partitionsOptimized,
zOrderStats, numBins, numBatches, totalConsideredFiles, totalFilesSkipped, ..., and version
(the commit, null when nothing was rewritten). On a terminal, progress is shown on stderr.
`,
  options: { where: { type: 'string' }, 'zorder-by': { type: 'string' }, 'target-size': { type: 'string' } },
  run: runOptimize,
};

async function runOptimize(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const path = tableArg('optimize', args.positionals);
  const where = stringOption(args.values, 'where');
  const zorder = stringOption(args.values, 'zorder-by');
  const size = stringOption(args.values, 'target-size');
  const zOrderBy = zorder === undefined ? undefined : splitColumns(zorder);
  if (zOrderBy !== undefined && zOrderBy.length === 0) throw usageError('optimize', '--zorder-by needs at least one column name');
  if (where !== undefined && where.trim() === '') throw usageError('optimize', '--where needs a predicate');
  const targetFileSize = size === undefined ? undefined : parseByteSize(size, '--target-size');
  const progress = createOptimizeProgress();
  const table = DeltaTable.forPath(path);
  try {
    const metrics = await table.optimize({
      signal: ctx.signal,
      ...(where === undefined ? {} : { where }),
      ...(zOrderBy === undefined ? {} : { zOrderBy }),
      ...(targetFileSize === undefined ? {} : { targetFileSize }),
      ...(progress ? { onProgress: (p: OptimizeProgress) => progress.update(p) } : {}),
    });
    progress?.finish();
    await ctx.out.write(`${toJsonText(metrics, 2)}\n`);
  } finally {
    progress?.finish();
    await table.close();
  }
}

/** Column names separated by commas, outside backticks (`` `a,b` `` is one name). */
export function splitColumns(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '`') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out.filter((c) => c !== '');
}

/**
 * A one-line display of OPTIMIZE's progress on a terminal's stderr (bins and bytes rewritten),
 * redrawn at most four times a second after the first half second, erased when done.
 */
export class OptimizeProgressLine {
  readonly #stream: ProgressStream;
  readonly #started: number;
  readonly #now: () => number;
  #last = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(stream: ProgressStream, now: () => number = Date.now) {
    this.#stream = stream;
    this.#now = now;
    this.#started = now();
  }

  update(p: OptimizeProgress): void {
    const t = this.#now();
    if (t - this.#started < 500 || t - this.#last < 250) return;
    this.#last = t;
    this.#drawn = true;
    this.#stream.write(`\r${optimizeProgressText(p, t - this.#started).slice(0, (this.#stream.columns || 80) - 1)}\x1b[K`);
  }

  finish(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}

/** The progress line's text, e.g. `optimize  rewriting  3/12 bins  40%  120.0 MB  0:07`. */
export function optimizeProgressText(p: OptimizeProgress, elapsedMs: number): string {
  const percent = p.bytesTotal > 0 ? `${Math.floor((100 * p.bytesDone) / p.bytesTotal)}%` : '';
  const s = Math.floor(elapsedMs / 1000);
  return `optimize  ${p.phase}  ${p.binsDone}/${p.binsTotal} bins  ${percent}  ${(p.bytesDone / 1048576).toFixed(1)} MB  ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function createOptimizeProgress(stream: ProgressStream = process.stderr): OptimizeProgressLine | undefined {
  return stream.isTTY === true ? new OptimizeProgressLine(stream) : undefined;
}
