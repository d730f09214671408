/**
 * The DML execution layer shared by DELETE, UPDATE and MERGE: reading target files with row
 * positions, accumulating a statement's changes, writing them (deletion vectors, rewrites,
 * change data) and committing with precise conflict detection.
 */
export { scanTargetFiles, selectFields, targetSchema, type TargetBatch, type TargetScanOptions } from './target-scan.js';
export {
  DmlChangeSet,
  changeDataFeedEnabled,
  deletionVectorsWritable,
  liveRows,
  numRecordsOf,
  type ChangeType,
  type DmlChangeMetrics,
  type DmlChangeSetOptions,
  type DmlChanges,
} from './change-set.js';
export { assertRemovable, commitDml, type DmlCommitOptions, type DmlCommitResult } from './commit.js';
export { planFiles, type FilePlan, type FilePlanOptions } from './file-plan.js';
export { bindDmlCondition, bindDmlValue, parseInput, type BoundCondition, type DmlBindOptions, type ExprInput } from './condition.js';
export { assignVec, canAssign, checkAssignable } from './assign.js';
export { RowSet } from './row-set.js';
