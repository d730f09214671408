/**
 * The MERGE builder, in delta-spark's shape: `table.alias('t').merge(source, 't.id = s.id',
 * { sourceAlias: 's' })`, then WHEN clauses in order, then `execute()`. Builders are immutable:
 * each call returns a new builder (as lancedb's MergeInsertBuilder), so a partial builder can be
 * reused. Nothing is read or checked until `execute()`, which resolves the whole statement first
 * (Spark's analysis errors) and then runs it.
 */
import type { DeltaTable } from '@deltakit/core';
import type { AppTransaction } from '../options.js';
import type { Assignments, ExprInput, MatchedClause, MergeClauses, NotMatchedBySourceClause, NotMatchedClause } from './clauses.js';
import { NO_CLAUSES } from './clauses.js';
import { executeMerge, type MergeMetrics } from './execute.js';
import type { MergeSource } from './source.js';

export interface MergeOptions {
  /** Alias of the source in conditions and values (`s.id`). */
  readonly sourceAlias?: string;
  /** Alias of the target; by default the one given with `table.alias(...)`. */
  readonly targetAlias?: string;
  /**
   * Bound on the memory the source takes (its Arrow data plus about 64 bytes per row for the join
   * index); a larger source fails with LIMIT_EXCEEDED while it is read, before the join starts.
   * Default 1 GiB (`DEFAULT_MAX_SOURCE_BYTES`, about 10M rows of a 4-column source).
   */
  readonly maxSourceBytes?: number;
  /**
   * Use deletion vectors for rows removed from target files. Default: when the table enables them
   * (`delta.enableDeletionVectors=true`), as Spark's MERGE.
   */
  readonly deletionVectors?: boolean;
  /** Approximate bytes per new data file; default 128 MiB. */
  readonly targetFileSize?: number;
  /** commitInfo.engineInfo. */
  readonly engineInfo?: string;
  /**
   * Idempotent MERGE (Delta's `txnAppId`/`txnVersion`), e.g. a `foreachBatch` upsert given its
   * query id and batch id: skipped (`skipped: true`, zero metrics) when the table's `txn` version
   * for `appId` is already >= `version`, before the source is read; otherwise the commit records
   * `txn{appId, version}`, even when the MERGE changes no row.
   */
  readonly appTransaction?: AppTransaction;
}

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
}

interface State {
  readonly table: DeltaTable;
  readonly targetAlias: string | undefined;
  readonly source: MergeSource;
  readonly condition: ExprInput;
  readonly options: MergeOptions;
  readonly clauses: MergeClauses;
  readonly schemaEvolution: boolean;
}

/** A MERGE statement being built. Every method returns a new builder. */
export class MergeBuilder {
  readonly #state: State;

  /** @internal Use `table.merge(...)` or {@link mergeInto}. */
  constructor(state: State) {
    this.#state = state;
  }

  #with(changes: Partial<State>): MergeBuilder {
    return new MergeBuilder({ ...this.#state, ...changes });
  }

  #add(group: keyof MergeClauses, clause: MatchedClause | NotMatchedClause | NotMatchedBySourceClause): MergeBuilder {
    const clauses = this.#state.clauses;
    return this.#with({ clauses: { ...clauses, [group]: [...clauses[group], clause] } });
  }

  /** WHEN MATCHED [AND condition] THEN UPDATE SET column = value, … */
  whenMatchedUpdate(spec: { readonly condition?: ExprInput; readonly set: Assignments }): MergeBuilder {
    return this.#add('matched', { kind: 'update', set: spec.set, ...cond(spec.condition) });
  }

  /** WHEN MATCHED [AND condition] THEN UPDATE SET * (every target column from the source column of the same name). */
  whenMatchedUpdateAll(spec: { readonly condition?: ExprInput } = {}): MergeBuilder {
    return this.#add('matched', { kind: 'updateAll', ...cond(spec.condition) });
  }

  /** WHEN MATCHED [AND condition] THEN DELETE */
  whenMatchedDelete(spec: { readonly condition?: ExprInput } = {}): MergeBuilder {
    return this.#add('matched', { kind: 'delete', ...cond(spec.condition) });
  }

  /** WHEN NOT MATCHED [AND condition] THEN INSERT (columns) VALUES (values); unlisted columns are null. */
  whenNotMatchedInsert(spec: { readonly condition?: ExprInput; readonly values: Assignments }): MergeBuilder {
    return this.#add('notMatched', { kind: 'insert', values: spec.values, ...cond(spec.condition) });
  }

  /** WHEN NOT MATCHED [AND condition] THEN INSERT * */
  whenNotMatchedInsertAll(spec: { readonly condition?: ExprInput } = {}): MergeBuilder {
    return this.#add('notMatched', { kind: 'insertAll', ...cond(spec.condition) });
  }

  /** WHEN NOT MATCHED BY SOURCE [AND condition] THEN UPDATE SET … (values may read the target only). */
  whenNotMatchedBySourceUpdate(spec: { readonly condition?: ExprInput; readonly set: Assignments }): MergeBuilder {
    return this.#add('notMatchedBySource', { kind: 'update', set: spec.set, ...cond(spec.condition) });
  }

  /** WHEN NOT MATCHED BY SOURCE [AND condition] THEN DELETE */
  whenNotMatchedBySourceDelete(spec: { readonly condition?: ExprInput } = {}): MergeBuilder {
    return this.#add('notMatchedBySource', { kind: 'delete', ...cond(spec.condition) });
  }

  /** Add source columns (and struct fields) the clauses assign but the target lacks. */
  withSchemaEvolution(): MergeBuilder {
    return this.#with({ schemaEvolution: true });
  }

  /**
   * Runs the MERGE: one commit, or none when nothing changes (and there is no `appTransaction`).
   * Returns Spark's MERGE metrics.
   */
  async execute(options: ExecuteOptions = {}): Promise<MergeMetrics> {
    const s = this.#state;
    return executeMerge({
      table: s.table,
      targetAlias: s.options.targetAlias ?? s.targetAlias,
      sourceAlias: s.options.sourceAlias,
      source: s.source,
      condition: s.condition,
      clauses: s.clauses,
      schemaEvolution: s.schemaEvolution,
      options: s.options,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }
}

const cond = (c: ExprInput | undefined): { condition?: ExprInput } => (c === undefined ? {} : { condition: c });

/**
 * `MERGE INTO table USING source ON condition`: the functional form of `table.merge(...)`. The
 * target alias is the table's (`table.alias('t')`) or `options.targetAlias`.
 */
export function mergeInto(table: DeltaTable, source: MergeSource, condition: ExprInput, options: MergeOptions = {}): MergeBuilder {
  const alias = (table as unknown as { readonly aliasName?: string }).aliasName;
  return new MergeBuilder({ table, targetAlias: alias, source, condition, options, clauses: NO_CLAUSES, schemaEvolution: false });
}
