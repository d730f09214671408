/**
 * Runs statements written in Spark SQL against path tables: DML (`DELETE FROM`, `UPDATE`,
 * `MERGE INTO`) here, table maintenance (OPTIMIZE, VACUUM, RESTORE, ALTER TABLE, DESCRIBE) in
 * `execute-maintenance.ts`. Conditions and values are handed to the statement APIs as the text the user wrote (the
 * slice of the statement), so binding errors point into it with a caret.
 */
import { resolve } from 'node:path';
import { createDefaultEngine, DeltaError, type Engine, type ObjectStore } from '@deltakit/core';
import { openInputPath, type InputFormat } from '@deltakit/core/internal';
import type { DeleteResult } from '../delete.js';
import { mergeInto } from '../merge/builder.js';
import type { MergeMetrics } from '../merge/execute.js';
import type { MergeSource } from '../merge/source.js';
import { checkAppTransaction, type AppTransaction } from '../options.js';
import { DeltaTable } from '../table.js';
import type { UpdateResult } from '../update.js';
import { runMaintenance, type MaintenanceResult } from './execute-maintenance.js';
import type { Assignment, ColumnName, DeleteStatement, MergeStatement, Statement, TableRef, UpdateStatement } from './ast.js';
import { parseStatement } from './parse.js';

export interface SqlOptions {
  /** The engine to run with (store, parquet, clock); the local file system by default. */
  readonly engine?: Engine;
  /** The object store holding the tables, when no engine is given. */
  readonly store?: ObjectStore;
  /** IANA session time zone (Spark's `spark.sql.session.timeZone`). Default UTC. */
  readonly timeZone?: string;
  /** MERGE: bound on the memory the source takes (see `MergeOptions.maxSourceBytes`). */
  readonly maxSourceBytes?: number;
  readonly engineInfo?: string;
  readonly signal?: AbortSignal;
  /**
   * DELETE, UPDATE and MERGE: the statement's application transaction (Delta's
   * `txnAppId`/`txnVersion`, set in Spark SQL through `spark.databricks.delta.write.txnAppId` and
   * `.txnVersion`): skipped, with `skipped: true`, when the table already records `version` or
   * later for `appId`; else the commit records it. Other statements do not take one:
   * INVALID_ARGUMENT.
   */
  readonly appTransaction?: AppTransaction;
}

/** The outcome of one statement: its kind and the metrics recorded in commitInfo. */
export type SqlResult =
  | ({ readonly operation: 'DELETE' } & DeleteResult)
  | ({ readonly operation: 'UPDATE' } & UpdateResult)
  | ({ readonly operation: 'MERGE' } & MergeMetrics)
  | MaintenanceResult;

/**
 * Parses and runs one statement. Tables are path tables (``delta.`/path` ``); a MERGE source may
 * also be ``parquet.`path` ``, ``json.`path` `` (JSON lines) or ``csv.`path` `` (with a header
 * row), a file or a folder of files. Maintenance statements return the same result as the
 * `DeltaTable` method they run (`DESCRIBE HISTORY` as `{ history }`).
 *
 * @example
 * await executeSql("DELETE FROM delta.`/data/events` WHERE day < DATE '2024-01-01'");
 */
export async function executeSql(text: string, options: SqlOptions = {}): Promise<SqlResult> {
  const timeZone = options.timeZone ?? 'UTC';
  const statement = parseStatement(text, { timeZone });
  checkAppTransaction(options.appTransaction);
  if (options.appTransaction !== undefined && !['delete', 'update', 'merge'].includes(statement.kind)) {
    throw new DeltaError('INVALID_ARGUMENT', `appTransaction applies to DELETE, UPDATE and MERGE statements only; this statement (${statement.kind}) was not run. Drop appTransaction for it.`, {
      details: { statement: statement.kind },
    });
  }
  const engine = options.engine ?? createDefaultEngine(options.store ? { store: options.store } : {});
  const run = new Runner(text, engine, timeZone, options);
  try {
    return await run.statement(statement);
  } finally {
    if (options.engine === undefined) await engine.parquet.close();
  }
}

class Runner {
  constructor(
    private readonly text: string,
    private readonly engine: Engine,
    private readonly timeZone: string,
    private readonly options: SqlOptions,
  ) {}

  statement(s: Statement): Promise<SqlResult> {
    switch (s.kind) {
      case 'delete':
        return this.delete(s);
      case 'update':
        return this.update(s);
      case 'merge':
        return this.merge(s);
      case 'select':
        throw new DeltaError('UNSUPPORTED_OPERATION', "executeSql runs statements that change or describe tables; a SELECT query returns rows: run it with @deltakit/streaming's sql(text) (a DataFrame) or `deltakit sql`.", { details: { statement: 'select' } });
      default:
        return runMaintenance(s, {
          table: (ref) => this.table(ref, undefined),
          source: (node) => this.source(node),
          timeZone: this.timeZone,
          ...this.commonOptions(),
        });
    }
  }

  /** The statement text of a node (what the user wrote), for the statement APIs to parse. */
  private source(node: { readonly span?: readonly [number, number] }): string {
    const span = node.span!;
    return this.text.slice(span[0], span[1]);
  }

  private table(ref: TableRef, alias: string | undefined): DeltaTable {
    const t = DeltaTable.forPath(localPath(ref.path), { engine: this.engine, sessionTimeZone: this.timeZone });
    return alias === undefined ? t : t.alias(alias);
  }

  private commonOptions(): { signal?: AbortSignal; engineInfo?: string } {
    return {
      ...(this.options.signal === undefined ? {} : { signal: this.options.signal }),
      ...(this.options.engineInfo === undefined ? {} : { engineInfo: this.options.engineInfo }),
    };
  }

  private dmlOptions(): { signal?: AbortSignal; engineInfo?: string; appTransaction?: AppTransaction } {
    return {
      ...this.commonOptions(),
      ...(this.options.appTransaction === undefined ? {} : { appTransaction: this.options.appTransaction }),
    };
  }

  private async delete(s: DeleteStatement): Promise<SqlResult> {
    const table = this.table(s.table, s.alias);
    const result = await table.delete(s.where === undefined ? undefined : this.source(s.where), this.dmlOptions());
    return { operation: 'DELETE', ...result };
  }

  private async update(s: UpdateStatement): Promise<SqlResult> {
    const table = this.table(s.table, s.alias);
    const result = await table.update(
      { set: this.assignments(s.set, s.alias), ...(s.where === undefined ? {} : { condition: this.source(s.where) }) },
      this.dmlOptions(),
    );
    return { operation: 'UPDATE', ...result };
  }

  /** `SET` assignments keyed by target column path (`a.b`), the target alias removed. */
  private assignments(set: readonly Assignment[], alias: string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of set) out[targetColumn(a.column, alias)] = this.source(a.value);
    return out;
  }

  private async merge(s: MergeStatement): Promise<SqlResult> {
    const target = this.table(s.target, s.targetAlias);
    const { source, close } = await this.mergeSource(s.source);
    try {
      return await this.runMerge(s, target, source);
    } finally {
      await close();
    }
  }

  private async runMerge(s: MergeStatement, target: DeltaTable, source: MergeSource): Promise<SqlResult> {
    let builder = mergeInto(target, source, this.source(s.on), {
      ...(s.sourceAlias === undefined ? {} : { sourceAlias: s.sourceAlias }),
      ...(this.options.maxSourceBytes === undefined ? {} : { maxSourceBytes: this.options.maxSourceBytes }),
      ...(this.options.engineInfo === undefined ? {} : { engineInfo: this.options.engineInfo }),
      ...(this.options.appTransaction === undefined ? {} : { appTransaction: this.options.appTransaction }),
    });
    const cond = (c: { condition?: { span?: readonly [number, number] } }) => (c.condition === undefined ? {} : { condition: this.source(c.condition) });
    for (const c of s.matched) {
      const a = c.action;
      if (a.kind === 'update') builder = builder.whenMatchedUpdate({ ...cond(c), set: this.assignments(a.set, s.targetAlias) });
      else if (a.kind === 'updateAll') builder = builder.whenMatchedUpdateAll(cond(c));
      else builder = builder.whenMatchedDelete(cond(c));
    }
    for (const c of s.notMatched) {
      const a = c.action;
      if (a.kind === 'insertAll') builder = builder.whenNotMatchedInsertAll(cond(c));
      else {
        const values: Record<string, string> = {};
        a.columns.forEach((column, i) => (values[targetColumn(column, s.targetAlias)] = this.source(a.values[i]!)));
        builder = builder.whenNotMatchedInsert({ ...cond(c), values });
      }
    }
    for (const c of s.notMatchedBySource) {
      const a = c.action;
      if (a.kind === 'update') builder = builder.whenNotMatchedBySourceUpdate({ ...cond(c), set: this.assignments(a.set, s.targetAlias) });
      else builder = builder.whenNotMatchedBySourceDelete(cond(c));
    }
    if (s.schemaEvolution) builder = builder.withSchemaEvolution();
    const result = await builder.execute(this.options.signal === undefined ? {} : { signal: this.options.signal });
    return { operation: 'MERGE', ...result };
  }

  /**
   * The rows of a MERGE source: a Delta table's latest snapshot, or files read as the format says;
   * `close` releases the files once the MERGE is done (also when it skipped reading them).
   */
  private async mergeSource(ref: TableRef): Promise<{ source: MergeSource; close: () => Promise<void> }> {
    const path = localPath(ref.path);
    const signal = this.options.signal;
    if (ref.format === 'delta') {
      const table = DeltaTable.forPath(path, { engine: this.engine, sessionTimeZone: this.timeZone });
      const snapshot = await table.snapshot(signal === undefined ? {} : { signal });
      return { source: snapshot.scan(signal === undefined ? {} : { signal }).batches(), close: async () => undefined };
    }
    const format: InputFormat = ref.format === 'json' ? 'jsonl' : ref.format;
    const input = await openInputPath(this.engine.store, path, format, signal);
    try {
      const schema = await input.schema(signal);
      return { source: input.batches(schema, signal), close: () => input.close() };
    } catch (e) {
      await input.close();
      throw e;
    }
  }
}

/** A target column path as the statement APIs take it (`a.b`), without the target alias. */
function targetColumn(column: ColumnName, alias: string | undefined): string {
  const parts = alias !== undefined && column.path.length > 1 && column.path[0]!.toLowerCase() === alias.toLowerCase() ? column.path.slice(1) : column.path;
  if (parts.some((p) => p.includes('.'))) {
    throw new DeltaError('UNSUPPORTED_OPERATION', `Assigning to a column whose name contains a dot (${parts.join('.')}) is not supported in SQL statements; use the DeltaTable API with an expression tree.`);
  }
  return parts.join('.');
}

/** Paths in statements are local paths (absolute, or relative to the working directory) or URIs. */
function localPath(path: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : resolve(path);
}
