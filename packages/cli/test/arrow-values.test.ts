import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { compileEncoder } from '../src/format/arrow-values.js';

/** JSON text of every slot of a vector (all chunks). */
function jsonOf(vector: arrow.Vector | arrow.Data): string[] {
  const chunks = vector instanceof arrow.Data ? [vector] : vector.data;
  return chunks.flatMap((d) => {
    const enc = compileEncoder(d);
    return Array.from({ length: d.length }, (_, i) => enc.json(i));
  });
}

function textOf(data: arrow.Data): Array<string | null> {
  const enc = compileEncoder(data);
  return Array.from({ length: data.length }, (_, i) => enc.text(i));
}

/** A validity bitmap for `valid` (LSB first), as Arrow stores it. */
function bitmap(valid: boolean[]): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(valid.length / 8) + 1);
  valid.forEach((v, i) => {
    if (v) bytes[i >> 3] = (bytes[i >> 3] as number) | (1 << (i & 7));
  });
  return bytes;
}

/** Decimal128 storage for unscaled values: four little-endian 32-bit words, two's complement. */
function decimalData(unscaled: Array<bigint | null>, precision: number, scale: number): arrow.Data {
  const words = new Uint32Array(unscaled.length * 4);
  unscaled.forEach((v, i) => {
    let u = BigInt.asUintN(128, v ?? 0n);
    for (let k = 0; k < 4; k++) {
      words[i * 4 + k] = Number(u & 0xffffffffn);
      u >>= 32n;
    }
  });
  return arrow.makeData({
    type: new arrow.Decimal(scale, precision, 128),
    length: unscaled.length,
    data: words,
    nullBitmap: bitmap(unscaled.map((v) => v !== null)),
  });
}

/** map<k, val> with Arrow's conventional entry names. */
function entries(k: arrow.DataType, val: arrow.DataType): arrow.Map_ {
  const struct = new arrow.Struct([new arrow.Field('key', k, false), new arrow.Field('value', val, true)]);
  return new arrow.Map_(new arrow.Field('entries', struct) as arrow.Field<arrow.Struct<{ key: arrow.DataType; value: arrow.DataType }>>);
}

function dayData(days: number[]): arrow.Data {
  return arrow.makeData({ type: new arrow.DateDay(), length: days.length, data: Int32Array.from(days) });
}

function timestampData(values: bigint[], unit: arrow.TimeUnit, tz: string | null): arrow.Data {
  return arrow.makeData({ type: new arrow.Timestamp(unit, tz), length: values.length, data: BigInt64Array.from(values) });
}

describe('integers', () => {
  it('prints every integer width with exact digits, nulls as null', () => {
    expect(jsonOf(arrow.vectorFromArray([1, -128, 127, null], new arrow.Int8()))).toEqual(['1', '-128', '127', 'null']);
    expect(jsonOf(arrow.vectorFromArray([-32768, 32767], new arrow.Int16()))).toEqual(['-32768', '32767']);
    expect(jsonOf(arrow.vectorFromArray([-2147483648, 2147483647, null], new arrow.Int32()))).toEqual(['-2147483648', '2147483647', 'null']);
  });

  it('prints longs beyond 2^53 exactly', () => {
    const longs = [2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n, -9007199254740993n, 0n, null];
    expect(jsonOf(arrow.vectorFromArray(longs, new arrow.Int64()))).toEqual([
      '9223372036854775807',
      '-9223372036854775808',
      '9007199254740993',
      '-9007199254740993',
      '0',
      'null',
    ]);
    expect(jsonOf(arrow.vectorFromArray([2n ** 64n - 1n], new arrow.Uint64()))).toEqual(['18446744073709551615']);
  });
});

describe('booleans and floats', () => {
  it('prints booleans, honouring the slice offset of bit-packed values', () => {
    const v = arrow.vectorFromArray([true, false, null, true, false, true, true, false, false, true], new arrow.Bool());
    expect(jsonOf(v)).toEqual(['true', 'false', 'null', 'true', 'false', 'true', 'true', 'false', 'false', 'true']);
    expect(jsonOf((v.data[0] as arrow.Data).slice(3, 7))).toEqual(['true', 'false', 'true', 'true', 'false', 'false', 'true']);
  });

  it('prints doubles as numbers and non-finite values as strings', () => {
    const v = arrow.vectorFromArray([1.5, -0, NaN, Infinity, -Infinity, 1e300, 5e-324, null], new arrow.Float64());
    const out = jsonOf(v);
    expect(out).toEqual(['1.5', '0', '"NaN"', '"Infinity"', '"-Infinity"', '1e+300', '5e-324', 'null']);
    // Every finite value reads back as the same double.
    expect(JSON.parse(out[5] as string)).toBe(1e300);
  });

  it('prints floats with their own shortest digits', () => {
    const v = arrow.vectorFromArray([0.1, 3.4028234663852886e38, -2.5, 16777216, NaN], new arrow.Float32());
    const out = jsonOf(v);
    expect(out.slice(0, 4)).toEqual(['0.1', '3.4028235e+38', '-2.5', '16777216']);
    expect(Math.fround(Number(out[1]))).toBe(Math.fround(3.4028234663852886e38));
    expect(out[4]).toBe('"NaN"');
  });
});

describe('decimals', () => {
  it('prints exactly scale fraction digits, negatives included', () => {
    const d = decimalData([12345n, -5n, -1n, 0n, null, 100n], 10, 2);
    expect(jsonOf(d)).toEqual(['"123.45"', '"-0.05"', '"-0.01"', '"0.00"', 'null', '"1.00"']);
    expect(textOf(d)).toEqual(['123.45', '-0.05', '-0.01', '0.00', null, '1.00']);
  });

  it('uses all 128 bits for wide values', () => {
    const max = 10n ** 38n - 1n;
    const d = decimalData([max, -max, 2n ** 70n, -(2n ** 53n) - 1n, 2n ** 53n + 1n], 38, 18);
    expect(jsonOf(d)).toEqual([
      '"99999999999999999999.999999999999999999"',
      '"-99999999999999999999.999999999999999999"',
      `"${(2n ** 70n / 10n ** 18n).toString()}.${(2n ** 70n % 10n ** 18n).toString().padStart(18, '0')}"`,
      '"-0.009007199254740993"',
      '"0.009007199254740993"',
    ]);
  });

  it('prints scale 0 as an integer string', () => {
    expect(jsonOf(decimalData([-42n, 7n], 5, 0))).toEqual(['"-42"', '"7"']);
  });
});

describe('strings and binary', () => {
  it('escapes strings as JSON and decodes UTF-8', () => {
    const values = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab', 'héllo wörld ✓ 🚀', '', null, 'x'.repeat(100)];
    const out = jsonOf(arrow.vectorFromArray(values, new arrow.Utf8()));
    expect(out.map((s) => JSON.parse(s) as unknown)).toEqual(values);
    expect(jsonOf(arrow.vectorFromArray(values, new arrow.LargeUtf8())).map((s) => JSON.parse(s) as unknown)).toEqual(values);
  });

  it('prints binary as base64', () => {
    const values = [new Uint8Array([0, 1, 2, 255]), new Uint8Array([]), null, new TextEncoder().encode('hello')];
    const out = jsonOf(arrow.vectorFromArray(values, new arrow.Binary()));
    expect(out).toEqual(['"AAEC/w=="', '""', 'null', `"${btoa('hello')}"`]);
  });
});

describe('dates', () => {
  it('prints day counts as YYYY-MM-DD, matching Date inside its range', () => {
    const days = [0, -1, 11016, 19000, -719162, 2932896, -25567, 59, 60, -36524];
    const out = jsonOf(dayData(days)).map((s) => JSON.parse(s) as string);
    expect(out).toEqual(days.map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)));
    expect(out.slice(0, 6)).toEqual(['1970-01-01', '1969-12-31', '2000-02-29', '2022-01-08', '0001-01-01', '9999-12-31']);
  });

  it('pads years below 1000 and signs years outside 0..9999', () => {
    const out = jsonOf(dayData([Date.parse('0101-01-01T00:00:00Z') / 86_400_000, 2932897, -719528, -719529]));
    expect(out).toEqual(['"0101-01-01"', '"+10000-01-01"', '"0000-01-01"', '"-0001-12-31"']);
  });

  it('handles date64 (milliseconds), before 1970 too', () => {
    const d = arrow.makeData({ type: new arrow.DateMillisecond(), length: 3, data: BigInt64Array.from([0n, -1n, 86_400_000n * 365n]) });
    expect(jsonOf(d)).toEqual(['"1970-01-01"', '"1969-12-31"', '"1971-01-01"']);
  });

  it('agrees with Date on random days', () => {
    const days = Array.from({ length: 500 }, (_, i) => Math.round(Math.sin(i + 1) * 2_900_000));
    const out = jsonOf(dayData(days)).map((s) => JSON.parse(s) as string);
    const parts = (text: string) => (/^([+-]?\d+)-(\d\d)-(\d\d)/.exec(text) as RegExpExecArray).slice(1).map(Number);
    out.forEach((text, i) => {
      // Date prints years outside 0..9999 with six digits and a sign; compare the numbers.
      expect(parts(text)).toEqual(parts(new Date((days[i] as number) * 86_400_000).toISOString()));
    });
  });
});

describe('timestamps', () => {
  it('prints microsecond UTC timestamps with six digits and Z, before 1970 too', () => {
    const d = timestampData([0n, -1n, 1_700_000_000_123_456n, -1_234_567_890_123_456n, 253402300799999999n, -62135596800000000n], arrow.TimeUnit.MICROSECOND, 'UTC');
    expect(jsonOf(d)).toEqual([
      '"1970-01-01T00:00:00.000000Z"',
      '"1969-12-31T23:59:59.999999Z"',
      '"2023-11-14T22:13:20.123456Z"',
      '"1930-11-18T00:28:29.876544Z"',
      '"9999-12-31T23:59:59.999999Z"',
      '"0001-01-01T00:00:00.000000Z"',
    ]);
  });

  it('omits Z for timestamps without a zone (timestamp_ntz)', () => {
    expect(jsonOf(timestampData([86_400_000_001n, -86_400_000_001n], arrow.TimeUnit.MICROSECOND, null))).toEqual([
      '"1970-01-02T00:00:00.000001"',
      '"1969-12-30T23:59:59.999999"',
    ]);
  });

  it('handles every unit exactly', () => {
    expect(jsonOf(timestampData([-1n, 1n], arrow.TimeUnit.SECOND, 'UTC'))).toEqual(['"1969-12-31T23:59:59.000000Z"', '"1970-01-01T00:00:01.000000Z"']);
    expect(jsonOf(timestampData([-1n, 1500n], arrow.TimeUnit.MILLISECOND, 'UTC'))).toEqual(['"1969-12-31T23:59:59.999000Z"', '"1970-01-01T00:00:01.500000Z"']);
    expect(jsonOf(timestampData([-1000n, 1_000_000_001n, -1n], arrow.TimeUnit.NANOSECOND, '+00:00'))).toEqual([
      '"1969-12-31T23:59:59.999999Z"',
      '"1970-01-01T00:00:01.000000001Z"',
      '"1969-12-31T23:59:59.999999999Z"',
    ]);
    // Extremes of the 64-bit range go through the bigint path.
    const extremes = jsonOf(timestampData([2n ** 63n - 1n, -(2n ** 63n)], arrow.TimeUnit.NANOSECOND, 'UTC'));
    expect(extremes).toEqual(['"2262-04-11T23:47:16.854775807Z"', '"1677-09-21T00:12:43.145224192Z"']);
    // Seconds beyond 2^53: the time of day still comes out exact.
    const [seconds] = jsonOf(timestampData([86_400n * 10n ** 12n + 3661n, -(86_400n * 10n ** 12n) - 1n], arrow.TimeUnit.SECOND, 'UTC'));
    expect(seconds).toMatch(/^"\+\d+-\d\d-\d\dT01:01:01\.000000Z"$/);
  });

  it('agrees with Date at millisecond precision on random instants, including day boundaries', () => {
    // Years 0001..9999, where Date.toISOString prints four-digit years.
    const ms = Array.from({ length: 500 }, (_, i) => Math.round(9.4e13 + Math.sin(i * 7 + 1) * 1.56e14));
    ms.push(-86_400_000, 86_400_000 * 104_249, -86_400_000 * 104_249);
    const micros = ms.map((m) => BigInt(m) * 1000n + BigInt(m % 7 === 0 ? 0 : 123));
    const out = jsonOf(timestampData(micros, arrow.TimeUnit.MICROSECOND, 'UTC')).map((s) => JSON.parse(s) as string);
    out.forEach((text, i) => {
      const m = ms[i] as number;
      const iso = new Date(m).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ (years 0..9999 here)
      expect(text).toBe(`${iso.slice(0, 23)}${m % 7 === 0 ? '000' : '123'}Z`);
    });
  });

  it('keeps microsecond remainders right next to day boundaries', () => {
    const day = 86_400_000_000n;
    const values = [104_249n * day - 1n, 104_249n * day, -104_249n * day - 1n, 104_000n * day - 1n];
    const out = jsonOf(timestampData(values, arrow.TimeUnit.MICROSECOND, null));
    expect(out[0]).toMatch(/T23:59:59\.999999"$/);
    expect(out[1]).toMatch(/T00:00:00\.000000"$/);
    expect(out[2]).toMatch(/T23:59:59\.999999"$/);
    expect(out[3]).toMatch(/T23:59:59\.999999"$/);
  });
});

describe('nested values', () => {
  it('prints lists as arrays with null elements and null lists', () => {
    const v = arrow.vectorFromArray([[1, null, 3], null, [], [4]], new arrow.List(new arrow.Field('element', new arrow.Int32(), true)));
    expect(jsonOf(v)).toEqual(['[1,null,3]', 'null', '[]', '[4]']);
    expect(jsonOf((v.data[0] as arrow.Data).slice(2, 2))).toEqual(['[]', '[4]']);
  });

  it('prints structs as objects in field order, with null structs and null members', () => {
    const type = new arrow.Struct([new arrow.Field('a', new arrow.Int64(), true), new arrow.Field('b"q', new arrow.Utf8(), true)]);
    const v = arrow.vectorFromArray([{ a: 2n ** 60n, 'b"q': 'x' }, null, { a: null, 'b"q': null }], type);
    expect(jsonOf(v)).toEqual([`{"a":${2n ** 60n},"b\\"q":"x"}`, 'null', '{"a":null,"b\\"q":null}']);
    expect(jsonOf((v.data[0] as arrow.Data).slice(1, 2))).toEqual(['null', '{"a":null,"b\\"q":null}']);
  });

  it('prints maps as objects keyed by the key text', () => {
    const strings = arrow.vectorFromArray([new Map([['k1', 1], ['k"2', null]]), null, new Map()], entries(new arrow.Utf8(), new arrow.Int32()));
    expect(jsonOf(strings)).toEqual(['{"k1":1,"k\\"2":null}', 'null', '{}']);
    const ints = arrow.vectorFromArray([new Map([[-1, 'minus'], [20, 'twenty']])], entries(new arrow.Int32(), new arrow.Utf8()));
    expect(jsonOf(ints)).toEqual(['{"-1":"minus","20":"twenty"}']);
    const dates = arrow.vectorFromArray([new Map([[new Date(0), true]])], entries(new arrow.DateDay(), new arrow.Bool()));
    expect(jsonOf(dates)).toEqual(['{"1970-01-01":true}']);
  });

  it('prints deep nesting: list of struct of map and list', () => {
    const inner = entries(new arrow.Utf8(), new arrow.Int64());
    const struct = new arrow.Struct([
      new arrow.Field('m', inner, true),
      new arrow.Field('l', new arrow.List(new arrow.Field('element', new arrow.Utf8(), true)), true),
    ]);
    const type = new arrow.List(new arrow.Field('element', struct, true));
    const v = arrow.vectorFromArray(
      [[{ m: new Map([['big', 2n ** 62n + 1n]]), l: ['a', null] }, null, { m: null, l: [] }], null],
      type,
    );
    expect(jsonOf(v)).toEqual([`[{"m":{"big":${2n ** 62n + 1n}},"l":["a",null]},null,{"m":null,"l":[]}]`, 'null']);
    expect(textOf(v.data[0] as arrow.Data)[1]).toBeNull();
  });

  it('prints dictionary-encoded strings as their values', () => {
    const v = arrow.vectorFromArray(['a', 'b', 'a', null], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
    expect(jsonOf(v)).toEqual(['"a"', '"b"', '"a"', 'null']);
  });

  it('prints a null-typed column as nulls', () => {
    expect(jsonOf(arrow.makeData({ type: new arrow.Null(), length: 2 }))).toEqual(['null', 'null']);
  });
});

describe('data read back through IPC', () => {
  it('encodes the same after an IPC round trip (as data arrives from parquet)', () => {
    const table = arrow.tableFromArrays({
      id: BigInt64Array.from([1n, 2n ** 62n]),
      s: ['x', 'yé'],
    });
    const back = arrow.tableFromIPC(arrow.tableToIPC(table));
    expect(jsonOf(back.getChild('id') as arrow.Vector)).toEqual(['1', String(2n ** 62n)]);
    expect(jsonOf(back.getChild('s') as arrow.Vector)).toEqual(['"x"', '"yé"']);
  });
});
