/**
 * Store assignment: converting a value to the type of the target column it is written to, as
 * Delta's MERGE does under Spark's default `storeAssignmentPolicy=ANSI`:
 * - atomic values take an ANSI cast: the conversions Spark's ANSI CAST accepts, with overflow and
 *   malformed input raising an error instead of becoming null (Delta's
 *   `DELTA_CAST_OVERFLOW_IN_TABLE_WRITE`, Spark's `CAST_INVALID_INPUT`);
 * - structs are matched by field name (not position), recursively, also inside arrays and maps;
 *   a field of the target struct missing from the value is null when schema evolution is on and an
 *   error otherwise; a field of the value the target lacks is an error (evolution adds it to the
 *   target first); a null struct stays null.
 */
import { DeltaError, type DataType, type StructType } from '@deltakit/core';
import { Vec, castVec, typeText } from '@deltakit/core/internal';

export interface AssignOptions {
  /** Target struct fields missing from the value become null (schema evolution) instead of an error. */
  readonly allowMissingFields: boolean;
}

export interface AssignContext {
  readonly timeZone: string;
  readonly nowMicros: bigint;
}

const isAtomic = (t: DataType): boolean => t.kind === 'primitive' || t.kind === 'decimal';
const prim = (t: DataType, ...names: string[]): boolean => t.kind === 'primitive' && names.includes(t.name);
const isNumeric = (t: DataType): boolean => t.kind === 'decimal' || prim(t, 'byte', 'short', 'integer', 'long', 'float', 'double');
const isIntegral = (t: DataType): boolean => prim(t, 'byte', 'short', 'integer', 'long');
const isVoid = (t: DataType): boolean => prim(t, 'void');

/** Whether Spark's ANSI CAST accepts `from` → `to` for atomic types (`Cast.canAnsiCast`). */
export function canAnsiCastAtomic(from: DataType, to: DataType): boolean {
  if (sameAtomic(from, to) || isVoid(from)) return true;
  if (prim(to, 'string')) return true;
  if (prim(from, 'string')) return isNumeric(to) || prim(to, 'boolean', 'date', 'timestamp', 'timestamp_ntz', 'binary');
  if (isNumeric(to)) return isNumeric(from) || prim(from, 'boolean');
  if (prim(to, 'boolean')) return isNumeric(from);
  if (prim(to, 'date')) return prim(from, 'timestamp', 'timestamp_ntz');
  if (prim(to, 'timestamp', 'timestamp_ntz')) return prim(from, 'date', 'timestamp', 'timestamp_ntz');
  return false;
}

function sameAtomic(a: DataType, b: DataType): boolean {
  if (a.kind === 'decimal' && b.kind === 'decimal') return a.precision === b.precision && a.scale === b.scale;
  return a.kind === 'primitive' && b.kind === 'primitive' && a.name === b.name;
}

/**
 * Checks that a value of type `from` can be assigned to a column of type `to` (`column` names it
 * in the error). Throws TYPE_MISMATCH or SCHEMA_MISMATCH naming the offending (nested) field.
 */
export function checkAssignable(from: DataType, to: DataType, column: string, options: AssignOptions): void {
  if (isVoid(from)) return;
  if (isAtomic(to) && isAtomic(from)) {
    if (!canAnsiCastAtomic(from, to)) {
      throw new DeltaError('TYPE_MISMATCH', `Cannot write a value of type ${typeText(from)} into column ${column} of type ${typeText(to)}: Spark's ANSI store assignment has no such cast. Cast the value explicitly to a type that converts (e.g. CAST(x AS STRING) first).`, {
        details: { column, from: typeText(from), to: typeText(to) },
      });
    }
    return;
  }
  if (from.kind === 'struct' && to.kind === 'struct') {
    for (const f of from.fields) {
      if (!to.fields.some((t) => t.name.toLowerCase() === f.name.toLowerCase())) {
        throw new DeltaError('SCHEMA_MISMATCH', `The value written to ${column} has a field "${f.name}" that the target struct (${typeText(to)}) lacks. Enable schema evolution (withSchemaEvolution()) to add it, or leave the field out.`, {
          details: { column: `${column}.${f.name}` },
        });
      }
    }
    for (const t of to.fields) {
      const f = from.fields.find((x) => x.name.toLowerCase() === t.name.toLowerCase());
      if (f === undefined) {
        if (options.allowMissingFields) continue;
        throw new DeltaError('SCHEMA_MISMATCH', `The value written to ${column} (${typeText(from)}) has no field "${t.name}" of the target struct ${typeText(to)}. Provide every field, or enable schema evolution (withSchemaEvolution()) to fill missing fields with null.`, {
          details: { column: `${column}.${t.name}` },
        });
      }
      checkAssignable(f.type, t.type, `${column}.${t.name}`, options);
    }
    return;
  }
  if (from.kind === 'array' && to.kind === 'array') return checkAssignable(from.elementType, to.elementType, `${column}.element`, options);
  if (from.kind === 'map' && to.kind === 'map') {
    checkAssignable(from.keyType, to.keyType, `${column}.key`, options);
    return checkAssignable(from.valueType, to.valueType, `${column}.value`, options);
  }
  if (prim(to, 'string') && !isAtomic(from)) return;
  throw new DeltaError('TYPE_MISMATCH', `Cannot write a value of type ${typeText(from)} into column ${column} of type ${typeText(to)}. Produce a value of the column's type.`, {
    details: { column, from: typeText(from), to: typeText(to) },
  });
}

/** `v` converted to `to` for writing into `column` (see the module comment). Checked with {@link checkAssignable} first. */
export function assignVec(v: Vec, to: DataType, column: string, ctx: AssignContext, options: AssignOptions): Vec {
  const from = v.type;
  if (isVoid(from)) return Vec.constant(to, null, v.length);
  // Same layout: hand the Arrow data on untouched (zero-copy when the value is a plain column).
  if (sameShape(from, to)) return v.arrow !== undefined ? Vec.fromArrow(v.arrow, to) : v.retype(to);
  if (isAtomic(to) && isAtomic(from)) return ansiCast(v, to, column, ctx);
  if (from.kind === 'struct' && to.kind === 'struct') return assignStruct(v, from, to, column, ctx, options);
  if (from.kind === 'array' && to.kind === 'array') {
    const { offsets, child } = v.list();
    const element = assignVec(child, to.elementType, `${column}.element`, ctx, options);
    return Vec.of(to, { kind: 'list', offsets, child: element }, v.valid(), v.length);
  }
  if (from.kind === 'map' && to.kind === 'map') {
    const m = v.map();
    const keys = assignVec(m.keys, to.keyType, `${column}.key`, ctx, options);
    const values = assignVec(m.values, to.valueType, `${column}.value`, ctx, options);
    return Vec.of(to, { kind: 'map', offsets: m.offsets, keys, values }, v.valid(), v.length);
  }
  return castVec(v, to, { length: v.length, timeZone: ctx.timeZone, nowMicros: ctx.nowMicros });
}

/** Struct by name: a null struct stays null; missing fields are null (checked beforehand). */
function assignStruct(v: Vec, from: StructType, to: StructType, column: string, ctx: AssignContext, options: AssignOptions): Vec {
  const children = v.children();
  const valid = v.valid();
  const out = to.fields.map((t) => {
    const i = from.fields.findIndex((f) => f.name.toLowerCase() === t.name.toLowerCase());
    if (i < 0) return Vec.constant(t.type, null, v.length);
    return assignVec(children[i]!.withNulls(valid), t.type, `${column}.${t.name}`, ctx, options);
  });
  return Vec.of(to, { kind: 'struct', children: out, length: v.length }, valid, v.length);
}

/** Same physical shape: equal types up to field metadata, nullability and same-named fields in order. */
function sameShape(a: DataType, b: DataType): boolean {
  if (isAtomic(a) && isAtomic(b)) return sameAtomic(a, b);
  if (a.kind === 'struct' && b.kind === 'struct') {
    return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name.toLowerCase() === b.fields[i]!.name.toLowerCase() && sameShape(f.type, b.fields[i]!.type));
  }
  if (a.kind === 'array' && b.kind === 'array') return sameShape(a.elementType, b.elementType);
  if (a.kind === 'map' && b.kind === 'map') return sameShape(a.keyType, b.keyType) && sameShape(a.valueType, b.valueType);
  return false;
}

const RANGE: Record<string, readonly [bigint, bigint]> = {
  byte: [-128n, 127n],
  short: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * ANSI CAST of an atomic column: Spark's non-ANSI cast (core's `castVec`) plus the checks that
 * make it raise where ANSI raises: integral narrowing and fractional/decimal to integral out of
 * range (non-ANSI wraps or saturates), and any value that the cast turns into null.
 */
function ansiCast(v: Vec, to: DataType, column: string, ctx: AssignContext): Vec {
  const from = v.type;
  if (isIntegral(to) && (isNumeric(from) || prim(from, 'boolean'))) checkIntegralRange(v, to, column);
  const out = castVec(v, to, { length: v.length, timeZone: ctx.timeZone, nowMicros: ctx.nowMicros });
  const a = v.valid();
  const b = out.valid();
  if (b !== null) {
    for (let i = 0; i < v.length; i++) {
      if (b[i] === 0 && (a === null || a[i] === 1)) throw castError(v, i, to, column, isNumeric(from) ? 'overflow' : 'malformed');
    }
  }
  return out;
}

function checkIntegralRange(v: Vec, to: DataType, column: string): void {
  const [lo, hi] = RANGE[(to as { name: string }).name]!;
  const from = v.type;
  const valid = v.valid();
  const n = v.isConstant ? Math.min(1, v.length) : v.length;
  const ok = (i: number): boolean => valid === null || valid[i] === 1;
  if (prim(from, 'byte', 'short', 'integer')) {
    const s = v.isConstant ? null : v.i32();
    for (let i = 0; i < n; i++) {
      if (!ok(i)) continue;
      const x = BigInt(s ? s[i]! : (v.constantValue as number));
      if (x < lo || x > hi) throw castError(v, i, to, column, 'overflow');
    }
  } else if (prim(from, 'long')) {
    if ((to as { name: string }).name === 'long') return;
    const s = v.isConstant ? null : v.i64();
    for (let i = 0; i < n; i++) {
      if (!ok(i)) continue;
      const x = s ? s[i]! : (v.constantValue as bigint);
      if (x < lo || x > hi) throw castError(v, i, to, column, 'overflow');
    }
  } else if (prim(from, 'float', 'double')) {
    const s = v.isConstant ? null : v.f64();
    for (let i = 0; i < n; i++) {
      if (!ok(i)) continue;
      const d = s ? s[i]! : (v.constantValue as number);
      if (!Number.isFinite(d)) throw castError(v, i, to, column, 'overflow');
      const t = BigInt(Math.trunc(d));
      if (t < lo || t > hi) throw castError(v, i, to, column, 'overflow');
    }
  } else if (from.kind === 'decimal') {
    const s = v.isConstant ? null : v.dec();
    const div = 10n ** BigInt(from.scale);
    for (let i = 0; i < n; i++) {
      if (!ok(i)) continue;
      const u = s ? s[i]! : (v.constantValue as { unscaled: bigint }).unscaled;
      const t = u / div;
      if (t < lo || t > hi) throw castError(v, i, to, column, 'overflow');
    }
  }
}

function castError(v: Vec, i: number, to: DataType, column: string, why: 'overflow' | 'malformed'): DeltaError {
  const value = describe(v.get(v.isConstant ? 0 : i));
  const from = typeText(v.type);
  if (why === 'overflow') {
    return new DeltaError('INVALID_ARGUMENT', `Cannot write the value ${value} of type ${from} into column ${column} of type ${typeText(to)}: it overflows the column's type, and MERGE casts as Spark's ANSI store assignment does (no silent wrap or null); nothing was committed. Use try_cast on the value to write NULL instead, or widen the column.`, {
      details: { errorClass: 'DELTA_CAST_OVERFLOW_IN_TABLE_WRITE', column, value, from, to: typeText(to) },
    });
  }
  return new DeltaError('INVALID_ARGUMENT', `Cannot write the value ${value} of type ${from} into column ${column} of type ${typeText(to)}: it is not a valid ${typeText(to)}, and MERGE casts as Spark's ANSI store assignment does; nothing was committed. Fix the value, or use try_cast to write NULL for invalid values.`, {
    details: { errorClass: 'CAST_INVALID_INPUT', column, value, from, to: typeText(to) },
  });
}

function describe(x: unknown): string {
  if (typeof x === 'string') return `'${x}'`;
  if (typeof x === 'object' && x !== null && 'unscaled' in x) {
    const d = x as { unscaled: bigint; scale: number };
    const s = (d.unscaled < 0n ? -d.unscaled : d.unscaled).toString().padStart(d.scale + 1, '0');
    return `${d.unscaled < 0n ? '-' : ''}${d.scale === 0 ? s : `${s.slice(0, -d.scale)}.${s.slice(-d.scale)}`}`;
  }
  return String(x);
}
