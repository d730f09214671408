/**
 * The one error type of deltakit. Every user-facing failure is a {@link DeltaError} with a code
 * from the closed set {@link DeltaErrorCode}; messages say what is wrong, why, and how to fix it.
 *
 * Expected outcomes (a lost commit race, a put-if-absent that found a file) are returned as
 * values, not thrown. Check codes with {@link isDeltaError}, which works across package copies.
 */

export type DeltaErrorCode =
  // table and version resolution
  | 'TABLE_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'TIMESTAMP_OUT_OF_RANGE'
  | 'VERSIONS_NOT_CONTIGUOUS'
  // log and checkpoint content
  | 'CORRUPT_LOG'
  | 'CORRUPT_CHECKPOINT'
  | 'MISSING_PROTOCOL'
  | 'MISSING_METADATA'
  | 'INVALID_PROTOCOL'
  // protocol gating
  | 'UNSUPPORTED_READER_VERSION'
  | 'UNSUPPORTED_READER_FEATURE'
  | 'UNSUPPORTED_WRITER_VERSION'
  | 'UNSUPPORTED_WRITER_FEATURE'
  // storage
  | 'FILE_NOT_FOUND'
  | 'STORAGE_ERROR'
  | 'NOT_A_DIRECTORY'
  // data
  | 'CORRUPT_DATA_FILE'
  | 'CORRUPT_DELETION_VECTOR'
  | 'DELETION_VECTOR_CHECKSUM_MISMATCH'
  | 'PRECISION_LOSS'
  // schema
  | 'INVALID_SCHEMA'
  | 'SCHEMA_MISMATCH'
  | 'COLUMN_NOT_FOUND'
  // change data feed
  | 'CHANGE_DATA_FEED_NOT_ENABLED'
  | 'INCOMPATIBLE_SCHEMA_CHANGE'
  // user input
  | 'INVALID_ARGUMENT'
  | 'PARSE_ERROR'
  | 'UNSUPPORTED_OPERATION'
  // expressions (binding to a schema)
  | 'UNKNOWN_FUNCTION'
  | 'WRONG_ARGUMENT_COUNT'
  | 'TYPE_MISMATCH'
  | 'AMBIGUOUS_REFERENCE'
  // writes and transactions
  | 'TABLE_ALREADY_EXISTS'
  | 'CONCURRENT_APPEND'
  | 'CONCURRENT_DELETE_READ'
  | 'CONCURRENT_DELETE_DELETE'
  | 'CONCURRENT_TRANSACTION'
  | 'METADATA_CHANGED'
  | 'PROTOCOL_CHANGED'
  | 'COMMIT_STATE_UNKNOWN'
  | 'MAX_COMMIT_RETRIES'
  | 'APPEND_ONLY_VIOLATION'
  | 'INVALID_WRITE'
  | 'CONSTRAINT_VIOLATION'
  // DML
  /** MERGE: a target row matched several source rows and would be modified (SQL's cardinality violation). */
  | 'MERGE_CARDINALITY_VIOLATION'
  /** An input exceeds a configured size limit (e.g. a MERGE source held in memory). */
  | 'LIMIT_EXCEEDED'
  // maintenance (VACUUM, RESTORE)
  /** VACUUM asked to keep less history than the table's `delta.deletedFileRetentionDuration`. */
  | 'RETENTION_TOO_SHORT'
  /** VACUUM LITE needs commits the log no longer has (cleaned up since the last VACUUM). */
  | 'VACUUM_LITE_UNAVAILABLE'
  /** RESTORE to a version older than the table's `delta.deletedFileRetentionDuration`. */
  | 'VERSION_BEYOND_RETENTION'
  /** RESTORE to a version whose data or deletion-vector files are gone (e.g. vacuumed). */
  | 'RESTORE_FILES_MISSING'
  // streaming (@deltakit/streaming)
  /** A micro-batch failed; `details.batchId` names it and `cause` holds the failure. The checkpoint stays at the last committed batch. */
  | 'STREAMING_QUERY_FAILED'
  /** Another query is running on the same checkpoint (it wrote the batch this one planned). */
  | 'CONCURRENT_QUERY'
  /** A restart changed what a checkpoint fixes (sources, sink kind), or the checkpoint does not match its sources. */
  | 'CHECKPOINT_INCOMPATIBLE'
  /** A Delta source saw rows deleted or updated in its table (Delta's ignoreDeletes/ignoreChanges/skipChangeCommits errors). */
  | 'SOURCE_CHANGED'
  /** A streaming source's schema changed; the new schema is recorded and a restart continues with it. */
  | 'SCHEMA_CHANGED'
  /** A record could not be parsed under the FAILFAST parse mode. */
  | 'MALFORMED_RECORD'
  // control flow
  | 'CANCELLED'
  | 'INTERNAL';

const BRAND = Symbol.for('deltakit.DeltaError');

export interface DeltaErrorOptions {
  cause?: unknown;
  /** Structured context (paths, versions, feature names) for programs; never parsed from the message. */
  details?: Record<string, unknown>;
}

export class DeltaError extends Error {
  readonly code: DeltaErrorCode;
  readonly details: Record<string, unknown>;
  readonly [BRAND] = true;

  constructor(code: DeltaErrorCode, message: string, options: DeltaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeltaError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `e` is a DeltaError (from any copy of this package), optionally with one of `codes`. */
export function isDeltaError(e: unknown, ...codes: DeltaErrorCode[]): e is DeltaError {
  if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[BRAND] !== true) return false;
  return codes.length === 0 || codes.includes((e as DeltaError).code);
}

/**
 * Wraps a failure from an engine call (storage, parquet) with the operation it was part of.
 * A DeltaError passes through unchanged so errors are never double-wrapped.
 */
export function wrapEngineError(operation: string, path: string, e: unknown): DeltaError {
  if (isDeltaError(e)) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return new DeltaError('STORAGE_ERROR', `${operation} failed for ${path}: ${reason}. Check that the path is reachable and readable, then retry.`, {
    cause: e,
    details: { operation, path },
  });
}

/** Throws CANCELLED when the signal is aborted. Call at natural checkpoints of long operations. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DeltaError('CANCELLED', 'The operation was cancelled by its AbortSignal; nothing further was done.', {
      cause: signal.reason,
    });
  }
}
