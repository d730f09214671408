/**
 * Sources: what a leaf of a plan reads. A provider resolves a {@link SourceSpec} to a relation
 * (schema known before planning); a streaming relation opens a {@link StreamSource} per query run.
 *
 * The StreamSource contract is Spark's `Source`: offsets are totally ordered positions;
 * `getBatch(start, end)` returns exactly the rows in `(start, end]` and must return the same rows
 * for the same pair after a restart (the offset log replays an uncommitted batch with the offsets
 * it planned); `commit(end)` says no batch will ask for data at or before `end` again.
 */
import { DeltaError, type Engine, type Expr, type StructField, type StructType } from '@deltakit/core';
import type { RecordBatch } from 'apache-arrow';
import type { Logger } from '../util/logger.js';
import type { SourceSpec } from '../plan/logical.js';

export interface ResolveContext {
  readonly engine: Engine;
  /** IANA session time zone. */
  readonly timeZone: string;
  readonly signal?: AbortSignal;
}

/** What one micro-batch or one batch read may take from a source. */
export interface ReadLimit {
  /** True for Trigger.Once: every rate limit is ignored, as Spark's `ReadAllAvailable`. */
  readonly allAvailable: boolean;
}

export interface StreamContext {
  readonly engine: Engine;
  /** `<checkpoint>/sources/<n>`: the source's own metadata folder (store path). */
  readonly metadataPath: string;
  /** The query id (stable across restarts). */
  readonly queryId: string;
  readonly timeZone: string;
  readonly logger: Logger;
}

export interface StreamSource<O = unknown> {
  /** Spark's source description for progress reports, e.g. `DeltaSource[/tables/bronze]`. */
  readonly description: string;
  /**
   * The end offset of the next batch starting after `start` (undefined: from the beginning):
   * everything available now within the source's rate limits. Undefined when there is no data at
   * all; equal to `start` when nothing new arrived.
   */
  latestOffset(start: O | undefined, limit: ReadLimit, signal?: AbortSignal): Promise<O | undefined>;
  /** Rows in `(start, end]`, in the relation's schema (visible columns, then hidden ones). */
  getBatch(start: O | undefined, end: O, signal?: AbortSignal): AsyncIterable<RecordBatch>;
  /** Data up to `end` will never be asked for again. */
  commit(end: O): Promise<void>;
  /** Pins the end of the data for Trigger.AvailableNow (called once, before the first latestOffset). */
  prepareForTriggerAvailableNow?(signal?: AbortSignal): Promise<void>;
  /** One line of JSON, as written to `offsets/<batchId>`. */
  serialize(offset: O): string;
  deserialize(json: string): O;
  /** True when two offsets denote the same position. */
  sameOffset(a: O, b: O): boolean;
  /**
   * Optional push hint: the source calls `callback` when it learns of new data (a file-system
   * event), so an idle query plans its next batch at once instead of after its poll interval.
   * The engine still polls; a source must not rely on the callback for correctness.
   */
  onDataAvailable?(callback: () => void): void;
  stop(): Promise<void>;
}

/** A relation with its schema resolved. */
export interface ResolvedRelation {
  /** Visible columns. */
  readonly schema: StructType;
  /** Hidden columns the relation can produce when referenced (`_metadata` of file sources). */
  readonly hidden: readonly StructField[];
  /**
   * Reads everything (batch DataFrames); batches have the visible columns then the hidden ones.
   * A relation with `pushdown` also takes a {@link ReadPushdown}: then batches have exactly the
   * `columns` asked for (in schema order), and rows failing `filter` may be left out.
   */
  read?(ctx: ResolveContext, pushdown?: ReadPushdown): AsyncIterable<RecordBatch>;
  /** True when `read` honours a {@link ReadPushdown} (a Delta table: data skipping, partition pruning, column pruning). */
  readonly pushdown?: boolean;
  /** Opens the source for one run of a streaming query. */
  openStream?(ctx: StreamContext): Promise<StreamSource>;
  /** For restart checks and explain(): the kind of source, e.g. `delta`, `cloudFiles`. */
  readonly kind: string;
}

/**
 * What a batch plan asks of a relation's read: only these visible columns (names as in the
 * relation's schema, in schema order), and rows that may fail `filter` (an expression over the
 * relation's columns) can be skipped. The plan still applies the filter to the rows it gets.
 */
export interface ReadPushdown {
  readonly columns?: readonly string[];
  readonly filter?: Expr;
}

export interface SourceProvider {
  readonly formats: readonly string[];
  resolve(spec: SourceSpec, streaming: boolean, ctx: ResolveContext): Promise<ResolvedRelation>;
}

/** Case-insensitive option lookup, as Spark's CaseInsensitiveMap. */
export function option(spec: SourceSpec | Readonly<Record<string, string>>, key: string): string | undefined {
  const options = 'format' in spec && typeof spec.format === 'string' ? (spec as SourceSpec).options : (spec as Readonly<Record<string, string>>);
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(options)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The path of a spec, or a typed error naming the reader call that lacks it. */
export function requirePath(spec: SourceSpec, streaming: boolean): string {
  if (spec.path === undefined || spec.path === '') {
    throw new DeltaError('INVALID_ARGUMENT', `The '${spec.format}' source needs a path: call ${streaming ? 'readStream' : 'read'}.format('${spec.format}').load('<path>').`);
  }
  return spec.path;
}
