import { describe, expect, it } from 'vitest';
import { col, expr } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { expectRows, rng, sql, table } from './duck.js';

const DDL = 'id BIGINT, k STRING, g INT, d DOUBLE';

function generate(n: number, seed: number): object[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: BigInt(i),
    k: r() < 0.1 ? null : ['a', 'b', 'B', 'é', '\uffee', '𝄞', ''][Math.floor(r() * 7)],
    g: r() < 0.1 ? null : Math.floor(r() * 4),
    d: r() < 0.1 ? null : r() < 0.05 ? NaN : Math.floor((r() - 0.5) * 10) / 2,
  }));
}

describe('dropDuplicates, distinct, orderBy, limit match DuckDB', () => {
  it('dropDuplicates keeps the first row of each key; distinct() over all columns', async () => {
    const df = await table(`${tempDir()}/t`, 'r1', DDL, generate(3000, 3));
    const ours = await df.dropDuplicates(['k', 'g']).collect();
    expectRows(ours, await sql('SELECT id, k, g, d FROM r1 QUALIFY row_number() OVER (PARTITION BY k, g ORDER BY id) = 1'), ['id']);
    const distinct = await df.select('k', 'd').distinct().collect();
    expectRows(distinct, await sql('SELECT DISTINCT k, d FROM r1'), ['k', 'd']);
    expect(await df.filter(expr('false')).distinct().count()).toBe(0);
  });

  it("orderBy: ascending nulls first, descending nulls last, NaN largest, strings by UTF-8 bytes", async () => {
    const df = await table(`${tempDir()}/t`, 'r2', DDL, generate(2000, 5));
    const ids = async (rows: Promise<Record<string, unknown>[]>) => (await rows).map((r) => r.id);
    expect(await ids(df.orderBy('k', 'id').collect())).toEqual(await ids(sql('SELECT id FROM r2 ORDER BY k ASC NULLS FIRST, id')));
    expect(await ids(df.orderBy(col('d').desc(), col('k').ascNullsLast(), col('id').desc()).collect())).toEqual(
      await ids(sql('SELECT id FROM r2 ORDER BY d DESC NULLS LAST, k ASC NULLS LAST, id DESC')),
    );
    expect(await ids(df.sort(col('g').descNullsFirst(), expr('d * -1'), 'id').collect())).toEqual(await ids(sql('SELECT id FROM r2 ORDER BY g DESC NULLS FIRST, d * -1 ASC NULLS FIRST, id')));
  });

  it('limit takes the first rows (after a sort, the top n)', async () => {
    const df = await table(`${tempDir()}/t`, 'r3', DDL, generate(500, 9));
    expect(await df.limit(7).count()).toBe(7);
    expect(await df.limit(0).count()).toBe(0);
    expect(await df.limit(10_000).count()).toBe(500);
    const top = (await df.orderBy(col('d').desc(), 'id').limit(5).collect()).map((r) => r.id);
    expect(top).toEqual((await sql('SELECT id FROM r3 ORDER BY d DESC NULLS LAST, id LIMIT 5')).map((r) => r.id));
    await expect(df.limit(-1).schema()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('joins of every type match DuckDB', () => {
  it.each(['inner', 'left_outer', 'right_outer', 'full_outer', 'left_semi', 'left_anti'] as const)('%s on a condition', async (how) => {
    const dir = tempDir();
    const l = await table(`${dir}/l`, 'jl', 'lid BIGINT, lk INT, lv STRING', Array.from({ length: 300 }, (_, i) => ({ lid: BigInt(i), lk: i % 17 === 0 ? null : i % 40, lv: `l${i}` })));
    const r = await table(`${dir}/r`, 'jr', 'rid BIGINT, rk INT, rv STRING', Array.from({ length: 200 }, (_, i) => ({ rid: BigInt(i), rk: i % 13 === 0 ? null : (i % 50) + 10, rv: `r${i}` })));
    const ours = await l.join(r, expr('lk = rk AND lid % 3 != rid % 5'), how).collect();
    const duckHow = { inner: 'INNER', left_outer: 'LEFT', right_outer: 'RIGHT', full_outer: 'FULL', left_semi: 'SEMI', left_anti: 'ANTI' }[how];
    const cols = how === 'left_semi' || how === 'left_anti' ? 'lid, lk, lv' : 'lid, lk, lv, rid, rk, rv';
    expectRows(ours, await sql(`SELECT ${cols} FROM jl ${duckHow} JOIN jr ON lk = rk AND lid % 3 != rid % 5`), ['lid', 'rid']);
  });

  it('right and full outer joins on a using column keep the key of the side that has it', async () => {
    const dir = tempDir();
    const l = await table(`${dir}/l`, 'ul', 'k INT, a STRING', [{ k: 1, a: 'x' }, { k: 2, a: 'y' }, { k: null, a: 'n' }]);
    const r = await table(`${dir}/r`, 'ur', 'k INT, b STRING', [{ k: 2, b: 'p' }, { k: 3, b: 'q' }, { k: null, b: 'm' }]);
    expectRows(await l.join(r, 'k', 'full_outer').collect(), await sql('SELECT COALESCE(ul.k, ur.k) k, a, b FROM ul FULL JOIN ur ON ul.k = ur.k'), ['k', 'a', 'b']);
    expectRows(await l.join(r, 'k', 'right').collect(), await sql('SELECT ur.k k, a, b FROM ul RIGHT JOIN ur ON ul.k = ur.k'), ['k', 'a', 'b']);
  });
});
