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
export { readHistory, resolveVersionAtTimestamp } from './log/commit-timestamps.js';
export { resolveLogPath } from './log/paths.js';
export { checkConflicts, type TransactionSummary, type ConflictResult } from './transaction/conflict-checker.js';
export { bindPredicate } from './expr/bind.js';
export { compileFileFilter } from './expr/skipping.js';
export { evaluatePredicate } from './expr/evaluate.js';
export { loadDeletionVector } from './deletion-vectors/load.js';
export { StatsCollector } from './write/stats-collector.js';
export { rowsToBatch } from './write/rows-to-arrow.js';
export { civilFromDays, parseDate, parseTimestampParts, type TimestampParts } from './expr/datetime.js';
export { parseDecimal, rescaleDecimal, typeName, INT_RANGES, type DecimalValue } from './expr/scalar.js';
export { floorDiv } from './write/stats-format.js';
export { formatDataType } from './schema/json.js';
export { ExpressionParser, guardParse, describeToken, MAX_NESTING, MAX_TREE_DEPTH } from './expr/parse.js';
export { Lexer, parseError, tokenize, type Token } from './expr/lexer.js';
export { parseDdlType, parseDdlTypeAt } from './schema/ddl.js';
