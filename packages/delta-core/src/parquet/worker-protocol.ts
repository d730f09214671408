/** Messages between the worker pool and decode workers. */
import type { DeltaErrorCode } from '../errors.js';
import type { BatchMessage } from './transfer.js';

export type ToWorker =
  | {
      readonly type: 'decode';
      readonly job: number;
      readonly path: string;
      readonly bytes: Uint8Array;
      readonly columns: readonly string[] | undefined;
      readonly fieldPaths: readonly (readonly string[])[] | undefined;
      readonly batchSize: number | undefined;
    }
  /** Encode an Arrow IPC stream as one parquet file. */
  | {
      readonly type: 'encode';
      readonly job: number;
      readonly ipc: Uint8Array;
      readonly compression: 'snappy' | 'zstd' | 'uncompressed' | undefined;
      readonly rowGroupSize: number | undefined;
    }
  | { readonly type: 'ack'; readonly job: number }
  | { readonly type: 'cancel'; readonly job: number };

export interface SerializedError {
  readonly code: DeltaErrorCode;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export type ToPool =
  | { readonly type: 'ready' }
  /** `schema` (schema-only IPC) accompanies a job's first batch only. */
  | { readonly type: 'batch'; readonly job: number; readonly schema: Uint8Array | undefined; readonly batch: BatchMessage }
  | { readonly type: 'done'; readonly job: number }
  | { readonly type: 'encoded'; readonly job: number; readonly bytes: Uint8Array }
  | { readonly type: 'error'; readonly job: number; readonly error: SerializedError };
