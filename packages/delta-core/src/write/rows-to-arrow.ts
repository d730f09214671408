/**
 * Plain JS objects → Arrow record batches in the logical shape of a Delta schema, built directly
 * from typed buffers (no per-value Arrow builders), exact for every Delta type:
 * - byte/short/integer: integer numbers in range; long: bigint, or a safe-integer number;
 * - float/double: number; boolean: boolean; string: string; binary: Uint8Array;
 * - decimal(p,s): decimal text (`"12.30"`), bigint (an integer value), a number (taken by its
 *   shortest decimal text), or `{unscaled, scale}`; values needing more digits than p or more
 *   fraction digits than s are refused, never rounded;
 * - date: `"YYYY-MM-DD"`, a Date (its UTC day), or a day number;
 * - timestamp: a Date, ISO-8601 text (zone-less text is UTC), or bigint µs since the epoch;
 * - timestamp_ntz: `"YYYY-MM-DD HH:mm:ss[.ffffff]"`, a Date (its UTC wall clock), or bigint µs;
 * - array: JS array; map: Map, plain object (string keys) or array of [key, value]; struct:
 *   object with the field names; null/undefined: null.
 * A value of the wrong kind throws INVALID_ARGUMENT naming the column, the row and the value.
 */
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { DataType as ArrowType, Field, Schema } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import { parseDate, parseTimestamp, parseTimestampNtz } from '../expr/datetime.js';
import { INT_RANGES, isDecimalValue, parseDecimal, rescaleDecimal } from '../expr/scalar.js';
import type { DecimalValue } from '../expr/scalar.js';
import { deltaToArrowSchema } from '../schema/arrow.js';
import { writeDecimal128 } from '../schema/arrow-data.js';
import { formatDataType } from '../schema/json.js';
import type { DataType, StructType } from '../schema/types.js';

/** Rows per batch built from plain objects. */
export const ROWS_BATCH_SIZE = 65_536;

/** The rows as record batches of at most `batchSize` rows in the logical Arrow shape of `schema`. */
export function* rowsToBatches(rows: readonly unknown[], schema: StructType, batchSize = ROWS_BATCH_SIZE): Generator<RecordBatch> {
  const arrow = deltaToArrowSchema(schema);
  for (let start = 0; start < rows.length || (start === 0 && rows.length === 0); start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    yield rowsToBatch(chunk, schema, arrow, start);
    if (rows.length === 0) return;
  }
}

/** One record batch of `rows`; `rowBase` numbers rows in error messages. */
export function rowsToBatch(rows: readonly unknown[], schema: StructType, arrow: Schema = deltaToArrowSchema(schema), rowBase = 0): RecordBatch {
  rows.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new DeltaError('INVALID_ARGUMENT', `Row ${rowBase + i} is ${describe(r)}, not an object. Pass each row as an object keyed by column name.`);
    }
  });
  const children = schema.fields.map((f, k) =>
    build(
      rows.map((r) => (r as Record<string, unknown>)[f.name]),
      f.type,
      arrow.fields[k]!.type as ArrowType,
      { path: f.name, rowBase, rowIndex: (i) => rowBase + i },
    ),
  );
  return new RecordBatch(arrow, new Data(new Struct(arrow.fields), 0, rows.length, 0, undefined, children) as Data<Struct>);
}

interface Where {
  readonly path: string;
  readonly rowBase: number;
  /** Maps an index in the current value list to the row it came from (nested lists lose this). */
  readonly rowIndex: (i: number) => number | undefined;
}

function build(values: readonly unknown[], type: DataType, arrow: ArrowType, at: Where): Data {
  const n = values.length;
  const validity = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] === null || values[i] === undefined) nulls++;
    else validity[i >> 3]! |= 1 << (i & 7);
  }
  const bitmap = nulls === 0 ? undefined : validity;
  const make = (buffers: [Int32Array | undefined, ArrayBufferView | undefined], children?: Data[]): Data =>
    new Data(arrow, 0, n, nulls, [buffers[0], buffers[1], bitmap] as never, children);
  switch (type.kind) {
    case 'struct': {
      const fields = (arrow.children ?? []) as Field[];
      const children = type.fields.map((f, k) => {
        const vs = values.map((v, i) => {
          if (v === null || v === undefined) return null;
          if (typeof v !== 'object' || Array.isArray(v)) throw bad(at, i, v, type);
          return (v as Record<string, unknown>)[f.name];
        });
        return build(vs, f.type, fields[k]!.type as ArrowType, { ...at, path: `${at.path}.${f.name}` });
      });
      return make([undefined, undefined], children);
    }
    case 'array': {
      const offsets = new Int32Array(n + 1);
      const flat: unknown[] = [];
      values.forEach((v, i) => {
        if (v !== null && v !== undefined) {
          if (!Array.isArray(v)) throw bad(at, i, v, type);
          for (const x of v) flat.push(x);
        }
        offsets[i + 1] = flat.length;
      });
      const child = build(flat, type.elementType, (arrow.children![0] as Field).type as ArrowType, nestedAt(at, 'element'));
      return make([offsets, undefined], [child]);
    }
    case 'map': {
      const offsets = new Int32Array(n + 1);
      const keys: unknown[] = [];
      const vals: unknown[] = [];
      values.forEach((v, i) => {
        if (v !== null && v !== undefined) {
          for (const [k, x] of mapEntries(v, at, i, type)) {
            if (k === null || k === undefined) throw new DeltaError('INVALID_ARGUMENT', `Column ${at.path} has a null map key${rowLabel(at, i)}. Map keys cannot be null.`);
            keys.push(k);
            vals.push(x);
          }
        }
        offsets[i + 1] = keys.length;
      });
      const entriesType = (arrow.children![0] as Field).type as Struct;
      const [kf, vf] = entriesType.children as [Field, Field];
      const entries = new Data(entriesType, 0, keys.length, 0, undefined, [
        build(keys, type.keyType, kf.type as ArrowType, nestedAt(at, 'key')),
        build(vals, type.valueType, vf.type as ArrowType, nestedAt(at, 'value')),
      ]);
      return make([offsets, undefined], [entries]);
    }
    case 'decimal': {
      const words = new Uint32Array(n * 4);
      for (let i = 0; i < n; i++) if (values[i] != null) writeDecimal128(words, i, decimalValue(values[i], type.precision, type.scale, at, i));
      return make([undefined, words]);
    }
    case 'primitive':
      return make(primitiveBuffers(values, type.name, at));
  }
}

function primitiveBuffers(values: readonly unknown[], name: Extract<DataType, { kind: 'primitive' }>['name'], at: Where): [Int32Array | undefined, ArrayBufferView | undefined] {
  const n = values.length;
  const type: DataType = { kind: 'primitive', name };
  const each = (f: (v: unknown, i: number) => void): void => {
    for (let i = 0; i < n; i++) if (values[i] !== null && values[i] !== undefined) f(values[i], i);
  };
  switch (name) {
    case 'byte':
    case 'short':
    case 'integer': {
      const out = name === 'byte' ? new Int8Array(n) : name === 'short' ? new Int16Array(n) : new Int32Array(n);
      const [lo, hi] = INT_RANGES[name]!;
      each((v, i) => {
        const x = typeof v === 'bigint' ? Number(v) : v;
        if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) throw bad(at, i, v, type);
        out[i] = x;
      });
      return [undefined, out];
    }
    case 'long': {
      const out = new BigInt64Array(n);
      each((v, i) => {
        if (typeof v === 'bigint') {
          if (v < -(2n ** 63n) || v >= 2n ** 63n) throw bad(at, i, v, type);
          out[i] = v;
        } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
          out[i] = BigInt(v);
        } else if (typeof v === 'number' && Number.isInteger(v)) {
          throw new DeltaError('PRECISION_LOSS', `Column ${at.path}${rowLabel(at, i)} is the number ${v}, beyond 2^53, where JS numbers are no longer exact. Pass long values beyond 2^53 as bigint.`, {
            details: { path: at.path },
          });
        } else throw bad(at, i, v, type);
      });
      return [undefined, out];
    }
    case 'float':
    case 'double': {
      const out = name === 'float' ? new Float32Array(n) : new Float64Array(n);
      each((v, i) => {
        if (typeof v !== 'number') throw bad(at, i, v, type);
        out[i] = v;
      });
      return [undefined, out];
    }
    case 'boolean': {
      const out = new Uint8Array((n + 7) >> 3);
      each((v, i) => {
        if (typeof v !== 'boolean') throw bad(at, i, v, type);
        if (v) out[i >> 3]! |= 1 << (i & 7);
      });
      return [undefined, out];
    }
    case 'string':
    case 'binary': {
      const parts: Uint8Array[] = new Array(n);
      const offsets = new Int32Array(n + 1);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let bytes: Uint8Array | undefined;
        if (v !== null && v !== undefined) {
          if (name === 'string' && typeof v === 'string') bytes = encoder.encode(v);
          else if (name === 'binary' && v instanceof Uint8Array) bytes = v;
          else throw bad(at, i, v, type);
        }
        parts[i] = bytes ?? EMPTY;
        total += parts[i]!.length;
        offsets[i + 1] = total;
      }
      const data = new Uint8Array(total);
      for (let i = 0; i < n; i++) data.set(parts[i]!, offsets[i]!);
      return [offsets, data];
    }
    case 'date': {
      const out = new Int32Array(n);
      each((v, i) => {
        let d: number | undefined;
        if (typeof v === 'number' && Number.isInteger(v)) d = v;
        else if (typeof v === 'string') d = parseDate(v);
        else if (v instanceof Date && Number.isFinite(v.getTime())) d = Math.floor(v.getTime() / 86_400_000);
        if (d === undefined) throw bad(at, i, v, type);
        out[i] = d;
      });
      return [undefined, out];
    }
    case 'timestamp':
    case 'timestamp_ntz': {
      const out = new BigInt64Array(n);
      each((v, i) => {
        let t: bigint | undefined;
        if (typeof v === 'bigint') t = v;
        else if (v instanceof Date && Number.isFinite(v.getTime())) t = BigInt(v.getTime()) * 1000n;
        else if (typeof v === 'string') t = name === 'timestamp' ? parseTimestamp(v, 'UTC') : parseTimestampNtz(v);
        if (t === undefined) throw bad(at, i, v, type);
        out[i] = t;
      });
      return [undefined, out];
    }
    case 'void':
      each((v, i) => {
        throw bad(at, i, v, type);
      });
      return [undefined, undefined];
    case 'variant':
      throw new DeltaError('UNSUPPORTED_OPERATION', `Column ${at.path} is a variant; building variant values from JS objects is not supported. Pass variant columns as Arrow data (struct of value and metadata binaries).`);
  }
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

function decimalValue(v: unknown, precision: number, scale: number, at: Where, i: number): bigint {
  let d: DecimalValue | undefined;
  if (typeof v === 'string') d = parseDecimal(v);
  else if (typeof v === 'bigint') d = { unscaled: v, scale: 0 };
  else if (typeof v === 'number' && Number.isFinite(v)) d = parseDecimal(String(v));
  else if (isDecimalValue(v)) d = v;
  const type: DataType = { kind: 'decimal', precision, scale };
  if (d === undefined) throw bad(at, i, v, type);
  const r = rescaleDecimal(d, scale);
  if (!('exact' in r)) {
    throw new DeltaError('PRECISION_LOSS', `Column ${at.path}${rowLabel(at, i)} is ${describe(v)}, which has more than ${scale} fraction digits for ${formatDataType(type)}. Round the value first; it is never rounded silently.`, {
      details: { path: at.path },
    });
  }
  const u = r.exact.unscaled;
  if ((u < 0n ? -u : u) >= 10n ** BigInt(precision)) {
    throw new DeltaError('INVALID_ARGUMENT', `Column ${at.path}${rowLabel(at, i)} is ${describe(v)}, which needs more than ${precision} digits for ${formatDataType(type)}. Widen the column or fix the value.`, {
      details: { path: at.path },
    });
  }
  return u;
}

function mapEntries(v: unknown, at: Where, i: number, type: DataType): Iterable<readonly [unknown, unknown]> {
  if (v instanceof Map) return v.entries();
  if (Array.isArray(v)) {
    if (!v.every((e) => Array.isArray(e) && e.length === 2)) throw bad(at, i, v, type);
    return v as [unknown, unknown][];
  }
  if (typeof v === 'object' && v !== null) return Object.entries(v);
  throw bad(at, i, v, type);
}

function nestedAt(at: Where, part: string): Where {
  return { path: `${at.path}.${part}`, rowBase: at.rowBase, rowIndex: () => undefined };
}

function rowLabel(at: Where, i: number): string {
  const row = at.rowIndex(i);
  return row === undefined ? '' : ` in row ${row}`;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return `Date(${Number.isFinite(v.getTime()) ? v.toISOString() : 'invalid'})`;
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function bad(at: Where, i: number, v: unknown, type: DataType): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `Column ${at.path}${rowLabel(at, i)} is ${describe(v)}, which is not a valid ${formatDataType(type)} value. See the accepted JS representations for ${formatDataType(type)} in the write documentation.`, {
    details: { path: at.path, row: at.rowIndex(i) },
  });
}
