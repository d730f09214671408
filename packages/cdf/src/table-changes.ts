import { DeltaTable } from '@deltakit/core';
import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import { parseBounds, type Bounds, type TableChangesOptions } from './options.js';
import { planFeed, type FeedPlan } from './plan.js';
import { readChanges } from './read.js';

/** What a change-feed read covers, known before any data file is read. */
export interface ChangeFeedPlan {
  /** First version read. `startVersion > endVersion` (by one) means the feed is empty. */
  readonly startVersion: number;
  readonly endVersion: number;
  /** The commits of the range with their commit timestamps (ms since the epoch), in version order. */
  readonly commits: ReadonlyArray<{ readonly version: number; readonly timestamp: number }>;
  /** The Arrow schema of every batch. */
  readonly schema: Schema;
}

/**
 * The change data feed of a Delta table between two versions: every row inserted, deleted or
 * updated, as Arrow record batches with the end version's columns (logical names, partition
 * columns included) plus `_change_type` (string: `insert`, `delete`, `update_preimage`,
 * `update_postimage`, or whatever a writer recorded), `_commit_version` (long) and
 * `_commit_timestamp` (timestamp, UTC, µs).
 *
 * Nothing is read until it is iterated (or {@link plan}, {@link schema} or {@link toTable} is
 * called). The range is then checked as a whole before any data file is read, with typed errors:
 * CHANGE_DATA_FEED_NOT_ENABLED, INCOMPATIBLE_SCHEMA_CHANGE, VERSION_NOT_FOUND,
 * TIMESTAMP_OUT_OF_RANGE, INVALID_ARGUMENT (start after end). Rows stream file by file; only
 * {@link toTable} holds them all.
 *
 * @example
 * for await (const batch of tableChanges(DeltaTable.forPath('./events'), { startingVersion: 3 })) { ... }
 */
export class TableChanges implements AsyncIterable<RecordBatch> {
  readonly #table: DeltaTable;
  readonly #ownsTable: boolean;
  readonly #bounds: Bounds;
  readonly #options: TableChangesOptions;
  #plan: Promise<FeedPlan> | undefined;

  /** @internal Created by {@link tableChanges}. */
  constructor(table: DeltaTable | string, options: TableChangesOptions) {
    this.#bounds = parseBounds(options);
    this.#options = options;
    this.#ownsTable = typeof table === 'string';
    this.#table = typeof table === 'string' ? DeltaTable.forPath(table) : table;
  }

  /** Resolves and checks the range (once; later calls share the result). */
  async plan(): Promise<ChangeFeedPlan> {
    const p = await this.#internalPlan();
    return { startVersion: p.startVersion, endVersion: p.endVersion, commits: p.commits.map(({ version, timestamp }) => ({ version, timestamp })), schema: p.schema };
  }

  /** The Arrow schema of every batch (resolves once the range is planned). */
  get schema(): Promise<Schema> {
    return this.#internalPlan().then((p) => p.schema);
  }

  /** The change rows, batch by batch, commit by commit in version order. */
  async *batches(): AsyncGenerator<RecordBatch> {
    const plan = await this.#internalPlan();
    const { signal } = this.#options;
    yield* readChanges(plan, { engine: this.#table.engine, sessionTimeZone: this.#table.sessionTimeZone, signal });
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    return this.batches();
  }

  /** Every change row in one Arrow table (materializes the whole feed). */
  async toTable(): Promise<Table> {
    const batches: RecordBatch[] = [];
    for await (const b of this.batches()) batches.push(b);
    return batches.length === 0 ? new Table(await this.schema) : new Table(batches);
  }

  /** Releases the decode workers when this object opened the table from a path; otherwise a no-op. */
  async close(): Promise<void> {
    if (this.#ownsTable) await this.#table.close();
  }

  #internalPlan(): Promise<FeedPlan> {
    const { signal, allowOutOfRangeTimestamp } = this.#options;
    this.#plan ??= planFeed(this.#table.engine, this.#table.tableRoot, this.#bounds, { signal, allowOutOfRangeTimestamp: allowOutOfRangeTimestamp === true });
    return this.#plan;
  }
}

/**
 * The change data feed of `table` (a DeltaTable, or a path opened with the default engine) from
 * `startingVersion` / `startingTimestamp` to `endingVersion` / `endingTimestamp` (inclusive; the
 * latest version when no end is given). See {@link TableChanges}.
 */
export function tableChanges(table: DeltaTable | string, options: TableChangesOptions): TableChanges {
  return new TableChanges(table, options);
}
