import { RecordBatch, Struct, Type, makeData, type Data } from 'apache-arrow';
import { DeltaError } from '../errors.js';

/**
 * Gathering selected rows of Arrow data into new, compact buffers. Works on buffers directly:
 * strings are copied as bytes with rebuilt offsets, never decoded.
 */

/** Indices (ascending) of the rows where `mask` is non-zero. */
export function selectedIndices(mask: Uint8Array): Int32Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/**
 * The rows of `batch` where `mask` is non-zero, in order, as a new RecordBatch with the same
 * schema. All rows selected returns `batch` itself; one contiguous run returns a zero-copy slice.
 */
export function filterBatch(batch: RecordBatch, mask: Uint8Array): RecordBatch {
  if (mask.length !== batch.numRows) {
    throw new DeltaError('INVALID_ARGUMENT', `Selection mask has ${mask.length} entries but the batch has ${batch.numRows} rows; evaluate the predicate on this batch.`);
  }
  const idx = selectedIndices(mask);
  if (idx.length === batch.numRows) return batch;
  if (idx.length === 0) return batch.slice(0, 0);
  if (idx[idx.length - 1]! - idx[0]! === idx.length - 1) return batch.slice(idx[0]!, idx[0]! + idx.length);
  return takeRows(batch, idx);
}

/** The rows at `indices` (any order, repeats allowed) of `batch`. */
export function takeRows(batch: RecordBatch, indices: Int32Array): RecordBatch {
  const children = batch.data.children.map((c) => gather(c, indices));
  const data = makeData({ type: new Struct(batch.schema.fields), length: indices.length, nullCount: 0, children });
  return new RecordBatch(batch.schema, data);
}

/** Validity bitmap of the gathered rows, or undefined when none is null. */
function gatherValidity(d: Data, idx: Int32Array): { nullBitmap?: Uint8Array; nullCount: number } {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return { nullCount: 0 };
  const bm = d.nullBitmap;
  const out = new Uint8Array((idx.length + 7) >> 3);
  let nulls = 0;
  for (let k = 0; k < idx.length; k++) {
    const j = d.offset + idx[k]!;
    if ((bm[j >> 3]! >> (j & 7)) & 1) out[k >> 3]! |= 1 << (k & 7);
    else nulls++;
  }
  return nulls === 0 ? { nullCount: 0 } : { nullBitmap: out, nullCount: nulls };
}

/** makeData without its per-type overloads: gather builds props generically for every type. */
const make = makeData as unknown as (props: Record<string, unknown>) => Data;

type Typed = { new (n: number): ArrayLike<unknown> & { [i: number]: unknown } };

/**
 * Copies element `idx[k]` of `src` (each `stride` array elements wide) to element `k` of `out`.
 * Elements are moved as 32-bit words when their width allows (no BigInt or double boxing, and one
 * monomorphic loop per word count); narrower elements are copied as they are.
 */
function gatherWords(src: ArrayLike<unknown> & ArrayBufferView, out: { [i: number]: unknown } & ArrayBufferView, idx: Int32Array, stride: number): void {
  const bytes = (src as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT * stride;
  if (bytes % 4 === 0 && src.byteOffset % 4 === 0 && out.byteOffset % 4 === 0) {
    const words = bytes / 4;
    const s32 = new Int32Array(src.buffer, src.byteOffset, (src.byteLength / 4) | 0);
    const o32 = new Int32Array(out.buffer, out.byteOffset, (out.byteLength / 4) | 0);
    if (words === 1) for (let k = 0; k < idx.length; k++) o32[k] = s32[idx[k]!]!;
    else if (words === 2)
      for (let k = 0; k < idx.length; k++) {
        const f = idx[k]! << 1;
        o32[k << 1] = s32[f]!;
        o32[(k << 1) + 1] = s32[f + 1]!;
      }
    else
      for (let k = 0; k < idx.length; k++) {
        const f = idx[k]! * words;
        for (let w = 0; w < words; w++) o32[k * words + w] = s32[f + w]!;
      }
    return;
  }
  const s = src as ArrayLike<unknown>;
  if (stride === 1) for (let k = 0; k < idx.length; k++) out[k] = s[idx[k]!];
  else
    for (let k = 0; k < idx.length; k++) {
      const from = idx[k]! * stride;
      for (let w = 0; w < stride; w++) out[k * stride + w] = s[from + w];
    }
}

/** Gathers one Data (recursively for nested types). */
export function gather(d: Data, idx: Int32Array): Data {
  const validity = gatherValidity(d, idx);
  const base = { type: d.type, length: idx.length, ...validity } as const;
  switch (d.typeId) {
    case Type.Null:
      return make({ type: d.type, length: idx.length });
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp:
    case Type.Time:
    case Type.Duration:
    case Type.Interval:
    case Type.Decimal:
    case Type.FixedSizeBinary:
    case Type.Dictionary: {
      const src = d.values as unknown as ArrayLike<unknown> & ArrayBufferView;
      const stride = d.stride;
      const out = new (src.constructor as Typed)(idx.length * stride) as ArrayLike<unknown> & { [i: number]: unknown } & ArrayBufferView;
      gatherWords(src, out, idx, stride);
      return make({ ...base, data: out, ...(d.typeId === Type.Dictionary ? { dictionary: d.dictionary } : {}) });
    }
    case Type.Bool: {
      const bits = d.values as Uint8Array;
      const out = new Uint8Array((idx.length + 7) >> 3);
      for (let k = 0; k < idx.length; k++) {
        const j = d.offset + idx[k]!;
        if ((bits[j >> 3]! >> (j & 7)) & 1) out[k >> 3]! |= 1 << (k & 7);
      }
      return make({ ...base, data: out });
    }
    case Type.Utf8:
    case Type.Binary:
      return gatherVarBytes(d, idx, base, false);
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return gatherVarBytes(d, idx, base, true);
    case Type.Struct:
      return make({ ...base, children: d.children.map((c) => gather(c, idx)) });
    case Type.List:
    case Type.Map: {
      const offsets = d.valueOffsets as Int32Array;
      const newOffsets = new Int32Array(idx.length + 1);
      let total = 0;
      for (let k = 0; k < idx.length; k++) {
        total += offsets[idx[k]! + 1]! - offsets[idx[k]!]!;
        newOffsets[k + 1] = total;
      }
      const childIdx = new Int32Array(total);
      let p = 0;
      for (let k = 0; k < idx.length; k++) for (let j = offsets[idx[k]!]!; j < offsets[idx[k]! + 1]!; j++) childIdx[p++] = j;
      return make({ ...base, valueOffsets: newOffsets, child: gather(d.children[0]!, childIdx) });
    }
    case Type.FixedSizeList: {
      const size = (d.type as unknown as { listSize: number }).listSize;
      const childIdx = new Int32Array(idx.length * size);
      for (let k = 0; k < idx.length; k++) for (let s = 0; s < size; s++) childIdx[k * size + s] = idx[k]! * size + s; // children are sliced with the parent
      return make({ ...base, child: gather(d.children[0]!, childIdx) });
    }
  }
  throw new DeltaError('UNSUPPORTED_OPERATION', `Filtering rows of Arrow type ${String(d.type)} is not supported. Project the column away before filtering.`);
}

function gatherVarBytes(d: Data, idx: Int32Array, base: Record<string, unknown>, large: boolean): Data {
  const offsets = d.valueOffsets as Int32Array | BigInt64Array;
  const at = (i: number): number => Number(offsets[i]!);
  let total = 0;
  for (let k = 0; k < idx.length; k++) total += at(idx[k]! + 1) - at(idx[k]!);
  if (!large && total > 0x7fffffff) {
    throw new DeltaError('UNSUPPORTED_OPERATION', `Selected strings total ${total} bytes, more than one Utf8 column can hold. Read with a smaller batch size.`);
  }
  const bytes = d.values as Uint8Array;
  const data = new Uint8Array(total);
  const newOffsets = large ? new BigInt64Array(idx.length + 1) : new Int32Array(idx.length + 1);
  let pos = 0;
  for (let k = 0; k < idx.length; k++) {
    const start = at(idx[k]!);
    const end = at(idx[k]! + 1);
    const len = end - start;
    if (len < 64) for (let j = 0; j < len; j++) data[pos + j] = bytes[start + j]!;
    else data.set(bytes.subarray(start, end), pos);
    pos += len;
    if (large) (newOffsets as BigInt64Array)[k + 1] = BigInt(pos);
    else (newOffsets as Int32Array)[k + 1] = pos;
  }
  return make({ ...base, valueOffsets: newOffsets, data });
}
