import { describe, expect, it } from 'vitest';
import { jsonKeys, JsonNumber, JsonSyntaxError, parseJsonExact, stringifyJsonExact } from '../../src/util/json.js';

const LINE = { duplicateKeys: 'last', keyOrder: true } as const;

describe('parseJsonExact', () => {
  it('keeps number text exactly, and a __proto__ key as plain data', () => {
    const v = parseJsonExact(' {"a": 12345678901234567890, "b": -1.50e2, "c": [true, null, "\\u00e9\\n"], "__proto__": {}} ') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect((v['a'] as JsonNumber).text).toBe('12345678901234567890');
    expect((v['a'] as JsonNumber).isInteger).toBe(true);
    expect((v['b'] as JsonNumber).text).toBe('-1.50e2');
    expect((v['b'] as JsonNumber).isInteger).toBe(false);
    expect(v['c']).toEqual([true, null, 'é\n']);
    expect(Object.keys(v)).toEqual(['a', 'b', 'c', '__proto__']);
    expect(v['__proto__']).toEqual({});
  });

  it.each([
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['[1 2]', 3],
    ['{"a": 01}', 7],
    ['{"a": "x}', 9],
    ['{"a": tru}', 6],
    ['{} {}', 3],
    ['{"a": "\\x"}', 7],
    ['', 0],
  ])('refuses %j, locating the problem', (text, offset) => {
    const e = (() => {
      try {
        parseJsonExact(text, LINE);
      } catch (err) {
        return err;
      }
      throw new Error(`${text} parsed`);
    })();
    expect(e).toBeInstanceOf(JsonSyntaxError);
    expect(e).toBeInstanceOf(SyntaxError);
    expect((e as JsonSyntaxError).offset).toBe(offset);
    expect((e as JsonSyntaxError).message).toBe(`${(e as JsonSyntaxError).reason} at position ${offset}`);
  });

  it('refuses text nested deeper than the stack allows as a syntax error', () => {
    expect(() => parseJsonExact('['.repeat(200_000) + ']'.repeat(200_000))).toThrow(JsonSyntaxError);
  });

  it('refuses a repeated key with another value by default; keeps the last value with duplicateKeys: last', () => {
    expect(() => parseJsonExact('{"a": 1, "a": 2}')).toThrow(JsonSyntaxError);
    const v = parseJsonExact('{"a": 1, "b": 2, "a": {"x": 3}}', LINE) as Record<string, unknown>;
    expect(jsonKeys(v)).toEqual(['a', 'b']);
    expect(stringifyJsonExact(v)).toBe('{"a":{"x":3},"b":2}');
  });

  it('records the source order of integer-like keys, nested and after repeated keys', () => {
    const text = '{"b": 1, "10": [{"z": 0, "2": 0, "1": 0}], "2": {"y": 1, "0": 2}, "b": {"k": 1, "3": 1, "a": 1}, "1": null}';
    const v = parseJsonExact(text, LINE) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['1', '2', '10', 'b']);
    expect(jsonKeys(v)).toEqual(['b', '10', '2', '1']);
    expect(jsonKeys((v['10'] as object[])[0]!)).toEqual(['z', '2', '1']);
    expect(jsonKeys(v['2'] as object)).toEqual(['y', '0']);
    expect(jsonKeys(v['b'] as object)).toEqual(['k', '3', 'a']);
    // Keys that look like indexes inside strings do not confuse the scan.
    const tricky = parseJsonExact('{"s": "{\\"2\\": 1}", "x\\"9": 1, "9": "}", "a\\\\": [1, "]"]}', LINE) as Record<string, unknown>;
    expect(jsonKeys(tricky)).toEqual(['s', 'x"9', '9', 'a\\']);
    // The order is the same as the text's, so writing the value back reproduces it.
    expect(stringifyJsonExact(v)).toBe('{"b":{"k":1,"3":1,"a":1},"10":[{"z":0,"2":0,"1":0}],"2":{"y":1,"0":2},"1":null}');
    // Without keyOrder, entries follow JS property order.
    expect(jsonKeys(parseJsonExact(text, { duplicateKeys: 'last' }) as object)).toEqual(['1', '2', '10', 'b']);
  });
});

describe('stringifyJsonExact', () => {
  it('writes numbers as written, bigints exactly, and skips undefined members', () => {
    expect(stringifyJsonExact({ a: new JsonNumber('1.50'), b: 2n ** 64n, c: undefined, d: ['x', null, true, 1.5] })).toBe('{"a":1.50,"b":18446744073709551616,"d":["x",null,true,1.5]}');
  });
});
