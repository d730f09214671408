/**
 * Property: for random small target and source tables (keys with duplicates and nulls) and random
 * clause lists, MERGE gives the same rows as DuckDB's MERGE INTO. DuckDB lets a later source row
 * win when several match one target row; Delta refuses that (MERGE_CARDINALITY_VIOLATION), so when
 * we refuse, DuckDB must confirm a target row with several matches and the clauses must not be
 * insert-only or a single unconditional DELETE.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { arith, col, field, isDeltaError, lit, struct, type Expr, type StructType } from '@deltakit/core';
import { rowsToBatch } from '@deltakit/core/internal';
import type { MatchedClause, MergeClauses, NotMatchedBySourceClause, NotMatchedClause } from '../../src/merge/clauses.js';
import { mergeInto } from '../../src/index.js';
import { cleanup, makeTable, readRows } from '../helpers.js';
import { canonical, duckMerge, duckRows, duckTable, mergeInMemory, type InMemoryMerge } from './helpers.js';

afterAll(cleanup);

const KV: StructType = struct([field('key', { kind: 'primitive', name: 'integer' }), field('value', { kind: 'primitive', name: 'integer' })]);
const COLS = ['key', 'value'];

const small = fc.option(fc.integer({ min: 0, max: 6 }), { nil: null, freq: 6 });
const rows = (max: number) => fc.array(fc.record({ key: small, value: small }), { maxLength: max });

const K = () => fc.integer({ min: 0, max: 6 });
const targetCond = K().chain((k) => fc.constantFrom(`t.value > ${k}`, `t.value IS NULL`, `t.key <> ${k}`, `t.value <= ${k}`));
const sourceCond = K().chain((k) => fc.constantFrom(`s.value > ${k}`, `s.value IS NULL`, `s.key = ${k}`, `s.value < ${k}`));
const bothCond = fc.constantFrom('s.value > t.value', 't.value = s.value', 's.value IS NOT NULL AND t.value IS NULL');
const matchedCond = fc.oneof(targetCond, sourceCond, bothCond);
const sourceValue = fc.oneof(fc.constant<string | Expr>('s.value'), K().map((k): Expr => arith('+', col('s', 'value'), lit(BigInt(k)))), fc.constant<string | Expr>('NULL'));
const targetValue = fc.oneof(K().map((k): Expr => arith('+', col('t', 'value'), lit(BigInt(k)))), fc.constant<string | Expr>('NULL'), K().map((k) => String(k)));

/** A clause group: conditions on all but maybe the last clause (Spark's rule). */
function group<C extends { condition?: unknown }>(clause: fc.Arbitrary<C>, max: number): fc.Arbitrary<C[]> {
  return fc.tuple(fc.array(clause, { maxLength: max }), fc.boolean()).map(([cs, lastBare]) =>
    cs.map((c, i) => (i === cs.length - 1 && lastBare ? (({ condition: _c, ...rest }) => rest as C)(c) : c)),
  );
}

const matched: fc.Arbitrary<MatchedClause> = fc.oneof(
  fc.record({ kind: fc.constant('update' as const), condition: matchedCond, set: fc.oneof(fc.record({ value: fc.oneof(sourceValue, targetValue) }), fc.record({ value: sourceValue, key: fc.constant('s.key') })) }),
  fc.record({ kind: fc.constant('delete' as const), condition: matchedCond }),
);
const notMatched: fc.Arbitrary<NotMatchedClause> = fc.record({
  kind: fc.constant('insert' as const),
  condition: sourceCond,
  values: fc.oneof(fc.record({ key: fc.constant('s.key'), value: sourceValue }), fc.record({ key: fc.constant('s.key') })),
});
const bySource: fc.Arbitrary<NotMatchedBySourceClause> = fc.oneof(
  fc.record({ kind: fc.constant('update' as const), condition: targetCond, set: fc.record({ value: targetValue }) }),
  fc.record({ kind: fc.constant('delete' as const), condition: targetCond }),
);
const clauses: fc.Arbitrary<MergeClauses> = fc
  .record({ matched: group(matched, 3), notMatched: group(notMatched, 2), notMatchedBySource: group(bySource, 2) })
  .filter((c) => c.matched.length + c.notMatched.length + c.notMatchedBySource.length > 0);
const condition = fc.constantFrom(
  { ours: 't.key = s.key', duck: 't.key = s.key' },
  { ours: 't.key <=> s.key', duck: 't.key IS NOT DISTINCT FROM s.key' },
  { ours: 't.key = s.key AND t.value > 1', duck: 't.key = s.key AND t.value > 1' },
  { ours: 't.key = s.key AND s.value < 4', duck: 't.key = s.key AND s.value < 4' },
  { ours: 't.key = s.key AND s.value >= t.value', duck: 't.key = s.key AND s.value >= t.value' },
);

/** DuckDB's count of target rows with several matches under `on`. */
async function multiplyMatched(m: InMemoryMerge, on: string): Promise<number> {
  await duckTable('pm_t', KV, m.target.rows);
  await duckTable('pm_s', KV, m.source.rows);
  const [r] = await duckRows(`SELECT count(*)::INTEGER AS n FROM (SELECT t.rowid FROM pm_t t JOIN pm_s s ON ${on} GROUP BY t.rowid HAVING count(*) > 1)`);
  return Number(r!['n']);
}

const tolerated = (c: MergeClauses) => (c.matched.length === 0 && c.notMatchedBySource.length === 0) || (c.matched.length === 1 && c.matched[0]!.kind === 'delete' && c.matched[0]!.condition === undefined);

async function check(m: InMemoryMerge, duckOn: string, run: (m: InMemoryMerge) => Promise<Record<string, unknown>[]>): Promise<void> {
  let ours: Record<string, unknown>[] | undefined;
  try {
    ours = await run(m);
  } catch (e) {
    if (!isDeltaError(e, 'MERGE_CARDINALITY_VIOLATION')) throw e;
    expect(tolerated(m.clauses)).toBe(false);
    expect(await multiplyMatched(m, duckOn)).toBeGreaterThan(0);
    return;
  }
  if (!tolerated(m.clauses)) expect(await multiplyMatched(m, duckOn)).toBe(0);
  const theirs = await duckMerge({ ...m, condition: duckOn });
  expect(canonical(ours, COLS)).toEqual(canonical(theirs, COLS));
}

describe('MERGE property: same rows as DuckDB', () => {
  it('in memory (matcher over target batches of 1-3 rows)', async () => {
    await fc.assert(
      fc.asyncProperty(rows(8), rows(6), clauses, condition, fc.integer({ min: 1, max: 3 }), async (target, source, cl, on, batch) => {
        const m: InMemoryMerge = { target: { schema: KV, rows: target }, source: { schema: KV, rows: source }, condition: on.ours, clauses: cl, targetBatchRows: batch };
        await check(m, on.duck, async (x) => mergeInMemory(x).rows);
      }),
      { numRuns: 150 },
    );
  });

  it('on tables (2 files, deletion vectors on or off)', async () => {
    await fc.assert(
      fc.asyncProperty(rows(8), rows(6), clauses, condition, fc.boolean(), async (target, source, cl, on, dv) => {
        const m: InMemoryMerge = { target: { schema: KV, rows: target }, source: { schema: KV, rows: source }, condition: on.ours, clauses: cl };
        await check(m, on.duck, async (x) => {
          const table = await makeTable(x.target.rows, KV, { files: 2, properties: dv ? { 'delta.enableDeletionVectors': 'true' } : {} });
          let b = mergeInto(table.alias('t'), [rowsToBatch(x.source.rows, KV)], x.condition, { sourceAlias: 's' });
          for (const c of cl.matched) b = c.kind === 'delete' ? b.whenMatchedDelete(c) : c.kind === 'update' ? b.whenMatchedUpdate(c) : b.whenMatchedUpdateAll(c);
          for (const c of cl.notMatchedBySource) b = c.kind === 'delete' ? b.whenNotMatchedBySourceDelete(c) : b.whenNotMatchedBySourceUpdate(c);
          for (const c of cl.notMatched) b = c.kind === 'insert' ? b.whenNotMatchedInsert(c) : b.whenNotMatchedInsertAll(c);
          await b.execute();
          return readRows(table);
        });
      }),
      { numRuns: 25 },
    );
  });
});
