/**
 * Per-column value encoders over Arrow data, for JSON lines, CSV and table output.
 *
 * An encoder is compiled once per column per batch and then called per row; it reads the typed
 * arrays directly (no `Vector.get`, no row proxies), so longs, decimals and timestamps are exact
 * and encoding runs at typed-array speed.
 *
 * Value encoding (JSON): null → `null`; booleans; integers with exact digits (64-bit via bigint);
 * floats as numbers with `NaN`/`Infinity`/`-Infinity` as strings; decimal(p,s) → string with s
 * fraction digits; string → string; binary → base64 string; date → `YYYY-MM-DD`; timestamp with
 * a zone → `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC), without a zone → the same without `Z`;
 * list → array; struct → object; map → object keyed by each key's text form.
 */
import { Buffer } from 'node:buffer';
import { floorDiv } from '@deltakit/core/internal';
import * as arrow from 'apache-arrow';
import { decimalText, unscaledDecimal } from './decimal.js';
import { toJsonText } from './json-text.js';
import { formatEpochDays, timestampFormatter, type TimeUnitIndex } from './temporal.js';

/** Encoders of one column's values, addressed by row index within its `Data`. */
export interface ValueEncoder {
  /** The JSON text of the value at `i` (`null` for a null). */
  json(i: number): string;
  /**
   * The plain text of the value at `i`, or null for a null: strings, decimals, dates, timestamps
   * and binary (base64) unquoted; numbers and booleans as in JSON; lists, structs, maps as JSON text.
   */
  text(i: number): string | null;
}

/** Compiles the encoder for one `Data` (one column of one batch, or a nested child). */
export function compileEncoder(data: arrow.Data): ValueEncoder {
  const valid = validity(data);
  const scalar = scalarText(data);
  if (scalar !== undefined) {
    const { text: raw, quoted } = scalar;
    const text = (i: number): string | null => (valid(i) ? raw(i) : null);
    const json = quoted ? (i: number): string => (valid(i) ? JSON.stringify(raw(i)) : 'null') : (i: number): string => (valid(i) ? raw(i) : 'null');
    return { json, text };
  }
  const nested = nestedJson(data);
  return { json: (i) => (valid(i) ? nested(i) : 'null'), text: (i) => (valid(i) ? nested(i) : null) };
}

/** True when the slot holds a value. Bitmaps are indexed from the Data's own offset. */
function validity(data: arrow.Data): (i: number) => boolean {
  if (data.type.typeId === arrow.Type.Null) return () => false;
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return () => true;
  const offset = data.offset;
  return (i) => {
    const bit = offset + i;
    return ((bitmap[bit >> 3] as number) & (1 << (bit & 7))) !== 0;
  };
}

interface Scalar {
  /** Text of a non-null slot. */
  text: (i: number) => string;
  /** Whether the JSON form is the text as a JSON string (as opposed to the text itself). */
  quoted: boolean;
}

const decoder = new TextDecoder();

/** UTF-8 text of `bytes[start, end)`, with a fast path for short ASCII values. */
function utf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let ascii = '';
    for (let k = start; k < end; k++) {
      const b = bytes[k] as number;
      if (b >= 0x80) return decoder.decode(bytes.subarray(start, end));
      ascii += String.fromCharCode(b);
    }
    return ascii;
  }
  return decoder.decode(bytes.subarray(start, end));
}

const base64 = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('base64');

/** The scalar text function for a non-nested type, or undefined for nested (and unknown) types. */
function scalarText(data: arrow.Data): Scalar | undefined {
  const type = data.type as arrow.DataType;
  switch (type.typeId) {
    case arrow.Type.Null:
      return { text: () => 'null', quoted: false };
    case arrow.Type.Bool: {
      const bits = data.values as Uint8Array;
      const offset = data.offset;
      return { text: (i) => (((bits[(offset + i) >> 3] as number) & (1 << ((offset + i) & 7))) !== 0 ? 'true' : 'false'), quoted: false };
    }
    case arrow.Type.Int: {
      const values = data.values as ArrayLike<number | bigint>;
      return { text: (i) => String(values[i]), quoted: false };
    }
    case arrow.Type.Float:
      return { text: floatText(data), quoted: false };
    case arrow.Type.Decimal: {
      const t = type as arrow.Decimal;
      const words = data.values as Uint32Array;
      const perValue = t.bitWidth / 32;
      return { text: (i) => decimalText(unscaledDecimal(words, i, perValue), t.scale), quoted: true };
    }
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
    case arrow.Type.Binary:
    case arrow.Type.LargeBinary: {
      const offsets = data.valueOffsets as Int32Array | BigInt64Array;
      const bytes = data.values as Uint8Array;
      const decode = type.typeId === arrow.Type.Utf8 || type.typeId === arrow.Type.LargeUtf8 ? utf8 : base64;
      if (offsets instanceof Int32Array) return { text: (i) => decode(bytes, offsets[i] as number, offsets[i + 1] as number), quoted: true };
      return { text: (i) => decode(bytes, Number(offsets[i]), Number(offsets[i + 1])), quoted: true };
    }
    case arrow.Type.FixedSizeBinary: {
      const width = (type as arrow.FixedSizeBinary).byteWidth;
      const bytes = data.values as Uint8Array;
      return { text: (i) => base64(bytes, i * width, (i + 1) * width), quoted: true };
    }
    case arrow.Type.Date: {
      if ((type as arrow.Date_).unit === arrow.DateUnit.DAY) {
        const days = data.values as Int32Array;
        return { text: (i) => formatEpochDays(days[i] as number), quoted: true };
      }
      const ms = data.values as BigInt64Array;
      return { text: (i) => formatEpochDays(Number(floorDiv(ms[i] as bigint, 86_400_000n))), quoted: true };
    }
    case arrow.Type.Timestamp: {
      const t = type as arrow.Timestamp;
      const format = timestampFormatter(t.unit as TimeUnitIndex, t.timezone !== null && t.timezone !== undefined);
      const values = data.values as BigInt64Array;
      // Read each int64 as two little-endian 32-bit halves (Arrow buffers are little-endian, as
      // is every platform Node runs on): values below 2^53 then need no BigInt at all.
      const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      return {
        text: (i) => {
          const hi = halves[2 * i + 1] as number;
          if (hi >= -0x200000 && hi < 0x200000) return format.fromNumber(hi * 4_294_967_296 + ((halves[2 * i] as number) >>> 0));
          return format.fromBigInt(values[i] as bigint);
        },
        quoted: true,
      };
    }
    case arrow.Type.Dictionary:
      return dictionaryText(data);
    case arrow.Type.List:
    case arrow.Type.LargeList:
    case arrow.Type.FixedSizeList:
    case arrow.Type.Struct:
    case arrow.Type.Map:
      return undefined;
    default:
      return genericText(data);
  }
}

/** Float text: shortest round-trip digits (float32 at its own precision); non-finite as words. */
function floatText(data: arrow.Data): (i: number) => string {
  const values = data.values as Float64Array | Float32Array | Uint16Array;
  const nonFinite = (x: number): string => (Number.isNaN(x) ? '"NaN"' : x > 0 ? '"Infinity"' : '"-Infinity"');
  if (values instanceof Float64Array) return (i) => {
    const x = values[i] as number;
    return Number.isFinite(x) ? String(x) : nonFinite(x);
  };
  const read = values instanceof Float32Array ? (i: number) => values[i] as number : (i: number) => arrow.util.uint16ToFloat64(values[i] as number);
  return (i) => {
    const x = read(i);
    return Number.isFinite(x) ? shortestFloat32(x) : nonFinite(x);
  };
}

/** The shortest decimal text that reads back as the same float32 (`0.1`, not `0.10000000149011612`). */
function shortestFloat32(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 16_777_216) return String(x);
  for (let p = 1; p < 9; p++) {
    const candidate = Number(x.toPrecision(p));
    if (Math.fround(candidate) === x) return String(candidate);
  }
  return String(x);
}

/** Dictionary-encoded values: the dictionary's own encoder, looked up through the indices. */
function dictionaryText(data: arrow.Data): Scalar | undefined {
  const dictionary = data.dictionary;
  if (!dictionary) return genericText(data);
  const chunks = dictionary.data.map((d) => compileEncoder(d));
  const starts: number[] = [];
  let start = 0;
  for (const d of dictionary.data) {
    starts.push(start);
    start += d.length;
  }
  const indices = data.values as ArrayLike<number | bigint>;
  const locate = (i: number): [ValueEncoder, number] => {
    const key = Number(indices[i]);
    let c = chunks.length - 1;
    while (c > 0 && (starts[c] as number) > key) c--;
    return [chunks[c] as ValueEncoder, key - (starts[c] as number)];
  };
  const valueType = (data.type as arrow.Dictionary).dictionary;
  const quoted = scalarQuoted(valueType);
  return {
    text: (i) => {
      const [enc, k] = locate(i);
      return enc.text(k) ?? 'null';
    },
    quoted,
  };
}

function scalarQuoted(type: arrow.DataType): boolean {
  switch (type.typeId) {
    case arrow.Type.Null:
    case arrow.Type.Bool:
    case arrow.Type.Int:
    case arrow.Type.Float:
    case arrow.Type.List:
    case arrow.Type.LargeList:
    case arrow.Type.FixedSizeList:
    case arrow.Type.Struct:
    case arrow.Type.Map:
      return false;
    default:
      return true;
  }
}

/** Types Delta does not produce (time, interval, union, views): Arrow's own value as JSON text. */
function genericText(data: arrow.Data): Scalar {
  const vector = arrow.makeVector(data);
  return {
    text: (i) => {
      const v: unknown = vector.get(i);
      return toJsonText(v !== null && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v);
    },
    quoted: false,
  };
}

/** JSON text of a non-null nested value (list, struct, map). */
function nestedJson(data: arrow.Data): (i: number) => string {
  const type = data.type as arrow.DataType;
  switch (type.typeId) {
    case arrow.Type.Struct: {
      const fields = (type as arrow.Struct).children;
      const keys = fields.map((f) => `${JSON.stringify(f.name)}:`);
      const children = data.children.map((c) => compileEncoder(c));
      return (i) => {
        let out = '{';
        for (let k = 0; k < children.length; k++) out += (k === 0 ? '' : ',') + keys[k] + (children[k] as ValueEncoder).json(i);
        return `${out}}`;
      };
    }
    case arrow.Type.List:
    case arrow.Type.LargeList: {
      const offsets = data.valueOffsets as Int32Array | BigInt64Array;
      const child = compileEncoder(data.children[0] as arrow.Data);
      return (i) => {
        const end = Number(offsets[i + 1]);
        let out = '[';
        for (let j = Number(offsets[i]), first = true; j < end; j++, first = false) out += (first ? '' : ',') + child.json(j);
        return `${out}]`;
      };
    }
    case arrow.Type.FixedSizeList: {
      const size = (type as arrow.FixedSizeList).listSize;
      const child = compileEncoder(data.children[0] as arrow.Data);
      return (i) => {
        let out = '[';
        for (let j = i * size; j < (i + 1) * size; j++) out += (j === i * size ? '' : ',') + child.json(j);
        return `${out}]`;
      };
    }
    case arrow.Type.Map: {
      const offsets = data.valueOffsets as Int32Array;
      const entries = data.children[0] as arrow.Data;
      const key = compileEncoder(entries.children[0] as arrow.Data);
      const value = compileEncoder(entries.children[1] as arrow.Data);
      return (i) => {
        const end = offsets[i + 1] as number;
        let out = '{';
        for (let j = offsets[i] as number, first = true; j < end; j++, first = false) {
          out += `${first ? '' : ','}${JSON.stringify(key.text(j) ?? 'null')}:${value.json(j)}`;
        }
        return `${out}}`;
      };
    }
    default:
      return genericText(data).text;
  }
}
