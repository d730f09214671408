/**
 * array, map, named_struct and struct, as SQL text over columns. Expected values: the functions'
 * documented examples (and the hash examples of Spark's docs, which build an array), Spark's
 * coercion of elements to their wider common type, and Spark's errors for map keys.
 */
import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../../src/expr/parse.js';
import { field, primitive, struct } from '../../../src/schema/types.js';
import { evaluate, plain, typeOf } from './json-helpers.js';

const schema = struct([field('a', primitive('integer')), field('b', primitive('string')), field('s', struct([field('x', primitive('long'))]))]);
const rows = [
  { a: 1, b: 'one', s: { x: 10n } },
  { a: null, b: 'two', s: null },
  { a: 3, b: null, s: { x: null } },
];
const sql = (text: string) => evaluate(parseExpression(text), schema, rows).map(plain);
const one = (text: string) => sql(text)[0];
const type = (text: string) => typeOf(parseExpression(text), schema);

function bindFailure(text: string): { code: string; message: string } {
  try {
    evaluate(parseExpression(text), schema, rows);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error(`expected ${text} to fail`);
}

describe('array', () => {
  it('builds arrays of its arguments, keeping null elements', () => {
    expect(sql('array(a, 2, a + 1)')).toEqual([
      [1, 2, 2],
      [null, 2, null],
      [3, 2, 4],
    ]);
    expect(one('array(1, 2, 3)[0]')).toBe(1);
    expect(one('array()')).toEqual([]);
  });

  it('casts the elements to their wider common type (with string promotion, as CreateArray does)', () => {
    expect(type('array(1, 2.5)')).toEqual({ kind: 'array', elementType: { kind: 'decimal', precision: 11, scale: 1 }, containsNull: true });
    expect(one('array(1, 2.5)')).toEqual(['1.0', '2.5']);
    expect(one("array(1, 'x')")).toEqual(['1', 'x']);
    expect(bindFailure('array(1, array(2))').code).toBe('TYPE_MISMATCH');
  });

  it("feeds hash and xxhash64 as in Spark's documented examples", () => {
    expect(one("hash('Spark', array(123), 2)")).toBe(-1321691492);
    expect(one("xxhash64('Spark', array(123), 2)")).toBe(5602566077635097486n);
    expect(one('to_json(array(1, 2))')).toBe('[1,2]');
  });
});

describe('map', () => {
  it('builds maps from key / value pairs (docs: map(1.0, "2", 3.0, "4"))', () => {
    expect(one("map(1.0, '2', 3.0, '4')")).toEqual([
      ['1.0', '2'],
      ['3.0', '4'],
    ]);
    expect(sql("map('k', a)['k']")).toEqual([1, null, 3]);
    expect(one("to_json(map('a', 1))")).toBe('{"a":1}');
    expect(type("map('k', a, 'l', 2L)")).toEqual({ kind: 'map', keyType: primitive('string'), valueType: primitive('long'), valueContainsNull: true });
  });

  it("gives from_json its options as Spark's docs write them: map('mode', 'FAILFAST')", () => {
    const json = struct([field('j', primitive('string'))]);
    const run = (mode: string) => evaluate(parseExpression(`from_json(j, 'a INT', map('mode', '${mode}'))`), json, [{ j: '{"a": 1}' }, { j: '{"a": "x"' }]).map(plain);
    expect(run('PERMISSIVE')).toEqual([[1], [null]]);
    expect(() => run('FAILFAST')).toThrow(/malformed record in FAILFAST mode/);
  });

  it('refuses an odd argument count when bound, and a NULL or duplicate key when evaluated', () => {
    expect(bindFailure("map('k')").message).toMatch(/pairs/);
    const nullKey = bindFailure('map(b, 1)');
    expect(nullKey.code).toBe('INVALID_ARGUMENT');
    expect(nullKey.message).toMatch(/NULL_MAP_KEY/);
    const duplicate = bindFailure("map('k', 1, 'k', 2)");
    expect(duplicate.code).toBe('INVALID_ARGUMENT');
    expect(duplicate.message).toContain("the key 'k' is given twice");
  });
});

describe('named_struct and struct', () => {
  it('named_struct names each field (docs: named_struct("a", 1, "b", 2))', () => {
    expect(one("to_json(named_struct('a', 1, 'b', 2))")).toBe('{"a":1,"b":2}');
    expect(sql("named_struct('v', a, 'w', b).v")).toEqual([1, null, 3]);
    expect(type("named_struct('v', a, 'n', s)")).toMatchObject({ kind: 'struct', fields: [{ name: 'v', type: primitive('integer') }, { name: 'n', type: schema.fields[2]!.type }] });
  });

  it('named_struct needs constant string names', () => {
    expect(bindFailure('named_struct(b, 1)')).toMatchObject({ code: 'TYPE_MISMATCH', message: expect.stringContaining('Argument 1 of named_struct must be a constant') });
    expect(bindFailure('named_struct(1, 1)').message).toMatch(/field name as a string literal/);
    expect(bindFailure("named_struct('a', 1, 'b')").message).toMatch(/pairs/);
  });

  it('struct names fields after the columns they read, else col1, col2, ...', () => {
    expect(type('struct(a, s.x, a + 1)')).toMatchObject({ kind: 'struct', fields: [{ name: 'a' }, { name: 'x' }, { name: 'col3' }] });
    expect(sql('to_json(struct(a, b))')).toEqual(['{"a":1,"b":"one"}', '{"b":"two"}', '{"a":3}']);
  });

  it('the struct itself is never null; its fields may be', () => {
    expect(sql('struct(a) IS NULL')).toEqual([false, false, false]);
    expect(sql('struct(a).a')).toEqual([1, null, 3]);
  });
});
