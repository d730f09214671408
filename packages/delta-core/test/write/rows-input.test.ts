import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { createTable } from '../../src/write/create-table.js';
import { rowsToBatch } from '../../src/write/rows-to-arrow.js';
import { writeTable } from '../../src/write/write-operation.js';
import { decimal, field, primitive, struct } from './schema-builders.js';
import { memoryEngine, readBack, snapshotOf } from './write-helpers.js';

const fail = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('plain JS rows are converted exactly or refused', () => {
  it('refuses numbers beyond 2^53 for long columns and asks for bigint', () => {
    const e = fail(() => rowsToBatch([{ l: 2 ** 60 }], struct([field('l', primitive('long'))])));
    expect(isDeltaError(e, 'PRECISION_LOSS')).toBe(true);
    expect((e as Error).message).toContain('bigint');
  });

  it('refuses decimals needing rounding or more digits than the precision', () => {
    const s = struct([field('d', decimal(5, 2))]);
    expect(isDeltaError(fail(() => rowsToBatch([{ d: '1.005' }], s)), 'PRECISION_LOSS')).toBe(true);
    expect(isDeltaError(fail(() => rowsToBatch([{ d: '1000.00' }], s)), 'INVALID_ARGUMENT')).toBe(true);
    expect(rowsToBatch([{ d: '999.99' }, { d: -1n }, { d: 0.5 }], s).numRows).toBe(3);
  });

  it('names the column and row of a value of the wrong kind', () => {
    const e = fail(() => rowsToBatch([{ s: { x: 1 } }, { s: { x: 'two' } }], struct([field('s', struct([field('x', primitive('integer'))]))])));
    expect(isDeltaError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect((e as Error).message).toMatch(/Column s\.x in row 1 is "two"/);
  });
});

describe('data files', () => {
  it('zstd files are named .zstd.parquet', async () => {
    const engine = memoryEngine();
    await writeTable(engine, '/t', tableFromArrays({ a: Int32Array.from([1, 2]) }), { compression: 'zstd' });
    const snap = await snapshotOf(engine, '/t');
    expect(snap.addFiles[0]!.path).toMatch(/^part-00000-[0-9a-f-]{36}-c000\.zstd\.parquet$/);
    expect((await readBack(engine, '/t')).numRows).toBe(2);
  });

  it('files flushed before a failure stay unreferenced: the table is unchanged', async () => {
    const engine = memoryEngine();
    const schema = struct([field('id', primitive('long'), false)]);
    await createTable(engine, '/t', { schema });
    await writeTable(engine, '/t', { rows: [{ id: 0n }], schema }, { mode: 'append' });
    const good = tableFromArrays({ id: BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i)) }).batches[0]!;
    const bad = rowsToBatch([{ id: 1n }, { id: null }], struct([field('id', primitive('long'))]));
    async function* stream() {
      yield good;
      yield good;
      yield bad;
    }
    const e = await writeTable(engine, '/t', stream(), { mode: 'append', targetFileSize: 1000 }).catch((x: unknown) => x);
    expect((e as Error).message).toContain('id: 1 row with null');
    expect(isDeltaError(e, 'SCHEMA_MISMATCH')).toBe(true);
    const parquetFiles: string[] = [];
    for await (const f of engine.store.list('/t', { recursive: true })) if (f.path.endsWith('.parquet')) parquetFiles.push(f.path);
    expect(parquetFiles.length).toBeGreaterThan(1); // files were written before the bad batch arrived
    const snap = await snapshotOf(engine, '/t');
    expect(snap.version).toBe(1);
    expect(snap.addFiles).toHaveLength(1);
    expect((await readBack(engine, '/t')).numRows).toBe(1);
  });
});

describe('implicit table creation', () => {
  it('makes every column nullable, as Spark does when saving a DataFrame', async () => {
    const engine = memoryEngine();
    await writeTable(engine, '/t', { rows: [{ id: 1n, s: { x: 1 } }], schema: struct([field('id', primitive('long'), false), field('s', struct([field('x', primitive('integer'), false)]), false)]) });
    const snap = await snapshotOf(engine, '/t');
    expect(snap.schema.fields.map((f) => f.nullable)).toEqual([true, true]);
    expect((snap.schema.fields[1]!.type as unknown as { fields: { nullable: boolean }[] }).fields[0]!.nullable).toBe(true);
  });
});
