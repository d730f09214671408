/**
 * `@deltakit/merge`: DELETE, UPDATE and MERGE on Delta tables (with deletion vectors and the
 * change data feed), and the SQL statements that run them (`DELETE FROM`, `UPDATE`, `MERGE INTO`).
 */
export { DeltaTable } from './table.js';
export { deleteFrom, type DeleteOptions, type DeleteResult } from './delete.js';
export { updateTable, type UpdateOptions, type UpdateResult } from './update.js';
export type { AppTransaction, DmlOptions } from './options.js';
export { MergeBuilder, mergeInto, type MergeOptions, type ExecuteOptions } from './merge/builder.js';
export type { MergeMetrics } from './merge/execute.js';
export { DEFAULT_MAX_SOURCE_BYTES, JOIN_BYTES_PER_SOURCE_ROW, type MergeSource } from './merge/source.js';
export type { Assignments } from './merge/clauses.js';
export type { ExprInput } from './exec/condition.js';
export * from './exec/index.js';
export type * from './sql/ast.js';
export { parseStatement } from './sql/parse.js';
export { printStatement } from './sql/print.js';
export { executeSql, type SqlOptions, type SqlResult } from './sql/execute.js';
export type { AlterOperation, MaintenanceResult } from './sql/execute-maintenance.js';
