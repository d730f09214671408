/**
 * MERGE on real tables: every clause type on partitioned and unpartitioned targets, with deletion
 * vectors on and off and with the change data feed. Each result is checked against DuckDB's
 * MERGE INTO on the same data, read back with our reader, and the commit's change data replayed
 * on the old rows must give the new rows.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { field, struct, type StructType } from '@deltakit/core';
import { rowsToBatch } from '@deltakit/core/internal';
import { mergeInto, type DeltaTable, type MergeBuilder } from '../../src/index.js';
import type { MergeClauses } from '../../src/merge/clauses.js';
import { tableChanges } from '@deltakit/cdf';
import { cdcRows, cleanup, commitActions, commitInfo, makeTable, normalize, readRows } from '../helpers.js';
import { canonical, duckMerge } from './helpers.js';

afterAll(cleanup);

const SCHEMA: StructType = struct([
  field('key', { kind: 'primitive', name: 'long' }),
  field('value', { kind: 'primitive', name: 'integer' }),
  field('part', { kind: 'primitive', name: 'string' }),
]);
const COLS = ['key', 'value', 'part'];

const target = Array.from({ length: 40 }, (_, i) => ({ key: BigInt(i), value: i * 10, part: i % 3 === 0 ? 'a' : i % 3 === 1 ? 'b' : null }));
const source = [
  ...Array.from({ length: 10 }, (_, i) => ({ key: BigInt(i * 4), value: 1000 + i, part: 'a' })),
  ...Array.from({ length: 5 }, (_, i) => ({ key: BigInt(100 + i), value: 2000 + i, part: i % 2 ? 'b' : 'c' })),
];

interface Case {
  readonly name: string;
  readonly clauses: MergeClauses;
  readonly build: (b: MergeBuilder) => MergeBuilder;
}

const c = (m: Partial<MergeClauses>): MergeClauses => ({ matched: [], notMatched: [], notMatchedBySource: [], ...m });

const CASES: Case[] = [
  {
    name: 'update + insert (upsert)',
    clauses: c({ matched: [{ kind: 'updateAll' }], notMatched: [{ kind: 'insertAll' }] }),
    build: (b) => b.whenMatchedUpdateAll().whenNotMatchedInsertAll(),
  },
  {
    name: 'conditional update, delete, conditional insert',
    clauses: c({ matched: [{ kind: 'update', condition: 's.value < 1005', set: { value: 's.value' } }, { kind: 'delete' }], notMatched: [{ kind: 'insert', condition: "s.part = 'c'", values: { key: 's.key', value: 's.value' } }] }),
    build: (b) =>
      b
        .whenMatchedUpdate({ condition: 's.value < 1005', set: { value: 's.value' } })
        .whenMatchedDelete()
        .whenNotMatchedInsert({ condition: "s.part = 'c'", values: { key: 's.key', value: 's.value' } }),
  },
  {
    name: 'not matched by source update and delete',
    clauses: c({ matched: [{ kind: 'update', set: { part: 's.part' } }], notMatchedBySource: [{ kind: 'update', condition: 't.key < 10', set: { value: 't.key' } }, { kind: 'delete', condition: "t.part = 'b'" }] }),
    build: (b) =>
      b
        .whenMatchedUpdate({ set: { part: 's.part' } })
        .whenNotMatchedBySourceUpdate({ condition: 't.key < 10', set: { value: 't.key' } })
        .whenNotMatchedBySourceDelete({ condition: "t.part = 'b'" }),
  },
  { name: 'only delete', clauses: c({ matched: [{ kind: 'delete', condition: 's.value > 1003' }] }), build: (b) => b.whenMatchedDelete({ condition: 's.value > 1003' }) },
  { name: 'insert only', clauses: c({ notMatched: [{ kind: 'insertAll' }] }), build: (b) => b.whenNotMatchedInsertAll() },
];

const LAYOUTS = [
  { name: 'unpartitioned', partitionBy: undefined, dv: false },
  { name: 'partitioned', partitionBy: ['part'], dv: false },
  { name: 'unpartitioned with deletion vectors', partitionBy: undefined, dv: true },
  { name: 'partitioned with deletion vectors', partitionBy: ['part'], dv: true },
];

type Row = Record<string, unknown>;

/** Replays a commit's change rows on the old rows. */
function applyChanges(old: readonly Row[], changes: readonly Row[]): Row[] {
  const key = (r: Row) => JSON.stringify(COLS.map((k) => (typeof r[k] === 'bigint' ? Number(r[k]) : (r[k] ?? null))));
  const out = new Map<string, number>();
  for (const r of old) out.set(key(r), (out.get(key(r)) ?? 0) + 1);
  for (const ch of changes) {
    const k = key(ch);
    const t = ch['_change_type'];
    if (t === 'delete' || t === 'update_preimage') {
      expect(out.get(k) ?? 0, `a ${String(t)} change row exists in the old table`).toBeGreaterThan(0);
      out.set(k, out.get(k)! - 1);
    } else out.set(k, (out.get(k) ?? 0) + 1);
  }
  return [...out].flatMap(([k, n]) => Array.from({ length: n }, () => Object.fromEntries(COLS.map((c, i) => [c, (JSON.parse(k) as unknown[])[i]]))));
}

async function feed(table: DeltaTable, version: number): Promise<Row[]> {
  const t = await tableChanges(table, { startingVersion: version, endingVersion: version }).toTable();
  return t.toArray().map((r) => normalize(r.toJSON()));
}

describe('MERGE on tables', () => {
  for (const layout of LAYOUTS) {
    for (const cdf of [false, true]) {
      describe(`${layout.name}${cdf ? ', change data feed' : ''}`, () => {
        for (const tc of CASES) {
          it(tc.name, async () => {
            const properties: Record<string, string> = {};
            if (layout.dv) properties['delta.enableDeletionVectors'] = 'true';
            if (cdf) properties['delta.enableChangeDataFeed'] = 'true';
            const table: DeltaTable = await makeTable(target, SCHEMA, { files: 3, properties, ...(layout.partitionBy ? { partitionBy: layout.partitionBy } : {}) });
            const before = await table.snapshot();
            const metrics = await tc.build(mergeInto(table.alias('t'), [rowsToBatch(source, SCHEMA)], 's.key = t.key', { sourceAlias: 's' })).execute();

            const expected = await duckMerge({ target: { schema: SCHEMA, rows: target }, source: { schema: SCHEMA, rows: source }, condition: 's.key = t.key', clauses: tc.clauses });
            const after = await readRows(table);
            expect(canonical(after, COLS)).toEqual(canonical(expected, COLS));
            expect(metrics.version).toBe(before.version + 1);

            const root = table.tableRoot;
            const info = commitInfo(root, metrics.version);
            expect(info['operation']).toBe('MERGE');
            const om = info['operationMetrics'] as Record<string, string>;
            expect(om['numSourceRows']).toBe(String(source.length));
            expect(Number(om['numTargetRowsInserted'])).toBe(metrics.numTargetRowsInserted);
            expect(Number(om['numOutputRows'])).toBe(metrics.numTargetRowsInserted + metrics.numTargetRowsUpdated + metrics.numTargetRowsCopied);
            const actions = commitActions(root, metrics.version);
            const removes = actions.filter((a) => 'remove' in a).length;
            if (tc.name === 'insert only') expect(removes).toBe(0);
            if (layout.dv && metrics.numTargetRowsUpdated + metrics.numTargetRowsDeleted > 0) {
              expect(actions.some((a) => 'add' in a && (a.add as { deletionVector?: unknown }).deletionVector !== undefined)).toBe(true);
              expect(metrics.numTargetRowsCopied).toBe(0);
            }
            const cdc = actions.filter((a) => 'cdc' in a);
            const changedTarget = metrics.numTargetRowsUpdated + metrics.numTargetRowsDeleted > 0;
            expect(cdc.length > 0).toBe(cdf && changedTarget);
            if (cdc.length > 0) expect(canonical(await cdcRows(root, metrics.version, { part: 'VARCHAR' }), [...COLS, '_change_type'])).toEqual(canonical(await feed(table, metrics.version), [...COLS, '_change_type']));
            if (cdf) {
              // The change data feed as @deltakit/cdf reads it (from cdc files, or from adds/removes when there are none).
              const changes = await feed(table, metrics.version);
              const count = (t: string) => changes.filter((r) => r['_change_type'] === t).length;
              expect(count('insert')).toBe(metrics.numTargetRowsInserted);
              expect(count('update_preimage')).toBe(metrics.numTargetRowsUpdated);
              expect(count('update_postimage')).toBe(metrics.numTargetRowsUpdated);
              expect(count('delete')).toBe(metrics.numTargetRowsDeleted);
              expect(canonical(applyChanges(target, changes), COLS)).toEqual(canonical(expected, COLS));
            }
          });
        }
      });
    }
  }
});
