/**
 * The aggregate functions: SQL names → kinds, Spark's argument coercions and result types, and
 * the accumulator of each kind.
 */
import { DeltaError, type DataType } from '@deltakit/core';
import { typeText } from '@deltakit/core/internal';
import type { Accumulator, AggregateKind, AggregateSpec } from './accumulator.js';
import { CollectAccumulator } from './collect.js';
import { CountAccumulator } from './count.js';
import { FirstLastAccumulator } from './first-last.js';
import { HllAccumulator } from './hll.js';
import { MinMaxAccumulator } from './min-max.js';
import { MomentsAccumulator } from './moments.js';
import { SumAccumulator } from './sum.js';

/** SQL function names (lower case) of aggregates, with their kind. */
export const AGGREGATE_NAMES: ReadonlyMap<string, AggregateKind> = new Map<string, AggregateKind>([
  ['count', 'count'],
  ['sum', 'sum'],
  ['avg', 'avg'],
  ['mean', 'avg'],
  ['min', 'min'],
  ['max', 'max'],
  ['first', 'first'],
  ['first_value', 'first'],
  ['last', 'last'],
  ['last_value', 'last'],
  ['collect_list', 'collect_list'],
  ['array_agg', 'collect_list'],
  ['collect_set', 'collect_set'],
  ['approx_count_distinct', 'approx_count_distinct'],
  ['stddev', 'stddev_samp'],
  ['std', 'stddev_samp'],
  ['stddev_samp', 'stddev_samp'],
  ['stddev_pop', 'stddev_pop'],
  ['variance', 'var_samp'],
  ['var_samp', 'var_samp'],
  ['var_pop', 'var_pop'],
]);

const LONG: DataType = { kind: 'primitive', name: 'long' };
const DOUBLE: DataType = { kind: 'primitive', name: 'double' };
const isPrim = (t: DataType, ...names: string[]) => t.kind === 'primitive' && names.includes(t.name);
const INTEGRAL = ['byte', 'short', 'integer', 'long'];
const NUMERIC = [...INTEGRAL, 'float', 'double'];

/**
 * The type the argument is cast to before accumulating (Spark's implicit casts), or undefined
 * when it is used as is. Throws TYPE_MISMATCH for arguments Spark refuses.
 */
export function argumentCast(kind: AggregateKind, arg: DataType, name: string): DataType | undefined {
  const refuse = (what: string) =>
    new DeltaError('TYPE_MISMATCH', `${name}() needs ${what}, but its argument is ${typeText(arg)}. Cast it first, e.g. ${name}(col.cast('double')).`);
  switch (kind) {
    case 'sum':
      if (arg.kind === 'decimal' || isPrim(arg, ...INTEGRAL, 'double')) return undefined;
      if (isPrim(arg, 'float', 'string', 'void')) return DOUBLE;
      throw refuse('a numeric argument');
    case 'avg':
    case 'stddev_samp':
    case 'stddev_pop':
    case 'var_samp':
    case 'var_pop':
      if (kind === 'avg' && arg.kind === 'decimal') return undefined;
      if (isPrim(arg, 'double')) return undefined;
      if (arg.kind === 'decimal' || isPrim(arg, ...NUMERIC, 'string', 'void')) return DOUBLE;
      throw refuse('a numeric argument');
    case 'min':
    case 'max':
      if (arg.kind === 'map') throw refuse('an orderable argument (not a map)');
      return undefined;
    default:
      return undefined;
  }
}

/** Spark's result type of an aggregate over an argument of type `arg` (after {@link argumentCast}). */
export function aggregateResultType(kind: AggregateKind, arg: DataType | undefined): DataType {
  switch (kind) {
    case 'count':
    case 'count_distinct':
    case 'approx_count_distinct':
      return LONG;
    case 'sum':
      if (arg?.kind === 'decimal') return { kind: 'decimal', precision: Math.min(38, arg.precision + 10), scale: arg.scale };
      return arg !== undefined && isPrim(arg, ...INTEGRAL) ? LONG : DOUBLE;
    case 'avg':
      if (arg?.kind === 'decimal') return { kind: 'decimal', precision: Math.min(38, arg.precision + 4), scale: Math.min(38, arg.scale + 4) };
      return DOUBLE;
    case 'stddev_samp':
    case 'stddev_pop':
    case 'var_samp':
    case 'var_pop':
      return DOUBLE;
    case 'collect_list':
    case 'collect_set':
      return { kind: 'array', elementType: arg ?? LONG, containsNull: false };
    default:
      return arg ?? LONG;
  }
}

export function createAccumulator(spec: AggregateSpec): Accumulator {
  switch (spec.kind) {
    case 'count':
      return new CountAccumulator(spec);
    case 'sum':
    case 'avg':
      return new SumAccumulator(spec);
    case 'min':
    case 'max':
      return new MinMaxAccumulator(spec);
    case 'first':
    case 'last':
      return new FirstLastAccumulator(spec);
    case 'collect_list':
    case 'collect_set':
    case 'count_distinct':
      return new CollectAccumulator(spec);
    case 'approx_count_distinct':
      return new HllAccumulator(spec);
    default:
      return new MomentsAccumulator(spec);
  }
}
