/**
 * String functions. Expected values come from Spark's own tests and documentation
 * (StringExpressionsSuite, RegexpExpressionsSuite, string-functions.sql golden results, the
 * functions' ExpressionDescription examples) and from Java's documented behaviour (regex,
 * Formatter, case mapping); generated inputs are compared with DuckDB where both define the
 * function the same way.
 *
 * Not compared with DuckDB, and why: upper/lower (DuckDB maps case per code point with
 * utf8proc's simple mappings: upper('ß') is 'ẞ' there, 'SS' in Java/Spark); reverse (DuckDB
 * reverses grapheme clusters, Spark code points); levenshtein (DuckDB counts bytes); left/right
 * with negative lengths and substring with negative positions (different conventions); lpad/rpad
 * with an empty pad (an error in DuckDB); concat (DuckDB skips NULLs; `||` is compared instead);
 * trim(trimStr, str) argument order (DuckDB's trim(str, chars) is compared with btrim); regex
 * functions beyond simple patterns (RE2 vs Java syntax); format_string with %f/%e (C rounds the
 * binary value, Java the shortest decimal digits); initcap, soundex, translate's deletion,
 * chr (not defined alike).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { duckRows, lit as sqlLit } from '../../parquet/duckdb-oracle.js';
import { DOUBLE, DeltaTable, INT, LONG, LocalFileSystemStore, STRING, and, arr, bin, call, cmp, col, createDefaultEngine, decimalType, field, lit, or, struct, bool, date, dbl, dec, errorCode, ev, evalColumns, evalFn, flt, int, long, norm, nul, randomStrings, resultType, str, typedNull } from '../function-helpers.js';

const bytes = (s: string) => Array.from(new TextEncoder().encode(s));

describe('case, trim and length (StringExpressionsSuite, docs)', () => {
  it('upper/lower/initcap use Java case mapping', () => {
    expect(ev('upper', str('SparkSql'))).toBe('SPARKSQL');
    expect(ev('ucase', str('SparkSql'))).toBe('SPARKSQL');
    expect(ev('lower', str('SparkSql'))).toBe('sparksql');
    expect(ev('lcase', str('SparkSql'))).toBe('sparksql');
    expect(ev('upper', str('straße'))).toBe('STRASSE');
    expect(ev('lower', str('İ'))).toBe('i\u0307');
    expect(ev('lower', str('ΟΔΟΣ'))).toBe('οδος');
    expect(ev('upper', nul)).toBe(null);
    expect(ev('initcap', str('sPark sql'))).toBe('Spark Sql');
    expect(ev('initcap', str('a b'))).toBe('A B');
    expect(ev('initcap', str(' a'))).toBe(' A');
    expect(ev('initcap', str('the test'))).toBe('The Test');
    expect(ev('initcap', str('世界'))).toBe('世界');
    // only spaces separate words; Java titlecases the ǆ digraph to ǅ
    expect(ev('initcap', str('ab-cd\tef ǆemal'))).toBe('Ab-cd\tef ǅemal');
  });

  it('trim family: one argument trims spaces only; trim(trimStr, str), btrim(str, trimStr)', () => {
    expect(ev('trim', str(' xyz '))).toBe('xyz');
    expect(ev('ltrim', str(' xyz '))).toBe('xyz ');
    expect(ev('rtrim', str(' xyz '))).toBe(' xyz');
    expect(ev('trim', str('\t xyz \n'))).toBe('\t xyz \n');
    expect(ev('trim', str('  花花世界 '))).toBe('花花世界');
    expect(ev('trim', str('SL'), str('SSparkSQLS'))).toBe('parkSQ');
    expect(ev('ltrim', str('Sp'), str('SSparkSQLS'))).toBe('arkSQLS');
    expect(ev('rtrim', str('LQSa'), str('SSparkSQLS'))).toBe('SSpark');
    expect(ev('btrim', str('SSparkSQLS'), str('SL'))).toBe('parkSQ');
    expect(ev('btrim', str('xyxtrimyyx'), str('xy'))).toBe('trim');
    expect(ev('trim', str('xyz'), str('yxTomxx'))).toBe('Tom');
    expect(ev('ltrim', str('xyz'), str('zzzytestxyz'))).toBe('testxyz');
    expect(ev('ltrim', str('xy'), str('xyxXxyLAST WORD'))).toBe('XxyLAST WORD');
    expect(ev('rtrim', str('xy'), str('TURNERyxXxy'))).toBe('TURNERyxX');
    expect(ev('trim', str('花 '), str(' 花 花 世界 花 花 '))).toBe('世界');
    expect(ev('rtrim', str('花 界b@'), str(' 花花世 b界@花花 '))).toBe(' 花花世');
    expect(ev('trim', str('a.,@<>'), str('a<a >@>.,>'))).toBe(' ');
    expect(ev('trim', nul, str('a'))).toBe(null);
    expect(ev('trim', str('a'), nul)).toBe(null);
    expect(ev('btrim', bin(bytes('    SparkSQL   ')))).toBe('SparkSQL');
  });

  it('length counts code points; octet_length and bit_length count UTF-8 bytes; binary counts bytes', () => {
    expect(ev('length', str('Spark SQL '))).toBe(10);
    expect(ev('char_length', str('Spark SQL '))).toBe(10);
    expect(ev('character_length', str('Spark SQL '))).toBe(10);
    expect(ev('length', str('a花花c'))).toBe(4);
    expect(ev('length', str('a😀b'))).toBe(3);
    expect(ev('octet_length', str('a花花c'))).toBe(8);
    expect(ev('bit_length', str('a花花c'))).toBe(64);
    expect(ev('length', bin([1, 2, 3, 1, 2]))).toBe(5);
    expect(ev('octet_length', bin([1, 2, 3, 1, 2]))).toBe(5);
    expect(ev('bit_length', bin(bytes('Spark SQL')))).toBe(72);
    expect(ev('length', int(123))).toBe(3);
    expect(ev('length', nul)).toBe(null);
    expect(resultType('length', str('x'))).toEqual(INT);
  });
});

describe('substring, left, right, concat, replace (StringExpressionsSuite, golden results)', () => {
  it('substring is 1-based, accepts 0 and negative positions, clamps lengths', () => {
    const s = str('example');
    const sub = (p: number, l?: number) => (l === undefined ? ev('substring', s, int(p)) : ev('substring', s, int(p), int(l)));
    expect([sub(0, 2), sub(1, 2), sub(0, 7), sub(1, 7), sub(0, 100), sub(1, 100), sub(2, 2), sub(2, 6), sub(2, 100)]).toEqual(['ex', 'ex', 'example', 'example', 'example', 'example', 'xa', 'xample', 'xample']);
    expect([sub(0, 0), sub(100, 4), sub(0), sub(1), sub(2), sub(-1207959552, -1207959552)]).toEqual(['', '', 'example', 'example', 'xample', '']);
    expect(ev('substr', str('Spark SQL'), int(5))).toBe('k SQL');
    expect(ev('substr', str('Spark SQL'), int(-3))).toBe('SQL');
    expect(ev('substring', str('Spark SQL'), int(5), int(1))).toBe('k');
    expect(ev('substring', str('Spark SQL'), int(-20), int(15))).toBe('Spar');
    expect(ev('substring', str('a😀b'), int(2), int(1))).toBe('😀');
    expect(ev('substring', s, nul, int(4))).toBe(null);
    expect(ev('substring', s, int(100), typedNull(INT))).toBe(null);
    const b = bin([1, 2, 3, 4]);
    const subB = (p: number, l: number) => ev('substring', b, int(p), int(l));
    expect([subB(0, 2), subB(1, 2), subB(2, 2), subB(3, 2), subB(4, 2), subB(8, 2), subB(-1, 2), subB(-2, 2), subB(-3, 2), subB(-4, 2), subB(-5, 2), subB(-8, 2)]).toEqual([
      [1, 2], [1, 2], [2, 3], [3, 4], [4], [], [4], [3, 4], [2, 3], [1, 2], [1], [],
    ]);
  });

  it('left and right', () => {
    expect([ev('left', str('abcd'), int(2)), ev('left', str('abcd'), int(5)), ev('left', str('abcd'), str('2')), ev('left', str('abcd'), nul)]).toEqual(['ab', 'abcd', 'ab', null]);
    expect([ev('left', str('abcd'), int(-2)), ev('left', str('abcd'), int(0)), ev('left', str('abcd'), str('a'))]).toEqual(['', '', null]);
    expect([ev('right', str('abcd'), int(2)), ev('right', str('abcd'), int(5)), ev('right', str('abcd'), str('2')), ev('right', str('abcd'), nul)]).toEqual(['cd', 'abcd', 'cd', null]);
    expect([ev('right', str('abcd'), int(-2)), ev('right', str('abcd'), int(0)), ev('right', str('abcd'), str('a')), ev('right', nul, int(-2))]).toEqual(['', '', null, null]);
    expect(ev('left', bin(bytes('Spark SQL')), int(3))).toEqual(bytes('Spa'));
  });

  it('concat is null when any argument is; binaries concatenate as binary; concat_ws skips nulls', () => {
    expect(ev('concat')).toBe('');
    expect(ev('concat', str('a'), str('b'), str('C'))).toBe('abC');
    expect(ev('concat', str('a'), nul, str('C'))).toBe(null);
    expect(ev('concat', str('数据'), str('砖头'))).toBe('数据砖头');
    expect(ev('concat', int(1), str('-'), dbl(2.5))).toBe('1-2.5');
    expect(ev('concat', bin([1]), bin([2, 3]))).toEqual([1, 2, 3]);
    expect(ev('concat', arr(INT, [1, 2]), arr(INT, [null, 3]))).toEqual([1, 2, null, 3]);
    expect(ev('concat_ws', str(' '), str('Spark'), str('SQL'))).toBe('Spark SQL');
    expect(ev('concat_ws', str('s'))).toBe('');
    expect(ev('concat_ws', str('/'), str('foo'), nul, str('bar'))).toBe('foo/bar');
    expect(ev('concat_ws', nul, str('Spark'), str('SQL'))).toBe(null);
    expect(ev('concat_ws', str('哈哈'), str('a'), nul, str('b'))).toBe('a哈哈b');
    expect(ev('concat_ws', str('哈哈'), arr(STRING, ['a', null, 'b']), nul, str('c'), arr(STRING, [null, 'd']))).toBe('a哈哈b哈哈c哈哈d');
    expect(ev('concat_ws', str(','), int(1), arr(INT, [2, 3]))).toBe('1,2,3');
  });

  it('replace, overlay, translate, substring_index, split_part, find_in_set, elt', () => {
    expect(ev('replace', str('ABCabc'), str('abc'), str('DEF'))).toBe('ABCDEF');
    expect(ev('replace', str('abc'), str('b'))).toBe('ac');
    expect(ev('replace', str('replace'), str(''), str('123'))).toBe('replace');
    expect(ev('replace', str('abcdabcd'), str('bc'), str(''))).toBe('adad');
    expect(ev('replace', str('花花世界'), str('花世'), str('ab'))).toBe('花ab界');
    expect(ev('replace', str('a$b'), str('$'), str('$$'))).toBe('a$$b');
    expect(ev('overlay', str('Spark SQL'), str('_'), int(6))).toBe('Spark_SQL');
    expect(ev('overlay', str('Spark SQL'), str('ANSI '), int(7), int(0))).toBe('Spark ANSI SQL');
    expect(ev('overlay', str('Spark SQL'), str('tructured'), int(2), int(4))).toBe('Structured SQL');
    expect(ev('overlay', str('Spark的SQL'), str('_'), int(6))).toBe('Spark_SQL');
    expect(ev('overlay', str('Spark SQL'), str('__'), int(-10), int(4))).toBe('__rk SQL');
    expect(ev('overlay', bin([1, 2, 3, 4, 5, 6, 7, 8, 9]), bin([255, 255]), int(0), int(4))).toEqual([255, 255, 4, 5, 6, 7, 8, 9]);
    expect(ev('translate', str('AaBbCc'), str('abc'), str('123'))).toBe('A1B2C3');
    expect(ev('translate', str('translate'), str('rnlt'), str(''))).toBe('asae');
    expect(ev('translate', str('abcd'), str('aba'), str('123'))).toBe('12cd');
    expect(ev('translate', str('花花世界'), str('花界'), str('ab'))).toBe('aa世b');
    expect(ev('substring_index', str('www.apache.org'), str('.'), int(2))).toBe('www.apache');
    expect(ev('substring_index', str('www.apache.org'), str('.'), int(-2))).toBe('apache.org');
    expect(ev('substring_index', str('www.apache.org'), str('.'), int(0))).toBe('');
    expect(ev('substring_index', str('www.apache.org'), str('.'), int(-3))).toBe('www.apache.org');
    expect(ev('substring_index', str('大千世界大千世界'), str('千'), int(2))).toBe('大千世界大');
    expect(ev('substring_index', str('www||apache||org'), str('||'), int(2))).toBe('www||apache');
    expect(ev('split_part', str('11.12.13'), str('.'), int(3))).toBe('13');
    expect(ev('split_part', str('11.12.13'), str('.'), int(-1))).toBe('13');
    expect(ev('split_part', str('11.12.13'), str('.'), int(4))).toBe('');
    expect(ev('split_part', str('11.12.13'), str(''), int(1))).toBe('11.12.13');
    expect(errorCode(() => evalFn('split_part', str('a'), str('.'), int(0)))).toBe('INVALID_ARGUMENT');
    expect(ev('find_in_set', str('ab'), str('abc,b,ab,c,def'))).toBe(3);
    expect(ev('find_in_set', str('abf'), str('abc,b,ab,c,def'))).toBe(0);
    expect(ev('find_in_set', str('ab,'), str('abc,b,ab,c,def'))).toBe(0);
    expect(ev('elt', int(1), str('scala'), str('java'))).toBe('scala');
    expect(ev('elt', int(2), str('a'), int(1))).toBe('1');
    expect([ev('elt', int(3), str('hello'), str('world')), ev('elt', int(0), str('hello'), str('world')), ev('elt', nul, str('hello'), str('world'))]).toEqual([null, null, null]);
  });
});

describe('padding, searching and others (StringExpressionsSuite, golden results)', () => {
  it('lpad/rpad truncate, pad with the pattern, keep binaries binary', () => {
    expect(ev('lpad', str('hi'), int(5), str('??'))).toBe('???hi');
    expect(ev('lpad', str('hi'), int(1), str('??'))).toBe('h');
    expect(ev('lpad', str('hi'), int(5))).toBe('   hi');
    expect(ev('rpad', str('hi'), int(5), str('??'))).toBe('hi???');
    expect(ev('rpad', str('hi'), int(1))).toBe('h');
    expect(ev('lpad', str('hi'), str('invalid_length'))).toBe(null);
    expect(ev('lpad', str('hi'), int(5), str(''))).toBe('hi');
    expect(ev('lpad', str('hi'), int(-1), str('?'))).toBe('');
    expect(ev('lpad', str('中'), int(4), str('😀x'))).toBe('😀x😀中');
    const hex = (a: unknown) => (a as number[]).map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join('');
    expect(hex(ev('lpad', bin([]), int(5)))).toBe('0000000000');
    expect(hex(ev('lpad', bin([0xaa, 0xbb]), int(5)))).toBe('000000AABB');
    expect(hex(ev('lpad', bin([0xaa, 0xbb, 0xcc]), int(2)))).toBe('AABB');
    expect(hex(ev('lpad', bin([0xaa]), int(6), bin([0x1f, 0x2e])))).toBe('1F2E1F2E1FAA');
    expect(hex(ev('lpad', bin([0xaa, 0xbb, 0xcc]), int(6), bin([])))).toBe('AABBCC');
    expect(hex(ev('rpad', bin([0xaa]), int(6), bin([0x1f, 0x2e])))).toBe('AA1F2E1F2E1F');
    expect(hex(ev('rpad', bin([0xaa, 0xbb]), int(5)))).toBe('AABB000000');
    expect(hex(ev('rpad', bin([0xaa, 0xbb, 0xcc]), int(2), bin([0xff])))).toBe('AABB');
  });

  it('instr, locate/position (null start gives 0), contains/startswith/endswith on strings and binary', () => {
    expect(ev('instr', str('SparkSQL'), str('SQL'))).toBe(6);
    expect(ev('instr', str('aaads'), str('aa'))).toBe(1);
    expect(ev('instr', str('aaads'), str('de'))).toBe(0);
    expect(ev('instr', str('花花世界'), str('世界'))).toBe(3);
    expect(ev('instr', str('😀花世界'), str('世界'))).toBe(3);
    expect(ev('locate', str('bar'), str('foobarbar'))).toBe(4);
    expect(ev('locate', str('bar'), str('foobarbar'), int(5))).toBe(7);
    expect(ev('position', str('bar'), str('foobarbar'))).toBe(4);
    expect([0, 1, 2, 3].map((p) => ev('locate', str('aa'), str('aaads'), int(p)))).toEqual([0, 1, 2, 0]);
    expect(ev('locate', str('zz'), str('aaads'), typedNull(INT))).toBe(0);
    expect(ev('locate', nul, str('foobarbar'))).toBe(null);
    expect(ev('locate', str('aaads'), nul)).toBe(null);
    expect(ev('contains', str('Spark SQL'), str('Spark'))).toBe(true);
    expect(ev('contains', str('Spark SQL'), str('SPARK'))).toBe(false);
    expect(ev('contains', str('Spark SQL'), nul)).toBe(null);
    expect(ev('contains', bin(bytes('Spark SQL')), bin(bytes('Spark')))).toBe(true);
    expect(ev('startswith', str('Spark SQL'), str('SQL'))).toBe(false);
    expect(ev('startswith', bin(bytes('Spark SQL')), bin(bytes('Spark')))).toBe(true);
    expect(ev('endswith', str('Spark SQL'), str('SQL'))).toBe(true);
    expect(ev('endswith', bin(bytes('Spark SQL')), bin(bytes('Spark')))).toBe(false);
    expect(ev('endswith', bin(bytes('Spark SQL')), bin(bytes('SQL')))).toBe(true);
  });

  it('repeat, reverse, space, ascii, chr, levenshtein, soundex', () => {
    expect(ev('repeat', str('123'), int(2))).toBe('123123');
    expect(ev('repeat', str('hi'), int(-1))).toBe('');
    expect(ev('reverse', str('abccc'))).toBe('cccba');
    expect(ev('reverse', str('a😀b'))).toBe('b😀a');
    expect(ev('reverse', arr(INT, [1, null, 3]))).toEqual([3, null, 1]);
    expect([ev('space', int(2)), ev('space', int(-1)), ev('space', int(0))]).toEqual(['  ', '', '']);
    expect([ev('ascii', str('222')), ev('ascii', int(2)), ev('ascii', str('')), ev('ascii', str('😀'))]).toEqual([50, 50, 0, 0x1f600]);
    expect([ev('chr', long(48n)), ev('chr', long(97n + 256n)), ev('chr', long(-9n)), ev('chr', long(256n)), ev('chr', int(149)), ev('char', int(65))]).toEqual(['0', 'a', '', '\u0000', '\u0095', 'A']);
    expect(ev('levenshtein', str('kitten'), str('sitting'))).toBe(3);
    expect(ev('levenshtein', str('kitten'), str('sitting'), int(2))).toBe(-1);
    expect(ev('levenshtein', str('frog'), str('fog'))).toBe(1);
    expect(ev('levenshtein', str('千世'), str('fog'))).toBe(3);
    expect(ev('levenshtein', str('世界千世'), str('大a界b'))).toBe(4);
    expect(ev('levenshtein', str(''), nul)).toBe(null);
    const sx = (s: string) => ev('soundex', str(s));
    expect(['ZIN', 'SU', '', '测试', 'Tschüss', 'zZ', 'RAGSSEEESSSVEEWE', 'Ashcraft', 'Aswcraft', 'Tymczak', 'Pfister', 'Miller', 'Peterson', 'Moskowitz', 'Moskovitz', 'relyheewsgeessg', '!!'].map(sx)).toEqual([
      'Z500', 'S000', '', '测试', 'T220', 'Z000', 'R221', 'A261', 'A261', 'T522', 'P236', 'M460', 'P362', 'M232', 'M213', 'R422', '!!',
    ]);
    expect(errorCode(() => evalFn('soundex', int(1)))).toBe('TYPE_MISMATCH');
  });
});

describe('encodings', () => {
  it('base64 (one line) and unbase64 (Java MIME decoder)', () => {
    expect(ev('base64', str('Spark SQL'))).toBe('U3BhcmsgU1FM');
    expect(ev('base64', bin([1, 2, 3, 4]))).toBe('AQIDBA==');
    expect(ev('base64', bin([]))).toBe('');
    expect(ev('base64', bin(Array.from({ length: 80 }, (_, i) => i)))).not.toContain('\n');
    expect(ev('unbase64', str('U3BhcmsgU1FM'))).toEqual(bytes('Spark SQL'));
    expect(ev('unbase64', str('AQID BA==\r\n'))).toEqual([1, 2, 3, 4]);
    expect(ev('unbase64', str('AQ?ID!BA'))).toEqual([1, 2, 3, 4]);
    expect(ev('unbase64', str(''))).toEqual([]);
    expect(ev('unbase64', str('YQ'))).toEqual([0x61]);
    expect(errorCode(() => evalFn('unbase64', str('a')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => evalFn('unbase64', str('YQ=')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => evalFn('unbase64', str('YQ==YQ==')))).toBe('INVALID_ARGUMENT');
  });

  it('hex/unhex (MathExpressionsSuite)', () => {
    expect(ev('hex', long(28n))).toBe('1C');
    expect(ev('hex', long(-28n))).toBe('FFFFFFFFFFFFFFE4');
    expect(ev('hex', long(100800200404n))).toBe('177828FED4');
    expect(ev('hex', long(-100800200404n))).toBe('FFFFFFE887D7012C');
    expect(ev('hex', int(17))).toBe('11');
    expect(ev('hex', str('Spark SQL'))).toBe('537061726B2053514C');
    expect(ev('hex', bin(bytes('helloHex')))).toBe('68656C6C6F486578');
    expect(ev('hex', bin(bytes('三重的')))).toBe('E4B889E9878DE79A84');
    expect(ev('unhex', str('737472696E67'))).toEqual(bytes('string'));
    expect(ev('unhex', str(''))).toEqual([]);
    expect(ev('unhex', str('F'))).toEqual([15]);
    expect(ev('unhex', str('ff'))).toEqual([255]);
    expect(ev('unhex', str('GG'))).toBe(null);
    expect(ev('unhex', str('三重的'))).toBe(null);
    expect(ev('unhex', str('E4B889E9878DE79A84'))).toEqual(bytes('三重的'));
  });

  it('encode/decode with Java charsets, and the CASE form of decode', () => {
    const utf16 = evalFn('encode', str('大千世界'), str('UTF-16LE')) as Uint8Array;
    expect(Array.from(utf16)).toEqual([0x27, 0x59, 0x43, 0x53, 0x16, 0x4e, 0x4c, 0x75]);
    expect(ev('decode', bin(utf16), str('UTF-16LE'))).toBe('大千世界');
    expect(ev('encode', str('abc'), str('utf-8'))).toEqual(bytes('abc'));
    expect(ev('encode', str('aé😀'), str('US-ASCII'))).toEqual([0x61, 0x3f, 0x3f]);
    expect(ev('encode', str('aé😀'), str('ISO-8859-1'))).toEqual([0x61, 0xe9, 0x3f]);
    expect(ev('encode', str('A'), str('UTF-16'))).toEqual([0xfe, 0xff, 0, 0x41]);
    expect(ev('encode', str(''), str('UTF-16'))).toEqual([]);
    expect(ev('decode', bin([0x61, 0xe9]), str('US-ASCII'))).toBe('a\ufffd');
    expect(ev('decode', bin([0x61, 0xe9]), str('iso-8859-1'))).toBe('aé');
    expect(ev('decode', bin([0xff, 0xfe, 0x41, 0]), str('UTF-16'))).toBe('A');
    expect(ev('decode', bin([0, 0x41]), str('UTF-16'))).toBe('A');
    expect(ev('decode', bin([0x61, 0xff]), str('utf-8'))).toBe('a\ufffd');
    expect(errorCode(() => evalFn('encode', str('a'), str('EBCDIC-ZZ')))).toBe('INVALID_ARGUMENT');
    expect(ev('encode', nul, str('utf-8'))).toBe(null);
    const cities = [str('Southlake'), int(2), str('San Francisco'), int(3), str('New Jersey'), int(4), str('Seattle')];
    expect(ev('decode', int(2), int(1), ...cities, str('Non domestic'))).toBe('San Francisco');
    expect(ev('decode', int(6), int(1), ...cities, str('Non domestic'))).toBe('Non domestic');
    expect(ev('decode', int(6), int(1), ...cities)).toBe(null);
    expect(ev('decode', nul, int(6), str('Spark'), nul, str('SQL'), int(4), str('rocks'))).toBe('SQL');
    expect(ev('decode', int(1), int(1), str('Southlake'))).toBe('Southlake');
  });
});

describe('LIKE / ILIKE (RegexpExpressionsSuite)', () => {
  // The ESCAPE is a constant (the parser's ESCAPE clause): the string and pattern are evaluated as columns and as literals.
  const like = (s: string | null, p: string | null, escape?: string, fn = 'like') => {
    if (escape === undefined) return ev(fn, str(s), str(p));
    const viaColumns = evalColumns(fn, [{ type: STRING, values: [s] }, { type: STRING, values: [p] }, { literal: str(escape) }])[0];
    const viaLiterals = evalColumns(fn, [{ literal: str(s) }, { literal: str(p) }, { literal: str(escape) }])[0];
    expect(viaLiterals).toBe(viaColumns);
    return viaColumns;
  };
  it('matches whole strings with _ and %, newlines included, code point wise', () => {
    const cases: [string, string, boolean][] = [
      ['abdef', 'abdef', true], ['a_%b', 'a\\__b', true], ['addb', 'a_%b', true], ['addb', 'a\\__b', false], ['addb', 'a%\\%b', false], ['a_%b', 'a%\\%b', true],
      ['addb', 'a%', true], ['addb', '**', false], ['abc', 'a%', true], ['abc', 'b%', false], ['abc', 'bc%', false], ['a\nb', 'a_b', true], ['ab', 'a%b', true], ['a\nb', 'a%b', true],
      ['', '', true], ['a', '', false], ['', 'a', false], ['\\\\\\\\', '%\\\\%', true], ['%%', '%%', true], ['\\__', '\\\\\\__', true], ['\\\\\\__', '%\\\\%\\%', false], ['_\\\\\\%', '%\\\\', false],
      ['a€a', '_€_', true], ['A', 'a%', false], ['a', 'A%', false], ['AaA', '_a_', true], ['%SystemDrive%\\Users\\John', '\\%SystemDrive\\%\\\\Users%', true], ['a😀b', 'a_b', true], ['x.y', 'x_y', true], ['x(y', 'x(%', true],
    ];
    for (const [s, p, want] of cases) expect(like(s, p), `${s} LIKE ${p}`).toBe(want);
    expect(like(null, 'a')).toBe(null);
    expect(like('a', null)).toBe(null);
  });

  it('honours ESCAPE characters and refuses invalid escapes', () => {
    for (const e of ['/', '#', '"']) {
      expect(like('a_%b', `a${e}__b`, e)).toBe(true);
      expect(like('addb', `a${e}__b`, e)).toBe(false);
      expect(like('a_%b', `a%${e}%b`, e)).toBe(true);
      expect(like(`${e}${e}${e}${e}`, `%${e}${e}%`, e)).toBe(true);
      expect(like(`%SystemDrive%${e}Users${e}John`, `${e}%SystemDrive${e}%${e}${e}Users%`, e)).toBe(true);
      expect(errorCode(() => like('a', `${e}a`, e))).toBe('INVALID_ARGUMENT');
    }
    expect(like('%SystemDrive%/Users/John', '/%SystemDrive/%//Users%', '/')).toBe(true);
    expect(errorCode(() => evalFn('like', str('a'), str('\\a')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => evalFn('like', str('a'), str('a\\')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => like('a', 'a', 'ab'))).toBe('TYPE_MISMATCH');
    expect(errorCode(() => evalColumns('like', [{ type: STRING, values: ['a'] }, { type: STRING, values: ['a'] }, { type: STRING, values: ['/'] }]))).toBe('TYPE_MISMATCH');
  });

  it('ILIKE lower-cases both sides', () => {
    expect(ev('ilike', str('Spark'), str('_Park'))).toBe(true);
    expect(like('%SystemDrive%/USERS/John', '/%SYSTEMDrive/%//Users%', '/', 'ilike')).toBe(true);
    expect(ev('ilike', str('ÄBC'), str('äb%'))).toBe(true);
  });

  it('evaluates per row with column patterns, nulls and errors raised on use', () => {
    const out = evalColumns('like', [
      { type: STRING, values: ['abc', 'abc', null, 'a%c', 'xyz'] },
      { type: STRING, values: ['a%', '_b_', 'a%', 'a\\%c', null] },
    ]);
    expect(out).toEqual([true, true, null, true, null]);
  });
});

describe('regular expressions with Java semantics (RegexpExpressionsSuite, Java docs)', () => {
  const rlike = (s: string, p: string) => ev('rlike', str(s), str(p));
  it('rlike finds a match anywhere', () => {
    const cases: [string, string, boolean][] = [
      ['abdef', 'abdef', true], ['abbbbc', 'a.*c', true], ['fofo', '^fo', true], ['fo\no', '^fo\no$', true], ['Bn', '^Ba*n', true], ['afofo', 'fo', true],
      ['afofo', '^fo', false], ['Baan', '^Ba?n', false], ['axe', 'pi|apa', false], ['pip', '^(pi)*$', false], ['abc', '^ab', true], ['abc', '^bc', false],
      ['%SystemDrive%\\Users\\John', '%SystemDrive%\\\\Users.*', true],
    ];
    for (const [s, p, want] of cases) expect(rlike(s, p), `${s} RLIKE ${p}`).toBe(want);
    expect(ev('regexp', str('abc'), str('b'))).toBe(true);
    expect(ev('regexp_like', str('abc'), str('x'))).toBe(false);
    expect(ev('rlike', str('a'), nul)).toBe(null);
    for (const bad of ['**', '(?l)', '] [', ', (', 'a{', 'a**', '[b-a]', '\\k<x>', '(?<1a>x)', '\\y']) expect(errorCode(() => evalFn('rlike', str('abc'), str(bad))), bad).toBe('INVALID_ARGUMENT');
  });

  it('translates Java-only constructs', () => {
    expect([rlike('a.b', '\\Qa.b\\E'), rlike('axb', '\\Qa.b\\E'), rlike('a.bb', '^\\Qa.b\\E+$')]).toEqual([true, false, true]);
    expect([rlike('aaa', '^a*+a'), rlike('aaa', '^a*a'), rlike('abc', '^(?>a|ab)c'), rlike('abc', '^(?:a|ab)c')]).toEqual([false, true, false, true]);
    expect([rlike('ABC', '(?i)abc'), rlike('É', '(?i)é'), rlike('É', '(?iu)é'), rlike('aBc', 'a(?i)bC'), rlike('aBC', 'a(?i:b)C'), rlike('aBc', 'a(?i:b)C')]).toEqual([true, false, true, true, true, false]);
    expect([rlike('ab', '(?x) a b # comment'), rlike('ab', '(?x)a\\ b')]).toEqual([true, false]);
    expect([rlike('ab\n', 'b$'), rlike('ab\r\n', 'b$'), rlike('ab\nc', 'b$'), rlike('ab\n', 'b\\z'), rlike('ab\n', 'b\\Z')]).toEqual([true, true, false, false, true]);
    expect([rlike('\u0085', '^.$'), rlike('\u0085', '(?s)^.$'), rlike('\u2028', '(?d)^.$'), rlike('\n', '(?d)^.$')]).toEqual([false, true, true, false]);
    expect([rlike('é', '\\w'), rlike('é', '(?U)\\w'), rlike('\u00a0', '\\s'), rlike('\u3000', '\\h'), rlike('\u000b', '\\v'), rlike('\u000b', '\\s')]).toEqual([false, true, false, true, true, true]);
    expect([rlike('é', '\\p{Alpha}'), rlike('é', '\\p{L}'), rlike('λ', '\\p{IsGreek}'), rlike('λ', '\\p{script=GREEK}'), rlike('A', '\\p{Lu}'), rlike('a', '\\P{Lu}'), rlike('a', '\\pL'), rlike('a', '\\p{javaLowerCase}')]).toEqual([false, true, true, true, true, true, true, true]);
    expect([rlike('5', '[a-c[0-9]]'), rlike('b', '[a-f&&[^bd]]'), rlike('c', '[a-f&&[^bd]]'), rlike(']', '[]a]'), rlike('-', '[a-]'), rlike('x', '[^]a]')]).toEqual([true, false, true, true, true, true]);
    expect([rlike('A', '\\0101'), rlike('A', '\\x41'), rlike('A', '\\u0041'), rlike('😀', '\\x{1F600}'), rlike('😀', '\\uD83D\\uDE00'), rlike('\u0001', '\\cA'), rlike('\u001b', '\\e')]).toEqual([true, true, true, true, true, true, true]);
    expect([rlike('aa1', '^(a)\\11$'), rlike('aa', '(a)\\1'), rlike('a-b', 'a\\-b'), rlike('a#b', 'a\\#b')]).toEqual([true, true, true, true]);
  });

  it('regexp_extract(_all) use Java group numbering and check the index only on a match', () => {
    expect(ev('regexp_extract', str('100-200'), str('(\\d+)-(\\d+)'), int(1))).toBe('100');
    expect(ev('regexp_extract', str('100-200'), str('(\\d+)-(\\d+)'), int(2))).toBe('200');
    expect(ev('regexp_extract', str('100-200'), str('(\\d+).*'))).toBe('100');
    expect(ev('regexp_extract', str('100-200'), str('([a-z])'), int(1))).toBe('');
    expect(ev('regexp_extract', str('100-200'), str('([a-z])'), int(9))).toBe('');
    expect(ev('regexp_extract', str('100-200'), str('([a-z])'), nul)).toBe(null);
    expect(ev('regexp_extract', str('2024-05'), str('(?<y>\\d+)-(?<m>\\d+)'), int(2))).toBe('05');
    expect(ev('regexp_extract', str('ab'), str('(x)?(a)(?>(b))'), int(3))).toBe('b');
    expect(ev('regexp_extract', str('ab'), str('(x)?ab'), int(1))).toBe('');
    expect(ev('regexp_extract', str('aaab'), str('(a*+)(b)'), int(2))).toBe('b');
    for (const [p, i] of [['(\\d+)-(\\d+)', 3], ['(\\d+).*', 2], ['\\d+', 1], ['(\\d+)-(\\d+)', -1]] as const) {
      expect(errorCode(() => evalFn('regexp_extract', str('100-200'), str(p), int(i)))).toBe('INVALID_ARGUMENT');
      expect(errorCode(() => evalFn('regexp_extract_all', str('100-200'), str(p), int(i)))).toBe('INVALID_ARGUMENT');
    }
    const all = (p: string, i: number) => ev('regexp_extract_all', str('100-200,300-400,500-600'), str(p), int(i));
    expect([all('(\\d+)-(\\d+)', 0), all('(\\d+)-(\\d+)', 1), all('(\\d+)-(\\d+)', 2), all('(\\d+).*', 1), all('([a-z])', 1)]).toEqual([
      ['100-200', '300-400', '500-600'], ['100', '300', '500'], ['200', '400', '600'], ['100'], [],
    ]);
    expect(ev('regexp_extract_all', str('100-200, 300-400'), str('(\\d+)-(\\d+)'))).toEqual(['100', '300']);
  });

  it('regexp_count, regexp_substr, regexp_instr', () => {
    expect(ev('regexp_count', str('Steven Jones and Stephen Smith are the best players'), str('Ste(v|ph)en'))).toBe(2);
    expect(ev('regexp_count', str('abcdefghijklmnopqrstuvwxyz'), str('[a-z]{3}'))).toBe(8);
    expect(ev('regexp_count', str('a\nb\n'), str('(?m)^'))).toBe(2);
    expect(ev('regexp_count', str(''), str('(?m)^'))).toBe(0);
    expect(ev('regexp_count', str('a\nb'), str('(?m)$'))).toBe(2);
    expect(ev('regexp_count', nul, str('a'))).toBe(null);
    expect(ev('regexp_substr', str('Steven Jones and Stephen Smith are the best players'), str('Ste(v|ph)en'))).toBe('Steven');
    expect(ev('regexp_substr', str('Steven Jones and Stephen Smith are the best players'), str('Jeck'))).toBe(null);
    expect(ev('regexp_instr', str('user@spark.apache.org'), str('@[^.]*'))).toBe(5);
    expect(ev('regexp_instr', str('\\abc'), str('^\\\\abc$'))).toBe(1);
    expect(ev('regexp_instr', str('100-200'), str('([a-z])'))).toBe(0);
  });

  it('regexp_replace: Java replacement syntax, position, word boundaries', () => {
    const rows = ['100-200', '100-200', '100-200', null, '100-200', '100-200', ''];
    const patterns = ['(\\d+)', '(\\d+)', '(-)', '(\\d+)', null, '(-)', '^$'];
    const reps = ['num', '###', '###', '###', '###', null, '<empty string>'];
    const run = (pos?: number) =>
      evalColumns('regexp_replace', [
        { type: STRING, values: rows },
        { type: STRING, values: patterns },
        { type: STRING, values: reps },
        ...(pos === undefined ? [] : [{ literal: int(pos) }]),
      ]);
    expect(run()).toEqual(['num-num', '###-###', '100###200', null, null, null, '<empty string>']);
    expect(run(4)).toEqual(['100-num', '100-###', '100###200', null, null, null, '']);
    expect(run(7).slice(0, 2)).toEqual(['100-20num', '100-20###']);
    expect(run(8).slice(0, 2)).toEqual(['100-200', '100-200']);
    expect(ev('regexp_replace', str('2024-05'), str('(?<y>\\d+)-(?<m>\\d+)'), str('${m}/${y} $1$2 \\$'))).toBe('05/2024 202405 $');
    expect(ev('regexp_replace', str('abc'), str('(b)'), str('$11'))).toBe('ab1c');
    expect(ev('regexp_replace', str('abc'), str('x'), str('$2'))).toBe('abc');
    for (const rep of ['$2', '$', '\\', '${x}', '$a']) expect(errorCode(() => evalFn('regexp_replace', str('abc'), str('b'), str(rep))), rep).toBe('INVALID_ARGUMENT');
    expect(ev('regexp_replace', str('éa b'), str('\\b'), str('|'))).toBe('|éa| |b|');
    expect(ev('regexp_replace', str('aa bb cd'), str('(\\w)\\1'), str('X'))).toBe('X X cd');
    expect(ev('regexp_replace', str('a\r\nb\nc'), str('\\R'), str('|'))).toBe('a|b|c');
    expect(ev('regexp_replace', str('ab\n'), str('b$'), str('X'))).toBe('aX\n');
    expect(ev('regexp_replace', str('abcdef'), str('[a-f&&[^bd]]'), str(''))).toBe('bd');
    expect(ev('regexp_replace', str('abc'), str(''), str('-'))).toBe('-a-b-c-');
    expect(errorCode(() => evalFn('regexp_replace', str('abc'), str('b'), str('x'), int(0)))).toBe('TYPE_MISMATCH');
  });

  it('split follows Java with Spark limits (0 keeps trailing empties; empty regex splits characters)', () => {
    expect(ev('split', str('aa1cc2ee3'), str('[1-9]+'))).toEqual(['aa', 'cc', 'ee', '']);
    expect(ev('split', str('aa1cc2ee3'), str('[1-9]+'), int(2))).toEqual(['aa', 'cc2ee3']);
    expect(ev('split', str('oneAtwoBthreeC'), str('[ABC]'), int(-1))).toEqual(['one', 'two', 'three', '']);
    expect(ev('split', str('aacbbcddc'), str('c'), int(0))).toEqual(['aa', 'bb', 'dd', '']);
    expect(ev('split', str('hello'), str(''), int(0))).toEqual(['h', 'e', 'l', 'l', 'o']);
    expect(ev('split', str('hello'), str(''), int(3))).toEqual(['h', 'e', 'l']);
    expect(ev('split', str('hello'), str(''), int(100))).toEqual(['h', 'e', 'l', 'l', 'o']);
    expect(ev('split', str(''), str(''), int(-1))).toEqual(['']);
    expect(ev('split', str('a😀b'), str(''))).toEqual(['a', '😀', 'b']);
    expect(ev('split', str(',a,,b,'), str(','))).toEqual(['', 'a', '', 'b', '']);
    expect(ev('split', str('abc'), str('x*'))).toEqual(['a', 'b', 'c', '']);
    expect(ev('split', str('a,b,c'), str(','), int(1))).toEqual(['a,b,c']);
    expect(ev('split', nul, str(','))).toBe(null);
  });
});

describe('format_string / printf (Java Formatter, StringExpressionsSuite)', () => {
  const fmt = (f: string, ...args: Parameters<typeof ev>[1][]) => ev('format_string', str(f), ...args);
  it('formats the Spark suite cases and Java conversions', () => {
    expect(fmt('Hello World %d %s', int(100), str('days'))).toBe('Hello World 100 days');
    expect(fmt('aa%d%s', int(123), str('a'))).toBe('aa123a');
    expect(fmt('aa')).toBe('aa');
    expect(ev('format_string', nul, int(12), str('cc'))).toBe(null);
    expect(fmt('aa%d%s', typedNull(INT), str('cc'))).toBe('aanullcc');
    expect(fmt('aa%d%s', int(12), typedNull(STRING))).toBe('aa12null');
    expect(ev('printf', str('%s-%s'), str('a'), long(2n))).toBe('a-2');
    expect(fmt('%5.2f|%.1f|%.1f|%.2f|%.0f|%f', dbl(3.14159), dbl(0.15), dbl(0.25), dbl(2.675), dbl(2.5), dbl(-0.0))).toBe(' 3.14|0.2|0.3|2.68|3|-0.000000');
    expect(fmt('%e|%10.3E|%.0e', dbl(12345.678), dbl(-0.000123456), dbl(9.5))).toBe('1.234568e+04|-1.235E-04|1e+01');
    expect(fmt('%g|%g|%g|%.3g|%G', dbl(12345.678), dbl(0.0001), dbl(0.00001), dbl(1234567), dbl(1e-10))).toBe('12345.7|0.000100000|1.00000e-05|1.23e+06|1.00000E-10');
    expect(fmt('%x|%X|%o|%08X|%#x|%x|%x', int(-1), int(255), int(8), int(255), int(255), long(-1n), { type: { kind: 'primitive', name: 'byte' }, value: -1 })).toBe('ffffffff|FF|10|000000FF|0xff|ffffffffffffffff|ff');
    expect(fmt('%,d|%(d|%+d|% d|%05d|%-5d|', int(1234567), int(-5), int(5), int(5), int(-42), int(7))).toBe('1,234,567|(5)|+5| 5|-0042|7    |');
    expect(fmt('%,.2f|%010.3f|%+.1f', dbl(1234567.891), dbl(-3.14159), dbl(2))).toBe('1,234,567.89|-00003.142|+2.0');
    expect(fmt('%10s|%-10s|%.3s|%S', str('hi'), str('hi'), str('abcdef'), str('up'))).toBe('        hi|hi        |abc|UP');
    expect(fmt('%b|%b|%B|%c|%%|%n', typedNull(STRING), str('x'), bool(false), int(65))).toBe('false|true|FALSE|A|%|\n');
    expect(fmt('%2$s %1$s %<s', str('a'), str('b'))).toBe('b a a');
    expect(fmt('%s|%s|%s|%s|%s', dbl(1.5), dbl(1e7), flt(1.1), dec('1.50', 3, 2), date(1))).toBe('1.5|1.0E7|1.1|1.50|1');
    expect(fmt('%s|%s', dbl(Number.NaN), dbl(-Infinity))).toBe('NaN|-Infinity');
    expect(fmt('%s', dec('0.00000001', 10, 8))).toBe('1E-8');
    // Java's UTF8String.hashCode is Murmur3 of the UTF-8 bytes with seed 42 (3286402344 for 'hello', Spark-generated)
    expect(fmt('%h|%h|%H', str('hello'), int(255), bool(true))).toBe(`${(3286402344).toString(16)}|ff|4CF`);
  });

  it('raises for what Java refuses', () => {
    for (const [f, a] of [['%d', dbl(1.5)], ['%f', int(1)], ['%d', str('a')], ['%q', int(1)], ['%s %s', int(1)], ['%-s', int(1)], ['%#d', int(1)], ['%.2d', int(1)], ['%d', dec('1.5', 2, 1)], ['%ta', long(1n)], ['50%', int(1)]] as const) {
      expect(errorCode(() => evalFn('format_string', str(f), a)), f).toBe('INVALID_ARGUMENT');
    }
    expect(errorCode(() => evalColumns('format_string', [{ literal: str('%0$s') }, { type: INT, values: [1] }]))).toBe('TYPE_MISMATCH');
  });
});

// ---- DuckDB comparisons ---------------------------------------------------------------------

async function duckValues(sqlExpr: string, columns: (readonly (string | number | bigint | null)[])[]): Promise<unknown[]> {
  const n = columns[0]!.length;
  const cell = (v: string | number | bigint | null) => (v === null ? 'NULL' : typeof v === 'string' ? sqlLit(v) : String(v));
  const rows = Array.from({ length: n }, (_, i) => `(${i}, ${columns.map((c) => cell(c[i]!)).join(', ')})`).join(',\n');
  const names = columns.map((_, k) => `c${k}`).join(', ');
  const out = await duckRows(`SELECT ${sqlExpr} AS r FROM (VALUES ${rows}) t(i, ${names}) ORDER BY i`);
  return out.map((r) => r['r']);
}

const duckNorm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array ? Array.from(v) : v);

describe('agrees with DuckDB on generated strings', () => {
  const strings = [...randomStrings(300, 7), '', ' ', '  a b  ', 'ÄÖÜ äöü', 'ΑΒΓ αβγ', 'ЖЖ жж', "it's", '%_\\', null];
  const col = (values: readonly (string | null)[]) => ({ type: STRING, values });

  it('length, octet_length, instr, starts_with, contains, ends_with, ascii, repeat', async () => {
    const needles = strings.map((s, i) => (s === null ? 'a' : s.slice(i % 3, (i % 3) + 1 + (i % 2))));
    const ours = (name: string, ...more: { type: typeof STRING; values: readonly unknown[] }[]) => evalColumns(name, [col(strings), ...(more as never[])]).map(norm);
    expect(ours('length')).toEqual((await duckValues('length(c0)', [strings])).map(duckNorm));
    expect(ours('octet_length')).toEqual((await duckValues('octet_length(encode(c0))', [strings])).map(duckNorm));
    expect(ours('instr', col(needles))).toEqual((await duckValues('instr(c0, c1)', [strings, needles])).map(duckNorm));
    expect(ours('startswith', col(needles))).toEqual(await duckValues('starts_with(c0, c1)', [strings, needles]));
    expect(ours('endswith', col(needles))).toEqual(await duckValues('ends_with(c0, c1)', [strings, needles]));
    expect(ours('contains', col(needles))).toEqual(await duckValues('contains(c0, c1)', [strings, needles]));
    expect(ours('ascii')).toEqual((await duckValues('ascii(c0)', [strings])).map(duckNorm));
    const counts = strings.map((_, i) => (i % 5) - 1);
    expect(evalColumns('repeat', [col(strings), { type: INT, values: counts }])).toEqual(await duckValues('repeat(c0, c1)', [strings, counts]));
  });

  it('substring (positive positions), left, replace, lpad/rpad, translate, btrim, concat via ||, concat_ws', async () => {
    const pos = strings.map((_, i) => 1 + (i % 4));
    const len = strings.map((_, i) => i % 6);
    expect(evalColumns('substring', [col(strings), { type: INT, values: pos }, { type: INT, values: len }])).toEqual(await duckValues('substring(c0, c1, c2)', [strings, pos, len]));
    expect(evalColumns('left', [col(strings), { type: INT, values: len }])).toEqual(await duckValues('left(c0, c1)', [strings, len]));
    const search = strings.map((s, i) => (s === null || s === '' ? 'a' : s.slice(i % 2, (i % 2) + 1)));
    const rep = strings.map((_, i) => ['', 'X', 'éé', '$1'][i % 4]!);
    expect(evalColumns('replace', [col(strings), col(search), col(rep)])).toEqual(await duckValues('replace(c0, c1, c2)', [strings, search, rep]));
    const pads = strings.map((_, i) => ['*', 'ab', 'é😀', '-'][i % 4]!);
    const widths = strings.map((_, i) => i % 15);
    expect(evalColumns('lpad', [col(strings), { type: INT, values: widths }, col(pads)])).toEqual(await duckValues('lpad(c0, c1, c2)', [strings, widths, pads]));
    expect(evalColumns('rpad', [col(strings), { type: INT, values: widths }, col(pads)])).toEqual(await duckValues('rpad(c0, c1, c2)', [strings, widths, pads]));
    const from = strings.map((_, i) => ['abc', 'aé', 'x😀', ''][i % 4]!);
    const to = strings.map((_, i) => ['123', 'Éz', 'yY', 'q'][i % 4]!);
    expect(evalColumns('translate', [col(strings), col(from), col(to)])).toEqual(await duckValues('translate(c0, c1, c2)', [strings, from, to]));
    const trimChars = strings.map((_, i) => [' ', 'a ', 'é😀', 'xyz'][i % 4]!);
    expect(evalColumns('btrim', [col(strings), col(trimChars)])).toEqual(await duckValues('trim(c0, c1)', [strings, trimChars]));
    expect(evalColumns('trim', [col(strings)])).toEqual(await duckValues('trim(c0)', [strings]));
    expect(evalColumns('concat', [col(strings), col(search)])).toEqual(await duckValues('c0 || c1', [strings, search]));
    expect(evalColumns('concat_ws', [{ literal: str('|') }, col(strings), col(search)])).toEqual(await duckValues("concat_ws('|', c0, c1)", [strings, search]));
  });

  it('LIKE with an explicit escape, and simple regular expressions', async () => {
    const patterns = strings.map((s, i) => {
      if (s === null) return '%';
      const body = s.replace(/[%_\\]/g, (c) => '\\' + c);
      return ['%', `${body.slice(0, 2)}%`, `%${body.slice(-2)}`, `_${body.slice(1)}`, '%a%', body][i % 6]!;
    });
    const ours = evalColumns('like', [col(strings), col(patterns)]);
    expect(ours).toEqual(await duckValues("c0 LIKE c1 ESCAPE '\\'", [strings, patterns]));
    expect(ours.filter((x) => x === true).length).toBeGreaterThan(20);
    const regexes = strings.map((_, i) => ['[0-9]+', '^a', 'b$', 'é|Ж', '\\s\\w', '(ab|cd)*x'][i % 6]!);
    expect(evalColumns('rlike', [col(strings), col(regexes)])).toEqual(await duckValues('regexp_matches(c0, c1)', [strings, regexes]));
    expect(evalColumns('regexp_replace', [col(strings), col(regexes), { literal: str('<>') }])).toEqual(await duckValues("regexp_replace(c0, c1, '<>', 'g')", [strings, regexes]));
  });

  it('md5-free encodings: base64, hex, unhex', async () => {
    expect(evalColumns('base64', [col(strings)])).toEqual(await duckValues('to_base64(encode(c0))', [strings]));
    expect(evalColumns('hex', [col(strings)])).toEqual(await duckValues('hex(c0)', [strings]));
    const hexes = evalColumns('hex', [col(strings)]) as (string | null)[];
    expect(evalColumns('unhex', [col(hexes)]).map(norm)).toEqual((await duckValues('unhex(c0)', [hexes])).map(duckNorm));
  });

  it('format_string with integers and strings matches printf', async () => {
    const ints = strings.map((_, i) => (i * 7919) % 100000 - 50000);
    // ASCII only: Java pads by UTF-16 units, fmt by code points
    const words = strings.map((s) => (s ?? 'n').replace(/[^\x20-\x7e]/g, 'x'));
    const ours = evalColumns('format_string', [{ literal: str('%d|%5d|%-4s|%x|%s') }, { type: INT, values: ints }, { type: INT, values: ints }, col(words), { type: INT, values: ints.map((x) => Math.abs(x)) }, col(words)]);
    const duck = await duckValues("printf('%d|%5d|%-4s|%x|%s', c0, c0, c1, abs(c0), c1)", [ints, words]);
    expect(ours).toEqual(duck);
  });
});

describe('binding', () => {
  it('types and implicit casts follow Spark', () => {
    expect(resultType('substring', bin([1]), int(1))).toEqual({ kind: 'primitive', name: 'binary' });
    expect(resultType('concat', bin([1]), str('a'))).toEqual(STRING);
    expect(resultType('split', str('a'), str(','))).toEqual({ kind: 'array', elementType: STRING, containsNull: false });
    expect(errorCode(() => resultType('upper', arr(INT, [1])))).toBe('TYPE_MISMATCH');
    expect(errorCode(() => resultType('lpad', str('a')))).toBe('WRONG_ARGUMENT_COUNT');
  });
});

describe('functions in scan filters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deltakit-fn-'));
  const engine = createDefaultEngine({ store: new LocalFileSystemStore(), workers: 0 });
  afterAll(async () => {
    await engine.parquet.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a table written with DeltaTable is filtered by string, math and hash functions', async () => {
    const schema = struct([field('id', LONG), field('name', STRING), field('x', DOUBLE), field('d', decimalType(10, 2))]);
    const rows = [
      { id: 1n, name: 'Spark', x: 2.5, d: '1.25' },
      { id: 0n, name: 'apple', x: -20, d: '3.50' },
      { id: 2n, name: 'Äpfel', x: 3.9, d: '-7.45' },
      { id: 3n, name: 'kitten', x: 104.9, d: '0.05' },
      { id: 4n, name: null, x: null, d: null },
      { id: -1n, name: 'sparkling', x: -0, d: '99.99' },
      { id: 5n, name: 'Spark ', x: 7, d: '1' },
      { id: 6n, name: 'Äpfels', x: 3, d: '0' },
      { id: 7n, name: 'sitten', x: 95, d: '0' },
      { id: 8n, name: 'spark', x: 0.5, d: '100.01' },
    ];
    const table = DeltaTable.forPath(dir, { engine });
    await table.write({ rows: rows.slice(0, 5), schema });
    await table.write({ rows: rows.slice(5), schema }, { mode: 'append' });
    const filter = or(
      cmp('=', call('md5', col('name')), lit('8cde774d6f7333752ed72cacddb05126')), // md5('Spark'), Spark docs
      and(call('like', call('upper', col('name')), lit('ÄP%')), cmp('=', call('length', col('name')), lit(5n))),
      and(cmp('=', call('levenshtein', col('name'), lit('sitting')), lit(3n)), cmp('=', call('round', col('x'), lit(-1n)), lit(100n))),
      cmp('=', call('hash', col('id')), lit(BigInt(0x9c67b85d | 0))), // hash(0L), generated with Spark
      and(call('rlike', col('name'), lit('^spark(ling)?$')), cmp('=', call('abs', col('x')), lit(0n)), cmp('=', call('ceil', col('d')), lit(100n))),
    );
    const snap = await table.snapshot();
    const got = (await snap.scan({ filter }).toTable()).toArray().map((r) => (r.toJSON() as { id: bigint }).id);
    expect(got.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual([-1n, 0n, 1n, 2n, 3n]);
  });
});
