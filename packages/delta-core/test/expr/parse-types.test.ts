import { describe, expect, it } from 'vitest';
import { parseDdlSchema, parseDdlType, parseDdlTypeAt } from '../../src/schema/ddl.js';
import { decimal, field, primitive, struct } from '../../src/schema/types.js';
import { failureOf, parseFailure } from './parse-helpers.js';

describe('parseDdlType', () => {
  it('parses one type with the aliases of the DDL schema parser', () => {
    expect(parseDdlType('BIGINT')).toEqual(primitive('long'));
    expect(parseDdlType(' decimal(10, 2) ')).toEqual(decimal(10, 2));
    expect(parseDdlType('character(3)')).toEqual(primitive('string'));
    expect(parseDdlType('STRUCT<a: INT NOT NULL, `b c` ARRAY<STRING>>')).toEqual(
      struct([field('a', primitive('integer'), false), field('b c', { kind: 'array', elementType: primitive('string'), containsNull: true })]),
    );
    expect(parseDdlType('struct<>')).toEqual(struct([]));
  });

  it('refuses text after the type and unknown types', () => {
    expect(parseFailure(() => parseDdlType('INT INT')).message).toMatch(/expected the end of the type/);
    expect(parseFailure(() => parseDdlType('INTERVAL DAY')).message).toMatch(/unknown data type "INTERVAL"/);
  });

  it('parses a type embedded in a longer text and says where it ends', () => {
    const text = 'CAST(x AS MAP<STRING, ARRAY<INT>>) + 1';
    const start = text.indexOf('MAP');
    expect(parseDdlTypeAt(text, start)).toEqual({
      type: { kind: 'map', keyType: primitive('string'), valueType: { kind: 'array', elementType: primitive('integer'), containsNull: true }, valueContainsNull: true },
      end: text.indexOf(') + 1'),
    });
    expect(parseDdlTypeAt('x::decimal + 1', 3)).toEqual({ type: decimal(10, 0), end: 10 });
    expect(parseDdlTypeAt('x::int>=y', 3)).toEqual({ type: primitive('integer'), end: 6 });
  });

  it('refuses types nested deeper than the stack allows with a PARSE_ERROR', () => {
    const deep = 'ARRAY<'.repeat(5000) + 'INT' + '>'.repeat(5000);
    expect(parseFailure(() => parseDdlType(deep)).message).toMatch(/nests deeper than 500 levels/);
    expect(parseFailure(() => parseDdlSchema(`a ${deep}`)).message).toMatch(/nests deeper than 500 levels/);
    expect(failureOf(`CAST(a AS ${deep})`).message).toMatch(/nests deeper than 500 levels/);
  });
});
