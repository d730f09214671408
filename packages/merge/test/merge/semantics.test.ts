/**
 * MERGE analysis and runtime rules on real tables: clause structure errors, the multiple-match
 * error (and the unconditional DELETE that is allowed), schema evolution (top-level and nested),
 * store-assignment casts, commitInfo parameters. Expected rows come from DuckDB's MERGE INTO where
 * it can express the statement, else from the cases of Delta's suites.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RecordBatch } from 'apache-arrow';
import { field, isDeltaError, struct, type StructType } from '@deltakit/core';
import { rowsToBatch } from '@deltakit/core/internal';
import type { DeltaTable } from '../../src/index.js';
import { cleanup, commitInfo, makeTable, readRows } from '../helpers.js';
import { canonical, duckRows, duckRun, duckTable } from './helpers.js';

afterAll(cleanup);

const INT = { kind: 'primitive', name: 'integer' } as const;
const LONG = { kind: 'primitive', name: 'long' } as const;
const STR = { kind: 'primitive', name: 'string' } as const;
const KV: StructType = struct([field('key', INT), field('value', INT)]);
const kv = (pairs: [number, number][]) => pairs.map(([key, value]) => ({ key, value }));
const batch = (rows: readonly Record<string, unknown>[], schema: StructType): RecordBatch[] => [rowsToBatch(rows, schema)];

async function failure(p: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

describe('clause structure (Spark analysis errors)', () => {
  it('refuses a MERGE without clauses and a non-last clause without condition', async () => {
    const t = await makeTable(kv([[1, 1]]), KV);
    const m = t.alias('t').merge(batch(kv([[1, 10]]), KV), 't.key = s.key', { sourceAlias: 's' });
    const none = await failure(m.execute());
    expect(none.code).toBe('INVALID_ARGUMENT');
    expect(none.details?.['errorClass']).toBe('DELTA_MERGE_MISSING_WHEN');
    const twoMatched = await failure(m.whenMatchedDelete().whenMatchedUpdate({ set: { value: 's.value' } }).execute());
    expect(twoMatched.details?.['errorClass']).toBe('DELTA_NON_LAST_MATCHED_CLAUSE_OMIT_CONDITION');
    const twoInserts = await failure(m.whenNotMatchedInsertAll().whenNotMatchedInsertAll({ condition: 's.key > 1' }).execute());
    expect(twoInserts.details?.['errorClass']).toBe('DELTA_NON_LAST_NOT_MATCHED_CLAUSE_OMIT_CONDITION');
    const twoBySource = await failure(m.whenNotMatchedBySourceDelete().whenNotMatchedBySourceDelete({ condition: 't.key < 3' }).execute());
    expect(twoBySource.details?.['errorClass']).toBe('DELTA_NON_LAST_NOT_MATCHED_BY_SOURCE_CLAUSE_OMIT_CONDITION');
    expect((await t.snapshot()).version).toBe(1);
  });

  it('the builder is immutable: each call returns a new builder', async () => {
    const t = await makeTable(kv([[1, 1], [2, 2]]), KV);
    const base = t.alias('t').merge(batch(kv([[1, 10], [3, 30]]), KV), 't.key = s.key', { sourceAlias: 's' });
    const upsert = base.whenMatchedUpdateAll();
    const withInsert = upsert.whenNotMatchedInsertAll();
    expect(withInsert).not.toBe(upsert);
    const m = await upsert.execute();
    expect(m.numTargetRowsUpdated).toBe(1);
    expect(m.numTargetRowsInserted).toBe(0);
  });

  it('resolves columns with aliases: ambiguous unqualified names and target columns in NOT MATCHED clauses are errors', async () => {
    const t = await makeTable(kv([[1, 1]]), KV);
    const m = t.alias('t').merge(batch(kv([[1, 10]]), KV), 't.key = s.key', { sourceAlias: 's' });
    expect((await failure(m.whenMatchedUpdate({ set: { value: 'value' } }).execute())).code).toBe('AMBIGUOUS_REFERENCE');
    expect((await failure(m.whenNotMatchedInsert({ values: { key: 's.key', value: 't.value' } }).execute())).code).toBe('COLUMN_NOT_FOUND');
    expect((await failure(m.whenNotMatchedBySourceUpdate({ set: { value: 's.value' } }).execute())).code).toBe('COLUMN_NOT_FOUND');
    expect((await failure(m.whenMatchedUpdate({ set: { nope: 's.value' } }).execute())).code).toBe('COLUMN_NOT_FOUND');
  });
});

describe('multiple source rows matching one target row', () => {
  const source = kv([[0, 0], [1, 10], [1, 11], [2, 20]]);
  for (const [name, build] of [
    ['update', (b: ReturnType<DeltaTable['merge']>) => b.whenMatchedUpdate({ set: { value: 's.value' } })],
    ['conditional update (the condition is true for one of the pairs only)', (b: ReturnType<DeltaTable['merge']>) => b.whenMatchedUpdate({ condition: 's.value = 10', set: { value: 's.value' } })],
    ['conditional delete', (b: ReturnType<DeltaTable['merge']>) => b.whenMatchedDelete({ condition: 's.value = 10' })],
    ['not matched by source only', (b: ReturnType<DeltaTable['merge']>) => b.whenNotMatchedBySourceDelete()],
  ] as const) {
    it(`fails with ${name}; nothing is committed`, async () => {
      const t = await makeTable(kv([[1, 1], [2, 2]]), KV);
      const e = await failure(build(t.alias('t').merge(batch(source, KV), 't.key = s.key', { sourceAlias: 's' })).execute());
      expect(isDeltaError(e, 'MERGE_CARDINALITY_VIOLATION')).toBe(true);
      expect(e.message).toMatch(/matched more than one source row/);
      expect((await t.snapshot()).version).toBe(1);
      expect(canonical(await readRows(t), ['key', 'value'])).toEqual(canonical(kv([[1, 1], [2, 2]]), ['key', 'value']));
    });
  }

  it('an unconditional DELETE as the only MATCHED clause is allowed (each target row deleted once)', async () => {
    const t = await makeTable(kv([[1, 1], [2, 2], [3, 3]]), KV, { properties: { 'delta.enableChangeDataFeed': 'true' } });
    const m = await t.alias('t').merge(batch(kv([[1, 10], [1, 100], [3, 30], [3, 300], [4, 4]]), KV), 't.key = s.key', { sourceAlias: 's' }).whenMatchedDelete().whenNotMatchedInsertAll().execute();
    expect(canonical(await readRows(t), ['key', 'value'])).toEqual(canonical(kv([[2, 2], [4, 4]]), ['key', 'value']));
    expect(m.numTargetRowsDeleted).toBe(2);
    expect(m.numTargetRowsInserted).toBe(1);
  });

  it('insert-only merges never fail on multiple matches', async () => {
    const t = await makeTable(kv([[1, 1]]), KV);
    await t.alias('t').merge(batch(kv([[1, 10], [1, 11], [2, 20], [2, 21]]), KV), 't.key = s.key', { sourceAlias: 's' }).whenNotMatchedInsertAll().execute();
    expect(canonical(await readRows(t), ['key', 'value'])).toEqual(canonical(kv([[1, 1], [2, 20], [2, 21]]), ['key', 'value']));
  });
});

describe('schema evolution', () => {
  const SRC: StructType = struct([field('key', INT), field('value', INT), field('extra', STR)]);
  const source = [
    { key: 1, value: 10, extra: 'x1' },
    { key: 3, value: 30, extra: 'x3' },
  ];

  it('without evolution, * ignores source-only columns and explicit new columns are refused', async () => {
    const t = await makeTable(kv([[1, 1], [2, 2]]), KV);
    await t.alias('t').merge(batch(source, SRC), 't.key = s.key', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    expect(canonical(await readRows(t), ['key', 'value'])).toEqual(canonical(kv([[1, 10], [2, 2], [3, 30]]), ['key', 'value']));
    expect((await t.snapshot()).schema.fields.map((f) => f.name)).toEqual(['key', 'value']);
    const e = await failure(t.alias('t').merge(batch(source, SRC), 't.key = s.key', { sourceAlias: 's' }).whenMatchedUpdate({ set: { extra: 's.extra' } }).execute());
    expect(e.code).toBe('COLUMN_NOT_FOUND');
  });

  it('* with evolution adds source columns; target columns missing from the source are kept (UPDATE) or null (INSERT)', async () => {
    const T3: StructType = struct([field('key', INT), field('value', INT), field('other', INT)]);
    const target = [
      { key: 1, value: 1, other: 100 },
      { key: 2, value: 2, other: 200 },
    ];
    const t = await makeTable(target, T3);
    const m = await t.alias('t').merge(batch(source, SRC), 't.key = s.key', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().withSchemaEvolution().execute();
    const snap = await t.snapshot();
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['key', 'value', 'other', 'extra']);
    expect(commitInfo(t.tableRoot, m.version)['operation']).toBe('MERGE');
    // DuckDB: the same statement after adding the column.
    await duckTable('evo_t', T3, target);
    await duckTable('evo_s', SRC, source);
    await duckRun('ALTER TABLE evo_t ADD COLUMN extra VARCHAR');
    await duckRun(
      'MERGE INTO evo_t AS t USING evo_s AS s ON t.key = s.key WHEN MATCHED THEN UPDATE SET key = s.key, value = s.value, extra = s.extra WHEN NOT MATCHED THEN INSERT (key, value, extra) VALUES (s.key, s.value, s.extra)',
    );
    const cols = ['key', 'value', 'other', 'extra'];
    expect(canonical(await readRows(t), cols)).toEqual(canonical(await duckRows('SELECT * FROM evo_t'), cols));
  });

  it('explicit assignment to a new column with evolution (the column takes the source type)', async () => {
    const t = await makeTable(kv([[1, 1], [2, 2]]), KV);
    await t.alias('t').merge(batch(source, SRC), 't.key = s.key', { sourceAlias: 's' }).whenMatchedUpdate({ set: { extra: 's.extra' } }).withSchemaEvolution().execute();
    const snap = await t.snapshot();
    expect(snap.schema.fields.find((f) => f.name === 'extra')?.type).toEqual(STR);
    expect(canonical(await readRows(t), ['key', 'value', 'extra'])).toEqual(canonical([{ key: 1, value: 1, extra: 'x1' }, { key: 2, value: 2, extra: null }], ['key', 'value', 'extra']));
  });

  it('nested: new struct fields from the source; UPDATE * keeps target-only fields, INSERT * nulls them', async () => {
    // As Delta's MergeIntoSchemaEvolutionSuite "new nested field": target s struct<a,b>, source s struct<a,c>.
    const TS: StructType = struct([field('key', INT), field('s', struct([field('a', INT), field('b', INT)]))]);
    const SS: StructType = struct([field('key', INT), field('s', struct([field('a', INT), field('c', INT)]))]);
    const t = await makeTable(
      [
        { key: 1, s: { a: 1, b: 11 } },
        { key: 2, s: { a: 2, b: 22 } },
      ],
      TS,
    );
    await t
      .alias('t')
      .merge(
        batch(
          [
            { key: 1, s: { a: 10, c: 100 } },
            { key: 3, s: { a: 30, c: 300 } },
          ],
          SS,
        ),
        't.key = s.key',
        { sourceAlias: 's' },
      )
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .withSchemaEvolution()
      .execute();
    const snap = await t.snapshot();
    const sType = snap.schema.fields.find((f) => f.name === 's')!.type as StructType;
    expect(sType.fields.map((f) => f.name)).toEqual(['a', 'b', 'c']);
    const rows = await readRows(t);
    expect(rows).toEqual([
      { key: 1, s: { a: 10, b: 11, c: 100 } },
      { key: 2, s: { a: 2, b: 22, c: null } },
      { key: 3, s: { a: 30, b: null, c: 300 } },
    ]);
  });

  it('nested assignment a.b keeps the other fields; without evolution a struct missing a field is refused', async () => {
    const TS: StructType = struct([field('key', INT), field('s', struct([field('a', INT), field('b', INT)]))]);
    const t = await makeTable([{ key: 1, s: { a: 1, b: 11 } }, { key: 2, s: null }], TS);
    await t.alias('t').merge(batch(kv([[1, 5], [2, 6]]), KV), 't.key = s.key', { sourceAlias: 's' }).whenMatchedUpdate({ set: { 's.a': 's.value' } }).execute();
    // Spark rebuilds the struct: a null struct becomes a struct with the other fields null.
    expect(await readRows(t)).toEqual([
      { key: 1, s: { a: 5, b: 11 } },
      { key: 2, s: { a: 6, b: null } },
    ]);
    const SS: StructType = struct([field('key', INT), field('s', struct([field('a', INT)]))]);
    const e = await failure(t.alias('t').merge(batch([{ key: 1, s: { a: 7 } }], SS), 't.key = s.key', { sourceAlias: 's' }).whenMatchedUpdateAll().execute());
    expect(e.code).toBe('SCHEMA_MISMATCH');
  });
});

describe('store assignment', () => {
  it('casts values to the column type; overflow and malformed values fail the MERGE', async () => {
    const T: StructType = struct([field('key', INT), field('value', INT)]);
    const S: StructType = struct([field('key', INT), field('big', LONG), field('text', STR)]);
    const t = await makeTable(kv([[1, 1], [2, 2]]), T);
    const src = batch(
      [
        { key: 1, big: 7n, text: '8' },
        { key: 2, big: 5_000_000_000n, text: 'x' },
      ],
      S,
    );
    const m = t.alias('t').merge(src, 't.key = s.key', { sourceAlias: 's' });
    const overflow = await failure(m.whenMatchedUpdate({ set: { value: 's.big' } }).execute());
    expect(overflow.details?.['errorClass']).toBe('DELTA_CAST_OVERFLOW_IN_TABLE_WRITE');
    const malformed = await failure(m.whenMatchedUpdate({ set: { value: 's.text' } }).execute());
    expect(malformed.details?.['errorClass']).toBe('CAST_INVALID_INPUT');
    expect((await t.snapshot()).version).toBe(1);
    await t.alias('t').merge(src, 't.key = s.key', { sourceAlias: 's' }).whenMatchedUpdate({ condition: 's.key = 1', set: { value: 's.text' } }).execute();
    expect(canonical(await readRows(t), ['key', 'value'])).toEqual(canonical(kv([[1, 8], [2, 2]]), ['key', 'value']));
  });
});

describe('source', () => {
  it('accepts an Arrow Table, an array and an async iterable of record batches', async () => {
    const { Table } = await import('apache-arrow');
    const rows = kv([[1, 10], [5, 50]]);
    const forms = [new Table(batch(rows, KV)), batch(rows, KV), (async function* () { for (const r of rows) yield rowsToBatch([r], KV); })()];
    for (const form of forms) {
      const t = await makeTable(kv([[1, 1], [2, 2]]), KV);
      const m = await t.alias('t').merge(form, 't.key = s.key', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
      expect(m.numSourceRows).toBe(2);
      expect(canonical(await readRows(t), ['key', 'value'])).toEqual(canonical(kv([[1, 10], [2, 2], [5, 50]]), ['key', 'value']));
    }
  });

  it('a source over maxSourceBytes fails with LIMIT_EXCEEDED while it is read, before anything is done', async () => {
    const t = await makeTable(kv([[1, 1]]), KV);
    let produced = 0;
    async function* big() {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield rowsToBatch(kv(Array.from({ length: 1000 }, (_, j) => [i * 1000 + j, 0] as [number, number])), KV);
      }
    }
    const e = await failure(t.alias('t').merge(big(), 't.key = s.key', { sourceAlias: 's', maxSourceBytes: 1_000_000 }).whenMatchedDelete().execute());
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toMatch(/maxSourceBytes/);
    expect(produced).toBeLessThan(20); // stopped reading early: 1000 rows take 8 KB of Arrow data + 64 KB of index
    expect((await t.snapshot()).version).toBe(1);
  });
});

describe('SQL text', () => {
  it('conditions and values are parsed as Spark SQL expressions', async () => {
    const t = await makeTable(kv([[1, 1], [2, 2], [3, 3]]), KV);
    await t
      .alias('t')
      .merge(batch(kv([[1, 10], [2, 20], [4, 40]]), KV), 't.key = s.key', { sourceAlias: 's' })
      .whenMatchedUpdate({ condition: 's.value % 20 <> 0', set: { value: 't.value + s.value * 2' } })
      .whenNotMatchedInsert({ values: { key: 's.key', value: 'CASE WHEN s.value > 30 THEN -s.value ELSE 0 END' } })
      .whenNotMatchedBySourceUpdate({ set: { value: 'coalesce(t.value, 0) - 100' } })
      .execute();
    await duckTable('sql_t', KV, kv([[1, 1], [2, 2], [3, 3]]));
    await duckTable('sql_s', KV, kv([[1, 10], [2, 20], [4, 40]]));
    await duckRun(
      'MERGE INTO sql_t AS t USING sql_s AS s ON t.key = s.key WHEN MATCHED AND s.value % 20 <> 0 THEN UPDATE SET value = t.value + s.value * 2 WHEN NOT MATCHED THEN INSERT (key, value) VALUES (s.key, CASE WHEN s.value > 30 THEN -s.value ELSE 0 END) WHEN NOT MATCHED BY SOURCE THEN UPDATE SET value = coalesce(t.value, 0) - 100',
    );
    expect(canonical(await readRows(t), ['key', 'value'])).toEqual(canonical(await duckRows('SELECT * FROM sql_t'), ['key', 'value']));
  });
});

describe('commitInfo', () => {
  it("records operation parameters as Spark's JSON text", async () => {
    const t = await makeTable(kv([[1, 1], [2, 2]]), KV);
    const m = await t
      .alias('t')
      .merge(batch(kv([[1, 10], [3, 30]]), KV), 't.key = s.key', { sourceAlias: 's' })
      .whenMatchedUpdate({ condition: 's.value > 5', set: { value: 's.value' } })
      .whenMatchedDelete()
      .whenNotMatchedInsertAll()
      .whenNotMatchedBySourceDelete({ condition: 't.value = 2' })
      .execute();
    const info = commitInfo(t.tableRoot, m.version);
    const p = info['operationParameters'] as Record<string, string>;
    expect(JSON.parse(p['predicate']!)).toEqual(['(t.key = s.key)']);
    expect(JSON.parse(p['matchedPredicates']!)).toEqual([{ predicate: '(s.value > 5)', actionType: 'update' }, { actionType: 'delete' }]);
    expect(JSON.parse(p['notMatchedPredicates']!)).toEqual([{ actionType: 'insert' }]);
    expect(JSON.parse(p['notMatchedBySourcePredicates']!)).toEqual([{ predicate: '(t.value = 2)', actionType: 'delete' }]);
    const om = info['operationMetrics'] as Record<string, string>;
    for (const k of ['numSourceRows', 'numTargetRowsInserted', 'numTargetRowsUpdated', 'numTargetRowsMatchedUpdated', 'numTargetRowsNotMatchedBySourceUpdated', 'numTargetRowsDeleted', 'numTargetRowsMatchedDeleted', 'numTargetRowsNotMatchedBySourceDeleted', 'numTargetRowsCopied', 'numOutputRows', 'numTargetFilesAdded', 'numTargetFilesRemoved', 'numTargetChangeFilesAdded', 'numTargetDeletionVectorsAdded', 'numTargetDeletionVectorsRemoved', 'numTargetDeletionVectorsUpdated', 'numTargetBytesAdded', 'numTargetBytesRemoved', 'executionTimeMs', 'scanTimeMs', 'rewriteTimeMs']) {
      expect(om[k], k).toBeTypeOf('string');
    }
    expect(om['numTargetRowsMatchedUpdated']).toBe('1');
    expect(om['numTargetRowsNotMatchedBySourceDeleted']).toBe('1');
    expect(om['numTargetRowsInserted']).toBe('1');
    expect(om['numTargetRowsCopied']).toBe('0');
    expect(canonical(await readRows(t), ['key', 'value'])).toEqual(canonical(kv([[1, 10], [3, 30]]), ['key', 'value']));
  });
});
