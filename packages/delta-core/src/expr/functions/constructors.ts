/**
 * Constructors of nested values: array(...), map(k, v, ...), named_struct('name', v, ...) and
 * struct(...), with Spark's rules: array elements and map keys / values are cast to their wider
 * common type (string promotion allowed); struct fields are named by the given names
 * (named_struct), or after the column an argument reads, else `col1`, `col2`, ... (struct). The
 * values are never null themselves (their elements may be). A map refuses a null key and a
 * duplicate key, as Spark's default `spark.sql.mapKeyDedupPolicy=EXCEPTION` does.
 */
import { DeltaError } from '../../errors.js';
import type { DataType, StructField } from '../../schema/types.js';
import { VOID, widerCommonType } from '../type-rules.js';
import type { TypedExpr } from '../typed.js';
import { describeValue, mapValue, structValue, valuesEqual, type Value } from '../value.js';
import type { FunctionBindContext, FunctionDef } from './function.js';
import { rowwise } from './kernels.js';

const typeText = (t: DataType): string => (t.kind === 'primitive' ? t.name : t.kind === 'decimal' ? `decimal(${t.precision},${t.scale})` : t.kind);

/** The arguments cast to their wider common type (Spark's CreateArray / CreateMap coercion). */
function common(args: readonly TypedExpr[], ctx: FunctionBindContext, what: string, position: (i: number) => number): { type: DataType; args: TypedExpr[] } {
  const type = widerCommonType(args.map((a) => a.type));
  if (type === undefined) return ctx.error(`${ctx.name} needs ${what} of one common type; got ${args.map((a) => typeText(a.type)).join(', ')}. Cast them to one type, e.g. CAST(x AS STRING).`);
  return { type, args: args.map((a, i) => ctx.cast(a, type, position(i))) };
}

const arrayDef: FunctionDef = {
  name: 'array',
  arity: [0, Infinity],
  signature: 'array(e1, e2, ...)',
  bind(args, ctx) {
    const { type: elementType, args: cast } = args.length === 0 ? { type: VOID, args: [] } : common(args, ctx, 'elements', (i) => i + 1);
    const type: DataType = { kind: 'array', elementType, containsNull: true };
    return { type, args: cast, fn: rowwise(type, (vals) => [...vals], { nullSafe: true }) };
  },
};

const mapDef: FunctionDef = {
  name: 'map',
  arity: [0, Infinity],
  signature: 'map(key1, value1, key2, value2, ...)',
  bind(args, ctx) {
    if (args.length % 2 !== 0) ctx.error(`map takes keys and values in pairs, but was given ${args.length} arguments. Give a value for every key: map(k1, v1, k2, v2, ...).`);
    const keys = args.filter((_, i) => i % 2 === 0);
    const values = args.filter((_, i) => i % 2 === 1);
    const k = keys.length === 0 ? { type: VOID, args: [] } : common(keys, ctx, 'keys', (i) => 2 * i + 1);
    const v = values.length === 0 ? { type: VOID, args: [] } : common(values, ctx, 'values', (i) => 2 * i + 2);
    if (k.type.kind === 'map') ctx.error('map keys cannot be maps. Use another key type.');
    const type: DataType = { kind: 'map', keyType: k.type, valueType: v.type, valueContainsNull: true };
    const fn = rowwise(
      type,
      (vals) => {
        const ks: Value[] = [];
        const vs: Value[] = [];
        for (let i = 0; i < vals.length; i += 2) {
          const key = vals[i]!;
          if (key === null) throw new DeltaError('INVALID_ARGUMENT', 'map: a key is NULL, and map keys cannot be NULL (Spark: NULL_MAP_KEY). Filter the NULLs out or replace them, e.g. coalesce(k, \'\').');
          if (ks.some((x) => valuesEqual(x, key))) {
            throw new DeltaError('INVALID_ARGUMENT', `map: the key ${describeValue(key, k.type)} is given twice (Spark: DUPLICATED_MAP_KEY). Give each key once.`);
          }
          ks.push(key);
          vs.push(vals[i + 1]!);
        }
        return mapValue(ks, vs);
      },
      { nullSafe: true },
    );
    return { type, args: args.map((_, i) => (i % 2 === 0 ? k.args[i / 2]! : v.args[(i - 1) / 2]!)), fn };
  },
};

function structOf(fields: StructField[], args: readonly TypedExpr[]) {
  const type: DataType = { kind: 'struct', fields };
  return { type, args, fn: rowwise(type, (vals) => structValue([...vals]), { nullSafe: true }) };
}

const field = (name: string, type: DataType): StructField => ({ name, type, nullable: true, metadata: {} });

const namedStructDef: FunctionDef = {
  name: 'named_struct',
  arity: [2, Infinity],
  signature: "named_struct('name1', value1, 'name2', value2, ...)",
  bind(args, ctx) {
    if (args.length % 2 !== 0) ctx.error(`named_struct takes names and values in pairs, but was given ${args.length} arguments. Give a value for every name: named_struct('a', x, 'b', y).`);
    const fields: StructField[] = [];
    const values: TypedExpr[] = [];
    for (let i = 0; i < args.length; i += 2) {
      const name = ctx.constant(args[i]!, i + 1);
      if (typeof name !== 'string') return ctx.error(`named_struct: argument ${i + 1} must be a field name as a string literal, e.g. 'a'; got ${describeValue(name, args[i]!.type)}.`);
      fields.push(field(name, args[i + 1]!.type));
      values.push(args[i + 1]!);
    }
    return structOf(fields, values);
  },
};

const structDef: FunctionDef = {
  name: 'struct',
  arity: [1, Infinity],
  signature: 'struct(col1, col2, ...)',
  bind(args) {
    const fields = args.map((a, i) => field(a.kind === 'column' ? a.path[a.path.length - 1]! : a.kind === 'field' ? a.name : `col${i + 1}`, a.type));
    return structOf(fields, args);
  },
};

export const CONSTRUCTOR_FUNCTIONS: readonly FunctionDef[] = [arrayDef, mapDef, namedStructDef, structDef];
