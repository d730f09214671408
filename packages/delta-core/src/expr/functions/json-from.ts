/**
 * `from_json`: JSON text → a value of a struct, array or map type, with Spark 3.5's semantics
 * (JacksonParser driven by FailureSafeParser, `spark.sql.json.enablePartialResults` on, its
 * default since 3.4), replayed over a streaming lexer so that even where a failure leaves the
 * token stream matches Spark:
 * - fields match by exact name; unknown fields are skipped; a repeated field keeps its last value;
 *   missing fields are null;
 * - JSON integers convert into integral fields in range (BYTE takes -128..255 and wraps, as
 *   Jackson's getByteValue), any JSON number into FLOAT / DOUBLE / DECIMAL (decimals exact,
 *   rounded half up to the scale, null beyond the precision; decimal strings with `,` grouping
 *   are accepted); `"1"` into INT or `1.5` into BIGINT fails; strings convert into DATE /
 *   TIMESTAMP as CAST does (session time zone), integers into TIMESTAMP as seconds; any
 *   non-string value read into a STRING field is its JSON text;
 * - partial results: a field that fails to convert is null while the other fields of its object
 *   keep their values, and reading goes on from the token where the failure happened (so a
 *   failure deep inside a field can end the enclosing object early, exactly as in Spark); arrays
 *   keep partially converted objects; a map with a failing value fails as a whole;
 * - PERMISSIVE (default): text that is not JSON, or a top-level value of the wrong kind (or JSON
 *   null), gives a struct of nulls for a struct schema and null for an array or map schema;
 *   blank text gives null; a `_corrupt_record` string field (columnNameOfCorruptRecord) receives
 *   the text of a malformed record;
 * - FAILFAST: a malformed record raises INVALID_ARGUMENT.
 */
import { DeltaError } from '../../errors.js';
import type { DataType, StructType } from '../../schema/types.js';
import { castValue } from '../cast.js';
import { daysFromCivil, parseTimestampParts } from '../datetime.js';
import type { DecimalValue } from '../scalar.js';
import { DATE, STRING, TIMESTAMP } from '../type-rules.js';
import { mapValue, structValue, type StructValue, type Value } from '../value.js';
import { fitsPrecision, roundHalfUp } from './arithmetic.js';
import { JsonLexer, JsonMalformed, Tok, nodeAt, writeJson, type JsonReadOptions } from './json-text.js';

export interface FromJsonOptions {
  readonly read: JsonReadOptions;
  readonly failFast: boolean;
  /** The struct field receiving malformed records' text (Spark's columnNameOfCorruptRecord). */
  readonly corruptRecordColumn: string;
  readonly timeZone: string;
}

/** A conversion failure (Spark's failedConversion and range errors). */
class ConversionFailure extends Error {}
const FAIL = new ConversionFailure('conversion failed');
/** An object in which some fields failed: the row with the fields that converted (PartialResultException). */
class PartialRow extends Error {
  constructor(readonly row: Value[]) {
    super('partial struct');
  }
}
/** An array or map holding partial rows (PartialArrayDataResultException / PartialMapDataResultException). */
class PartialValue extends Error {
  constructor(readonly value: Value) {
    super('partial value');
  }
}

const isRecoverable = (e: unknown): boolean => e instanceof ConversionFailure || e instanceof JsonMalformed || e instanceof PartialRow || e instanceof PartialValue;

type Converter = (lx: JsonLexer) => Value;

/** A compiled `from_json` for one schema: `parse(text)` gives the value (null allowed). */
export function compileFromJson(schema: DataType, options: FromJsonOptions): (text: string) => Value {
  const c = new Compiler(options);
  if (schema.kind === 'struct') return structRoot(schema, c, options);
  const root: Converter =
    schema.kind === 'array'
      ? (lx) => {
          if (lx.token === Tok.StartArray) return c.array(lx, c.converter(schema.elementType));
          if (lx.token === Tok.StartObject && schema.elementType.kind === 'struct') {
            try {
              return [c.object(lx, schema.elementType)];
            } catch (e) {
              if (e instanceof PartialRow) throw new PartialValue([structValue(e.row)]);
              throw e;
            }
          }
          return lx.token === Tok.Null ? null : fail();
        }
      : (lx) => {
          if (lx.token === Tok.StartObject) return c.map(lx, c.converter((schema as Extract<DataType, { kind: 'map' }>).valueType));
          return lx.token === Tok.Null ? null : fail();
        };
  return (text) => {
    const r = run(text, root, options);
    if (r.kind === 'ok') return r.value;
    if (r.kind === 'none') return null;
    if (options.failFast) malformed(text, options, r.cause);
    return r.partial ?? null;
  };
}

function structRoot(schema: StructType, c: Compiler, options: FromJsonOptions): (text: string) => Value {
  const corrupt = schema.fields.findIndex((f) => f.name === options.corruptRecordColumn);
  // The corrupt-record column is not read from the JSON: parse with the other fields.
  const parsed: StructType = corrupt < 0 ? schema : { ...schema, fields: schema.fields.filter((_, k) => k !== corrupt) };
  const root: Converter = (lx) => {
    if (lx.token === Tok.StartObject) return c.object(lx, parsed);
    return lx.token === Tok.Null ? null : fail();
  };
  const widen = (row: readonly Value[], record: string | null): Value => {
    if (corrupt < 0) return structValue(row);
    const out = [...row];
    out.splice(corrupt, 0, record);
    return structValue(out);
  };
  return (text) => {
    const r = run(text, root, options);
    if (r.kind === 'ok') return widen((r.value as StructValue).values, null);
    if (r.kind === 'none') return null;
    if (options.failFast) malformed(text, options, r.cause);
    const partial = r.partial as StructValue | undefined;
    return widen(partial?.values ?? new Array<Value>(parsed.fields.length).fill(null), text);
  };
}

type Outcome = { kind: 'ok'; value: Value } | { kind: 'none' } | { kind: 'bad'; partial?: Value; cause: unknown };

function run(text: string, root: Converter, options: FromJsonOptions): Outcome {
  try {
    const lx = new JsonLexer(text, options.read);
    if (lx.next() === Tok.End) return { kind: 'none' };
    const value = root(lx);
    // Spark refuses a root converter result of null (a top-level JSON null) as a bad record.
    return value === null ? { kind: 'bad', cause: 'a top-level null' } : { kind: 'ok', value };
  } catch (e) {
    if (e instanceof PartialRow) return { kind: 'bad', partial: structValue(e.row), cause: e };
    if (e instanceof PartialValue) return { kind: 'bad', partial: e.value, cause: e };
    if (isRecoverable(e)) return { kind: 'bad', cause: e };
    throw e;
  }
}

function malformed(text: string, options: FromJsonOptions, cause: unknown): never {
  if (!options.failFast) throw new DeltaError('INTERNAL', 'malformed() is only for FAILFAST mode. This is a bug in deltakit; please report it.');
  const why = cause instanceof JsonMalformed ? `: ${cause.message}` : '';
  throw new DeltaError(
    'INVALID_ARGUMENT',
    `from_json found a malformed record in FAILFAST mode${why}. Record: ${text.length > 200 ? text.slice(0, 197) + '...' : text}. Fix the data or use mode PERMISSIVE (the default), which gives nulls instead.`,
    { details: { function: 'from_json' }, ...(cause instanceof Error ? { cause } : {}) },
  );
}

const fail = (): never => {
  throw FAIL;
};

class Compiler {
  private readonly cache = new Map<DataType, Converter>();
  constructor(private readonly options: FromJsonOptions) {}

  /**
   * Spark's convertObject with partial results: a field that fails is left null (even when the
   * failure carried a partial value) and reading goes on from the token where the failure
   * happened; any failure makes the object a PartialRow.
   */
  object(lx: JsonLexer, st: StructType): Value {
    const row = new Array<Value>(st.fields.length).fill(null);
    const convs = st.fields.map((f) => this.converter(f.type));
    let bad = false;
    while (nextUntil(lx, Tok.EndObject)) {
      const name = lx.currentName();
      const idx = name === null ? -1 : st.fields.findIndex((f) => f.name === name);
      if (idx < 0) {
        lx.skipChildren();
        continue;
      }
      try {
        row[idx] = convs[idx]!(lx);
      } catch (e) {
        if (!isRecoverable(e)) throw e;
        bad = true;
        lx.skipChildren();
      }
    }
    if (bad) throw new PartialRow(row);
    return structValue(row);
  }

  /** Spark's convertArray: elements that are partial rows are kept; other failures end the array. */
  array(lx: JsonLexer, element: Converter): Value {
    const out: Value[] = [];
    let bad = false;
    while (nextUntil(lx, Tok.EndArray)) {
      try {
        out.push(element(lx));
      } catch (e) {
        if (!(e instanceof PartialRow)) throw e;
        bad = true;
        out.push(structValue(e.row));
      }
    }
    if (bad) throw new PartialValue(out);
    return out;
  }

  /**
   * Spark's convertMap: partial rows are kept as values; a value that fails otherwise is skipped
   * without its key, which Spark's map constructor then refuses (keys and values of different
   * lengths), failing the whole map.
   */
  map(lx: JsonLexer, value: Converter): Value {
    const keys: Value[] = [];
    const values: Value[] = [];
    let bad = false;
    while (nextUntil(lx, Tok.EndObject)) {
      keys.push(lx.currentName());
      try {
        values.push(value(lx));
      } catch (e) {
        if (e instanceof PartialRow) values.push(structValue(e.row));
        else if (isRecoverable(e)) lx.skipChildren();
        else throw e;
        bad = true;
      }
    }
    if (keys.length !== values.length) return fail();
    const m = mapValue(keys, values);
    if (bad) throw new PartialValue(m);
    return m;
  }

  converter(type: DataType): Converter {
    let c = this.cache.get(type);
    if (!c) {
      c = this.make(type);
      this.cache.set(type, c);
    }
    return c;
  }

  private make(type: DataType): Converter {
    switch (type.kind) {
      case 'struct':
        return token((t, lx) => (t === Tok.StartObject ? this.object(lx, type) : fail()));
      case 'array': {
        const element = this.converter(type.elementType);
        return token((t, lx) => (t === Tok.StartArray ? this.array(lx, element) : fail()));
      }
      case 'map': {
        const value = this.converter(type.valueType);
        return token((t, lx) => (t === Tok.StartObject ? this.map(lx, value) : fail()));
      }
      case 'decimal':
        return token((t, lx) => {
          if (t === Tok.Int || t === Tok.Float) return toDecimal(lx.text, type.precision, type.scale);
          if (t === Tok.String && lx.text.length > 0) return toDecimal(lx.text.replaceAll(',', ''), type.precision, type.scale);
          return fail();
        });
      case 'primitive':
        return this.primitive(type.name);
    }
  }

  private primitive(name: Extract<DataType, { kind: 'primitive' }>['name']): Converter {
    const nonNumeric = this.options.read.nonNumeric;
    const tz = this.options.timeZone;
    switch (name) {
      case 'boolean':
        return token((t) => (t === Tok.True ? true : t === Tok.False ? false : fail()));
      case 'byte':
        // Jackson's getByteValue accepts -128..255 and narrows like a Java (byte) cast.
        return token((t, lx) => (t === Tok.Int ? ((intIn(lx.text, -128, 255) << 24) >> 24) : fail()));
      case 'short':
        return token((t, lx) => (t === Tok.Int ? intIn(lx.text, -32768, 32767) : fail()));
      case 'integer':
        return token((t, lx) => (t === Tok.Int ? intIn(lx.text, -2147483648, 2147483647) : fail()));
      case 'long':
        return token((t, lx) => (t === Tok.Int ? longOf(lx.text) : fail()));
      case 'float':
      case 'double': {
        const round = name === 'float' ? Math.fround : (x: number) => x;
        return token((t, lx) => {
          if (t === Tok.Int || t === Tok.Float) return round(Number(lx.text));
          if (t === Tok.String && lx.text.length > 0 && nonNumeric) {
            const v = NON_NUMERIC.get(lx.text);
            if (v !== undefined) return v;
          }
          return fail();
        });
      }
      case 'string':
        return token((t, lx) => (t === Tok.String ? lx.text : writeJson(nodeAt(lx, t))));
      case 'binary':
        return token((t, lx) => (t === Tok.String ? decodeBase64(lx.text) : fail()));
      case 'date':
        return token((t, lx) => (t === Tok.String && lx.text.length > 0 ? parseJsonDate(lx.text) : fail()));
      case 'timestamp':
        return token((t, lx) => {
          if (t === Tok.String && lx.text.length > 0) {
            const v = castValue(lx.text, STRING, TIMESTAMP, tz) ?? castValue(lx.text.replaceAll('GMT', ''), STRING, TIMESTAMP, tz);
            return v === null ? fail() : v;
          }
          return t === Tok.Int ? BigInt.asIntN(64, longOf(lx.text) * 1_000_000n) : fail();
        });
      case 'timestamp_ntz':
        return token((t, lx) => {
          if (t !== Tok.String || lx.text.length === 0) return fail();
          const parts = parseTimestampParts(lx.text);
          return parts === undefined || parts.offsetSeconds !== undefined ? fail() : parts.wallMicros;
        });
      case 'void':
      case 'variant':
        throw new DeltaError('INTERNAL', `from_json has no converter for ${name}; the binder should have refused it. This is a bug in deltakit; please report it.`);
    }
  }
}

const NON_NUMERIC = new Map<string, number>([
  ['NaN', NaN],
  ['+INF', Infinity],
  ['+Infinity', Infinity],
  ['Infinity', Infinity],
  ['-INF', -Infinity],
  ['-Infinity', -Infinity],
]);

/** Spark's parseJsonToken: skips a field name, maps JSON null to SQL null, else applies `f`. */
function token(f: (t: Tok, lx: JsonLexer) => Value): Converter {
  return (lx) => {
    let t = lx.token;
    if (t === Tok.FieldName) t = lx.next();
    if (t === Tok.Null || t === Tok.End) return null;
    return f(t, lx);
  };
}

/** Advances; false at `stop` (or the end of the input). */
function nextUntil(lx: JsonLexer, stop: Tok): boolean {
  const t = lx.next();
  return t !== Tok.End && t !== stop;
}

function intIn(text: string, lo: number, hi: number): number {
  if (text.length > 12) return fail();
  const v = Number(text);
  return v < lo || v > hi ? fail() : v;
}

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

function longOf(text: string): bigint {
  if (text.length > 21) return fail();
  const v = BigInt(text);
  return v < LONG_MIN || v > LONG_MAX ? fail() : v;
}

const BIG_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Java `new BigDecimal(text)` set to `scale` (HALF_UP), failing beyond `precision` digits. */
export function toDecimal(text: string, precision: number, scale: number): DecimalValue {
  const m = BIG_DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return fail();
  const frac = m[3] ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp)) return fail();
  let unscaled = BigInt((m[1] === '-' ? '-' : '') + (m[2] || '0') + frac);
  const valueScale = frac.length - exp;
  const shift = scale - valueScale;
  if (unscaled === 0n) return { unscaled: 0n, scale };
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
  if (shift > 0) {
    if (digits + shift > precision) return fail();
    unscaled *= 10n ** BigInt(shift);
  } else if (shift < 0) {
    unscaled = -shift > digits + 1 ? 0n : roundHalfUp(unscaled, -shift);
  }
  return fitsPrecision(unscaled, precision) ? { unscaled, scale } : fail();
}

/** A date field: CAST's text forms, then (Spark's legacy fallback) a day number, Julian before 1582-10-15. */
function parseJsonDate(text: string): number {
  const v = castValue(text, STRING, DATE, 'UTC') ?? castValue(text.replaceAll('GMT', ''), STRING, DATE, 'UTC');
  if (v !== null) return v as number;
  if (!/^[+-]?\d{1,10}$/.test(text)) return fail();
  const days = Number(text);
  if (days < -2147483648 || days > 2147483647) return fail();
  return rebaseJulianToGregorianDays(days);
}

/** Spark's rebase of a day number of the hybrid Julian/Gregorian calendar to the proleptic Gregorian one. */
function rebaseJulianToGregorianDays(days: number): number {
  if (days >= -141427) return days; // 1582-10-15: both calendars agree from the Gregorian switch on
  const c = days + 2440588 + 32082;
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  const day = e - Math.floor((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * Math.floor(m / 10);
  const year = d - 4800 + Math.floor(m / 10);
  return daysFromCivil(year, month, day);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODE = new Int8Array(128).fill(-1);
for (let k = 0; k < 64; k++) B64_CODE[B64.charCodeAt(k)] = k;

/** Jackson's default Base64 reading: white space only between 4-character groups, padding required. */
export function decodeBase64(s: string): Uint8Array {
  const out: number[] = [];
  const code = (i: number): number => {
    const c = s.charCodeAt(i);
    return c < 128 ? B64_CODE[c]! : -1;
  };
  let i = 0;
  for (;;) {
    while (i < s.length && s.charCodeAt(i) <= 32) i++;
    if (i >= s.length) return Uint8Array.from(out);
    if (i + 1 >= s.length) return fail();
    const a = code(i);
    const b = code(i + 1);
    if (a < 0 || b < 0 || i + 3 >= s.length) return fail();
    let bits = (a << 6) | b;
    if (s[i + 2] === '=') {
      if (s[i + 3] !== '=') return fail();
      out.push(bits >> 4);
      i += 4;
      continue;
    }
    const c = code(i + 2);
    if (c < 0) return fail();
    bits = (bits << 6) | c;
    if (s[i + 3] === '=') {
      bits >>= 2;
      out.push(bits >> 8, bits & 0xff);
      i += 4;
      continue;
    }
    const d = code(i + 3);
    if (d < 0) return fail();
    bits = (bits << 6) | d;
    out.push(bits >> 16, (bits >> 8) & 0xff, bits & 0xff);
    i += 4;
  }
}
