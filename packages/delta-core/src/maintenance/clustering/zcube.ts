/**
 * Which files a clustered OPTIMIZE rewrites, and in which groups (Delta Spark's
 * `ClusteringStrategy`, `ZCube`, `ZCubeFileStatsCollector`). Files written by one clustering run of
 * one group form a ZCube, identified by the `ZCUBE_ID` tag and tagged with the clustering columns
 * (`ZCUBE_ZORDER_BY`, a JSON list of logical names) and `clusteringProvider: "liquid"`.
 *
 * Incremental clustering:
 * - files without a ZCube (new data) are always candidates;
 * - ZCubes of the current clustering columns are candidates while smaller than `minCubeSize`
 *   (partial cubes are merged with new data); larger ones are sealed and left alone;
 * - files clustered by other columns, or by another clustering provider, are left alone unless
 *   `full` (OPTIMIZE FULL), which reclusters them;
 * - a table whose candidates are exactly one ZCube and nothing else has nothing to do.
 * Candidates are then packed in order into groups of at most max(targetCubeSize, minCubeSize)
 * bytes; each group becomes one new ZCube.
 */
import type { AddFile } from '../../log/actions.js';
import { toFileInfo } from '../../table/snapshot.js';
import { LIQUID_PROVIDER } from './domain.js';

/** AddFile tag keys of Delta's ZCubeInfo. */
export const ZCUBE_ID_TAG = 'ZCUBE_ID';
export const ZCUBE_ZORDER_BY_TAG = 'ZCUBE_ZORDER_BY';
export const ZCUBE_ZORDER_CURVE_TAG = 'ZCUBE_ZORDER_CURVE';

/** A file's ZCube membership, from its tags. */
export interface ZCubeInfo {
  readonly id: string;
  /** The columns the cube was clustered by (logical names as Spark prints them). */
  readonly columns: readonly string[];
}

/** The ZCube a file belongs to, or undefined for a file no clustering run wrote (or unreadable tags). */
export function zCubeOf(file: Pick<AddFile, 'tags'>): ZCubeInfo | undefined {
  const id = file.tags?.[ZCUBE_ID_TAG];
  const by = file.tags?.[ZCUBE_ZORDER_BY_TAG];
  if (typeof id !== 'string' || typeof by !== 'string') return undefined;
  try {
    const columns: unknown = JSON.parse(by);
    if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) return undefined;
    return { id, columns };
  } catch {
    return undefined;
  }
}

/** The tags of a file written into ZCube `id` clustered by `columns` (existing tags kept). */
export function zCubeTags(existing: AddFile['tags'], id: string, columns: readonly string[]): Record<string, string | null> {
  return { ...(existing ?? {}), [ZCUBE_ID_TAG]: id, [ZCUBE_ZORDER_BY_TAG]: JSON.stringify(columns) };
}

/** Count and total size of a set of files. */
export interface ClusteringFileStats {
  readonly numFiles: number;
  readonly size: number;
}

/** Spark's `ClusteringStats`, reported in OPTIMIZE metrics on clustered tables. */
export interface ClusteringStats {
  /** Files in ZCubes of the current clustering columns (any ZCube with `full`). */
  readonly inputZCubeFiles: ClusteringFileStats;
  /** Files in no ZCube, or in ZCubes of other clustering columns. */
  readonly inputOtherFiles: ClusteringFileStats;
  /** Distinct ZCubes among the input ZCube files. */
  readonly inputNumZCubes: number;
  /** The files this run rewrites. */
  readonly mergedFiles: ClusteringFileStats;
  /** ZCubes this run writes (one per group). */
  readonly numOutputZCubes: number;
}

export interface ZCubeSelectionOptions {
  /** The table's clustering columns, as Spark prints them (compared with `ZCUBE_ZORDER_BY`). */
  readonly columns: readonly string[];
  /** ZCubes at least this large (in estimated logical bytes) are sealed. */
  readonly minCubeSize: number;
  /** Groups grow until adding a file would exceed max(targetCubeSize, minCubeSize). */
  readonly targetCubeSize: number;
  /** OPTIMIZE FULL: also recluster files clustered by other columns or providers. */
  readonly full?: boolean;
}

export interface ZCubeSelection {
  /** Groups of files to rewrite; each becomes one new ZCube. */
  readonly groups: readonly (readonly AddFile[])[];
  readonly stats: ClusteringStats;
}

/** Chooses the files a clustered OPTIMIZE rewrites and groups them into new ZCubes. */
export function selectZCubeGroups(files: readonly AddFile[], options: ZCubeSelectionOptions): ZCubeSelection {
  const full = options.full ?? false;
  const sameColumns = (info: ZCubeInfo): boolean => info.columns.length === options.columns.length && info.columns.every((c, i) => c === options.columns[i]);
  // Files without a ZCube first (input order), then ZCubes by id: files of one cube are adjacent.
  const ordered = files
    .map((file, i) => ({ file, i, cube: zCubeOf(file) }))
    .sort((a, b) => (a.cube?.id ?? '') < (b.cube?.id ?? '') ? -1 : (a.cube?.id ?? '') > (b.cube?.id ?? '') ? 1 : a.i - b.i);

  const input = new StatsAccumulator();
  const candidates: { file: AddFile; cube: ZCubeInfo | undefined }[] = [];
  const skipped: AddFile[] = [];
  for (const { file, cube } of ordered) {
    input.add(file, cube !== undefined && (full || sameColumns(cube)) ? cube.id : undefined);
    const provider = file.clusteringProvider;
    const eligible = (provider === undefined || provider === LIQUID_PROVIDER) && !(cube !== undefined && !sameColumns(cube));
    if (eligible) candidates.push({ file, cube });
    else skipped.push(file);
  }

  // Partial cubes stay candidates; cubes of at least minCubeSize are sealed.
  const sizes = new Map<string, number>();
  for (const c of candidates) if (c.cube) sizes.set(c.cube.id, (sizes.get(c.cube.id) ?? 0) + logicalSize(c.file));
  const small = candidates.filter((c) => c.cube === undefined || sizes.get(c.cube.id)! < options.minCubeSize);

  let chosen: AddFile[];
  if (full && skipped.length > 0) {
    chosen = [...small.map((c) => c.file), ...skipped];
  } else {
    const cubes = new Set(small.flatMap((c) => (c.cube ? [c.cube.id] : [])));
    const onlyOneCube = small.every((c) => c.cube !== undefined) && cubes.size === 1;
    chosen = onlyOneCube ? [] : small.map((c) => c.file);
  }

  const maxGroup = Math.max(options.targetCubeSize, options.minCubeSize);
  const groups: AddFile[][] = [];
  let current: AddFile[] = [];
  let currentSize = 0;
  for (const f of chosen) {
    if (current.length > 0 && f.size + currentSize > maxGroup) {
      groups.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(f);
    currentSize += f.size;
  }
  if (current.length > 0) groups.push(current);

  const merged = chosen.reduce((a, f) => ({ numFiles: a.numFiles + 1, size: a.size + f.size }), { numFiles: 0, size: 0 });
  return {
    groups,
    stats: { inputZCubeFiles: input.matching, inputOtherFiles: input.other, inputNumZCubes: input.cubes, mergedFiles: merged, numOutputZCubes: groups.length },
  };
}

/**
 * A file's size scaled by the fraction of its rows that are not deleted (Spark's
 * `estLogicalFileSize`); its physical size without a deletion vector or row count.
 */
export function logicalSize(file: AddFile): number {
  const dv = file.deletionVector;
  if (dv === undefined) return file.size;
  const n = toFileInfo(file).numRecords;
  if (n === undefined || n <= 0) return file.size;
  return Math.floor(file.size * Math.max(0, n - dv.cardinality) / n);
}

class StatsAccumulator {
  matching = { numFiles: 0, size: 0 };
  other = { numFiles: 0, size: 0 };
  cubes = 0;
  #last: string | undefined;

  /** Files must arrive grouped by cube (as ordered above). */
  add(file: AddFile, cubeId: string | undefined): void {
    if (cubeId === undefined) {
      this.other = { numFiles: this.other.numFiles + 1, size: this.other.size + file.size };
      return;
    }
    if (cubeId !== this.#last) {
      this.#last = cubeId;
      this.cubes++;
    }
    this.matching = { numFiles: this.matching.numFiles + 1, size: this.matching.size + file.size };
  }
}
