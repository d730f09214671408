/**
 * Runs the table maintenance statements (OPTIMIZE, VACUUM, RESTORE, ALTER TABLE, DESCRIBE DETAIL,
 * DESCRIBE HISTORY) through the `DeltaTable` methods that implement them, so SQL and the API
 * share every check and every commit. Predicates and CHECK conditions are handed over as the
 * text the user wrote, so binding errors point into it with a caret.
 */
import { DeltaError, type AddColumnSpec, type ColumnChangeSpec, type ColumnPosition as CorePosition, type HistoryEntry, type OptimizeMetrics, type RestoreMetrics, type TableDetail, type VacuumResult } from '@deltakit/core';
import { parseTimestamp, quotedColumnPath } from '@deltakit/core/internal';
import type { DeltaTable } from '../table.js';
import type { AlterTableStatement, ColumnDefinition, ColumnPosition, MaintenanceStatement, RestoreTarget, TableRef } from './ast.js';

/** The outcome of a maintenance statement: its operation (Spark's name for it) and its result. */
export type MaintenanceResult =
  | ({ readonly operation: 'OPTIMIZE' } & OptimizeMetrics)
  | ({ readonly operation: 'VACUUM' } & VacuumResult)
  | ({ readonly operation: 'RESTORE' } & RestoreMetrics)
  | { readonly operation: AlterOperation; readonly version: number }
  | ({ readonly operation: 'DESCRIBE DETAIL' } & TableDetail)
  | { readonly operation: 'DESCRIBE HISTORY'; readonly history: readonly HistoryEntry[] };

/** The operation names Spark records in commitInfo for the ALTER TABLE forms. */
export type AlterOperation =
  | 'ADD COLUMNS'
  | 'RENAME COLUMN'
  | 'DROP COLUMNS'
  | 'CHANGE COLUMNS'
  | 'SET TBLPROPERTIES'
  | 'UNSET TBLPROPERTIES'
  | 'ADD CONSTRAINT'
  | 'DROP CONSTRAINT'
  | 'CLUSTER BY';

/** What the statement runner lends this module. */
export interface MaintenanceContext {
  /** The Delta table a statement names. */
  table(ref: TableRef): DeltaTable;
  /** The statement text of a node, as the user wrote it. */
  source(node: { readonly span?: readonly [number, number] }): string;
  readonly timeZone: string;
  readonly signal?: AbortSignal;
  readonly engineInfo?: string;
}

export async function runMaintenance(s: MaintenanceStatement, ctx: MaintenanceContext): Promise<MaintenanceResult> {
  const table = ctx.table(s.table);
  const signal = ctx.signal === undefined ? {} : { signal: ctx.signal };
  switch (s.kind) {
    case 'optimize': {
      const metrics = await table.optimize({
        ...(s.where === undefined ? {} : { where: ctx.source(s.where) }),
        ...(s.zOrderBy.length === 0 ? {} : { zOrderBy: s.zOrderBy.map((c) => quotedColumnPath(c.path)) }),
        ...(s.full ? { full: true } : {}),
        ...signal,
      });
      return { operation: 'OPTIMIZE', ...metrics };
    }
    case 'vacuum': {
      const result = await table.vacuum({
        ...(s.mode === undefined ? {} : { mode: s.mode }),
        ...(s.retentionHours === undefined ? {} : { retentionHours: s.retentionHours }),
        dryRun: s.dryRun,
        ...signal,
      });
      return { operation: 'VACUUM', ...result };
    }
    case 'restore':
      return { operation: 'RESTORE', ...(await table.restore(restoreTarget(s.target, ctx.timeZone), signal)) };
    case 'describeDetail':
      return { operation: 'DESCRIBE DETAIL', ...(await table.detail(signal)) };
    case 'describeHistory':
      return { operation: 'DESCRIBE HISTORY', history: await table.history({ ...(s.limit === undefined ? {} : { limit: s.limit }), ...signal }) };
    default:
      return alter(table, s, ctx);
  }
}

async function alter(table: DeltaTable, s: AlterTableStatement, ctx: MaintenanceContext): Promise<MaintenanceResult> {
  const options = { ...(ctx.signal === undefined ? {} : { signal: ctx.signal }), ...(ctx.engineInfo === undefined ? {} : { engineInfo: ctx.engineInfo }) };
  switch (s.kind) {
    case 'addColumns':
      return { operation: 'ADD COLUMNS', ...(await table.addColumns(s.columns.map(columnSpec), options)) };
    case 'renameColumn':
      return { operation: 'RENAME COLUMN', ...(await table.renameColumn(s.column.path, s.to, options)) };
    case 'dropColumns':
      return { operation: 'DROP COLUMNS', ...(await table.dropColumns(s.columns.map((c) => c.path), { ...options, ifExists: s.ifExists })) };
    case 'alterColumn': {
      const changes: ColumnChangeSpec[] = s.changes.map((c) => ({
        column: c.column.path,
        ...(c.type === undefined ? {} : { type: c.type }),
        ...(c.comment === undefined ? {} : { comment: c.comment }),
        ...(c.nullable === undefined ? {} : { nullable: c.nullable }),
        ...(c.position === undefined ? {} : { position: position(c.position) }),
      }));
      return { operation: 'CHANGE COLUMNS', ...(await table.alterColumns(changes, options)) };
    }
    case 'setProperties':
      return { operation: 'SET TBLPROPERTIES', ...(await table.setProperties(Object.fromEntries(s.properties.map((p) => [p.key, p.value])), options)) };
    case 'unsetProperties':
      return { operation: 'UNSET TBLPROPERTIES', ...(await table.unsetProperties(s.keys, { ...options, ifExists: s.ifExists })) };
    case 'addConstraint':
      return { operation: 'ADD CONSTRAINT', ...(await table.addConstraint(s.name, ctx.source(s.check), options)) };
    case 'dropConstraint': {
      const { version } = await table.dropConstraint(s.name, { ...options, ifExists: s.ifExists });
      return { operation: 'DROP CONSTRAINT', version };
    }
    case 'clusterBy':
      return { operation: 'CLUSTER BY', ...(await table.clusterBy(s.columns === 'none' ? 'none' : s.columns.map((c) => quotedColumnPath(c.path)), options)) };
    default:
      return unreachable(s);
  }
}

/** `ADD COLUMNS` entry → the API's spec: `a.b` adds `b` inside struct `a`. */
function columnSpec(c: ColumnDefinition): AddColumnSpec {
  const parent = c.column.path.slice(0, -1);
  return {
    name: c.column.path[c.column.path.length - 1]!,
    type: c.type,
    nullable: c.nullable,
    metadata: c.comment === undefined ? {} : { comment: c.comment },
    ...(parent.length === 0 ? {} : { parent }),
    ...(c.position?.kind === 'first' ? { first: true } : c.position?.kind === 'after' ? { after: c.position.column } : {}),
  };
}

function position(p: ColumnPosition): CorePosition {
  return p.kind === 'first' ? { first: true } : { after: p.column };
}

/** A zone-less `TIMESTAMP AS OF` text is in the session time zone, as Spark reads it. */
function restoreTarget(target: RestoreTarget, timeZone: string): { version: number } | { timestamp: number } {
  if ('version' in target) return { version: target.version };
  const micros = parseTimestamp(target.timestamp, timeZone);
  if (micros === undefined) {
    throw new DeltaError('INVALID_ARGUMENT', `RESTORE ... TIMESTAMP AS OF '${target.timestamp}' is not a valid timestamp. Nothing was changed. Write it as 'yyyy-MM-dd HH:mm:ss' (session time zone ${timeZone}) or with an offset, e.g. '2024-01-31T12:00:00Z'.`);
  }
  return { timestamp: Number(micros / 1000n) };
}

function unreachable(s: never): never {
  throw new DeltaError('INTERNAL', `Unknown statement ${JSON.stringify(s)}.`);
}
