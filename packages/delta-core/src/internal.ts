/**
 * Lower-level building blocks, for tools built on deltakit. Unstable: these may change in any
 * release. Everything here is also documented in its own module.
 */
export * from './index.js';
export { createParquetHandler, type ParquetHandlerOptions } from './parquet/parquet-wasm-handler.js';
export { loadTableState } from './log/load-table-state.js';
export type { TableState } from './log/replay.js';
export { parseActionLines } from './log/parse-actions.js';
export { serializeAction, serializeCommit } from './log/serialize-actions.js';
export { writeCheckpoint } from './log/checkpoint-writer.js';
export { writeLogCompaction } from './log/log-compaction.js';
export { readHistory, resolveVersionAtTimestamp, resolveVersionAtOrAfterTimestamp, monotonize, ictEnablement } from './log/commit-timestamps.js';
export { listLogFiles, segmentFrom, availableRange, tableNotFound, type LogListing } from './log/segment.js';
export { loadProtocolAndMetadata, readCommits } from './log/load-table-state.js';
export { logDirOf, type LogFile } from './log/log-path.js';
export { checkReadSupported } from './log/protocol-check.js';
export { conformBatch } from './schema/conform.js';
export { buildPartitionColumn, parsePartitionValue } from './schema/partition-values.js';
export { physicalName, columnId, columnMappingMode, type ColumnMappingMode } from './schema/column-mapping.js';
export { DeletedRows } from './deletion-vectors/deleted-rows.js';
export { filterBatch } from './expr/filter.js';
export { resolveLogPath } from './log/paths.js';
export { checkConflicts, type TransactionSummary, type ConflictResult } from './transaction/conflict-checker.js';
export { bindPredicate, bindExpression, bindCondition, type Relation, type BindOptions } from './expr/binder.js';
export { compileFileFilter } from './expr/skipping.js';
export { evaluatePredicate, compileExpression, compilePredicate, type CompiledExpr, type CompiledPredicate, type EvalInput } from './expr/compile.js';
export { Vec, vecToArrow } from './expr/vector.js';
export type { TypedExpr, TypedColumn } from './expr/typed.js';
export { loadDeletionVector } from './deletion-vectors/load.js';
export { StatsCollector } from './write/stats-collector.js';
export { rowsToBatch } from './write/rows-to-arrow.js';
export { civilFromDays, parseDate, parseTimestamp, parseTimestampParts, type TimestampParts } from './expr/datetime.js';
export { parseDecimal, rescaleDecimal, typeName, INT_RANGES, type DecimalValue } from './expr/scalar.js';
export { floorDiv } from './write/stats-format.js';
export { formatDataType } from './schema/json.js';
export { openInput, openInputPath } from './input/open.js';
export { formatFromPath, INPUT_FORMATS, type InputFormat, type InputSource } from './input/source.js';
export { mergeIntoTable } from './input/infer.js';
export type { ReadProgress } from './input/text-source.js';
export { ExpressionParser, guardParse, describeToken, MAX_NESTING, MAX_TREE_DEPTH } from './expr/parse.js';
export { Lexer, parseError, tokenize, type Token } from './expr/lexer.js';
export { parseDdlType, parseDdlTypeAt } from './schema/ddl.js';
// DML building blocks (used by @deltakit/merge): file writers, deletion vectors, row plumbing.
export { DataFileWriter, DEFAULT_TARGET_FILE_SIZE, type DataWriterOptions } from './write/data-writer.js';
export { ChangeDataWriter, CHANGE_TYPE_COLUMN, CHANGE_DATA_DIR, type ChangeType, type ChangeDataWriterOptions } from './write/change-data-writer.js';
export { statsOptionsFromMetadata, type StatsCollectorOptions } from './write/stats-collector.js';
export { compileWriteChecks, type WriteChecks, type WriteChecksOptions } from './write/checks.js';
export { nullViolations, nullViolationError, type NullViolation } from './write/schema-enforcement.js';
export { removeFor } from './write/table-setup.js';
export { DeletionVectorWriter, mergeWithExisting, statsWithWideBounds, uuidBytes, INLINE_DV_MAX_BYTES, DV_FILE_TARGET_SIZE, type DeletionVectorWriterOptions } from './deletion-vectors/write.js';
export { serializeRoaringArray, parseRoaringArray } from './deletion-vectors/roaring.js';
export { deletionVectorLocation, uuidDeletionVectorPath } from './deletion-vectors/load.js';
export { z85Encode, z85Decode } from './deletion-vectors/z85.js';
export { toPhysicalBatch } from './schema/conform.js';
export { serializePartitionValue } from './schema/partition-values.js';
export { parseStats, type StatsColumn, type FileStats, type ColumnStats } from './schema/stats.js';
export { deltaTypeToArrow } from './schema/arrow.js';
export { takeRows, selectedIndices } from './expr/filter.js';
export { typedColumns, typedChildren } from './expr/typed.js';
export { castVec, canCast, castValue } from './expr/cast.js';
export type { FileFilter } from './expr/skipping.js';
export type { EvalContext } from './expr/typed.js';
export { printExpr } from './expr/print.js';
// Used by @deltakit/merge's MERGE (planning, join, clause evaluation, source input).
export { typeText } from './expr/binder.js';
export { gatherVec, chooseRows } from './expr/vector.js';
export { normalizeInput, type NormalizedInput } from './write/input.js';
export { planMetadata, type MetadataPlan } from './write/table-setup.js';
// OPTIMIZE building blocks (compaction, Z-order; used by clustering): see maintenance/optimize/index.ts.
export * from './maintenance/optimize/index.js';
export { concatBatches, concatData } from './expr/concat.js';
// Liquid clustering building blocks (ALTER TABLE keeps the clustering domain valid; DESCRIBE DETAIL lists the columns).
export { CLUSTERING_DOMAIN, LIQUID_PROVIDER, clusteringColumnsOf, clusteringAfterSchemaChange, type ClusteringColumn, type ClusteringUpdate, type ColumnRename, type SchemaChange } from './maintenance/clustering/index.js';
// ALTER TABLE building blocks (column paths as Spark prints them, ADD COLUMNS DDL, DESCRIBE DETAIL features).
export { parseDdlColumnSpecs, type DdlColumnSpec, type DdlColumnPosition } from './schema/ddl.js';
export { parseColumnPath, formatColumnPath, quotedColumnPath, tableFeatures, describeDetail, locationOf, validateProperties, normalizePropertyKey, clusteringColumnPaths, ALLOWED_CHANGES } from './maintenance/alter/index.js';
export { tableRootFromUri } from './table/table-uri.js';
// Hive-style partition folders (streaming file sinks write them as Spark's FileFormatWriter does).
export { partitionDirectory, escapePartitionPathSegment, HIVE_DEFAULT_PARTITION } from './write/partition-paths.js';
// Streaming file sources (Auto Loader): text decoding, CSV records, value conversion and inference per record.
export { readTextChunks, splitLines, type TextLine } from './input/text-source.js';
export { csvRecords, type CsvRecord } from './input/csv.js';
export { convertJson, convertText, fieldIndex, isJsonObject, setField, ValueError, JSON_LINE } from './input/values.js';
export { inferJson, inferCell, mergeInferred, toDeltaType, toDeltaStruct, NULL_TYPE, type Inferred } from './input/infer.js';
export { inputError } from './input/source.js';
export { compareValues, valuesEqual, type Value } from './expr/value.js';
