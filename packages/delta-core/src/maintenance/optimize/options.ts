/**
 * OPTIMIZE options and the sizes they resolve to, with Delta Spark's defaults:
 * - `spark.databricks.delta.optimize.maxFileSize` (target of a bin) and `optimize.minFileSize`
 *   (files below it are candidates) are both 1 GiB;
 * - `delta.targetFileSize` is a Databricks table property (not read by open-source Delta Spark);
 *   deltakit honors it when set, as Databricks and delta-rs do, for both sizes;
 * - `optimize.maxDeletedRowsRatio` is 0.05 in Spark; deltakit's default is 0 so that every file
 *   with deleted rows is rewritten and its deletion vector purged.
 */
import { DeltaError } from '../../errors.js';
import type { Expr } from '../../expr/ast.js';
import type { Metadata } from '../../log/actions.js';

/** Spark's `optimize.maxFileSize` and `optimize.minFileSize`: 1 GiB. */
export const DEFAULT_OPTIMIZE_FILE_SIZE = 1024 * 1024 * 1024;

/** Spark's `mdc.rangeId.max`: the number of ranges each Z-order column is cut into. */
export const DEFAULT_Z_ORDER_RANGES = 1000;

export interface OptimizeProgress {
  /** `planning` (listing candidates), `rewriting` (reading and writing bins), `committing`, `done`. */
  readonly phase: 'planning' | 'rewriting' | 'committing' | 'done';
  readonly binsTotal: number;
  readonly binsDone: number;
  /** Input files of every bin, and of the bins finished so far. */
  readonly filesTotal: number;
  readonly filesDone: number;
  /** Input bytes (file sizes from the log) of every bin, and of the bins finished so far. */
  readonly bytesTotal: number;
  readonly bytesDone: number;
}

export interface OptimizeOptions {
  /**
   * Restricts OPTIMIZE to the partitions matching this predicate, which may reference partition
   * columns only (SQL text or an expression tree). Referencing another column is INVALID_ARGUMENT.
   */
  readonly where?: string | Expr;
  /**
   * Z-order the files of each partition by these data columns (nested fields as `a.b`; a name
   * containing dots in backticks). Every file of each selected partition is rewritten.
   */
  readonly zOrderBy?: readonly string[];
  /**
   * Bytes per output file (the maximum size of a bin of files compacted into one file), and the
   * size below which a file is a candidate. Default `delta.targetFileSize`, else 1 GiB.
   */
  readonly targetFileSize?: number;
  /** Files below this size are candidates; default `targetFileSize`. */
  readonly minFileSize?: number;
  /**
   * A file whose deleted rows exceed this fraction of its rows is a candidate whatever its size
   * (its deletion vector is purged). Default 0: any deleted row. Spark's default is 0.05.
   */
  readonly maxDeletedRowsRatio?: number;
  readonly signal?: AbortSignal;
  /** Called as bins are planned, rewritten and committed. */
  onProgress?(progress: OptimizeProgress): void;
}

/** The sizes one OPTIMIZE run works with. */
export interface OptimizeSizes {
  readonly targetFileSize: number;
  readonly minFileSize: number;
  readonly maxDeletedRowsRatio: number;
}

/** Resolves and validates the sizes of `options` against the table's properties. */
export function resolveSizes(options: Pick<OptimizeOptions, 'targetFileSize' | 'minFileSize' | 'maxDeletedRowsRatio'>, metadata: Metadata): OptimizeSizes {
  const prop = metadata.configuration['delta.targetFileSize'];
  const fromTable = prop === undefined ? undefined : parseByteSize(prop, 'Table property delta.targetFileSize');
  const targetFileSize = positiveSize(options.targetFileSize, 'targetFileSize') ?? fromTable ?? DEFAULT_OPTIMIZE_FILE_SIZE;
  const minFileSize = positiveSize(options.minFileSize, 'minFileSize') ?? targetFileSize;
  const ratio = options.maxDeletedRowsRatio ?? 0;
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
    throw new DeltaError('INVALID_ARGUMENT', `maxDeletedRowsRatio must be a number from 0 to 1, got ${String(ratio)}. It is the fraction of deleted rows above which a file is rewritten.`);
  }
  return { targetFileSize, minFileSize, maxDeletedRowsRatio: ratio };
}

function positiveSize(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new DeltaError('INVALID_ARGUMENT', `${name} must be a positive integer number of bytes, got ${String(v)}. Pass e.g. 268435456 for 256 MiB.`, { details: { [name]: v } });
  }
  return v;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/**
 * A byte size as Spark's byte-size configs write them: a whole number with an optional unit
 * `b`, `k`/`kb`, `m`/`mb`, `g`/`gb`, `t`/`tb` (case-insensitive, powers of 1024), e.g. `256MB`.
 * `what` names the setting in the error.
 */
export function parseByteSize(text: string, what = 'Size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new DeltaError('INVALID_ARGUMENT', `${what} "${text}" is not a byte size. Use a positive number of bytes with an optional unit KB, MB, GB or TB (powers of 1024), e.g. 256MB.`, {
      details: { value: text },
    });
  }
  return bytes;
}
