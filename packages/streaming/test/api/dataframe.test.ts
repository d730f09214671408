import { cpSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coalesce, col, count, expr, lit, memoryStream, read, upper, when, window } from '../../src/index.js';
import { SHARED, tempDir } from '../helpers.js';

const golden = (name: string) => `${SHARED}/fixtures/golden/${name}/delta`;
const haveShared = existsSync(`${SHARED}/fixtures/golden`);

async function writeTable(path: string, rows: object[], ddl: string): Promise<void> {
  const s = memoryStream(ddl);
  s.addData(...rows);
  const q = await s.toDF().writeStream.format('delta').option('checkpointLocation', `${path}-chk`).trigger({ once: true }).start(path);
  await q.awaitTermination();
}

describe('batch DataFrames', () => {
  it.skipIf(!haveShared)('reads a Spark-written table and time travels with versionAsOf', async () => {
    const dir = tempDir();
    cpSync(golden('time-travel-start-start20-start40'), `${dir}/t`, { recursive: true });
    const latest = await read.format('delta').load(`${dir}/t`).collect();
    const v0 = await read.format('delta').option('versionAsOf', 0).load(`${dir}/t`).collect();
    expect(latest.length).toBeGreaterThan(v0.length);
    expect(await read.format('delta').option('versionAsOf', 0).load(`${dir}/t`).count()).toBe(v0.length);
  });

  it('select, selectExpr, filter, withColumn(s), rename, drop compose like Spark', async () => {
    const dir = tempDir();
    const rows = [
      { id: 1, name: 'ann', amount: '10.50', day: '2024-01-31' },
      { id: 2, name: 'bob', amount: '3.25', day: '2024-02-01' },
      { id: 3, name: null, amount: null, day: '2024-02-02' },
    ];
    await writeTable(`${dir}/t`, rows, 'id BIGINT, name STRING, amount DECIMAL(10,2), day DATE');
    const df = read.format('delta').load(`${dir}/t`);
    const collected = await df
      .filter(col('id').geq(2).or(col('name').eq('ann')))
      .withColumn('who', coalesce(upper(col('name')), lit('?')))
      .withColumns({ twice: expr('amount * 2'), big: when(col('amount').gt(5), 'yes').otherwise('no') })
      .withColumnRenamed('day', 'd')
      .drop('name')
      .selectExpr('id', 'who', 'twice', 'big', 'date_add(d, 1) AS next_day')
      .collect();
    collected.sort((a, b) => Number(a.id) - Number(b.id));
    expect(collected).toEqual([
      { id: 1n, who: 'ANN', twice: '21.00', big: 'yes', next_day: '2024-02-01' },
      { id: 2n, who: 'BOB', twice: '6.50', big: 'no', next_day: '2024-02-02' },
      { id: 3n, who: '?', twice: null, big: 'no', next_day: '2024-02-03' },
    ]);
  });

  it('unknown columns and functions are typed errors at analysis, before any read', async () => {
    const s = memoryStream('id INT');
    await expect(s.toDF().select(col('nope')).schema()).rejects.toMatchObject({ code: 'COLUMN_NOT_FOUND' });
    await expect(s.toDF().select(expr('no_such_fn(id)')).schema()).rejects.toMatchObject({ code: 'UNKNOWN_FUNCTION' });
    await expect(s.toDF().select(col('nope')).writeStream.format('memory').queryName('x').start()).rejects.toMatchObject({ code: 'COLUMN_NOT_FOUND' });
  });

  it('union by position and by name, with allowMissingColumns', async () => {
    const a = memoryStream('id INT, v STRING');
    const b = memoryStream('v STRING, id INT');
    a.addData({ id: 1, v: 'a' });
    b.addData({ v: 'b', id: 2 });
    const qa = await a.toDF().unionByName(b.toDF()).writeStream.format('memory').queryName('u-byname').start();
    await qa.processAllAvailable();
    await qa.stop();
    expect((await read.table('u-byname').collect()).sort((x, y) => Number(x.id) - Number(y.id))).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
    const c = memoryStream('id INT');
    await expect(a.toDF().union(c.toDF()).schema()).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringMatching(/2 columns and the right 1/) });
    const schema = await a.toDF().unionByName(c.toDF(), { allowMissingColumns: true }).schema();
    expect(schema.fields.map((f) => f.name)).toEqual(['id', 'v']);
  });

  it('stream-static joins: inner and left outer, the static side read again for each batch', async () => {
    const dir = tempDir();
    await writeTable(`${dir}/dim`, [{ k: 1, label: 'one' }], 'k INT, label STRING');
    const s = memoryStream('k INT, x STRING');
    const dim = read.format('delta').load(`${dir}/dim`);
    const inner = await s.toDF().join(dim, 'k').writeStream.format('memory').queryName('join-inner').start();
    const outer = await s.toDF().join(dim, 'k', 'left_outer').writeStream.format('memory').queryName('join-outer').start();
    s.addData({ k: 1, x: 'a' }, { k: 2, x: 'b' });
    await inner.processAllAvailable();
    await outer.processAllAvailable();
    // The dimension table gains k = 2; the next batch sees it.
    const d = memoryStream('k INT, label STRING');
    d.addData({ k: 2, label: 'two' });
    const qd = await d.toDF().writeStream.format('delta').option('checkpointLocation', `${dir}/dchk`).trigger({ once: true }).start(`${dir}/dim`);
    await qd.awaitTermination();
    s.addData({ k: 2, x: 'c' });
    await inner.processAllAvailable();
    await outer.processAllAvailable();
    await inner.stop();
    await outer.stop();
    const sortRows = (r: Record<string, unknown>[]) => r.sort((a, b) => String(a.x).localeCompare(String(b.x)));
    expect(sortRows(await read.table('join-inner').collect())).toEqual([{ k: 1, x: 'a', label: 'one' }, { k: 2, x: 'c', label: 'two' }]);
    expect(sortRows(await read.table('join-outer').collect())).toEqual([{ k: 1, x: 'a', label: 'one' }, { k: 2, x: 'b', label: null }, { k: 2, x: 'c', label: 'two' }]);
  });

  it('refuses what Spark’s analyzer refuses, naming the operator and the output mode', async () => {
    const s = memoryStream('id INT, ts TIMESTAMP');
    const agg = s.toDF().groupBy(window(col('ts'), '10 minutes')).agg(count('*').alias('n'));
    await expect(agg.writeStream.format('memory').queryName('agg').outputMode('append').start()).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringMatching(/Append output mode.*without a watermark/) });
    await expect(agg.groupBy('n').count().writeStream.format('memory').queryName('agg2').outputMode('complete').start()).rejects.toMatchObject({ message: expect.stringMatching(/Multiple streaming aggregations/) });
    await expect(s.toDF().dropDuplicatesWithinWatermark(['id']).writeStream.format('memory').queryName('dd').start()).rejects.toMatchObject({ message: expect.stringMatching(/dropDuplicatesWithinWatermark.*watermark/) });
    await expect(s.toDF().join(s.toDF().selectExpr('id AS id2'), expr('id < id2')).writeStream.format('memory').queryName('ss').start()).rejects.toMatchObject({ message: expect.stringMatching(/Stream-stream join without equality predicate/) });
    await expect(s.toDF().writeStream.format('memory').queryName('c').outputMode('complete').start()).rejects.toMatchObject({ message: expect.stringMatching(/no streaming aggregations/) });
    await expect(s.toDF().orderBy('id').writeStream.format('memory').queryName('o').start()).rejects.toMatchObject({ message: expect.stringMatching(/Sorting/) });
    await expect(s.toDF().writeStream.format('delta').outputMode('update').option('checkpointLocation', `${tempDir()}/c`).start(`${tempDir()}/t`)).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringMatching(/update output mode/) });
  });

  it('batch actions refuse streaming DataFrames, as Spark', async () => {
    const s = memoryStream('id INT');
    await expect(s.toDF().collect()).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringMatching(/writeStream\.start\(\)/) });
    expect(() => read.format('delta').load('/nowhere').writeStream).toThrow(/only on a streaming DataFrame/);
  });

  it('show() prints Spark’s layout', async () => {
    const dir = tempDir();
    await writeTable(`${dir}/t`, [{ id: 1, s: 'a string longer than twenty characters' }, { id: 22, s: null }], 'id INT, s STRING');
    const shown = await read.format('delta').load(`${dir}/t`).filter('id = 1').show(20, { print: false });
    expect(shown).toBe(['+---+--------------------+', '| id|                   s|', '+---+--------------------+', '|  1|a string longer t...|', '+---+--------------------+'].join('\n'));
  });
});
