/**
 * UPDATE of a Delta table, as Delta Spark's `UpdateCommand`:
 * - candidate files (after partition and statistics pruning) are read whole; rows matching the
 *   condition (all rows without one; null counts as not matching) get the assigned values, cast to
 *   the column types with Spark's store-assignment rules (`exec/assign.ts`);
 * - updated rows are written as new rows (through the table's write checks, generated columns
 *   recomputed) and removed from their files: with deletion vectors when the table enables them,
 *   else by rewriting the files; a file whose every row is updated is removed whole;
 * - assignments may target nested fields (`a.b`): the struct is rebuilt with the other fields
 *   kept; updating partition columns moves rows to their new partition;
 * - change data feed: `update_preimage` and `update_postimage` rows for every updated row.
 * An UPDATE that matches nothing commits nothing, unless it has an application transaction
 * (`appTransaction`): then it commits the `txn` action alone, as Spark. An UPDATE whose
 * application transaction the table already records is skipped once its assignments and
 * condition are bound, before any file is read.
 */
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { DataType, DeltaTable, Snapshot, StructField, StructType } from '@deltakit/core';
import { DeltaError, checkWriteSupported, throwIfAborted } from '@deltakit/core';
import { compileExpression, compilePredicate, deltaTypeToArrow, filterBatch, Vec, vecToArrow, type CompiledExpr, type EvalContext } from '@deltakit/core/internal';
import { assignVec, checkAssignable } from './exec/assign.js';
import { DmlChangeSet } from './exec/change-set.js';
import { assertRemovable, commitDml } from './exec/commit.js';
import { aliasOf } from './delete.js';
import { bindDmlCondition, bindDmlValue, parseInput, type DmlBindOptions, type ExprInput } from './exec/condition.js';
import { planFiles } from './exec/file-plan.js';
import { scanTargetFiles } from './exec/target-scan.js';
import { matchedPositions } from './delete.js';
import { appTransactionApplied, checkAppTransaction, type DmlOptions } from './options.js';

export interface UpdateOptions extends DmlOptions {
  /**
   * Assignments: target column (top-level, or a nested field as `a.b`; backticks quote names with
   * special characters) to its new value as SQL text or an expression tree over the table's
   * columns (values before the update).
   */
  readonly set: Readonly<Record<string, ExprInput>>;
  /** Rows to update; every row when absent. */
  readonly condition?: ExprInput;
}

/** The metrics Delta Spark records in commitInfo for UPDATE, plus the resulting table version. */
export interface UpdateResult {
  /**
   * The table version after the update (unchanged when nothing matched and there is no
   * `appTransaction`: nothing is committed; the current version when skipped).
   */
  readonly version: number;
  /** True when `appTransaction` was already applied, so nothing ran (every metric is 0). */
  readonly skipped: boolean;
  readonly numRemovedFiles: number;
  readonly numAddedFiles: number;
  readonly numUpdatedRows: number;
  readonly numCopiedRows: number;
  readonly numAddedChangeFiles: number;
  readonly numAddedBytes: number;
  readonly numRemovedBytes: number;
  readonly numDeletionVectorsAdded: number;
  readonly numDeletionVectorsRemoved: number;
  readonly numDeletionVectorsUpdated: number;
  readonly executionTimeMs: number;
  readonly scanTimeMs: number;
  readonly rewriteTimeMs: number;
}

/** Updates the rows of `table` matching `options.condition` with `options.set`. */
export async function updateTable(table: DeltaTable, options: UpdateOptions): Promise<UpdateResult> {
  const started = Date.now();
  const { signal, appTransaction } = options;
  checkAppTransaction(appTransaction);
  const engine = table.engine;
  // Data files will be read: start the decode workers while the log and the statement are prepared.
  table.engine.parquet.prewarm?.();
  const snapshot = await table.snapshot(signal ? { signal } : {});
  checkWriteSupported(snapshot.protocol, snapshot.metadata, snapshot.tableRoot);
  assertRemovable(snapshot, 'UPDATE');
  const timeZone = table.sessionTimeZone;
  const nowMicros = BigInt(engine.clock.nowMs()) * 1000n;
  const bindOptions = { timeZone, nowMicros, alias: aliasOf(table) };
  const assignments = bindAssignments(snapshot, options.set, bindOptions);
  const condition = options.condition === undefined ? undefined : bindDmlCondition(snapshot, options.condition, bindOptions);
  // As Spark, the statement is analysed (assignments and condition bound) before the skip check.
  if (appTransactionApplied(snapshot, appTransaction)) return skippedUpdate(snapshot.version);
  const plan = planFiles(snapshot, condition, { timeZone, provenByStats: false });
  const candidates = [...plan.whole, ...plan.scan];
  const changes = new DmlChangeSet(engine, snapshot, { timeZone, nowMicros, ...(signal ? { signal } : {}) });
  const predicate = condition === undefined ? undefined : compilePredicate(condition.bound, { timeZone, nowMicros });
  const recomputeGenerated = generatedColumns(snapshot.schema).filter((c) => !assignments.some((a) => a.path[0]!.toLowerCase() === c.toLowerCase()));
  let numUpdatedRows = 0;

  for await (const { file, batch, positions } of scanTargetFiles(engine, snapshot, candidates, { timeZone, ...(signal ? { signal } : {}) })) {
    throwIfAborted(signal);
    let matched = batch;
    let matchedPos = positions;
    if (predicate !== undefined) {
      const mask = predicate.mask(batch);
      matchedPos = matchedPositions(mask, positions);
      if (matchedPos.length === 0) continue;
      matched = filterBatch(batch, mask);
    }
    const updated = applyAssignments(matched, snapshot.schema, assignments, { length: matched.numRows, timeZone, nowMicros });
    changes.removeRows(file, matchedPos);
    const written = await changes.addRows(updated, { recomputeGenerated });
    numUpdatedRows += matched.numRows;
    await changes.addChangeRows(matched, 'update_preimage');
    await changes.addChangeRows(written, 'update_postimage');
  }
  const scanTimeMs = Date.now() - started;
  const result = await changes.finish();
  const m = result.metrics;
  const metrics = {
    numRemovedFiles: m.numRemovedFiles + m.numRewrittenFiles + m.numFilesWithNewDeletionVector,
    numAddedFiles: m.numAddedFiles,
    numUpdatedRows,
    numCopiedRows: m.numCopiedRows,
    numAddedChangeFiles: m.numAddedChangeFiles,
    numAddedBytes: m.numAddedBytes,
    numRemovedBytes: m.numRemovedBytes,
    numDeletionVectorsAdded: m.numDeletionVectorsAdded,
    numDeletionVectorsRemoved: m.numDeletionVectorsRemoved,
    numDeletionVectorsUpdated: m.numDeletionVectorsUpdated,
    executionTimeMs: Date.now() - started,
    scanTimeMs,
    rewriteTimeMs: m.finishTimeMs,
  };
  const { version } = await commitDml(engine, snapshot, result, {
    operation: 'UPDATE',
    operationParameters: { predicate: JSON.stringify(condition === undefined ? [] : [condition.sql]) },
    metrics,
    read: { ...(condition === undefined ? { wholeTable: true } : { predicate: condition.expr }), files: candidates },
    ...(appTransaction === undefined ? {} : { appTransaction }),
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(signal === undefined ? {} : { signal }),
  });
  return { version, skipped: false, ...metrics };
}

/** The result of an UPDATE skipped because its application transaction was already applied. */
function skippedUpdate(version: number): UpdateResult {
  return {
    version,
    skipped: true,
    numRemovedFiles: 0,
    numAddedFiles: 0,
    numUpdatedRows: 0,
    numCopiedRows: 0,
    numAddedChangeFiles: 0,
    numAddedBytes: 0,
    numRemovedBytes: 0,
    numDeletionVectorsAdded: 0,
    numDeletionVectorsRemoved: 0,
    numDeletionVectorsUpdated: 0,
    executionTimeMs: 0,
    scanTimeMs: 0,
    rewriteTimeMs: 0,
  };
}

/** One bound assignment: the target field path (schema spelling) and its value. */
interface Assignment {
  readonly path: readonly string[];
  readonly type: DataType;
  readonly value: CompiledExpr;
}

function bindAssignments(snapshot: Snapshot, set: Readonly<Record<string, ExprInput>>, options: DmlBindOptions): Assignment[] {
  const entries = Object.entries(set ?? {});
  if (entries.length === 0) throw new DeltaError('INVALID_ARGUMENT', 'UPDATE needs at least one assignment in `set`, e.g. { set: { status: "\'done\'" } }.');
  const out: Assignment[] = [];
  for (const [target, input] of entries) {
    const { path, field } = resolveTarget(snapshot.schema, target, options.timeZone);
    const clash = out.find((a) => isPrefix(a.path, path) || isPrefix(path, a.path));
    if (clash !== undefined) {
      throw new DeltaError('INVALID_ARGUMENT', `UPDATE assigns both ${clash.path.join('.')} and ${path.join('.')}, which overlap. Assign each column or field once.`, { details: { column: path.join('.') } });
    }
    const { bound } = bindDmlValue(snapshot, input, options);
    checkAssignable(bound.type, field.type, path.join('.'));
    out.push({ path, type: field.type, value: compileExpression(bound, options) });
  }
  return out;
}

/** The schema path of an assignment target (`a`, `a.b`, `` `x.y` ``), resolved case-insensitively. */
function resolveTarget(schema: StructType, target: string, timeZone: string): { path: string[]; field: StructField } {
  let written: readonly string[];
  try {
    const e = parseInput(target, timeZone);
    if (e.kind !== 'column') throw new Error('not a column');
    written = e.path;
  } catch {
    throw new DeltaError('INVALID_ARGUMENT', `UPDATE target "${target}" is not a column name. Use a column (\`price\`) or a nested field (\`address.city\`); quote special names with backticks.`, { details: { column: target } });
  }
  const path: string[] = [];
  let fields: readonly StructField[] = schema.fields;
  let field: StructField | undefined;
  for (const part of written) {
    field = fields.find((f) => f.name === part) ?? fields.find((f) => f.name.toLowerCase() === part.toLowerCase());
    if (field === undefined) {
      throw new DeltaError('COLUMN_NOT_FOUND', `UPDATE target ${written.join('.')} does not exist: ${path.length === 0 ? 'the table' : `struct ${path.join('.')}`} has no field "${part}". Fields: ${fields.map((f) => f.name).join(', ')}.`, {
        details: { column: written.join('.') },
      });
    }
    path.push(field.name);
    if (path.length < written.length) {
      if (field.type.kind !== 'struct') {
        throw new DeltaError('COLUMN_NOT_FOUND', `UPDATE target ${written.join('.')} does not exist: ${path.join('.')} has type ${field.type.kind}, not a struct, so it has no fields.`, { details: { column: written.join('.') } });
      }
      fields = field.type.fields;
    }
  }
  return { path, field: field! };
}

const isPrefix = (a: readonly string[], b: readonly string[]) => a.length <= b.length && a.every((p, i) => p.toLowerCase() === b[i]!.toLowerCase());

/** Names of generated columns (`delta.generationExpression` in field metadata). */
function generatedColumns(schema: StructType): string[] {
  return schema.fields.filter((f) => typeof f.metadata['delta.generationExpression'] === 'string').map((f) => f.name);
}

/** `batch` (logical table shape) with the assignments applied to every row. */
export function applyAssignments(batch: RecordBatch, schema: StructType, assignments: readonly Assignment[], ctx: EvalContext): RecordBatch {
  const values = assignments.map((a) => ({ path: a.path, vec: assignVec(a.value.evaluate(batch), a.type, a.path.join('.'), ctx) }));
  const children = schema.fields.map((f, i) => {
    const mine = values.filter((v) => v.path[0] === f.name);
    const original = batch.data.children[i]!;
    if (mine.length === 0) return original;
    return vecToArrow(rebuild(Vec.fromArrow(original, f.type), f.type, mine, 1, ctx.length), deltaTypeToArrow(f.type));
  });
  return new RecordBatch(batch.schema, new Data(new Struct(batch.schema.fields), 0, batch.numRows, 0, undefined, children) as Data<Struct>);
}

/**
 * The new value of a column or field at `depth` of the assignment paths: the assigned value, or
 * a non-null struct whose assigned fields are replaced and whose other fields keep their values
 * (null where the original struct was null), as Spark's nested UPDATE builds it.
 */
function rebuild(original: Vec, type: DataType, values: readonly { path: readonly string[]; vec: Vec }[], depth: number, length: number): Vec {
  const exact = values.find((v) => v.path.length === depth);
  if (exact !== undefined) return exact.vec;
  const st = type as StructType;
  const parentValid = original.valid();
  const kids = original.isConstant ? undefined : original.children();
  const children = st.fields.map((f, k) => {
    const mine = values.filter((v) => v.path[depth] === f.name);
    const child = kids === undefined ? Vec.constant(f.type, null, length) : kids[k]!.withNulls(parentValid);
    return mine.length === 0 ? child : rebuild(child, f.type, mine, depth + 1, length);
  });
  return Vec.of(type, { kind: 'struct', length, children }, null, length);
}
