/**
 * Store assignment: a value written to a column (UPDATE SET, MERGE assignments) is cast to the
 * column's type as Delta Spark does under Spark's default `storeAssignmentPolicy=ANSI`:
 * - at bind time, only ANSI-castable pairs are accepted (numbers, strings, booleans, dates and
 *   timestamps among themselves as Spark's `Cast.canAnsiCast`; structs by field name; arrays and
 *   maps element-wise); anything else is TYPE_MISMATCH;
 * - at run time a value that does not convert (a string that is not a number, an out-of-range
 *   number) fails the statement with INVALID_WRITE naming the column and the value, where
 *   non-ANSI CAST would have produced null or wrapped around.
 */
import type { DataType, StructType } from '@deltakit/core';
import { DeltaError } from '@deltakit/core';
import { castValue, castVec, formatDataType, Vec, type EvalContext } from '@deltakit/core/internal';

const INTEGRAL = new Set(['byte', 'short', 'integer', 'long']);
const FRACTIONAL = new Set(['float', 'double']);
const isNumeric = (t: DataType) => t.kind === 'decimal' || (t.kind === 'primitive' && (INTEGRAL.has(t.name) || FRACTIONAL.has(t.name)));
const prim = (t: DataType, ...names: string[]) => t.kind === 'primitive' && names.includes(t.name);

/** Whether a value of type `from` may be assigned to a column of type `to` (Spark's ANSI store assignment). */
export function canAssign(from: DataType, to: DataType): boolean {
  if (prim(from, 'void')) return true;
  if (sameShape(from, to)) return true;
  if (prim(to, 'string')) return from.kind === 'primitive' || from.kind === 'decimal';
  if (prim(from, 'string')) return prim(to, 'binary', 'boolean', 'date', 'timestamp', 'timestamp_ntz') || isNumeric(to);
  if (prim(to, 'boolean')) return isNumeric(from);
  if (isNumeric(to)) return isNumeric(from) || prim(from, 'boolean', 'timestamp');
  if (prim(to, 'timestamp')) return isNumeric(from) || prim(from, 'date', 'timestamp_ntz');
  if (prim(to, 'timestamp_ntz')) return prim(from, 'date', 'timestamp');
  if (prim(to, 'date')) return prim(from, 'timestamp', 'timestamp_ntz');
  if (from.kind === 'array' && to.kind === 'array') return canAssign(from.elementType, to.elementType);
  if (from.kind === 'map' && to.kind === 'map') return canAssign(from.keyType, to.keyType) && canAssign(from.valueType, to.valueType);
  if (from.kind === 'struct' && to.kind === 'struct') {
    return from.fields.length === to.fields.length && to.fields.every((tf) => {
      const sf = fieldByName(from, tf.name);
      return sf !== undefined && canAssign(sf.type, tf.type);
    });
  }
  return false;
}

/** Throws TYPE_MISMATCH unless `from` may be assigned to column `column` of type `to`. */
export function checkAssignable(from: DataType, to: DataType, column: string): void {
  if (canAssign(from, to)) return;
  throw new DeltaError(
    'TYPE_MISMATCH',
    `Cannot assign a value of type ${formatDataType(from)} to column ${column} of type ${formatDataType(to)}: Spark's store assignment does not convert between these types. Cast the value explicitly to ${formatDataType(to)}, e.g. CAST(x AS ${formatDataType(to).toUpperCase()}).`,
    { details: { column, from: formatDataType(from), to: formatDataType(to) } },
  );
}

/**
 * `v` converted to column type `to` (checked with {@link canAssign} beforehand). Throws
 * INVALID_WRITE for a value that does not convert under ANSI rules.
 */
export function assignVec(v: Vec, to: DataType, column: string, ctx: EvalContext): Vec {
  if (sameShape(v.type, to)) return v.type === to ? v : v.retype(to);
  if (prim(v.type, 'void')) return Vec.constant(to, null, v.length);
  if (v.type.kind === 'struct' && to.kind === 'struct') return assignStruct(v, to, column, ctx);
  const out = castVec(v, to, ctx);
  checkConverted(v, out, to, column, ctx);
  return out;
}

/** Structs are assigned field by field, matched by name (Delta's default for UPDATE and MERGE). */
function assignStruct(v: Vec, to: StructType, column: string, ctx: EvalContext): Vec {
  const from = v.type as StructType;
  if (v.isConstant) {
    const value = castValue(v.constantValue, from, to, ctx.timeZone);
    return Vec.constant(to, value, v.length);
  }
  const kids = v.children();
  const valid = v.valid();
  const children = to.fields.map((tf) => {
    const i = from.fields.findIndex((f) => f.name.toLowerCase() === tf.name.toLowerCase());
    return assignVec(kids[i]!.withNulls(valid), tf.type, `${column}.${tf.name}`, ctx);
  });
  return Vec.of(to, { kind: 'struct', length: v.length, children }, valid, v.length);
}

/** Fails on rows ANSI casting would reject: a value turned null, or an integral value out of range. */
function checkConverted(input: Vec, output: Vec, to: DataType, column: string, ctx: EvalContext): void {
  const n = input.length;
  const inValid = input.valid();
  const outValid = output.valid();
  const bad = (i: number, why: string): never => {
    const value = input.get(i);
    throw new DeltaError(
      'INVALID_WRITE',
      `Cannot write ${describe(value)} of type ${formatDataType(input.type)} to column ${column} of type ${formatDataType(to)}: ${why}. Nothing was committed. Fix the value, or cast it explicitly (a CAST that fails gives null).`,
      { details: { column, type: formatDataType(to) } },
    );
  };
  if (outValid !== null) {
    for (let i = 0; i < n; i++) if (outValid[i] === 0 && (inValid === null || inValid[i] === 1)) bad(i, 'the value cannot be represented in that type');
  }
  if (to.kind !== 'primitive' || !INTEGRAL.has(to.name)) return;
  const [lo, hi] = RANGE[to.name]!;
  const from = input.type;
  if (from.kind === 'primitive' && INTEGRAL.has(from.name)) {
    if (RANGE[from.name]![1] <= hi) return;
    const values = from.name === 'long' ? input.i64() : null;
    const ints = values === null ? input.i32() : null;
    for (let i = 0; i < n; i++) {
      if (inValid !== null && inValid[i] === 0) continue;
      const x = values !== null ? values[i]! : BigInt(ints![i]!);
      if (x < lo || x > hi) bad(i, 'it is out of range');
    }
    return;
  }
  // Fractional, decimal, boolean, timestamp and string sources: compare the exact value with the range.
  for (let i = 0; i < n; i++) {
    if (inValid !== null && inValid[i] === 0) continue;
    const asDecimal = castValue(input.get(i), from, { kind: 'decimal', precision: 38, scale: 0 }, ctx.timeZone) as { unscaled: bigint } | null;
    if (asDecimal === null) {
      if (from.kind === 'primitive' && (FRACTIONAL.has(from.name) || from.name === 'string')) bad(i, 'it is not a finite number in range');
      continue;
    }
    if (asDecimal.unscaled < lo || asDecimal.unscaled > hi) bad(i, 'it is out of range');
  }
}

const RANGE: Record<string, [bigint, bigint]> = {
  byte: [-128n, 127n],
  short: [-32768n, 32767n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return v.toString();
  if (v !== null && typeof v === 'object' && 'unscaled' in v) {
    const d = v as unknown as { unscaled: bigint; scale: number };
    return `${d.unscaled}E-${d.scale}`;
  }
  return String(v);
}

function fieldByName(s: StructType, name: string) {
  return s.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
}

/** Same type ignoring nullability and field metadata. */
function sameShape(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'primitive':
      return a.name === (b as typeof a).name;
    case 'decimal':
      return a.precision === (b as typeof a).precision && a.scale === (b as typeof a).scale;
    case 'array':
      return sameShape(a.elementType, (b as typeof a).elementType);
    case 'map':
      return sameShape(a.keyType, (b as typeof a).keyType) && sameShape(a.valueType, (b as typeof a).valueType);
    case 'struct': {
      const bf = (b as typeof a).fields;
      return a.fields.length === bf.length && a.fields.every((f, i) => f.name === bf[i]!.name && sameShape(f.type, bf[i]!.type));
    }
  }
}
