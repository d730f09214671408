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
// Used by @deltakit/merge's MERGE (planning, join, clause evaluation, source input).
export { castVec } from './expr/cast.js';
export { typeText } from './expr/binder.js';
export { typedColumns } from './expr/typed.js';
export { printExpr } from './expr/print.js';
export { gatherVec, chooseRows } from './expr/vector.js';
export { takeRows, filterBatch } from './expr/filter.js';
export { conformBatch } from './schema/conform.js';
export { normalizeInput, type NormalizedInput } from './write/input.js';
export { planMetadata, type MetadataPlan } from './write/table-setup.js';
