import { decimal, field, primitive, struct, type DataType } from '@deltakit/core';
import { describe, expect, it } from 'vitest';
import { decodeRow, encodeRow, type StateRow, type StateValue } from '../../src/state/row-codec.js';

const all = struct([
  field('b', primitive('boolean')),
  field('i8', primitive('byte')),
  field('i16', primitive('short')),
  field('i32', primitive('integer')),
  field('i64', primitive('long')),
  field('f', primitive('float')),
  field('d', primitive('double')),
  field('s', primitive('string')),
  field('bin', primitive('binary')),
  field('day', primitive('date')),
  field('ts', primitive('timestamp')),
  field('ntz', primitive('timestamp_ntz')),
  field('dec', decimal(10, 2)),
  field('big', decimal(38, 6)),
  field('arr', { kind: 'array', elementType: primitive('long'), containsNull: true }),
  field('st', struct([field('x', primitive('string')), field('y', primitive('integer'))])),
  field('m', { kind: 'map', keyType: primitive('string'), valueType: primitive('double'), valueContainsNull: true }),
  field('v', primitive('void')),
]);

const row: StateRow = [
  true,
  -128,
  32767,
  -2147483648,
  -(2n ** 63n),
  1.5,
  -0.1,
  'héllo\u0000wörld 😀',
  new Uint8Array([0, 255, 0, 0, 1]),
  -719162,
  2n ** 63n - 1n,
  1_700_000_000_123_456n,
  { unscaled: -12345n, scale: 2 },
  { unscaled: 10n ** 37n - 1n, scale: 6 },
  [1n, null, -3n],
  { kind: 'struct', values: ['a', null] },
  { kind: 'map', keys: ['k1', 'k2'], values: [1.25, null] },
  null,
];

describe('state row encoding', () => {
  it('round-trips every Delta type exactly (bigint, decimal(38), NUL bytes, nulls)', () => {
    expect(decodeRow(all, encodeRow(all, row))).toEqual(row);
    const nulls = all.fields.map(() => null);
    expect(decodeRow(all, encodeRow(all, nulls))).toEqual(nulls);
    expect(encodeRow(all, nulls).length).toBe(all.fields.length);
  });

  it('is deterministic and normalizes -0 and NaN as Spark does for keys', () => {
    const t = struct([field('d', primitive('double')), field('f', primitive('float'))]);
    expect(encodeRow(t, [-0, -0])).toEqual(encodeRow(t, [0, 0]));
    const otherNaN = new Float64Array(new BigUint64Array([0x7ff8000000000001n]).buffer)[0]!;
    expect(encodeRow(t, [otherNaN, NaN])).toEqual(encodeRow(t, [NaN, NaN]));
  });

  it('orders encoded keys as Spark orders the values (nulls first), so prefixes and ranges are byte ranges', () => {
    const cases: [DataType, StateValue[]][] = [
      [primitive('long'), [null, -(2n ** 63n), -5n, -1n, 0n, 1n, 7n, 2n ** 40n, 2n ** 63n - 1n]],
      [primitive('integer'), [null, -2147483648, -2, 0, 3, 2147483647]],
      [primitive('double'), [null, -Infinity, -1e300, -1, -1e-300, 0, 1e-300, 2.5, Infinity, NaN]],
      [primitive('float'), [null, -Infinity, -2.5, 0, 0.5, Infinity, NaN]],
      [primitive('string'), [null, '', '\u0000', '\u0000a', 'a', 'a\u0000', 'ab', 'b', 'é', '😀']],
      [decimal(38, 0), [null, { unscaled: -(10n ** 37n), scale: 0 }, { unscaled: -1n, scale: 0 }, { unscaled: 0n, scale: 0 }, { unscaled: 10n ** 37n, scale: 0 }]],
      [{ kind: 'array', elementType: primitive('integer'), containsNull: true }, [null, [], [null], [1], [1, 2], [2]]],
    ];
    for (const [type, values] of cases) {
      const t = struct([field('c', type), field('tail', primitive('integer'))]);
      const encoded = values.map((v) => Buffer.from(encodeRow(t, [v, 0])));
      for (let i = 1; i < encoded.length; i++) {
        expect(Buffer.compare(encoded[i - 1]!, encoded[i]!), `${String(values[i - 1])} < ${String(values[i])}`).toBe(-1);
      }
      // A prefix (the first column alone) is a byte prefix of the whole key.
      const prefix = Buffer.from(encodeRow(t, [values[3]!]));
      expect(encoded[3]!.subarray(0, prefix.length)).toEqual(prefix);
    }
  });

  it('rejects values that do not fit the schema with INVALID_ARGUMENT', () => {
    const t = struct([field('n', primitive('integer')), field('l', primitive('long')), field('d', decimal(5, 2))]);
    expect(() => encodeRow(t, [2 ** 31, 1n, null])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('column n') }));
    expect(() => encodeRow(t, [1, 2n ** 64n, null])).toThrow(/column l/);
    expect(() => encodeRow(t, [1, 1.5, null])).toThrow(/column l/);
    expect(() => encodeRow(t, [1, 1n, { unscaled: 1n, scale: 3 }])).toThrow(/scale 2/);
    expect(decodeRow(t, encodeRow(t, [1, 5, null]))).toEqual([1, 5n, null]);
  });
});
