import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isDeltaError } from '../../src/errors.js';
import { field, primitive, struct } from '../../src/schema/types.js';
import { writeTable } from '../../src/write/write-operation.js';
import { commitActions, memoryEngine, readBack, rowsOf, snapshotOf, sortBy } from './write-helpers.js';

const ROOT = '/t';
const schema = struct([field('id', primitive('long')), field('part', primitive('string')), field('v', primitive('double'))]);
const rows = (ids: number[], part: string) => ids.map((id) => ({ id: BigInt(id), part, v: id / 2 }));

describe('writeTable modes', () => {
  it('creates a table from rows and reads them back', async () => {
    const engine = memoryEngine();
    const r = await writeTable(engine, ROOT, { rows: rows([1, 2, 3], 'a'), schema }, { partitionBy: ['part'] });
    expect(r).toMatchObject({ version: 0, skipped: false, numFiles: 1, numOutputRows: 3 });
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id')).toEqual([
      { id: 1n, part: 'a', v: 0.5 },
      { id: 2n, part: 'a', v: 1 },
      { id: 3n, part: 'a', v: 1.5 },
    ]);
    const actions = await commitActions(engine, ROOT, 0);
    const kinds = actions.map((a) => a.kind);
    expect(kinds.slice(0, 3)).toEqual(['commitInfo', 'protocol', 'metaData']);
    const ci = actions[0]!.kind === 'commitInfo' ? actions[0]!.commitInfo : undefined;
    expect(ci?.operation).toBe('WRITE');
    expect(ci?.operationParameters).toMatchObject({ mode: 'ErrorIfExists', partitionBy: '["part"]' });
    expect(ci?.operationMetrics).toMatchObject({ numFiles: '1', numOutputRows: '3' });
    const add = actions.find((a) => a.kind === 'add');
    expect(add?.kind === 'add' && add.add.path).toMatch(/^part=a\/part-00000-[0-9a-f-]{36}-c000\.snappy\.parquet$/);
    expect(add?.kind === 'add' && add.add.partitionValues).toEqual({ part: 'a' });
    expect(add?.kind === 'add' && JSON.parse(add.add.stats!)).toEqual({ numRecords: 3, minValues: { id: 1, v: 0.5 }, maxValues: { id: 3, v: 1.5 }, nullCount: { id: 0, v: 0 } });
  });

  it('errorIfExists refuses an existing table and ignore skips it', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: rows([1], 'a'), schema });
    const e = await writeTable(engine, ROOT, { rows: rows([2], 'a'), schema }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'TABLE_ALREADY_EXISTS')).toBe(true);
    const r = await writeTable(engine, ROOT, { rows: rows([2], 'a'), schema }, { mode: 'ignore' });
    expect(r).toMatchObject({ skipped: true, version: 0 });
    expect((await snapshotOf(engine, ROOT)).version).toBe(0);
  });

  it('append adds rows; overwrite replaces them', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: rows([1, 2], 'a'), schema }, { mode: 'append' });
    await writeTable(engine, ROOT, tableFromArrays({ id: BigInt64Array.from([3n]), part: ['b'], v: Float64Array.from([9]) }), { mode: 'append' });
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id').map((r) => r.id)).toEqual([1n, 2n, 3n]);
    const r = await writeTable(engine, ROOT, { rows: rows([7], 'z'), schema }, { mode: 'overwrite' });
    expect(r.version).toBe(2);
    expect(rowsOf(await readBack(engine, ROOT))).toEqual([{ id: 7n, part: 'z', v: 3.5 }]);
    const removes = (await commitActions(engine, ROOT, 2)).filter((a) => a.kind === 'remove');
    expect(removes).toHaveLength(2);
    // time travel still sees the old rows
    expect(rowsOf(await readBack(engine, ROOT, 1))).toHaveLength(3);
  });
});

describe('overwrite variants', () => {
  const setup = async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: [...rows([1, 2], 'a'), ...rows([3, 4], 'b'), ...rows([5], 'c')], schema }, { partitionBy: ['part'] });
    return engine;
  };
  const ids = async (engine: ReturnType<typeof memoryEngine>) => sortBy(rowsOf(await readBack(engine, ROOT)), 'id').map((r) => `${r.part}${r.id}`);

  it('replaceWhere on a partition column replaces only the matching partitions', async () => {
    const engine = await setup();
    const r = await writeTable(engine, ROOT, { rows: rows([10, 11], 'b'), schema }, { mode: 'overwrite', replaceWhere: "part = 'b'" });
    expect(await ids(engine)).toEqual(['a1', 'a2', 'c5', 'b10', 'b11']);
    const actions = await commitActions(engine, ROOT, r.version);
    const removed = actions.flatMap((a) => (a.kind === 'remove' ? [a.remove] : []));
    expect(removed.map((x) => x.partitionValues)).toEqual([{ part: 'b' }]);
    const ci = actions[0]!.kind === 'commitInfo' ? actions[0]!.commitInfo : undefined;
    expect(ci?.operationParameters).toMatchObject({ mode: 'Overwrite', predicate: '["part = \'b\'"]' });
  });

  it('replaceWhere refuses rows outside the predicate, naming how many, and leaves the table as it was', async () => {
    const engine = await setup();
    const e = await writeTable(engine, ROOT, { rows: [...rows([10], 'b'), ...rows([11, 12], 'x')], schema }, { mode: 'overwrite', replaceWhere: "part = 'b'" }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'INVALID_WRITE')).toBe(true);
    expect((e as Error).message).toMatch(/^2 rows of the data do not match replaceWhere/);
    expect((await snapshotOf(engine, ROOT)).version).toBe(0);
    expect(await ids(engine)).toEqual(['a1', 'a2', 'b3', 'b4', 'c5']);
  });

  it('replaceWhere on a data column rewrites files keeping the rows that do not match', async () => {
    const engine = await setup();
    const r = await writeTable(engine, ROOT, { rows: [{ id: 2n, part: 'a', v: 99 }], schema }, { mode: 'overwrite', replaceWhere: 'id >= 2 AND id <= 3' });
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id')).toEqual([
      { id: 1n, part: 'a', v: 0.5 },
      { id: 2n, part: 'a', v: 99 },
      { id: 4n, part: 'b', v: 2 },
      { id: 5n, part: 'c', v: 2.5 },
    ]);
    const actions = await commitActions(engine, ROOT, r.version);
    // files of partitions a and b may hold matching rows; c's stats rule it out
    expect(actions.filter((a) => a.kind === 'remove')).toHaveLength(2);
    expect(r.numOutputRows).toBe(3); // one new row + a1 and b4 copied
  });

  it('dynamic partition overwrite replaces only partitions present in the data', async () => {
    const engine = await setup();
    await writeTable(engine, ROOT, { rows: [...rows([20], 'a'), ...rows([21], 'd')], schema }, { mode: 'overwrite', partitionOverwriteMode: 'dynamic' });
    expect(await ids(engine)).toEqual(['b3', 'b4', 'c5', 'a20', 'd21']);
  });

  it('static overwrite replaces every partition', async () => {
    const engine = await setup();
    await writeTable(engine, ROOT, { rows: rows([20], 'a'), schema }, { mode: 'overwrite' });
    expect(await ids(engine)).toEqual(['a20']);
  });
});

describe('idempotent application transactions', () => {
  it('skips a version already applied and commits the txn action otherwise', async () => {
    const engine = memoryEngine();
    const app = (version: bigint) => ({ mode: 'append' as const, appTransaction: { appId: 'job', version } });
    const first = await writeTable(engine, ROOT, { rows: rows([1], 'a'), schema }, app(5n));
    expect(first.skipped).toBe(false);
    const txn = (await commitActions(engine, ROOT, 0)).find((a) => a.kind === 'txn');
    expect(txn?.kind === 'txn' && { appId: txn.txn.appId, version: txn.txn.version }).toEqual({ appId: 'job', version: 5n });
    expect(await writeTable(engine, ROOT, { rows: rows([2], 'a'), schema }, app(5n))).toMatchObject({ skipped: true, version: 0 });
    expect(await writeTable(engine, ROOT, { rows: rows([2], 'a'), schema }, app(4n))).toMatchObject({ skipped: true, version: 0 });
    expect(await writeTable(engine, ROOT, { rows: rows([3], 'a'), schema }, app(6n))).toMatchObject({ skipped: false, version: 1 });
    expect((await snapshotOf(engine, ROOT)).appTransactions.get('job')).toBe(6n);
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id').map((r) => r.id)).toEqual([1n, 3n]);
  });
});

describe('failures leave the table untouched', () => {
  it('an aborted write commits nothing', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: rows([1], 'a'), schema });
    const ctrl = new AbortController();
    async function* batches() {
      const t = tableFromArrays({ id: BigInt64Array.from([2n]), part: ['a'], v: Float64Array.from([1]) });
      yield t.batches[0]!;
      ctrl.abort();
      yield t.batches[0]!;
    }
    const e = await writeTable(engine, ROOT, batches(), { mode: 'append', signal: ctrl.signal }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'CANCELLED')).toBe(true);
    expect((await snapshotOf(engine, ROOT)).version).toBe(0);
    expect(rowsOf(await readBack(engine, ROOT))).toHaveLength(1);
  });

  it('a table path that is a file is refused with NOT_A_DIRECTORY', async () => {
    const engine = memoryEngine();
    await engine.store.put('/file', new Uint8Array([1, 2, 3]));
    const e = await writeTable(engine, '/file', { rows: rows([1], 'a'), schema }).catch((x: unknown) => x);
    expect(isDeltaError(e, 'NOT_A_DIRECTORY')).toBe(true);
  });

  it('streams many batches into several files of about the target size', async () => {
    const engine = memoryEngine();
    async function* batches() {
      for (let b = 0; b < 20; b++) {
        const n = 5000;
        const id = new BigInt64Array(n);
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          id[i] = BigInt(b * n + i);
          v[i] = Math.sin(b * n + i);
        }
        yield tableFromArrays({ id, v }).batches[0]!;
      }
    }
    const progress: number[] = [];
    const r = await writeTable(engine, ROOT, batches(), { targetFileSize: 200_000, onProgress: (n) => progress.push(n) });
    expect(r.numOutputRows).toBe(100_000);
    expect(progress.at(-1)).toBe(100_000);
    expect(r.numFiles).toBeGreaterThan(3);
    const snap = await snapshotOf(engine, ROOT);
    const sizes = snap.addFiles.map((a) => a.size);
    // every file but the last is within a factor of two of the target
    for (const s of sizes.slice(0, -1)) expect(s).toBeLessThan(400_000);
    const total = snap.addFiles.reduce((n, a) => n + (JSON.parse(a.stats!) as { numRecords: number }).numRecords, 0);
    expect(total).toBe(100_000);
    const t = await readBack(engine, ROOT);
    expect(t.numRows).toBe(100_000);
  });
});

describe('replaceWhere on change-data-feed tables', () => {
  it('partition predicates remove whole files and write no change data', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: [...rows([1], 'a'), ...rows([2], 'b')], schema }, { partitionBy: ['part'], properties: { 'delta.enableChangeDataFeed': 'true' } });
    const r = await writeTable(engine, ROOT, { rows: rows([9], 'a'), schema }, { mode: 'overwrite', replaceWhere: "part = 'a'" });
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id').map((r) => r.id)).toEqual([2n, 9n]);
    expect((await commitActions(engine, ROOT, r.version)).some((a) => a.kind === 'cdc')).toBe(false);
  });

  it('a data-column replaceWhere writes the replaced rows as delete and the new rows as insert, copied rows not at all', async () => {
    const engine = memoryEngine();
    await writeTable(engine, ROOT, { rows: [...rows([1, 2, 3], 'a'), ...rows([4, 5], 'b')], schema }, { partitionBy: ['part'], properties: { 'delta.enableChangeDataFeed': 'true' } });
    const r = await writeTable(engine, ROOT, { rows: [...rows([2], 'a'), ...rows([20, 30], 'b')], schema }, { mode: 'overwrite', replaceWhere: 'id >= 2 AND id <= 40' });
    expect(sortBy(rowsOf(await readBack(engine, ROOT)), 'id').map((r) => r.id)).toEqual([1n, 2n, 20n, 30n]);
    const actions = await commitActions(engine, ROOT, r.version);
    const cdc = actions.flatMap((a) => (a.kind === 'cdc' ? [a.cdc] : []));
    expect(cdc.length).toBeGreaterThan(0);
    const changes: { id: bigint; part: string | null; type: string }[] = [];
    for (const c of cdc) {
      expect(c.dataChange).toBe(false);
      expect(c.path.startsWith('_change_data/part=')).toBe(true);
      for await (const b of engine.parquet.readBatches({ path: `${ROOT}/${decodeURIComponent(c.path)}`, size: c.size })) {
        expect(b.schema.fields.map((f) => f.name)).toEqual(['id', 'v', '_change_type']);
        const ids = b.getChild('id')!.toArray() as BigInt64Array;
        const types = b.getChild('_change_type')!.toArray() as string[];
        for (let i = 0; i < b.numRows; i++) changes.push({ id: ids[i]!, part: c.partitionValues.part ?? null, type: String(types[i]) });
      }
    }
    const text = changes.map((c) => `${c.type} ${c.id} ${c.part}`).sort();
    expect(text).toEqual(['delete 2 a', 'delete 3 a', 'delete 4 b', 'delete 5 b', 'insert 2 a', 'insert 20 b', 'insert 30 b'].sort());
    const info = actions.find((a) => a.kind === 'commitInfo');
    expect(info?.kind === 'commitInfo' && info.commitInfo.operationMetrics?.numAddedChangeFiles).toBe(String(cdc.length));
  });
});
