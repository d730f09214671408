/**
 * Worker thread entry: decodes parquet bytes sent by the pool and streams record batches back
 * as transferable Data trees (see transfer.ts). Flow control: at most MAX_UNACKED batches of a job
 * are outstanding; the pool acks each batch when its consumer takes it.
 *
 * Protocol (pool → worker): decode {job, path, bytes, columns, fieldPaths, batchSize}, ack {job}, cancel {job},
 * encode {job, ipc, compression, rowGroupSize}.
 * (worker → pool): ready, batch {job, schema?, batch}, done {job}, encoded {job, bytes},
 * error {job, error}.
 */
import type { MessagePort } from 'node:worker_threads';
import { parentPort } from 'node:worker_threads';
import { isDeltaError } from '../errors.js';
import { decodeProjected } from './decode.js';
import { encodeIpc } from './encode.js';
import { batchToMessage, encodeSchema } from './transfer.js';
import type { SerializedError, ToPool, ToWorker } from './worker-protocol.js';

const MAX_UNACKED = 3;

interface JobFlow {
  unacked: number;
  cancelled: boolean;
  wake: (() => void) | undefined;
}

const jobs = new Map<number, JobFlow>();

function post(port: MessagePort, msg: ToPool, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

async function runJob(port: MessagePort, msg: Extract<ToWorker, { type: 'decode' }>): Promise<void> {
  const flow: JobFlow = { unacked: 0, cancelled: false, wake: undefined };
  jobs.set(msg.job, flow);
  try {
    let schemaSent = false;
    for await (const batch of decodeProjected(msg.bytes, msg.path, { columns: msg.columns, fieldPaths: msg.fieldPaths, batchSize: msg.batchSize })) {
      while (flow.unacked >= MAX_UNACKED && !flow.cancelled) await new Promise<void>((r) => (flow.wake = r));
      if (flow.cancelled) break;
      const transfer = new Set<ArrayBuffer>();
      const body = batchToMessage(batch, transfer);
      const schema = schemaSent ? undefined : encodeSchema(batch.schema);
      schemaSent = true;
      flow.unacked++;
      post(port, { type: 'batch', job: msg.job, schema, batch: body }, [...transfer]);
    }
    post(port, { type: 'done', job: msg.job });
  } catch (e) {
    post(port, { type: 'error', job: msg.job, error: serializeError(e, { path: msg.path }) });
  } finally {
    jobs.delete(msg.job);
  }
}

/** A failure as a message: DeltaErrors keep their code; anything else is INTERNAL with `details`. */
function serializeError(e: unknown, details: Record<string, unknown>): SerializedError {
  return isDeltaError(e)
    ? { code: e.code, message: e.message, details: e.details }
    : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), details };
}

function runEncode(port: MessagePort, msg: Extract<ToWorker, { type: 'encode' }>): void {
  try {
    const bytes = encodeIpc(msg.ipc, { compression: msg.compression, rowGroupSize: msg.rowGroupSize });
    post(port, { type: 'encoded', job: msg.job, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    post(port, { type: 'error', job: msg.job, error: serializeError(e, {}) });
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'decode') {
      void runJob(port, msg);
      return;
    }
    if (msg.type === 'encode') {
      runEncode(port, msg);
      return;
    }
    const flow = jobs.get(msg.job);
    if (!flow) return;
    if (msg.type === 'ack') flow.unacked--;
    else flow.cancelled = true;
    const wake = flow.wake;
    flow.wake = undefined;
    wake?.();
  });
  post(port, { type: 'ready' });
}
