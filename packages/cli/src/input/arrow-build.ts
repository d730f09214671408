/**
 * Converted rows → an Arrow record batch in the logical shape of a Delta schema
 * (`deltaToArrowSchema`), built straight into typed buffers. Rows hold values in the
 * representation `values.ts` produces (already checked there), one array per row in field order.
 */
import { deltaToArrowSchema, type DataType, type StructType } from '@deltakit/core';
import { Data, RecordBatch, Struct, type DataType as ArrowType, type Field, type Schema } from 'apache-arrow';

/** Builds one record batch of `rows` (each an array of field values in schema order). */
export function buildBatch(schema: StructType, rows: readonly (readonly unknown[])[], arrowSchema: Schema = deltaToArrowSchema(schema)): RecordBatch {
  const children = schema.fields.map((f, k) =>
    build(
      rows.map((r) => r[k] ?? null),
      f.type,
      arrowSchema.fields[k]!.type as ArrowType,
    ),
  );
  return new RecordBatch(arrowSchema, new Data(new Struct(arrowSchema.fields), 0, rows.length, 0, undefined, children) as Data<Struct>);
}

function build(values: readonly unknown[], type: DataType, arrow: ArrowType): Data {
  const n = values.length;
  const validity = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] === null) nulls++;
    else validity[i >> 3]! |= 1 << (i & 7);
  }
  const bitmap = nulls === 0 ? undefined : validity;
  const make = (offsets: Int32Array | undefined, data: ArrayBufferView | undefined, children?: Data[]): Data =>
    new Data(arrow, 0, n, nulls, [offsets, data, bitmap] as never, children);
  switch (type.kind) {
    case 'struct': {
      const fields = (arrow.children ?? []) as Field[];
      const children = type.fields.map((f, k) =>
        build(
          values.map((v) => (v === null ? null : ((v as unknown[])[k] ?? null))),
          f.type,
          fields[k]!.type as ArrowType,
        ),
      );
      return make(undefined, undefined, children);
    }
    case 'array': {
      const [offsets, flat] = flatten(values as readonly (readonly unknown[] | null)[]);
      return make(offsets, undefined, [build(flat, type.elementType, (arrow.children![0] as Field).type as ArrowType)]);
    }
    case 'map': {
      const [offsets, pairs] = flatten(values as readonly (readonly (readonly [unknown, unknown])[] | null)[]);
      const entriesType = (arrow.children![0] as Field).type as Struct;
      const [kf, vf] = entriesType.children as [Field, Field];
      const entries = new Data(entriesType, 0, pairs.length, 0, undefined, [
        build(
          pairs.map((p) => p[0]),
          type.keyType,
          kf.type as ArrowType,
        ),
        build(
          pairs.map((p) => p[1]),
          type.valueType,
          vf.type as ArrowType,
        ),
      ]);
      return make(offsets, undefined, [entries]);
    }
    case 'decimal': {
      const words = new Uint32Array(n * 4);
      for (let i = 0; i < n; i++) if (values[i] !== null) writeInt128(words, i, values[i] as bigint);
      return make(undefined, words);
    }
    case 'primitive':
      return primitive(values, type.name, make);
  }
}

function flatten<T>(values: readonly (readonly T[] | null)[]): [Int32Array, T[]] {
  const offsets = new Int32Array(values.length + 1);
  const flat: T[] = [];
  values.forEach((v, i) => {
    if (v !== null) for (const x of v) flat.push(x);
    offsets[i + 1] = flat.length;
  });
  return [offsets, flat];
}

type Make = (offsets: Int32Array | undefined, data: ArrayBufferView | undefined) => Data;

function primitive(values: readonly unknown[], name: Extract<DataType, { kind: 'primitive' }>['name'], make: Make): Data {
  const n = values.length;
  const fill = <A extends { [i: number]: number | bigint }>(out: A, zero: number | bigint): A => {
    for (let i = 0; i < n; i++) out[i] = (values[i] ?? zero) as number | bigint;
    return out;
  };
  switch (name) {
    case 'byte':
      return make(undefined, fill(new Int8Array(n), 0));
    case 'short':
      return make(undefined, fill(new Int16Array(n), 0));
    case 'integer':
    case 'date':
      return make(undefined, fill(new Int32Array(n), 0));
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz':
      return make(undefined, fill(new BigInt64Array(n), 0n));
    case 'float':
      return make(undefined, fill(new Float32Array(n), 0));
    case 'double':
      return make(undefined, fill(new Float64Array(n), 0));
    case 'boolean': {
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (values[i] === true) bits[i >> 3]! |= 1 << (i & 7);
      return make(undefined, bits);
    }
    case 'string':
    case 'binary': {
      const parts: Uint8Array[] = new Array<Uint8Array>(n);
      const offsets = new Int32Array(n + 1);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        parts[i] = v === null ? EMPTY : typeof v === 'string' ? encoder.encode(v) : (v as Uint8Array);
        total += parts[i]!.length;
        offsets[i + 1] = total;
      }
      const data = new Uint8Array(total);
      for (let i = 0; i < n; i++) data.set(parts[i]!, offsets[i]!);
      return make(offsets, data);
    }
    case 'void':
    case 'variant':
      throw new Error(`cannot build ${name} values`);
  }
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** Stores `v` as a little-endian two's complement 128-bit integer at slot `i`. */
function writeInt128(words: Uint32Array, i: number, v: bigint): void {
  let x = BigInt.asUintN(128, v);
  for (let w = 0; w < 4; w++) {
    words[i * 4 + w] = Number(x & 0xffffffffn);
    x >>= 32n;
  }
}
