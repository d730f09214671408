/**
 * ALTER TABLE ADD / DROP CONSTRAINT, as Delta Spark runs them: adding a CHECK constraint binds it
 * to the table schema (it must be a deterministic boolean expression), scans every live row of the
 * snapshot and refuses the constraint when any row makes it false or NULL, then commits the
 * `delta.constraints.<name>` property (lower-cased name) with the protocol upgraded to the
 * `checkConstraints` feature (writer version 3, or the feature listed at version 7). The commit
 * records that it read the whole table, so a concurrent write of rows the scan did not see makes
 * it fail with a conflict instead of slipping past the check. Dropping removes the property; the
 * protocol keeps the feature.
 */
import type { Engine } from '../engine.js';
import { DeltaError, throwIfAborted } from '../errors.js';
import type { Expr } from '../expr/ast.js';
import { TRUE } from '../expr/compare.js';
import { compileExpression } from '../expr/compile.js';
import { printExpr } from '../expr/print.js';
import type { Metadata } from '../log/actions.js';
import type { Snapshot } from '../table/snapshot.js';
import { Transaction } from '../transaction/transaction.js';
import { protocolFor } from '../write/protocol-for.js';
import { bindCheckConstraint, type BoundRule } from './bind-rules.js';
import { constraintProperty, findConstraint } from './definitions.js';
import { rowValues, valueLines } from './violation.js';

export interface AddConstraintOptions {
  readonly signal?: AbortSignal;
  readonly engineInfo?: string;
}

export interface DropConstraintOptions {
  /** Succeed (committing nothing) when the table has no such constraint. Default false: INVALID_ARGUMENT. */
  readonly ifExists?: boolean;
  readonly signal?: AbortSignal;
  readonly engineInfo?: string;
}

export interface ConstraintContext {
  /** Session time zone for the expression. */
  readonly timeZone: string;
}

/** Adds CHECK constraint `name` to the table of `snapshot` (see the module doc). Returns the new version. */
export async function addConstraint(
  engine: Engine,
  snapshot: Snapshot,
  name: string,
  expression: string | Expr,
  options: AddConstraintOptions & ConstraintContext,
): Promise<{ version: number }> {
  validateName(name);
  if (typeof expression !== 'string' && (typeof expression !== 'object' || expression === null)) {
    throw new DeltaError('INVALID_ARGUMENT', `The constraint expression must be SQL text (e.g. "id > 0") or an expression tree, got ${typeof expression}.`);
  }
  const text = typeof expression === 'string' ? expression : printExpr(expression);
  const existing = findConstraint(snapshot.metadata.configuration, name);
  if (existing !== undefined) {
    throw new DeltaError('INVALID_ARGUMENT', `Constraint '${name}' already exists on the table at ${snapshot.tableRoot}: ${existing.text}. Nothing was changed. Drop the old constraint first (dropConstraint('${name}')), then add the new one.`, {
      details: { constraint: name, existing: existing.text },
    });
  }
  const property = constraintProperty(name);
  const nowMicros = BigInt(engine.clock.nowMs()) * 1000n;
  const rule = bindCheckConstraint({ name: name.toLowerCase(), property, text }, snapshot.schema, { timeZone: options.timeZone, nowMicros, strict: true });
  const tx = Transaction.begin(engine, snapshot, {
    operation: 'ADD CONSTRAINT',
    operationParameters: { name, expr: text },
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  tx.readWholeTable();
  await checkExistingRows(snapshot, rule, { timeZone: options.timeZone, nowMicros, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  const configuration = { ...snapshot.metadata.configuration, [property]: text };
  stageMetadata(tx, snapshot, configuration);
  const { version } = await tx.commit();
  return { version };
}

/** Drops CHECK constraint `name` (case-insensitive). Returns the new version, or the current one when `ifExists` found none. */
export async function dropConstraint(engine: Engine, snapshot: Snapshot, name: string, options: DropConstraintOptions = {}): Promise<{ version: number; dropped: boolean }> {
  validateName(name);
  const existing = findConstraint(snapshot.metadata.configuration, name);
  if (existing === undefined) {
    if (options.ifExists) return { version: snapshot.version, dropped: false };
    throw new DeltaError('INVALID_ARGUMENT', `Cannot drop constraint '${name}': the table at ${snapshot.tableRoot} has no such CHECK constraint. Nothing was changed. Pass { ifExists: true } to ignore a missing constraint.`, {
      details: { constraint: name },
    });
  }
  const tx = Transaction.begin(engine, snapshot, {
    operation: 'DROP CONSTRAINT',
    operationParameters: { name, expr: existing.text, existed: 'true' },
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const configuration = { ...snapshot.metadata.configuration };
  delete configuration[existing.property];
  stageMetadata(tx, snapshot, configuration);
  const { version } = await tx.commit();
  return { version, dropped: true };
}

function validateName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '' || name !== name.trim()) {
    throw new DeltaError('INVALID_ARGUMENT', `A constraint name must be non-empty text without surrounding spaces, got ${JSON.stringify(name)}. Name it like a column, e.g. "positive_id".`);
  }
}

/** Stages the configuration change, with the protocol upgrade it needs. */
function stageMetadata(tx: Transaction, snapshot: Snapshot, configuration: Record<string, string>): void {
  const plan = protocolFor(configuration, snapshot.schema, snapshot.protocol);
  if (plan.changed) tx.updateProtocol(plan.protocol);
  const metadata: Metadata = { ...snapshot.metadata, configuration: plan.configuration };
  tx.updateMetadata(metadata);
}

/** Scans the snapshot's live rows; throws CONSTRAINT_VIOLATION with the count and an example when any violates `rule`. */
async function checkExistingRows(snapshot: Snapshot, rule: BoundRule, options: { timeZone: string; nowMicros: bigint; signal?: AbortSignal }): Promise<void> {
  const compiled = compileExpression(rule.condition, options);
  const referenced = [...new Set(rule.columns.map((c) => c.path[0]!))];
  // A constant condition still needs the row count: read the narrowest thing there is, one column.
  const columns = referenced.length > 0 ? referenced : snapshot.schema.fields.slice(0, 1).map((f) => f.name);
  let violating = 0;
  let example: Record<string, string> | undefined;
  for await (const batch of snapshot.scan({ columns, ...(options.signal === undefined ? {} : { signal: options.signal }) }).batches()) {
    throwIfAborted(options.signal);
    const v = compiled.evaluate(batch);
    if (v.isConstant) {
      if (v.constantValue !== true) violating += batch.numRows;
      if (v.constantValue !== true && example === undefined && batch.numRows > 0) example = rowValues(rule.columns, batch, 0, options.timeZone);
      continue;
    }
    const codes = v.codes();
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] === TRUE) continue;
      violating++;
      example ??= rowValues(rule.columns, batch, i, options.timeZone);
    }
  }
  if (violating === 0) return;
  const lines = example === undefined ? '' : valueLines(example);
  throw new DeltaError(
    'CONSTRAINT_VIOLATION',
    `${violating} row${violating === 1 ? '' : 's'} in the table at ${snapshot.tableRoot} violate${violating === 1 ? 's' : ''} the new CHECK constraint ${rule.name} (${rule.text})` +
      `${lines === '' ? '' : `, for example the row with values:\n${lines}\n`}${lines === '' ? '. ' : ''}Nothing was committed. ` +
      'Rows where the expression is false or NULL violate it: fix or delete those rows first, or add a constraint the existing data satisfies.',
    { details: { constraint: rule.name, expression: rule.text, violatingRows: violating, ...(example === undefined ? {} : { values: example }) } },
  );
}
