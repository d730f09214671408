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
export { civilFromDays, parseDate, parseTimestampParts, type TimestampParts } from './expr/datetime.js';
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
