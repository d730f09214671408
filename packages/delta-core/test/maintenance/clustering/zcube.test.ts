/**
 * Incremental clustering's choice of files (ZCubes), with the scenarios and expected
 * ClusteringStats of Delta Spark's IncrementalZCubeClusteringSuite.
 */
import { describe, expect, it } from 'vitest';
import type { AddFile } from '../../../src/log/actions.js';
import { logicalSize, selectZCubeGroups, zCubeOf, zCubeTags } from '../../../src/maintenance/clustering/zcube.js';

let n = 0;
function file(size: number, cube?: { id: string; columns: string[] }, extra: Partial<AddFile> = {}): AddFile {
  return {
    path: `f${n++}.parquet`,
    partitionValues: {},
    size,
    modificationTime: 0,
    dataChange: false,
    stats: '{"numRecords":2}',
    ...(cube ? { tags: zCubeTags({ INSERTION_TIME: '1' }, cube.id, cube.columns), clusteringProvider: 'liquid' } : {}),
    ...extra,
  };
}

const COLS = ['col1', 'col2'];
const BIG = Number.MAX_SAFE_INTEGER;
const paths = (groups: readonly (readonly AddFile[])[]) => groups.map((g) => g.map((f) => f.path));

describe('selectZCubeGroups', () => {
  it('clusters new files into one ZCube', () => {
    const files = [file(10), file(10), file(10), file(10)];
    const s = selectZCubeGroups(files, { columns: COLS, minCubeSize: BIG, targetCubeSize: BIG });
    expect(paths(s.groups)).toEqual([files.map((f) => f.path)]);
    expect(s.stats).toEqual({
      inputZCubeFiles: { numFiles: 0, size: 0 },
      inputOtherFiles: { numFiles: 4, size: 40 },
      inputNumZCubes: 0,
      mergedFiles: { numFiles: 4, size: 40 },
      numOutputZCubes: 1,
    });
  });

  it('a table that is one ZCube and nothing else has nothing to do', () => {
    const cube = { id: 'z1', columns: COLS };
    const s = selectZCubeGroups([file(20, cube), file(20, cube)], { columns: COLS, minCubeSize: BIG, targetCubeSize: BIG });
    expect(s.groups).toEqual([]);
    expect(s.stats).toMatchObject({ inputZCubeFiles: { numFiles: 2, size: 40 }, inputNumZCubes: 1, mergedFiles: { numFiles: 0, size: 0 }, numOutputZCubes: 0 });
  });

  it('new data merges with partial ZCubes and leaves sealed ones (at least minCubeSize) alone', () => {
    const z1 = { id: 'z1', columns: COLS };
    const clustered = [file(20, z1), file(20, z1)];
    const fresh = [file(10), file(10), file(10), file(10)];
    // Sealed cube (minCubeSize 1): only the new files.
    const sealed = selectZCubeGroups([...clustered, ...fresh], { columns: COLS, minCubeSize: 1, targetCubeSize: BIG });
    expect(paths(sealed.groups).flat().sort()).toEqual(fresh.map((f) => f.path).sort());
    expect(sealed.stats).toEqual({
      inputZCubeFiles: { numFiles: 2, size: 40 },
      inputOtherFiles: { numFiles: 4, size: 40 },
      inputNumZCubes: 1,
      mergedFiles: { numFiles: 4, size: 40 },
      numOutputZCubes: 1,
    });
    // Two partial cubes are merged into one.
    const z2 = { id: 'z2', columns: COLS };
    const twoCubes = [file(20, z2), file(20, z1), file(20, z2), file(20, z1)];
    const merged = selectZCubeGroups(twoCubes, { columns: COLS, minCubeSize: BIG, targetCubeSize: BIG });
    expect(merged.groups).toHaveLength(1);
    expect(merged.stats).toMatchObject({ inputZCubeFiles: { numFiles: 4, size: 80 }, inputNumZCubes: 2, mergedFiles: { numFiles: 4 }, numOutputZCubes: 1 });
    // Files of one cube are grouped together: cube z1 before z2, each in input order.
    expect(paths(merged.groups)[0]).toEqual([twoCubes[1]!.path, twoCubes[3]!.path, twoCubes[0]!.path, twoCubes[2]!.path]);
  });

  it('files clustered by other columns (or another provider) are left alone, unless FULL', () => {
    const old = { id: 'z1', columns: ['col1', 'col2'] };
    const current = ['col2', 'col1'];
    const oldFiles = [file(20, old), file(20, old), file(20, old), file(20, old)];
    const fresh = [file(10), file(10), file(10), file(10)];
    const s = selectZCubeGroups([...oldFiles, ...fresh], { columns: current, minCubeSize: BIG, targetCubeSize: BIG });
    expect(paths(s.groups).flat().sort()).toEqual(fresh.map((f) => f.path).sort());
    expect(s.stats).toMatchObject({ inputZCubeFiles: { numFiles: 0 }, inputOtherFiles: { numFiles: 8 }, inputNumZCubes: 0, mergedFiles: { numFiles: 4 }, numOutputZCubes: 1 });
    // Nothing new and only other-column cubes: nothing to do.
    expect(selectZCubeGroups(oldFiles, { columns: current, minCubeSize: BIG, targetCubeSize: BIG }).groups).toEqual([]);

    // FULL with every cube sealed: only the files clustered by the old columns are rewritten.
    const z2 = { id: 'z2', columns: current };
    const newCube = [file(20, z2), file(20, z2)];
    const full = selectZCubeGroups([...oldFiles.slice(0, 2), ...newCube], { columns: current, minCubeSize: 1, targetCubeSize: BIG, full: true });
    expect(paths(full.groups).flat()).toEqual(oldFiles.slice(0, 2).map((f) => f.path));
    expect(full.stats).toMatchObject({ inputZCubeFiles: { numFiles: 4 }, inputOtherFiles: { numFiles: 0 }, inputNumZCubes: 2, mergedFiles: { numFiles: 2 } });

    const foreign = file(30, undefined, { clusteringProvider: 'liquid_ai' });
    expect(paths(selectZCubeGroups([foreign, ...fresh], { columns: current, minCubeSize: BIG, targetCubeSize: BIG }).groups).flat()).not.toContain(foreign.path);
    expect(paths(selectZCubeGroups([foreign, ...fresh], { columns: current, minCubeSize: BIG, targetCubeSize: BIG, full: true }).groups).flat()).toContain(foreign.path);
  });

  it('packs candidates into groups of at most max(targetCubeSize, minCubeSize) bytes, one new ZCube each', () => {
    const files = [file(40), file(40), file(40), file(40), file(40)];
    const s = selectZCubeGroups(files, { columns: COLS, minCubeSize: 50, targetCubeSize: 100 });
    expect(s.groups.map((g) => g.length)).toEqual([2, 2, 1]);
    expect(s.stats.numOutputZCubes).toBe(3);
  });

  it('reads ZCube tags as Delta writes them and sizes files by their live rows', () => {
    const f = file(1000, { id: 'abc', columns: ['a', 'b.`c d`'] });
    expect(f.tags).toEqual({ INSERTION_TIME: '1', ZCUBE_ID: 'abc', ZCUBE_ZORDER_BY: '["a","b.`c d`"]' });
    expect(zCubeOf(f)).toEqual({ id: 'abc', columns: ['a', 'b.`c d`'] });
    expect(zCubeOf(file(1))).toBeUndefined();
    expect(zCubeOf({ tags: { ZCUBE_ID: 'x', ZCUBE_ZORDER_BY: 'not json' } })).toBeUndefined();
    const withDv = file(1000, undefined, { stats: '{"numRecords":10}', deletionVector: { storageType: 'i', pathOrInlineDv: 'x', sizeInBytes: 1, cardinality: 4 } });
    expect(logicalSize(withDv)).toBe(600);
  });
});
