/**
 * Null handling and conditional functions (coalesce, nvl, ifnull, nvl2, nullif, if, greatest,
 * least, isnull, isnotnull) and element access (`a[i]`, `m[k]`, element_at), with Spark's
 * coercion of their arguments to one wider common type.
 */
import type { DataType } from '../../schema/types.js';
import { BOOLEAN, INT, comparisonType, widerCommonType, widerCommonTypeWithoutStringPromotion } from '../type-rules.js';
import type { TypedExpr } from '../typed.js';
import { compareValues, valuesEqual, type MapValue, type Value } from '../value.js';
import { Vec, chooseRows } from '../vector.js';
import type { FunctionBindContext, FunctionDef } from './function.js';
import { rowwise } from './kernels.js';

const typeText = (t: DataType): string => (t.kind === 'primitive' ? t.name : t.kind === 'decimal' ? `decimal(${t.precision},${t.scale})` : t.kind);

/** Casts every argument to their wider common type (Spark's FunctionArgumentConversion). */
function commonArgs(args: readonly TypedExpr[], ctx: FunctionBindContext, offset = 0, common = widerCommonType): { type: DataType; args: TypedExpr[] } {
  const type = common(args.map((a) => a.type));
  if (type === undefined) return ctx.error(`${ctx.name} needs arguments of one common type; got ${args.map((a) => typeText(a.type)).join(', ')}. Cast them to one type.`);
  return { type, args: args.map((a, i) => ctx.cast(a, type, i + 1 + offset)) };
}

function coalesceDef(name: string, arity: readonly [number, number]): FunctionDef {
  return {
    name,
    arity,
    signature: `${name}(a, b${arity[1] > 2 ? ', ...' : ''})`,
    bind(args, ctx) {
      const { type, args: cast } = commonArgs(args, ctx);
      return {
        type,
        args: cast,
        fn: {
          eval(v, c) {
            const choice = new Int32Array(c.length).fill(-1);
            const valids = v.map((x) => x.valid());
            for (let i = 0; i < c.length; i++) {
              for (let k = 0; k < v.length; k++) {
                const vk = valids[k];
                if (vk === null || vk![i]) {
                  choice[i] = k;
                  break;
                }
              }
            }
            return chooseRows(type, choice, v);
          },
        },
      };
    },
  };
}

function extremeDef(name: 'greatest' | 'least'): FunctionDef {
  const sign = name === 'greatest' ? 1 : -1;
  return {
    name,
    arity: [2, Infinity],
    signature: `${name}(a, b, ...)`,
    bind(args, ctx) {
      // Unlike COALESCE, Spark does not promote to string here: greatest('a', 1) is a type error.
      const { type, args: cast } = commonArgs(args, ctx, 0, widerCommonTypeWithoutStringPromotion);
      if (type.kind === 'map') ctx.error(`${name} cannot compare map values.`);
      return {
        type,
        args: cast,
        fn: rowwise(
          type,
          (vals) => {
            let best: Value = null;
            for (const x of vals) if (x !== null && (best === null || sign * compareValues(x, best) > 0)) best = x;
            return best;
          },
          { nullSafe: true },
        ),
      };
    },
  };
}

export const CONDITIONAL_FUNCTIONS: readonly FunctionDef[] = [
  coalesceDef('coalesce', [1, Infinity]),
  coalesceDef('nvl', [2, 2]),
  coalesceDef('ifnull', [2, 2]),
  extremeDef('greatest'),
  extremeDef('least'),
  {
    name: 'if',
    arity: [3, 3],
    signature: 'if(condition, then, else)',
    bind(args, ctx) {
      const cond = ctx.cast(args[0]!, BOOLEAN, 1);
      const { type, args: branches } = commonArgs(args.slice(1), ctx, 1);
      return {
        type,
        args: [cond, ...branches],
        fn: {
          eval(v, c) {
            const codes = v[0]!.codes();
            const one = v[0]!.isConstant;
            const choice = new Int32Array(c.length);
            for (let i = 0; i < c.length; i++) choice[i] = codes[one ? 0 : i] === 2 ? 0 : 1;
            return chooseRows(type, choice, [v[1]!, v[2]!]);
          },
        },
      };
    },
  },
  {
    name: 'nvl2',
    arity: [3, 3],
    signature: 'nvl2(x, ifNotNull, ifNull)',
    bind(args, ctx) {
      const { type, args: branches } = commonArgs(args.slice(1), ctx, 1);
      return {
        type,
        args: [args[0]!, ...branches],
        fn: {
          eval(v, c) {
            const choice = new Int32Array(c.length);
            for (let i = 0; i < c.length; i++) choice[i] = v[0]!.isNull(i) ? 1 : 0;
            return chooseRows(type, choice, [v[1]!, v[2]!]);
          },
        },
      };
    },
  },
  {
    name: 'nullif',
    arity: [2, 2],
    signature: 'nullif(a, b)',
    bind(args, ctx) {
      const [a, b] = args as [TypedExpr, TypedExpr];
      const t = comparisonType(a.type, b.type);
      if (t === undefined) return ctx.error(`nullif cannot compare ${typeText(a.type)} with ${typeText(b.type)}. Cast one side.`);
      const left = ctx.cast(a, t, 1);
      const right = ctx.cast(b, t, 2);
      return {
        type: a.type,
        args: [a, left, right],
        fn: {
          eval(v, c) {
            const choice = new Int32Array(c.length);
            for (let i = 0; i < c.length; i++) {
              const x = v[1]!.get(i);
              const y = v[2]!.get(i);
              choice[i] = x !== null && y !== null && valuesEqual(x, y) ? -1 : 0;
            }
            return chooseRows(a.type, choice, [v[0]!]);
          },
        },
      };
    },
  },
  {
    name: 'isnull',
    arity: [1, 1],
    signature: 'isnull(x)',
    bind: () => ({ type: BOOLEAN, fn: { eval: (v, c) => nullTest(v[0]!, c.length, false) } }),
  },
  {
    name: 'isnotnull',
    arity: [1, 1],
    signature: 'isnotnull(x)',
    bind: () => ({ type: BOOLEAN, fn: { eval: (v, c) => nullTest(v[0]!, c.length, true) } }),
  },
  {
    name: 'element_at',
    arity: [2, 2],
    signature: 'element_at(array, index) | element_at(map, key)',
    bind(args, ctx) {
      return bindElementAccess(args[0]!, args[1]!, ctx, 1);
    },
  },
];

function nullTest(v: Vec, n: number, negated: boolean): Vec {
  const valid = v.valid();
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (valid === null || valid[i] === 1) === negated ? 1 : 0;
  return Vec.of(BOOLEAN, { kind: 'bool', values: out }, null, n);
}

/**
 * `arr[index]` (`base` 0, Spark's subscript) or `element_at(arr, index)` (`base` 1, negative
 * counts from the end), and `map[key]` / `element_at(map, key)`. Out-of-range indexes and missing
 * keys give null (non-ANSI); index 0 for element_at is an error in Spark, null here too.
 */
export function bindElementAccess(container: TypedExpr, key: TypedExpr, ctx: FunctionBindContext, base: 0 | 1) {
  const t = container.type;
  if (t.kind === 'array') {
    const index = ctx.cast(key, INT, 2);
    const element = t.elementType;
    return {
      type: element,
      args: [container, index],
      fn: rowwise(element, ([arr, i]) => {
        const a = arr as readonly Value[];
        let k = i as number;
        if (base === 1) k = k > 0 ? k - 1 : k < 0 ? a.length + k : -1;
        return k >= 0 && k < a.length ? a[k]! : null;
      }),
    };
  }
  if (t.kind === 'map') {
    const k = ctx.cast(key, t.keyType, 2);
    const value = t.valueType;
    return {
      type: value,
      args: [container, k],
      fn: rowwise(value, ([m, kv]) => {
        const map = m as MapValue;
        const at = map.keys.findIndex((x) => x !== null && valuesEqual(x, kv!));
        return at < 0 ? null : map.values[at]!;
      }),
    };
  }
  return ctx.error(`Only arrays and maps can be indexed with [ ]; this value has type ${typeText(t)}.`);
}
