/**
 * `@deltakit/merge`: DELETE, UPDATE and MERGE on Delta tables, and the SQL statements that run
 * them (`DELETE FROM`, `UPDATE`, `MERGE INTO`).
 */
export type * from './sql/ast.js';
export { parseStatement } from './sql/parse.js';
export { printStatement } from './sql/print.js';
