/**
 * Which files a condition touches, decided from the log alone (no data read):
 * - `skipped`: no row can match (partition values or statistics rule the file out);
 * - `whole`: every live row matches: the condition reads partition columns only and is true for
 *   the file's partition values, or statistics prove it (see {@link allRowsMatch});
 * - `scan`: the rest, whose rows must be read and evaluated.
 * Without a condition every file is `whole`.
 */
import type { AddFile, Expr, Snapshot } from '@deltakit/core';
import { not } from '@deltakit/core';
import { bindPredicate, compileFileFilter, parseStats, typedChildren, typedColumns, type FileFilter, type TypedExpr } from '@deltakit/core/internal';

export interface FilePlan {
  /** Files removed or rewritten whole without reading them. */
  readonly whole: AddFile[];
  /** Files that may hold matching rows; read them. */
  readonly scan: AddFile[];
  /** Files that cannot hold a matching row (after partition and statistics pruning). */
  readonly numSkipped: number;
  /** True when the condition reads partition columns only (decided exactly per file). */
  readonly partitionOnly: boolean;
}

export interface FilePlanOptions {
  /** IANA zone for legacy zone-less timestamp partition values. Default UTC. */
  readonly timeZone?: string;
  /**
   * Look for files whose statistics prove every row matches (they are then `whole`). Default true;
   * statements that must read every matched row (UPDATE) pass false.
   */
  readonly provenByStats?: boolean;
}

/** Classifies the live files of `snapshot` for `condition` (bound with {@link bindPredicate}). */
export function planFiles(snapshot: Snapshot, condition: { readonly expr: Expr; readonly bound: TypedExpr } | undefined, options: FilePlanOptions = {}): FilePlan {
  const files = snapshot.addFiles;
  if (condition === undefined) return { whole: [...files], scan: [], numSkipped: 0, partitionOnly: true };
  const timeZone = options.timeZone ?? 'UTC';
  const { bound } = condition;
  const filter = compileFileFilter(bound, { timeZone });
  const columns = typedColumns(bound);
  const partitionOnly = columns.every((c) => c.partition) && deterministic(bound);
  if (!filter.satisfiable) return { whole: [], scan: [], numSkipped: files.length, partitionOnly };
  const candidates = files.filter((f) => filter.mayMatchAdd(f));
  const numSkipped = files.length - candidates.length;
  // Partition-only expressions are evaluated exactly on each file's partition values.
  if (partitionOnly) return { whole: candidates, scan: [], numSkipped, partitionOnly };
  const proof = options.provenByStats === false ? undefined : statsProof(snapshot, condition, timeZone);
  if (proof === undefined) return { whole: [], scan: candidates, numSkipped, partitionOnly };
  const whole: AddFile[] = [];
  const scan: AddFile[] = [];
  for (const f of candidates) (proof(f) ? whole : scan).push(f);
  return { whole, scan, numSkipped, partitionOnly };
}

/**
 * A test that every live row of a file satisfies the condition, from statistics, or undefined
 * when the condition has a shape that cannot be proven. Sound because, for conditions built only
 * from columns, non-null literals, comparisons, IN, IS [NOT] NULL, AND, OR and NOT, the result is
 * never null when no referenced value is null; then "every row true" is "no row false", i.e. the
 * negated condition cannot match the file, which data skipping decides conservatively.
 */
function statsProof(snapshot: Snapshot, condition: { readonly expr: Expr }, timeZone: string): ((f: AddFile) => boolean) | undefined {
  const negated = bindPredicate(not(condition.expr), snapshot.schema, { partitionColumns: snapshot.partitionColumns, columnMappingMode: snapshot.columnMapping, timeZone });
  if (!nullFreeShape(negated)) return undefined;
  const notFilter: FileFilter = compileFileFilter(negated, { timeZone });
  const columns = typedColumns(negated);
  const partitionKeys = columns.filter((c) => c.partition).map((c) => c.physicalPath[0]!);
  const statsColumns = notFilter.statsColumns;
  return (f) => {
    if (partitionKeys.some((k) => f.partitionValues[k] === null || f.partitionValues[k] === undefined || f.partitionValues[k] === '')) return false;
    if (statsColumns.length > 0) {
      const stats = parseStats(f, statsColumns, timeZone);
      if (stats === undefined || stats.numRecords === undefined) return false;
      if (stats.columns.some((c) => c?.nullCount !== 0)) return false;
    }
    return !notFilter.mayMatchAdd(f);
  };
}

/** True when the tree can only be null where a referenced column value is null. */
function nullFreeShape(e: TypedExpr): boolean {
  switch (e.kind) {
    case 'literal':
      return e.value !== null;
    case 'column':
    case 'comparison':
    case 'and':
    case 'or':
    case 'not':
    case 'isNull':
    case 'in':
      return typedChildren(e).every(nullFreeShape);
    default:
      return false;
  }
}

function deterministic(e: TypedExpr): boolean {
  if (e.kind === 'call' && e.fn.deterministic === false) return false;
  return typedChildren(e).every(deterministic);
}
