/**
 * Concatenating Arrow record batches of one schema into a single batch with compact buffers, so
 * that rows from many batches can then be gathered in any order with one `takeRows`.
 * Follows arrow-js slicing conventions: fixed-width values and offsets are sliced with their Data,
 * bit buffers (validity, booleans) are read at `offset + i`, list children are not sliced.
 */
import { RecordBatch, Struct, Type, makeData, type Data, type Schema } from 'apache-arrow';
import { DeltaError } from '../errors.js';

/** One batch holding every row of `batches` (which share `schema`), in order. */
export function concatBatches(schema: Schema, batches: readonly RecordBatch[]): RecordBatch {
  const nonEmpty = batches.filter((b) => b.numRows > 0);
  if (nonEmpty.length === 0) return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children: schema.fields.map((f) => emptyData(f.type)) }));
  if (nonEmpty.length === 1) return new RecordBatch(schema, nonEmpty[0]!.data.clone(new Struct(schema.fields)));
  const length = nonEmpty.reduce((n, b) => n + b.numRows, 0);
  const children = schema.fields.map((_, k) => concatData(nonEmpty.map((b) => b.data.children[k]!)));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

const make = makeData as unknown as (props: Record<string, unknown>) => Data;

function emptyData(type: unknown): Data {
  return make({ type, length: 0, nullCount: 0, ...childrenFor(type) });
}

function childrenFor(type: unknown): Record<string, unknown> {
  const t = type as { typeId: number; children?: { type: unknown }[] };
  if (t.typeId === Type.Struct) return { children: (t.children ?? []).map((c) => emptyData(c.type)) };
  if (t.typeId === Type.List || t.typeId === Type.Map) return { valueOffsets: new Int32Array(1), child: emptyData(t.children![0]!.type) };
  if (t.typeId === Type.Utf8 || t.typeId === Type.Binary) return { valueOffsets: new Int32Array(1), data: new Uint8Array(0) };
  if (t.typeId === Type.LargeUtf8 || t.typeId === Type.LargeBinary) return { valueOffsets: new BigInt64Array(1), data: new Uint8Array(0) };
  return {};
}

type TypedCtor = new (n: number) => ArrayLike<unknown> & { set(a: ArrayLike<unknown>, offset?: number): void };

/** The values of every chunk (same Arrow type) one after the other. */
export function concatData(chunks: readonly Data[]): Data {
  if (chunks.length === 0) throw new DeltaError('INTERNAL', 'concatData needs at least one chunk. This is a bug in deltakit; please report it.');
  const first = chunks[0]!;
  if (chunks.length === 1 && first.offset === 0) return first;
  const length = chunks.reduce((n, c) => n + c.length, 0);
  const base = { type: first.type, length, ...concatValidity(chunks, length) };
  switch (first.typeId) {
    case Type.Null:
      return make({ type: first.type, length });
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp:
    case Type.Time:
    case Type.Duration:
    case Type.Interval:
    case Type.Decimal:
    case Type.FixedSizeBinary: {
      const stride = first.stride;
      const out = new ((first.values as unknown as object).constructor as TypedCtor)(length * stride);
      let pos = 0;
      for (const c of chunks) {
        out.set((c.values as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(0, c.length * stride), pos);
        pos += c.length * stride;
      }
      return make({ ...base, data: out });
    }
    case Type.Bool: {
      const out = new Uint8Array((length + 7) >> 3);
      let pos = 0;
      for (const c of chunks) {
        copyBits(c.values as Uint8Array, c.offset, out, pos, c.length);
        pos += c.length;
      }
      return make({ ...base, data: out });
    }
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return concatVarBytes(chunks, base, first.typeId === Type.LargeUtf8 || first.typeId === Type.LargeBinary);
    case Type.Struct:
      return make({ ...base, children: first.children.map((_, k) => concatData(chunks.map((c) => c.children[k]!))) });
    case Type.List:
    case Type.Map: {
      const offsets = new Int32Array(length + 1);
      const parts: Data[] = [];
      let pos = 0;
      let total = 0;
      for (const c of chunks) {
        const o = c.valueOffsets as Int32Array;
        const start = o[0]!;
        for (let i = 1; i <= c.length; i++) offsets[pos + i] = total + o[i]! - start;
        pos += c.length;
        total += o[c.length]! - start;
        parts.push(c.children[0]!.slice(start, o[c.length]! - start));
      }
      return make({ ...base, valueOffsets: offsets, child: concatData(parts) });
    }
  }
  throw new DeltaError('UNSUPPORTED_OPERATION', `Concatenating Arrow columns of type ${String(first.type)} is not supported. Use the Arrow types Delta columns map to.`);
}

function concatValidity(chunks: readonly Data[], length: number): { nullBitmap?: Uint8Array; nullCount: number } {
  const nulls = chunks.reduce((n, c) => n + c.nullCount, 0);
  if (nulls === 0) return { nullCount: 0 };
  const out = new Uint8Array((length + 7) >> 3);
  let pos = 0;
  for (const c of chunks) {
    if (c.nullCount === 0 || !c.nullBitmap || c.nullBitmap.length === 0) setBits(out, pos, c.length);
    else copyBits(c.nullBitmap, c.offset, out, pos, c.length);
    pos += c.length;
  }
  return { nullBitmap: out, nullCount: nulls };
}

function copyBits(src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number, n: number): void {
  if ((srcOffset & 7) === 0 && (dstOffset & 7) === 0) {
    const bytes = n >> 3;
    dst.set(src.subarray(srcOffset >> 3, (srcOffset >> 3) + bytes), dstOffset >> 3);
    for (let i = bytes * 8; i < n; i++) if ((src[(srcOffset + i) >> 3]! >> ((srcOffset + i) & 7)) & 1) dst[(dstOffset + i) >> 3]! |= 1 << ((dstOffset + i) & 7);
    return;
  }
  for (let i = 0; i < n; i++) {
    const j = srcOffset + i;
    if ((src[j >> 3]! >> (j & 7)) & 1) dst[(dstOffset + i) >> 3]! |= 1 << ((dstOffset + i) & 7);
  }
}

function setBits(dst: Uint8Array, offset: number, n: number): void {
  for (let i = 0; i < n; i++) dst[(offset + i) >> 3]! |= 1 << ((offset + i) & 7);
}

function concatVarBytes(chunks: readonly Data[], base: Record<string, unknown>, large: boolean): Data {
  const length = base['length'] as number;
  const at = (o: Int32Array | BigInt64Array, i: number): number => Number(o[i]!);
  let total = 0;
  for (const c of chunks) {
    const o = c.valueOffsets as Int32Array | BigInt64Array;
    total += at(o, c.length) - at(o, 0);
  }
  if (!large && total > 0x7fffffff) {
    throw new DeltaError('LIMIT_EXCEEDED', `${total} bytes of strings or binary in one column exceed what one Arrow column holds (2 GiB). Work on fewer rows at a time.`);
  }
  const data = new Uint8Array(total);
  const offsets = large ? new BigInt64Array(length + 1) : new Int32Array(length + 1);
  let pos = 0;
  let bytes = 0;
  for (const c of chunks) {
    const o = c.valueOffsets as Int32Array | BigInt64Array;
    const start = at(o, 0);
    const end = at(o, c.length);
    data.set((c.values as Uint8Array).subarray(start, end), bytes);
    for (let i = 1; i <= c.length; i++) {
      const v = bytes + at(o, i) - start;
      if (large) (offsets as BigInt64Array)[pos + i] = BigInt(v);
      else (offsets as Int32Array)[pos + i] = v;
    }
    pos += c.length;
    bytes += end - start;
  }
  return make({ ...base, valueOffsets: offsets, data });
}
