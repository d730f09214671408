/**
 * Arrow JS table → parquet bytes with parquet-wasm. Arrow field metadata `PARQUET:field_id`
 * (top level and nested) becomes the parquet field id; the Arrow schema is embedded as
 * `ARROW:schema` so types like LargeUtf8 read back unchanged.
 */
import { tableToIPC } from 'apache-arrow';
import type { Table } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { DeltaError } from '../errors.js';
import type { ParquetWriteOptions } from './handler.js';

/** Maximum rows per row group when none is given (parquet-wasm's own default). */
export const DEFAULT_ROW_GROUP_SIZE = 1 << 20;

const CODECS = {
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  uncompressed: pw.Compression.UNCOMPRESSED,
} as const;

/**
 * Encodes `table` as one parquet file (snappy unless told otherwise, chunk and page statistics,
 * page index). Keep a call's Arrow data well under ~1 GB: wasm32 memory caps at 4 GiB.
 */
export function encodeTable(table: Table, options: ParquetWriteOptions = {}): Uint8Array {
  return encodeIpc(tableToIPC(table, 'stream'), options, table.numRows);
}

/** Encodes an Arrow IPC stream (what {@link encodeTable} and encode workers receive). */
export function encodeIpc(ipc: Uint8Array, options: ParquetWriteOptions = {}, numRows?: number): Uint8Array {
  const compression = options.compression ?? 'snappy';
  const codec = CODECS[compression];
  if (codec === undefined) {
    throw new DeltaError('INVALID_ARGUMENT', `Unknown parquet compression "${String(compression)}". Use "snappy", "zstd" or "uncompressed".`);
  }
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) {
    throw new DeltaError('INVALID_ARGUMENT', `rowGroupSize must be a positive integer, got ${rowGroupSize}. Pass the maximum number of rows per row group.`);
  }
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(codec)
    .setMaxRowGroupSize(rowGroupSize)
    .setStatisticsEnabled(pw.EnabledStatistics.Page)
    .setCreatedBy('deltakit (parquet-wasm 0.8.0)')
    .build();
  try {
    const wasmTable = pw.Table.fromIPCStream(ipc);
    return pw.writeParquet(wasmTable, props);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new DeltaError('INVALID_WRITE', `Encoding ${numRows ?? 'the'} rows as parquet failed: ${reason}. Check the column types are ones parquet supports.`, { cause: e });
  }
}
