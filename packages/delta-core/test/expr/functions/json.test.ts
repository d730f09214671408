/**
 * JSON functions. Expected values are Spark's, from its JsonExpressionsSuite and
 * JsonFunctionsSuite (cases rewritten here) and from the Jackson / Spark code paths named next to
 * each case. json-duckdb.test.ts compares with DuckDB over generated documents where both define a
 * function the same way (json_extract_string for simple paths, json_array_length, json_keys, to_json of flat
 * structs, from_json of well-typed objects). Not compared with DuckDB: number formatting (DuckDB
 * prints doubles its own way), null array elements (Spark returns the text `null`, DuckDB SQL
 * NULL), type mismatches in from_json (DuckDB casts, Spark gives null), wildcards (different
 * languages).
 */
import { describe, expect, it } from 'vitest';
import { call, col, lit, type Expr } from '../../../src/expr/ast.js';
import { DeltaError } from '../../../src/errors.js';
import { decimal, field, primitive, struct, type DataType } from '../../../src/schema/types.js';
import { array, map } from '../../write/schema-builders.js';
import { STR, evaluate, getJson, getOne, options, plain, str, typeOf } from './json-helpers.js';

/** from_json of each document with a schema string (and options). */
function fromJson(docs: readonly (string | null)[], schema: string, opts?: Record<string, string>, timeZone = 'UTC'): unknown[] {
  const args = [col('j'), str(schema), ...(opts ? [options(opts)] : [])];
  return evaluate(call('from_json', ...args), STR, docs.map((j) => ({ j, p: null })), timeZone).map(plain);
}
const fromOne = (doc: string | null, schema: string, opts?: Record<string, string>, timeZone = 'UTC'): unknown => fromJson([doc], schema, opts, timeZone)[0];

const STORE = `{"store":{"fruit":[{"weight":8,"type":"apple"},{"weight":9,"type":"pear"}],
"basket":[[1,2,{"b":"y","a":"x"}],[3,4],[5,6]],"book":[{"author":"Nigel Rees",
"title":"Sayings of the Century","category":"reference","price":8.95},
{"author":"Herman Melville","title":"Moby Dick","category":"fiction","price":8.99,
"isbn":"0-553-21311-3"},{"author":"J. R. R. Tolkien","title":"The Lord of the Rings",
"category":"fiction","reader":[{"age":25,"name":"bob"},{"age":26,"name":"jack"}],
"price":22.99,"isbn":"0-395-19395-8"}],"bicycle":{"price":19.95,"color":"red"}},
"email":"amy@only_for_json_udf_test.net","owner":"amy","zip code":"94025",
"fb:testid":"1234"}`;
const BOOKS =
  '[{"author":"Nigel Rees","title":"Sayings of the Century","category":"reference","price":8.95},' +
  '{"author":"Herman Melville","title":"Moby Dick","category":"fiction","price":8.99,"isbn":"0-553-21311-3"},' +
  '{"author":"J. R. R. Tolkien","title":"The Lord of the Rings","category":"fiction","reader":[{"age":25,"name":"bob"},{"age":26,"name":"jack"}],"price":22.99,"isbn":"0-395-19395-8"}]';

describe('get_json_object (JsonExpressionsSuite)', () => {
  it.each([
    ['$.store.bicycle', '{"price":19.95,"color":"red"}'],
    ["$['store'].bicycle", '{"price":19.95,"color":"red"}'],
    ["$.store['bicycle']", '{"price":19.95,"color":"red"}'],
    ["$['store']['bicycle']", '{"price":19.95,"color":"red"}'],
    ['$.store.book', BOOKS],
    ['$.store.book[0]', '{"author":"Nigel Rees","title":"Sayings of the Century","category":"reference","price":8.95}'],
    ['$.store.book[*]', BOOKS],
    ['$', STORE.replaceAll('\n', '')],
    ['$.store.book[0].category', 'reference'],
    ['$.store.book[*].category', '["reference","fiction","fiction"]'],
    ['$.store.book[*].isbn', '["0-553-21311-3","0-395-19395-8"]'],
    ['$.store.book[*].reader', '[{"age":25,"name":"bob"},{"age":26,"name":"jack"}]'],
    ['$.store.basket[0][1]', '2'],
    ['$.store.basket[*]', '[[1,2,{"b":"y","a":"x"}],[3,4],[5,6]]'],
    ['$.store.basket[*][0]', '[1,3,5]'],
    ['$.store.basket[0][*]', '[1,2,{"b":"y","a":"x"}]'],
    ['$.store.basket[*][*]', '[1,2,{"b":"y","a":"x"},3,4,5,6]'],
    ['$.store.basket[0][2].b', 'y'],
    ['$.store.basket[0][*].b', '["y"]'],
    ['$.zip code', '94025'],
    ['$.fb:testid', '1234'],
    ['$.non_exist_key', null],
    ['$..no_recursive', null],
    ['$.store.book[10]', null],
    ['$.store.book[0].non_exist_key', null],
    ['$.store.basket[*].non_exist_key', null],
  ])('%s', (path, expected) => {
    expect(getOne(STORE, path)).toBe(expected);
  });

  it('keys with spaces, escapes, newlines, bad bytes, big values', () => {
    expect(getOne('{ "key with spaces": "it works" }', "$['key with spaces']")).toBe('it works');
    expect(getOne('{"a":"b\nc"}', '$.a')).toBe('b\nc');
    expect(getOne('{"a":"b\\"c"}', '$.a')).toBe('b"c');
    expect(getOne('\u0000\u0000\u0000A\u0001AAA', '$.a')).toBe(null);
    const big = 'x'.repeat(3000);
    expect(getOne(`{"big": "${big}"}`, '$.big')).toBe(big);
  });

  it('JsonFunctionsSuite: fields, single quotes, nulls and invalid documents', () => {
    expect(getOne('{"name": "alice", "age": 5}', '$.name')).toBe('alice');
    expect(getOne('{"name": "alice", "age": 5}', '$.age')).toBe('5');
    expect(getOne("{'name': 'fang', 'age': 5}", '$.name')).toBe('fang');
    const docs = [
      '{"f1": "value1", "f2": "value2", "f3": 3, "f5": 5.23}',
      '{"f1": "value12", "f3": "value3", "f2": 2, "f4": 4.01}',
      '{"f1": "value13", "f4": "value44", "f3": "value33", "f2": 2, "f5": 5.01}',
      null,
      '{"f1": "", "f5": null}',
      '[invalid JSON string]',
    ];
    const columns = ['$.f1', '$.f2', '$.f3', '$.f4', '$.f5'].map((p) => getJson(docs, p));
    const rows = docs.map((_, i) => columns.map((c) => c[i]));
    expect(rows).toEqual([
      ['value1', 'value2', '3', null, '5.23'],
      ['value12', '2', 'value3', '4.01', null],
      ['value13', '2', 'value33', 'value44', '5.01'],
      [null, null, null, null, null],
      ['', null, null, null, null],
      [null, null, null, null, null],
    ]);
  });
});

describe('get_json_object: Jackson and path-parser details', () => {
  it('numbers are copied through Jackson: integers exact, others through a double', () => {
    expect(getOne('{"a":1.50}', '$.a')).toBe('1.5');
    expect(getOne('{"a":1e2}', '$.a')).toBe('100.0');
    expect(getOne('{"a":12345678901234567890123}', '$.a')).toBe('12345678901234567890123');
    expect(getOne('{"a":-0}', '$.a')).toBe('0');
    expect(getOne('{"a":{"b":[1.0,2.5e-7,1e21]}}', '$.a')).toBe('{"b":[1.0,2.5E-7,1.0E21]}');
    expect(getOne('{"a":1e400}', '$.a')).toBe('"Infinity"');
  });

  it('JSON null: no match through a field, the text null elsewhere', () => {
    expect(getOne('{"a":null}', '$.a')).toBe(null);
    expect(getOne('{"a":null,"a":2}', '$.a')).toBe('2');
    expect(getOne('{"a":1,"a":2}', '$.a')).toBe('1');
    expect(getOne('[null]', '$[0]')).toBe('null');
    expect(getOne('null', '$')).toBe('null');
    expect(getOne('[1,null]', '$[*]')).toBe('[1,null]');
  });

  it('one match of the outermost wildcard drops the array brackets but keeps quotes', () => {
    expect(getOne('[{"a":"x"}]', '$[*].a')).toBe('"x"');
    expect(getOne('[{"a":"x"},{"b":1}]', '$[*].a')).toBe('"x"');
    expect(getOne('[{"a":"x"},{"a":"y"}]', '$[*].a')).toBe('["x","y"]');
    expect(getOne('[[1],[2,[3]]]', '$[*][*]')).toBe('[1,2,3]'); // flattened all the way down
  });

  it('object wildcards parse but never match, as in Spark', () => {
    expect(getOne('{"a":1}', '$.*')).toBe(null);
    expect(getOne('{"a":{"b":1}}', "$.a['*']")).toBe(null);
    expect(getOne('[1]', '$.*')).toBe(null);
  });

  it('only the first JSON value is read; it must be well formed', () => {
    expect(getOne('{"a":1} trailing garbage', '$.a')).toBe('1');
    expect(getOne('{"a":1}}', '$')).toBe('{"a":1}');
    expect(getOne('{"a":1,', '$.a')).toBe(null);
    expect(getOne('{"a":1, "b":[1,}', '$.a')).toBe(null);
    expect(getOne('{"a":01}', '$.a')).toBe(null);
    expect(getOne('{"a":NaN}', '$.a')).toBe(null);
    expect(getOne('{a:1}', '$.a')).toBe(null);
    expect(getOne('{"a":"x\ty"}', '$.a')).toBe('x\ty'); // raw control characters are allowed here
    expect(getOne('', '$')).toBe(null);
    expect(getOne('   ', '$.a')).toBe(null);
    expect(getOne('12x', '$')).toBe(null); // a top-level number must end with white space
    expect(getOne('12 x', '$')).toBe('12');
    expect(getOne('"a\\u00e9\\/"', '$')).toBe('aé/');
    expect(getOne('{"a":"q\\"\\u0001"}', '$')).toBe('{"a":"q\\"\\u0001"}');
  });

  it('path syntax follows the Scala parser: white space rules, invalid paths', () => {
    expect(getOne('{"a":1}', '$. a')).toBe('1');
    expect(getOne('{"a":1}', '$.a ')).toBe(null); // the name is "a "
    expect(getOne('{"a ":1}', '$.a ')).toBe('1');
    expect(getOne('[5]', '$[ 0]')).toBe('5');
    expect(getOne('[5]', '$[0] ')).toBe('5');
    expect(getOne('[5]', '$[0 ]')).toBe(null);
    expect(getOne('{"a":1}', ' $.a')).toBe(null);
    expect(getOne('{"a":1}', '$ .a')).toBe(null);
    expect(getOne('{"a":1}', "$ ['a']")).toBe('1');
    expect(getOne('[5]', '$[-1]')).toBe(null);
    expect(getOne('{"a":1}', 'a')).toBe(null);
    expect(getOne('{"a":1}', '$.')).toBe(null);
    expect(getOne('{"a?":1}', "$['a?']")).toBe(null);
    expect(getJson([null], '$.a')).toEqual([null]);
    expect(evaluate(call('get_json_object', str('{"a":1}'), lit(null)), STR, [{ j: null, p: null }])).toEqual([null]);
  });

  it('casts a non-string document to string (implicit cast)', () => {
    const s = struct([field('n', primitive('integer'))]);
    expect(evaluate(call('get_json_object', col('n'), str('$')), s, [{ n: 42 }])).toEqual(['42']);
  });
});

describe('json_array_length and json_object_keys (JsonExpressionsSuite)', () => {
  it('json_array_length', () => {
    const cases: [string, number | null][] = [
      ['', null],
      ['[1,2,3]', 3],
      ['[]', 0],
      ['[[1],[2,3],[]]', 3],
      ['[{"a":123},{"b":"hello"}]', 2],
      ['[1,2,3,[33,44],{"key":[2,3,4]}]', 5],
      ['[1,2,3,4,5', null],
      ['Random String', null],
      ['{"key":"not a json array"}', null],
      ['{"key": 25}', null],
    ];
    const got = evaluate(call('json_array_length', col('j')), STR, cases.map(([j]) => ({ j, p: null })));
    expect(got).toEqual(cases.map(([, n]) => n));
    expect(typeOf(call('json_array_length', col('j')), STR)).toEqual(primitive('integer'));
  });

  it('json_object_keys', () => {
    const cases: [string, string[] | null][] = [
      ['', null],
      ['[]', null],
      ['[{"key": "JSON"}]', null],
      ['{"key": 45, "random_string"}', null],
      ['{[1, 2, {"Key": "Invalid JSON"}]}', null],
      ['{}', []],
      ['{"key": 1}', ['key']],
      ['{"key": "value", "key2": 2}', ['key', 'key2']],
      ['{"arrayKey": [1, 2, 3]}', ['arrayKey']],
      ['{"key":[1,2,3,{"key":"value"},[1,2,3]]}', ['key']],
      ['{"f1":"abc","f2":{"f3":"a", "f4":"b"}}', ['f1', 'f2']],
      ['{"k1": [1, 2, {"key": 5}], "k2": {"key2": [1, 2]}}', ['k1', 'k2']],
      ['{"2":1,"1":2,"b":3,"b":4}', ['2', '1', 'b', 'b']],
    ];
    const got = evaluate(call('json_object_keys', col('j')), STR, cases.map(([j]) => ({ j, p: null })));
    expect(got).toEqual(cases.map(([, k]) => k));
  });
});

describe('schema_of_json', () => {
  const schemaOf = (json: string): unknown => evaluate(call('schema_of_json', str(json)), STR, [{ j: null, p: null }])[0];
  it.each([
    ['{"col":0}', 'STRUCT<col: BIGINT>'],
    ['{"col0":["a"], "col1": {"col2": "b"}}', 'STRUCT<col0: ARRAY<STRING>, col1: STRUCT<col2: STRING>>'],
    ['{"id": 1, "price": 0.1}', 'STRUCT<id: BIGINT, price: DOUBLE>'],
    ['{"id": null}', 'STRUCT<id: STRING>'],
    ['{"id": ""}', 'STRUCT<id: STRING>'],
    ['{"a b": 100}', 'STRUCT<`a b`: BIGINT>'],
    ['null', 'STRING'],
    ['[1, 2.5]', 'ARRAY<DOUBLE>'],
    ['[1, "a"]', 'ARRAY<STRING>'],
    ['[]', 'ARRAY<STRING>'],
    ['{}', 'STRUCT<>'],
    ['[{"b":1},{"a":true}]', 'ARRAY<STRUCT<a: BOOLEAN, b: BIGINT>>'],
    ['{"z":1,"a":{"x":[{"q":null}]}}', 'STRUCT<a: STRUCT<x: ARRAY<STRUCT<q: STRING>>>, z: BIGINT>'],
    ['{"big": 123456789012345678901234}', 'STRUCT<big: DECIMAL(24,0)>'],
    ['[1, 123456789012345678901234]', 'ARRAY<DECIMAL(24,0)>'],
    ['{"n": NaN}', 'STRUCT<n: DOUBLE>'],
    ['{"`": 1, "1": 2}', 'STRUCT<`1`: BIGINT, ````: BIGINT>'],
  ])('%s → %s', (json, expected) => {
    expect(schemaOf(json)).toBe(expected);
  });

  it('feeds from_json; refuses text that is not JSON and non-constant input', () => {
    const got = evaluate(call('from_json', col('j'), call('schema_of_json', str('{"a": [1]}'))), STR, [{ j: '{"a": [1, 2, 3]}', p: null }]);
    expect(plain(got[0]!)).toEqual([[1n, 2n, 3n]]);
    expect(() => typeOf(call('schema_of_json', str('{')), STR)).toThrow(/not JSON/);
    expect(() => typeOf(call('schema_of_json', col('j')), STR)).toThrow(/constant/);
  });
});

describe('from_json (JsonExpressionsSuite, JsonFunctionsSuite)', () => {
  it('objects, invalid data, null and blank input', () => {
    expect(fromOne('{"a": 1}', 'a INT')).toEqual([1]);
    expect(fromOne('{"a" 1}', 'a INT')).toEqual([null]);
    expect(fromOne(null, 'a INT')).toBe(null);
    expect(fromOne(' ', 'a INT')).toBe(null);
    expect(fromOne('\u0000\u0000\u0000A\u0001AAA', 'a INT')).toEqual([null]);
    expect(fromOne('{"a": 1}', 'b INT')).toEqual([null]);
  });

  it('top-level values of the wrong kind', () => {
    // struct schema: arrays, scalars and JSON null give a struct of nulls
    expect(fromOne('[{"a": 1}]', 'a INT')).toEqual([null]);
    expect(fromOne('[]', 'a INT')).toEqual([null]);
    expect(fromOne('{  }', 'a INT')).toEqual([null]);
    expect(fromOne('1', 'a INT')).toEqual([null]);
    expect(fromOne('null', 'a INT')).toEqual([null]);
    // array schema: an object is an array of one struct; anything else is null
    expect(fromOne('[{"a": 1}, {"a": 2}]', 'ARRAY<STRUCT<a: INT>>')).toEqual([[1], [2]]);
    expect(fromOne('{"a": 1}', 'ARRAY<STRUCT<a: INT>>')).toEqual([[1]]);
    expect(fromOne('[ ]', 'ARRAY<STRUCT<a: INT>>')).toEqual([]);
    expect(fromOne('{ }', 'ARRAY<STRUCT<a: INT>>')).toEqual([[null]]);
    expect(fromOne('{"a" 1}', 'ARRAY<STRING>')).toBe(null);
    expect(fromOne('{"a": 1}', 'ARRAY<INT>')).toBe(null);
    expect(fromOne('null', 'ARRAY<INT>')).toBe(null);
    // map schema
    expect(fromOne('[1]', 'MAP<STRING, INT>')).toBe(null);
  });

  it('timestamps in the session zone; explicit offsets win', () => {
    const t = 1451606400123000n; // 2016-01-01T00:00:00.123Z
    expect(fromOne('{"t": "2016-01-01T00:00:00.123Z"}', 't TIMESTAMP')).toEqual([t]);
    expect(fromOne('{"t": "2016-01-01T00:00:00.123Z"}', 't TIMESTAMP', undefined, 'America/Los_Angeles')).toEqual([t]);
    expect(fromOne('{"t": "2016-01-01T00:00:00"}', 't TIMESTAMP', undefined, 'America/Los_Angeles')).toEqual([1451635200000000n]);
    expect(fromOne('{"t": "2016-01-01T00:00:00"}', 't TIMESTAMP', undefined, 'Asia/Kolkata')).toEqual([1451586600000000n]);
    expect(fromOne('{"t": 1451606400}', 't TIMESTAMP')).toEqual([1451606400000000n]);
    expect(fromOne('{"t": "not a time"}', 't TIMESTAMP')).toEqual([null]);
    expect(fromOne('{"t": "2021-08-12T15:16:23.000"}', 't TIMESTAMP_NTZ')).toEqual([1628781383000000n]);
    expect(fromOne('{"t": "2021-08-12T15:16:23Z"}', 't TIMESTAMP_NTZ')).toEqual([null]);
    expect(fromOne('{"d": "2018-11-05", "e": "2018-11", "g": "x", "h": ""}', 'd DATE, e DATE, g DATE, h DATE')).toEqual([17840, 17836, null, null]);
    // Spark's legacy fallback: text that is not a date but an integer is a day number.
    expect(fromOne('{"a": "123", "b": "-12", "c": "12345678"}', 'a DATE, b DATE, c DATE')).toEqual([123, -12, 12345678]);
  });

  it('missing fields; the result type is nullable', () => {
    const schema = 'a BIGINT NOT NULL, b STRING NOT NULL, c STRING NOT NULL';
    expect(fromOne('{\n  "a": 1,\n  "c": "foo"\n}\n', schema)).toEqual([1n, null, 'foo']);
    const t = typeOf(call('from_json', col('j'), str(schema)), STR);
    expect(t).toMatchObject({ kind: 'struct', fields: [{ name: 'a', nullable: true }, { name: 'b', nullable: true }, { name: 'c', nullable: true }] });
  });

  it('arrays, nested structs, maps (JsonFunctionsSuite)', () => {
    expect(fromOne('[{"a": 1, "b": "a"}, {"a": 2}, { }]', 'ARRAY<STRUCT<a: INT, b: STRING>>')).toEqual([[1, 'a'], [2, null], [null, null]]);
    expect(fromOne('{"a": 1, "b": "haa"}', 'a INT, b STRING')).toEqual([1, 'haa']);
    expect(fromOne('{"c0": "a", "c1": 1, "c2": {"c20": 3.8, "c21": 8}}', 'c0 STRING, c1 INT, c2 STRUCT<c20: DOUBLE, c21: INT>')).toEqual(['a', 1, [3.8, 8]]);
    expect(fromOne('{"a": 1, "b": 2, "c": 3}', 'MAP<STRING, INT>')).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(fromOne('{"a": 1, "b": 2, "c": 3}', '{"type":"map","keyType":"string","valueType":"integer","valueContainsNull":true}')).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(fromOne('{"a": {"b": 1}}', 'MAP<STRING, STRUCT<b: INT>>')).toEqual([['a', [1]]]);
    expect(fromOne('{"a": {"b": 1}}', 'map<string, map<string, int>>')).toEqual([['a', [['b', 1]]]]);
    expect(fromOne('{"a" 1}', 'MAP<STRING, INT>')).toBe(null);
    expect(fromOne('[1, 2, 3]', 'ARRAY<INT>')).toEqual([1, 2, 3]);
    expect(fromOne('[1, 2 3]', 'ARRAY<INT>')).toBe(null);
    expect(fromOne('[[1], [2, 3], [4, 5, 6]]', 'ARRAY<ARRAY<INT>>')).toEqual([[1], [2, 3], [4, 5, 6]]);
    expect(fromOne('[[1], [2, 3], 4, 5, 6]]', 'ARRAY<ARRAY<INT>>')).toBe(null);
    expect(fromOne('[{"a":1}, {"a":2}, {"a":3}]', 'ARRAY<STRUCT<a: INT>>')).toEqual([[1], [2], [3]]);
    expect(fromOne('[{"a":1}, {"a:2}, {"a":3}]', 'ARRAY<STRUCT<a: INT>>')).toBe(null);
    expect(fromOne('[{"a":1}, {"b":2}]', 'ARRAY<MAP<STRING, INT>>')).toEqual([[['a', 1]], [['b', 2]]]);
    expect(fromOne('[{"a":1} "b":2}]', 'ARRAY<MAP<STRING, INT>>')).toBe(null);
  });

  it('partial results (SPARK-33134, SPARK-40646)', () => {
    const st = 'STRUCT<c1: BIGINT, c2: ARRAY<STRUCT<c3: BIGINT, c4: STRING>>>';
    expect(fromOne('{"c2": [19], "c1": 123456}', 'c1 BIGINT, c2 ARRAY<STRUCT<c3: BIGINT, c4: STRING>>')).toEqual([123456n, null]);
    expect(fromOne('{"data": {"c2": [19], "c1": 123456}}', `data ${st}`)).toEqual([null]);
    expect(fromOne('[{"c2": [19], "c1": 123456}]', `ARRAY<${st}>`)).toEqual([[123456n, null]]);
    expect(fromOne('{"c2": [19]}', `MAP<STRING, ${st}>`)).toBe(null);
    expect(fromOne('[{"c2": {"a": 1}, "c1": "abc"}]', 'ARRAY<STRUCT<c1: STRING, c2: ARRAY<STRUCT<a: BIGINT>>>>')).toEqual([['abc', null]]);
    expect(fromOne('{"c1": {"k1": 1, "k2": "A", "k3": 3}, "c2": "abc"}', 'c1 MAP<STRING, INT>, c2 STRING')).toEqual([null, 'abc']);
    expect(fromOne('["a", "b", "c"]', 'ARRAY<STRUCT<c: ARRAY<INT>>>')).toBe(null);
    expect(fromOne('[[1], ["2"]]', 'ARRAY<STRUCT<c: ARRAY<ARRAY<INT>>>>')).toBe(null);
    expect(fromOne('[{"c1": [{"c2": ["a"]}]}]', 'ARRAY<STRUCT<c1: ARRAY<STRUCT<c2: ARRAY<INT>>>>>')).toEqual([[null]]);
    // A failure inside a nested object is contained there: its other fields are not read as
    // fields of the enclosing object.
    expect(fromOne('{"a": {"x": "bad", "b": 5}, "b": 1}', 'a STRUCT<x: INT>, b INT')).toEqual([null, 1]);
    expect(fromOne('{"a": [1, "x", {"b": 5}], "b": 1}', 'a ARRAY<INT>, b INT')).toEqual([null, 1]);
    // A failing field never overwrites: an earlier value of a repeated key stays.
    expect(fromOne('{"a": [5], "a": [1, "x"]}', 'a ARRAY<INT>')).toEqual([[5]]);
  });

  it('modes and the corrupt-record column', () => {
    const bad = '{"a" 1, "b": 11}';
    const schema = 'a INT, b INT, _unparsed STRING';
    const opts = { columnNameOfCorruptRecord: '_unparsed' };
    expect(fromJson([bad, '{"a": 2, "b": 12}'], schema, { ...opts, mode: 'PERMISSIVE' })).toEqual([
      [null, null, bad],
      [2, 12, null],
    ]);
    const badField = '{"a": "1", "b": 11}';
    expect(fromJson([badField, '{"a": 2, "b": 12}'], schema, opts)).toEqual([
      [null, 11, badField],
      [2, 12, null],
    ]);
    expect(fromJson([bad, '{"a": 2, "b": 12}'], 'a INT, _unparsed STRING, b INT', opts)).toEqual([
      [null, bad, null],
      [2, null, 12],
    ]);
    expect(fromJson([bad, '{"a": 2, "b": 12}'], 'a int, b int, _corrupt_record string')).toEqual([
      [null, null, bad],
      [2, 12, null],
    ]);
    const failfast = (doc: string) => () => fromOne(doc, 'a INT, b INT', { mode: 'FAILFAST' });
    expect(failfast(bad)).toThrow(DeltaError);
    expect(failfast(bad)).toThrow(/malformed record in FAILFAST mode/);
    expect(failfast(badField)).toThrow(/FAILFAST/);
    expect(fromOne('{"a": 2, "b": 12}', 'a INT, b INT', { mode: 'FAILFAST' })).toEqual([2, 12]);
    expect(() => fromOne(bad, 'a INT', { mode: 'DROPMALFORMED' })).toThrow(/PERMISSIVE and FAILFAST/);
    expect(() => fromOne(bad, 'a INT, _unparsed BOOLEAN', opts)).toThrow(/corrupt records .* must be a string/);
  });

  it('reader options', () => {
    expect(fromOne('{"int": 0018}', 'int INT', { allowNumericLeadingZeros: 'true' })).toEqual([18]);
    expect(fromOne('{"int": 0018}', 'int INT')).toEqual([null]);
    expect(fromOne('{"int": +Infinity}', 'int FLOAT', { allowNonNumericNumbers: 'false' })).toEqual([null]);
    expect(fromOne('{"int": +Infinity}', 'int FLOAT')).toEqual([Infinity]);
    expect(fromOne('{"str": "a\u0001b"}', 'str STRING', { allowUnquotedControlChars: 'true' })).toEqual(['a\u0001b']);
    expect(fromOne('{"str": "a\u0001b"}', 'str STRING')).toEqual([null]);
    expect(fromOne(`{"str": 'World'}`, 'str STRING', { allowSingleQuotes: 'true' })).toEqual(['World']);
    expect(fromOne(`{"str": 'World'}`, 'str STRING', { allowSingleQuotes: 'false' })).toEqual([null]);
    expect(() => fromOne('{}', 'a INT', { timestampFormat: 'dd/MM/yyyy' })).toThrow(/does not support the option "timestampFormat"/);
    expect(() => fromOne('{}', 'a INT', { mode: 'sometimes' })).toThrow(/PERMISSIVE and FAILFAST/);
  });

  it('numbers convert exactly into the field type, and only into a type that can hold them', () => {
    const schema = 'b TINYINT, s SMALLINT, i INT, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(38,10), n DECIMAL(5,2)';
    expect(fromOne('{"b": 200, "s": -32768, "i": 2147483647, "l": 9223372036854775807, "f": 0.1, "d": 1e308, "m": 12345678901234567890.1234567890, "n": 1.005}', schema)).toEqual([
      -56, // Jackson's getByteValue takes -128..255 and narrows
      -32768,
      2147483647,
      9223372036854775807n,
      Math.fround(0.1),
      1e308,
      '12345678901234567890.1234567890',
      '1.01',
    ]);
    expect(fromOne('{"b": 256, "s": 32768, "i": 2147483648, "l": 9223372036854775808, "f": "NaN", "d": "-Infinity", "m": 1e30, "n": 1000}', schema)).toEqual([
      null,
      null,
      null,
      null,
      NaN,
      -Infinity,
      null,
      null,
    ]);
    expect(fromOne('{"i": 1.0, "l": "5", "d": "1.5", "n": "1,234.5"}', 'i INT, l BIGINT, d DOUBLE, n DECIMAL(7,2)')).toEqual([null, null, null, '1234.50']);
    expect(fromOne('{"m": -9007199254740993, "n": 1E-3}', 'm BIGINT, n DECIMAL(4,2)')).toEqual([-9007199254740993n, '0.00']);
    expect(fromOne('{"n": 5e-1, "z": 0.005, "e": 1.5e1}', 'n DECIMAL(3,0), z DECIMAL(3,2), e DECIMAL(3,0)')).toEqual(['1', '0.01', '15']);
  });

  it('strings, booleans and binary', () => {
    const schema = 's STRING, t STRING, u STRING, v STRING, b BOOLEAN, c BOOLEAN, x BINARY, y BINARY';
    expect(fromOne('{"s": 1.50, "t": {"k": [1, true, null, "q"]}, "u": 12345678901234567890123, "v": "plain", "b": true, "c": "true", "x": "AAH/", "y": "AAH"}', schema)).toEqual([
      '1.5',
      '{"k":[1,true,null,"q"]}',
      '12345678901234567890123',
      'plain',
      true,
      null,
      [0, 1, 255],
      null,
    ]);
  });

  it('field names are case sensitive; a repeated field keeps the last value', () => {
    expect(fromOne('{"A": 1, "a": 2, "a": 3}', 'a INT')).toEqual([3]);
    expect(fromOne('{"a": 1}', 'A INT')).toEqual([null]);
  });

  it('binding: schemas and their errors', () => {
    expect(typeOf(call('from_json', col('j'), str('a INT, b ARRAY<STRING>')), STR)).toEqual(
      struct([field('a', primitive('integer')), field('b', array(primitive('string')))]),
    );
    expect(typeOf(call('from_json', col('j'), str('ARRAY<INT>')), STR)).toEqual(array(primitive('integer')));
    expect(() => typeOf(call('from_json', col('j'), str('MAP<INT, STRING>')), STR)).toThrow(/keys/);
    expect(() => typeOf(call('from_json', col('j'), str('MAP<STRUCT<f: INT>, STRING>')), STR)).toThrow(/keys/);
    expect(() => typeOf(call('from_json', col('j'), str('x INT, a cow')), STR)).toThrow(/cow/);
    expect(() => typeOf(call('from_json', col('j'), str('INT')), STR)).toThrow(/struct, array or map/);
    expect(() => typeOf(call('from_json', col('j'), col('p')), STR)).toThrow(/constant/);
    expect(() => typeOf(call('from_json', col('j'), lit(1n)), STR)).toThrow(/string literal/);
    expect(() => typeOf(call('from_json', col('j'), str('a INT'), str('x')), STR)).toThrow(/map<string,string>/);
  });

  it('works on field access and in predicates', () => {
    const e = { kind: 'field', arg: call('from_json', col('j'), str('a INT, b STRING')), name: 'b' } as Expr;
    expect(evaluate(e, STR, [{ j: '{"a":1,"b":"x"}', p: null }, { j: 'bad', p: null }, { j: null, p: null }])).toEqual(['x', null, null]);
  });
});

const TS_SCHEMA = struct([field('t', primitive('timestamp')), field('n', primitive('timestamp_ntz')), field('d', primitive('date'))]);

describe('to_json', () => {
  const toJson = (type: DataType, values: readonly unknown[], opts?: Record<string, string>, timeZone = 'UTC'): unknown[] => {
    const s = struct([field('v', type)]);
    return evaluate(call('to_json', col('v'), ...(opts ? [options(opts)] : [])), s, values.map((v) => ({ v })), timeZone);
  };

  it('structs, arrays and maps (JsonExpressionsSuite)', () => {
    const a = struct([field('a', primitive('integer'))]);
    expect(toJson(a, [{ a: 1 }, null, { a: null }])).toEqual(['{"a":1}', null, '{}']);
    expect(toJson(array(a), [[{ a: 1 }, { a: 2 }], [{ a: null }], []])).toEqual(['[{"a":1},{"a":2}]', '[{}]', '[]']);
    expect(toJson(map(primitive('string'), a), [new Map([['test', { a: 1 }]])])).toEqual(['{"test":{"a":1}}']);
    expect(toJson(map(primitive('string'), primitive('integer')), [new Map([['a', 1]])])).toEqual(['{"a":1}']);
    expect(toJson(array(map(primitive('string'), primitive('integer'))), [[new Map([['a', 1]]), new Map([['b', 2]])], [new Map([['a', 1]])]])).toEqual([
      '[{"a":1},{"b":2}]',
      '[{"a":1}]',
    ]);
    expect(toJson(array(primitive('integer')), [[1, 2, 3], [1, null]])).toEqual(['[1,2,3]', '[1,null]']);
  });

  it('timestamps, timestamp_ntz and dates', () => {
    const t = 1451606400000000n; // 2016-01-01T00:00:00Z
    const rows = [{ t, n: 1628781383000000n, d: '2015-08-26' }];
    const asJson = (tz: string) => evaluate(call('to_json', col('s')), struct([field('s', TS_SCHEMA)]), [{ s: rows[0] }], tz)[0];
    expect(asJson('UTC')).toBe('{"t":"2016-01-01T00:00:00.000Z","n":"2021-08-12T15:16:23.000","d":"2015-08-26"}');
    expect(asJson('America/Los_Angeles')).toBe('{"t":"2015-12-31T16:00:00.000-08:00","n":"2021-08-12T15:16:23.000","d":"2015-08-26"}');
    expect(asJson('Asia/Kolkata')).toBe('{"t":"2016-01-01T05:30:00.000+05:30","n":"2021-08-12T15:16:23.000","d":"2015-08-26"}');
    const ts = struct([field('t', primitive('timestamp'))]);
    expect(toJson(ts, [{ t: 1451606400123999n }, { t: -1n }])).toEqual(['{"t":"2016-01-01T00:00:00.123Z"}', '{"t":"1969-12-31T23:59:59.999Z"}']);
  });

  it('numbers as Java prints them, decimals as BigDecimal.toString, binary as base64', () => {
    const s = struct([
      field('f', primitive('float')),
      field('d', primitive('double')),
      field('x', primitive('double')),
      field('m', decimal(20, 10)),
      field('k', decimal(10, 2)),
      field('l', primitive('long')),
      field('b', primitive('binary')),
      field('o', primitive('boolean')),
    ]);
    expect(toJson(s, [{ f: 0.1, d: 1e10, x: NaN, m: '0', k: '-12.50', l: -(2n ** 63n), b: Uint8Array.of(0, 1, 255, 7), o: false }])).toEqual([
      '{"f":0.1,"d":1.0E10,"x":"NaN","m":0E-10,"k":-12.50,"l":-9223372036854775808,"b":"AAH/Bw==","o":false}',
    ]);
    expect(toJson(s, [{ f: -Infinity, d: 0.001, x: 1.0, m: '0.0000012345', k: '0.01', l: 0n, b: new Uint8Array(0), o: true }])).toEqual([
      '{"f":"-Infinity","d":0.001,"x":1.0,"m":0.0000012345,"k":0.01,"l":0,"b":"","o":true}',
    ]);
    expect(toJson(s, [{ f: 1, d: 1e-4, x: -0, m: '0.0000001234', k: '1', l: 1n, b: Uint8Array.of(1), o: null }])).toEqual([
      '{"f":1.0,"d":1.0E-4,"x":-0.0,"m":1.234E-7,"k":1.00,"l":1,"b":"AQ=="}',
    ]);
  });

  it('escapes strings as Jackson; keys of maps as Spark prints internal values', () => {
    const s = struct([field('s', primitive('string'))]);
    expect(toJson(s, [{ s: 'a"b\\c\n\t\u0001\u001f/é' }])).toEqual(['{"s":"a\\"b\\\\c\\n\\t\\u0001\\u001F/é"}']);
    expect(toJson(map(primitive('date'), primitive('integer')), [new Map([['2016-01-01', 1]])])).toEqual(['{"16801":1}']);
    expect(toJson(map(primitive('double'), primitive('integer')), [new Map([[1e10, 1]])])).toEqual(['{"1.0E10":1}']);
    expect(toJson(map(primitive('string'), primitive('integer')), [new Map([['k', null]])])).toEqual(['{"k":null}']);
  });

  it('ignoreNullFields', () => {
    const s = struct([field('a', primitive('integer')), field('b', struct([field('c', primitive('string'))]))]);
    expect(toJson(s, [{ a: null, b: { c: null } }], { ignoreNullFields: 'false' })).toEqual(['{"a":null,"b":{"c":null}}']);
    expect(toJson(s, [{ a: null, b: { c: null } }], { ignoreNullFields: 'true' })).toEqual(['{"b":{}}']);
    expect(toJson(s, [{ a: null, b: { c: null } }])).toEqual(['{"b":{}}']);
  });

  it('round trips with from_json (JsonFunctionsSuite)', () => {
    for (const [json, schema] of [
      ['{"a":1,"b":2,"c":3}', 'MAP<STRING, INT>'],
      ['[1,2,3]', 'ARRAY<INT>'],
      ['[[1],[2,3],[4,5,6]]', 'ARRAY<ARRAY<INT>>'],
      ['[{"a":1},{"b":2}]', 'ARRAY<MAP<STRING, INT>>'],
      ['[{"a":1},{"a":2},{"a":3}]', 'ARRAY<STRUCT<a: INT>>'],
      ['{"a":1}', 'a INT'],
    ]) {
      expect(evaluate(call('to_json', call('from_json', col('j'), str(schema!))), STR, [{ j: json, p: null }])).toEqual([json]);
    }
  });

  it('refuses values that are not structs, arrays or maps', () => {
    const s = struct([field('n', primitive('integer'))]);
    expect(() => typeOf(call('to_json', col('n')), s)).toThrow(/struct, array or map/);
    expect(() => typeOf(call('to_json', col('m')), struct([field('m', map(primitive('binary'), primitive('integer')))]))).toThrow(/binary map keys/);
  });
});

