/**
 * JSON functions against DuckDB over generated documents, where both define a function the same
 * way (see json.test.ts for what is not compared and why), and inside scan filters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { and, call, cmp, col, fieldOf, lit, or } from '../../../src/expr/ast.js';
import { field, primitive, struct } from '../../../src/schema/types.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { duckRows, lit as sqlLit } from '../../parquet/duckdb-oracle.js';
import { evaluate, plain, STR, getJson, options, str } from './json-helpers.js';

// ---- DuckDB as the oracle -------------------------------------------------------------------

const KEYS = ['a', 'b', 'c', 'dd'];
const leaf = fc.oneof(
  fc.string({ unit: fc.constantFrom('x', 'y', 'Z', ' ', '1', 'é', '€', '中', '-'), maxLength: 6 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.boolean(),
);
type J = string | bigint | number | boolean | null | J[] | { [k: string]: J };
const { doc } = fc.letrec<{ doc: J; value: J }>((tie) => ({
  doc: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }) as fc.Arbitrary<J>,
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.constant(null), tie('doc'), fc.array(tie('value').filter((v) => v !== null), { maxLength: 3 })) as fc.Arbitrary<J>,
}));
const jsonText = (v: J): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `\u0000${x}\u0000` : x)).replace(/"\\u0000(-?\d+)\\u0000"/g, '$1');
const values = (docs: readonly string[]) => docs.map((d) => `(${sqlLit(d)})`).join(', ');

describe('JSON functions against DuckDB', () => {
  const docs = fc.sample(doc, { numRuns: 300, seed: 20240611 }).map(jsonText);

  it('get_json_object = json_extract_string on simple paths', async () => {
    const paths = ['$.a', '$.b.c', '$.a[0]', '$.c[1].a', '$.dd.a.b', '$.b[2]'];
    for (const path of paths) {
      const ours = getJson(docs, path);
      const theirs = (await duckRows(`SELECT json_extract_string(j, ${sqlLit(path)}) AS r FROM (VALUES ${values(docs)}) t(j)`)).map((r) => r['r']);
      expect(ours, path).toEqual(theirs);
    }
  });

  it('json_array_length and json_object_keys = DuckDB json_array_length and json_keys', async () => {
    const arrays = fc.sample(fc.array(doc, { maxLength: 5 }), { numRuns: 100, seed: 7 }).map(jsonText);
    const ours = evaluate(call('json_array_length', col('j')), STR, arrays.map((j) => ({ j, p: null })));
    const theirs = (await duckRows(`SELECT json_array_length(j)::INTEGER AS n FROM (VALUES ${values(arrays)}) t(j)`)).map((r) => r['n']);
    expect(ours).toEqual(theirs);
    const keys = evaluate(call('json_object_keys', col('j')), STR, docs.map((j) => ({ j, p: null })));
    const duckKeys = (await duckRows(`SELECT json_keys(j) AS k FROM (VALUES ${values(docs)}) t(j)`)).map((r) => r['k']);
    expect(keys).toEqual(duckKeys);
  });

  it('from_json of well-typed objects = DuckDB from_json; to_json of the result = DuckDB to_json', async () => {
    const typedDoc = fc.record(
      { a: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), b: fc.string({ maxLength: 5 }), c: fc.array(fc.integer(), { maxLength: 3 }), d: fc.boolean() },
      { requiredKeys: ['b', 'c', 'd'] },
    );
    const inputs = fc.sample(typedDoc, { numRuns: 150, seed: 99 }).map((d) => jsonText(d as J));
    const ours = evaluate(call('from_json', col('j'), str('a BIGINT, b STRING, c ARRAY<INT>, d BOOLEAN')), STR, inputs.map((j) => ({ j, p: null }))).map(plain);
    const duck = await duckRows(
      `SELECT r.a AS a, r.b AS b, r.c AS c, r.d AS d, to_json(r) AS t FROM (SELECT from_json(j, '{"a":"BIGINT","b":"VARCHAR","c":"INTEGER[]","d":"BOOLEAN"}') AS r FROM (VALUES ${values(inputs)}) t(j))`,
    );
    expect(ours).toEqual(duck.map((r) => [r['a'], r['b'], r['c'], r['d']]));
    // DuckDB writes null fields; Spark leaves them out: compare with ignoreNullFields=false.
    const back = evaluate(
      call('to_json', call('from_json', col('j'), str('a BIGINT, b STRING, c ARRAY<INT>, d BOOLEAN')), options({ ignoreNullFields: 'false' })),
      STR,
      inputs.map((j) => ({ j, p: null })),
    );
    expect(back).toEqual(duck.map((r) => r['t']));
  });
});

describe('JSON functions in scan filters', () => {
  it('a Delta table scanned with a filter built from JSON functions returns the rows DuckDB selects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deltakit-json-'));
    const table = DeltaTable.forPath(dir);
    try {
      const schema = struct([field('id', primitive('long')), field('j', primitive('string'))]);
      const docs = fc.sample(
        fc.record({ kind: fc.constantFrom('a', 'b'), tags: fc.array(fc.constantFrom('x', 'y'), { maxLength: 3 }), n: fc.option(fc.integer({ min: 0, max: 5 })) }),
        { numRuns: 60, seed: 5 },
      );
      const rows = docs.map((d, i) => ({ id: BigInt(i), j: i % 13 === 0 ? 'not json' : JSON.stringify(d) }));
      await table.write({ rows, schema }, { mode: 'append' });
      const filter = or(
        and(cmp('=', call('get_json_object', col('j'), lit('$.kind')), lit('a')), cmp('>', call('json_array_length', call('get_json_object', col('j'), lit('$.tags'))), lit(1n))),
        cmp('>=', fieldOf(call('from_json', col('j'), lit('n INT, kind STRING')), 'n'), lit(4n)),
      );
      const scanned = await (await table.snapshot()).scan({ filter }).toTable();
      const ids = [...scanned.getChild('id')!.toArray()].map(Number).sort((x, y) => x - y);
      const expected = await duckRows(
        `SELECT id FROM (VALUES ${rows.map((r) => `(${r.id}, ${sqlLit(r.j)})`).join(', ')}) t(id, j)
         WHERE json_valid(j) AND ((json_extract_string(j, '$.kind') = 'a' AND json_array_length(json_extract(j, '$.tags')) > 1)
            OR json_extract(j, '$.n')::INTEGER >= 4) ORDER BY id`,
      );
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual(expected.map((r) => Number(r['id'])));
    } finally {
      await table.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
