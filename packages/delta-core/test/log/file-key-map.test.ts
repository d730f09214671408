// FileKeyMap must behave exactly like Map for the operations log replay uses.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FileKeyMap } from '../../src/log/file-key-map.js';

type Op = { op: 'set'; key: string; value: number } | { op: 'delete'; key: string } | { op: 'get'; key: string };

/** Few distinct keys so that sets, deletes and re-sets of the same key are frequent. */
const key = fc.oneof(fc.integer({ min: 0, max: 40 }).map((n) => `part=${n % 7}/f${n}.parquet`), fc.string({ maxLength: 3 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key }),
  fc.record({ op: fc.constant('get' as const), key }),
);

it('matches Map on random sequences of set, delete and get (order of values included)', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const expected = new Map<string, number>();
      const actual = new FileKeyMap<number>();
      for (const o of ops) {
        if (o.op === 'set') {
          expected.set(o.key, o.value);
          actual.set(o.key, o.value);
        } else if (o.op === 'delete') expect(actual.delete(o.key)).toBe(expected.delete(o.key));
        else {
          expect(actual.get(o.key)).toBe(expected.get(o.key));
          expect(actual.has(o.key)).toBe(expected.has(o.key));
        }
        expect(actual.size).toBe(expected.size);
      }
      expect([...actual.values()]).toEqual([...expected.values()]);
    }),
    { numRuns: 300 },
  );
});

it('grows and compacts over many keys, deleting half and re-adding some', () => {
  const expected = new Map<string, number>();
  const actual = new FileKeyMap<number>();
  for (let i = 0; i < 50_000; i++) {
    expected.set(`f${i}`, i);
    actual.set(`f${i}`, i);
  }
  for (let i = 0; i < 50_000; i += 2) {
    expected.delete(`f${i}`);
    actual.delete(`f${i}`);
  }
  for (let i = 0; i < 50_000; i += 6) {
    expected.set(`f${i}`, -i);
    actual.set(`f${i}`, -i);
  }
  expect(actual.size).toBe(expected.size);
  expect([...actual.values()]).toEqual([...expected.values()]);
  for (let i = 0; i < 50_000; i += 97) expect(actual.get(`f${i}`)).toBe(expected.get(`f${i}`));
});
