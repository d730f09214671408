import { DataType as T, type Data, type Table, type Vector } from 'apache-arrow';

/**
 * Exact, order-independent text of Arrow values for comparing tables as multisets of rows:
 * integers and timestamps via 64-bit values (timestamps as UTC microseconds whatever the unit),
 * decimals as normalized exact text, maps as sorted entries. Column order and nullability are
 * ignored; column names are compared case-insensitively.
 */
export function canonicalRows(table: Table): string[] {
  const names = table.schema.fields.map((f) => f.name.toLowerCase());
  const order = names.map((n, i) => [n, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const rows: string[] = [];
  for (const batch of table.batches) {
    const cols = order.map(([, i]) => batch.getChildAt(i)!.data[0]!);
    for (let r = 0; r < batch.numRows; r++) {
      rows.push(order.map(([n], k) => `${n}=${valueAt(cols[k]!, r)}`).join('|'));
    }
  }
  return rows.sort();
}

export function columnNames(table: Table): string[] {
  return table.schema.fields.map((f) => f.name.toLowerCase()).sort();
}

function isValid(d: Data, i: number): boolean {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return d.type.typeId !== 1; // Null type
  const j = d.offset + i;
  return ((d.nullBitmap[j >> 3]! >> (j & 7)) & 1) === 1;
}

/**
 * Value `i` (0-based within `d`) as text. arrow-js slices value and offset buffers with the
 * Data but not validity bitmaps or boolean bits, which are addressed with `d.offset + i`.
 */
export function valueAt(d: Data, i: number): string {
  if (T.isNull(d.type) || !isValid(d, i)) return 'null';
  const t = d.type;
  const j = i;
  if (T.isInt(t)) return String((d.values as ArrayLike<number | bigint>)[j]);
  if (T.isFloat(t)) {
    const v = Number((d.values as ArrayLike<number>)[j]);
    if (t.precision === 0) return 'f16?';
    return Number.isNaN(v) ? 'NaN' : t.precision === 1 ? String(Math.fround(v)) : String(v);
  }
  if (T.isBool(t)) {
    const b = d.offset + i;
    return String(((d.values[b >> 3]! >> (b & 7)) & 1) === 1);
  }
  if (T.isUtf8(t) || T.isLargeUtf8(t)) return JSON.stringify(new TextDecoder().decode(slice(d, j)));
  if (T.isBinary(t) || T.isLargeBinary(t)) return 'x' + Buffer.from(slice(d, j)).toString('hex');
  if (T.isFixedSizeBinary(t)) return 'x' + Buffer.from((d.values as Uint8Array).subarray(j * t.byteWidth, (j + 1) * t.byteWidth)).toString('hex');
  if (T.isDecimal(t)) return decimalText(d.values as Uint32Array, j, t.scale, t.bitWidth);
  if (T.isDate(t)) {
    const v = (d.values as ArrayLike<number | bigint>)[j]!;
    return t.unit === 0 ? `d${v}` : `d${Number(v) / 86_400_000}`;
  }
  if (T.isTimestamp(t)) {
    const v = BigInt((d.values as ArrayLike<number | bigint>)[j]!);
    const micros = t.unit === 0 ? v * 1_000_000n : t.unit === 1 ? v * 1000n : t.unit === 2 ? v : v / 1000n;
    return `t${micros}`;
  }
  if (T.isList(t) || T.isLargeList(t)) {
    const off = d.valueOffsets as ArrayLike<number | bigint>;
    const child = d.children[0]!;
    const out: string[] = [];
    for (let k = Number(off[j]); k < Number(off[j + 1]); k++) out.push(valueAt(child, k));
    return `[${out.join(',')}]`;
  }
  if (T.isFixedSizeList(t)) {
    const child = d.children[0]!;
    const out: string[] = [];
    for (let k = j * t.listSize; k < (j + 1) * t.listSize; k++) out.push(valueAt(child, k));
    return `[${out.join(',')}]`;
  }
  if (T.isStruct(t)) {
    const parts = t.children.map((f, k) => `${f.name.toLowerCase()}:${valueAt(d.children[k]!, j)}`);
    return `{${parts.sort().join(',')}}`;
  }
  if (T.isMap(t)) {
    const off = d.valueOffsets as Int32Array;
    const entries = d.children[0]!;
    const out: string[] = [];
    for (let k = off[j]!; k < off[j + 1]!; k++) {
      out.push(`${valueAt(entries.children[0]!, k)}->${valueAt(entries.children[1]!, k)}`);
    }
    return `{${out.sort().join(',')}}`;
  }
  if (T.isDictionary(t)) return valueAt(d.dictionary!.data[0]!, Number((d.values as ArrayLike<number>)[j]));
  return `?${String(t)}`;
}

function slice(d: Data, j: number): Uint8Array {
  const off = d.valueOffsets as ArrayLike<number | bigint>;
  return (d.values as Uint8Array).subarray(Number(off[j]), Number(off[j + 1]));
}

function decimalText(words: Uint32Array, j: number, scale: number, bitWidth: number): string {
  const n = bitWidth / 32;
  let v = 0n;
  for (let k = n - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[j * n + k]!);
  if (v >= 1n << BigInt(bitWidth - 1)) v -= 1n << BigInt(bitWidth);
  // normalize trailing zeros so decimal(10,2) 1.50 equals decimal(11,3) 1.500
  let s = scale;
  while (s > 0 && v % 10n === 0n && v !== 0n) {
    v /= 10n;
    s--;
  }
  if (v === 0n) s = 0;
  return `${v}e-${s}`;
}

export function vectorValues(v: Vector): string[] {
  const out: string[] = [];
  for (const d of v.data) for (let i = 0; i < d.length; i++) out.push(valueAt(d, i));
  return out;
}
