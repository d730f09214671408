/**
 * Auto compaction (Delta's `AutoCompact` post-commit hook): after a commit that wrote data files
 * (any operation but OPTIMIZE), the partitions it added files to are checked, and those holding
 * at least `minNumFiles` small files (at most `minFileSize` bytes) are compacted by an OPTIMIZE
 * commit of their own, recorded with `auto: true`, with Spark's auto-compaction sizes (bins up to
 * `maxFileSize`, 128 MiB; candidates below `minFileSize`, half of it).
 *
 * Enabled by the table property `delta.autoOptimize.autoCompact=true` (or the legacy
 * `delta.autoOptimize=true`), or per write (`autoCompact: true | settings`, which also overrides
 * the property, like Spark's session setting `spark.databricks.delta.autoCompact.enabled`).
 *
 * Differences from Spark: Spark counts small files per partition in the driver's memory across
 * the session (and so compacts a partition the first time it is written in a session); deltakit
 * has no session, so it counts the small files the table's latest snapshot holds in each touched
 * partition. The triggering commit always stands: a compaction that conflicts with a concurrent
 * commit, or fails for any other reason, gives up and says so in its outcome's `note`.
 */
import type { Engine } from '../../engine.js';
import { isDeltaError } from '../../errors.js';
import type { AddFile } from '../../log/actions.js';
import { loadTableState } from '../../log/load-table-state.js';
import { Snapshot } from '../../table/snapshot.js';
import type { AutoCompactionOutcome, AutoCompactSettings } from './auto-settings.js';
import { optimizeClusteredTable } from '../clustering/optimize.js';
import { optimizeTable } from './optimize.js';
import { partitionKeyFunction } from './plan.js';

export interface CommittedFiles {
  readonly tableRoot: string;
  /** The add actions of the commit that triggers auto compaction. */
  readonly adds: readonly AddFile[];
  /** IANA session zone (legacy timestamp partition values). Default UTC. */
  readonly timeZone?: string;
  readonly signal?: AbortSignal;
}

/**
 * Compacts the partitions `commit` added files to when they hold enough small files. Never
 * throws: failures and conflicts come back as a `note`.
 */
export async function autoCompact(engine: Engine, commit: CommittedFiles, settings: Required<AutoCompactSettings>): Promise<AutoCompactionOutcome> {
  const timeZone = commit.timeZone ?? 'UTC';
  try {
    const snapshot = new Snapshot(engine, await loadTableState(engine, commit.tableRoot, commit.signal ? { signal: commit.signal } : {}), { sessionTimeZone: timeZone });
    const keyOf = partitionKeyFunction(snapshot, timeZone);
    const touched = new Set(commit.adds.map(keyOf));
    const small = new Map<string, number>();
    for (const a of snapshot.addFiles) {
      const k = keyOf(a);
      if (touched.has(k) && a.size <= settings.minFileSize) small.set(k, (small.get(k) ?? 0) + 1);
    }
    const chosen = new Set([...touched].filter((k) => (small.get(k) ?? 0) >= settings.minNumFiles));
    if (chosen.size === 0) {
      const most = Math.max(0, ...small.values());
      return { compacted: false, note: `Auto compaction skipped: the partitions written hold at most ${most} small file${most === 1 ? '' : 's'} (of at most ${settings.minFileSize} bytes), fewer than minNumFiles (${settings.minNumFiles}).` };
    }
    const sizes = { targetFileSize: settings.maxFileSize, minFileSize: settings.minFileSize, ...(commit.signal ? { signal: commit.signal } : {}) };
    // As Spark's OptimizeExecutor: a clustered table with clustering columns is clustered, not compacted.
    const metrics =
      (await optimizeClusteredTable(engine, snapshot, sizes, { auto: true, timeZone })) ??
      (await optimizeTable(engine, snapshot, sizes, { auto: true, partitionKeys: chosen, predicateTexts: partitionPredicates(snapshot, chosen), timeZone }));
    if (metrics.version === null) return { compacted: false, metrics, note: 'Auto compaction found no bin of two or more small files to compact.' };
    return { compacted: true, version: metrics.version, metrics };
  } catch (e) {
    const conflict = isDeltaError(e, 'CONCURRENT_APPEND', 'CONCURRENT_DELETE_READ', 'CONCURRENT_DELETE_DELETE', 'CONCURRENT_TRANSACTION', 'METADATA_CHANGED', 'PROTOCOL_CHANGED', 'MAX_COMMIT_RETRIES');
    const why = e instanceof Error ? e.message : String(e);
    return { compacted: false, note: conflict ? `Auto compaction gave up after a concurrent commit conflicted with it (the write itself is committed): ${why}` : `Auto compaction failed (the write itself is committed): ${why}` };
  }
}

/** `p <=> 'a' AND q <=> 1`-style text per chosen partition, as recorded in commitInfo. */
function partitionPredicates(snapshot: Snapshot, keys: ReadonlySet<string>): string[] {
  const cols = snapshot.partitionColumns;
  if (cols.length === 0) return [];
  const branches = [...keys].map((k) => {
    const values = JSON.parse(k) as (string | null)[];
    return cols.map((c, i) => `${quote(c)} <=> ${values[i] === null ? 'NULL' : `'${values[i]!.replace(/'/g, "''")}'`}`).join(' AND ');
  });
  return [branches.length === 1 ? branches[0]! : branches.map((b) => `(${b})`).join(' OR ')];
}

function quote(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, '``')}\``;
}
