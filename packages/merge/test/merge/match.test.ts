/**
 * The join and clause evaluation on in-memory data: cases from Delta's MergeIntoSuiteBase /
 * MergeIntoNotMatchedBySourceSuite (expected rows as Delta asserts them), each also run through
 * DuckDB's MERGE INTO on the same data.
 */
import { describe, expect, it } from 'vitest';
import { and, arith, cmp, col, field, lit, negate, struct, type Expr, type StructType } from '@deltakit/core';
import type { MergeClauses } from '../../src/merge/clauses.js';
import { canonical, duckMerge, mergeInMemory, type InMemoryMerge } from './helpers.js';

const KV: StructType = struct([field('key', { kind: 'primitive', name: 'integer' }), field('value', { kind: 'primitive', name: 'integer' })]);
const rows = (pairs: readonly [number | null, number | null][]) => pairs.map(([key, value]) => ({ key, value }));

const clauses = (c: Partial<MergeClauses>): MergeClauses => ({ matched: [], notMatched: [], notMatchedBySource: [], ...c });
const update = (set: Record<string, string | Expr>, condition?: string | Expr) => ({ kind: 'update' as const, set, ...(condition ? { condition } : {}) });
const del = (condition?: string) => ({ kind: 'delete' as const, ...(condition ? { condition } : {}) });
const insert = (values: Record<string, string | Expr>, condition?: string) => ({ kind: 'insert' as const, values, ...(condition ? { condition } : {}) });
const KEY_VALUE = { key: 's.key', value: 's.value' };
const mod6 = (r: bigint): Expr => cmp('=', arith('%', col('t', 'key'), lit(6n)), lit(r));
const plus = (n: bigint): Expr => arith('+', col('t', 'value'), lit(n));

interface Case {
  readonly name: string;
  readonly source: [number | null, number | null][];
  readonly target: [number | null, number | null][];
  readonly on?: string | Expr;
  /** The condition in DuckDB's dialect, when it differs. */
  readonly duckOn?: string;
  readonly clauses: MergeClauses;
  readonly result: [number | null, number | null][];
}

// Cases from Delta's MergeIntoSuiteBase ("extended syntax") and MergeIntoNotMatchedBySourceSuite.
const CASES: Case[] = [
  { name: 'only update', source: [[0, 0], [1, 10], [3, 30]], target: [[1, 1], [2, 2]], clauses: clauses({ matched: [update(KEY_VALUE)] }), result: [[1, 10], [2, 2]] },
  {
    name: 'only conditional update',
    source: [[0, 0], [1, 10], [2, 20], [3, 30]],
    target: [[1, 1], [2, 2], [3, 3]],
    clauses: clauses({ matched: [update(KEY_VALUE, 's.value <> 20 AND t.value <> 3')] }),
    result: [[1, 10], [2, 2], [3, 3]],
  },
  { name: 'only delete', source: [[0, 0], [1, 10], [3, 30]], target: [[1, 1], [2, 2]], clauses: clauses({ matched: [del()] }), result: [[2, 2]] },
  { name: 'only delete with multiple matches', source: [[0, 0], [1, 10], [1, 100], [3, 30]], target: [[1, 1], [2, 2]], clauses: clauses({ matched: [del()] }), result: [[2, 2]] },
  {
    name: 'conditional update + delete',
    source: [[0, 0], [1, 10], [2, 20]],
    target: [[1, 1], [2, 2], [3, 3]],
    clauses: clauses({ matched: [update(KEY_VALUE, 's.key <> 1'), del()] }),
    result: [[2, 20], [3, 3]],
  },
  {
    name: 'conditional update + conditional delete',
    source: [[0, 0], [1, 10], [2, 20], [3, 30]],
    target: [[1, 1], [2, 2], [3, 3], [4, 4]],
    clauses: clauses({ matched: [update(KEY_VALUE, 's.key <> 1'), del('s.key <> 2')] }),
    result: [[2, 20], [3, 30], [4, 4]],
  },
  {
    name: 'conditional delete + conditional update (order matters)',
    source: [[0, 0], [1, 10], [2, 20], [3, 30]],
    target: [[1, 1], [2, 2], [3, 3], [4, 4]],
    clauses: clauses({ matched: [del('s.key <> 2'), update(KEY_VALUE, 's.key <> 1')] }),
    result: [[2, 20], [4, 4]],
  },
  { name: 'only insert', source: [[0, 0], [1, 10], [3, 30]], target: [[1, 1], [2, 2]], clauses: clauses({ notMatched: [insert(KEY_VALUE)] }), result: [[0, 0], [1, 1], [2, 2], [3, 30]] },
  { name: 'only conditional insert', source: [[0, 0], [1, 10], [3, 30]], target: [[1, 1], [2, 2]], clauses: clauses({ notMatched: [insert(KEY_VALUE, 's.value <> 30')] }), result: [[0, 0], [1, 1], [2, 2]] },
  {
    name: 'delete + insert with multiple matches for both',
    source: [[1, 10], [1, 100], [3, 30], [3, 300]],
    target: [[1, 1], [2, 2]],
    clauses: clauses({ matched: [del()], notMatched: [insert(KEY_VALUE)] }),
    result: [[2, 2], [3, 30], [3, 300]],
  },
  {
    name: 'conditional update + conditional delete + conditional insert',
    source: [[0, 0], [1, 10], [2, 20], [3, 30], [4, 40]],
    target: [[1, 1], [2, 2], [3, 3]],
    clauses: clauses({ matched: [update(KEY_VALUE, 's.key < 2'), del('s.key < 3')], notMatched: [insert(KEY_VALUE, 's.key > 1')] }),
    result: [[1, 10], [3, 3], [4, 40]],
  },
  {
    name: 'complex merge condition with target-only and source-only conjuncts',
    source: [[-1, -10], [0, 0], [1, 10], [2, 20], [3, 30], [4, 40], [5, 50]],
    target: [[-1, -1], [1, 1], [2, 2], [3, 3], [5, 5]],
    on: 's.key = t.key AND t.value > 0 AND s.key < 5',
    clauses: clauses({ matched: [update(KEY_VALUE, 's.key < 2'), del('s.key < 3')], notMatched: [insert(KEY_VALUE, 's.key > 1')] }),
    result: [[-1, -1], [1, 10], [3, 3], [4, 40], [5, 5], [5, 50]],
  },
  {
    name: 'insert only merge with multiple matches',
    source: [[0, 0], [1, 10], [1, 100], [3, 30], [3, 300]],
    target: [[1, 1], [2, 2]],
    clauses: clauses({ notMatched: [insert(KEY_VALUE)] }),
    result: [[0, 0], [1, 1], [2, 2], [3, 30], [3, 300]],
  },
  {
    name: 'not matched by source: conditional delete',
    source: [[0, 0], [1, 1], [5, 5]],
    target: [[1, 10], [2, 20], [3, 30]],
    clauses: clauses({ notMatchedBySource: [del('t.key = 2')] }),
    result: [[1, 10], [3, 30]],
  },
  {
    name: 'not matched by source: several update clauses then delete',
    source: [[0, 0], [1, 1], [5, 5]],
    target: [[6, 6], [7, 7], [8, 8], [9, 9], [10, 10], [11, 11]],
    clauses: clauses({
      notMatchedBySource: [
        update({ value: plus(5n) }, mod6(0n)),
        update({ value: plus(4n) }, mod6(1n)),
        update({ value: plus(3n) }, mod6(2n)),
        update({ value: plus(2n) }, mod6(3n)),
        update({ value: plus(1n) }, mod6(4n)),
        del(),
      ],
    }),
    result: [[6, 11], [7, 11], [8, 11], [9, 11], [10, 11]],
  },
  {
    name: 'all three groups',
    source: [[0, 0], [1, 10], [5, 50]],
    target: [[1, 1], [2, 2], [3, 3]],
    clauses: clauses({ matched: [update({ value: 's.value' })], notMatched: [insert(KEY_VALUE)], notMatchedBySource: [update({ value: negate(col('t', 'value')) }, 't.key = 2'), del()] }),
    result: [[0, 0], [1, 10], [2, -2], [5, 50]],
  },
  {
    name: 'null keys never match under =; conditions with null are not taken',
    source: [[null, 1], [1, null], [2, 20]],
    target: [[null, 5], [1, 1], [2, 2]],
    clauses: clauses({ matched: [update({ value: 's.value' }, 's.value > 10'), del('s.value IS NULL')], notMatched: [insert(KEY_VALUE, 's.value > 0')] }),
    result: [[null, 5], [2, 20], [null, 1]],
  },
  {
    name: 'null-safe equality matches null keys',
    source: [[null, 1], [3, 30]],
    target: [[null, 5], [1, 1]],
    on: 't.key <=> s.key',
    duckOn: 't.key IS NOT DISTINCT FROM s.key',
    clauses: clauses({ matched: [update({ value: 's.value' })], notMatched: [insert(KEY_VALUE)] }),
    result: [[null, 1], [1, 1], [3, 30]],
  },
  {
    name: 'no equi-join key: nested loop with a non-equi condition',
    source: [[10, 100], [20, 200]],
    target: [[5, 1], [15, 2], [25, 3]],
    on: and(cmp('>', col('t', 'key'), col('s', 'key')), cmp('<', col('t', 'key'), arith('+', col('s', 'key'), lit(10n)))),
    clauses: clauses({ matched: [update({ value: 's.value' })], notMatchedBySource: [del()] }),
    result: [[15, 100], [25, 200]],
  },
  {
    name: 'residual condition on candidate pairs',
    source: [[1, 10], [1, 20], [2, 5]],
    target: [[1, 15], [2, 2]],
    on: 't.key = s.key AND s.value > t.value',
    clauses: clauses({ matched: [update({ value: 's.value' })] }),
    result: [[1, 20], [2, 5]],
  },
];

describe('MERGE join and clauses (in memory)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const m: InMemoryMerge = { target: { schema: KV, rows: rows(c.target) }, source: { schema: KV, rows: rows(c.source) }, condition: c.on ?? 's.key = t.key', clauses: c.clauses };
      const expected = canonical(rows(c.result), ['key', 'value']);
      for (const batchRows of [undefined, 1, 2]) {
        const ours = mergeInMemory({ ...m, ...(batchRows === undefined ? {} : { targetBatchRows: batchRows }) });
        expect(canonical(ours.rows, ['key', 'value'])).toEqual(expected);
      }
      const dk = await duckMerge({ ...m, ...(c.duckOn ? { condition: c.duckOn } : {}) });
      expect(canonical(dk, ['key', 'value'])).toEqual(expected);
    });
  }
});

describe('probe of targets sorted on the key (merge walk)', () => {
  for (const [name, type] of [
    ['int keys', { kind: 'primitive', name: 'integer' }],
    ['long keys', { kind: 'primitive', name: 'long' }],
  ] as const) {
    it(`${name}: negative and positive keys, duplicates in the source, a target-only conjunct`, async () => {
      const schema: StructType = struct([field('key', type), field('value', { kind: 'primitive', name: 'integer' })]);
      const big = type.name === 'long';
      const k = (x: number) => (big ? BigInt(x) * 4_000_000_000n : x);
      // Target: 3000 ascending keys with gaps, from negative to positive (sorted in signed order).
      const target = Array.from({ length: 3000 }, (_, i) => ({ key: k(i * 3 - 4500), value: i % 7 }));
      // Source: keys hitting and missing the target, some twice (only an unconditional DELETE tolerates those).
      const source = Array.from({ length: 900 }, (_, i) => ({ key: k(((i * 37) % 3100) * 3 - 4500 + (i % 4 === 0 ? 1 : 0)), value: 100 + i }));
      const dupFree = source.filter((r, i) => source.findIndex((x) => x.key === r.key) === i);
      const cases: InMemoryMerge[] = [
        { target: { schema, rows: target }, source: { schema, rows: dupFree }, condition: 't.key = s.key AND t.value < 5', clauses: clauses({ matched: [update({ value: 's.value' })], notMatched: [insert(KEY_VALUE)], notMatchedBySource: [del('t.value = 6')] }) },
        { target: { schema, rows: target }, source: { schema, rows: source }, condition: 't.key = s.key', clauses: clauses({ matched: [del()] }), targetBatchRows: 700 },
      ];
      for (const m of cases) {
        const ours = mergeInMemory(m);
        expect(canonical(ours.rows, ['key', 'value'])).toEqual(canonical(await duckMerge(m), ['key', 'value']));
      }
    });
  }
});
