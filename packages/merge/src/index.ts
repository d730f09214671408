/**
 * `@deltakit/merge`: DELETE, UPDATE and MERGE on Delta tables, and the SQL statements that run
 * them (`DELETE FROM`, `UPDATE`, `MERGE INTO`).
 */
export {};
