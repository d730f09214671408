import type { DataType } from '@deltakit/core';
import { Vec, type Value } from '@deltakit/core/internal';
import { describe, expect, it } from 'vitest';
import type { AggregateKind, AggregateSpec } from '../../src/operators/aggregates/accumulator.js';
import { aggregateResultType, createAccumulator } from '../../src/operators/aggregates/registry.js';
import { rng } from './duck.js';

const T = (name: string): DataType => ({ kind: 'primitive', name }) as DataType;
const DEC: DataType = { kind: 'decimal', precision: 12, scale: 3 };

/** Random values of a type with nulls (and NaN / infinities for doubles, huge longs). */
function values(type: DataType, n: number, r: () => number): Value[] {
  return Array.from({ length: n }, () => {
    if (r() < 0.15) return null;
    if (type.kind === 'decimal') return { unscaled: BigInt(Math.floor((r() - 0.5) * 1e10)), scale: 3 };
    switch ((type as { name: string }).name) {
      case 'integer':
        return Math.floor((r() - 0.5) * 2 ** 31);
      case 'long':
        return r() < 0.3 ? BigInt.asIntN(64, BigInt(Math.floor(r() * 2 ** 53)) << 11n) : BigInt(Math.floor((r() - 0.5) * 1e6));
      case 'double': {
        const x = r();
        return x < 0.05 ? NaN : x < 0.08 ? Infinity : (r() - 0.5) * 1e6;
      }
      default:
        return `s${Math.floor(r() * 30)}🙂`;
    }
  });
}

const CASES: [AggregateKind, DataType | undefined][] = [
  ['count', undefined], ['count', T('string')], ['count_distinct', T('long')], ['sum', T('integer')], ['sum', T('long')], ['sum', T('double')], ['sum', DEC],
  ['avg', T('double')], ['avg', DEC], ['min', T('integer')], ['max', T('double')], ['min', T('long')], ['max', T('string')], ['min', DEC],
  ['first', T('string')], ['last', T('long')], ['collect_list', T('double')], ['collect_set', T('string')], ['approx_count_distinct', T('long')],
  ['stddev_samp', T('double')], ['stddev_pop', T('double')], ['var_samp', T('double')], ['var_pop', T('double')],
];

const close = (a: Value, b: Value) => {
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) ? Number.isNaN(b) : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)) || a === b;
  return JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) === JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
};

describe('accumulator partial state', () => {
  it.each(CASES)('%s(%j): save → JSON → load of two halves, and merge, equal one pass over all rows', (kind, argType) => {
    const r = rng(42);
    const n = 3000;
    const groupsOf = 37;
    const spec: AggregateSpec = { kind, argType, resultType: aggregateResultType(kind, argType) };
    const vals = argType === undefined ? [] : values(argType, n, r);
    const hashes = Array.from({ length: n }, () => BigInt.asIntN(64, (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32))));
    const groups = Int32Array.from({ length: n }, () => (r() < 0.05 ? -1 : Math.floor(r() * groupsOf)));
    const argsOf = (from: number, to: number) => {
      if (argType === undefined) return [];
      const a = [Vec.fromValues(argType, vals.slice(from, to))];
      if (kind === 'approx_count_distinct') a.push(Vec.fromValues(T('long'), hashes.slice(from, to)));
      return a;
    };
    const run = (from: number, to: number) => {
      const acc = createAccumulator(spec);
      acc.grow(groupsOf);
      acc.update(groups.slice(from, to), argsOf(from, to), to - from);
      return acc;
    };
    const whole = run(0, n).finish(groupsOf).toValues();
    const a = run(0, 1700);
    const b = run(1700, n);
    const restored = createAccumulator(spec);
    restored.grow(groupsOf);
    for (let g = 0; g < groupsOf; g++) {
      restored.load(g, JSON.parse(JSON.stringify(a.save(g))));
      restored.load(g, JSON.parse(JSON.stringify(b.save(g))));
    }
    const fromState = restored.finish(groupsOf).toValues();
    a.merge(b, Int32Array.from({ length: groupsOf }, (_, g) => g));
    const merged = a.finish(groupsOf).toValues();
    for (let g = 0; g < groupsOf; g++) {
      expect(close(fromState[g]!, whole[g]!), `group ${g}: ${String(fromState[g])} vs ${String(whole[g])}`).toBe(true);
      expect(close(merged[g]!, whole[g]!), `group ${g} merged`).toBe(true);
    }
  });
});
