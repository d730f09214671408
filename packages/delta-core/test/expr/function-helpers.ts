/**
 * Helpers for the SQL function tests under ./functions: evaluate a function over literals and
 * over batch columns, typed argument builders, and the internals those tests need (re-exported
 * here so that the tests, one directory deeper, import them from one place).
 */
import { expect } from 'vitest';
import { call, col, lit, type Expr } from '../../src/expr/ast.js';
import { bindExpression } from '../../src/expr/binder.js';
import { compileExpression } from '../../src/expr/compile.js';
import { parseDecimal, type DecimalValue } from '../../src/expr/scalar.js';
import { BINARY, BOOLEAN, DATE, DOUBLE, FLOAT, INT, LONG, SHORT, BYTE, STRING, TIMESTAMP, VOID, decimalType, isVoid } from '../../src/expr/type-rules.js';
import { isMapValue, isStructValue, type Value } from '../../src/expr/value.js';
import { field, struct, type DataType } from '../../src/schema/types.js';
import { rowsToBatch } from '../../src/write/rows-to-arrow.js';

/** One typed argument value (in the evaluator's per-row representation). */
export interface Arg {
  readonly type: DataType;
  readonly value: Value;
}

export const str = (value: string | null): Arg => ({ type: STRING, value });
export const int = (value: number | null): Arg => ({ type: INT, value });
export const short = (value: number | null): Arg => ({ type: SHORT, value });
export const byte = (value: number | null): Arg => ({ type: BYTE, value });
export const long = (value: bigint | null): Arg => ({ type: LONG, value });
export const dbl = (value: number | null): Arg => ({ type: DOUBLE, value });
export const flt = (value: number | null): Arg => ({ type: FLOAT, value: value === null ? null : Math.fround(value) });
export const bool = (value: boolean | null): Arg => ({ type: BOOLEAN, value });
export const bin = (value: Uint8Array | number[] | null): Arg => ({ type: BINARY, value: value === null ? null : Uint8Array.from(value) });
export const date = (days: number | null): Arg => ({ type: DATE, value: days });
export const ts = (micros: bigint | null): Arg => ({ type: TIMESTAMP, value: micros });
export const nul: Arg = { type: VOID, value: null };
export const typedNull = (type: DataType): Arg => ({ type, value: null });
/** A decimal(p, s) from its text (exact). */
export function dec(text: string | null, precision: number, scale: number): Arg {
  if (text === null) return { type: decimalType(precision, scale), value: null };
  const d = parseDecimal(text)!;
  return { type: decimalType(precision, scale), value: { unscaled: d.unscaled * 10n ** BigInt(scale - d.scale), scale } };
}
export const arr = (elementType: DataType, values: readonly Value[] | null): Arg => ({ type: { kind: 'array', elementType, containsNull: true }, value: values });

/** The value as rowsToBatch takes it (structs as objects keyed by field name, maps as entry arrays). */
function toRow(v: Value, t: DataType): unknown {
  if (v === null) return null;
  if (t.kind === 'array') return (v as readonly Value[]).map((x) => toRow(x, t.elementType));
  if (t.kind === 'struct' && isStructValue(v)) return Object.fromEntries(t.fields.map((f, k) => [f.name, toRow(v.values[k] ?? null, f.type)]));
  if (t.kind === 'map' && isMapValue(v)) return v.keys.map((k, i) => [toRow(k, t.keyType), toRow(v.values[i]!, t.valueType)]);
  return v;
}

/** A literal carrying its exact type. */
export const typedLit = (a: Arg): Expr => (isVoid(a.type) ? lit(null) : lit({ type: 'typed', dataType: a.type, value: a.value }));

/** A column per argument (void arguments stay NULL literals), as many rows as the longest list. */
export interface Column {
  readonly type: DataType;
  readonly values: readonly Value[];
}

/** `name(args)` over a batch where each argument is a column (or a literal when `literal` is set). */
export function evalColumns(name: string, args: readonly (Column | { literal: Arg })[]): Value[] {
  const n = Math.max(1, ...args.map((a) => ('values' in a ? a.values.length : 0)));
  const fields = args.flatMap((a, i) => ('values' in a && !isVoid(a.type) ? [field(`a${i}`, a.type)] : []));
  const schema = struct(fields);
  const rows = Array.from({ length: n }, (_, r) => Object.fromEntries(args.flatMap((a, i) => ('values' in a && !isVoid(a.type) ? [[`a${i}`, toRow(a.values[r] ?? null, a.type)]] : []))));
  const exprArgs = args.map((a, i) => ('literal' in a ? typedLit(a.literal) : isVoid(a.type) ? lit(null) : col(`a${i}`)));
  const typed = bindExpression(call(name, ...exprArgs), schema);
  const batch = rowsToBatch(rows, schema);
  return compileExpression(typed).evaluate(batch).toValues();
}

/** The result type of `name(args)`. */
export function resultType(name: string, ...args: Arg[]): DataType {
  return bindExpression(call(name, ...args.map(typedLit)), struct([])).type;
}

/** Comparable form: bytes as arrays, decimals as text. */
export function norm(v: Value): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'object' && v !== null && 'unscaled' in v) {
    const d = v as DecimalValue;
    return `dec:${d.unscaled}e-${d.scale}`;
  }
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (Object.is(v, -0)) return '-0';
  return v;
}

/**
 * `name(args)` evaluated twice: over a one-row batch with every argument a column, and over
 * literals (folded at bind). Both must agree; the value is returned.
 */
export function evalFn(name: string, ...args: Arg[]): Value {
  const viaColumns = evalColumns(name, args.map((a) => ({ type: a.type, values: [a.value] })))[0]!;
  const viaLiterals = bindExpression(call(name, ...args.map(typedLit)), struct([]));
  expect(viaLiterals.kind, `${name} folds to a literal`).toBe('literal');
  expect(norm((viaLiterals as { value: Value }).value), `${name}: literal and column evaluation agree`).toEqual(norm(viaColumns));
  return viaColumns;
}

/**
 * Like {@link evalFn} for functions whose trailing arguments must be constants (a scale, an
 * escape): arguments from index `constantFrom` on stay literals in the column evaluation.
 */
export function evalConst(name: string, constantFrom: number, ...args: Arg[]): Value {
  const viaColumns = evalColumns(
    name,
    args.map((a, i) => (i >= constantFrom ? { literal: a } : { type: a.type, values: [a.value] })),
  )[0]!;
  const viaLiterals = bindExpression(call(name, ...args.map(typedLit)), struct([]));
  expect(viaLiterals.kind, `${name} folds to a literal`).toBe('literal');
  expect(norm((viaLiterals as { value: Value }).value), `${name}: literal and column evaluation agree`).toEqual(norm(viaColumns));
  return viaColumns;
}

/** `fn(x, constants...)` as a comparable value. */
export const evk = (name: string, ...args: Arg[]): unknown => norm(evalConst(name, 1, ...args));

/** `fn(args)` as a comparable value (see {@link norm}). */
export const ev = (name: string, ...args: Arg[]): unknown => norm(evalFn(name, ...args));

/** The DeltaError code `f` throws (fails when it does not throw). */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  throw new Error('expected an error');
}

/** Deterministic pseudo-random generator for generated inputs (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random strings mixing ASCII, accented Latin, Greek, Cyrillic, CJK, emoji and spaces. */
export function randomStrings(count: number, seed: number, alphabet: readonly string[] = DEFAULT_ALPHABET): string[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => {
    const len = Math.floor(r() * 12);
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(r() * alphabet.length)]!;
    return s;
  });
}

export const DEFAULT_ALPHABET: readonly string[] = [...'abcxyzABCXYZ019 _-.,%', 'é', 'Ä', 'ö', 'ñ', 'Ω', 'λ', 'Ж', 'д', '中', '文', '😀', '🎉'];

export { BINARY, BOOLEAN, DATE, DOUBLE, FLOAT, INT, LONG, SHORT, BYTE, STRING, TIMESTAMP, VOID, decimalType } from '../../src/expr/type-rules.js';
export { call, col, lit, and, or, cmp, type Expr } from '../../src/expr/ast.js';
export { murmur3Int, murmur3Long, murmur3Bytes } from '../../src/expr/functions/murmur3.js';
export { xxhashInt, xxhashLong, xxhashBytes, resultBigInt } from '../../src/expr/functions/xxhash64.js';
export { DeltaTable } from '../../src/table/delta-table.js';
export { createDefaultEngine } from '../../src/table/default-engine.js';
export { LocalFileSystemStore } from '../../src/storage/local-store.js';
export { bindExpression } from '../../src/expr/binder.js';
export { compileExpression } from '../../src/expr/compile.js';
export { field, struct, primitive, decimal } from '../../src/schema/types.js';
export type { DataType } from '../../src/schema/types.js';
export type { Value } from '../../src/expr/value.js';
