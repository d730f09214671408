/**
 * Moving Arrow record batches between threads without IPC encoding. A batch travels as its schema
 * (a schema-only IPC stream, sent once per file) plus a plain tree mirroring its `Data`: offsets,
 * lengths and the typed arrays themselves, whose ArrayBuffers go in the transfer list. The
 * receiver rebuilds `Data` with the types from the schema, so no buffer is copied or re-encoded.
 */
import { Data, RecordBatch, Schema, Struct, Table, Vector, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { DataType, Field } from 'apache-arrow';

/** A `Data` node as a structured-clone-friendly tree. */
export interface DataMessage {
  readonly offset: number;
  readonly length: number;
  readonly nullCount: number;
  readonly valueOffsets: ArrayBufferView | undefined;
  readonly values: ArrayBufferView | undefined;
  readonly nullBitmap: ArrayBufferView | undefined;
  readonly typeIds: ArrayBufferView | undefined;
  readonly children: DataMessage[];
  /** Chunks of a dictionary-encoded column's dictionary. */
  readonly dictionary: DataMessage[] | undefined;
}

/** Schema-only IPC stream bytes. */
export function encodeSchema(schema: Schema): Uint8Array {
  return tableToIPC(new Table(schema), 'stream');
}

export function decodeSchemaBytes(bytes: Uint8Array): Schema {
  return tableFromIPC(bytes).schema;
}

/**
 * A typed array to send: transferred when it owns its whole buffer, else copied first (never
 * transfer a buffer shared with other views, e.g. Node's Buffer pool).
 */
function own(view: ArrayBufferView | undefined, transfer: Set<ArrayBuffer>): ArrayBufferView | undefined {
  if (!view || view.byteLength === 0) return view;
  let v = view;
  const buf = v.buffer;
  if (!(buf instanceof ArrayBuffer) || v.byteOffset !== 0 || v.byteLength !== buf.byteLength || transfer.has(buf)) {
    v = (v as Uint8Array).slice();
  }
  transfer.add(v.buffer as ArrayBuffer);
  return v;
}

/** Describes `data` for postMessage, adding its buffers to `transfer`. */
export function dataToMessage(data: Data, transfer: Set<ArrayBuffer>): DataMessage {
  return {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    valueOffsets: own(data.valueOffsets as ArrayBufferView | undefined, transfer),
    values: own(data.values as ArrayBufferView | undefined, transfer),
    nullBitmap: own(data.nullBitmap as ArrayBufferView | undefined, transfer),
    typeIds: own(data.typeIds as ArrayBufferView | undefined, transfer),
    children: data.children.map((c) => dataToMessage(c, transfer)),
    dictionary: data.dictionary?.data.map((d) => dataToMessage(d, transfer)),
  };
}

/** Rebuilds a `Data` of `type` from its message. */
export function messageToData(type: DataType, msg: DataMessage): Data {
  const children = msg.children.map((c, i) => messageToData((type.children[i] as Field).type, c));
  let dictionary: Vector | undefined;
  if (msg.dictionary) {
    const valueType = (type as DataType & { dictionary: DataType }).dictionary;
    dictionary = new Vector(msg.dictionary.map((d) => messageToData(valueType, d)));
  }
  const buffers = [msg.valueOffsets, msg.values, msg.nullBitmap, msg.typeIds];
  return new Data(type, msg.offset, msg.length, msg.nullCount, buffers as never, children, dictionary);
}

/** One record batch as a message: the column data, relative to a schema sent separately. */
export interface BatchMessage {
  readonly numRows: number;
  readonly columns: DataMessage[];
}

export function batchToMessage(batch: RecordBatch, transfer: Set<ArrayBuffer>): BatchMessage {
  return { numRows: batch.numRows, columns: batch.data.children.map((c) => dataToMessage(c, transfer)) };
}

export function messageToBatch(schema: Schema, msg: BatchMessage): RecordBatch {
  const children = msg.columns.map((c, i) => messageToData(schema.fields[i]!.type, c));
  return new RecordBatch(schema, new Data(new Struct(schema.fields), 0, msg.numRows, 0, undefined, children));
}
