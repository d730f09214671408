/**
 * The join index on one integer-like key: whatever path a probe takes (the sorted walk for
 * ascending target batches, the hash table otherwise, constant keys), the pairs are exactly the
 * naive nested loop's, in the documented order (ascending target row, then ascending source row).
 * Random keys with duplicates, nulls, negative values and eligibility masks, from fast-check.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Vec } from '@deltakit/core/internal';
import type { DataType } from '@deltakit/core';
import { buildIndex, type Pairs } from '../../src/merge/keys.js';

const LONG: DataType = { kind: 'primitive', name: 'long' };
const INT: DataType = { kind: 'primitive', name: 'integer' };

/** Expected pairs by a nested loop: SQL `=` (nulls never match) or `<=>` (null matches null). */
function naive(source: readonly (bigint | null)[], srcOk: readonly boolean[], target: readonly (bigint | null)[], tgtOk: readonly boolean[], nullSafe: boolean): [number, number][] {
  const out: [number, number][] = [];
  target.forEach((t, i) => {
    if (!tgtOk[i]) return;
    source.forEach((s, j) => {
      if (!srcOk[j]) return;
      if (t === null || s === null ? nullSafe && t === null && s === null : t === s) out.push([i, j]);
    });
  });
  return out;
}

const pairsOf = (p: Pairs): [number, number][] => Array.from({ length: p.length }, (_, i) => [p.target[i]!, p.source[i]!]);
const vec = (type: DataType, values: readonly (bigint | null)[]): Vec => Vec.fromValues(type, type === INT ? values.map((v) => (v === null ? null : Number(v))) : values);
const mask = (ok: readonly boolean[]): Uint8Array => Uint8Array.from(ok, (b) => (b ? 1 : 0));

/** Keys drawn from a small range so duplicates and matches are common; extremes included. */
const key = (type: DataType) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: -40, max: 40 }).map(BigInt) },
    { weight: 1, arbitrary: type === INT ? fc.constantFrom(-(2n ** 31n), 2n ** 31n - 1n) : fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 2n ** 32n, -(2n ** 32n) + 1n) },
    { weight: 1, arbitrary: fc.constant(null) },
  );

describe('join index on one integer-like key', () => {
  for (const type of [LONG, INT]) {
    it(`${type.kind === 'primitive' ? type.name : ''}: sorted, unsorted and masked probes equal the nested loop`, () => {
      fc.assert(
        fc.property(
          fc.array(key(type), { maxLength: 120, size: 'max' }),
          // Long enough for the sorted walk (it needs more than 64 rows) in most runs.
          fc.array(key(type), { maxLength: 300, size: 'max' }),
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
          (source, target, nullSafe, sortTarget, useMasks, bits) => {
            // A sorted target without nulls takes the sorted walk (batches of more than 64 rows).
            const tgt = sortTarget ? target.filter((v) => v !== null).sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0)) : target;
            const srcOk = source.map((_, i) => !useMasks || bits[i]!);
            const tgtOk = tgt.map((_, i) => !useMasks || bits[(i * 7) % 300]!);
            const index = buildIndex([vec(type, source)], [nullSafe], useMasks ? mask(srcOk) : null);
            const got = pairsOf(index.probe([vec(type, tgt)], useMasks ? mask(tgtOk) : null));
            expect(got).toEqual(naive(source, srcOk, tgt, tgtOk, nullSafe));
            // A second probe (structures already built) gives the same answer.
            expect(pairsOf(index.probe([vec(type, tgt)], useMasks ? mask(tgtOk) : null))).toEqual(got);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('a large ascending batch (the sorted walk) and the same keys shuffled (the hash table) give the same pairs', () => {
    const n = 200_000;
    const source: bigint[] = [];
    for (let k = 0; k < 20_000; k++) source.push(BigInt((k * 7919) % n) - 1000n, BigInt(k % 50) * 4000n);
    const sorted = Array.from({ length: n }, (_, i) => BigInt(i) - 1000n);
    const index = buildIndex([vec(LONG, source)], [false], null);
    const a = pairsOf(index.probe([vec(LONG, sorted)], null));
    const swapped = sorted.slice();
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    const b = pairsOf(index.probe([vec(LONG, swapped)], null)).map(([t, s]): [number, number] => [t < 2 ? 1 - t : t, s]);
    b.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(a.length).toBeGreaterThan(30_000);
    expect(a).toEqual(b);
    expect(index.size).toBe(new Set(source).size);
  });

  it('a constant null key matches only null-safe null source keys', () => {
    const index = buildIndex([vec(LONG, [1n, null, 2n, null])], [true], null);
    const got = pairsOf(index.probe([Vec.constant(LONG, null, 3)], null));
    expect(got).toEqual([
      [0, 1],
      [0, 3],
      [1, 1],
      [1, 3],
      [2, 1],
      [2, 3],
    ]);
  });
});
