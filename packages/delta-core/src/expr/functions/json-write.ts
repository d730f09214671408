/**
 * `to_json` (Spark's JacksonGenerator with default options) and `schema_of_json` (Spark's
 * JsonInferSchema with default options).
 *
 * to_json output: compact; struct fields in schema order, null fields left out
 * (`ignoreNullFields`, Spark's default) while nulls in arrays and map values are written; numbers
 * as Java prints them (doubles `1.0E10`, NaN and infinities as quoted strings); decimals as Java's
 * `BigDecimal.toString` (`0E-10` for zero at scale 10, as Spark writes them); timestamps
 * `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in the session time zone; timestamp_ntz
 * `yyyy-MM-dd'T'HH:mm:ss.SSS`; dates `yyyy-MM-dd`; binary as base64; map keys as the text of
 * Spark's internal value (dates as day numbers, timestamps as microseconds).
 */
import type { DataType } from '../../schema/types.js';
import { MICROS_PER_DAY, MICROS_PER_SECOND, civilFromDays, zoneOffsetSeconds } from '../datetime.js';
import type { DecimalValue } from '../scalar.js';
import { tightestCommonType } from '../type-rules.js';
import type { MapValue, StructValue, Value } from '../value.js';
import { javaFloatingString } from '../../schema/partition-values.js';
import { JsonLexer, Tok, jsonDouble, quoteJson, type JsonReadOptions } from './json-text.js';

export interface ToJsonOptions {
  readonly ignoreNullFields: boolean;
  readonly timeZone: string;
}

/** Compact JSON text of a non-null value of `type` (a struct, array or map). */
export function toJson(v: Value, type: DataType, options: ToJsonOptions): string {
  switch (type.kind) {
    case 'struct': {
      const s = v as StructValue;
      let out = '{';
      let first = true;
      for (let k = 0; k < type.fields.length; k++) {
        const x = s.values[k] ?? null;
        if (x === null && options.ignoreNullFields) continue;
        out += (first ? '' : ',') + quoteJson(type.fields[k]!.name) + ':' + (x === null ? 'null' : toJson(x, type.fields[k]!.type, options));
        first = false;
      }
      return out + '}';
    }
    case 'array': {
      const a = v as readonly Value[];
      let out = '[';
      for (let k = 0; k < a.length; k++) out += (k ? ',' : '') + (a[k] === null ? 'null' : toJson(a[k]!, type.elementType, options));
      return out + ']';
    }
    case 'map': {
      const m = v as MapValue;
      let out = '{';
      for (let k = 0; k < m.keys.length; k++) {
        const x = m.values[k]!;
        out += (k ? ',' : '') + quoteJson(mapKeyText(m.keys[k]!, type.keyType)) + ':' + (x === null ? 'null' : toJson(x, type.valueType, options));
      }
      return out + '}';
    }
    case 'decimal':
      return bigDecimalString(v as DecimalValue);
    case 'primitive':
      switch (type.name) {
        case 'boolean':
          return v ? 'true' : 'false';
        case 'byte':
        case 'short':
        case 'integer':
        case 'long':
          return String(v);
        case 'float':
        case 'double':
          return jsonDouble(v as number, type.name === 'float');
        case 'string':
          return quoteJson(v as string);
        case 'binary':
          return '"' + encodeBase64(v as Uint8Array) + '"';
        case 'date':
          return '"' + formatDay(v as number) + '"';
        case 'timestamp':
          return '"' + formatTimestamp(v as bigint, options.timeZone) + '"';
        case 'timestamp_ntz':
          return '"' + formatTimestamp(v as bigint, undefined) + '"';
        default:
          return 'null';
      }
  }
}

/** Whether to_json can write values of `type` (everything but void, variant, and complex map keys). */
export function toJsonUnsupported(type: DataType): string | undefined {
  switch (type.kind) {
    case 'struct':
      for (const f of type.fields) {
        const why = toJsonUnsupported(f.type);
        if (why) return why;
      }
      return undefined;
    case 'array':
      return toJsonUnsupported(type.elementType);
    case 'map':
      if (type.keyType.kind !== 'primitive' && type.keyType.kind !== 'decimal') return 'map keys of nested types';
      if (type.keyType.kind === 'primitive' && type.keyType.name === 'binary') return 'binary map keys';
      return toJsonUnsupported(type.keyType) ?? toJsonUnsupported(type.valueType);
    case 'decimal':
      return undefined;
    case 'primitive':
      return type.name === 'variant' ? 'variant values' : undefined;
  }
}

/** `key.toString` of Spark's internal value of a map key. */
function mapKeyText(k: Value, type: DataType): string {
  if (type.kind === 'decimal') return bigDecimalString(k as DecimalValue);
  if (type.kind === 'primitive' && (type.name === 'float' || type.name === 'double')) return javaFloatingString(k as number, type.name === 'float');
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  return String(k);
}

/** Java's `BigDecimal.toString`: plain unless the scale is negative or the adjusted exponent is below -6. */
export function bigDecimalString(d: DecimalValue): string {
  const neg = d.unscaled < 0n;
  const digits = (neg ? -d.unscaled : d.unscaled).toString();
  const sign = neg ? '-' : '';
  const adjusted = -d.scale + (digits.length - 1);
  if (d.scale >= 0 && adjusted >= -6) {
    if (d.scale === 0) return sign + digits;
    const padded = digits.padStart(d.scale + 1, '0');
    return `${sign}${padded.slice(0, -d.scale)}.${padded.slice(-d.scale)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding and no line breaks (Jackson's default variant). */
function encodeBase64(b: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + '=';
  }
  return out;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Java's `yyyy` (year of era, at least 4 digits, `+` beyond 9999) of a proleptic Gregorian year. */
function yearText(year: number): string {
  const yoe = year >= 1 ? year : 1 - year;
  return yoe > 9999 ? '+' + yoe : pad(yoe, 4);
}

function formatDay(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${yearText(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};

/** `yyyy-MM-dd'T'HH:mm:ss.SSS` plus `XXX` (`Z` or `±HH:MM`) in `timeZone`, or without an offset (ntz). */
function formatTimestamp(micros: bigint, timeZone: string | undefined): string {
  const offset = timeZone === undefined ? 0 : zoneOffsetSeconds(Number(floorDiv(micros, MICROS_PER_SECOND)), timeZone);
  const wall = micros + BigInt(offset) * MICROS_PER_SECOND;
  const days = floorDiv(wall, MICROS_PER_DAY);
  const rest = Number(wall - days * MICROS_PER_DAY);
  const secs = Math.floor(rest / 1e6);
  const millis = Math.floor((rest % 1e6) / 1000);
  const text = `${formatDay(Number(days))}T${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor((secs % 3600) / 60), 2)}:${pad(secs % 60, 2)}.${pad(millis, 3)}`;
  if (timeZone === undefined) return text;
  if (offset === 0) return text + 'Z';
  const a = Math.abs(offset);
  return `${text}${offset < 0 ? '-' : '+'}${pad(Math.floor(a / 3600) % 100, 2)}:${pad(Math.floor(a / 60) % 60, 2)}`;
}

// ---- schema_of_json ---------------------------------------------------------------------------

const NULL_TYPE: DataType = { kind: 'primitive', name: 'void' };
const LONG: DataType = { kind: 'primitive', name: 'long' };
const DOUBLE: DataType = { kind: 'primitive', name: 'double' };
const STRING: DataType = { kind: 'primitive', name: 'string' };
const BOOLEAN: DataType = { kind: 'primitive', name: 'boolean' };

/**
 * The schema Spark infers for one JSON document, as Spark 3.5's `schema_of_json` prints it
 * (`STRUCT<a: BIGINT, b: ARRAY<STRING>>`): integers BIGINT (DECIMAL(n,0) beyond 64 bits), other
 * numbers DOUBLE, object fields sorted by name, array elements merged to a common type (STRING
 * when they disagree), nulls and empty arrays' elements STRING, empty objects dropped.
 * Throws JsonMalformed for text that is not JSON.
 */
export function schemaOfJson(text: string, read: JsonReadOptions): string {
  const lx = new JsonLexer(text, read);
  lx.next();
  const t = infer(lx);
  if (t.kind === 'struct') return typeSql(canonical(t) ?? { kind: 'struct', fields: [] });
  if (t.kind === 'array' && t.elementType.kind === 'struct') {
    return typeSql({ ...t, elementType: canonical(t.elementType) ?? { kind: 'struct', fields: [] } });
  }
  return typeSql(canonical(t) ?? STRING);
}

function infer(lx: JsonLexer): DataType {
  switch (lx.token) {
    case Tok.Null:
    case Tok.End:
      return NULL_TYPE;
    case Tok.String:
      return lx.text.length === 0 ? NULL_TYPE : STRING;
    case Tok.Int: {
      const v = BigInt(lx.text);
      if (v >= -(1n << 63n) && v < 1n << 63n) return LONG;
      const digits = (v < 0n ? -v : v).toString().length;
      return digits <= 38 ? { kind: 'decimal', precision: digits, scale: 0 } : DOUBLE;
    }
    case Tok.Float:
      return DOUBLE;
    case Tok.True:
    case Tok.False:
      return BOOLEAN;
    case Tok.StartObject: {
      const fields = [];
      while (lx.next() !== Tok.EndObject) {
        const name = lx.text;
        lx.next();
        fields.push({ name, type: infer(lx), nullable: true, metadata: {} });
      }
      fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { kind: 'struct', fields };
    }
    case Tok.StartArray: {
      let element: DataType = NULL_TYPE;
      while (lx.next() !== Tok.EndArray) element = compatible(element, infer(lx));
      return { kind: 'array', elementType: element, containsNull: true };
    }
    default:
      return STRING;
  }
}

/** JsonInferSchema.compatibleType. */
function compatible(a: DataType, b: DataType): DataType {
  if (a === NULL_TYPE) return b;
  if (b === NULL_TYPE) return a;
  const tight = tightestCommonType(a, b);
  if (tight !== undefined && tight.kind !== 'struct' && tight.kind !== 'array') return tight;
  const isDouble = (t: DataType): boolean => t.kind === 'primitive' && t.name === 'double';
  if ((isDouble(a) && b.kind === 'decimal') || (a.kind === 'decimal' && isDouble(b))) return DOUBLE;
  const asDec = (t: DataType) => (t.kind === 'decimal' ? t : t.kind === 'primitive' && t.name === 'long' ? { precision: 20, scale: 0 } : undefined);
  const da = asDec(a);
  const db = asDec(b);
  if (da && db) {
    const scale = Math.max(da.scale, db.scale);
    const range = Math.max(da.precision - da.scale, db.precision - db.scale);
    return range + scale > 38 ? DOUBLE : { kind: 'decimal', precision: range + scale, scale };
  }
  if (a.kind === 'struct' && b.kind === 'struct') {
    const byName = new Map<string, DataType>();
    for (const f of [...a.fields, ...b.fields]) {
      const prev = byName.get(f.name);
      byName.set(f.name, prev === undefined ? f.type : compatible(prev, f.type));
    }
    const names = [...byName.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return { kind: 'struct', fields: names.map((name) => ({ name, type: byName.get(name)!, nullable: true, metadata: {} })) };
  }
  if (a.kind === 'array' && b.kind === 'array') return { kind: 'array', elementType: compatible(a.elementType, b.elementType), containsNull: true };
  return STRING;
}

/** JsonInferSchema.canonicalizeType: nulls become STRING, empty structs disappear. */
function canonical(t: DataType): DataType | undefined {
  if (t.kind === 'array') {
    const e = canonical(t.elementType);
    return e && { ...t, elementType: e };
  }
  if (t.kind === 'struct') {
    const fields = t.fields.filter((f) => f.name !== '').flatMap((f) => {
      const c = canonical(f.type);
      return c ? [{ ...f, type: c }] : [];
    });
    return fields.length ? { kind: 'struct', fields } : undefined;
  }
  if (t.kind === 'primitive' && t.name === 'void') return STRING;
  return t;
}

const SQL_NAMES: Record<string, string> = { long: 'BIGINT', double: 'DOUBLE', string: 'STRING', boolean: 'BOOLEAN' };

function quoteName(name: string): string {
  return /^[a-zA-Z0-9_]+$/.test(name) && !/^\d+$/.test(name) ? name : '`' + name.replaceAll('`', '``') + '`';
}

/** Spark's `DataType.sql`. */
function typeSql(t: DataType): string {
  switch (t.kind) {
    case 'struct':
      return `STRUCT<${t.fields.map((f) => `${quoteName(f.name)}: ${typeSql(f.type)}`).join(', ')}>`;
    case 'array':
      return `ARRAY<${typeSql(t.elementType)}>`;
    case 'map':
      return `MAP<${typeSql(t.keyType)}, ${typeSql(t.valueType)}>`;
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'primitive':
      return SQL_NAMES[t.name] ?? t.name.toUpperCase();
  }
}
