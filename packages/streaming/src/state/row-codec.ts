/**
 * The state store's row encoding: a state row (key or value) is the values of a Delta
 * {@link StructType}, positional, in the evaluator's per-row form (`@deltakit/core`'s `Value`):
 * boolean; byte/short/integer/float/double and date (days) as numbers; long and
 * timestamp/timestamp_ntz (µs) as bigint; string; binary as Uint8Array; decimal as
 * `{unscaled: bigint, scale}`; arrays as arrays; structs as `{kind: 'struct', values}`; maps as
 * `{kind: 'map', keys, values}`; null for NULL.
 *
 * Encoding (deterministic, exact, and order-preserving: the unsigned byte order of two encoded
 * rows is the order of the rows, field by field, nulls first, as Spark's ascending sort):
 * - every field: one flag byte, 0x00 for NULL (nothing follows) or 0x01 then the value;
 * - boolean: 0x00/0x01; byte, short, integer, date, long, timestamp: big-endian two's complement
 *   with the sign bit flipped (1, 2, 4, 4, 8, 8 bytes);
 * - float/double: IEEE bits (4/8 bytes), -0 written as 0 and every NaN as the canonical NaN
 *   (Spark normalizes both in grouping keys), negative numbers with all bits flipped, others with
 *   the sign bit flipped;
 * - decimal(p, s): the unscaled value at the type's scale, 8 bytes when p <= 18 else 16, as a long;
 * - string (UTF-8) and binary: the bytes with 0x00 escaped as 0x00 0xFF, ended by 0x00 0x00;
 * - array: 0x01 before each element (itself flag + value), 0x00 after the last; map: 0x01 before
 *   each entry (key then value, each flag + value), 0x00 after the last; struct: its fields.
 * Because every field is self-delimiting, the encoding of the first n key columns is a byte prefix
 * of the whole key's: prefix scans (session windows, joins) are byte-prefix scans.
 */
import { DeltaError, type DataType, type StructType } from '@deltakit/core';

/** One value of a state row (see the module doc). Structurally `@deltakit/core`'s evaluator `Value`. */
export type StateValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | { readonly unscaled: bigint; readonly scale: number }
  | readonly StateValue[]
  | { readonly kind: 'struct'; readonly values: readonly StateValue[] }
  | { readonly kind: 'map'; readonly keys: readonly StateValue[]; readonly values: readonly StateValue[] };

/** A state row: the values of the key or value schema's fields, in schema order. */
export type StateRow = readonly StateValue[];

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const SIGN64 = 1n << 63n;
const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
const SIGN128 = 1n << 127n;

/** A growable byte buffer for encoding. */
export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Unsigned LEB128 (lengths in file records). */
  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }
  u32(n: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, n);
    this.pos += 4;
  }
  /** A copy of the bytes written so far. */
  take(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
  reset(): void {
    this.pos = 0;
  }
}

/** Rejects schemas the state store cannot hold (variant), naming the field. */
export function checkStateSchema(schema: StructType, what: string): void {
  const visit = (t: DataType, path: string): void => {
    if (t.kind === 'primitive' && t.name === 'variant') {
      throw new DeltaError('UNSUPPORTED_OPERATION', `The state ${what} column ${path} is a variant: variant values cannot be kept in streaming state (Spark refuses them in grouping and deduplication keys too). Cast it to a string first.`, { details: { column: path } });
    }
    if (t.kind === 'array') visit(t.elementType, `${path}.element`);
    else if (t.kind === 'map') {
      visit(t.keyType, `${path}.key`);
      visit(t.valueType, `${path}.value`);
    } else if (t.kind === 'struct') for (const f of t.fields) visit(f.type, `${path}.${f.name}`);
  };
  for (const f of schema.fields) visit(f.type, f.name);
}

/** Encodes `row` (the first `row.length` fields of `schema`; fewer for a key prefix) into `w`. */
export function encodeRowInto(w: ByteWriter, schema: StructType, row: StateRow): void {
  if (row.length > schema.fields.length) throw badValue(`a row of ${row.length} values`, `${schema.fields.length} columns`);
  for (let i = 0; i < row.length; i++) encodeNullable(w, schema.fields[i]!.type, row[i]!, schema.fields[i]!.name);
}

const shared = new ByteWriter(1024);

/** The encoding of `row` as a new array. */
export function encodeRow(schema: StructType, row: StateRow): Uint8Array {
  shared.reset();
  encodeRowInto(shared, schema, row);
  return shared.take();
}

function encodeNullable(w: ByteWriter, t: DataType, v: StateValue | undefined, path: string): void {
  if (v === null || v === undefined) {
    w.byte(0);
    return;
  }
  w.byte(1);
  encodeValue(w, t, v, path);
}

function encodeValue(w: ByteWriter, t: DataType, v: StateValue, path: string): void {
  switch (t.kind) {
    case 'primitive':
      switch (t.name) {
        case 'boolean':
          if (typeof v !== 'boolean') throw badValue(v, 'a boolean', path);
          w.byte(v ? 1 : 0);
          return;
        case 'byte':
          w.byte((intOf(v, -128, 127, path) + 0x80) & 0xff);
          return;
        case 'short':
          w.ensure(2);
          w.view.setUint16(w.pos, (intOf(v, -32768, 32767, path) + 0x8000) & 0xffff);
          w.pos += 2;
          return;
        case 'integer':
        case 'date':
          w.ensure(4);
          w.view.setUint32(w.pos, (intOf(v, -2147483648, 2147483647, path) ^ 0x80000000) >>> 0);
          w.pos += 4;
          return;
        case 'long':
        case 'timestamp':
        case 'timestamp_ntz':
          w.ensure(8);
          w.view.setBigUint64(w.pos, (longOf(v, path) + SIGN64) & MASK64);
          w.pos += 8;
          return;
        case 'float':
        case 'double': {
          if (typeof v !== 'number') throw badValue(v, 'a number', path);
          const x = Number.isNaN(v) ? NaN : v === 0 ? 0 : v;
          const wide = t.name === 'double';
          w.ensure(wide ? 8 : 4);
          if (wide) w.view.setFloat64(w.pos, x);
          else w.view.setFloat32(w.pos, x);
          const neg = (w.buf[w.pos]! & 0x80) !== 0;
          for (let i = 0; i < (wide ? 8 : 4); i++) w.buf[w.pos + i] = neg ? ~w.buf[w.pos + i]! & 0xff : i === 0 ? w.buf[w.pos]! ^ 0x80 : w.buf[w.pos + i]!;
          w.pos += wide ? 8 : 4;
          return;
        }
        case 'string': {
          if (typeof v !== 'string') throw badValue(v, 'a string', path);
          w.ensure(v.length * 3 + 2);
          const start = w.pos;
          const { written } = utf8.encodeInto(v, w.buf.subarray(start));
          const bytes = w.buf.subarray(start, start + written);
          if (bytes.includes(0)) {
            const copy = bytes.slice();
            writeEscaped(w, copy, start);
          } else {
            w.pos = start + written;
            w.buf[w.pos++] = 0;
            w.buf[w.pos++] = 0;
          }
          return;
        }
        case 'binary':
          if (!(v instanceof Uint8Array)) throw badValue(v, 'a Uint8Array', path);
          writeEscaped(w, v, w.pos);
          return;
        case 'void':
          throw badValue(v, 'NULL (the column is void)', path);
        case 'variant':
          throw new DeltaError('UNSUPPORTED_OPERATION', `The state column ${path} is a variant, which streaming state cannot hold.`);
      }
      return;
    case 'decimal': {
      const d = v as { unscaled?: unknown; scale?: unknown };
      if (typeof d !== 'object' || typeof d.unscaled !== 'bigint') throw badValue(v, `a decimal(${t.precision},${t.scale}) {unscaled, scale}`, path);
      if (d.scale !== t.scale) throw badValue(v, `a decimal at scale ${t.scale} (got scale ${String(d.scale)})`, path);
      if (t.precision <= 18) {
        w.ensure(8);
        w.view.setBigUint64(w.pos, (d.unscaled + SIGN64) & MASK64);
        w.pos += 8;
      } else {
        const u = (d.unscaled + SIGN128) & MASK128;
        w.ensure(16);
        w.view.setBigUint64(w.pos, u >> 64n);
        w.view.setBigUint64(w.pos + 8, u & MASK64);
        w.pos += 16;
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(v)) throw badValue(v, 'an array', path);
      for (const e of v as readonly StateValue[]) {
        w.byte(1);
        encodeNullable(w, t.elementType, e, `${path}[]`);
      }
      w.byte(0);
      return;
    }
    case 'struct': {
      const s = v as { kind?: string; values?: readonly StateValue[] };
      if (s.kind !== 'struct' || !Array.isArray(s.values) || s.values.length !== t.fields.length) throw badValue(v, `a struct of ${t.fields.length} values`, path);
      for (let i = 0; i < t.fields.length; i++) encodeNullable(w, t.fields[i]!.type, s.values[i]!, `${path}.${t.fields[i]!.name}`);
      return;
    }
    case 'map': {
      const m = v as { kind?: string; keys?: readonly StateValue[]; values?: readonly StateValue[] };
      if (m.kind !== 'map' || !Array.isArray(m.keys) || !Array.isArray(m.values)) throw badValue(v, 'a map {kind, keys, values}', path);
      for (let i = 0; i < m.keys.length; i++) {
        w.byte(1);
        encodeNullable(w, t.keyType, m.keys[i]!, `${path}.key`);
        encodeNullable(w, t.valueType, m.values[i]!, `${path}.value`);
      }
      w.byte(0);
      return;
    }
  }
}

function writeEscaped(w: ByteWriter, bytes: Uint8Array, at: number): void {
  w.pos = at;
  w.ensure(bytes.length * 2 + 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    w.buf[w.pos++] = b;
    if (b === 0) w.buf[w.pos++] = 0xff;
  }
  w.buf[w.pos++] = 0;
  w.buf[w.pos++] = 0;
}

function intOf(v: StateValue, lo: number, hi: number, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw badValue(v, `an integer in [${lo}, ${hi}]`, path);
  return v;
}

function longOf(v: StateValue, path: string): bigint {
  if (typeof v === 'bigint') {
    if (v < -SIGN64 || v >= SIGN64) throw badValue(v, 'a 64-bit integer', path);
    return v;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw badValue(v, 'a bigint', path);
}

function badValue(v: unknown, expected: string, path?: string): DeltaError {
  const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v) : v instanceof Uint8Array ? `${v.length} bytes` : typeof v === 'object' ? 'an object' : String(v);
  return new DeltaError('INVALID_ARGUMENT', `State row ${path === undefined ? '' : `column ${path} `}got ${shown}, expected ${expected}: the operator passed a value that does not match the state schema.`, { details: { column: path } });
}

/** Reads a row of `schema` (all fields, or the first `fields`) from `bytes` starting at `pos`. */
export class RowReader {
  private pos = 0;
  private view: DataView;
  constructor(private bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  row(schema: StructType): StateValue[] {
    const out: StateValue[] = new Array<StateValue>(schema.fields.length);
    for (let i = 0; i < schema.fields.length; i++) out[i] = this.nullable(schema.fields[i]!.type);
    if (this.pos !== this.bytes.length) throw new RangeError(`trailing ${this.bytes.length - this.pos} bytes`);
    return out;
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new RangeError('row truncated');
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  private nullable(t: DataType): StateValue {
    const flag = this.u8();
    if (flag === 0) return null;
    if (flag !== 1) throw new RangeError(`bad null flag ${flag}`);
    return this.value(t);
  }

  private value(t: DataType): StateValue {
    switch (t.kind) {
      case 'primitive': {
        const p = this.pos;
        switch (t.name) {
          case 'boolean':
            return this.u8() === 1;
          case 'byte':
            return this.u8() - 0x80;
          case 'short':
            this.need(2);
            this.pos += 2;
            return this.view.getUint16(p) - 0x8000;
          case 'integer':
          case 'date':
            this.need(4);
            this.pos += 4;
            return (this.view.getUint32(p) ^ 0x80000000) | 0;
          case 'long':
          case 'timestamp':
          case 'timestamp_ntz':
            this.need(8);
            this.pos += 8;
            return this.view.getBigUint64(p) - SIGN64;
          case 'float':
          case 'double': {
            const n = t.name === 'double' ? 8 : 4;
            this.need(n);
            const tmp = new DataView(new ArrayBuffer(8));
            const neg = (this.bytes[p]! & 0x80) === 0;
            for (let i = 0; i < n; i++) tmp.setUint8(i, neg ? ~this.bytes[p + i]! & 0xff : i === 0 ? this.bytes[p]! ^ 0x80 : this.bytes[p + i]!);
            this.pos += n;
            return n === 8 ? tmp.getFloat64(0) : tmp.getFloat32(0);
          }
          case 'string':
            return utf8Decoder.decode(this.escaped());
          case 'binary':
            return this.escaped().slice();
          default:
            throw new RangeError(`type ${t.name} cannot hold a value`);
        }
      }
      case 'decimal': {
        if (t.precision <= 18) {
          this.need(8);
          const v = this.view.getBigUint64(this.pos) - SIGN64;
          this.pos += 8;
          return { unscaled: v, scale: t.scale };
        }
        this.need(16);
        const u = (this.view.getBigUint64(this.pos) << 64n) | this.view.getBigUint64(this.pos + 8);
        this.pos += 16;
        return { unscaled: u - SIGN128, scale: t.scale };
      }
      case 'array': {
        const out: StateValue[] = [];
        while (this.u8() === 1) out.push(this.nullable(t.elementType));
        return out;
      }
      case 'struct':
        return { kind: 'struct', values: t.fields.map((f) => this.nullable(f.type)) };
      case 'map': {
        const keys: StateValue[] = [];
        const values: StateValue[] = [];
        while (this.u8() === 1) {
          keys.push(this.nullable(t.keyType));
          values.push(this.nullable(t.valueType));
        }
        return { kind: 'map', keys, values };
      }
    }
  }

  /** Unescapes a 0x00 0x00-terminated byte string (a view when it has no escapes). */
  private escaped(): Uint8Array {
    const start = this.pos;
    const b = this.bytes;
    let i = start;
    let escapes = 0;
    for (;;) {
      if (i + 1 >= b.length) throw new RangeError('unterminated string');
      if (b[i] === 0) {
        if (b[i + 1] === 0) break;
        if (b[i + 1] !== 0xff) throw new RangeError('bad string escape');
        escapes++;
        i += 2;
      } else i++;
    }
    this.pos = i + 2;
    if (escapes === 0) return b.subarray(start, i);
    const out = new Uint8Array(i - start - escapes);
    let o = 0;
    for (let j = start; j < i; j++) {
      out[o++] = b[j]!;
      if (b[j] === 0) j++;
    }
    return out;
  }
}

/** Decodes a whole row of `schema`; throws RangeError on malformed bytes (callers wrap it). */
export function decodeRow(schema: StructType, bytes: Uint8Array): StateValue[] {
  return new RowReader(bytes).row(schema);
}
