/**
 * `readStream.format('socket').option('host', h).option('port', p)`: Spark's text socket source,
 * for demos and tests. It connects to a TCP server when the query starts and makes one row per
 * line received (`\n` or `\r\n` ends a line): `value STRING`, plus `timestamp TIMESTAMP` (the
 * time the line arrived, from `engine.clock`) with `includeTimestamp` set to `true`.
 *
 * NOT FOR PRODUCTION, as Spark warns: lines are kept only in this process's memory until the
 * batch that read them is committed. It does not support recovery: lines received by a run that
 * stopped or crashed before committing their batch are lost, and a restarted query replaying an
 * uncommitted batch gets only the lines the new connection still has (none), so the sink may see
 * fewer rows than that batch planned. Offsets are line numbers (Spark's `LongOffset`): the first
 * line of a run is numbered right after the checkpoint's last offset, so a restarted query
 * continues with new lines. When the server closes the connection, the source keeps the lines
 * it has and receives no more.
 */
import { Socket } from 'node:net';
import { DeltaError, parseDdlSchema, type StructType } from '@deltakit/core';
import { rowsToBatch } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import { option, type ResolvedRelation, type SourceProvider, type StreamContext, type StreamSource } from './source.js';

const VALUE_SCHEMA: StructType = parseDdlSchema('value STRING');
const TIMESTAMP_SCHEMA: StructType = parseDdlSchema('value STRING, timestamp TIMESTAMP');

interface Line {
  readonly value: string;
  readonly timestamp: string;
}

export class TextSocketSource implements StreamSource<number> {
  readonly description: string;
  readonly #lines: Line[] = [];
  /** Offset of `#lines[0]`; set by the first offset the engine gives or asks for. */
  #base: number | undefined;
  #pending = '';
  #closed = false;

  private constructor(
    private readonly ctx: StreamContext,
    private readonly socket: Socket,
    private readonly schema: StructType,
    host: string,
    port: number,
  ) {
    this.description = `TextSocketV2[host: ${host}, port: ${port}]`;
  }

  /** Connects to `host:port`; fails with INVALID_ARGUMENT naming them when nothing listens there. */
  static async open(ctx: StreamContext, host: string, port: number, includeTimestamp: boolean): Promise<TextSocketSource> {
    ctx.logger.warn({ host, port }, 'The socket source should not be used for production applications! It does not support recovery.');
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (e) =>
        reject(new DeltaError('INVALID_ARGUMENT', `Could not connect to the socket source at ${host}:${port}: ${e.message}. Start the server first (for example 'nc -lk ${port}') or fix the host and port options.`, { cause: e, details: { host, port } })),
      );
      socket.connect(port, host, () => resolve());
    });
    const source = new TextSocketSource(ctx, socket, includeTimestamp ? TIMESTAMP_SCHEMA : VALUE_SCHEMA, host, port);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => source.#receive(chunk));
    socket.on('error', (e) => ctx.logger.warn({ host, port, err: e }, 'Socket source connection failed; no more lines will arrive'));
    socket.on('close', () => {
      source.#closed = true;
      ctx.logger.info({ host, port }, 'Stream closed by the socket server');
    });
    return source;
  }

  #receive(chunk: string): void {
    const text = this.#pending + chunk;
    const parts = text.split('\n');
    this.#pending = parts.pop()!;
    const timestamp = new Date(this.ctx.engine.clock.nowMs()).toISOString();
    for (const p of parts) this.#lines.push({ value: p.endsWith('\r') ? p.slice(0, -1) : p, timestamp });
  }

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  async latestOffset(start: number | undefined): Promise<number | undefined> {
    this.#base ??= (start ?? -1) + 1;
    if (this.#lines.length === 0) return start;
    return this.#base + this.#lines.length - 1;
  }

  async *getBatch(start: number | undefined, end: number): AsyncIterable<RecordBatch> {
    this.#base ??= end + 1; // a replay right after a restart: those lines are gone
    const from = Math.max(0, (start ?? -1) + 1 - this.#base);
    const to = Math.max(0, end + 1 - this.#base);
    const wanted = end - (start ?? -1);
    const lines = this.#lines.slice(from, to);
    if (lines.length < wanted) {
      this.ctx.logger.warn({ start, end, available: lines.length }, 'The socket source lost lines of this batch (received by an earlier run); it does not support recovery');
    }
    if (lines.length === 0) return;
    yield rowsToBatch(lines, this.schema);
  }

  async commit(end: number): Promise<void> {
    if (this.#base === undefined) return;
    const drop = Math.min(this.#lines.length, Math.max(0, end + 1 - this.#base));
    this.#lines.splice(0, drop);
    this.#base += drop;
  }

  serialize(o: number): string {
    return String(o);
  }
  deserialize(json: string): number {
    const n = Number(json);
    if (!Number.isSafeInteger(n)) throw new DeltaError('CORRUPT_CHECKPOINT', `A socket source offset must be an integer line number, found ${json}.`);
    return n;
  }
  sameOffset(a: number, b: number): boolean {
    return a === b;
  }
  async stop(): Promise<void> {
    this.socket.destroy();
  }
}

export const socketProvider: SourceProvider = {
  formats: ['socket'],
  async resolve(spec, streaming): Promise<ResolvedRelation> {
    if (spec.schema !== undefined) throw new DeltaError('INVALID_ARGUMENT', "The socket source does not support a user-specified schema: its columns are value STRING (and timestamp TIMESTAMP with includeTimestamp). Remove .schema(...).");
    const host = option(spec, 'host');
    const portText = option(spec, 'port');
    if (host === undefined || host === '') throw new DeltaError('INVALID_ARGUMENT', "The socket source needs a host: readStream.format('socket').option('host', 'localhost').option('port', 9999).");
    if (portText === undefined || !/^\d+$/.test(portText) || Number(portText) > 65535) throw new DeltaError('INVALID_ARGUMENT', `The socket source needs a port between 0 and 65535, got '${portText ?? ''}': .option('port', 9999).`);
    const tsText = (option(spec, 'includeTimestamp') ?? 'false').toLowerCase();
    if (tsText !== 'true' && tsText !== 'false') throw new DeltaError('INVALID_ARGUMENT', `includeTimestamp must be true or false, got '${tsText}'.`);
    const includeTimestamp = tsText === 'true';
    if (!streaming) throw new DeltaError('UNSUPPORTED_OPERATION', "The socket source can only be read as a stream: use readStream.format('socket').");
    return {
      kind: 'socket',
      schema: includeTimestamp ? TIMESTAMP_SCHEMA : VALUE_SCHEMA,
      hidden: [],
      openStream: (ctx) => TextSocketSource.open(ctx, host, Number(portText), includeTimestamp),
    };
  },
};
