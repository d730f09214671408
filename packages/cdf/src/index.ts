/**
 * `@deltakit/cdf`: reading the change data feed of Delta Lake tables (row-level changes between
 * versions), as Delta Spark's `readChangeFeed` and delta-kernel-rs `table_changes` do.
 */
export { tableChanges, TableChanges, type ChangeFeedPlan } from './table-changes.js';
export type { TableChangesOptions, TimestampInput } from './options.js';
export { CHANGE_TYPE, COMMIT_VERSION, COMMIT_TIMESTAMP } from './plan.js';
