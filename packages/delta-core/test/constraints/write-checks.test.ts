/**
 * `compileWriteChecks(...).apply`, the contract DML (UPDATE, MERGE) and writes call on every batch
 * of new rows. Cases follow Delta Spark's GeneratedColumnSuite UPDATE tests: updating a generated
 * column to its correct / an incorrect value, updating a column a generated column reads.
 */
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import type { Metadata, Protocol } from '../../src/log/actions.js';
import { schemaToString } from '../../src/schema/json.js';
import type { StructField, StructType } from '../../src/schema/types.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { compileWriteChecks } from '../../src/write/checks.js';
import { rowsToBatch } from '../../src/write/rows-to-arrow.js';

const LONG = primitive('long');
const gen = (name: string, type: StructField['type'], expression: string): StructField => field(name, type, true, { 'delta.generationExpression': expression });

function metadataFor(schema: StructType, configuration: Record<string, string> = {}): Metadata {
  return { id: 'test', format: { provider: 'parquet', options: {} }, schemaString: schemaToString(schema), partitionColumns: [], configuration };
}

/** The rows of a batch as plain objects (bigint kept). */
function rows(batch: ReturnType<typeof rowsToBatch>): Record<string, unknown>[] {
  return batch.toArray().map((r) => ({ ...(r.toJSON() as Record<string, unknown>) }));
}

function thrown(fn: () => unknown): { code?: string; message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    if (isDeltaError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const schema = struct([field('c1', LONG), gen('c2_g', LONG, 'c1 + 10'), field('c6', primitive('integer'))]);
const checks = compileWriteChecks(metadataFor(schema, { 'delta.constraints.positive': 'c1 > 0' }), schema);

describe('compileWriteChecks().apply', () => {
  it('is active for a table with rules, and computes a generated column the batch lacks', () => {
    expect(checks.active).toBe(true);
    const out = checks.apply(rowsToBatch([{ c1: 1n, c6: 100 }], struct([field('c1', LONG), field('c6', primitive('integer'))])));
    expect(out.schema.fields.map((f) => f.name)).toEqual(['c1', 'c2_g', 'c6']);
    expect(rows(out)).toEqual([{ c1: 1n, c2_g: 11n, c6: 100 }]);
  });

  it('conforms the batch: column order, narrower types, missing nullable columns', () => {
    const out = checks.apply(tableFromArrays({ c6: Int32Array.from([5]), c1: Int32Array.from([2]) }).batches[0]!);
    expect(rows(out)).toEqual([{ c1: 2n, c2_g: 12n, c6: 5 }]);
  });

  it('UPDATE of a generated column to its correct value passes; to another value fails', () => {
    expect(rows(checks.apply(rowsToBatch([{ c1: 1n, c2_g: 11n, c6: 100 }], schema)))).toEqual([{ c1: 1n, c2_g: 11n, c6: 100 }]);
    const e = thrown(() => checks.apply(rowsToBatch([{ c1: 1n, c2_g: 12n, c6: 100 }], schema)));
    expect(e.code).toBe('CONSTRAINT_VIOLATION');
    expect(e.message).toContain('CHECK constraint Generated Column (c2_g <=> (c1 + 10)) violated by row with values');
  });

  it('UPDATE of a column a generated column reads: recomputeGenerated recomputes it', () => {
    // the updated row still carries the old generated value (11); c1 went from 1 to 2
    const updated = rowsToBatch([{ c1: 2n, c2_g: 11n, c6: 100 }], schema);
    expect(thrown(() => checks.apply(updated)).code).toBe('CONSTRAINT_VIOLATION');
    expect(rows(checks.apply(updated, { recomputeGenerated: ['C2_G'] }))).toEqual([{ c1: 2n, c2_g: 12n, c6: 100 }]);
  });

  it('recomputeGenerated may only name generated columns', () => {
    const e = thrown(() => checks.apply(rowsToBatch([{ c1: 2n, c2_g: 12n, c6: 1 }], schema), { recomputeGenerated: ['c1'] }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain('generated columns: c2_g');
  });

  it('a DML batch violating a CHECK constraint fails naming it, after generated columns are computed', () => {
    const e = thrown(() => checks.apply(rowsToBatch([{ c1: 3n, c2_g: 13n, c6: 1 }, { c1: -1n, c2_g: 9n, c6: 2 }], schema)));
    expect(e.code).toBe('CONSTRAINT_VIOLATION');
    expect(e.message).toContain('CHECK constraint positive (c1 > 0) violated by row with values:\n - c1 : -1');
  });

  it('an empty batch and a table without rules pass through, conformed', () => {
    expect(checks.apply(rowsToBatch([], schema)).numRows).toBe(0);
    const plain = struct([field('a', LONG)]);
    const none = compileWriteChecks(metadataFor(plain), plain);
    expect(none.active).toBe(false);
    const out = none.apply(tableFromArrays({ a: Int32Array.from([7]) }).batches[0]!);
    expect(out.schema.fields[0]!.type.toString()).toBe('Int64');
    expect(rows(out)).toEqual([{ a: 7n }]);
  });

  it('generation expressions are ignored when the protocol does not support generated columns (Delta Spark)', () => {
    const legacy: Protocol = { minReaderVersion: 1, minWriterVersion: 2 };
    const plain = compileWriteChecks(metadataFor(schema), schema, { protocol: legacy });
    expect(plain.active).toBe(false);
    expect(rows(plain.apply(rowsToBatch([{ c1: 1n, c2_g: 99n, c6: 1 }], schema)))).toEqual([{ c1: 1n, c2_g: 99n, c6: 1 }]);
    const v4 = compileWriteChecks(metadataFor(schema), schema, { protocol: { minReaderVersion: 1, minWriterVersion: 4 } });
    expect(v4.active).toBe(true);
  });

  it('casts to a date in the session time zone', () => {
    const s = struct([field('ts', primitive('timestamp')), gen('d', primitive('date'), 'CAST(ts AS DATE)')]);
    const input = struct([field('ts', primitive('timestamp'))]);
    const batch = rowsToBatch([{ ts: '2020-10-11T02:30:00Z' }], input);
    const utc = compileWriteChecks(metadataFor(s), s).apply(batch);
    const la = compileWriteChecks(metadataFor(s), s, { timeZone: 'America/Los_Angeles' }).apply(batch);
    const days = (b: typeof utc) => b.getChild('d')!.get(0) as number;
    expect(days(utc)).toBe(Date.parse('2020-10-11T00:00:00Z'));
    expect(days(la)).toBe(Date.parse('2020-10-10T00:00:00Z'));
  });

  it('a rule this library cannot evaluate fails when the checks are compiled, before any row', () => {
    const s = struct([field('a', LONG)]);
    const e = thrown(() => compileWriteChecks(metadataFor(s, { 'delta.constraints.odd': 'no_such_function(a)' }), s));
    expect(e.code).toBe('UNKNOWN_FUNCTION');
    expect(e.message).toContain('CHECK constraint odd (no_such_function(a)) cannot be bound to the table schema');
  });
});
